/* Planning RPCs against the fixture catalog: overloads chosen by argument
 * names, defaults, whole-body json arguments and params=single-object,
 * the 404/300/405/400 failures with PostgREST's codes, the result shapes,
 * and select/filters/order/embedding on a set result. */
#include "parse_test_util.h"
#include "rpc_fixture.h"

static const plan_call *call_of(rest_plan *p)
{
    return p->root->call;
}

static void test_overloads_by_argument_names(void)
{
    const plan_call *c = call_of(rpc_plan_ok(REST_GET, "add", "a=1", NULL));
    CU_ASSERT_EQUAL(c->fn->oid, 900);
    CU_ASSERT_EQUAL(c->named_count, 1);
    c = call_of(rpc_plan_ok(REST_POST, "add", "", "{\"b\": 2, \"a\": 1}"));
    CU_ASSERT_EQUAL(c->fn->oid, 900);
    CU_ASSERT_EQUAL_FATAL(c->named_count, 2);
    ASSERT_STR(c->named[0]->name, "a"); /* the function's order, not the body's */
    ASSERT_STR(c->named[1]->name, "b");
    c = call_of(rpc_plan_ok(REST_GET, "add", "", NULL)); /* the overload without arguments */
    CU_ASSERT_EQUAL(c->fn->oid, 899);
    CU_ASSERT_PTR_NULL(c->payload);
    c = call_of(rpc_plan_ok(REST_POST, "add", "", ""));
    CU_ASSERT_EQUAL(c->fn->oid, 899);
}

static void test_defaults_may_be_omitted(void)
{
    const plan_call *c = call_of(rpc_plan_ok(REST_GET, "series", "n=3", NULL));
    CU_ASSERT_EQUAL(c->named_count, 1);
    c = call_of(rpc_plan_ok(REST_GET, "series", "n=3&step=2", NULL));
    CU_ASSERT_EQUAL(c->named_count, 2);
    rest_error *e = rpc_plan_fail(REST_GET, "series", "step=2", NULL);
    CU_ASSERT_EQUAL(e->status, 404);
}

static void test_whole_body_arguments(void)
{
    const plan_call *c = call_of(rpc_plan_ok(REST_POST, "echo", "", "[1, 2]"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->whole);
    ASSERT_STR(c->payload, "[1, 2]");
    ASSERT_STR(c->payload_type, "pg_catalog.json");
    c = call_of(rpc_plan_ok(REST_POST, "echo", "", "{\"any\": \"keys\"}"));
    CU_ASSERT_PTR_NOT_NULL(c->whole);
    rest_error *err;
    rest_plan *p = rpc_plan(REST_POST, "store", "", "{\"x\": 1}", "params=single-object", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    ASSERT_STR(call_of(p)->whole->name, "payload");
    ASSERT_STR(call_of(p)->payload_type, "pg_catalog.jsonb");
    CU_ASSERT_EQUAL(call_of(p)->shape, PLAN_CALL_VOID);
    /* over GET the whole-body fallback does not apply */
    CU_ASSERT_EQUAL(rpc_plan_fail(REST_GET, "echo", "x=1", NULL)->status, 404);
}

static void test_not_found(void)
{
    rest_error *e = rpc_plan_fail(REST_GET, "nope", "x=1&b=2", NULL);
    CU_ASSERT_EQUAL(e->status, 404);
    ASSERT_STR(e->code, "PGRST202");
    ASSERT_STR(e->message, "Could not find the function public.nope(b, x) in the schema cache");
    ASSERT_STR(e->details, "Searched for the function public.nope with parameters b, x, but no "
                           "matches were found in the schema cache.");
    CU_ASSERT_PTR_NULL(e->hint);
    e = rpc_plan_fail(REST_GET, "ad", "a=1", NULL);
    ASSERT_STR(e->hint, "Perhaps you meant to call the function public.add");
    e = rpc_plan_fail(REST_POST, "add", "", "{\"c\": 1}");
    ASSERT_STR(e->hint, "Perhaps you meant to call the function public.add(a, b)");
    ASSERT_STR(e->details, "Searched for the function public.add with parameter c or with a "
                           "single unnamed json/jsonb parameter, but no matches were found in the "
                           "schema cache.");
    e = rpc_plan_fail(REST_POST, "series", "", "{\"n\": 1, \"c\": 2}");
    ASSERT_STR(e->hint, "Perhaps you meant to call the function public.series(n, step)");
    /* an unknown argument beside a known one */
    e = rpc_plan_fail(REST_GET, "add", "a=1&x=2", NULL);
    CU_ASSERT_EQUAL(e->status, 404);
}

static void test_ambiguous_overloads(void)
{
    rest_error *e = rpc_plan_fail(REST_GET, "pick", "a=1", NULL);
    CU_ASSERT_EQUAL(e->status, 300);
    ASSERT_STR(e->code, "PGRST203");
    ASSERT_STR(e->message, "Could not choose the best candidate function between: "
                           "public.pick(a => integer), public.pick(a => text)");
}

static void test_volatile_over_get(void)
{
    rest_error *e = rpc_plan_fail(REST_GET, "zeta", "", NULL);
    CU_ASSERT_EQUAL(e->status, 405);
    ASSERT_STR(e->code, "PGRST101");
    ASSERT_STR(e->message, "Cannot use the GET method on RPC");
    CU_ASSERT_EQUAL(rpc_plan_fail(REST_HEAD, "zeta", "", NULL)->status, 405);
    CU_ASSERT_EQUAL(call_of(rpc_plan_ok(REST_POST, "zeta", "", "{}"))->shape, PLAN_CALL_VOID);
    CU_ASSERT_PTR_NOT_NULL(rpc_plan_ok(REST_HEAD, "series", "n=1", NULL));
}

static void test_body_must_be_an_object(void)
{
    rest_error *e = rpc_plan_fail(REST_POST, "add", "", "[1]");
    CU_ASSERT_EQUAL(e->status, 400);
    ASSERT_STR(e->code, "PGRST102");
    CU_ASSERT_EQUAL(rpc_plan_fail(REST_POST, "add", "", "42")->status, 400);
    CU_ASSERT_EQUAL(rpc_plan_fail(REST_POST, "add", "", "{\"a\": 1")->status, 400);
    CU_ASSERT_EQUAL(rpc_plan_fail(REST_POST, "nope", "", "[1]")->status, 404);
}

static void test_result_shapes(void)
{
    const plan_call *c = call_of(rpc_plan_ok(REST_GET, "add", "a=1", NULL));
    CU_ASSERT_EQUAL(c->shape, PLAN_CALL_SCALAR);
    CU_ASSERT_TRUE(c->scalar);
    c = call_of(rpc_plan_ok(REST_GET, "series", "n=1", NULL));
    CU_ASSERT_EQUAL(c->shape, PLAN_CALL_SET);
    CU_ASSERT_TRUE(c->scalar);
    rest_plan *p = rpc_plan_ok(REST_GET, "stats", "", NULL);
    CU_ASSERT_EQUAL(call_of(p)->shape, PLAN_CALL_COMPOSITE);
    CU_ASSERT_EQUAL_FATAL(p->root->rel->column_count, 2);
    ASSERT_STR(p->root->rel->columns[0].name, "total");
    ASSERT_STR(p->root->rel->columns[1].type, "pg_catalog.text");
    p = rpc_plan_ok(REST_GET, "projects_of", "client=1", NULL);
    CU_ASSERT_EQUAL(call_of(p)->shape, PLAN_CALL_SET);
    CU_ASSERT_FALSE(call_of(p)->scalar);
    ASSERT_STR(p->root->rel->name, "projects"); /* the catalog's relation */
}

static void test_reading_a_set_result(void)
{
    rest_plan *p =
        rpc_plan_ok(REST_GET, "projects_of",
                    "client=1&select=id,clients(name)&id=gt.1&order=name.desc&limit=2", NULL);
    CU_ASSERT_EQUAL(p->root->item_count, 2);
    CU_ASSERT_EQUAL(p->root->items[1].kind, PLAN_ITEM_EMBED);
    CU_ASSERT_EQUAL(p->root->where.child_count, 1);
    CU_ASSERT_EQUAL(p->root->order_count, 1);
    CU_ASSERT_EQUAL(p->root->limit, 2);
    p = rpc_plan_ok(REST_GET, "series", "n=5&series=gt.2&order=series.desc", NULL);
    CU_ASSERT_EQUAL(p->root->where.child_count, 1);
    rest_error *e = rpc_plan_fail(REST_GET, "projects_of", "client=1&nope=eq.1", NULL);
    CU_ASSERT_EQUAL(e->status, 400);
    ASSERT_STR(e->code, "42703");
    e = rpc_plan_fail(REST_GET, "stats", "select=missing", NULL);
    ASSERT_STR(e->code, "42703");
}

static void test_variadic_query_arguments(void)
{
    const plan_call *c = call_of(rpc_plan_ok(REST_GET, "sumall", "nums=1&nums=2", NULL));
    ASSERT_STR(c->payload, "{\"nums\":[\"1\",\"2\"]}");
    c = call_of(rpc_plan_ok(REST_GET, "add", "a=1&a=2&b=x'y", NULL));
    ASSERT_STR(c->payload, "{\"a\":\"2\",\"b\":\"x'y\"}");
}

void register_rest_plan_rpc_tests(void)
{
    CU_pSuite s = fixture_suite("rest plan rpc");
    CU_add_test(s, "overloads chosen by argument names", test_overloads_by_argument_names);
    CU_add_test(s, "arguments with defaults may be omitted", test_defaults_may_be_omitted);
    CU_add_test(s, "whole-body json arguments and params=single-object", test_whole_body_arguments);
    CU_add_test(s, "unknown function or argument set: 404 PGRST202 with hint", test_not_found);
    CU_add_test(s, "ambiguous overloads: 300 PGRST203", test_ambiguous_overloads);
    CU_add_test(s, "VOLATILE over GET/HEAD: 405 PGRST101", test_volatile_over_get);
    CU_add_test(s, "a body that is no object: 400 PGRST102", test_body_must_be_an_object);
    CU_add_test(s, "result shapes", test_result_shapes);
    CU_add_test(s, "select, filters, order, embedding on a set result", test_reading_a_set_result);
    CU_add_test(s, "query arguments: variadic arrays, last value wins",
                test_variadic_query_arguments);
}
