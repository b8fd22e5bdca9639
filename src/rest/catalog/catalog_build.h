/* Building a schema catalog. The loader (catalog_load.c) and the unit tests
 * feed relations, columns, keys, foreign keys, view-column sources and
 * functions by oid and attribute number, in any order; finishing resolves
 * them, derives the keys and relationships of views (a view column that
 * shows a base-table column carries that column's keys and foreign keys),
 * sorts, and hands over the catalog. Keys, foreign keys and view sources may
 * name relations outside the exposed schemas (a public view over a private
 * table); only the added relations end up in the catalog. Strings are
 * copied. */
#ifndef PGSTACK_REST_CATALOG_BUILD_H
#define PGSTACK_REST_CATALOG_BUILD_H

#include "rest/catalog/catalog.h"

typedef struct catalog_builder catalog_builder;

catalog_builder *rest_catalog_builder_new(void);
/* Frees an unfinished builder. */
void rest_catalog_builder_free(catalog_builder *b);

void rest_catalog_set_version(catalog_builder *b, long long version);

/* An exposed relation. */
void rest_catalog_add_relation(catalog_builder *b, unsigned oid, const char *schema,
                               const char *name, rest_relkind kind);
/* A column of an added relation (false when the oid is unknown). */
bool rest_catalog_add_column(catalog_builder *b, unsigned rel_oid, const rest_column *col);
/* A primary or unique key of any relation. */
void rest_catalog_add_key(catalog_builder *b, unsigned rel_oid, bool primary, const int *attnums,
                          size_t count);
/* A foreign key between any two relations. */
void rest_catalog_add_fk(catalog_builder *b, const char *name, unsigned from_oid,
                         const int *from_attnums, unsigned to_oid, const int *to_attnums,
                         size_t count);
/* Column attnum of a view shows column source_attnum of relation source_oid. */
void rest_catalog_add_view_column(catalog_builder *b, unsigned view_oid, int attnum,
                                  unsigned source_oid, int source_attnum);
/* A function (its args, if any, are ignored: add them one by one). */
void rest_catalog_add_function(catalog_builder *b, const rest_function *f);
/* The next argument of an added function. */
void rest_catalog_add_function_arg(catalog_builder *b, unsigned func_oid, const rest_func_arg *arg);

/* The finished catalog; the builder is consumed. */
rest_catalog *rest_catalog_build_finish(catalog_builder *b);

#endif
