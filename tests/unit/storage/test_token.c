/* Signed URL tokens: bound to the object and scope, expiring, not
 * interchangeable with API tokens signed with JWT_SECRET. */
#include "storage_suites.h"

#include "core/arena.h"
#include "jwt/jwt_sign.h"
#include "storage/token.h"

#include <CUnit/CUnit.h>
#include <string.h>

static storage_settings settings(void)
{
    storage_settings s;
    memset(&s, 0, sizeof s);
    s.jwt_secret = "unit-test-secret-unit-test-secret-0123";
    return s;
}

static void test_round_trip(void)
{
    arena *a = arena_new(4096);
    storage_settings s = settings();
    storage_token t = {
        .url = "b/k.txt", .scope = "upload", .owner = "u1", .upsert = true, .expires_in = 60};
    char *tok = storage_token_sign(a, &s, &t, 1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    storage_token out;
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, tok, "b/k.txt", "upload", 1010, &out), TOKEN_OK);
    CU_ASSERT_STRING_EQUAL(out.owner, "u1");
    CU_ASSERT_TRUE(out.upsert);
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, tok, "b/other.txt", "upload", 1010, &out),
                    TOKEN_WRONG_URL);
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, tok, "b/k.txt", "download", 1010, &out),
                    TOKEN_WRONG_URL);
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, tok, "b/k.txt", "upload", 1061, &out),
                    TOKEN_EXPIRED);
    arena_free(a);
}

static void test_tampering(void)
{
    arena *a = arena_new(4096);
    storage_settings s = settings();
    storage_token t = {.url = "b/k.txt", .scope = "download", .expires_in = 60};
    char *tok = storage_token_sign(a, &s, &t, 1000);
    storage_token out;
    size_t n = strlen(tok);
    tok[n - 2] = tok[n - 2] == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, tok, "b/k.txt", "download", 1001, &out),
                    TOKEN_INVALID);
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, "", "b/k.txt", "download", 1001, &out),
                    TOKEN_INVALID);
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, NULL, "b/k.txt", "download", 1001, &out),
                    TOKEN_INVALID);
    /* a token signed with JWT_SECRET itself (an API token) is not a URL token */
    char *api = jwt_sign(a,
                         "{\"url\":\"b/k.txt\",\"scope\":\"download\",\"role\":\"anon\","
                         "\"exp\":2000}",
                         s.jwt_secret, "HS256");
    CU_ASSERT_EQUAL(storage_token_verify(a, &s, api, "b/k.txt", "download", 1001, &out),
                    TOKEN_INVALID);
    arena_free(a);
}

void register_storage_token_tests(void)
{
    CU_pSuite s = CU_add_suite("storage tokens", NULL, NULL);
    CU_add_test(s, "round trip, wrong object, wrong scope, expiry", test_round_trip);
    CU_add_test(s, "tampering and API tokens", test_tampering);
}
