/* SQL generation from plans of the fixture catalog: the whole statement of
 * simple reads, every operator and its not. form, JSON paths, each
 * embedding kind, presence, order and paging, counts and media types; that
 * values only ever travel as parameters, identifiers are quoted, and equal
 * shapes give equal text. */
#include "catalog_fixture.h"
#include "parse_test_util.h"

#define JSON_BODY "coalesce(pg_catalog.json_agg(_r), '[]')::pg_catalog.text"

static const char *main_sql(const char *table, const char *qs)
{
    return sql_ok(table, qs)->main.sql;
}

/* The generated SQL contains fragment, and the parameters are exactly the
 * '|'-separated list expected ("" for none). */
static void expect(const char *table, const char *qs, const char *fragment, const char *params)
{
    rest_read_sql *s = sql_ok(table, qs);
    CU_ASSERT(tu_contains(s->main.sql, fragment));
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    for (int i = 0; i < s->main.param_count; i++) {
        if (i)
            sbuf_putc(&b, '|');
        sbuf_puts(&b, s->main.params[i]);
    }
    ASSERT_STR(b.data, params);
}

static void test_simple_read(void)
{
    rest_read_sql *s = sql_ok("projects", "select=id,name&id=eq.1");
    ASSERT_STR(s->main.sql,
               "select null::pg_catalog.int8, pg_catalog.count(*), " JSON_BODY " from ("
               "select _t0.\"id\" as \"id\", _t0.\"name\" as \"name\" "
               "from \"public\".\"projects\" as _t0 "
               "where (_t0.\"id\" = $1::pg_catalog.int4)) as _r");
    CU_ASSERT_EQUAL(s->main.param_count, 1);
    ASSERT_STR(s->main.params[0], "1");
    CU_ASSERT_PTR_NULL(s->explain.sql);
    ASSERT_STR(main_sql("clients", ""),
               "select null::pg_catalog.int8, pg_catalog.count(*), " JSON_BODY " from ("
               "select _t0.* from \"public\".\"clients\" as _t0) as _r");
}

static void test_comparison_operators(void)
{
    expect("projects", "id=eq.1", "(_t0.\"id\" = $1::pg_catalog.int4)", "1");
    expect("projects", "id=neq.1", "(_t0.\"id\" <> $1::pg_catalog.int4)", "1");
    expect("projects", "id=gt.1", "(_t0.\"id\" > $1::pg_catalog.int4)", "1");
    expect("projects", "id=gte.1", "(_t0.\"id\" >= $1::pg_catalog.int4)", "1");
    expect("projects", "id=lt.1", "(_t0.\"id\" < $1::pg_catalog.int4)", "1");
    expect("projects", "id=lte.1", "(_t0.\"id\" <= $1::pg_catalog.int4)", "1");
    expect("projects", "id=isdistinct.1", "(_t0.\"id\" is distinct from $1::pg_catalog.int4)", "1");
    expect("projects", "id=not.eq.1", "(not (_t0.\"id\" = $1::pg_catalog.int4))", "1");
    expect("projects", "id=not.isdistinct.1",
           "(not (_t0.\"id\" is distinct from $1::pg_catalog.int4))", "1");
}

static void test_text_operators(void)
{
    expect("projects", "name=like.*a*", "(_t0.\"name\" like $1::pg_catalog.text)", "%a%");
    expect("projects", "name=ilike.A*", "(_t0.\"name\" ilike $1::pg_catalog.text)", "A%");
    expect("projects", "name=match.^A", "(_t0.\"name\" ~ $1::pg_catalog.text)", "^A");
    expect("projects", "name=imatch.^a", "(_t0.\"name\" ~* $1::pg_catalog.text)", "^a");
    expect("projects", "name=not.like.a*", "(not (_t0.\"name\" like $1::pg_catalog.text))", "a%");
    expect("projects", "name=like(any).{a*,b*}", "(_t0.\"name\" like any ($1::pg_catalog._text))",
           "{a%,b%}");
    expect("projects", "id=eq(all).{1,2}", "(_t0.\"id\" = all ($1::pg_catalog._int4))", "{1,2}");
}

static void test_is_and_in(void)
{
    expect("projects", "client_id=is.null", "(_t0.\"client_id\" is null)", "");
    expect("projects", "client_id=not.is.null", "(not (_t0.\"client_id\" is null))", "");
    expect("projects", "client_id=is.not_null", "(_t0.\"client_id\" is not null)", "");
    expect("tasks", "done=is.true", "(_t0.\"done\" is true)", "");
    expect("tasks", "done=is.false", "(_t0.\"done\" is false)", "");
    expect("tasks", "done=is.unknown", "(_t0.\"done\" is unknown)", "");
    expect("projects", "id=in.(1,2,3)", "(_t0.\"id\" = any ($1::pg_catalog._int4))",
           "{\"1\",\"2\",\"3\"}");
    expect("projects", "name=not.in.(\"a,b\",\"c\\\"d\")",
           "(not (_t0.\"name\" = any ($1::pg_catalog._text)))", "{\"a,b\",\"c\\\"d\"}");
    expect("projects", "id=in.()", "= any ($1::pg_catalog._int4)", "{}");
    /* text[] has no array type of its own: compared as text */
    expect("projects", "tags=in.({a},{b})",
           "(_t0.\"tags\"::pg_catalog.text = any ($1::pg_catalog._text))", "{\"{a}\",\"{b}\"}");
}

static void test_array_range_and_fts_operators(void)
{
    expect("projects", "tags=cs.{a,b}", "(_t0.\"tags\" @> $1::pg_catalog._text)", "{a,b}");
    expect("projects", "tags=cd.{a,b}", "(_t0.\"tags\" <@ $1::pg_catalog._text)", "{a,b}");
    expect("projects", "tags=ov.{a}", "(_t0.\"tags\" && $1::pg_catalog._text)", "{a}");
    expect("projects", "tags=not.ov.{a}", "(not (_t0.\"tags\" && $1::pg_catalog._text))", "{a}");
    expect("projects", "id=sl.(1,5)", "(_t0.\"id\" << $1::pg_catalog.int4)", "(1,5)");
    expect("projects", "id=sr.(1,5)", "(_t0.\"id\" >> $1::pg_catalog.int4)", "(1,5)");
    expect("projects", "id=nxl.(1,5)", "(_t0.\"id\" &< $1::pg_catalog.int4)", "(1,5)");
    expect("projects", "id=nxr.(1,5)", "(_t0.\"id\" &> $1::pg_catalog.int4)", "(1,5)");
    expect("projects", "id=adj.(1,5)", "(_t0.\"id\" -|- $1::pg_catalog.int4)", "(1,5)");
    expect("projects", "name=fts.cat",
           "(_t0.\"name\" @@ pg_catalog.to_tsquery($1::pg_catalog.text))", "cat");
    expect("projects", "name=fts(english).cat",
           "(_t0.\"name\" @@ pg_catalog.to_tsquery($1::pg_catalog.regconfig, "
           "$2::pg_catalog.text))",
           "english|cat");
    expect("projects", "name=plfts.a cat", "pg_catalog.plainto_tsquery($1::pg_catalog.text)",
           "a cat");
    expect("projects", "name=phfts(french).a chat",
           "pg_catalog.phraseto_tsquery($1::pg_catalog.regconfig, $2::pg_catalog.text)",
           "french|a chat");
    expect("projects", "name=not.wfts.\"a b\" -c",
           "(not (_t0.\"name\" @@ pg_catalog.websearch_to_tsquery($1::pg_catalog.text)))",
           "\"a b\" -c");
}

static void test_json_paths(void)
{
    expect("projects", "select=id,b:data->a->>b&data->>k=eq.v",
           "(_t0.\"data\"->$1::pg_catalog.text->>$2::pg_catalog.text) as \"b\"", "a|b|k|v");
    expect("projects", "data->>k=eq.v",
           "((_t0.\"data\"->>$1::pg_catalog.text) = $2::pg_catalog.text)", "k|v");
    expect("projects", "data->k=eq.1",
           "((_t0.\"data\"->$1::pg_catalog.text) = $2::pg_catalog.jsonb)", "k|1");
    expect("projects", "data->0->>k=in.(a,b)",
           "((_t0.\"data\"->$1::pg_catalog.int4->>$2::pg_catalog.text) = any "
           "($3::pg_catalog._text))",
           "0|k|{\"a\",\"b\"}");
    expect("projects", "order=data->>k.desc", "order by (_t0.\"data\"->>$1::pg_catalog.text) desc",
           "k");
}

static void test_logic_trees(void)
{
    expect("projects", "or=(id.eq.1,and(id.gt.2,name.not.eq.x))",
           "where ((_t0.\"id\" = $1::pg_catalog.int4 or (_t0.\"id\" > $2::pg_catalog.int4 "
           "and not (_t0.\"name\" = $3::pg_catalog.text))))",
           "1|2|x");
    expect("projects", "not.or=(id.eq.1,id.eq.2)&name=eq.x",
           "where (_t0.\"name\" = $1::pg_catalog.text and not (_t0.\"id\" = "
           "$2::pg_catalog.int4 or _t0.\"id\" = $3::pg_catalog.int4))",
           "x|1|2");
}

static void test_embeddings(void)
{
    expect("projects", "select=id,client:clients(name)",
           "select _t0.\"id\" as \"id\", _l1.v as \"client\" from \"public\".\"projects\" as _t0 "
           "left join lateral (select pg_catalog.row_to_json(_e) as v from (select _t1.\"name\" "
           "as \"name\" from \"public\".\"clients\" as _t1 where _t1.\"id\" = _t0.\"client_id\") "
           "as _e) as _l1 on true",
           "");
    expect("clients",
           "select=projects(id)&projects.id=gt.1&projects.order=id.desc"
           "&projects.limit=2&projects.offset=1",
           "coalesce(_l1.v, '[]'::pg_catalog.json) as \"projects\" from \"public\".\"clients\" "
           "as _t0 left join lateral (select pg_catalog.json_agg(_e) as v from (select "
           "_t1.\"id\" as \"id\" from \"public\".\"projects\" as _t1 where _t1.\"client_id\" = "
           "_t0.\"id\" and (_t1.\"id\" > $1::pg_catalog.int4) order by _t1.\"id\" desc limit "
           "$2::pg_catalog.int8 offset $3::pg_catalog.int8) as _e) as _l1 on true",
           "1|2|1");
    expect("users", "select=tasks(title)",
           "from \"public\".\"tasks\" as _t1 join \"public\".\"users_tasks\" as _j1 on "
           "_j1.\"task_id\" = _t1.\"id\" where _j1.\"user_id\" = _t0.\"id\"",
           "");
    expect("users", "select=profiles(bio)", "select pg_catalog.row_to_json(_e) as v", "");
    expect("projects", "select=id,...clients(client:name)",
           "select _t0.\"id\" as \"id\", _l1.* from \"public\".\"projects\" as _t0 left join "
           "lateral (select _t1.\"name\" as \"client\" from \"public\".\"clients\" as _t1 where "
           "_t1.\"id\" = _t0.\"client_id\") as _l1 on true",
           "");
}

static void test_presence(void)
{
    expect("clients", "select=id,projects!inner(id)",
           "join lateral (select pg_catalog.json_agg(_e) as v from (select _t1.\"id\" as \"id\" "
           "from \"public\".\"projects\" as _t1 where _t1.\"client_id\" = _t0.\"id\") as _e) as "
           "_l1 on _l1.v is not null",
           "");
    CU_ASSERT(!tu_contains(main_sql("clients", "select=id,projects!inner(id)"), "left join"));
    expect("projects", "select=id,clients(id)&clients=is.null", "where _l1.v is null", "");
    /* an embedding that only filters is joined but not output */
    const char *sql = main_sql("projects", "select=id,clients()&clients.name=eq.x"
                                           "&clients=not.is.null");
    CU_ASSERT(tu_contains(sql, "select _t0.\"id\" as \"id\" from"));
    CU_ASSERT(tu_contains(sql, " join lateral (select pg_catalog.row_to_json(_e) as v from "
                               "(select  from \"public\".\"clients\""));
}

static void test_order_and_paging(void)
{
    expect("projects", "order=name.desc.nullslast,id.asc.nullsfirst,client_id&limit=3&offset=4",
           "order by _t0.\"name\" desc nulls last, _t0.\"id\" asc nulls first, "
           "_t0.\"client_id\" limit $1::pg_catalog.int8 offset $2::pg_catalog.int8",
           "3|4");
    expect("projects", "select=id,clients(name)&order=clients(name).desc",
           "order by (select _o1.\"name\" from \"public\".\"clients\" as _o1 where _o1.\"id\" = "
           "_t0.\"client_id\") desc",
           "");
}

static void test_counts(void)
{
    rest_read_sql *s =
        sql_ok_with("projects", "select=id,clients!inner(id)&id=gt.1&limit=2", "count=exact", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "select (select pg_catalog.count(*) from (select 1 from "
                                       "\"public\".\"projects\" as _t0 join lateral"));
    CU_ASSERT(tu_contains(s->main.sql, "where (_t0.\"id\" > $1::pg_catalog.int4)) as _c), "
                                       "pg_catalog.count(*)"));
    CU_ASSERT_EQUAL(s->main.param_count, 3); /* the count's 1, the rows' 1 and 2 */
    CU_ASSERT_PTR_NULL(s->explain.sql);
    s = sql_ok_with("projects", "id=gt.1", "count=planned", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "select null::pg_catalog.int8, "));
    ASSERT_STR(s->explain.sql, "explain (format json) select 1 from \"public\".\"projects\" as "
                               "_t0 where (_t0.\"id\" > $1::pg_catalog.int4)");
    CU_ASSERT_EQUAL(s->explain.param_count, 1);
    s = sql_ok_with("projects", "id=gt.1", "count=estimated", NULL);
    CU_ASSERT(tu_contains(s->main.sql, " limit 1001) as _c)"));
    CU_ASSERT_PTR_NOT_NULL(s->explain.sql);
    /* a to-many embedding that does not filter is not joined for counting */
    s = sql_ok_with("clients", "select=id,projects(id)", "count=exact", NULL);
    CU_ASSERT(tu_contains(s->main.sql, "(select pg_catalog.count(*) from (select 1 from "
                                       "\"public\".\"clients\" as _t0) as _c)"));
}

static void test_media(void)
{
    rest_read_sql *s =
        sql_ok_with("projects", "select=id", NULL, "application/vnd.pgrst.object+json");
    CU_ASSERT(tu_contains(s->main.sql, "(pg_catalog.json_agg(_r) ->> 0)"));
    s = sql_ok_with("projects", "select=id,n:name,clients(*),...clients(cn:name)", NULL,
                    "text/csv");
    CU_ASSERT(tu_contains(s->main.sql, "pg_catalog.string_agg(pg_catalog.substr("));
    ASSERT_STR(s->csv_header, "id,n,clients,cn");
    s = sql_ok_with("clients", "", NULL, "text/csv");
    ASSERT_STR(s->csv_header, "id,name");
    s = sql_ok_with("clients", "", NULL, "application/vnd.pgrst.array+json;nulls=stripped");
    CU_ASSERT(tu_contains(s->main.sql, "pg_catalog.json_strip_nulls(pg_catalog.row_to_json(_r))"));
}

static void test_identifiers_are_quoted_values_bound(void)
{
    rest_read_sql *s =
        sql_ok("we\"ird; drop", "select=\"co\\\"l\"&\"co\\\"l\"=eq.1'; drop table x; --");
    CU_ASSERT(tu_contains(s->main.sql, "from \"public\".\"we\"\"ird; drop\" as _t0"));
    CU_ASSERT(tu_contains(s->main.sql, "_t0.\"co\"\"l\" as \"co\"\"l\""));
    CU_ASSERT(!tu_contains(s->main.sql, "drop table"));
    ASSERT_STR(s->main.params[0], "1'; drop table x; --");
    s = sql_ok("projects", "select=\"x\\\"y\":id");
    CU_ASSERT(tu_contains(s->main.sql, "as \"x\"\"y\""));
}

static void test_same_shape_same_text(void)
{
    const char *a = main_sql("projects", "select=id,clients(name)&id=eq.1&name=like.a*&limit=5");
    const char *b = main_sql("projects", "select=id,clients(name)&id=eq.99&name=like.zz*"
                                         "&limit=100");
    ASSERT_STR(a, b);
    const char *c = main_sql("projects", "select=id,clients(name)&id=eq.1&name=like.a*");
    CU_ASSERT(strcmp(a, c) != 0);
}

void register_rest_sql_tests(void)
{
    CU_pSuite s = fixture_suite("rest sql");
    CU_add_test(s, "the whole statement of simple reads", test_simple_read);
    CU_add_test(s, "comparison operators and not.", test_comparison_operators);
    CU_add_test(s, "like, ilike, match, imatch, any/all", test_text_operators);
    CU_add_test(s, "is and in", test_is_and_in);
    CU_add_test(s, "array, range and full-text operators", test_array_range_and_fts_operators);
    CU_add_test(s, "JSON paths in select, filters and order", test_json_paths);
    CU_add_test(s, "logic trees", test_logic_trees);
    CU_add_test(s, "each embedding kind as a lateral subquery", test_embeddings);
    CU_add_test(s, "!inner, null filters and filter-only embeddings", test_presence);
    CU_add_test(s, "order and paging", test_order_and_paging);
    CU_add_test(s, "exact, planned and estimated counts", test_counts);
    CU_add_test(s, "object, CSV and stripped nulls", test_media);
    CU_add_test(s, "identifiers quoted, values bound", test_identifiers_are_quoted_values_bound);
    CU_add_test(s, "equal shapes give equal SQL text", test_same_shape_same_text);
}
