/* Unit tests of sealed webhook secrets (round trip, a fresh nonce each
 * time, refused when altered or opened with another JWT secret) and of the
 * signature (RFC 4231 test case 2 of HMAC-SHA256). */
#include "webhooks/webhook_secret.h"

#include "webhooks_suites.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

static void test_seal_round_trip(void)
{
    char *a = webhook_secret_seal("jwt-secret-one", "whsec_abc");
    char *b = webhook_secret_seal("jwt-secret-one", "whsec_abc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NULL(strstr(a, "whsec_abc"));
    CU_ASSERT_STRING_NOT_EQUAL(a, b); /* a fresh nonce */
    char *opened = webhook_secret_open("jwt-secret-one", a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(opened);
    CU_ASSERT_STRING_EQUAL(opened, "whsec_abc");
    free(opened);
    CU_ASSERT_PTR_NULL(webhook_secret_open("jwt-secret-two", a));
    size_t n = strlen(a);
    a[n - 1] = a[n - 1] == '0' ? '1' : '0'; /* the tag altered */
    CU_ASSERT_PTR_NULL(webhook_secret_open("jwt-secret-one", a));
    CU_ASSERT_PTR_NULL(webhook_secret_open("jwt-secret-one", "v1:zz"));
    CU_ASSERT_PTR_NULL(webhook_secret_open("jwt-secret-one", "plain"));
    free(a);
    free(b);
}

static void test_signature(void)
{
    char sig[80];
    const char *body = "what do ya want for nothing?";
    webhook_signature("Jefe", body, strlen(body), sig, sizeof sig);
    CU_ASSERT_STRING_EQUAL(
        sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

void register_webhook_secret_tests(void)
{
    CU_pSuite s = CU_add_suite("webhook_secret", NULL, NULL);
    CU_add_test(s, "sealed secrets open only unaltered and with the same key",
                test_seal_round_trip);
    CU_add_test(s, "X-Webhook-Signature is sha256=<hex HMAC-SHA256>", test_signature);
}
