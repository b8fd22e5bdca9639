/* order=: directions, nulls placement, JSON paths, to-one embedding terms,
 * embedded rel.order=, quoting and each error. */
#include "parse_test_util.h"

static const char *only_order(const char *qs)
{
    rest_request *r = tu_ok(qs);
    CU_ASSERT_EQUAL_FATAL(r->order_count, 1);
    return tu_order(&r->orders[0]);
}

static void test_terms(void)
{
    ASSERT_STR(only_order("order=id"), "id");
    ASSERT_STR(only_order("order=id.asc"), "id.asc");
    ASSERT_STR(only_order("order=id.desc"), "id.desc");
    ASSERT_STR(only_order("order=id.nullsfirst"), "id.nullsfirst");
    ASSERT_STR(only_order("order=id.nullslast"), "id.nullslast");
    ASSERT_STR(only_order("order=id.asc.nullsfirst"), "id.asc.nullsfirst");
    ASSERT_STR(only_order("order=col.asc,col2.desc.nullslast,col3.nullsfirst"),
               "col.asc,col2.desc.nullslast,col3.nullsfirst");
    ASSERT_STR(only_order("order=%20a.asc%20,%20b%20"), "a.asc,b");
    ASSERT_STR(only_order("order=\"my%20col\".desc,\"a.b\""), "my col.desc,a.b");
    rest_order_term *t = &tu_ok("order=id.desc.nullslast")->orders[0].terms[0];
    CU_ASSERT_EQUAL(t->dir, REST_ORDER_DESC);
    CU_ASSERT_EQUAL(t->nulls, REST_NULLS_LAST);
    CU_ASSERT_PTR_NULL(t->relation);
    t = &tu_ok("order=id")->orders[0].terms[0];
    CU_ASSERT_EQUAL(t->dir, REST_ORDER_DEFAULT);
    CU_ASSERT_EQUAL(t->nulls, REST_NULLS_DEFAULT);
}

static void test_json_and_relations(void)
{
    ASSERT_STR(only_order("order=data->a->>b.desc"), "data->a->>b.desc");
    ASSERT_STR(only_order("order=data->0.asc,data->>\"x.y\""), "data->#0.asc,data->>x.y");
    ASSERT_STR(only_order("order=clients(name).desc.nullsfirst"), "clients(name).desc.nullsfirst");
    ASSERT_STR(only_order("order=clients(data->>x),id"), "clients(data->>x),id");
    ASSERT_STR(only_order("order=clients(%20name%20)"), "clients(name)");
    rest_order_term *t = &tu_ok("order=clients(name)")->orders[0].terms[0];
    ASSERT_STR(t->relation, "clients");
    ASSERT_STR(t->field.column, "name");
}

static void test_embedded(void)
{
    rest_request *r = tu_ok("clients.order=name.asc&clients.projects.order=id.desc&order=id");
    CU_ASSERT_EQUAL_FATAL(r->order_count, 3);
    ASSERT_STR(tu_order(&r->orders[0]), "clients.name.asc");
    ASSERT_STR(tu_order(&r->orders[1]), "clients.projects.id.desc");
    ASSERT_STR(tu_order(&r->orders[2]), "id");
    r = tu_ok("\"order\"=eq.1");
    CU_ASSERT_EQUAL(r->order_count, 0);
    CU_ASSERT_EQUAL(r->filter_count, 1);
}

static void test_errors(void)
{
    ASSERT_BAD("order=id.ac", "unknown order modifier 'ac' (expected asc, desc, nullsfirst or "
                              "nullslast) in order at position 4");
    ASSERT_BAD("order=id.descc", "unknown order modifier 'descc'");
    ASSERT_BAD("order=id.", "unknown order modifier ''");
    ASSERT_BAD("order=id.asc.nlsfst", "unknown order modifier 'nlsfst' (expected");
    ASSERT_BAD("order=id.nullslast.asc", "'asc' must be the first modifier and come only once");
    ASSERT_BAD("order=id.asc.desc", "'desc' must be the first modifier and come only once");
    ASSERT_BAD("order=id.nullsfirst.nullslast", "nulls order given twice in order at position 15");
    ASSERT_BAD("order=", "empty order in order");
    ASSERT_BAD("order=a,,b", "empty item in order at position 3");
    ASSERT_BAD("order=a,", "trailing comma in order at position 2");
    ASSERT_BAD("order=,a", "empty item in order at position 1");
    ASSERT_BAD("order=clients(name,id)",
               "expected ')' after the column of 'clients' but found ','");
    ASSERT_BAD("order=clients(name", "unbalanced parenthesis in order at position 8");
    ASSERT_BAD("order=clients()", "expected a column name but found ')'");
    ASSERT_BAD("order=a(b)c", "unexpected 'c' in the order of 'b'");
    ASSERT_BAD("order=a:b", "unexpected ':' in the order of 'a'");
    ASSERT_BAD("order=a->", "expected a JSON key or array index after '->'");
    ASSERT_BAD("order=a&order=b", "duplicate parameter 'order'");
    ASSERT_BAD("clients.order=a&clients.order=b", "duplicate parameter 'clients.order'");
    ASSERT_BAD("clients.order=a.up", "unknown order modifier 'up' (expected asc, desc, nullsfirst "
                                     "or nullslast) in clients.order at position 3");
    tu_ok("order=a&clients.order=b");
}

void register_rest_parse_order_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: order");
    CU_add_test(s, "terms", test_terms);
    CU_add_test(s, "JSON paths and relations", test_json_and_relations);
    CU_add_test(s, "embedded", test_embedded);
    CU_add_test(s, "errors", test_errors);
}
