/* select=: every item form (star, columns, aliases, casts, JSON paths,
 * embeddings with hints / inner / left / aliases, spreads, empty embeds),
 * nesting three deep, and each syntax error with its position. */
#include "parse_test_util.h"

typedef struct select_case {
    const char *qs;
    const char *expected;
} select_case;

static void check_cases(const select_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rest_request *r = tu_ok(cases[i].qs);
        ASSERT_STR(tu_select(&r->select), cases[i].expected);
    }
}

static void test_default_is_star(void)
{
    rest_request *r = tu_ok("");
    CU_ASSERT_EQUAL(r->select.count, 1);
    CU_ASSERT_EQUAL(r->select.items[0].kind, REST_SELECT_STAR);
    r = tu_ok("select=");
    CU_ASSERT_EQUAL(r->select.count, 1);
    CU_ASSERT_EQUAL(r->select.items[0].kind, REST_SELECT_STAR);
    ASSERT_STR(tu_select(&tu_ok("select=%20%09")->select), "*");
}

static void test_columns(void)
{
    static const select_case cases[] = {
        {"select=*", "*"},
        {"select=id,name", "id,name"},
        {"select=%20id%20,%20name%20", "id,name"},
        {"select=alias:col", "alias:col"},
        {"select=col::text", "col::text"},
        {"select=alias:col::int", "alias:col::int"},
        {"select=ts::timestamp%20with%20time%20zone", "ts::timestamp with time zone"},
        {"select=*,id", "*,id"},
        {"select=identifier%20with%20spaces", "identifier with spaces"},
        {"select=identifier-with-dashes", "identifier-with-dashes"},
        {"select=123,_,$x", "123,_,$x"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_request *r = tu_ok("select=a:b::int");
    rest_select_item *it = &r->select.items[0];
    CU_ASSERT_EQUAL(it->kind, REST_SELECT_COLUMN);
    ASSERT_STR(it->alias, "a");
    ASSERT_STR(it->field.column, "b");
    ASSERT_STR(it->cast, "int");
    CU_ASSERT_EQUAL(it->field.json_path_len, 0);
    CU_ASSERT_PTR_NULL(it->relation);
}

static void test_json_paths(void)
{
    static const select_case cases[] = {
        {"select=data->a->>b", "data->a->>b"},
        {"select=data->0", "data->#0"},
        {"select=data->>-1", "data->>#-1"},
        {"select=data->a->1->>c", "data->a->#1->>c"},
        {"select=x:data->a->>b::text", "x:data->a->>b::text"},
        {"select=data->a::int,id", "data->a::int,id"},
        {"select=data->!@#$^*_a", "data->!@#$^*_a"},
        {"select=data->\"a,b\"->>\"0\"", "data->a,b->>0"},
        {"select=data->-78xy", "data->-78xy"},
        {"select=data->-,data->>1-", "data->-,data->>1-"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_request *r = tu_ok("select=data->\"0\"->0->>k");
    rest_field *f = &r->select.items[0].field;
    CU_ASSERT_EQUAL_FATAL(f->json_path_len, 3);
    CU_ASSERT_FALSE(f->json_path[0].is_index); /* a quoted "0" is a key */
    CU_ASSERT_FALSE(f->json_path[0].as_text);
    CU_ASSERT_TRUE(f->json_path[1].is_index);
    CU_ASSERT_TRUE(f->json_path[2].as_text);
    ASSERT_STR(f->json_path[2].key, "k");
}

static void test_quoted_names(void)
{
    rest_request *r = tu_ok("select=\"quoted,name\",\"with%20\\\"quote\\\"\",\"a\\\\b\"");
    CU_ASSERT_EQUAL_FATAL(r->select.count, 3);
    ASSERT_STR(r->select.items[0].field.column, "quoted,name");
    ASSERT_STR(r->select.items[1].field.column, "with \"quote\"");
    ASSERT_STR(r->select.items[2].field.column, "a\\b");
    r = tu_ok("select=\"my%20alias\":\"my%20col\"");
    ASSERT_STR(r->select.items[0].alias, "my alias");
    ASSERT_STR(r->select.items[0].field.column, "my col");
    ASSERT_STR(tu_select(&tu_ok("select=%20\"%20padded%20\"%20")->select), " padded ");
}

static void test_embeddings(void)
{
    static const select_case cases[] = {
        {"select=*,clients(*)", "*,clients(*)"},
        {"select=id,clients(id,name)", "id,clients(id,name)"},
        {"select=c:clients(name)", "c:clients(name)"},
        {"select=clients!client_fk(name)", "clients!h:client_fk(name)"},
        {"select=clients!client_id(name)", "clients!h:client_id(name)"},
        {"select=clients!inner(name)", "clients!inner(name)"},
        {"select=clients!left(name)", "clients!left(name)"},
        {"select=clients!fk!inner(name)", "clients!h:fk!inner(name)"},
        {"select=clients!inner!fk(name)", "clients!h:fk!inner(name)"},
        {"select=c:clients!fk!left(name)", "c:clients!h:fk!left(name)"},
        {"select=clients!\"inner\"(name)", "clients!h:inner(name)"},
        {"select=clients()", "clients()"},
        {"select=clients!inner()", "clients!inner()"},
        {"select=clients(%20)", "clients()"},
        {"select=clients%20(%20a%20,%20b%20)", "clients(a,b)"},
        {"select=clients(data->>x::int,n:name)", "clients(data->>x::int,n:name)"},
        {"select=count(a)", "count(a)"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_request *r = tu_ok("select=c:clients!fk!inner(id)");
    rest_select_item *it = &r->select.items[0];
    CU_ASSERT_EQUAL(it->kind, REST_SELECT_EMBED);
    ASSERT_STR(it->alias, "c");
    ASSERT_STR(it->relation, "clients");
    ASSERT_STR(it->hint, "fk");
    CU_ASSERT_EQUAL(it->join, REST_JOIN_INNER);
    CU_ASSERT_EQUAL(it->children.count, 1);
    CU_ASSERT_PTR_NULL(it->field.column);
    r = tu_ok("select=clients(name)");
    CU_ASSERT_PTR_NULL(r->select.items[0].hint);
    CU_ASSERT_EQUAL(r->select.items[0].join, REST_JOIN_DEFAULT);
}

static void test_spread(void)
{
    static const select_case cases[] = {
        {"select=id,...clients(name)", "id,...clients(name)"},
        {"select=...clients!fk!inner(name,id)", "...clients!h:fk!inner(name,id)"},
        {"select=...clients!left(a:name)", "...clients!left(a:name)"},
        {"select=a(...b(c))", "a(...b(c))"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_request *r = tu_ok("select=...clients(name)");
    CU_ASSERT_EQUAL(r->select.items[0].kind, REST_SELECT_SPREAD);
    CU_ASSERT_PTR_NULL(r->select.items[0].alias);
    ASSERT_STR(r->select.items[0].relation, "clients");
}

static void test_nested_three_deep(void)
{
    rest_request *r =
        tu_ok("select=id,p:projects!proj_fk!inner(name,tasks!left(title,t:tags!tag_fk(label,"
              "...owner!inner(name),data->>x::int)),clients(*)),other(id)");
    ASSERT_STR(tu_select(&r->select),
               "id,p:projects!h:proj_fk!inner(name,tasks!left(title,t:tags!h:tag_fk(label,"
               "...owner!inner(name),data->>x::int)),clients(*)),other(id)");
    rest_select_item *projects = &r->select.items[1];
    CU_ASSERT_EQUAL_FATAL(projects->children.count, 3);
    rest_select_item *tasks = &projects->children.items[1];
    CU_ASSERT_EQUAL(tasks->join, REST_JOIN_LEFT);
    rest_select_item *tags = &tasks->children.items[1];
    ASSERT_STR(tags->alias, "t");
    ASSERT_STR(tags->hint, "tag_fk");
    CU_ASSERT_EQUAL_FATAL(tags->children.count, 3);
    CU_ASSERT_EQUAL(tags->children.items[1].kind, REST_SELECT_SPREAD);
    ASSERT_STR(tags->children.items[2].cast, "int");
}

static void test_syntax_errors(void)
{
    ASSERT_BAD("select=a,,b", "empty item in select at position 3");
    ASSERT_BAD("select=,a", "empty item in select at position 1");
    ASSERT_BAD("select=a,", "trailing comma in select at position 2");
    ASSERT_BAD("select=clients(a,)", "trailing comma in select at position 10");
    ASSERT_BAD("select=clients(a", "unbalanced parenthesis in select at position 8");
    ASSERT_BAD("select=clients(", "unbalanced parenthesis in select at position 8");
    ASSERT_BAD("select=a)", "unbalanced parenthesis in select at position 2");
    ASSERT_BAD("select=clients(a))", "unbalanced parenthesis in select at position 11");
    ASSERT_BAD("select=clients(b(c)", "unbalanced parenthesis in select at position 8");
    ASSERT_BAD("select=name!hint", "expected '(' after embedding 'name' but found end of input");
    ASSERT_BAD("select=*!hint", "unexpected '!' after '*' in select at position 2");
    ASSERT_BAD("select=name::", "expected a type name after '::' but found end of input");
    ASSERT_BAD("select=name::int[]", "unexpected '[' after column 'name'");
    ASSERT_BAD("select=rel->a(*)", "unexpected '(' after the JSON path of 'rel'");
    ASSERT_BAD("select=data->", "expected a JSON key or array index after '->'");
    ASSERT_BAD("select=data->>\"\"", "empty JSON key after '->>'");
    ASSERT_BAD("select=x:...rel(*)", "a spread embedding cannot have an alias");
    ASSERT_BAD("select=x:*", "'*' cannot have an alias");
    ASSERT_BAD("select=clients!a!b(x)", "embedding 'clients' has two hints ('a' and 'b')");
    ASSERT_BAD("select=clients!inner!left(x)", "embedding 'clients' has two join types");
    ASSERT_BAD("select=clients!(x)", "expected an embedding hint, 'inner' or 'left'");
    ASSERT_BAD("select=\"\"", "empty quoted name in select at position 1");
    ASSERT_BAD("select=\"abc", "unterminated quoted value in select at position 1");
    ASSERT_BAD("select=a,\"b\\", "unterminated quoted value in select at position 3");
    ASSERT_BAD("select=a.b", "unexpected '.' in select at position 2");
    ASSERT_BAD("select=clients(a)b", "unexpected 'b' after embedding 'clients'");
    ASSERT_BAD("select=a:b:c", "unexpected ':' after column 'b'");
    ASSERT_BAD("select=...(a)", "expected a relation name after '...' but found '('");
    ASSERT_BAD("select=...", "expected a relation name after '...' but found end of input");
    ASSERT_BAD("select=...rel", "expected '(' after embedding 'rel'");
    ASSERT_BAD("select=a*", "unexpected '*' after column 'a'");
    ASSERT_BAD("select=:a", "expected a column or relation name but found ':'");
    rest_parse_error *e = tu_fail("select=a,,b");
    ASSERT_STR(e->details, "select=a,,b");
    CU_ASSERT_PTR_NULL(e->hint);
}

static void test_aggregates_refused(void)
{
    static const char *const queries[] = {
        "select=amount.sum()",  "select=amount.avg()",     "select=id.count()",
        "select=a.max()",       "select=a.min()",          "select=count()",
        "select=total:count()", "select=clients(count())", "select=a::int.sum()",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
        ASSERT_ERROR(tu_fail(queries[i]), 400, "PGRST123",
                     "Use of aggregate functions is not allowed");
    ASSERT_ERROR(tu_fail("select=x,amount.sum()"), 400, "PGRST123",
                 "('sum()' in select at position 10)");
}

static void test_embed_depth_limit(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_embed_depth = 3;
    rest_parse_input in = tu_input(REST_GET, "select=a(b(c(d)))");
    rest_request *r = tu_ok_in(&in, &limits);
    ASSERT_STR(tu_select(&r->select), "a(b(c(d)))");
    in = tu_input(REST_GET, "select=a(b(c(d(e))))");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "embedding depth exceeds the limit of 3 (max_embed_depth) in select at "
                 "position 8");
    limits.max_embed_depth = 0;
    in = tu_input(REST_GET, "select=a,b");
    tu_ok_in(&in, &limits);
    in = tu_input(REST_GET, "select=a()");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "limit of 0 (max_embed_depth)");
}

static void test_select_length_limit(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_select_length = 10;
    rest_parse_input in = tu_input(REST_GET, "select=abcdefghij");
    tu_ok_in(&in, &limits);
    in = tu_input(REST_GET, "select=abcdefghijk");
    rest_parse_error *e = tu_fail_in(&in, &limits);
    ASSERT_ERROR(e, 400, "PGRST100",
                 "select is 11 bytes long, more than the limit of 10 (max_select_length)");
}

void register_rest_parse_select_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: select");
    CU_add_test(s, "default is star", test_default_is_star);
    CU_add_test(s, "columns, aliases, casts", test_columns);
    CU_add_test(s, "JSON paths", test_json_paths);
    CU_add_test(s, "quoted names", test_quoted_names);
    CU_add_test(s, "embeddings", test_embeddings);
    CU_add_test(s, "spread", test_spread);
    CU_add_test(s, "nested three deep", test_nested_three_deep);
    CU_add_test(s, "syntax errors", test_syntax_errors);
    CU_add_test(s, "aggregates refused", test_aggregates_refused);
    CU_add_test(s, "embed depth limit", test_embed_depth_limit);
    CU_add_test(s, "select length limit", test_select_length_limit);
}
