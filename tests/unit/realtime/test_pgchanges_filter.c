/* postgres_changes bindings: parsing (events, schema/table defaults,
 * filters with several conditions and their errors) and matching (every
 * operator, not., typed values, missing and null columns). */
#include "core/utf8.h"
#include "realtime/pgchanges_filter.h"
#include "realtime/pgchanges_regex.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

void register_realtime_pgchanges_filter_tests(void);

static bool parse(const char *json, pgc_binding *out, char *why)
{
    json_object *b = json_tokener_parse(json);
    bool ok = pgc_binding_parse(b, 7, out, why, 300);
    json_object_put(b);
    return ok;
}

/* Does {"col": value_json} pass filter? */
static bool passes(const char *filter, const char *value_json)
{
    char json[256], why[300], row_text[256];
    snprintf(json, sizeof(json), "{\"event\":\"*\",\"table\":\"t\",\"filter\":\"%s\"}", filter);
    pgc_binding b;
    CU_ASSERT_TRUE_FATAL(parse(json, &b, why));
    snprintf(row_text, sizeof(row_text), "{\"c\":%s}", value_json);
    json_object *row = json_tokener_parse(row_text);
    bool ok = pgc_filter_passes(&b, row);
    json_object_put(row);
    pgc_binding_clear(&b);
    return ok;
}

static void test_parse(void)
{
    pgc_binding b;
    char why[300];
    CU_ASSERT_TRUE(parse("{\"event\":\"insert\",\"table\":\"t\"}", &b, why));
    CU_ASSERT_EQUAL(b.events, PGC_INSERT);
    CU_ASSERT_STRING_EQUAL(b.schema, "public");
    CU_ASSERT_STRING_EQUAL(b.table, "t");
    CU_ASSERT_EQUAL(b.nconds, 0);
    CU_ASSERT_EQUAL(b.id, 7);
    CU_ASSERT_TRUE(pgc_binding_wants(&b, "public", "t", PGC_INSERT));
    CU_ASSERT_FALSE(pgc_binding_wants(&b, "public", "t", PGC_DELETE));
    CU_ASSERT_FALSE(pgc_binding_wants(&b, "public", "u", PGC_INSERT));
    pgc_binding_clear(&b);
    CU_ASSERT_TRUE(parse("{\"event\":\"*\",\"schema\":\"app\"}", &b, why));
    CU_ASSERT_EQUAL(b.events, PGC_ALL);
    CU_ASSERT_PTR_NULL(b.table);
    CU_ASSERT_TRUE(pgc_binding_wants(&b, "app", "anything", PGC_UPDATE));
    CU_ASSERT_FALSE(pgc_binding_wants(&b, "public", "anything", PGC_UPDATE));
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"TRUNCATE\",\"table\":\"t\"}", &b, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "event must be"));
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"id=foo.3\"}", &b, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Error parsing `filter` params"));
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"id\"}", &b, why));
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"id=in.1,2\"}", &b, why));
    pgc_binding_clear(&b);
    CU_ASSERT_TRUE(
        parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"c=in.(1,\\\"a,b\\\",x)\"}", &b, why));
    CU_ASSERT_EQUAL_FATAL(b.nconds, 1);
    CU_ASSERT_EQUAL_FATAL(b.conds[0].nvalues, 3);
    CU_ASSERT_STRING_EQUAL(b.conds[0].values[1], "a,b");
    pgc_binding_clear(&b);
    /* conditions ANDed; commas inside parentheses and quotes do not split */
    CU_ASSERT_TRUE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":"
                         "\"a=in.(1,2),b=eq.\\\"x,y\\\",c=not.is.null\"}",
                         &b, why));
    CU_ASSERT_EQUAL_FATAL(b.nconds, 3);
    CU_ASSERT_STRING_EQUAL(b.conds[1].values[0], "x,y");
    CU_ASSERT_TRUE(b.conds[2].negate);
    json_object *row = json_tokener_parse("{\"a\":2,\"b\":\"x,y\",\"c\":0}");
    CU_ASSERT_TRUE(pgc_filter_passes(&b, row));
    json_object_put(row);
    row = json_tokener_parse("{\"a\":3,\"b\":\"x,y\",\"c\":0}");
    CU_ASSERT_FALSE(pgc_filter_passes(&b, row));
    json_object_put(row);
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"c=is.maybe\"}", &b, why));
    pgc_binding_clear(&b);
    CU_ASSERT_FALSE(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"c=match.(\"}", &b, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "regular expression"));
    pgc_binding_clear(&b);
}

static void test_operators(void)
{
    CU_ASSERT_TRUE(passes("c=eq.5", "5"));
    CU_ASSERT_TRUE(passes("c=eq.5", "5.0"));
    CU_ASSERT_FALSE(passes("c=eq.5", "6"));
    CU_ASSERT_TRUE(passes("c=neq.5", "6"));
    CU_ASSERT_FALSE(passes("c=neq.5", "5"));
    CU_ASSERT_TRUE(passes("c=lt.10", "9"));
    CU_ASSERT_FALSE(passes("c=lt.10", "10"));
    CU_ASSERT_TRUE(passes("c=lte.10", "10"));
    CU_ASSERT_TRUE(passes("c=gt.10", "11"));
    CU_ASSERT_FALSE(passes("c=gt.10", "9")); /* numerically, not as text */
    CU_ASSERT_TRUE(passes("c=gte.10", "10"));
    CU_ASSERT_TRUE(passes("c=in.(1,2,3)", "2"));
    CU_ASSERT_FALSE(passes("c=in.(1,2,3)", "4"));
    CU_ASSERT_TRUE(passes("c=eq.abc", "\"abc\""));
    CU_ASSERT_TRUE(passes("c=lt.b", "\"a\""));
    CU_ASSERT_TRUE(passes("c=eq.true", "true"));
    CU_ASSERT_FALSE(passes("c=eq.true", "false"));
    CU_ASSERT_FALSE(passes("c=eq.maybe", "true"));
    CU_ASSERT_FALSE(passes("c=eq.5", "null"));  /* null never matches */
    CU_ASSERT_FALSE(passes("c=neq.5", "null")); /* as in SQL */
    CU_ASSERT_FALSE(passes("c=eq.5", "\"5x\""));
    CU_ASSERT_TRUE(passes("c=like.ab%", "\"abc\""));
    CU_ASSERT_TRUE(passes("c=like.a_c", "\"abc\""));
    CU_ASSERT_FALSE(passes("c=like.ab%", "\"xabc\""));
    CU_ASSERT_FALSE(passes("c=like.AB%", "\"abc\""));
    CU_ASSERT_TRUE(passes("c=ilike.AB%", "\"abc\""));
    CU_ASSERT_TRUE(passes("c=like.%b%", "\"abc\""));
    CU_ASSERT_TRUE(passes("c=is.null", "null"));
    CU_ASSERT_FALSE(passes("c=is.null", "1"));
    CU_ASSERT_TRUE(passes("c=not.is.null", "1"));
    CU_ASSERT_TRUE(passes("c=is.true", "true"));
    CU_ASSERT_FALSE(passes("c=is.false", "true"));
    CU_ASSERT_TRUE(passes("c=match.^a[0-9]+$", "\"a12\""));
    CU_ASSERT_FALSE(passes("c=match.^a[0-9]+$", "\"A12\""));
    CU_ASSERT_TRUE(passes("c=imatch.^a[0-9]+$", "\"A12\""));
    CU_ASSERT_TRUE(passes("c=isdistinct.5", "null"));
    CU_ASSERT_TRUE(passes("c=isdistinct.5", "6"));
    CU_ASSERT_FALSE(passes("c=isdistinct.5", "5"));
    CU_ASSERT_TRUE(passes("c=not.eq.5", "6"));
    CU_ASSERT_FALSE(passes("c=not.eq.5", "5"));
    CU_ASSERT_FALSE(passes("c=not.eq.5", "null")); /* not of unknown is unknown */
    CU_ASSERT_TRUE(passes("c=not.in.(1,2)", "3"));
}

static void test_missing_column(void)
{
    pgc_binding b;
    char why[300];
    CU_ASSERT_TRUE_FATAL(parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"x=eq.1\"}", &b, why));
    json_object *row = json_tokener_parse("{\"id\":1}");
    CU_ASSERT_FALSE(pgc_filter_passes(&b, row));
    CU_ASSERT_FALSE(pgc_filter_passes(&b, NULL));
    json_object_put(row);
    pgc_binding_clear(&b);
}

/* LIKE as SQL has it, and in at most length(s) x length(p) steps: a
 * pattern of many %s on a long value answers at once (a recursive matcher
 * retried exponentially and stalled the daemon's loop). */
static void test_like(void)
{
    CU_ASSERT_TRUE(passes("c=like.%", "\"\""));
    CU_ASSERT_FALSE(passes("c=like._", "\"\""));
    CU_ASSERT_TRUE(passes("c=like.a%b%c", "\"aXbYbc\""));
    CU_ASSERT_FALSE(passes("c=like.a%b%c", "\"aXbYbcd\""));
    CU_ASSERT_TRUE(passes("c=like.%%a%%", "\"xay\""));
    CU_ASSERT_TRUE(passes("c=like.a\\\\%", "\"a%\""));
    CU_ASSERT_FALSE(passes("c=like.a\\\\%", "\"ab\""));
    CU_ASSERT_TRUE(passes("c=like.a\\\\_", "\"a_\""));
    CU_ASSERT_FALSE(passes("c=like.a\\\\_", "\"ab\""));
    CU_ASSERT_TRUE(passes("c=like.caf_", "\"caf\u00e9\"")); /* _ is one character */
    CU_ASSERT_TRUE(passes("c=like.%\u00e9", "\"caf\u00e9\""));
    CU_ASSERT_FALSE(passes("c=like.ca_", "\"caf\u00e9\""));
    CU_ASSERT_TRUE(passes("c=ilike.%B_D", "\"xxabcd\""));
    char filter[64] = "c=like.", row[200012];
    for (int i = 0; i < 12; i++)
        strcat(filter, "%a");
    strcat(filter, "%b");
    row[0] = '"';
    memset(row + 1, 'a', 200000);
    strcpy(row + 200001, "\"");
    json_object *r = json_object_new_object();
    json_object_object_add(r, "c", json_object_new_string_len(row + 1, 200000));
    pgc_binding b;
    char why[300], json[200];
    snprintf(json, sizeof(json), "{\"event\":\"*\",\"table\":\"t\",\"filter\":\"%s\"}", filter);
    CU_ASSERT_TRUE_FATAL(parse(json, &b, why));
    CU_ASSERT_FALSE(pgc_filter_passes(&b, r));
    pgc_binding_clear(&b);
    json_object_put(r);
}

/* select: sorted, compared as sets, refused when not a list of names */
static void test_select(void)
{
    pgc_binding a, b;
    char why[300];
    CU_ASSERT_TRUE(parse("{\"event\":\"*\",\"table\":\"t\"}", &a, why));
    CU_ASSERT_EQUAL(a.nselect, 0);
    CU_ASSERT_TRUE(pgc_binding_selects(&a, "anything"));
    CU_ASSERT_TRUE(parse("{\"event\":\"*\",\"table\":\"t\",\"select\":[]}", &b, why));
    CU_ASSERT_TRUE(pgc_same_select(&a, &b));
    pgc_binding_clear(&b);
    CU_ASSERT_TRUE(
        parse("{\"event\":\"*\",\"table\":\"t\",\"select\":[\"title\",\"n\"]}", &b, why));
    CU_ASSERT_EQUAL_FATAL(b.nselect, 2);
    CU_ASSERT_STRING_EQUAL(b.select[0], "n");
    CU_ASSERT_TRUE(pgc_binding_selects(&b, "title"));
    CU_ASSERT_TRUE(pgc_binding_selects(&b, "n"));
    CU_ASSERT_FALSE(pgc_binding_selects(&b, "owner"));
    CU_ASSERT_FALSE(pgc_same_select(&a, &b));
    pgc_binding_clear(&a);
    CU_ASSERT_TRUE(
        parse("{\"event\":\"*\",\"table\":\"t\",\"select\":[\"n\",\"title\"]}", &a, why));
    CU_ASSERT_TRUE(pgc_same_select(&a, &b));
    pgc_binding_clear(&a);
    pgc_binding_clear(&b);
    const char *bad[] = {"\"n\"", "[1]", "[\"\"]", "{\"n\":1}", "[\"a\",null]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char json[200];
        snprintf(json, sizeof(json), "{\"event\":\"*\",\"table\":\"t\",\"select\":%s}", bad[i]);
        CU_ASSERT_FALSE(parse(json, &a, why));
        CU_ASSERT_PTR_NOT_NULL(strstr(why, "select must be"));
        pgc_binding_clear(&a);
    }
}

/* A refusal quotes the client's text, cut to fit; it stays valid UTF-8
 * (fuzz_pgc_binding found an operator of invalid bytes quoted raw). */
static void test_reason_is_utf8(void)
{
    pgc_binding b;
    char why[300], json[2600], op[2048];
    CU_ASSERT_FALSE(
        parse("{\"event\":\"*\",\"table\":\"t\",\"filter\":\"n=gte\xff\xfe.5\"}", &b, why));
    CU_ASSERT_TRUE(utf8_valid(why, strlen(why)));
    pgc_binding_clear(&b);
    size_t n = 0;
    while (n + 2 < sizeof(op)) { /* euro signs, cut somewhere inside one */
        op[n++] = '\xe2';
        op[n++] = '\x82';
        op[n++] = '\xac';
    }
    op[n] = 0;
    snprintf(json, sizeof(json), "{\"event\":\"*\",\"table\":\"t\",\"filter\":\"n=%s.5\"}", op);
    CU_ASSERT_FALSE(parse(json, &b, why));
    CU_ASSERT_TRUE(utf8_valid(why, strlen(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown operator"));
    pgc_binding_clear(&b);
}

/* The regex guard: ordinary patterns pass; chained and nested repetitions
 * that make glibc's regcomp copy its tree exponentially, back-references
 * and overlong patterns are refused before regcomp sees them
 * (fuzz_pgc_binding ran the daemon's regcomp out of memory with
 * `^.+++...`). */
static void test_regex_guard(void)
{
    const char *fine[] = {"^a.*z$",     "^[a-z0-9._%+-]+@example\\.com$", "\\d{3}-\\d{4}",
                          "(ab|cd)+x?", "^a+b+c+d+e+f+g+h+i+j+$",         "[]a]+[[:alpha:]]{2,8}",
                          "x{1000}"};
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        CU_ASSERT_PTR_NULL(pgc_regex_problem(fine[i]));
        if (pgc_regex_problem(fine[i]))
            printf("refused: %s\n", fine[i]);
    }
    char chained[80] = "^.";
    memset(chained + 2, '+', 60);
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem(chained));
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem("((a{100}){100}){100}"));
    CU_ASSERT_PTR_NOT_NULL(
        pgc_regex_problem("(((((((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+"));
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem("(a)\\1"));
    CU_ASSERT_STRING_EQUAL(pgc_regex_problem("^a+*"),
                           "invalid regular expression: quantifier operand invalid");
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem("a{2}{3}"));
    CU_ASSERT_PTR_NULL(pgc_regex_problem("(a+)*"));
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem("(((((((((((x+)+)+)+)+)+)+)+)+)+)+)+"));
    CU_ASSERT_PTR_NULL(pgc_regex_problem("[\\1]"));
    char longest[600];
    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = 0;
    CU_ASSERT_PTR_NOT_NULL(pgc_regex_problem(longest));
    CU_ASSERT_EQUAL(pgc_regex_cost("abc"), 3);
    CU_ASSERT_EQUAL(pgc_regex_cost("a+"), 2);
    CU_ASSERT_EQUAL(pgc_regex_cost("(ab){3}"), 9);
    /* through the binding: the reason in Supabase's wording */
    pgc_binding b;
    char why[300], json[200];
    snprintf(json, sizeof(json), "{\"event\":\"*\",\"table\":\"t\",\"filter\":\"c=match.%s\"}",
             chained);
    CU_ASSERT_FALSE(parse(json, &b, why));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(why, "Error parsing `filter` params: invalid regular expression"));
    pgc_binding_clear(&b);
}

void register_realtime_pgchanges_filter_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime_pgchanges_filter", NULL, NULL);
    CU_add_test(s, "parse", test_parse);
    CU_add_test(s, "operators", test_operators);
    CU_add_test(s, "missing column", test_missing_column);
    CU_add_test(s, "select", test_select);
    CU_add_test(s, "like", test_like);
    CU_add_test(s, "reasons are valid UTF-8", test_reason_is_utf8);
    CU_add_test(s, "regex guard", test_regex_guard);
}
