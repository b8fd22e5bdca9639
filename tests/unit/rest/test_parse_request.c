/* The request as a whole: methods, reserved parameters (columns,
 * on_conflict, duplicates, quoted reserved words), ignored parameters, RPC
 * arguments over GET/HEAD, defaults, and a supabase-js-like request. */
#include "parse_test_util.h"

static void test_method_names(void)
{
    static const struct {
        const char *name;
        rest_method method;
    } known[] = {{"GET", REST_GET},     {"HEAD", REST_HEAD}, {"POST", REST_POST},
                 {"PATCH", REST_PATCH}, {"PUT", REST_PUT},   {"DELETE", REST_DELETE}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        rest_method m = REST_DELETE;
        CU_ASSERT_TRUE(rest_method_from_name(known[i].name, &m));
        CU_ASSERT_EQUAL(m, known[i].method);
    }
    rest_method m;
    CU_ASSERT_FALSE(rest_method_from_name("OPTIONS", &m));
    CU_ASSERT_FALSE(rest_method_from_name("get", &m));
    CU_ASSERT_FALSE(rest_method_from_name(NULL, &m));
}

static void test_default_limits(void)
{
    rest_limits l = rest_limits_default();
    CU_ASSERT_EQUAL(l.max_embed_depth, 16);
    CU_ASSERT_EQUAL(l.max_logic_depth, 16);
    CU_ASSERT_EQUAL(l.max_filters, 1000);
    CU_ASSERT_EQUAL(l.max_select_length, 65536);
}

static void test_empty_request(void)
{
    rest_parse_input in = {.method = REST_DELETE};
    rest_request *r = tu_ok_in(&in, NULL);
    CU_ASSERT_EQUAL(r->method, REST_DELETE);
    CU_ASSERT_FALSE(r->is_rpc);
    ASSERT_STR(tu_select(&r->select), "*");
    CU_ASSERT_EQUAL(r->filter_count, 0);
    CU_ASSERT_PTR_NULL(r->filters);
    CU_ASSERT_EQUAL(r->logic_count, 0);
    CU_ASSERT_EQUAL(r->order_count, 0);
    CU_ASSERT_EQUAL(r->embed_page_count, 0);
    CU_ASSERT_EQUAL(r->rpc_arg_count, 0);
    CU_ASSERT_FALSE(r->has_columns);
    CU_ASSERT_FALSE(r->has_on_conflict);
    CU_ASSERT_EQUAL(r->media, REST_MEDIA_JSON);
    CU_ASSERT_PTR_NULL(r->schema);
    /* a parameter whose value is NULL is taken as empty */
    query_param items[] = {{.key = "a", .value = NULL}};
    query_params q = {.items = items, .count = 1};
    in.query = &q;
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "missing operator");
}

static void test_columns_and_on_conflict(void)
{
    rest_parse_input in = tu_input(REST_POST, "columns=a,b,%20\"c%20d\"%20&on_conflict=id");
    rest_request *r = tu_ok_in(&in, NULL);
    CU_ASSERT_TRUE(r->has_columns);
    CU_ASSERT_EQUAL_FATAL(r->columns.count, 3);
    ASSERT_STR(r->columns.names[0], "a");
    ASSERT_STR(r->columns.names[1], "b");
    ASSERT_STR(r->columns.names[2], "c d");
    CU_ASSERT_TRUE(r->has_on_conflict);
    CU_ASSERT_EQUAL_FATAL(r->on_conflict.count, 1);
    ASSERT_STR(r->on_conflict.names[0], "id");
    r = tu_ok("on_conflict=a,b,a");
    CU_ASSERT_EQUAL(r->on_conflict.count, 3);
    ASSERT_BAD("columns=", "empty list of columns in columns");
    ASSERT_BAD("columns=a,,b", "empty item in columns at position 3");
    ASSERT_BAD("columns=a,", "trailing comma in columns at position 2");
    ASSERT_BAD("columns=a(b)", "unexpected '(' after column 'a' in columns at position 2");
    ASSERT_BAD("on_conflict=a->b", "unexpected '-'");
    ASSERT_BAD("on_conflict=", "empty list of columns in on_conflict");
    ASSERT_BAD("on_conflict=\"a", "unterminated quoted value in on_conflict at position 1");
}

static void test_duplicates_and_quoted_reserved(void)
{
    ASSERT_BAD("select=a&select=b", "duplicate parameter 'select'");
    ASSERT_BAD("columns=a&columns=b", "duplicate parameter 'columns'");
    ASSERT_BAD("on_conflict=a&on_conflict=b", "duplicate parameter 'on_conflict'");
    rest_request *r =
        tu_ok("\"select\"=eq.1&\"limit\"=eq.5&\"offset\"=eq.6&\"and\"=eq.7&rel.select=eq.2"
              "&order->x=eq.3&\"columns\"=eq.4");
    CU_ASSERT_EQUAL(r->filter_count, 7);
    CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
    ASSERT_STR(tu_filter(&r->filters[0]), "select=eq.1");
    ASSERT_STR(tu_filter(&r->filters[1]), "limit=eq.5");
    ASSERT_STR(tu_filter(&r->filters[4]), "rel.select=eq.2");
    ASSERT_STR(tu_filter(&r->filters[5]), "order->x=eq.3");
}

static void test_ignored_params(void)
{
    static const char *const ignored[] = {"apikey", "token"};
    rest_parse_input in = tu_input(REST_GET, "apikey=xyz&id=eq.1&token=abc");
    in.ignored_params = ignored;
    in.ignored_count = 2;
    rest_request *r = tu_ok_in(&in, NULL);
    CU_ASSERT_EQUAL(r->filter_count, 1);
    ASSERT_BAD("apikey=xyz", "missing operator: expected operator.value (for example eq.xyz) but "
                             "found 'xyz' in filter on 'apikey'");
}

static void test_rpc_arguments(void)
{
    rest_parse_input in = tu_input(REST_GET, "term=laptop&limit=10&id=eq.5&select=a&name=&n=1&n=2"
                                             "&x=in.bad&tags={a,b}&flag");
    in.is_rpc = true;
    rest_request *r = tu_ok_in(&in, NULL);
    CU_ASSERT_TRUE(r->is_rpc);
    CU_ASSERT_EQUAL_FATAL(r->rpc_arg_count, 7);
    static const char *const expected[][2] = {
        {"term", "laptop"}, {"name", ""},      {"n", "1"},  {"n", "2"},
        {"x", "in.bad"},    {"tags", "{a,b}"}, {"flag", ""}};
    for (size_t i = 0; i < 7; i++) {
        ASSERT_STR(r->rpc_args[i].name, expected[i][0]);
        ASSERT_STR(r->rpc_args[i].value, expected[i][1]);
    }
    CU_ASSERT_EQUAL_FATAL(r->filter_count, 1);
    ASSERT_STR(tu_filter(&r->filters[0]), "id=eq.5");
    CU_ASSERT_EQUAL(r->paging.limit, 10);
    ASSERT_STR(tu_select(&r->select), "a");

    in = tu_input(REST_HEAD, "term=laptop");
    in.is_rpc = true;
    CU_ASSERT_EQUAL(tu_ok_in(&in, NULL)->rpc_arg_count, 1);

    /* only plain names are arguments */
    in = tu_input(REST_GET, "a.b=1");
    in.is_rpc = true;
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "missing operator");
    in = tu_input(REST_GET, "data->x=1");
    in.is_rpc = true;
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "missing operator");

    /* POST /rpc takes its arguments from the body: the query holds filters */
    in = tu_input(REST_POST, "term=laptop");
    in.is_rpc = true;
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "in filter on 'term'");
    in = tu_input(REST_GET, "term=laptop"); /* a table, not a function */
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "in filter on 'term'");
}

static void test_rpc_arguments_do_not_count_as_filters(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_filters = 1;
    rest_parse_input in = tu_input(REST_GET, "a=1&b=2&c=3&id=eq.1");
    in.is_rpc = true;
    rest_request *r = tu_ok_in(&in, &limits);
    CU_ASSERT_EQUAL(r->rpc_arg_count, 3);
    in = tu_input(REST_GET, "a=1&id=eq.1&x=eq.2");
    in.is_rpc = true;
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "more than 1 (max_filters)");
}

static void test_supabase_js_like_request(void)
{
    rest_parse_input in =
        tu_input(REST_GET, "select=id,name,clients!inner(id,name)&name=ilike.*a*"
                           "&clients.name=eq.Acme&or=(status.eq.new,status.is.null)"
                           "&order=id.desc&limit=20&offset=40");
    in.prefer = "count=exact";
    in.accept = "application/vnd.pgrst.object+json";
    rest_request *r = tu_ok_in(&in, NULL);
    ASSERT_STR(tu_select(&r->select), "id,name,clients!inner(id,name)");
    CU_ASSERT_EQUAL_FATAL(r->filter_count, 2);
    ASSERT_STR(tu_filter(&r->filters[0]), "name=ilike.%a%");
    ASSERT_STR(tu_filter(&r->filters[1]), "clients.name=eq.Acme");
    ASSERT_STR(tu_logic(&r->logic[0].root), "or(status=eq.new,status=is.null)");
    ASSERT_STR(tu_order(&r->orders[0]), "id.desc");
    CU_ASSERT_EQUAL(r->paging.limit, 20);
    CU_ASSERT_EQUAL(r->paging.offset, 40);
    CU_ASSERT_EQUAL(r->prefer.count, REST_COUNT_EXACT);
    CU_ASSERT_EQUAL(r->media, REST_MEDIA_OBJECT);
}

static void test_first_error_wins(void)
{
    rest_parse_input in = tu_input(REST_GET, "a=eqq.1&select=a,,b");
    in.accept = "text/html";
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "unknown operator 'eqq'");
    in = tu_input(REST_GET, "a=eq.1");
    in.accept = "text/html";
    in.prefer = "handling=strict, nope";
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST122", "handling=strict");
}

void register_rest_parse_request_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: request");
    CU_add_test(s, "method names", test_method_names);
    CU_add_test(s, "default limits", test_default_limits);
    CU_add_test(s, "empty request", test_empty_request);
    CU_add_test(s, "columns and on_conflict", test_columns_and_on_conflict);
    CU_add_test(s, "duplicates and quoted reserved words", test_duplicates_and_quoted_reserved);
    CU_add_test(s, "ignored parameters", test_ignored_params);
    CU_add_test(s, "RPC arguments", test_rpc_arguments);
    CU_add_test(s, "RPC arguments are not filters", test_rpc_arguments_do_not_count_as_filters);
    CU_add_test(s, "supabase-js-like request", test_supabase_js_like_request);
    CU_add_test(s, "first error wins", test_first_error_wins);
}
