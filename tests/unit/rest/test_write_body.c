/* The body of a write: Content-Type, JSON shape, keys per row, \u0000 and
 * the rows as the one JSON array bound in SQL. */
#include "parse_test_util.h"
#include "rest/parse/body.h"
#include "write_fixture.h"

static rest_body *body_with(const char *content_type, const char *json, rest_error **err)
{
    rest_body *b = arena_zalloc(tu_arena, sizeof(*b));
    *err = arena_zalloc(tu_arena, sizeof(**err));
    return rest_body_parse(tu_arena, content_type, json, json ? strlen(json) : 0, b, *err) ? b
                                                                                           : NULL;
}

static rest_body *body_ok(const char *json)
{
    rest_error *err;
    rest_body *b = body_with(NULL, json, &err);
    if (!b)
        fprintf(stderr, "\n  unexpected body error: %s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    return b;
}

static rest_error *body_fail(const char *content_type, const char *json)
{
    rest_error *err;
    CU_ASSERT_PTR_NULL_FATAL(body_with(content_type, json, &err));
    return err;
}

static void test_object_and_array(void)
{
    rest_body *b = body_ok("{\"name\": \"a\", \"qty\": 2}");
    CU_ASSERT_FALSE(b->is_array);
    CU_ASSERT_EQUAL(b->row_count, 1);
    ASSERT_STR(b->rows_json, "[{\"name\": \"a\", \"qty\": 2}]");
    CU_ASSERT_EQUAL(b->key_count, 2);
    ASSERT_STR(b->keys[0].name, "name");
    ASSERT_STR(b->keys[1].name, "qty");
    CU_ASSERT_TRUE(b->uniform);
    b = body_ok(" [{\"a\": 1, \"b\": 2}, {\"b\": 3, \"a\": 4}] ");
    CU_ASSERT_TRUE(b->is_array);
    CU_ASSERT_EQUAL(b->row_count, 2);
    ASSERT_STR(b->rows_json, " [{\"a\": 1, \"b\": 2}, {\"b\": 3, \"a\": 4}] ");
    CU_ASSERT_TRUE(b->uniform);
    CU_ASSERT_EQUAL(b->keys[0].rows, 2);
}

static void test_keys_per_row(void)
{
    rest_body *b = body_ok("[{\"a\": 1}, {\"a\": 2, \"b\": 3}, {\"c\": null}]");
    CU_ASSERT_FALSE(b->uniform);
    CU_ASSERT_EQUAL(b->key_count, 3);
    CU_ASSERT_EQUAL(rest_body_find_key(b, "a")->rows, 2);
    CU_ASSERT_EQUAL(rest_body_find_key(b, "b")->rows, 1);
    CU_ASSERT_EQUAL(rest_body_find_key(b, "c")->rows, 1);
    CU_ASSERT_PTR_NULL(rest_body_find_key(b, "d"));
    b = body_ok("[]");
    CU_ASSERT_EQUAL(b->row_count, 0);
    CU_ASSERT_EQUAL(b->key_count, 0);
    CU_ASSERT_TRUE(b->uniform);
    b = body_ok("{}");
    CU_ASSERT_EQUAL(b->row_count, 1);
    CU_ASSERT_EQUAL(b->key_count, 0);
    b = body_ok("[{}, {}]");
    CU_ASSERT_EQUAL(b->row_count, 2);
    CU_ASSERT_TRUE(b->uniform);
}

static void test_content_type(void)
{
    rest_error *err;
    CU_ASSERT_PTR_NOT_NULL(body_with("application/json", "{}", &err));
    CU_ASSERT_PTR_NOT_NULL(body_with("Application/JSON; charset=utf-8", "{}", &err));
    CU_ASSERT_PTR_NOT_NULL(body_with(" application/json ", "{}", &err));
    CU_ASSERT_PTR_NOT_NULL(body_with("", "{}", &err));
    ASSERT_REST_ERROR(body_fail("text/plain", "a\n1"), 400, "PGRST102",
                      "Content-Type not acceptable: text/plain");
    ASSERT_REST_ERROR(body_fail("application/x-www-form-urlencoded", "{}"), 400, "PGRST102",
                      "Content-Type not acceptable");
    ASSERT_REST_ERROR(body_fail("application/jsonx", "{}"), 400, "PGRST102",
                      "Content-Type not acceptable");
}

static void test_malformed(void)
{
    const char *bad[] = {"", "   ", "{", "{\"a\": }", "[1, 2", "{\"a\": 1} x", "{'a': 1}",
                         "{\"a\": 1,}", "nul", "null", "\xff\xfe", "{\"a\": \"\xc3\x28\"}",
                         /* regression (fuzz_write_json): forms json-c let through,
                          * which came back raw in error messages (a key names a
                          * column): overlong, surrogate, beyond U+10FFFF */
                         "{\"\xc1\x96\": 1}", "{\"a\": \"\xe0\x80\xaf\"}", "{\"\xed\xa0\x80\": 1}",
                         "{\"a\": \"\xf4\x90\x80\x80\"}", "[{\"a\": NaN}]", "[{\"a\": Infinity}]",
                         "[{\"a\": -Infinity}]", "{\"a\": \"tab\there\"}",
                         "{\"a\": \"line\nbreak\"}", "/* c */ {}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_REST_ERROR(body_fail(NULL, bad[i]), 400, "PGRST102", "Empty or invalid json");
    ASSERT_REST_ERROR(body_fail(NULL, NULL), 400, "PGRST102", "Empty or invalid json");
}

static void test_shapes(void)
{
    ASSERT_REST_ERROR(body_fail(NULL, "5"), 400, "PGRST102", "object or an array of objects");
    ASSERT_REST_ERROR(body_fail(NULL, "\"x\""), 400, "PGRST102", "object or an array");
    rest_error *e = body_fail(NULL, "[{\"a\": 1}, 2]");
    ASSERT_REST_ERROR(e, 400, "PGRST102", "All object keys must match");
    CU_ASSERT(tu_contains(e->details, "Element 1"));
    ASSERT_REST_ERROR(body_fail(NULL, "[[{\"a\": 1}]]"), 400, "PGRST102", "keys must match");
}

static void test_nul(void)
{
    ASSERT_REST_ERROR(body_fail(NULL, "{\"a\": \"x\\u0000y\"}"), 400, "PGRST102", "\\u0000");
    ASSERT_REST_ERROR(body_fail(NULL, "{\"a\\u0000b\": 1}"), 400, "PGRST102", "\\u0000");
    ASSERT_REST_ERROR(body_fail(NULL, "[{\"a\": [\"\\u0000\"]}]"), 400, "PGRST102", "\\u0000");
    /* an escaped backslash followed by u0000 is text, not NUL */
    rest_body *b = body_ok("{\"a\": \"\\\\u0000\"}");
    CU_ASSERT_EQUAL(b->row_count, 1);
    b = body_ok("{\"a\": \"\\u0001 \\u00e9 ' \\\\ % ;\"}");
    CU_ASSERT_EQUAL(b->key_count, 1);
}

static const char *csv_json(const char *csv)
{
    rest_error *err;
    rest_body *b = body_with("text/csv; charset=utf-8", csv, &err);
    if (!b)
        fprintf(stderr, "\n  unexpected CSV error: %s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    return b->rows_json;
}

static void test_csv(void)
{
    ASSERT_STR(csv_json("name,qty\na,1\nb,2\n"),
               "[{\"name\":\"a\",\"qty\":\"1\"},{\"name\":\"b\",\"qty\":\"2\"}]");
    ASSERT_STR(csv_json("name,qty\r\n\"x, \"\"y\"\"\",NULL\r\n\"NULL\","),
               "[{\"name\":\"x, \\\"y\\\"\",\"qty\":null},{\"name\":\"NULL\",\"qty\":\"\"}]");
    ASSERT_STR(csv_json("note\n\"two\nlines\"\n\u00e9'\\%;"),
               "[{\"note\":\"two\\nlines\"},{\"note\":\"\u00e9'\\\\%;\"}]");
    ASSERT_STR(csv_json("a,b\n"), "[]");
    rest_error *err;
    rest_body *b = body_with("text/csv", "name,qty\na,1\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->row_count, 1);
    CU_ASSERT_EQUAL(b->key_count, 2);
    CU_ASSERT_TRUE(b->uniform);
}

static void test_csv_malformed(void)
{
    ASSERT_REST_ERROR(body_fail("text/csv", "a,b\n1\n"), 400, "PGRST102",
                      "All lines must have same number of fields");
    ASSERT_REST_ERROR(body_fail("text/csv", "a,b\n1,2,3\n"), 400, "PGRST102", "same number");
    ASSERT_REST_ERROR(body_fail("text/csv", "a\n\"open\n"), 400, "PGRST102", "quote");
    ASSERT_REST_ERROR(body_fail("text/csv", "a\nx\"y\n"), 400, "PGRST102", "quote");
    ASSERT_REST_ERROR(body_fail("text/csv", "a\n\"x\"y\n"), 400, "PGRST102", "quote");
    ASSERT_REST_ERROR(body_fail("text/csv", ""), 400, "PGRST102", "Empty or invalid CSV");
    ASSERT_REST_ERROR(body_fail("text/csv", "a\n\xc3\x28\n"), 400, "PGRST102", "invalid CSV");
}

void register_rest_write_body_tests(void)
{
    CU_pSuite s = tu_add_suite("rest write body");
    CU_add_test(s, "an object is one row, an array many", test_object_and_array);
    CU_add_test(s, "keys counted per row; empty rows", test_keys_per_row);
    CU_add_test(s, "application/json, text/csv or no Content-Type", test_content_type);
    CU_add_test(s, "text/csv rows become the JSON array", test_csv);
    CU_add_test(s, "malformed CSV is PGRST102", test_csv_malformed);
    CU_add_test(s, "malformed JSON is PGRST102", test_malformed);
    CU_add_test(s, "an object or an array of objects", test_shapes);
    CU_add_test(s, "\\u0000 is refused, escaped backslashes are not", test_nul);
}
