/* Growable byte string in a request arena, for building SQL text, JSON and
 * response bodies. Always NUL-terminated; may also hold binary data. */
#ifndef PGSTACK_SBUF_H
#define PGSTACK_SBUF_H

#include "core/arena.h"

#include <stddef.h>

typedef struct sbuf {
    arena *arena;
    char *data;
    size_t len;
    size_t cap;
} sbuf;

void sbuf_init(sbuf *b, arena *a, size_t initial);
void sbuf_append(sbuf *b, const char *s, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_putc(sbuf *b, char c);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_clear(sbuf *b);

#endif
