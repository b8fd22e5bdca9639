/* The RPC part of the test catalog and the RPC plan helpers; see
 * rpc_fixture.h. */
#include "rpc_fixture.h"

#include "parse_test_util.h"
#include "rest/rpc_args.h"

#include <stdio.h>

enum { PROJECTS_OID = 101 }; /* catalog_fixture.c's public.projects */

static void function(catalog_builder *b, unsigned oid, const char *name, const char *ret,
                     char volatility, bool set)
{
    rest_function f = {.oid = oid,
                       .schema = "public",
                       .name = name,
                       .return_type = ret,
                       .returns_set = set,
                       .volatility = volatility};
    rest_catalog_add_function(b, &f);
}

static void arg(catalog_builder *b, unsigned oid, const char *name, const char *type, char mode,
                bool has_default)
{
    const char *display = strcmp(type, "pg_catalog.int4") == 0    ? "integer"
                          : strcmp(type, "pg_catalog.int8") == 0  ? "bigint"
                          : strcmp(type, "pg_catalog._int4") == 0 ? "integer[]"
                                                                  : type + strlen("pg_catalog.");
    rest_func_arg a = {
        .name = name, .type = type, .type_name = display, .mode = mode, .has_default = has_default};
    rest_catalog_add_function_arg(b, oid, &a);
}

static void set_and_composite_functions(catalog_builder *b)
{
    rest_function projects_of = {.oid = 910,
                                 .schema = "public",
                                 .name = "projects_of",
                                 .return_type = "public.projects",
                                 .return_rel_oid = PROJECTS_OID,
                                 .return_composite = true,
                                 .returns_set = true,
                                 .volatility = 's'};
    rest_catalog_add_function(b, &projects_of);
    arg(b, 910, "client", "pg_catalog.int4", 'i', false);
    function(b, 911, "series", "pg_catalog.int4", 'i', true);
    arg(b, 911, "n", "pg_catalog.int4", 'i', false);
    arg(b, 911, "step", "pg_catalog.int4", 'i', true);
    rest_function stats = {.oid = 913,
                           .schema = "public",
                           .name = "stats",
                           .return_type = "pg_catalog.record",
                           .return_composite = true,
                           .volatility = 's'};
    rest_catalog_add_function(b, &stats);
    arg(b, 913, "total", "pg_catalog.int8", 'o', false);
    arg(b, 913, "label", "pg_catalog.text", 'o', false);
}

void rpc_fixture_functions(catalog_builder *b)
{
    set_and_composite_functions(b);
    function(b, 912, "echo", "pg_catalog.json", 's', false);
    arg(b, 912, "", "pg_catalog.json", 'i', false);
    function(b, 914, "pick", "pg_catalog.int4", 's', false);
    arg(b, 914, "a", "pg_catalog.int4", 'i', false);
    function(b, 915, "pick", "pg_catalog.int4", 's', false);
    arg(b, 915, "a", "pg_catalog.text", 'i', false);
    function(b, 916, "sumall", "pg_catalog.int4", 'i', false);
    arg(b, 916, "nums", "pg_catalog._int4", 'v', false);
    function(b, 917, "store", "pg_catalog.void", 'v', false);
    arg(b, 917, "payload", "pg_catalog.jsonb", 'i', false);
    function(b, 918, "on_change", "pg_catalog.trigger", 'v', false);
    function(b, 919, "odd\"fn", "pg_catalog.text", 's', false);
    arg(b, 919, "x\"y", "pg_catalog.text", 'i', false);
}

/* ---- planning -------------------------------------------------------------- */

static const char *const SCHEMAS[] = {"public", "api"};

static bool read_args(rest_method method, const rest_request *req, const char *body,
                      rest_rpc_args *args, rest_error *err)
{
    if (method == REST_GET || method == REST_HEAD) {
        rest_rpc_args_from_query(tu_arena, req, args);
        return true;
    }
    return rest_rpc_args_from_body(tu_arena, body ? body : "", body ? strlen(body) : 0, NULL, args,
                                   err);
}

rest_plan *rpc_plan(rest_method method, const char *fn, const char *qs, const char *body,
                    const char *prefer, rest_error **err)
{
    rest_parse_input in = tu_input(method, qs);
    in.is_rpc = true;
    in.prefer = prefer;
    in.schemas = SCHEMAS;
    in.schema_count = 2;
    rest_request *req;
    rest_parse_error *perr;
    *err = arena_zalloc(tu_arena, sizeof(**err));
    if (!tu_run(&in, NULL, &req, &perr)) {
        rest_error_from_parse(*err, perr);
        return NULL;
    }
    rest_rpc_args args;
    if (!read_args(method, req, body, &args, *err))
        return NULL;
    rest_plan *plan = arena_zalloc(tu_arena, sizeof(*plan));
    return rest_plan_rpc(tu_arena, fixture_catalog(), req, fn, &args, plan, *err) ? plan : NULL;
}

rest_plan *rpc_plan_ok(rest_method method, const char *fn, const char *qs, const char *body)
{
    rest_error *err;
    rest_plan *p = rpc_plan(method, fn, qs, body, NULL, &err);
    if (!p) {
        fprintf(stderr, "\n  unexpected RPC plan error %d %s: %s\n", err->status, err->code,
                err->message);
        CU_FAIL_FATAL("RPC plan failed");
    }
    return p;
}

rest_error *rpc_plan_fail(rest_method method, const char *fn, const char *qs, const char *body)
{
    rest_error *err;
    if (rpc_plan(method, fn, qs, body, NULL, &err))
        CU_FAIL_FATAL("RPC plan succeeded but should have failed");
    return err;
}

rest_read_sql *rpc_sql_ok(rest_method method, const char *fn, const char *qs, const char *body,
                          const char *prefer)
{
    rest_error *err;
    rest_plan *p = rpc_plan(method, fn, qs, body, prefer, &err);
    if (!p) {
        fprintf(stderr, "\n  unexpected RPC plan error %d %s: %s\n", err->status, err->code,
                err->message);
        CU_FAIL_FATAL("RPC plan failed");
    }
    rest_read_sql *sql = arena_zalloc(tu_arena, sizeof(*sql));
    rest_sql_read(tu_arena, p, sql);
    return sql;
}
