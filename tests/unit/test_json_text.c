/* Unit tests of core/json_text's parser: exact length, strict UTF-8, and
 * no state carried from one text to the next (json-c 0.16 kept a pending
 * high surrogate of a failed text across its tokener reset). */
#include "unit.h"

#include "core/json_text.h"

#include <stdio.h>
#include <string.h>

/* The compact text of s parsed, or "NULL". */
static const char *parsed(const char *s, char *buf, size_t n)
{
    json_object *o = json_parse_exact(s, strlen(s));
    snprintf(buf, n, "%s", o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "NULL");
    json_object_put(o);
    return buf;
}

static void test_exact(void)
{
    char buf[128];
    CU_ASSERT_STRING_EQUAL(parsed("{\"a\":1} ", buf, sizeof buf), "{\"a\":1}");
    CU_ASSERT_STRING_EQUAL(parsed("{\"a\":1}x", buf, sizeof buf), "NULL");
    CU_ASSERT_STRING_EQUAL(parsed("12", buf, sizeof buf), "12");
    CU_ASSERT_STRING_EQUAL(parsed("\"\xc1\x96\"", buf, sizeof buf), "NULL"); /* overlong */
}

static void test_no_state_between_texts(void)
{
    char buf[128];
    const char *broken[] = {"[\"\\ud83d\\u", "[\"\\ud83d\\u00", "[\"\\ud83d\\uzz\"]", "[\"\\ud83d"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        CU_ASSERT_STRING_EQUAL(parsed(broken[i], buf, sizeof buf), "NULL");
        CU_ASSERT_STRING_EQUAL(parsed("[\"\\u0014\"]", buf, sizeof buf), "[\"\\u0014\"]");
    }
}

void register_json_text_tests(void)
{
    CU_pSuite s = CU_add_suite("json text", NULL, NULL);
    CU_add_test(s, "exact, strict texts", test_exact);
    CU_add_test(s, "nothing carried from a failed text to the next", test_no_state_between_texts);
}
