/*
 * message: the texts officers read about a refused or flagged row, by code.
 *
 * The one table of them is sql/R_05_messages.sql: the build turns it into
 * the C table message_table (cmake/message_gen.c), migrate loads it into the
 * database, where ingest() reads it through msg().  So the agent, chisod and
 * the database say the same thing for the same code, and a text is changed
 * in that file alone.  A text names its parameters in braces ({indicator});
 * callers pass them, as strings, in the order of the table's params.
 */
#ifndef CHISO_MESSAGE_H
#define CHISO_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>

struct message {
	const char *code;   /* a reason code (docs/protocol.md) or the name of a part */
	const char *params; /* parameter names, comma separated, in call order */
	const char *text;   /* Vietnamese, with {param} placeholders */
};

/* The generated table (build/gen/message_table.c) and its length. */
extern const struct message message_table[];
extern const size_t message_table_len;

/* The entry of code, or NULL if there is none; borrowed, static storage. */
const struct message *message_find(const char *code);

/* The number of parameters of m. */
size_t message_nparams(const struct message *m);

/*
 * Writes the text of code into buf with its parameters put in: the string
 * arguments after code, one per parameter, then a NULL that ends the
 * list.  Cut at a character boundary to fit size.  Returns the length written, or -1 when code is
 * unknown or the count of arguments is wrong (a programming error: buf then holds the code).
 */
int message_format(char *buf, size_t size, const char *code, ...) __attribute__((sentinel));
/* message_format with the arguments (NULL-terminated) in ap. */
int message_vformat(char *buf, size_t size, const char *code, va_list ap);

#endif
