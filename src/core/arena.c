/* Chunked bump allocator with deferred cleanups; see arena.h. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

typedef struct chunk {
    struct chunk *next;
    size_t size;
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} chunk;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *ptr;
} cleanup;

struct arena {
    chunk *head; /* current chunk; the first chunk is the last in the list */
    chunk *first;
    cleanup *cleanups;
    size_t chunk_size;
    size_t used;
};

static void out_of_memory(void)
{
    fputs("pgstack: out of memory\n", stderr);
    abort();
}

static chunk *chunk_new(size_t size)
{
    chunk *c = malloc(sizeof(chunk) + size);
    if (!c)
        out_of_memory();
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

arena *arena_new(size_t first_chunk_size)
{
    arena *a = calloc(1, sizeof(*a));
    if (!a)
        out_of_memory();
    a->chunk_size = first_chunk_size < 1024 ? 1024 : first_chunk_size;
    a->first = a->head = chunk_new(a->chunk_size);
    return a;
}

static void run_cleanups(arena *a)
{
    while (a->cleanups) {
        cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->ptr);
    }
}

void arena_reset(arena *a)
{
    run_cleanups(a);
    chunk *c = a->head;
    while (c != a->first) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = a->first;
    a->first->used = 0;
    a->used = 0;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->first);
    free(a);
}

void *arena_alloc(arena *a, size_t size)
{
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size)
        out_of_memory();
    chunk *c = a->head;
    if (c->size - c->used < need) {
        size_t grow = need > a->chunk_size ? need : a->chunk_size;
        c = chunk_new(grow);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *arena_zalloc(arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(arena *a, void (*fn)(void *), void *ptr)
{
    cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t arena_used(const arena *a)
{
    return a->used;
}

char *arena_itoa(arena *a, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        digits[sizeof digits - 1 - n++] = '-';
    return arena_strndup(a, digits + sizeof digits - n, n);
}
