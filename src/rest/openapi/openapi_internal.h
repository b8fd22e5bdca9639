/* Internals shared by the openapi*.c files: the building context, what the
 * caller may see, references, and the parts of the document. */
#ifndef PGSTACK_REST_OPENAPI_INTERNAL_H
#define PGSTACK_REST_OPENAPI_INTERNAL_H

#include "rest/openapi/openapi.h"
#include "rest/openapi/openapi_types.h"

#include <json-c/json.h>

typedef struct openapi_ctx {
    arena *arena;
    const rest_catalog *cat;
    const char *schema;
    const rest_openapi_access *access; /* NULL: everything */
} openapi_ctx;

/* openapi_common.c */
/* False when the caller may not see rel; else its verbs in *out. */
bool rest_openapi_relation_grant(const openapi_ctx *c, const rest_relation *rel,
                                 rest_openapi_grant *out);
bool rest_openapi_function_visible(const openapi_ctx *c, const rest_function *f);
/* {"$ref": "#/<section>/<name>"} with name escaped as a JSON pointer and
 * percent-encoded. */
json_object *rest_openapi_ref(arena *a, const char *section, const char *name);
/* A column can be filtered as ?col=: its name is no reserved parameter. */
bool rest_openapi_filterable(const char *name);
/* {"type": "string", "format": ..., ...} of a PostgreSQL type; parameter
 * schemas only get type and format. */
json_object *rest_openapi_type_schema(arena *a, const char *type_name, char category);
json_object *rest_openapi_string_list(const char *const *items, size_t count);
/* type, format, items and maxLength of t into schema. */
void rest_openapi_add_type_fields(json_object *schema, const openapi_type *t);

/* openapi_paths.c */
json_object *rest_openapi_table_path(const openapi_ctx *c, const rest_relation *rel,
                                     const rest_openapi_grant *grant);
json_object *rest_openapi_rpc_path(const openapi_ctx *c, const rest_function *f);

/* openapi_params.c: the "parameters" section. */
json_object *rest_openapi_parameters(const openapi_ctx *c);

#endif
