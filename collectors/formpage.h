/*
 * formpage: the officer's form's page, script and style, compiled into the
 * agent so that the browser loads nothing from anywhere else.
 */
#ifndef CHISO_FORMPAGE_H
#define CHISO_FORMPAGE_H

/* One file of the page. */
struct formpage_file {
	const char *path; /* "/", "/form.js", "/form.css" */
	const char *type; /* its Content-Type */
	const char *body;
};

/* The file served at path, or NULL; static storage. */
const struct formpage_file *formpage_find(const char *path);

#endif
