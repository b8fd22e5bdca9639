/* The path items of the OpenAPI document: a table or view (GET, and POST,
 * PATCH, DELETE as the caller's privileges allow), and a function under
 * /rpc/ (POST; GET unless VOLATILE). Operations refer to the shared
 * parameters of openapi_params.c by name. */
#include "rest/openapi/openapi_internal.h"

#include "rest/plan/plan_rpc.h"

#include <string.h>

static void add_refs(arena *a, json_object *params, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_object_array_add(params, rest_openapi_ref(a, "parameters", names[i]));
}

static void add_row_filters(arena *a, json_object *params, const rest_relation *rel)
{
    for (size_t i = 0; i < rel->column_count; i++)
        if (rest_openapi_filterable(rel->columns[i].name))
            json_object_array_add(params,
                                  rest_openapi_ref(a, "parameters",
                                                   arena_printf(a, "rowFilter.%s.%s", rel->name,
                                                                rel->columns[i].name)));
}

static json_object *response_object(const char *description, json_object *schema)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "description", json_object_new_string(description));
    if (schema)
        json_object_object_add(r, "schema", schema);
    return r;
}

static json_object *operation(const char *tag, json_object *params, const char *status,
                              json_object *first_response)
{
    json_object *op = json_object_new_object(), *responses = json_object_new_object();
    json_object_object_add(op, "tags", rest_openapi_string_list(&tag, 1));
    json_object_object_add(op, "parameters", params);
    json_object_object_add(responses, status, first_response);
    json_object_object_add(op, "responses", responses);
    return op;
}

/* ---- tables and views -------------------------------------------------- */

static json_object *get_operation(const openapi_ctx *c, const rest_relation *rel)
{
    static const char *const shared[] = {"select", "order", "range",      "rangeUnit",
                                         "offset", "limit", "preferCount"};
    json_object *params = json_object_new_array();
    add_row_filters(c->arena, params, rel);
    add_refs(c->arena, params, shared, sizeof shared / sizeof shared[0]);
    json_object *rows = json_object_new_object();
    json_object_object_add(rows, "type", json_object_new_string("array"));
    json_object_object_add(rows, "items", rest_openapi_ref(c->arena, "definitions", rel->name));
    json_object *op = operation(rel->name, params, "200", response_object("OK", rows));
    json_object *responses;
    json_object_object_get_ex(op, "responses", &responses);
    json_object_object_add(responses, "206", response_object("Partial Content", NULL));
    return op;
}

static json_object *post_operation(const openapi_ctx *c, const rest_relation *rel)
{
    static const char *const shared[] = {"select", "preferPost"};
    json_object *params = json_object_new_array();
    json_object_array_add(params, rest_openapi_ref(c->arena, "parameters",
                                                   arena_printf(c->arena, "body.%s", rel->name)));
    add_refs(c->arena, params, shared, 2);
    return operation(rel->name, params, "201", response_object("Created", NULL));
}

static json_object *patch_operation(const openapi_ctx *c, const rest_relation *rel)
{
    static const char *const shared[] = {"preferReturn"};
    json_object *params = json_object_new_array();
    add_row_filters(c->arena, params, rel);
    json_object_array_add(params, rest_openapi_ref(c->arena, "parameters",
                                                   arena_printf(c->arena, "body.%s", rel->name)));
    add_refs(c->arena, params, shared, 1);
    return operation(rel->name, params, "204", response_object("No Content", NULL));
}

static json_object *delete_operation(const openapi_ctx *c, const rest_relation *rel)
{
    static const char *const shared[] = {"preferReturn"};
    json_object *params = json_object_new_array();
    add_row_filters(c->arena, params, rel);
    add_refs(c->arena, params, shared, 1);
    return operation(rel->name, params, "204", response_object("No Content", NULL));
}

json_object *rest_openapi_table_path(const openapi_ctx *c, const rest_relation *rel,
                                     const rest_openapi_grant *grant)
{
    json_object *path = json_object_new_object();
    if (grant->select)
        json_object_object_add(path, "get", get_operation(c, rel));
    if (grant->insert)
        json_object_object_add(path, "post", post_operation(c, rel));
    if (grant->update)
        json_object_object_add(path, "patch", patch_operation(c, rel));
    if (grant->remove)
        json_object_object_add(path, "delete", delete_operation(c, rel));
    return path;
}

/* ---- functions ------------------------------------------------------------ */

static bool is_named_input(const rest_func_arg *arg)
{
    return rest_func_arg_is_input(arg) && arg->name[0];
}

/* The arguments as query parameters (strings in the query string). */
static json_object *query_arguments(const openapi_ctx *c, const rest_function *f)
{
    json_object *params = json_object_new_array();
    for (size_t i = 0; i < f->arg_count; i++) {
        const rest_func_arg *arg = &f->args[i];
        if (!is_named_input(arg) || !rest_openapi_filterable(arg->name))
            continue;
        json_object *p = rest_openapi_type_schema(c->arena, arg->type_name, 0);
        json_object_object_add(p, "type", json_object_new_string("string"));
        json_object_object_del(p, "items");
        json_object_object_del(p, "maxLength");
        json_object_object_add(p, "name", json_object_new_string(arg->name));
        json_object_object_add(p, "in", json_object_new_string("query"));
        json_object_object_add(p, "required", json_object_new_boolean(!arg->has_default));
        json_object_array_add(params, p);
    }
    return params;
}

/* The body: an object of the named arguments. */
static json_object *body_argument(const openapi_ctx *c, const rest_function *f)
{
    json_object *schema = json_object_new_object(), *props = json_object_new_object();
    json_object *required = json_object_new_array();
    for (size_t i = 0; i < f->arg_count; i++) {
        const rest_func_arg *arg = &f->args[i];
        if (!is_named_input(arg))
            continue;
        json_object_object_add(props, arg->name,
                               rest_openapi_type_schema(c->arena, arg->type_name, 0));
        if (!arg->has_default)
            json_object_array_add(required, json_object_new_string(arg->name));
    }
    json_object_object_add(schema, "type", json_object_new_string("object"));
    json_object_object_add(schema, "properties", props);
    if (json_object_array_length(required))
        json_object_object_add(schema, "required", required);
    else
        json_object_put(required);
    json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string("args"));
    json_object_object_add(p, "in", json_object_new_string("body"));
    json_object_object_add(p, "required", json_object_new_boolean(1));
    json_object_object_add(p, "schema", schema);
    return p;
}

static json_object *rpc_operation(const openapi_ctx *c, const rest_function *f, json_object *params)
{
    static const char *const produces[] = {"application/json",
                                           "application/vnd.pgrst.object+json;nulls=stripped",
                                           "application/vnd.pgrst.object+json"};
    const char *tag = arena_printf(c->arena, "(rpc) %s", f->name);
    json_object *op = operation(tag, params, "200", response_object("OK", NULL));
    json_object_object_add(op, "produces", rest_openapi_string_list(produces, 3));
    return op;
}

json_object *rest_openapi_rpc_path(const openapi_ctx *c, const rest_function *f)
{
    json_object *path = json_object_new_object();
    if (f->volatility != 'v')
        json_object_object_add(path, "get", rpc_operation(c, f, query_arguments(c, f)));
    json_object *params = json_object_new_array();
    json_object_array_add(params, body_argument(c, f));
    json_object_array_add(params, rest_openapi_ref(c->arena, "parameters", "preferParams"));
    json_object_object_add(path, "post", rpc_operation(c, f, params));
    return path;
}
