/* Request arena: every request-scoped allocation comes from one arena that is
 * released at once when the request ends (PostgreSQL's memory contexts are the
 * model). Objects owned by other allocators (json-c, libpq results) are tied
 * to the arena with arena_defer so they are released with it. */
#ifndef PGSTACK_ARENA_H
#define PGSTACK_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(size_t first_chunk_size);
void arena_free(arena *a);
/* Releases everything allocated since creation but keeps the first chunk. */
void arena_reset(arena *a);

void *arena_alloc(arena *a, size_t size);
void *arena_zalloc(arena *a, size_t size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* The decimal text of v (without printf, for the request path). */
char *arena_itoa(arena *a, long long v);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Runs fn(ptr) when the arena is reset or freed, last registered first. */
void arena_defer(arena *a, void (*fn)(void *), void *ptr);

/* Bytes handed out since the last reset (for tests and diagnostics). */
size_t arena_used(const arena *a);

#endif
