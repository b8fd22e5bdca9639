/* Unit tests of the sealed OAuth state and PKCE: a state opens to exactly
 * what was sealed; every changed byte, a truncation, another secret, the
 * wrong version, garbage and oversized text are refused; it expires after
 * OAUTH_STATE_TTL_S; it is bound to its provider; its text reveals neither
 * the PKCE verifier nor the nonce; two seals of the same state differ (a
 * fresh IV). The S256 challenge matches RFC 7636's example. */
#include "unit.h"

#include "auth/oauth_state.h"
#include "auth/pkce.h"
#include "core/arena.h"
#include "jwt/base64url.h"

#include <stdio.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef-state-unit"
#define OTHER_SECRET "fedcba9876543210fedcba9876543210-state-unit"
#define NOW ((time_t)1800000000)
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

static arena *A;

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

static oauth_state sample(void)
{
    oauth_state s = {.provider = "google",
                     .redirect_to = "https://app.example.com/welcome?x=1",
                     .code_verifier = VERIFIER,
                     .nonce = "n0nce-value-1234567890",
                     .expires_at = (long long)NOW + OAUTH_STATE_TTL_S};
    return s;
}

static oauth_state_status open_at(const char *text, const char *provider, time_t now,
                                  oauth_state *out)
{
    return auth_oauth_state_open(A, SECRET, text, provider, now, out);
}

static void test_round_trip(void)
{
    oauth_state s = sample(), got;
    char *text = auth_oauth_state_seal(A, SECRET, &s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL_FATAL(open_at(text, "google", NOW, &got), OAUTH_STATE_OK);
    CU_ASSERT_STRING_EQUAL(got.provider, "google");
    CU_ASSERT_STRING_EQUAL(got.redirect_to, s.redirect_to);
    CU_ASSERT_STRING_EQUAL(got.code_verifier, VERIFIER);
    CU_ASSERT_STRING_EQUAL(got.nonce, s.nonce);
    CU_ASSERT_EQUAL(got.expires_at, s.expires_at);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW, &got), OAUTH_STATE_OK);

    /* GitHub: no nonce, no redirect_to */
    oauth_state g = {.provider = "github", .code_verifier = VERIFIER, .expires_at = NOW + 60};
    text = auth_oauth_state_seal(A, SECRET, &g);
    CU_ASSERT_EQUAL_FATAL(open_at(text, "github", NOW, &got), OAUTH_STATE_OK);
    CU_ASSERT_PTR_NULL(got.nonce);
    CU_ASSERT_PTR_NULL(got.redirect_to);

    /* the text is URL-safe and keeps its secrets */
    oauth_state s2 = sample();
    char *t1 = auth_oauth_state_seal(A, SECRET, &s2), *t2 = auth_oauth_state_seal(A, SECRET, &s2);
    CU_ASSERT_EQUAL(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                    strlen(t1));
    CU_ASSERT_STRING_NOT_EQUAL(t1, t2);
    CU_ASSERT_PTR_NULL(strstr(t1, "dBjft"));
    char *raw;
    size_t raw_len;
    CU_ASSERT_TRUE_FATAL(base64url_decode(A, t1, strlen(t1), &raw, &raw_len));
    CU_ASSERT_PTR_NULL(memmem(raw, raw_len, VERIFIER, strlen(VERIFIER)));
    CU_ASSERT_PTR_NULL(memmem(raw, raw_len, "n0nce", 5));
    CU_ASSERT_PTR_NULL(memmem(raw, raw_len, "google", 6));

    /* nothing to seal without provider or verifier */
    oauth_state bad = {.provider = "google", .expires_at = NOW};
    CU_ASSERT_PTR_NULL(auth_oauth_state_seal(A, SECRET, &bad));
}

/* Flipping any bit of the decoded blob is detected. */
static void test_tampered(void)
{
    oauth_state s = sample(), got;
    char *text = auth_oauth_state_seal(A, SECRET, &s);
    char *raw;
    size_t raw_len;
    CU_ASSERT_TRUE_FATAL(base64url_decode(A, text, strlen(text), &raw, &raw_len));
    int accepted = 0;
    for (size_t i = 0; i < raw_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            char *copy = arena_alloc(A, raw_len);
            memcpy(copy, raw, raw_len);
            copy[i] ^= (char)(1 << bit);
            char *t = arena_alloc(A, base64url_encoded_len(raw_len) + 1);
            base64url_encode((unsigned char *)copy, raw_len, t);
            oauth_state_status st = open_at(t, NULL, NOW, &got);
            accepted += st == OAUTH_STATE_OK;
            CU_ASSERT(st == OAUTH_STATE_FORGED || st == OAUTH_STATE_MALFORMED);
        }
    }
    CU_ASSERT_EQUAL(accepted, 0);

    /* a changed character of the text */
    char *t = arena_strdup(A, text);
    t[strlen(t) / 2] = t[strlen(t) / 2] == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(open_at(t, NULL, NOW, &got), OAUTH_STATE_FORGED);
    /* truncated: the tag is cut */
    t = arena_strndup(A, text, strlen(text) - 4);
    CU_ASSERT_NOT_EQUAL(open_at(t, NULL, NOW, &got), OAUTH_STATE_OK);
    /* appended bytes */
    t = arena_printf(A, "%sAAAA", text);
    CU_ASSERT_NOT_EQUAL(open_at(t, NULL, NOW, &got), OAUTH_STATE_OK);
    /* sealed with another secret */
    t = auth_oauth_state_seal(A, OTHER_SECRET, &s);
    CU_ASSERT_EQUAL(open_at(t, NULL, NOW, &got), OAUTH_STATE_FORGED);
}

static void test_malformed(void)
{
    oauth_state got;
    CU_ASSERT_EQUAL(open_at(NULL, NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    CU_ASSERT_EQUAL(open_at("", NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    CU_ASSERT_EQUAL(open_at("not base64!", NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    CU_ASSERT_EQUAL(open_at("AAAA", NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    CU_ASSERT_EQUAL(open_at("eyJhbGciOiJub25lIn0.e30.", NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    /* a blob of the right length with another version byte */
    unsigned char blob[64];
    memset(blob, 0x42, sizeof blob);
    blob[0] = 0x02;
    char text[100];
    base64url_encode(blob, sizeof blob, text);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW, &got), OAUTH_STATE_MALFORMED);
    blob[0] = 0x01;
    base64url_encode(blob, sizeof blob, text);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW, &got), OAUTH_STATE_FORGED);
    /* oversized */
    char *huge = arena_alloc(A, OAUTH_STATE_MAX + 2);
    memset(huge, 'A', OAUTH_STATE_MAX + 1);
    huge[OAUTH_STATE_MAX + 1] = '\0';
    CU_ASSERT_EQUAL(open_at(huge, NULL, NOW, &got), OAUTH_STATE_MALFORMED);
}

static void test_expired(void)
{
    oauth_state s = sample(), got;
    char *text = auth_oauth_state_seal(A, SECRET, &s);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW + OAUTH_STATE_TTL_S - 1, &got), OAUTH_STATE_OK);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW + OAUTH_STATE_TTL_S, &got), OAUTH_STATE_EXPIRED);
    CU_ASSERT_EQUAL(open_at(text, NULL, NOW + 86400, &got), OAUTH_STATE_EXPIRED);
    /* expiry is checked before the provider */
    CU_ASSERT_EQUAL(open_at(text, "github", NOW + 86400, &got), OAUTH_STATE_EXPIRED);
}

static void test_wrong_provider(void)
{
    oauth_state s = sample(), got;
    char *text = auth_oauth_state_seal(A, SECRET, &s);
    CU_ASSERT_EQUAL(open_at(text, "github", NOW, &got), OAUTH_STATE_WRONG_PROVIDER);
    CU_ASSERT_EQUAL(open_at(text, "googlex", NOW, &got), OAUTH_STATE_WRONG_PROVIDER);
    CU_ASSERT_EQUAL(open_at(text, "", NOW, &got), OAUTH_STATE_WRONG_PROVIDER);
    CU_ASSERT_EQUAL(open_at(text, "google", NOW, &got), OAUTH_STATE_OK);
    for (int st = OAUTH_STATE_OK; st <= OAUTH_STATE_WRONG_PROVIDER; st++)
        CU_ASSERT(strlen(auth_oauth_state_status_message((oauth_state_status)st)) > 0);
}

/* Regression (fuzz_oauth_state): a state too long for auth_oauth_state_open
 * (OAUTH_STATE_MAX) was sealed anyway, so a sign-in with a long allowed
 * redirect_to failed only at the callback. Now it does not fit and is not
 * sealed; one that fits opens. */
static void test_too_long(void)
{
    oauth_state s = sample(), got;
    char *url = arena_alloc(A, 4001);
    memset(url, 'a', 4000);
    url[4000] = '\0';
    memcpy(url, "https://app.example.com/", 24);
    s.redirect_to = url;
    CU_ASSERT_FALSE(auth_oauth_state_fits(A, &s));
    CU_ASSERT_PTR_NULL(auth_oauth_state_seal(A, SECRET, &s));
    url[2000] = '\0';
    CU_ASSERT_TRUE(auth_oauth_state_fits(A, &s));
    char *text = auth_oauth_state_seal(A, SECRET, &s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_TRUE(strlen(text) <= OAUTH_STATE_MAX);
    CU_ASSERT_EQUAL(open_at(text, "google", NOW, &got), OAUTH_STATE_OK);
}

static void test_pkce(void)
{
    /* RFC 7636, appendix B */
    CU_ASSERT_STRING_EQUAL(auth_pkce_challenge_s256(A, VERIFIER),
                           "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    CU_ASSERT_EQUAL(strlen(auth_pkce_challenge_s256(A, "x")), 43);
}

void register_oauth_state_tests(void)
{
    CU_pSuite s = CU_add_suite("oauth_state", setup, teardown);
    CU_add_test(s, "seal and open", test_round_trip);
    CU_add_test(s, "tampered states", test_tampered);
    CU_add_test(s, "malformed states", test_malformed);
    CU_add_test(s, "expired states", test_expired);
    CU_add_test(s, "wrong provider", test_wrong_provider);
    CU_add_test(s, "a state too long to open is not sealed", test_too_long);
    CU_add_test(s, "PKCE S256", test_pkce);
}
