/* Unit tests of the registration body: defaults (events ["*"], table_name
 * "*", secret ""), and a clear reason for each refused input (malformed
 * JSON, missing or non-string url, bad events, unknown fields). */
#include "core/arena.h"
#include "webhooks/webhooks_body.h"

#include "webhooks_suites.h"

#include <CUnit/CUnit.h>
#include <string.h>

static bool read_body(arena *a, const char *json, webhook_registration *w, char *why)
{
    memset(w, 0, sizeof *w);
    return webhooks_body_read(a, json, strlen(json), false, w, why, 256);
}

static void test_defaults(void)
{
    arena *a = arena_new(4096);
    webhook_registration w;
    char why[256];
    CU_ASSERT_TRUE_FATAL(read_body(a, "{\"url\":\"http://127.0.0.1:9/h\"}", &w, why));
    CU_ASSERT_STRING_EQUAL(w.events_json, "[\"*\"]");
    CU_ASSERT_STRING_EQUAL(w.table_name, "*");
    CU_ASSERT_STRING_EQUAL(w.secret, "");
    CU_ASSERT_TRUE(
        read_body(a,
                  "{\"url\":\"https://example.com/h\",\"events\":[\"INSERT\",\"DELETE\"],"
                  "\"table_name\":\"orders\",\"secret\":\"s\"}",
                  &w, why));
    CU_ASSERT_STRING_EQUAL(w.table_name, "orders");
    CU_ASSERT_STRING_EQUAL(w.secret, "s");
    CU_ASSERT_PTR_NOT_NULL(strstr(w.events_json, "DELETE"));
    arena_free(a);
}

static void test_refused(void)
{
    static const struct {
        const char *body, *reason;
    } BAD[] = {
        {"", "JSON object"},
        {"{", "JSON object"},
        {"[]", "JSON object"},
        {"{\"url\":\"http://x/\"} trailing", "JSON object"},
        {"{}", "url is required"},
        {"{\"url\":null}", "url is required"},
        {"{\"url\":42}", "url must be a string"},
        {"{\"url\":\"ftp://x/\"}", "http"},
        {"{\"url\":\"http://0xa9fea9fe/\"}", "link-local"},
        {"{\"url\":\"http://x.example/\",\"events\":[]}", "events"},
        {"{\"url\":\"http://x.example/\",\"events\":\"INSERT\"}", "events"},
        {"{\"url\":\"http://x.example/\",\"events\":[\"insert\"]}", "events"},
        {"{\"url\":\"http://x.example/\",\"events\":[\"TRUNCATE\"]}", "events"},
        {"{\"url\":\"http://x.example/\",\"events\":[1]}", "events"},
        {"{\"url\":\"http://x.example/\",\"table_name\":\"\"}", "table_name"},
        {"{\"url\":\"http://x.example/\",\"table_name\":7}", "table_name"},
        {"{\"url\":\"http://x.example/\",\"secret\":false}", "secret"},
        {"{\"url\":\"http://x.example/\",\"secret\":\"a\\u0000b\"}", "secret"},
        {"{\"url\":\"http://x.example/\",\"active\":false}", "unknown field active"},
    };
    arena *a = arena_new(4096);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        webhook_registration w;
        char why[256] = "";
        CU_ASSERT_FALSE(read_body(a, BAD[i].body, &w, why));
        CU_ASSERT_PTR_NOT_NULL(strstr(why, BAD[i].reason));
    }
    arena_free(a);
}

void register_webhooks_body_tests(void)
{
    CU_pSuite s = CU_add_suite("webhooks_body", NULL, NULL);
    CU_add_test(s, "defaults of events, table_name and secret", test_defaults);
    CU_add_test(s, "refused bodies name their problem", test_refused);
}
