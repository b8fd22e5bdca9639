/* Internals shared by catalog_build.c (collecting what the loader or a test
 * feeds) and rest_catalog_derive.c (resolving it into the finished catalog). */
#ifndef PGSTACK_REST_CATALOG_BUILD_INTERNAL_H
#define PGSTACK_REST_CATALOG_BUILD_INTERNAL_H

#include "core/vec.h"
#include "rest/catalog/catalog_build.h"

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
    vec columns; /* rest_column */
} build_rel;

struct catalog_builder {
    arena *arena;
    long long version;
    vec rels;      /* build_rel * */
    vec keys;      /* raw_key */
    vec fks;       /* raw_fk */
    vec view_cols; /* raw_view_column */
    vec funcs;     /* rest_function */
    vec args;      /* raw_func_arg */
};

/* Fills c's relations, keys and relationships from b (rest_catalog_derive.c). */
void rest_catalog_derive(catalog_builder *b, rest_catalog *c);

#endif
