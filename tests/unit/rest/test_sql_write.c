/* SQL generation for writes: the whole statement of a plain insert, the
 * representation over the CTE with embeddings, missing=default, rows
 * without columns, upserts and PUT, updates with DEFAULT and without
 * columns, limited updates and deletes by key and by ctid, the Location
 * and object checks; identifiers quoted, the body and every value bound,
 * equal shapes giving equal text. */
#include "parse_test_util.h"
#include "write_fixture.h"

#define NO_BODY "null::pg_catalog.text"
#define JSON_BODY "coalesce(pg_catalog.json_agg(_r), '[]')::pg_catalog.text"

static rest_write_sql *sql_of(rest_method m, const char *table, const char *qs, const char *prefer,
                              const char *body)
{
    write_case c = {m, table, qs, prefer, NULL, body};
    return write_sql_ok(&c);
}

static void test_plain_insert(void)
{
    rest_write_sql *s = sql_of(REST_POST, "items", NULL, NULL, "{\"qty\": 2, \"name\": \"a\"}");
    ASSERT_STR(s->main.sql,
               "with _w as (insert into \"public\".\"items\" as _m (\"name\", \"qty\") "
               "select _b.\"name\", _b.\"qty\" "
               "from pg_catalog.json_to_recordset($1::pg_catalog.json) "
               "as _b(\"name\" pg_catalog.text, \"qty\" pg_catalog.int4) returning 1) "
               "select pg_catalog.count(*), " NO_BODY ", " NO_BODY " from _w as _r");
    ASSERT_STR(write_params(&s->main), "[{\"qty\": 2, \"name\": \"a\"}]");
    s = sql_of(REST_POST, "items", NULL, NULL, "[{\"name\": \"a\"}, {\"name\": \"b\"}]");
    ASSERT_STR(write_params(&s->main), "[{\"name\": \"a\"}, {\"name\": \"b\"}]");
    CU_ASSERT_PTR_NULL(s->csv_header);
}

static void test_representation(void)
{
    rest_write_sql *s = sql_of(REST_POST, "items", "select=name,owner:owners(name),tags(tag)",
                               "return=representation", "{\"name\": \"a\", \"owner_id\": 1}");
    CU_ASSERT(tu_contains(s->main.sql, "returning _m.\"id\", _m.\"name\", _m.\"owner_id\") "));
    CU_ASSERT(tu_contains(s->main.sql,
                          "select pg_catalog.count(*), " JSON_BODY ", " NO_BODY " from (select "
                          "_t0.\"name\" as \"name\", _l1.v as \"owner\", "
                          "coalesce(_l2.v, '[]'::pg_catalog.json) as \"tags\" from _w as _t0 "
                          "left join lateral (select pg_catalog.row_to_json(_e) as v from ("
                          "select _t1.\"name\" as \"name\" from \"public\".\"owners\" as _t1 "
                          "where _t1.\"id\" = _t0.\"owner_id\") as _e) as _l1 on true "));
    CU_ASSERT(tu_contains(s->main.sql, "where _t2.\"item_id\" = _t0.\"id\""));
    /* the root's filters chose the rows: not applied again; its order is */
    s = sql_of(REST_PATCH, "items", "id=gt.1&order=name.desc", "return=representation",
               "{\"name\": \"b\"}");
    CU_ASSERT(tu_contains(s->main.sql, "returning _m.*) "));
    CU_ASSERT(tu_contains(s->main.sql, "from (select _t0.* from _w as _t0 order by _t0.\"name\" "
                                       "desc) as _r"));
    s = sql_of(REST_DELETE, "items", "id=eq.1", "return=representation", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "delete from \"public\".\"items\" as _m where "
                                       "(_m.\"id\" = $1::pg_catalog.int4) returning _m.*)"));
}

static void test_media_of_the_representation(void)
{
    write_case c = {REST_POST,          "items", "select=id", "return=representation", "text/csv",
                    "{\"name\": \"a\"}"};
    rest_write_sql *s = write_sql_ok(&c);
    ASSERT_STR(s->csv_header, "id");
    CU_ASSERT(tu_contains(s->main.sql, "pg_catalog.string_agg("));
    c.accept = "application/vnd.pgrst.object+json";
    s = write_sql_ok(&c);
    CU_ASSERT(tu_contains(s->main.sql, "select pgstack.rest_single(pg_catalog.count(*)), "
                                       "(pg_catalog.json_agg(_r) ->> 0), "));
    c.prefer = "return=minimal"; /* one row is demanded whatever is returned */
    s = write_sql_ok(&c);
    CU_ASSERT(tu_contains(s->main.sql, "returning 1) select pgstack.rest_single("));
}

static void test_missing_default(void)
{
    rest_write_sql *s = sql_of(REST_POST, "items", "columns=name,qty,note", "missing=default",
                               "[{\"name\": \"a\"}, {\"name\": \"b\", \"qty\": 2}]");
    ASSERT_STR(s->main.sql,
               "with _w as (insert into \"public\".\"items\" as _m (\"name\", \"qty\") "
               "select _b.\"name\", case when (_e.v -> $1::pg_catalog.text) is null then (1) "
               "else _b.\"qty\" end "
               "from pg_catalog.json_array_elements($2::pg_catalog.json) as _e(v) "
               "cross join lateral pg_catalog.json_to_record(_e.v) "
               "as _b(\"name\" pg_catalog.text, \"qty\" pg_catalog.int4) returning 1) "
               "select pg_catalog.count(*), " NO_BODY ", " NO_BODY " from _w as _r");
    ASSERT_STR(write_params(&s->main), "qty|[{\"name\": \"a\"}, {\"name\": \"b\", \"qty\": 2}]");
    /* no default expression to fall back to (identity): the key or NULL;
     * in no row: left out */
    s = sql_of(REST_POST, "items", "columns=id,note", "missing=default", "[{\"id\": 1}, {}]");
    CU_ASSERT(tu_contains(s->main.sql, "(\"id\") select _b.\"id\" from "
                                       "pg_catalog.json_to_recordset("));
    s = sql_of(REST_POST, "items", "columns=name,qty", NULL, "[{\"name\": \"a\"}]");
    CU_ASSERT(tu_contains(s->main.sql, "select _b.\"name\", _b.\"qty\" from "
                                       "pg_catalog.json_to_recordset("));
}

static void test_rows_without_columns(void)
{
    rest_write_sql *s = sql_of(REST_POST, "items", NULL, "return=headers-only", "[{}, {}]");
    ASSERT_STR(s->main.sql,
               "with _w as (insert into \"public\".\"items\" as _m select  from "
               "pg_catalog.json_array_elements($1::pg_catalog.json) as _e(v) returning _m.\"id\") "
               "select pg_catalog.count(*), " NO_BODY ", case when pg_catalog.count(*) = 1 then "
               "pg_catalog.json_agg(pg_catalog.json_build_array(_r.\"id\"::pg_catalog.text)) "
               "->> 0 end from _w as _r");
    s = sql_of(REST_PATCH, "items", "id=eq.1", "return=representation", "{}");
    ASSERT_STR(s->main.sql, "with _w as (select _m.* from \"public\".\"items\" as _m where false) "
                            "select pg_catalog.count(*), " JSON_BODY ", " NO_BODY
                            " from (select _t0.* from _w as _t0) as _r");
}

static void test_upserts(void)
{
    rest_write_sql *s = sql_of(REST_POST, "items", NULL, "resolution=merge-duplicates",
                               "{\"id\": 1, \"name\": \"a\"}");
    CU_ASSERT(tu_contains(s->main.sql,
                          "as _b(\"id\" pg_catalog.int4, \"name\" pg_catalog.text) on conflict "
                          "(\"id\") do update set \"id\" = excluded.\"id\", \"name\" = "
                          "excluded.\"name\" returning 1)"));
    s = sql_of(REST_POST, "lines", "on_conflict=item_id,n", "resolution=ignore-duplicates",
               "{\"item_id\": 1, \"n\": 2}");
    CU_ASSERT(
        tu_contains(s->main.sql, " on conflict (\"item_id\", \"n\") do nothing returning 1)"));
    s = sql_of(REST_POST, "items", NULL, "resolution=merge-duplicates", "{}");
    CU_ASSERT(tu_contains(s->main.sql, " on conflict (\"id\") do nothing "));
    s = sql_of(REST_POST, "nokey", NULL, "resolution=merge-duplicates", "{\"a\": 1}");
    CU_ASSERT(!tu_contains(s->main.sql, "on conflict"));
}

static void test_put(void)
{
    rest_write_sql *s = sql_of(REST_PUT, "lines", "item_id=eq.1&n=eq.2", NULL,
                               "{\"item_id\": 1, \"n\": 2, \"label\": \"x\"}");
    ASSERT_STR(s->main.sql,
               "with _w as (insert into \"public\".\"lines\" as _m (\"item_id\", \"n\", "
               "\"label\") select _b.\"item_id\", _b.\"n\", _b.\"label\" from "
               "pg_catalog.json_to_recordset($1::pg_catalog.json) as _b(\"item_id\" "
               "pg_catalog.int4, \"n\" pg_catalog.int4, \"label\" pg_catalog.text) where "
               "(_b.\"item_id\" = $2::pg_catalog.int4 and _b.\"n\" = $3::pg_catalog.int4) "
               "on conflict (\"item_id\", \"n\") do update set \"item_id\" = "
               "excluded.\"item_id\", \"n\" = excluded.\"n\", \"label\" = excluded.\"label\" "
               "returning 1) select pg_catalog.count(*), " NO_BODY ", " NO_BODY " from _w as _r");
    ASSERT_STR(write_params(&s->main), "[{\"item_id\": 1, \"n\": 2, \"label\": \"x\"}]|1|2");
}

static void test_updates(void)
{
    rest_write_sql *s = sql_of(REST_PATCH, "items", "id=eq.1&columns=name,note", "missing=default",
                               "{\"name\": \"a\"}");
    ASSERT_STR(s->main.sql,
               "with _w as (update \"public\".\"items\" as _m set \"name\" = _b.\"name\", "
               "\"note\" = default from pg_catalog.json_to_recordset($1::pg_catalog.json) as "
               "_b(\"name\" pg_catalog.text) where (_m.\"id\" = $2::pg_catalog.int4) returning 1) "
               "select pg_catalog.count(*), " NO_BODY ", " NO_BODY " from _w as _r");
    s = sql_of(REST_PATCH, "items", "id=eq.1&columns=note", "missing=default", "{}");
    CU_ASSERT(tu_contains(s->main.sql, "set \"note\" = default where (_m.\"id\" = "
                                       "$1::pg_catalog.int4) returning 1)"));
    s = sql_of(REST_PATCH, "items", "or=(id.eq.1,name.like.a*)&note=is.null", NULL, "{\"qty\": 3}");
    CU_ASSERT(tu_contains(s->main.sql, "where (_m.\"note\" is null and (_m.\"id\" = "
                                       "$2::pg_catalog.int4 or _m.\"name\" like "
                                       "$3::pg_catalog.text)) returning 1)"));
    ASSERT_STR(write_params(&s->main), "[{\"qty\": 3}]|1|a%");
}

static void test_limited_changes(void)
{
    rest_write_sql *s =
        sql_of(REST_PATCH, "items", "id=gt.1&order=id.desc&limit=2&offset=1", NULL, "{\"qty\": 5}");
    CU_ASSERT(tu_contains(s->main.sql,
                          "where (_m.\"id\") in (select _t0.\"id\" from \"public\".\"items\" as "
                          "_t0 where (_t0.\"id\" > $2::pg_catalog.int4) order by _t0.\"id\" desc "
                          "limit $3::pg_catalog.int8 offset $4::pg_catalog.int8) returning 1)"));
    ASSERT_STR(write_params(&s->main), "[{\"qty\": 5}]|1|2|1");
    s = sql_of(REST_DELETE, "nokey", "a=gt.1&limit=1", NULL, NULL);
    ASSERT_STR(s->main.sql,
               "with _w as (delete from \"public\".\"nokey\" as _m where (_m.tableoid, _m.ctid) "
               "in (select _t0.tableoid, _t0.ctid from \"public\".\"nokey\" as _t0 where "
               "(_t0.\"a\" > $1::pg_catalog.int4) limit $2::pg_catalog.int8) returning 1) "
               "select pg_catalog.count(*), " NO_BODY ", " NO_BODY " from _w as _r");
    s = sql_of(REST_DELETE, "lines", "item_id=eq.1&order=n&limit=1", NULL, NULL);
    CU_ASSERT(tu_contains(s->main.sql, "where (_m.\"item_id\", _m.\"n\") in (select "
                                       "_t0.\"item_id\", _t0.\"n\" from"));
}

static void test_identifiers_quoted_values_bound(void)
{
    rest_write_sql *s = sql_of(REST_POST, "we\"ird; t", NULL, "return=representation",
                               "{\"co\\\"l\": 1, \"\xc3\xb1\": \"'); drop table x; --\"}");
    CU_ASSERT(tu_contains(s->main.sql, "insert into \"public\".\"we\"\"ird; t\" as _m "
                                       "(\"co\"\"l\", \"\xc3\xb1\") select _b.\"co\"\"l\""));
    CU_ASSERT(!tu_contains(s->main.sql, "drop table"));
    CU_ASSERT_EQUAL(s->main.param_count, 1);
    s = sql_of(REST_DELETE, "items", "name=eq.'; delete from items; --", NULL, NULL);
    CU_ASSERT(!tu_contains(s->main.sql, "delete from items"));
    ASSERT_STR(write_params(&s->main), "'; delete from items; --");
}

static void test_same_shape_same_text(void)
{
    const char *a =
        sql_of(REST_POST, "items", NULL, NULL, "{\"name\": \"a\", \"qty\": 1}")->main.sql;
    const char *b = sql_of(REST_POST, "items", NULL, NULL,
                           "[{\"qty\": 9, \"name\": \"zz\"}, "
                           "{\"name\": \"y\", \"qty\": 3}]")
                        ->main.sql;
    ASSERT_STR(a, b);
    const char *c = sql_of(REST_PATCH, "items", "id=eq.1", NULL, "{\"name\": \"a\"}")->main.sql;
    const char *d = sql_of(REST_PATCH, "items", "id=eq.77", NULL, "{\"name\": \"q\"}")->main.sql;
    ASSERT_STR(c, d);
    const char *e = sql_of(REST_POST, "items", NULL, NULL, "{\"name\": \"a\"}")->main.sql;
    CU_ASSERT(strcmp(a, e) != 0);
}

void register_rest_sql_write_tests(void)
{
    CU_pSuite s = write_suite("rest sql write");
    CU_add_test(s, "the whole statement of a plain insert", test_plain_insert);
    CU_add_test(s, "the representation over the written rows", test_representation);
    CU_add_test(s, "CSV and object representations", test_media_of_the_representation);
    CU_add_test(s, "missing=default per row", test_missing_default);
    CU_add_test(s, "rows without columns", test_rows_without_columns);
    CU_add_test(s, "upserts: merge, ignore, no key", test_upserts);
    CU_add_test(s, "PUT keeps the row only when it matches", test_put);
    CU_add_test(s, "updates: values, DEFAULT, filters", test_updates);
    CU_add_test(s, "limited updates and deletes", test_limited_changes);
    CU_add_test(s, "identifiers quoted, values bound", test_identifiers_quoted_values_bound);
    CU_add_test(s, "equal shapes give equal SQL text", test_same_shape_same_text);
}
