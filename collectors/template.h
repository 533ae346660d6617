/*
 * template: `chiso-agent template`, the Excel workbook an officer fills in
 * instead of writing a CSV file, written with libxlsxwriter.
 *
 * One row per indicator of the province's catalogue that the period's type
 * and the unit's tier allow (the tier from the province's last WELCOME): its code, its Vietnamese
 * name, its unit of measure, and the cells the officer types into (value, qualifier, note), which
 * alone are unlocked; the sheet is protected without a password, so that a code or a name cannot be
 * overwritten by mistake but any officer can lift the protection (Review >
 * Unprotect Sheet) if the office needs to.  Each input has data validation
 * (whole numbers >= 0 for counts and amounts, numbers in the indicator's
 * bounds otherwise, a list for the qualifier; a share's numerator no larger
 * than its denominator once that is typed).  A ratio's row shows its value
 * by a formula from its numerator's and denominator's cells as they are typed
 * (14 / 23 shows 60,87 % in a Vietnamese Excel: the number format is the
 * locale-neutral "0.00%").  A hidden sheet (TEMPLATE_META_SHEET) names
 * the template version, the unit, the period and the row of every input, so
 * that collectors/xlsx.c reads the filled workbook back by that map.  Every
 * text the officer reads comes from the message table.
 */
#ifndef CHISO_TEMPLATE_H
#define CHISO_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/*
 * The hidden sheet, the text of its A1 and the layout's version, which
 * collectors/xlsx.c checks: a template of another version is refused.  The
 * sheet's rows are key, value: "unit", "period", "sheet" (the sheet the
 * officer fills), "header" (its header row), "catalog" (the catalogue's
 * version), then one "input", code, row for each input row.
 */
#define TEMPLATE_META_SHEET "chiso"
#define TEMPLATE_META_MARK  "chiso-template"
#define TEMPLATE_VERSION    1

/*
 * Writes the template for unit (a unit code) of tier (an enum tier bit, from
 * the province's WELCOME; 0 when not known: every tier) and period (an
 * identifier such as "2024S1") to path: the indicators whose levels contain
 * the tier, and the ratios of two of them.  0, or -1 with err saying why (no
 * indicator of cat is reported for that period's type and tier, a bad period,
 * the file cannot be written).
 */
int template_write(const char *path, const struct catalog *cat, const char *unit, unsigned tier,
		   const char *period, char *err, size_t errsize);

/*
 * The period a template is for when none is asked: the one containing day
 * (date_today()) of the type most indicators of cat are reported by (their
 * finest), that is the period now open.  Writes its identifier into buf.
 */
void template_default_period(const struct catalog *cat, int32_t day, char *buf, size_t size);

#endif
