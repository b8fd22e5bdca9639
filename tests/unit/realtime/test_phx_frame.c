/* Phoenix frames: both text serializers, kind-3 binary pushes (valid and
 * truncated), kind-4 encoding as realtime-js decodes it. */
#include "realtime/phx_frame.h"

#include <CUnit/CUnit.h>
#include <string.h>

void register_realtime_phx_frame_tests(void);

static void test_decode_v1(void)
{
    arena *a = arena_new(4096);
    const char *t = "{\"topic\":\"realtime:r\",\"event\":\"phx_join\",\"payload\":{\"a\":1},"
                    "\"ref\":\"2\",\"join_ref\":null}";
    phx_msg m;
    const char *why = NULL;
    CU_ASSERT_TRUE(phx_decode(a, PHX_VSN_1, false, (const uint8_t *)t, strlen(t), &m, &why));
    CU_ASSERT_STRING_EQUAL(m.topic, "realtime:r");
    CU_ASSERT_STRING_EQUAL(m.event, "phx_join");
    CU_ASSERT_STRING_EQUAL(m.ref, "2");
    CU_ASSERT_PTR_NULL(m.join_ref);
    const char *bad = "{\"topic\":1,\"event\":\"x\",\"payload\":{}}";
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_1, false, (const uint8_t *)bad, strlen(bad), &m, &why));
    const char *arr = "[null,\"1\",\"phoenix\",\"heartbeat\",{}]";
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_1, false, (const uint8_t *)arr, strlen(arr), &m, &why));
    arena_free(a);
}

static void test_decode_v2(void)
{
    arena *a = arena_new(4096);
    const char *t = "[\"1\",\"2\",\"realtime:r\",\"broadcast\",{\"event\":\"e\"}]";
    phx_msg m;
    const char *why = NULL;
    CU_ASSERT_TRUE(phx_decode(a, PHX_VSN_2, false, (const uint8_t *)t, strlen(t), &m, &why));
    CU_ASSERT_STRING_EQUAL(m.join_ref, "1");
    CU_ASSERT_FALSE(m.binary_broadcast);
    const char *four = "[\"1\",\"2\",\"t\",\"e\"]";
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_2, false, (const uint8_t *)four, strlen(four), &m, &why));
    const char *nopayload = "[\"1\",\"2\",\"t\",\"e\",[]]";
    CU_ASSERT_FALSE(
        phx_decode(a, PHX_VSN_2, false, (const uint8_t *)nopayload, strlen(nopayload), &m, &why));
    arena_free(a);
}

static void test_decode_binary(void)
{
    arena *a = arena_new(4096);
    /* kind 3: join_ref "1", ref "22", topic "realtime:r", event "ev", no meta, JSON */
    uint8_t f[64] = {3, 1, 2, 10, 2, 0, 1};
    size_t n = 7;
    memcpy(f + n, "122realtime:rev{\"x\":1}", 22);
    n += 22;
    phx_msg m;
    const char *why = NULL;
    CU_ASSERT_TRUE_FATAL(phx_decode(a, PHX_VSN_2, true, f, n, &m, &why));
    CU_ASSERT_TRUE(m.binary_broadcast);
    CU_ASSERT_STRING_EQUAL(m.join_ref, "1");
    CU_ASSERT_STRING_EQUAL(m.ref, "22");
    CU_ASSERT_STRING_EQUAL(m.topic, "realtime:r");
    CU_ASSERT_STRING_EQUAL(m.user_event, "ev");
    CU_ASSERT_EQUAL(m.user_payload_len, 7);
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_2, true, f, 12, &m, &why)); /* cut short */
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_1, true, f, n, &m, &why));  /* binary on 1.0.0 */
    f[0] = 4;
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_2, true, f, n, &m, &why)); /* kind 4 is ours */
    f[0] = 3;
    f[6] = 1;
    f[n - 1] = '!'; /* JSON encoding but not JSON */
    CU_ASSERT_FALSE(phx_decode(a, PHX_VSN_2, true, f, n, &m, &why));
    arena_free(a);
}

static void test_encode(void)
{
    arena *a = arena_new(4096);
    CU_ASSERT_STRING_EQUAL(phx_encode(a, PHX_VSN_2, NULL, "3", "phoenix", "phx_reply", "{}"),
                           "[null,\"3\",\"phoenix\",\"phx_reply\",{}]");
    CU_ASSERT_STRING_EQUAL(
        phx_encode(a, PHX_VSN_1, "1", NULL, "t", "e", "{}"),
        "{\"join_ref\":\"1\",\"ref\":null,\"topic\":\"t\",\"event\":\"e\",\"payload\":{}}");
    size_t n = 0;
    uint8_t *b = phx_encode_broadcast(a, "realtime:r", "ev", NULL, PHX_ENCODING_JSON,
                                      (const uint8_t *)"{}", 2, &n);
    CU_ASSERT_EQUAL_FATAL(n, 5 + 10 + 2 + 2);
    CU_ASSERT_EQUAL(b[0], 4);
    CU_ASSERT_EQUAL(b[1], 10);
    CU_ASSERT_EQUAL(b[2], 2);
    CU_ASSERT_EQUAL(b[3], 0);
    CU_ASSERT_EQUAL(b[4], PHX_ENCODING_JSON);
    CU_ASSERT_EQUAL(memcmp(b + 5, "realtime:rev{}", 14), 0);
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    CU_ASSERT_PTR_NULL(phx_encode_broadcast(a, big, "ev", NULL, 0, NULL, 0, &n));
    arena_free(a);
}

void register_realtime_phx_frame_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime phx_frame", NULL, NULL);
    CU_add_test(s, "vsn 1.0.0 objects", test_decode_v1);
    CU_add_test(s, "vsn 2.0.0 arrays", test_decode_v2);
    CU_add_test(s, "kind-3 binary pushes", test_decode_binary);
    CU_add_test(s, "encoding replies and kind-4 broadcasts", test_encode);
}
