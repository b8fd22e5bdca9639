/* The "parameters" section of the OpenAPI document, as PostgREST names
 * them: the Prefer headers (preferParams, preferReturn, preferCount,
 * preferPost), select, on_conflict, order, range, rangeUnit, offset,
 * limit, and per visible table or view its body ("body.t") and one row
 * filter per column ("rowFilter.t.c"). */
#include "rest/openapi/openapi_internal.h"

#include "rest/openapi/openapi_types.h"

#include <string.h>

static json_object *param(const char *name, const char *in, const char *description)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string(name));
    if (description)
        json_object_object_add(p, "description", json_object_new_string(description));
    json_object_object_add(p, "required", json_object_new_boolean(0));
    json_object_object_add(p, "in", json_object_new_string(in));
    return p;
}

static json_object *string_param(const char *name, const char *in, const char *description)
{
    json_object *p = param(name, in, description);
    json_object_object_add(p, "type", json_object_new_string("string"));
    return p;
}

static json_object *prefer(const char *const *values, size_t n)
{
    json_object *p = string_param("Prefer", "header", "Preference");
    json_object_object_add(p, "enum", rest_openapi_string_list(values, n));
    return p;
}

static void add_prefer_params(json_object *params)
{
    static const char *const single[] = {"params=single-object"};
    static const char *const ret[] = {"return=representation", "return=minimal",
                                      "return=headers-only"};
    static const char *const count[] = {"count=none", "count=exact", "count=planned",
                                        "count=estimated"};
    static const char *const post[] = {
        "return=representation",       "return=minimal",
        "return=headers-only",         "resolution=ignore-duplicates",
        "resolution=merge-duplicates", "missing=default"};
    json_object_object_add(params, "preferParams", prefer(single, 1));
    json_object_object_add(params, "preferReturn", prefer(ret, 3));
    json_object_object_add(params, "preferCount", prefer(count, 4));
    json_object_object_add(params, "preferPost", prefer(post, 6));
}

static void add_query_params(json_object *params)
{
    json_object_object_add(params, "select", string_param("select", "query", "Filtering Columns"));
    json_object_object_add(params, "on_conflict",
                           string_param("on_conflict", "query", "On Conflict"));
    json_object_object_add(params, "order", string_param("order", "query", "Ordering"));
    json_object_object_add(params, "range",
                           string_param("Range", "header", "Limiting and Pagination"));
    json_object *unit = string_param("Range-Unit", "header", "Limiting and Pagination");
    json_object_object_add(unit, "default", json_object_new_string("items"));
    json_object_object_add(params, "rangeUnit", unit);
    json_object_object_add(params, "offset",
                           string_param("offset", "query", "Limiting and Pagination"));
    json_object_object_add(params, "limit",
                           string_param("limit", "query", "Limiting and Pagination"));
}

static void add_relation_params(const openapi_ctx *c, json_object *params, const rest_relation *rel)
{
    json_object *body = param(rel->name, "body", rel->name);
    json_object_object_add(body, "schema", rest_openapi_ref(c->arena, "definitions", rel->name));
    json_object_object_add(params, arena_printf(c->arena, "body.%s", rel->name), body);
    for (size_t i = 0; i < rel->column_count; i++) {
        const rest_column *col = &rel->columns[i];
        if (!rest_openapi_filterable(col->name))
            continue;
        json_object *filter = string_param(col->name, "query", NULL);
        json_object_object_add(
            filter, "format",
            json_object_new_string(rest_openapi_type_name_bare(c->arena, col->type_name)));
        json_object_object_add(
            params, arena_printf(c->arena, "rowFilter.%s.%s", rel->name, col->name), filter);
    }
}

json_object *rest_openapi_parameters(const openapi_ctx *c)
{
    json_object *params = json_object_new_object();
    add_prefer_params(params);
    add_query_params(params);
    for (size_t i = 0; i < c->cat->relation_count; i++) {
        const rest_relation *rel = c->cat->relations[i];
        rest_openapi_grant grant;
        if (strcmp(rel->schema, c->schema) == 0 && rest_openapi_relation_grant(c, rel, &grant))
            add_relation_params(c, params, rel);
    }
    return params;
}
