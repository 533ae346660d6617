/*
 * formpage: the files of the officer's form (see formpage.h).  Their text is
 * in collectors/formpage/, compiled in by cmake/embed.cmake as the arrays
 * below, so that the page can be edited as HTML, JavaScript and CSS.
 */
#include "formpage.h"

#include <stddef.h>
#include <string.h>

/* build/gen/formpage_files.c */
extern const char formpage_html[], formpage_js[], formpage_css[], formpage_icon[];

static const struct formpage_file formpage_files[] = {
    {"/", "text/html; charset=utf-8", formpage_html},
    {"/form.js", "text/javascript; charset=utf-8", formpage_js},
    {"/form.css", "text/css; charset=utf-8", formpage_css},
    /* named by the page, so that the browser does not ask for /favicon.ico */
    {"/favicon.svg", "image/svg+xml", formpage_icon},
};

const struct formpage_file *formpage_find(const char *path)
{
	for (size_t i = 0; i < sizeof formpage_files / sizeof formpage_files[0]; i++)
		if (strcmp(path, formpage_files[i].path) == 0)
			return &formpage_files[i];
	return NULL;
}
