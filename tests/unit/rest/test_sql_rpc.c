/* SQL of RPCs: the call once in a common table expression, arguments
 * picked from one JSON parameter by json_to_record (variadic too), whole-
 * body arguments, the body of each result shape, the read path's filters,
 * order, paging and counts over "_call", quoting of names, and equal SQL
 * text for equal shapes whatever the values or the order of the keys. */
#include "parse_test_util.h"
#include "rpc_fixture.h"

#define SCALAR_BODY(col)                                                                           \
    "coalesce(pg_catalog.json_agg(_r.\"" col "\") -> 0, 'null')::pg_catalog.text"

static void test_scalar_call(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_GET, "add", "a=1", NULL, NULL);
    ASSERT_STR(
        s->main.sql,
        "with _call as (select _f.* from pg_catalog.json_to_record($1::pg_catalog.json) "
        "as _a(\"a\" pg_catalog.int4) cross join lateral \"public\".\"add\"(\"a\" := _a.\"a\") "
        "as _f(\"add\")) "
        "select null::pg_catalog.int8, pg_catalog.count(*), " SCALAR_BODY(
            "add") " from ("
                   "select _t0.\"add\" as \"add\" from _call as _t0) as _r");
    CU_ASSERT_EQUAL_FATAL(s->main.param_count, 1);
    ASSERT_STR(s->main.params[0], "{\"a\":\"1\"}");
}

static void test_call_without_arguments(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_POST, "add", "", "{}", NULL);
    CU_ASSERT(tu_contains(s->main.sql,
                          "with _call as (select _f.* from \"public\".\"add\"() as _f(\"add\")) "));
    CU_ASSERT_EQUAL(s->main.param_count, 0);
}

static void test_set_of_rows(void)
{
    rest_read_sql *s =
        rpc_sql_ok(REST_POST, "projects_of", "select=id,name&id=gt.1&order=id.desc&limit=2",
                   "{\"client\": 1}", NULL);
    ASSERT_STR(s->main.sql,
               "with _call as (select _f.* from pg_catalog.json_to_record($1::pg_catalog.json) "
               "as _a(\"client\" pg_catalog.int4) cross join lateral "
               "\"public\".\"projects_of\"(\"client\" := _a.\"client\") as _f) "
               "select null::pg_catalog.int8, pg_catalog.count(*), "
               "coalesce(pg_catalog.json_agg(_r), '[]')::pg_catalog.text from ("
               "select _t0.\"id\" as \"id\", _t0.\"name\" as \"name\" from _call as _t0 "
               "where (_t0.\"id\" > $2::pg_catalog.int4) order by _t0.\"id\" desc "
               "limit $3::pg_catalog.int8) as _r");
    CU_ASSERT_EQUAL_FATAL(s->main.param_count, 3);
    ASSERT_STR(s->main.params[0], "{\"client\": 1}");
    ASSERT_STR(s->main.params[1], "1");
    ASSERT_STR(s->main.params[2], "2");
}

static void test_embedding_on_a_set_result(void)
{
    rest_read_sql *s =
        rpc_sql_ok(REST_GET, "projects_of", "client=1&select=id,clients(name)", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "from _call as _t0 left join lateral ("));
    CU_ASSERT(tu_contains(s->main.sql, "from \"public\".\"clients\" as _t1 where "
                                       "_t1.\"id\" = _t0.\"client_id\""));
}

static void test_set_of_values(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_GET, "series", "n=3&series=gt.1", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "as _f(\"series\")) "));
    CU_ASSERT(tu_contains(s->main.sql,
                          "coalesce(pg_catalog.json_agg(_r.\"series\"), '[]')::pg_catalog.text"));
    CU_ASSERT(tu_contains(s->main.sql, "where (_t0.\"series\" > $2::pg_catalog.int4)"));
}

static void test_composite_and_void_bodies(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_GET, "stats", "", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "\"public\".\"stats\"() as _f) "));
    CU_ASSERT(tu_contains(s->main.sql,
                          "coalesce(pg_catalog.json_agg(_r) -> 0, 'null')::pg_catalog.text"));
    s = rpc_sql_ok(REST_POST, "zeta", "", "", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "pg_catalog.count(*), null::pg_catalog.text from ("));
    s = rpc_sql_ok(REST_HEAD, "series", "n=2", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "pg_catalog.count(*), null::pg_catalog.text from ("));
}

static void test_whole_body_and_single_object(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_POST, "echo", "", "[1]", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "\"public\".\"echo\"($1::pg_catalog.json) as _f(\"echo\")"));
    ASSERT_STR(s->main.params[0], "[1]");
    s = rpc_sql_ok(REST_POST, "store", "", "{\"k\": 2}", "params=single-object");
    CU_ASSERT(tu_contains(s->main.sql,
                          "\"public\".\"store\"(\"payload\" := $1::pg_catalog.jsonb) as _f"));
    ASSERT_STR(s->main.params[0], "{\"k\": 2}");
}

static void test_variadic_and_quoted_names(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_GET, "sumall", "nums=1&nums=2", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "as _a(\"nums\" pg_catalog._int4) cross join lateral "
                                       "\"public\".\"sumall\"(variadic \"nums\" := _a.\"nums\")"));
    s = rpc_sql_ok(REST_POST, "odd\"fn", "", "{\"x\\\"y\": \"v\"}", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "as _a(\"x\"\"y\" pg_catalog.text) cross join lateral "
                                       "\"public\".\"odd\"\"fn\"(\"x\"\"y\" := _a.\"x\"\"y\") "
                                       "as _f(\"odd\"\"fn\")"));
    CU_ASSERT(tu_contains(s->main.sql, "json_agg(_r.\"odd\"\"fn\")"));
}

static void test_counts_call_once(void)
{
    rest_read_sql *s = rpc_sql_ok(REST_GET, "series", "n=3", NULL, "count=exact");
    CU_ASSERT(tu_contains(s->main.sql, "select (select pg_catalog.count(*) from (select 1 from "
                                       "_call as _t0) as _c), pg_catalog.count(*)"));
    /* one call: the payload is bound once */
    CU_ASSERT_EQUAL(s->main.param_count, 1);
    s = rpc_sql_ok(REST_GET, "series", "n=3", NULL, "count=planned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->explain.sql);
    CU_ASSERT(
        tu_contains(s->explain.sql, "explain (format json) with _call as (select _f.* from "));
    CU_ASSERT(tu_contains(s->explain.sql, "select 1 from _call as _t0"));
}

static void test_same_shape_same_text(void)
{
    rest_read_sql *a = rpc_sql_ok(REST_POST, "add", "", "{\"a\": 1, \"b\": 2}", NULL);
    rest_read_sql *b = rpc_sql_ok(REST_POST, "add", "", "{\"b\": 9, \"a\": \"x';--\"}", NULL);
    ASSERT_STR(a->main.sql, b->main.sql);
    rest_read_sql *c = rpc_sql_ok(REST_GET, "add", "a=1", NULL, NULL);
    rest_read_sql *d = rpc_sql_ok(REST_GET, "add", "a=%27%3B%20drop%20table%20x", NULL, NULL);
    ASSERT_STR(c->main.sql, d->main.sql);
    CU_ASSERT_PTR_NULL(strstr(d->main.sql, "drop"));
    rest_read_sql *e = rpc_sql_ok(REST_POST, "add", "", "{\"a\": 1}", NULL);
    CU_ASSERT(strcmp(a->main.sql, e->main.sql) != 0); /* another shape: b omitted */
}

void register_rest_sql_rpc_tests(void)
{
    CU_pSuite s = fixture_suite("rest sql rpc");
    CU_add_test(s, "a scalar call", test_scalar_call);
    CU_add_test(s, "a call without arguments binds nothing", test_call_without_arguments);
    CU_add_test(s, "a set of rows with select, filter, order, limit", test_set_of_rows);
    CU_add_test(s, "embedding on a set result", test_embedding_on_a_set_result);
    CU_add_test(s, "a set of values", test_set_of_values);
    CU_add_test(s, "composite, void and HEAD bodies", test_composite_and_void_bodies);
    CU_add_test(s, "whole-body argument and params=single-object",
                test_whole_body_and_single_object);
    CU_add_test(s, "variadic arguments and quoted names", test_variadic_and_quoted_names);
    CU_add_test(s, "counts read the call once", test_counts_call_once);
    CU_add_test(s, "equal shapes give equal SQL text", test_same_shape_same_text);
}
