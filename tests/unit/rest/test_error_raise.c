/* RAISE SQLSTATE 'PGRST' replies: status, headers and fields from the
 * MESSAGE and DETAIL JSON; PGRST121 for anything else. */
#include "parse_test_util.h"
#include "rest/error_raise.h"

#include <json-c/json.h>

static reply *raise_reply(const char *message, const char *detail)
{
    reply *res = arena_zalloc(tu_arena, sizeof(*res));
    reply_init(res, tu_arena);
    rest_raise_render(res, message, detail);
    return res;
}

/* The string member key of the reply's JSON body ("" when null). */
static const char *field(const reply *res, const char *key)
{
    json_object *doc = json_tokener_parse(res->body.data), *v;
    const char *out = NULL;
    if (doc && json_object_object_get_ex(doc, key, &v))
        out = arena_strdup(tu_arena, v ? json_object_get_string(v) : "");
    json_object_put(doc);
    return out;
}

static void test_status_headers_fields(void)
{
    reply *res = raise_reply("{\"code\": \"123\", \"message\": \"Payment Required\", "
                             "\"details\": \"Quota exceeded\", \"hint\": \"Upgrade\"}",
                             "{\"status\": 402, \"headers\": {\"X-Powered-By\": \"Nerd\"}}");
    CU_ASSERT_EQUAL(res->status, 402);
    ASSERT_STR(reply_get_header(res, "X-Powered-By"), "Nerd");
    ASSERT_STR(field(res, "code"), "123");
    ASSERT_STR(field(res, "message"), "Payment Required");
    ASSERT_STR(field(res, "error"), "Payment Required");
    ASSERT_STR(field(res, "details"), "Quota exceeded");
    ASSERT_STR(field(res, "hint"), "Upgrade");
    res =
        raise_reply("{\"code\": \"PGRST116\", \"message\": \"m\", \"details\": {\"n\": 2}}", NULL);
    CU_ASSERT_EQUAL(res->status, 400); /* no DETAIL: 400 */
    CU_ASSERT(tu_contains(res->body.data, "\"details\":{\"n\":2}"));
}

static void test_unparsable(void)
{
    const char *bad_messages[] = {NULL, "not json", "[]", "{\"message\": \"no code\"}",
                                  "{\"code\": \"1\"}"};
    for (size_t i = 0; i < sizeof bad_messages / sizeof bad_messages[0]; i++) {
        reply *res = raise_reply(bad_messages[i], NULL);
        CU_ASSERT_EQUAL(res->status, 500);
        ASSERT_STR(field(res, "code"), "PGRST121");
    }
    const char *ok = "{\"code\": \"1\", \"message\": \"m\"}";
    const char *bad_details[] = {"x",
                                 "[]",
                                 "{\"status\": \"402\"}",
                                 "{\"status\": 99}",
                                 "{\"headers\": []}",
                                 "{\"headers\": {\"X\": 1}}",
                                 "{\"headers\": {\"Bad Name\": \"v\"}}",
                                 "{\"headers\": {\"X-Injected\": \"a\\r\\nSet-Cookie: b\"}}"};
    for (size_t i = 0; i < sizeof bad_details / sizeof bad_details[0]; i++) {
        reply *res = raise_reply(ok, bad_details[i]);
        CU_ASSERT_EQUAL(res->status, 500);
        ASSERT_STR(field(res, "code"), "PGRST121");
        CU_ASSERT_PTR_NULL(reply_get_header(res, "X-Injected"));
    }
}

void register_rest_error_raise_tests(void)
{
    CU_pSuite s = tu_add_suite("rest RAISE SQLSTATE 'PGRST'");
    CU_add_test(s, "status, headers and fields from the JSON", test_status_headers_fields);
    CU_add_test(s, "anything else is PGRST121", test_unparsable);
}
