/* Internals shared by catalog_build.c (collecting what the loader or a test
 * feeds) and catalog_derive.c (resolving it into the finished catalog). */
#ifndef PGSTACK_REST_CATALOG_BUILD_INTERNAL_H
#define PGSTACK_REST_CATALOG_BUILD_INTERNAL_H

#include "rest/catalog_build.h"

/* An arena-backed growable array of elements of one size. */
typedef struct cat_vec {
    void *items;
    size_t count, cap;
} cat_vec;

/* A zeroed new last element; earlier element pointers may move. */
void *cat_vec_push(arena *a, cat_vec *v, size_t elem_size);

typedef struct raw_key {
    unsigned oid;
    bool primary;
    int *attnums;
    size_t count;
} raw_key;

typedef struct raw_fk {
    const char *name;
    unsigned from_oid, to_oid;
    int *from_attnums, *to_attnums;
    size_t count;
} raw_fk;

typedef struct raw_view_column {
    unsigned view_oid;
    int attnum;
    unsigned source_oid;
    int source_attnum;
} raw_view_column;

typedef struct raw_func_arg {
    unsigned func_oid;
    size_t seq; /* insertion order */
    rest_func_arg arg;
} raw_func_arg;

/* An added relation and its columns while building. */
typedef struct build_rel {
    rest_relation rel;
    cat_vec columns; /* rest_column */
} build_rel;

struct catalog_builder {
    arena *arena;
    long long version;
    cat_vec rels;      /* build_rel * */
    cat_vec keys;      /* raw_key */
    cat_vec fks;       /* raw_fk */
    cat_vec view_cols; /* raw_view_column */
    cat_vec funcs;     /* rest_function */
    cat_vec args;      /* raw_func_arg */
};

/* Fills c's relations, keys and relationships from b (catalog_derive.c). */
void catalog_derive(catalog_builder *b, rest_catalog *c);

#endif
