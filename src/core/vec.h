/* One growable array for everything request-scoped: elements of one size
 * in arena memory, doubled when full (PostgreSQL's List, Redis's adlist).
 * A zeroed vec is empty; items stay valid until the next push. */
#ifndef PGSTACK_VEC_H
#define PGSTACK_VEC_H

#include "core/arena.h"

#include <stddef.h>

typedef struct vec {
    void *items;
    size_t count, cap;
} vec;

/* Appends one zeroed element of elem_size bytes and returns it. */
void *vec_push(arena *a, vec *v, size_t elem_size);

/* Makes room for at least n elements in all. */
void vec_reserve(arena *a, vec *v, size_t n, size_t elem_size);

/* The same for a typed array kept as (items, count, *cap): returns the
 * array, moved when it had to grow, with room for n elements. */
void *vec_grow(arena *a, void *items, size_t count, size_t *cap, size_t n, size_t elem_size);

#endif
