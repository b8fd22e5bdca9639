/* Filters: every operator and its not. form, is values in any case, in
 * lists with PostgREST quoting, fts languages, quantifiers, like wildcards,
 * JSON paths and embed paths on the column side, and each error. */
#include "parse_test_util.h"

typedef struct filter_case {
    const char *qs;
    const char *expected; /* tu_filter rendering */
} filter_case;

static void check_cases(const filter_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rest_request *r = tu_ok(cases[i].qs);
        CU_ASSERT_EQUAL_FATAL(r->filter_count, 1);
        ASSERT_STR(tu_filter(&r->filters[0]), cases[i].expected);
    }
}

static void test_simple_operators(void)
{
    static const filter_case cases[] = {
        {"price=eq.10", "price=eq.10"},
        {"price=neq.10", "price=neq.10"},
        {"price=gt.10", "price=gt.10"},
        {"price=gte.10", "price=gte.10"},
        {"price=lt.10", "price=lt.10"},
        {"price=lte.10", "price=lte.10"},
        {"name=match.^A.*$", "name=match.^A.*$"},
        {"name=imatch.^a.*", "name=imatch.^a.*"},
        {"a=isdistinct.5", "a=isdistinct.5"},
        {"tags=cs.{a,b}", "tags=cs.{a,b}"},
        {"tags=cd.{a,b,c}", "tags=cd.{a,b,c}"},
        {"r=cd.[1,5)", "r=cd.[1,5)"},
        {"tags=ov.{1,2}", "tags=ov.{1,2}"},
        {"r=ov.(1,2)", "r=ov.(1,2)"},
        {"period=ov.[2017-01-01,2017-06-30]", "period=ov.[2017-01-01,2017-06-30]"},
        {"r=sl.(1,10)", "r=sl.(1,10)"},
        {"r=sr.(1,10)", "r=sr.(1,10)"},
        {"r=nxl.(1,10)", "r=nxl.(1,10)"},
        {"r=nxr.(1,10)", "r=nxr.(1,10)"},
        {"r=adj.(1,10)", "r=adj.(1,10)"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_request *r = tu_ok("price=gte.10");
    rest_condition *c = &r->filters[0].cond;
    CU_ASSERT_EQUAL(c->op, REST_OP_GTE);
    CU_ASSERT_FALSE(c->negated);
    CU_ASSERT_EQUAL(c->quantifier, REST_QUANT_NONE);
    CU_ASSERT_PTR_NULL(c->language);
    CU_ASSERT_PTR_NULL(c->list);
    ASSERT_STR(c->value, "10");
    CU_ASSERT_EQUAL(r->filters[0].path.count, 0);
}

static void test_every_operator_negated(void)
{
    static const char *const ops[] = {"eq",   "neq",   "gt",    "gte",    "lt",         "lte",
                                      "like", "ilike", "match", "imatch", "isdistinct", "cs",
                                      "cd",   "ov",    "sl",    "sr",     "nxl",        "nxr",
                                      "adj",  "fts",   "plfts", "phfts",  "wfts"};
    static const rest_operator expected[] = {
        REST_OP_EQ,   REST_OP_NEQ,   REST_OP_GT,    REST_OP_GTE,    REST_OP_LT,         REST_OP_LTE,
        REST_OP_LIKE, REST_OP_ILIKE, REST_OP_MATCH, REST_OP_IMATCH, REST_OP_ISDISTINCT, REST_OP_CS,
        REST_OP_CD,   REST_OP_OV,    REST_OP_SL,    REST_OP_SR,     REST_OP_NXL,        REST_OP_NXR,
        REST_OP_ADJ,  REST_OP_FTS,   REST_OP_PLFTS, REST_OP_PHFTS,  REST_OP_WFTS,
    };
    CU_ASSERT_EQUAL_FATAL(sizeof ops / sizeof *ops, sizeof expected / sizeof *expected);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        rest_request *r = tu_ok(arena_printf(tu_arena, "col=not.%s.v", ops[i]));
        CU_ASSERT_TRUE(r->filters[0].cond.negated);
        CU_ASSERT_EQUAL(r->filters[0].cond.op, expected[i]);
        ASSERT_STR(tu_filter(&r->filters[0]), arena_printf(tu_arena, "col=not.%s.v", ops[i]));
    }
    ASSERT_STR(tu_filter(&tu_ok("a=not.is.null")->filters[0]), "a=not.is.null");
    ASSERT_STR(tu_filter(&tu_ok("a=not.in.(1,2)")->filters[0]), "a=not.in.<1><2>");
    ASSERT_STR(tu_filter(&tu_ok("a=not.fts(english).cat")->filters[0]), "a=not.fts(english).cat");
    ASSERT_STR(tu_filter(&tu_ok("a=not.eq(any).{1,2}")->filters[0]), "a=not.eq(any).{1,2}");
}

static void test_like_wildcards(void)
{
    static const filter_case cases[] = {
        {"name=like.*smith*", "name=like.%smith%"},
        {"name=ilike.*SMITH", "name=ilike.%SMITH"},
        {"name=not.like.a*b*c", "name=not.like.a%b%c"},
        {"name=like.100%25", "name=like.100%"},
        {"name=like(any).{a*,*b}", "name=like(any).{a%,%b}"},
        {"name=ilike(all).{*x*}", "name=ilike(all).{%x%}"},
        {"name=match.a*", "name=match.a*"},
        {"name=eq.a*", "name=eq.a*"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_is_values(void)
{
    static const filter_case cases[] = {
        {"a=is.null", "a=is.null"},         {"a=is.NULL", "a=is.null"},
        {"a=is.Null", "a=is.null"},         {"a=is.not_null", "a=is.not_null"},
        {"a=is.NOT_NULL", "a=is.not_null"}, {"a=is.true", "a=is.true"},
        {"a=is.TRUE", "a=is.true"},         {"a=is.false", "a=is.false"},
        {"a=is.False", "a=is.false"},       {"a=is.unknown", "a=is.unknown"},
        {"a=is.UNKNOWN", "a=is.unknown"},   {"a=not.is.true", "a=not.is.true"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_condition *c = &tu_ok("a=is.not_null")->filters[0].cond;
    CU_ASSERT_EQUAL(c->op, REST_OP_IS);
    CU_ASSERT_EQUAL(c->is_value, REST_IS_NOT_NULL);
    CU_ASSERT_PTR_NULL(c->value);
}

static void test_in_lists(void)
{
    static const filter_case cases[] = {
        {"id=in.(1,2,3)", "id=in.<1><2><3>"},
        {"s=in.(a,\"b,c\",\"d\\\"e\")", "s=in.<a><b,c><d\"e>"},
        {"s=in.(\"a(b)\",c)", "s=in.<a(b)><c>"},
        {"s=in.(\"a\\\\b\")", "s=in.<a\\b>"},
        {"id=in.()", "id=in."},
        {"id=in.(%20)", "id=in."},
        {"id=in.(\"\")", "id=in.<>"},
        {"id=in.(a,)", "id=in.<a><>"},
        {"id=in.(,)", "id=in.<><>"},
        {"id=in.(a,%20b%20)", "id=in.<a>< b >"},
        {"id=in.%20(1)%20", "id=in.<1>"},
        {"s=in.(\"a\"b,c)", "s=in.<\"a\"b><c>"},
        {"s=in.(日本,é)", "s=in.<日本><é>"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_condition *c = &tu_ok("id=in.()")->filters[0].cond;
    CU_ASSERT_EQUAL(c->op, REST_OP_IN);
    CU_ASSERT_EQUAL(c->list_count, 0);
    c = &tu_ok("id=in.(\"\")")->filters[0].cond;
    CU_ASSERT_EQUAL_FATAL(c->list_count, 1);
    ASSERT_STR(c->list[0], "");
}

static void test_full_text_search(void)
{
    static const filter_case cases[] = {
        {"tsv=fts.cat", "tsv=fts.cat"},
        {"tsv=fts(english).cat", "tsv=fts(english).cat"},
        {"tsv=plfts.fat%20cats", "tsv=plfts.fat cats"},
        {"tsv=plfts(english).fat%20cats", "tsv=plfts(english).fat cats"},
        {"tsv=phfts(english).the%20cat", "tsv=phfts(english).the cat"},
        {"tsv=wfts(french).chat%20-chien", "tsv=wfts(french).chat -chien"},
        {"tsv=fts(%20english%20).x", "tsv=fts(english).x"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_condition *c = &tu_ok("tsv=wfts(simple).x")->filters[0].cond;
    CU_ASSERT_EQUAL(c->op, REST_OP_WFTS);
    ASSERT_STR(c->language, "simple");
    CU_ASSERT_PTR_NULL(tu_ok("tsv=fts.x")->filters[0].cond.language);
}

static void test_quantifiers(void)
{
    static const filter_case cases[] = {
        {"a=eq(any).{1,2}", "a=eq(any).{1,2}"},     {"a=eq(all).{1,2}", "a=eq(all).{1,2}"},
        {"a=gt(any).{1}", "a=gt(any).{1}"},         {"a=gte(all).{1}", "a=gte(all).{1}"},
        {"a=lt(any).{1}", "a=lt(any).{1}"},         {"a=lte(any).{1}", "a=lte(any).{1}"},
        {"a=match(any).{^a}", "a=match(any).{^a}"}, {"a=imatch(all).{^a}", "a=imatch(all).{^a}"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_values_stay_text(void)
{
    static const filter_case cases[] = {
        {"a=eq.1.5", "a=eq.1.5"},
        {"a=eq.", "a=eq."},
        {"a=eq.(x),y", "a=eq.(x),y"},
        {"a=eq.%27%3B%20DROP%20TABLE%20x%3B--", "a=eq.'; DROP TABLE x;--"},
        {"a=eq.back\\slash", "a=eq.back\\slash"},
        {"a=eq.\"quoted\"", "a=eq.\"quoted\""},
        {"a=eq.not.eq.1", "a=eq.not.eq.1"},
        {"a=eq.日本語", "a=eq.日本語"},
        {"a=eq.%20spaces%20", "a=eq. spaces "},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
}

static void test_column_side(void)
{
    static const filter_case cases[] = {
        {"data->>k=eq.v", "data->>k=eq.v"},
        {"data->a->0=eq.1", "data->a->#0=eq.1"},
        {"data->a->>-1=is.null", "data->a->>#-1=is.null"},
        {"clients.name=eq.x", "clients.name=eq.x"},
        {"clients.projects.id=gt.5", "clients.projects.id=gt.5"},
        {"clients.data->>k=like.a*", "clients.data->>k=like.a%"},
        {"\"a.b\"=eq.1", "a.b=eq.1"},
        {"\"my%20rel\".\"col%20x\"=eq.1", "my rel.col x=eq.1"},
        {"not=eq.1", "not=eq.1"},
        {"%20name%20=eq.1", "name=eq.1"},
    };
    check_cases(cases, sizeof cases / sizeof *cases);
    rest_filter *f = &tu_ok("a.b.c=eq.1")->filters[0];
    CU_ASSERT_EQUAL_FATAL(f->path.count, 2);
    ASSERT_STR(f->path.names[0], "a");
    ASSERT_STR(f->path.names[1], "b");
    ASSERT_STR(f->field.column, "c");
}

static void test_repeated_and_ordered(void)
{
    rest_request *r = tu_ok("price=gte.10&price=lte.200&active=eq.true&clients.id=eq.1");
    CU_ASSERT_EQUAL_FATAL(r->filter_count, 4);
    ASSERT_STR(tu_filter(&r->filters[0]), "price=gte.10");
    ASSERT_STR(tu_filter(&r->filters[1]), "price=lte.200");
    ASSERT_STR(tu_filter(&r->filters[2]), "active=eq.true");
    ASSERT_STR(tu_filter(&r->filters[3]), "clients.id=eq.1");
}

static void test_operator_errors(void)
{
    rest_parse_error *e = tu_fail("price=eqq.5");
    ASSERT_ERROR(e, 400, "PGRST100", "unknown operator 'eqq' in filter on 'price'");
    ASSERT_STR(e->details, "price=eqq.5");
    CU_ASSERT(tu_contains(e->hint, "Operators: eq, neq"));
    ASSERT_BAD("price=not.eqq.5", "unknown operator 'eqq' in filter on 'price'");
    ASSERT_BAD("price=not.not.eq.5", "unknown operator 'not' in filter on 'price'");
    ASSERT_BAD("price=EQ.5", "unknown operator 'EQ'");
    ASSERT_BAD("price=5",
               "missing operator: expected operator.value (for example eq.5) but found '5' in "
               "filter on 'price'");
    ASSERT_BAD("price=", "missing operator");
    ASSERT_BAD("price=not.", "missing operator");
    ASSERT_BAD("price=eq", "expected '.' and a value after operator 'eq' but found end of input "
                           "in filter on 'price' at position 3");
    ASSERT_BAD("price=eq,5", "expected '.' and a value after operator 'eq' but found ','");
    ASSERT_BAD("a=is.nul", "invalid value 'nul' for operator 'is' (expected null, not_null, "
                           "true, false or unknown) in filter on 'a' at position 4");
    ASSERT_BAD("a=is.null%20", "invalid value 'null ' for operator 'is'");
    ASSERT_BAD("a=is.", "invalid value '' for operator 'is'");
    ASSERT_BAD("a=in.1,2", "expected '(' to start the list of 'in' but found '1'");
    ASSERT_BAD("a=in.(1,2", "unbalanced parenthesis: the list of 'in' is never closed in filter "
                            "on 'a' at position 4");
    ASSERT_BAD("a=in.(1,2)x", "unexpected 'x' after the list of 'in'");
    ASSERT_BAD("a=in.(1))", "unexpected ')' after the list of 'in'");
    ASSERT_BAD("a=in.(\"abc", "unterminated quoted value in filter on 'a' at position 5");
    ASSERT_BAD("a=in.(\"abc\\", "unterminated quoted value");
    ASSERT_BAD("a=eq(some).x", "expected (any) or (all) after operator 'eq'");
    ASSERT_BAD("a=eq(any.x", "expected (any) or (all) after operator 'eq'");
    ASSERT_BAD("a=neq(any).x", "operator 'neq' takes no modifier in parentheses");
    ASSERT_BAD("a=in(any).(1)", "operator 'in' takes no modifier in parentheses");
    ASSERT_BAD("a=is(any).null", "operator 'is' takes no modifier in parentheses");
    ASSERT_BAD("a=fts(eng-lish).x", "expected ')' after the language of 'fts' but found '-'");
    ASSERT_BAD("a=fts().x", "expected a text search language but found ')'");
    ASSERT_BAD("a=fts(english)x", "expected '.' and a value after operator 'fts' but found 'x'");
}

static void test_key_errors(void)
{
    ASSERT_BAD("a..b=eq.1", "expected a name but found '.' in parameter name 'a..b' at position 3");
    ASSERT_BAD(".a=eq.1", "expected a name but found '.' in parameter name '.a' at position 1");
    ASSERT_BAD("a.=eq.1", "expected a name but found end of input in parameter name 'a.'");
    ASSERT_BAD("=eq.1", "expected a name but found end of input in parameter name ''");
    ASSERT_BAD("a->=eq.1", "expected a JSON key or array index after '->'");
    ASSERT_BAD("a(b)=eq.1", "unexpected '(' in parameter name 'a(b)' at position 2");
    ASSERT_BAD("\"a=eq.1", "unterminated quoted value in parameter name");
    ASSERT_BAD("a->b.c=eq.1", "unexpected '.' in parameter name 'a->b.c' at position 5");
}

void register_rest_parse_filter_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: filters");
    CU_add_test(s, "simple operators", test_simple_operators);
    CU_add_test(s, "every operator negated", test_every_operator_negated);
    CU_add_test(s, "like wildcards", test_like_wildcards);
    CU_add_test(s, "is values", test_is_values);
    CU_add_test(s, "in lists", test_in_lists);
    CU_add_test(s, "full-text search", test_full_text_search);
    CU_add_test(s, "quantifiers", test_quantifiers);
    CU_add_test(s, "values stay text", test_values_stay_text);
    CU_add_test(s, "column side: JSON and embed paths", test_column_side);
    CU_add_test(s, "repeated keys keep order", test_repeated_and_ordered);
    CU_add_test(s, "operator errors", test_operator_errors);
    CU_add_test(s, "key errors", test_key_errors);
}
