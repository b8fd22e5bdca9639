/* Identifier quoting and array literals; see quote.h. */
#include "db/quote.h"

#include <string.h>

void db_append_ident(sbuf *b, const char *name)
{
    sbuf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sbuf_putc(b, '"');
        sbuf_putc(b, *p);
    }
    sbuf_putc(b, '"');
}

const char *db_quote_ident(arena *a, const char *name)
{
    sbuf b;
    sbuf_init(&b, a, strlen(name) + 3);
    db_append_ident(&b, name);
    return b.data;
}

void db_append_qualified(sbuf *b, const char *schema, const char *name)
{
    db_append_ident(b, schema);
    sbuf_putc(b, '.');
    db_append_ident(b, name);
}

const char *db_array_literal(arena *a, const char *const *items, size_t count)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_putc(&b, '{');
    for (size_t i = 0; i < count; i++) {
        if (i)
            sbuf_putc(&b, ',');
        sbuf_putc(&b, '"');
        for (const char *p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                sbuf_putc(&b, '\\');
            sbuf_putc(&b, *p);
        }
        sbuf_putc(&b, '"');
    }
    sbuf_putc(&b, '}');
    return b.data;
}
