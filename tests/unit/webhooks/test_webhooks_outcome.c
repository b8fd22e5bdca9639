/* Unit tests of the delivery state machine: outcomes classified (2xx
 * delivered; 3xx, other statuses, timeouts and network errors retried; a
 * refused address and an unreadable secret final), retries after 1 s then
 * 4 s, dead after the third attempt. */
#include "realtime/webhooks_outcome.h"
#include "webhooks_suites.h"

#include <CUnit/CUnit.h>

static void test_classify(void)
{
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 200), WH_OUT_DELIVERED);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 204), WH_OUT_DELIVERED);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 299), WH_OUT_DELIVERED);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 301), WH_OUT_REDIRECT);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 302), WH_OUT_REDIRECT);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 100), WH_OUT_HTTP_ERROR);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 404), WH_OUT_HTTP_ERROR);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, false, 503), WH_OUT_HTTP_ERROR);
    CU_ASSERT_EQUAL(wh_outcome_of(false, true, true, 0), WH_OUT_TIMEOUT);
    CU_ASSERT_EQUAL(wh_outcome_of(false, false, true, 0), WH_OUT_NETWORK);
    CU_ASSERT_EQUAL(wh_outcome_of(true, false, true, 0), WH_OUT_REFUSED);
}

static void test_retry_schedule(void)
{
    static const wh_outcome FAILURES[] = {WH_OUT_HTTP_ERROR, WH_OUT_REDIRECT, WH_OUT_TIMEOUT,
                                          WH_OUT_NETWORK};
    for (size_t i = 0; i < sizeof FAILURES / sizeof FAILURES[0]; i++) {
        wh_next n1 = wh_step(FAILURES[i], 1), n2 = wh_step(FAILURES[i], 2),
                n3 = wh_step(FAILURES[i], 3);
        CU_ASSERT_EQUAL(n1.kind, WH_NEXT_RETRY);
        CU_ASSERT_EQUAL(n1.retry_ms, 1000);
        CU_ASSERT_EQUAL(n2.kind, WH_NEXT_RETRY);
        CU_ASSERT_EQUAL(n2.retry_ms, 4000);
        CU_ASSERT_EQUAL(n3.kind, WH_NEXT_DEAD);
        CU_ASSERT_EQUAL(wh_step(FAILURES[i], 4).kind, WH_NEXT_DEAD);
    }
    for (int attempt = 1; attempt <= 3; attempt++)
        CU_ASSERT_EQUAL(wh_step(WH_OUT_DELIVERED, attempt).kind, WH_NEXT_DELIVERED);
    CU_ASSERT_EQUAL(wh_step(WH_OUT_REFUSED, 1).kind, WH_NEXT_DEAD);
    CU_ASSERT_EQUAL(wh_step(WH_OUT_BAD_SECRET, 1).kind, WH_NEXT_DEAD);
    CU_ASSERT_STRING_EQUAL(wh_next_name(WH_NEXT_RETRY), "retry");
    CU_ASSERT_STRING_EQUAL(wh_next_name(WH_NEXT_DEAD), "dead");
    CU_ASSERT_STRING_EQUAL(wh_next_name(WH_NEXT_DELIVERED), "delivered");
    CU_ASSERT_STRING_EQUAL(wh_outcome_label(WH_OUT_REDIRECT), "redirect not followed");
}

void register_webhooks_outcome_tests(void)
{
    CU_pSuite s = CU_add_suite("webhooks_outcome", NULL, NULL);
    CU_add_test(s, "outcomes of a finished attempt", test_classify);
    CU_add_test(s, "3 attempts: now, after 1 s, after 4 s, then dead", test_retry_schedule);
}
