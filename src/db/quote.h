/* Quoting for SQL text built by the engines: identifiers (always written
 * in double quotes, so any name from the catalog is safe and case is kept)
 * and text[] array literals that travel as one bind parameter. Values never
 * go into SQL text; these helpers exist for names and for parameters. */
#ifndef PGSTACK_DB_QUOTE_H
#define PGSTACK_DB_QUOTE_H

#include "core/arena.h"
#include "core/sbuf.h"

#include <stddef.h>

/* Appends "name" with embedded double quotes doubled. */
void db_append_ident(sbuf *b, const char *name);

/* The quoted identifier in the arena. */
const char *db_quote_ident(arena *a, const char *name);

/* "schema"."name". */
void db_append_qualified(sbuf *b, const char *schema, const char *name);

/* An array literal {"a","b\"c"} of the items (every element quoted, '"'
 * and '\' escaped), for a parameter cast to an array type. */
const char *db_array_literal(arena *a, const char *const *items, size_t count);

#endif
