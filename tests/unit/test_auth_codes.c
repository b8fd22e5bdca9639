/* Unit tests of the auth area's codes and secrets: TOTP against the RFC
 * 6238 vectors (SHA-1), base32, the single use of a step; 6-digit email
 * codes and their keyed hash; client PKCE challenges; the sealed secret
 * box; the custom access-token hook's name. */
#include "unit.h"

#include "auth/auth_hook.h"
#include "auth/otp_code.h"
#include "auth/pkce.h"
#include "auth/secret_box.h"
#include "auth/totp.h"
#include "core/arena.h"

#include <string.h>

static arena *A;
/* "12345678901234567890", the RFC 6238 SHA-1 seed, in base32 */
static const char *SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
static const char *SECRET = "a-jwt-secret-of-at-least-32-characters!";

static int setup(void)
{
    A = arena_new(16384);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static void test_totp_vectors(void)
{
    /* RFC 6238 appendix B, SHA-1, the last 6 of the 8 digits */
    static const struct {
        long long t;
        const char *code;
    } V[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"}};
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        char out[7];
        CU_ASSERT_TRUE_FATAL(auth_totp_code_at(SEED, V[i].t / 30, out));
        CU_ASSERT_STRING_EQUAL(out, V[i].code);
    }
    char out[7];
    CU_ASSERT_FALSE(auth_totp_code_at("not base32!", 1, out));
}

static void test_totp_match(void)
{
    time_t now = 1111111111; /* step 37037037 */
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "050471", now, -1), 37037037);
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "081804", now, -1), 37037036); /* one step back */
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "050471", now, 37037037), -1); /* used */
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "081804", now + 90, -1), -1);  /* too old */
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "05047", now, -1), -1);        /* short */
    CU_ASSERT_EQUAL(auth_totp_match(SEED, "0504711", now, -1), -1);      /* long */
    unsigned char raw[32];
    CU_ASSERT_EQUAL(auth_totp_base32_decode(SEED, raw, sizeof raw), 20);
    CU_ASSERT_EQUAL(memcmp(raw, "12345678901234567890", 20), 0);
    CU_ASSERT_EQUAL(auth_totp_base32_decode("gezdgnbv", raw, sizeof raw), 5); /* any case */
    CU_ASSERT_EQUAL(auth_totp_base32_decode("GE1A", raw, sizeof raw), 0);
    char *s = auth_totp_secret_new(A);
    CU_ASSERT_EQUAL(strlen(s), 32);
    CU_ASSERT_EQUAL(auth_totp_base32_decode(s, raw, sizeof raw), TOTP_SECRET_BYTES);
    CU_ASSERT_STRING_EQUAL(auth_totp_uri(A, "ABC", "My App", "a@b.co"),
                           "otpauth://totp/My%20App:a%40b.co?secret=ABC&issuer=My%20App"
                           "&algorithm=SHA1&digits=6&period=30");
}

static void test_email_codes(void)
{
    for (int i = 0; i < 200; i++)
        CU_ASSERT_TRUE(auth_otp_code_shape(auth_otp_code_new(A)));
    CU_ASSERT_FALSE(auth_otp_code_shape("12345"));
    CU_ASSERT_FALSE(auth_otp_code_shape("12345a"));
    CU_ASSERT_FALSE(auth_otp_code_shape("1234567"));
    CU_ASSERT_FALSE(auth_otp_code_shape(NULL));
    const char *h = auth_otp_code_hash(A, SECRET, "Ann@Example.com", "012345");
    CU_ASSERT_EQUAL(strlen(h), 64);
    CU_ASSERT_STRING_EQUAL(h, auth_otp_code_hash(A, SECRET, "ann@example.com", "012345"));
    CU_ASSERT_STRING_NOT_EQUAL(h, auth_otp_code_hash(A, SECRET, "bob@example.com", "012345"));
    CU_ASSERT_STRING_NOT_EQUAL(h, auth_otp_code_hash(A, SECRET, "ann@example.com", "012346"));
    CU_ASSERT_STRING_NOT_EQUAL(h, auth_otp_code_hash(A, "another secret of 32 characters....",
                                                     "ann@example.com", "012345"));
}

static void test_pkce_requests(void)
{
    response res = {0};
    res.arena = A;
    pkce_request p;
    const char *c43 = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    CU_ASSERT_TRUE(auth_pkce_request_check(A, NULL, NULL, &p, &res));
    CU_ASSERT_PTR_NULL(p.challenge);
    CU_ASSERT_TRUE(auth_pkce_request_check(A, "", "", &p, &res));
    CU_ASSERT_TRUE(auth_pkce_request_check(A, c43, "S256", &p, &res));
    CU_ASSERT_STRING_EQUAL(p.method, "s256");
    CU_ASSERT_TRUE(auth_pkce_request_check(A, c43, "Plain", &p, &res));
    CU_ASSERT_STRING_EQUAL(p.method, "plain");
    CU_ASSERT_TRUE(auth_pkce_verifier_valid("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    CU_ASSERT_FALSE(auth_pkce_verifier_valid("short"));
    CU_ASSERT_FALSE(auth_pkce_verifier_valid("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+"));
}

static void test_secret_box(void)
{
    char *sealed = auth_secret_box_seal(A, SECRET, "purpose one", "the secret");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sealed);
    CU_ASSERT_PTR_NULL(strstr(sealed, "secret"));
    CU_ASSERT_STRING_EQUAL(auth_secret_box_open(A, SECRET, "purpose one", sealed), "the secret");
    CU_ASSERT_STRING_NOT_EQUAL(sealed,
                               auth_secret_box_seal(A, SECRET, "purpose one", "the secret"));
    CU_ASSERT_PTR_NULL(auth_secret_box_open(A, SECRET, "purpose two", sealed));
    CU_ASSERT_PTR_NULL(
        auth_secret_box_open(A, "another secret of 32 characters....", "purpose one", sealed));
    char *tampered = arena_strdup(A, sealed);
    tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
    CU_ASSERT_PTR_NULL(auth_secret_box_open(A, SECRET, "purpose one", tampered));
    CU_ASSERT_PTR_NULL(auth_secret_box_open(A, SECRET, "purpose one", "short"));
}

static void test_hook_names(void)
{
    char out[160], why[160];
    CU_ASSERT_TRUE(auth_hook_name("public.custom_claims", out, sizeof out, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(out, "public.custom_claims");
    CU_ASSERT_TRUE(
        auth_hook_name("pg-functions://postgres/app/claims_v2", out, sizeof out, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(out, "app.claims_v2");
    const char *bad[] = {"claims",
                         "public.",
                         ".claims",
                         "Public.claims",
                         "a.b.c",
                         "a.b;drop",
                         "a.\"b\"",
                         "pg-functions://x/a/b",
                         "pg-functions://postgres/a.b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(auth_hook_name(bad[i], out, sizeof out, why, sizeof why));
    CU_ASSERT_TRUE(auth_hook_check("", why, sizeof why));
    CU_ASSERT_FALSE(auth_hook_check("x", why, sizeof why));
}

void register_auth_codes_tests(void)
{
    CU_pSuite s = CU_add_suite("auth_codes", setup, teardown);
    CU_add_test(s, "TOTP RFC 6238 vectors", test_totp_vectors);
    CU_add_test(s, "TOTP window, single use, base32", test_totp_match);
    CU_add_test(s, "email codes", test_email_codes);
    CU_add_test(s, "client PKCE challenges", test_pkce_requests);
    CU_add_test(s, "secret box", test_secret_box);
    CU_add_test(s, "hook names", test_hook_names);
}
