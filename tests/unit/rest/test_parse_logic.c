/* Logic trees: or / and / not.or / not.and, nesting, quoted values with
 * commas and parentheses, arrays, every kind of condition inside, embedded
 * trees, columns called and/or/not, the depth limit and each error. */
#include "parse_test_util.h"

static const char *only_tree(const char *qs)
{
    rest_request *r = tu_ok(qs);
    CU_ASSERT_EQUAL_FATAL(r->logic_count, 1);
    CU_ASSERT_EQUAL(r->filter_count, 0);
    return tu_logic(&r->logic[0].root);
}

static void test_top_level_forms(void)
{
    ASSERT_STR(only_tree("or=(a.eq.1,b.eq.2)"), "or(a=eq.1,b=eq.2)");
    ASSERT_STR(only_tree("and=(a.gte.1,a.lte.5)"), "and(a=gte.1,a=lte.5)");
    ASSERT_STR(only_tree("not.or=(a.eq.1,b.eq.2)"), "not.or(a=eq.1,b=eq.2)");
    ASSERT_STR(only_tree("not.and=(a.eq.1)"), "not.and(a=eq.1)");
    ASSERT_STR(only_tree("or=(%20a.eq.1,%20b.eq.2)"), "or(a=eq.1,b=eq.2)");
    ASSERT_STR(only_tree("or=%20(a.eq.1)%20"), "or(a=eq.1)");
    rest_request *r = tu_ok("not.and=(a.eq.1)");
    rest_logic_node *root = &r->logic[0].root;
    CU_ASSERT_FALSE(root->is_condition);
    CU_ASSERT_TRUE(root->negated);
    CU_ASSERT_EQUAL(root->op, REST_LOGIC_AND);
    CU_ASSERT_EQUAL(root->child_count, 1);
    CU_ASSERT_TRUE(root->children[0].is_condition);
    CU_ASSERT_EQUAL(r->logic[0].path.count, 0);
}

static void test_nested(void)
{
    ASSERT_STR(only_tree("or=(a.eq.1,and(b.gt.2,c.lt.3))"), "or(a=eq.1,and(b=gt.2,c=lt.3))");
    ASSERT_STR(only_tree("or=(a.eq.1,not.and(b.gt.2,or(c.is.null,d.in.(1,2))))"),
               "or(a=eq.1,not.and(b=gt.2,or(c=is.null,d=in.<1><2>)))");
    ASSERT_STR(only_tree("and=(or(a.eq.1,b.eq.2),not.or(c.eq.3,d.eq.4))"),
               "and(or(a=eq.1,b=eq.2),not.or(c=eq.3,d=eq.4))");
    ASSERT_STR(only_tree("or=(and%20(a.eq.1))"), "or(and(a=eq.1))");
}

static void test_conditions_inside(void)
{
    ASSERT_STR(only_tree("or=(a.not.eq.1,b.not.in.(1,2),c.is.NOT_NULL,d.isdistinct.x)"),
               "or(a=not.eq.1,b=not.in.<1><2>,c=is.not_null,d=isdistinct.x)");
    ASSERT_STR(only_tree("or=(name.like.*a*,name.ilike.B*,name.match.^x*)"),
               "or(name=like.%a%,name=ilike.B%,name=match.^x*)");
    ASSERT_STR(only_tree("or=(tsv.fts(english).cat,tsv.plfts.dog,tsv.not.wfts(simple).x)"),
               "or(tsv=fts(english).cat,tsv=plfts.dog,tsv=not.wfts(simple).x)");
    ASSERT_STR(only_tree("or=(tags.cs.{a,b},tags.ov.{c},tags.cd.{})"),
               "or(tags=cs.{a,b},tags=ov.{c},tags=cd.{})");
    ASSERT_STR(only_tree("or=(a.eq(any).{1,2},b.like(all).{x*})"),
               "or(a=eq(any).{1,2},b=like(all).{x%})");
    ASSERT_STR(only_tree("or=(data->>k.eq.v,data->a->0.gt.1)"),
               "or(data->>k=eq.v,data->a->#0=gt.1)");
    ASSERT_STR(only_tree("or=(a.in.(1,\"2,3\"),b.eq.x)"), "or(a=in.<1><2,3>,b=eq.x)");
    ASSERT_STR(only_tree("or=(r.sl.\"(1,10)\",r.adj.\"[1,2)\")"), "or(r=sl.(1,10),r=adj.[1,2))");
    ASSERT_STR(only_tree("or=(name.eq.日本,name.eq.)"), "or(name=eq.日本,name=eq.)");
    ASSERT_STR(only_tree("or=(a.eq.1%20,b.eq.2)"), "or(a=eq.1 ,b=eq.2)");
}

static void test_quoted_values(void)
{
    rest_request *r = tu_ok(
        "or=(name.eq.\"a,b\",name.eq.\"(x)\",name.eq.\"q\\\"uote\",name.eq.\"\",name.eq.\"a\"b)");
    rest_logic_node *root = &r->logic[0].root;
    CU_ASSERT_EQUAL_FATAL(root->child_count, 5);
    ASSERT_STR(root->children[0].cond.value, "a,b");
    ASSERT_STR(root->children[1].cond.value, "(x)");
    ASSERT_STR(root->children[2].cond.value, "q\"uote");
    ASSERT_STR(root->children[3].cond.value, "");
    ASSERT_STR(root->children[4].cond.value, "\"a\"b"); /* not followed by , or ): plain */
}

static void test_columns_named_like_keywords(void)
{
    ASSERT_STR(only_tree("or=(and.eq.1,or.eq.2,not.eq.3)"), "or(and=eq.1,or=eq.2,not=eq.3)");
    ASSERT_STR(only_tree("or=(\"and\".eq.1)"), "or(and=eq.1)");
    ASSERT_STR(only_tree("or=(android.eq.1,order.eq.2)"), "or(android=eq.1,order=eq.2)");
}

static void test_embedded_and_repeated(void)
{
    rest_request *r = tu_ok("clients.or=(a.eq.1,b.eq.2)&clients.projects.not.and=(c.eq.3)"
                            "&or=(x.eq.1)&or=(y.eq.2)");
    CU_ASSERT_EQUAL_FATAL(r->logic_count, 4);
    ASSERT_STR(tu_path(&r->logic[0].path), "clients.");
    ASSERT_STR(tu_logic(&r->logic[0].root), "or(a=eq.1,b=eq.2)");
    ASSERT_STR(tu_path(&r->logic[1].path), "clients.projects.");
    ASSERT_STR(tu_logic(&r->logic[1].root), "not.and(c=eq.3)");
    ASSERT_STR(tu_path(&r->logic[2].path), "");
    ASSERT_STR(tu_logic(&r->logic[3].root), "or(y=eq.2)");
    /* a quoted last name is a column, not a logic operator */
    r = tu_ok("\"or\"=eq.1");
    CU_ASSERT_EQUAL(r->logic_count, 0);
    CU_ASSERT_EQUAL(r->filter_count, 1);
    /* a JSON path makes it a filter too */
    r = tu_ok("or->a=eq.1");
    CU_ASSERT_EQUAL(r->logic_count, 0);
    ASSERT_STR(tu_filter(&r->filters[0]), "or->a=eq.1");
}

static void test_errors(void)
{
    ASSERT_BAD("or=()", "empty logic tree in logic tree 'or' at position 1");
    ASSERT_BAD("or=(a.eq.1,and())", "empty logic tree in logic tree 'or' at position 12");
    ASSERT_BAD("or=(a.eq.1", "unbalanced parenthesis in logic tree 'or' at position 1");
    ASSERT_BAD("or=(a.eq.1,and(b.eq.2)", "unbalanced parenthesis in logic tree 'or' at position 1");
    ASSERT_BAD("or=(a.eq.1,and(b.eq.2", "unbalanced parenthesis in logic tree 'or' at position 12");
    ASSERT_BAD("or=(a.eq.1))", "unbalanced parenthesis in logic tree 'or' at position 9");
    ASSERT_BAD("or=a.eq.1", "expected '(' to start the logic tree but found 'a'");
    ASSERT_BAD("or=", "expected '(' to start the logic tree but found end of input");
    ASSERT_BAD("or=(a.eq.1,)", "trailing comma in logic tree 'or' at position 8");
    ASSERT_BAD("or=(a.eq.1,,b.eq.2)", "empty condition in logic tree 'or' at position 9");
    ASSERT_BAD("or=(,a.eq.1)", "empty condition in logic tree 'or' at position 2");
    ASSERT_BAD("or=(a.eqq.1)", "unknown operator 'eqq' on 'a' in logic tree 'or' at position 4");
    ASSERT_BAD("not.or=(a.eqq.1)", "unknown operator 'eqq' on 'a' in logic tree 'not.or'");
    ASSERT_BAD("or=(a.1)", "unknown operator '1' on 'a'");
    ASSERT_BAD("or=(a)", "expected '.' and an operator after 'a' but found ')'");
    ASSERT_BAD("or=(xor(a.eq.1))", "expected '.' and an operator after 'xor' but found '('");
    ASSERT_BAD("or=(id.in.1,2,id.eq.3)", "expected '(' to start the list of 'in' but found '1'");
    ASSERT_BAD("or=(a.in.(1,2)x)", "unexpected 'x' after the list of 'in'");
    ASSERT_BAD("or=(a.eq.\"x)", "unterminated quoted value in logic tree 'or' at position 7");
    ASSERT_BAD("or=(a.cs.{1,2)", "unterminated array value: '{' is never closed");
    ASSERT_BAD("or=(a.cs.{1}x)", "unexpected 'x' (expected ',' or ')')");
    ASSERT_BAD("or=(a.eq.1)x", "unexpected 'x' after the logic tree");
    ASSERT_BAD("or=(a.is.maybe)", "invalid value 'maybe' for operator 'is'");
    ASSERT_BAD("or=(a.eq.1,not.xor(b.eq.2))", "unknown operator 'xor' on 'not'");
    rest_parse_error *e = tu_fail("or=(a.eqq.1)");
    ASSERT_STR(e->details, "or=(a.eqq.1)");
}

static void test_depth_limit(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_logic_depth = 2;
    rest_parse_input in = tu_input(REST_GET, "or=(a.eq.1,and(b.eq.1,not.or(c.eq.1)))");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "logic tree depth exceeds the limit of 2 (max_logic_depth) in logic tree 'or' "
                 "at position 26");
    in = tu_input(REST_GET, "or=(a.eq.1,and(b.eq.1,c.eq.1))");
    ASSERT_STR(tu_logic(&tu_ok_in(&in, &limits)->logic[0].root), "or(a=eq.1,and(b=eq.1,c=eq.1))");
    limits.max_logic_depth = 0;
    in = tu_input(REST_GET, "or=(a.eq.1)");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "limit of 0 (max_logic_depth)");
}

static void test_conditions_count_as_filters(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_filters = 3;
    rest_parse_input in = tu_input(REST_GET, "or=(a.eq.1,b.eq.2)&c=eq.3");
    tu_ok_in(&in, &limits);
    in = tu_input(REST_GET, "or=(a.eq.1,and(b.eq.2,c.eq.3))&d=eq.4");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "too many filters: more than 3 (max_filters)");
    in = tu_input(REST_GET, "or=(a.eq.1,b.eq.2,c.eq.3,d.eq.4)");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "(max_filters)");
}

void register_rest_parse_logic_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: logic trees");
    CU_add_test(s, "top-level forms", test_top_level_forms);
    CU_add_test(s, "nested", test_nested);
    CU_add_test(s, "conditions inside", test_conditions_inside);
    CU_add_test(s, "quoted values", test_quoted_values);
    CU_add_test(s, "columns named like keywords", test_columns_named_like_keywords);
    CU_add_test(s, "embedded and repeated", test_embedded_and_repeated);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "depth limit", test_depth_limit);
    CU_add_test(s, "conditions count as filters", test_conditions_count_as_filters);
}
