/* The arena vector; see vec.h. */
#include "core/vec.h"

#include <string.h>

void vec_reserve(arena *a, vec *v, size_t n, size_t elem_size)
{
    if (n <= v->cap)
        return;
    size_t cap = v->cap ? v->cap : 4;
    while (cap < n)
        cap *= 2;
    void *items = arena_alloc(a, cap * elem_size);
    if (v->count)
        memcpy(items, v->items, v->count * elem_size);
    v->items = items;
    v->cap = cap;
}

void *vec_grow(arena *a, void *items, size_t count, size_t *cap, size_t n, size_t elem_size)
{
    vec v = {items, count, *cap};
    vec_reserve(a, &v, n, elem_size);
    *cap = v.cap;
    return v.items;
}

void *vec_push(arena *a, vec *v, size_t elem_size)
{
    vec_reserve(a, v, v->count + 1, elem_size);
    void *slot = (char *)v->items + v->count++ * elem_size;
    memset(slot, 0, elem_size);
    return slot;
}
