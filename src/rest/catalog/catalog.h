/* The schema catalog of the REST engine: the relations (tables, views) of
 * the exposed schemas with their columns and keys, the relationships
 * between them (foreign keys, also projected onto views whose columns map
 * to the key columns) and the functions. Built once per worker from
 * pg_catalog (catalog_load.h) or by hand in tests (catalog_build.h), then
 * read-only; everything lives in the catalog's own arena. Type names are
 * ready-made cast targets (pg_catalog.int4, public."My Type"), written by
 * PostgreSQL's quote_ident, never by a client. */
#ifndef PGSTACK_REST_CATALOG_H
#define PGSTACK_REST_CATALOG_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rest_column {
    const char *name;
    int attnum;
    const char *type;       /* cast target of the column's type */
    const char *array_type; /* cast target of the array of that type, NULL if none */
    const char *type_name;  /* as PostgreSQL shows it: "integer", "text[]", "mood" */
    char category;          /* pg_type.typcategory (of a domain's base type) */
    bool nullable;
    bool has_default; /* a default, identity or generated column */
    /* The DEFAULT expression as pg_get_expr prints it; NULL for identity
     * and generated columns and when there is none. */
    const char *default_expr;
} rest_column;

/* Column indexes (into rest_relation.columns) forming a key. */
typedef struct rest_key {
    const size_t *cols;
    size_t count;
} rest_key;

typedef struct rest_fk rest_fk;

typedef enum rest_relkind {
    REST_REL_TABLE,             /* 'r' and 'p' */
    REST_REL_VIEW,              /* 'v' */
    REST_REL_MATERIALIZED_VIEW, /* 'm' */
    REST_REL_FOREIGN_TABLE,     /* 'f' */
} rest_relkind;

typedef struct rest_relation {
    unsigned oid;
    const char *schema;
    const char *name;
    rest_relkind kind;
    rest_column *columns; /* in attnum order */
    size_t column_count;
    rest_key pk;       /* a view's is its base table's when every column shows; may be empty */
    rest_key *uniques; /* every unique key, the primary key included */
    size_t unique_count;
    const rest_fk **out; /* relationships where this relation is `from` */
    size_t out_count;
    const rest_fk **in; /* relationships where this relation is `to` */
    size_t in_count;
} rest_relation;

/* A foreign key from -> to. Keys of base tables also appear projected onto
 * every view (pair) that shows all their columns, under the same name. */
struct rest_fk {
    const char *name; /* the constraint's name */
    const rest_relation *from, *to;
    const size_t *from_cols, *to_cols; /* column indexes, pairwise */
    size_t col_count;
    bool from_unique; /* from_cols form a key of `from`: one-to-one */
};

typedef struct rest_func_arg {
    const char *name; /* "" when unnamed */
    const char *type; /* cast target */
    const char *type_name;
    char mode; /* i o b v t (pg_proc.proargmodes) */
    bool has_default;
} rest_func_arg;

typedef struct rest_function {
    unsigned oid;
    const char *schema;
    const char *name;
    rest_func_arg *args; /* every argument, output ones included, in order */
    size_t arg_count;
    const char *return_type; /* cast target */
    const char *return_type_name;
    unsigned return_rel_oid; /* the relation whose row type it returns, else 0 */
    bool return_composite;   /* a row type (table, view, composite, record) */
    bool returns_set;
    char volatility; /* i s v */
} rest_function;

typedef struct rest_catalog {
    arena *arena;
    long long version;               /* pgstack.catalog_version when loaded (0 when unknown) */
    const rest_relation **relations; /* sorted by schema, name */
    size_t relation_count;
    const rest_fk *fks;
    size_t fk_count;
    const rest_function *functions; /* sorted by schema, name; overloads adjacent */
    size_t function_count;
} rest_catalog;

void rest_catalog_free(rest_catalog *c);

const rest_relation *rest_catalog_relation(const rest_catalog *c, const char *schema,
                                           const char *name);
const rest_relation *rest_catalog_relation_by_oid(const rest_catalog *c, unsigned oid);

/* The column named name, or NULL; *index (may be NULL) gets its position. */
const rest_column *rest_relation_column(const rest_relation *r, const char *name, size_t *index);

/* The overloads of schema.name: *count of them from the returned one. */
const rest_function *rest_catalog_functions(const rest_catalog *c, const char *schema,
                                            const char *name, size_t *count);

#endif
