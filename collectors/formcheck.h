/*
 * formcheck: the officer's form's checks as the figures are typed (POST
 * /api/check, served by form.c), with the rules of `submit` and nothing of
 * the page's own: each typed figure goes through submit_cells_check (the
 * number, its qualifier, the indicator's kind and bounds, the period), and
 * each ratio of the catalogue is computed from its two parts, typed or
 * already sent, and flagged as chisod would flag it (a share's numerator
 * above its denominator, numerator_exceeds_denominator).  The messages come
 * from the message table.  The page only shows the answer.
 */
#ifndef CHISO_FORMCHECK_H
#define CHISO_FORMCHECK_H

#include <jansson.h>

#include "catalog.h"
#include "formbody.h"

/*
 * The answer for body (period, and v.CODE=text for each input of the page,
 * empty ones included) in unit, as malloc'd JSON (NULL when out of memory):
 *
 *   {"fields": {CODE: {"value":"1463","shown":"1.463","qualifier":"hơn"}     a good figure
 *                     {"code":..,"message":..,"blocking":true}          refused as submit would
 *                     {"code":..,"message":..,"blocking":false}},       left empty, or half a ratio
 *    "ratios": {CODE: {"percent":"60,87 %"}}}
 *
 * sent (borrowed; may be NULL) is what /api/state calls "sent": indicator ->
 * {"value","state"}; a part of a ratio not typed is taken from it unless it
 * was refused, and an input left empty whose figure was sent is not flagged.
 * cat may be NULL (no catalogue yet): figures are then checked for their
 * syntax only and no ratio is computed.
 */
char *formcheck_json(const struct catalog *cat, const char *unit, const struct formbody *body,
		     json_t *sent);
/*
 * An officer writes "hơn 2000" or "khoảng 1.440" in the figure's box, as the
 * paper report did: the words before the number are its qualifier, which
 * submit_row checks like the qualifier column of a file.  *qual becomes the
 * words (malloc'd, "" if none) and *value the number after them (in text); 0,
 * or -1 when out of memory.
 */
int formcheck_qualified(const char *text, char **qual, const char **value);

#endif
