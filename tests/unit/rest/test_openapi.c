/* OpenAPI: PostgreSQL types mapped to Swagger types and formats, defaults,
 * and the document built from the fixture catalog (definitions, key notes,
 * paths and verbs by privilege, /rpc/ paths, escaped references). Also the
 * reading of RPC arguments from a body. */
#include "parse_test_util.h"
#include "rest/openapi/openapi.h"
#include "rest/openapi/openapi_types.h"
#include "rest/rpc_args.h"
#include "rpc_fixture.h"

#include "core/json_text.h"

#include <json-c/json.h>

static void expect_type(const char *type_name, char category, const char *type, const char *format)
{
    openapi_type t = rest_openapi_type_of(tu_arena, type_name, category);
    ASSERT_STR(t.type, type);
    ASSERT_STR(t.format, format);
}

static void test_type_mapping(void)
{
    expect_type("smallint", 'N', "integer", "smallint");
    expect_type("integer", 'N', "integer", "integer");
    expect_type("bigint", 'N', "integer", "bigint");
    expect_type("numeric(10,2)", 'N', "number", "numeric");
    expect_type("real", 'N', "number", "real");
    expect_type("double precision", 'N', "number", "double precision");
    expect_type("boolean", 'B', "boolean", "boolean");
    expect_type("json", 'U', NULL, "json");
    expect_type("jsonb", 'U', NULL, "jsonb");
    expect_type("text", 'S', "string", "text");
    expect_type("uuid", 'U', "string", "uuid");
    expect_type("timestamp(3) with time zone", 'D', "string", "timestamp with time zone");
    expect_type("mood", 'E', "string", "mood");
    expect_type("positive_int", 'N', "number", "positive_int"); /* a domain over a number */
    expect_type("flag", 'B', "boolean", "flag");
    openapi_type t = rest_openapi_type_of(tu_arena, "character varying(20)", 'S');
    ASSERT_STR(t.type, "string");
    ASSERT_STR(t.format, "character varying");
    CU_ASSERT_EQUAL(t.max_length, 20);
    CU_ASSERT_EQUAL(rest_openapi_type_of(tu_arena, "character(3)", 'S').max_length, 3);
    CU_ASSERT_EQUAL(rest_openapi_type_of(tu_arena, "text", 'S').max_length, -1);
    t = rest_openapi_type_of(tu_arena, "integer[]", 'A');
    ASSERT_STR(t.type, "array");
    ASSERT_STR(t.items_type, "integer");
    ASSERT_STR(t.format, "integer[]");
    t = rest_openapi_type_of(tu_arena, "character varying(5)[]", 'A');
    ASSERT_STR(t.items_type, "string");
    ASSERT_STR(t.format, "character varying[]");
    CU_ASSERT_EQUAL(t.max_length, -1);
    CU_ASSERT_PTR_NULL(rest_openapi_type_of(tu_arena, "jsonb[]", 'A').items_type);
    ASSERT_STR(rest_openapi_type_of(tu_arena, "integer[][]", 'A').items_type, "array");
}

static const char *default_text(const char *expr, const char *type_name)
{
    openapi_type t = rest_openapi_type_of(tu_arena, type_name, 0);
    json_object *v = rest_openapi_default(expr, &t);
    if (!v)
        return NULL;
    const char *text = arena_strdup(tu_arena, json_object_to_json_string(v));
    json_object_put(v);
    return text;
}

static void test_defaults(void)
{
    ASSERT_STR(default_text("42", "integer"), "42");
    ASSERT_STR(default_text("'-1'::integer", "integer"), "-1");
    ASSERT_STR(default_text("1.50", "numeric"), "1.50");
    ASSERT_STR(default_text("true", "boolean"), "true");
    ASSERT_STR(default_text("'it''s'::text", "text"), "\"it's\"");
    ASSERT_STR(default_text("'a'::character varying", "character varying(3)"), "\"a\"");
    CU_ASSERT_PTR_NULL(default_text("nextval('t_id_seq'::regclass)", "integer"));
    CU_ASSERT_PTR_NULL(default_text("now()", "timestamp with time zone"));
    CU_ASSERT_PTR_NULL(default_text("'a'::text || 'b'::text", "text"));
    CU_ASSERT_PTR_NULL(default_text("1.5", "integer"));
    CU_ASSERT_PTR_NULL(default_text("'{}'::integer[]", "integer[]"));
    CU_ASSERT_PTR_NULL(default_text("'{}'::jsonb", "jsonb"));
    CU_ASSERT_PTR_NULL(default_text(NULL, "text"));
}

/* ---- the document ------------------------------------------------------------ */

static json_object *document(const rest_openapi_access *access)
{
    const char *text = rest_openapi_document(tu_arena, fixture_catalog(), "public", access);
    json_object *doc = json_arena_owned(tu_arena, json_tokener_parse(text));
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    return doc;
}

/* The value at a path of keys ("definitions", "clients", ...), or NULL. */
static json_object *at(json_object *o, const char *const *keys, size_t n)
{
    for (size_t i = 0; o && i < n; i++)
        if (!json_object_object_get_ex(o, keys[i], &o))
            return NULL;
    return o;
}

#define AT(doc, ...)                                                                               \
    at(doc, (const char *const[]){__VA_ARGS__},                                                    \
       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static const char *string_at(json_object *o)
{
    return o ? json_object_get_string(o) : NULL;
}

static void test_document_top_level(void)
{
    json_object *doc = document(NULL);
    ASSERT_STR(string_at(AT(doc, "swagger")), "2.0");
    ASSERT_STR(string_at(AT(doc, "basePath")), "/rest/v1");
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "info", "title"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "info", "version"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/", "get"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "parameters", "preferParams"));
    ASSERT_STR(string_at(AT(doc, "parameters", "rangeUnit", "default")), "items");
    /* the api schema is another profile */
    CU_ASSERT_PTR_NULL(AT(doc, "definitions", "clients", "properties", "label"));
}

static void test_definitions(void)
{
    json_object *doc = document(NULL);
    ASSERT_STR(string_at(AT(doc, "definitions", "clients", "properties", "id", "description")),
               "Note:\nThis is a Primary Key.<pk/>");
    ASSERT_STR(
        string_at(AT(doc, "definitions", "projects", "properties", "client_id", "description")),
        "Note:\nThis is a Foreign Key to `clients.id`.<fk table='clients' column='id'/>");
    ASSERT_STR(string_at(AT(doc, "definitions", "projects", "properties", "tags", "type")),
               "array");
    ASSERT_STR(string_at(AT(doc, "definitions", "projects", "properties", "tags", "items", "type")),
               "string");
    CU_ASSERT_PTR_NULL(AT(doc, "definitions", "projects", "properties", "data", "type"));
    json_object *required = AT(doc, "definitions", "clients", "required");
    CU_ASSERT_PTR_NOT_NULL_FATAL(required);
    CU_ASSERT_EQUAL(json_object_array_length(required), 1); /* id: not null, no default */
    /* a view carries its base table's keys */
    CU_ASSERT_PTR_NOT_NULL(
        AT(doc, "definitions", "project_view", "properties", "client_id", "description"));
}

static void test_paths(void)
{
    json_object *doc = document(NULL);
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/clients", "get"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/clients", "post"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/clients", "patch"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/clients", "delete"));
    json_object *params = AT(doc, "paths", "/clients", "get", "parameters");
    CU_ASSERT_PTR_NOT_NULL_FATAL(params);
    ASSERT_STR(string_at(AT(json_object_array_get_idx(params, 0), "$ref")),
               "#/parameters/rowFilter.clients.id");
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "parameters", "rowFilter.clients.id", "in"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "parameters", "body.clients", "schema"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/rpc/add", "get"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/rpc/add", "post"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/rpc/zeta", "get")); /* VOLATILE */
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/rpc/zeta", "post"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/rpc/on_change")); /* a trigger function */
    json_object *body =
        json_object_array_get_idx(AT(doc, "paths", "/rpc/series", "post", "parameters"), 0);
    ASSERT_STR(string_at(AT(body, "in")), "body");
    ASSERT_STR(string_at(AT(body, "schema", "properties", "n", "type")), "integer");
    CU_ASSERT_EQUAL(json_object_array_length(AT(body, "schema", "required")), 1);
}

static void test_escaped_references(void)
{
    json_object *doc = document(NULL);
    json_object *get = AT(doc, "paths", "/we\"ird; drop", "get");
    CU_ASSERT_PTR_NOT_NULL_FATAL(get);
    json_object *items = AT(get, "responses", "200", "schema", "items", "$ref");
    ASSERT_STR(string_at(items), "#/definitions/we%22ird%3B%20drop");
    json_object *first = json_object_array_get_idx(AT(get, "parameters"), 0);
    ASSERT_STR(string_at(AT(first, "$ref")), "#/parameters/rowFilter.we%22ird%3B%20drop.co%22l");
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "parameters", "rowFilter.we\"ird; drop.co\"l"));
    json_object *odd =
        json_object_array_get_idx(AT(doc, "paths", "/rpc/odd\"fn", "get", "parameters"), 0);
    ASSERT_STR(string_at(AT(odd, "name")), "x\"y");
}

static void test_privileges(void)
{
    rest_openapi_grant grants[] = {{100, true, false, false, false},
                                   {101, false, false, false, false}};
    unsigned functions[] = {900};
    rest_openapi_access access = {grants, 2, functions, 1};
    json_object *doc = document(&access);
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/clients", "get"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/clients", "post"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/clients", "delete"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/projects"));
    CU_ASSERT_PTR_NULL(AT(doc, "definitions", "projects"));
    CU_ASSERT_PTR_NULL(AT(doc, "parameters", "body.projects"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/tasks"));
    CU_ASSERT_PTR_NOT_NULL(AT(doc, "paths", "/rpc/add"));
    CU_ASSERT_PTR_NULL(AT(doc, "paths", "/rpc/zeta"));
}

/* ---- RPC arguments from a body -------------------------------------------------- */

static void test_rpc_arguments_from_a_body(void)
{
    rest_rpc_args args;
    rest_error err;
    CU_ASSERT_TRUE(rest_rpc_args_from_body(tu_arena, "", 0, NULL, &args, &err));
    ASSERT_STR(args.payload, "{}");
    CU_ASSERT_EQUAL(args.key_count, 0);
    const char *body = "{\"a\": 1, \"b\": {\"c\": 2}}";
    CU_ASSERT_TRUE(rest_rpc_args_from_body(tu_arena, body, strlen(body),
                                           "application/json; charset=utf-8", &args, &err));
    CU_ASSERT_TRUE(args.is_object);
    CU_ASSERT_EQUAL_FATAL(args.key_count, 2);
    ASSERT_STR(args.keys[0], "a");
    ASSERT_STR(args.keys[1], "b");
    ASSERT_STR(args.payload, body);
    CU_ASSERT_TRUE(rest_rpc_args_from_body(tu_arena, " null ", 6, NULL, &args, &err));
    CU_ASSERT_FALSE(args.is_object);
    CU_ASSERT_TRUE(rest_rpc_args_from_body(tu_arena, "[1]", 3, NULL, &args, &err));
    CU_ASSERT_FALSE(args.is_object);
    CU_ASSERT_FALSE(rest_rpc_args_from_body(tu_arena, "{\"a\":", 5, NULL, &args, &err));
    CU_ASSERT_EQUAL(err.status, 400);
    ASSERT_STR(err.code, "PGRST102");
    CU_ASSERT_FALSE(rest_rpc_args_from_body(tu_arena, "nullx", 5, NULL, &args, &err));
    CU_ASSERT_FALSE(rest_rpc_args_from_body(tu_arena, "{\"a\":\"\0\"}", 9, NULL, &args, &err));
    CU_ASSERT_EQUAL(err.status, 400);
    CU_ASSERT_FALSE(rest_rpc_args_from_body(tu_arena, "a=1", 3, "text/plain", &args, &err));
    CU_ASSERT_EQUAL(err.status, 415);
    ASSERT_STR(err.code, "PGRST107");
}

void register_rest_openapi_tests(void)
{
    CU_pSuite s = fixture_suite("rest openapi");
    CU_add_test(s, "PostgreSQL types as Swagger types and formats", test_type_mapping);
    CU_add_test(s, "literal column defaults", test_defaults);
    CU_add_test(s, "document: top level", test_document_top_level);
    CU_add_test(s, "document: definitions, required columns, key notes", test_definitions);
    CU_add_test(s, "document: table and rpc paths", test_paths);
    CU_add_test(s, "document: references escaped as URI fragments", test_escaped_references);
    CU_add_test(s, "document: what the caller's privileges allow", test_privileges);
    CU_add_test(s, "RPC arguments from a body", test_rpc_arguments_from_a_body);
}
