/* Unit tests of JWK -> key and ID token verification, with keys made here:
 * RSA 2048 and EC P-256 pairs exported as JWKs, tokens signed with OpenSSL
 * (RS256; ES256 as r||s). Valid tokens of both kinds verify; then a wrong
 * key (same kid), an unknown kid, alg none, HS256 keyed with the public
 * key, an algorithm that does not fit the key, crit, a changed payload,
 * wrong aud/iss/nonce/azp, expired, issued in the future, no sub and
 * malformed tokens are refused with their own status. Microsoft's
 * "{tenantid}" issuer template. JWKs: short RSA keys, bad exponents, other
 * curves, off-curve points, encryption keys are refused or skipped. */
#include "unit.h"

#include "auth/id_token.h"
#include "auth/jwk.h"
#include "core/arena.h"
#include "core/json_text.h"
#include "jwt/base64url.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#define NOW ((time_t)1800000000)
#define ISSUER "https://issuer.example.com"
#define CLIENT "client-123"
#define NONCE "nonce-abc"

static arena *A;
static EVP_PKEY *RSA_SIGNER, *RSA_STRANGER, *EC_SIGNER, *EC_STRANGER;
static jwk_set KEYS;

static char *b64(const void *data, size_t n)
{
    char *out = arena_alloc(A, base64url_encoded_len(n) + 1);
    base64url_encode(data, n, out);
    return out;
}

static char *bn_b64(const BIGNUM *bn, int pad)
{
    int n = pad ? pad : BN_num_bytes(bn);
    unsigned char *buf = arena_alloc(A, (size_t)n);
    BN_bn2binpad(bn, buf, n);
    return b64(buf, (size_t)n);
}

/* The public JWK of a key as JSON text. */
static const char *jwk_json(EVP_PKEY *k, const char *kid)
{
    BIGNUM *p1 = NULL, *p2 = NULL;
    const char *out;
    if (EVP_PKEY_is_a(k, "RSA")) {
        EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &p1);
        EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &p2);
        out = arena_printf(
            A, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",\"n\":\"%s\",\"e\":\"%s\"}", kid,
            bn_b64(p1, 0), bn_b64(p2, 0));
    } else {
        EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &p1);
        EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &p2);
        out = arena_printf(
            A, "{\"kty\":\"EC\",\"kid\":\"%s\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", kid,
            bn_b64(p1, 32), bn_b64(p2, 32));
    }
    BN_free(p1);
    BN_free(p2);
    return out;
}

static json_object *parse(const char *text)
{
    return json_arena_owned(A, json_parse_exact(text, strlen(text)));
}

static int setup(void)
{
    A = arena_new(65536);
    RSA_SIGNER = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    RSA_STRANGER = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    EC_SIGNER = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EC_STRANGER = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!A || !RSA_SIGNER || !RSA_STRANGER || !EC_SIGNER || !EC_STRANGER)
        return 1;
    const char *set = arena_printf(
        A,
        "{\"keys\":[%s,%s,{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"},"
        "{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"enc-1\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        jwk_json(RSA_SIGNER, "rsa-1"), jwk_json(EC_SIGNER, "ec-1"));
    const char *why = NULL;
    return auth_jwk_set_parse(A, parse(set), &KEYS, &why) ? 0 : 1;
}

static int teardown(void)
{
    auth_jwk_set_free(&KEYS);
    EVP_PKEY_free(RSA_SIGNER);
    EVP_PKEY_free(RSA_STRANGER);
    EVP_PKEY_free(EC_SIGNER);
    EVP_PKEY_free(EC_STRANGER);
    arena_free(A);
    return 0;
}

/* base64url signature of input with key (ES256: r || s). */
static char *sign(EVP_PKEY *key, const char *input)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 0;
    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key);
    EVP_DigestSign(md, NULL, &n, (const unsigned char *)input, strlen(input));
    unsigned char *sig = arena_alloc(A, n);
    EVP_DigestSign(md, sig, &n, (const unsigned char *)input, strlen(input));
    EVP_MD_CTX_free(md);
    if (!EVP_PKEY_is_a(key, "EC"))
        return b64(sig, n);
    const unsigned char *p = sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
    ECDSA_SIG_free(es);
    return b64(raw, sizeof raw);
}

static const char *token_with(const char *header, const char *payload, EVP_PKEY *key)
{
    const char *input =
        arena_printf(A, "%s.%s", b64(header, strlen(header)), b64(payload, strlen(payload)));
    return arena_printf(A, "%s.%s", input, key ? sign(key, input) : "");
}

/* Standard claims with one member replaced or added (extra: ,"k":v...). */
static const char *claims(const char *iss, const char *aud, long exp, const char *nonce,
                          const char *extra)
{
    return arena_printf(A,
                        "{\"iss\":\"%s\",\"sub\":\"user-1\",\"aud\":%s,\"exp\":%ld,\"iat\":%ld,"
                        "\"nonce\":\"%s\",\"email\":\"a@example.com\"%s}",
                        iss, aud, exp, (long)NOW - 10, nonce, extra ? extra : "");
}

static const char *good_claims(void)
{
    return claims(ISSUER, "\"" CLIENT "\"", (long)NOW + 300, NONCE, NULL);
}

static id_token_status verify(const char *token, const char *issuer, const char *nonce)
{
    id_token_expect e = {.issuer = issuer, .client_id = CLIENT, .nonce = nonce};
    json_object *c = NULL;
    return auth_id_token_verify(A, token, &KEYS, &e, NOW, &c);
}

#define RS256 "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":\"JWT\"}"
#define ES256 "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}"

static void test_jwk_set(void)
{
    CU_ASSERT_EQUAL(KEYS.count, 2); /* oct and enc keys skipped */
    CU_ASSERT_STRING_EQUAL(KEYS.keys[0].kid, "rsa-1");
    CU_ASSERT_EQUAL(KEYS.keys[0].type, JWK_RSA);
    CU_ASSERT_EQUAL(KEYS.keys[1].type, JWK_EC_P256);
    jwk_set s;
    const char *why = NULL;
    CU_ASSERT_FALSE(auth_jwk_set_parse(A, parse("{\"keys\":{}}"), &s, &why));
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_FALSE(auth_jwk_set_parse(A, parse("[1]"), &s, &why));
    CU_ASSERT_FALSE(auth_jwk_set_parse(A, NULL, &s, &why));
    CU_ASSERT_TRUE(auth_jwk_set_parse(A, parse("{\"keys\":[]}"), &s, &why));
    CU_ASSERT_EQUAL(s.count, 0);
    auth_jwk_set_free(&s);
}

static void expect_bad_jwk(const char *text)
{
    jwk_type t;
    const char *why = NULL;
    EVP_PKEY *k = auth_jwk_to_pkey(A, parse(text), &t, &why);
    CU_ASSERT_PTR_NULL(k);
    CU_ASSERT_PTR_NOT_NULL(why);
    if (k) {
        fprintf(stderr, "\n  JWK accepted: %s\n", text);
        EVP_PKEY_free(k);
    }
}

static void test_bad_jwks(void)
{
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    expect_bad_jwk(jwk_json(small, "small"));
    EVP_PKEY_free(small);
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    BIGNUM *x = NULL, *y = NULL;
    EVP_PKEY_get_bn_param(p384, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(p384, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    expect_bad_jwk(arena_printf(A, "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"%s\",\"y\":\"%s\"}",
                                bn_b64(x, 48), bn_b64(y, 48)));
    BN_free(x);
    BN_free(y);
    EVP_PKEY_free(p384);
    /* a point not on the curve: the real x with y + 1 */
    const char *good = jwk_json(EC_SIGNER, "k");
    json_object *j = parse(good), *yv;
    json_object_object_get_ex(j, "y", &yv);
    char *ybytes;
    size_t ylen;
    base64url_decode(A, json_object_get_string(yv), strlen(json_object_get_string(yv)), &ybytes,
                     &ylen);
    ybytes[31] ^= 1;
    json_object_object_add(j, "y", json_object_new_string(b64(ybytes, ylen)));
    expect_bad_jwk(json_text(A, j));
    /* every other shape */
    expect_bad_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}");
    expect_bad_jwk("{\"kty\":\"RSA\",\"e\":\"AQAB\"}");
    expect_bad_jwk("{\"kty\":\"RSA\",\"n\":\"!!!\",\"e\":\"AQAB\"}");
    const char *rsa = jwk_json(RSA_SIGNER, "r");
    json_object *r = parse(rsa);
    json_object_object_add(r, "e", json_object_new_string("AQAA")); /* even exponent */
    expect_bad_jwk(json_text(A, r));
    json_object_object_add(r, "e", json_object_new_string("AQ")); /* e = 1 */
    expect_bad_jwk(json_text(A, r));
    json_object_object_add(r, "e", json_object_new_string("AQAB"));
    json_object_object_add(r, "use", json_object_new_string("enc"));
    expect_bad_jwk(json_text(A, r));
    expect_bad_jwk("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}");
    expect_bad_jwk("{\"n\":\"AQAB\"}");
    expect_bad_jwk("[]");
}

static void test_valid_tokens(void)
{
    id_token_expect e = {.issuer = ISSUER, .client_id = CLIENT, .nonce = NONCE};
    json_object *c = NULL;
    CU_ASSERT_EQUAL(
        auth_id_token_verify(A, token_with(RS256, good_claims(), RSA_SIGNER), &KEYS, &e, NOW, &c),
        ID_TOKEN_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    json_object *sub;
    CU_ASSERT_TRUE(json_object_object_get_ex(c, "sub", &sub));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(sub), "user-1");
    CU_ASSERT_EQUAL(verify(token_with(ES256, good_claims(), EC_SIGNER), ISSUER, NONCE),
                    ID_TOKEN_OK);
    /* no kid: any key of the right type */
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"RS256\"}", good_claims(), RSA_SIGNER), ISSUER, NONCE),
        ID_TOKEN_OK);
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"ES256\"}", good_claims(), EC_SIGNER), ISSUER, NONCE),
        ID_TOKEN_OK);
    /* aud as an array with the client; several audiences need azp */
    const char *arr = claims(ISSUER, "[\"" CLIENT "\"]", (long)NOW + 300, NONCE, NULL);
    CU_ASSERT_EQUAL(verify(token_with(RS256, arr, RSA_SIGNER), ISSUER, NONCE), ID_TOKEN_OK);
    const char *multi = claims(ISSUER, "[\"other\",\"" CLIENT "\"]", (long)NOW + 300, NONCE,
                               ",\"azp\":\"" CLIENT "\"");
    CU_ASSERT_EQUAL(verify(token_with(RS256, multi, RSA_SIGNER), ISSUER, NONCE), ID_TOKEN_OK);
    /* no nonce expected (none sent) */
    CU_ASSERT_EQUAL(verify(token_with(RS256, good_claims(), RSA_SIGNER), ISSUER, NULL),
                    ID_TOKEN_OK);
    /* within the leeway */
    const char *skew = claims(ISSUER, "\"" CLIENT "\"", (long)NOW - 30, NONCE, NULL);
    CU_ASSERT_EQUAL(verify(token_with(RS256, skew, RSA_SIGNER), ISSUER, NONCE), ID_TOKEN_OK);
}

static void test_wrong_key(void)
{
    /* another key under the published kid */
    CU_ASSERT_EQUAL(verify(token_with(RS256, good_claims(), RSA_STRANGER), ISSUER, NONCE),
                    ID_TOKEN_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(verify(token_with(ES256, good_claims(), EC_STRANGER), ISSUER, NONCE),
                    ID_TOKEN_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"RS256\"}", good_claims(), RSA_STRANGER), ISSUER, NONCE),
        ID_TOKEN_BAD_SIGNATURE);
    /* a kid the provider does not publish */
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"RS256\",\"kid\":\"rsa-9\"}", good_claims(), RSA_STRANGER),
               ISSUER, NONCE),
        ID_TOKEN_UNKNOWN_KEY);
    /* the EC key's kid with an RSA signature (and the reverse) */
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"RS256\",\"kid\":\"ec-1\"}", good_claims(), RSA_SIGNER),
               ISSUER, NONCE),
        ID_TOKEN_UNKNOWN_KEY);
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", good_claims(), EC_SIGNER),
               ISSUER, NONCE),
        ID_TOKEN_UNKNOWN_KEY);
    /* no keys at all */
    jwk_set empty = {0};
    id_token_expect e = {.issuer = ISSUER, .client_id = CLIENT, .nonce = NONCE};
    json_object *c;
    CU_ASSERT_EQUAL(
        auth_id_token_verify(A, token_with(RS256, good_claims(), RSA_SIGNER), &empty, &e, NOW, &c),
        ID_TOKEN_UNKNOWN_KEY);
    /* a changed payload under a valid signature */
    const char *t = token_with(RS256, good_claims(), RSA_SIGNER);
    const char *dot1 = strchr(t, '.'), *dot2 = strchr(dot1 + 1, '.');
    const char *evil =
        claims(ISSUER, "\"" CLIENT "\"", (long)NOW + 300, NONCE, ",\"email_verified\":true");
    const char *swapped =
        arena_printf(A, "%.*s.%s%s", (int)(dot1 - t), t, b64(evil, strlen(evil)), dot2);
    CU_ASSERT_EQUAL(verify(swapped, ISSUER, NONCE), ID_TOKEN_BAD_SIGNATURE);
}

static void test_wrong_algorithm(void)
{
    /* alg none, with and without a signature */
    CU_ASSERT_EQUAL(verify(token_with("{\"alg\":\"none\"}", good_claims(), NULL), ISSUER, NONCE),
                    ID_TOKEN_BAD_ALGORITHM);
    CU_ASSERT_EQUAL(
        verify(token_with("{\"alg\":\"none\",\"kid\":\"rsa-1\"}", good_claims(), RSA_SIGNER),
               ISSUER, NONCE),
        ID_TOKEN_BAD_ALGORITHM);
    /* HS256 with the public key's n as the HMAC secret (algorithm confusion) */
    const char *header = "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}";
    const char *payload = good_claims();
    const char *input =
        arena_printf(A, "%s.%s", b64(header, strlen(header)), b64(payload, strlen(payload)));
    unsigned char mac[32];
    unsigned int mac_len = 0;
    const char *pub = jwk_json(RSA_SIGNER, "rsa-1");
    HMAC(EVP_sha256(), pub, (int)strlen(pub), (const unsigned char *)input, strlen(input), mac,
         &mac_len);
    CU_ASSERT_EQUAL(verify(arena_printf(A, "%s.%s", input, b64(mac, mac_len)), ISSUER, NONCE),
                    ID_TOKEN_BAD_ALGORITHM);
    const char *other[] = {"{\"alg\":\"RS512\"}",
                           "{\"alg\":\"PS256\"}",
                           "{\"alg\":\"ES384\"}",
                           "{\"alg\":\"rs256\"}",
                           "{}",
                           "{\"alg\":256}"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        CU_ASSERT_EQUAL(verify(token_with(other[i], good_claims(), RSA_SIGNER), ISSUER, NONCE),
                        ID_TOKEN_BAD_ALGORITHM);
    CU_ASSERT_EQUAL(verify(token_with("{\"alg\":\"RS256\",\"crit\":[\"x\"],\"x\":1}", good_claims(),
                                      RSA_SIGNER),
                           ISSUER, NONCE),
                    ID_TOKEN_BAD_ALGORITHM);
    /* an ES256 signature of the wrong length */
    const char *t = token_with(ES256, good_claims(), EC_SIGNER);
    CU_ASSERT_EQUAL(verify(arena_printf(A, "%sAAAA", t), ISSUER, NONCE), ID_TOKEN_BAD_SIGNATURE);
}

static void test_wrong_claims(void)
{
    const char *aud = "\"" CLIENT "\"";
    long exp = (long)NOW + 300;
    struct {
        const char *claims;
        id_token_status want;
    } cases[] = {
        {claims("https://evil.example.com", aud, exp, NONCE, NULL), ID_TOKEN_BAD_ISSUER},
        {claims(ISSUER "/", aud, exp, NONCE, NULL), ID_TOKEN_BAD_ISSUER},
        {claims(ISSUER, "\"other-client\"", exp, NONCE, NULL), ID_TOKEN_BAD_AUDIENCE},
        {claims(ISSUER, "[\"other\",\"" CLIENT "\"]", exp, NONCE, NULL), ID_TOKEN_BAD_AUDIENCE},
        {claims(ISSUER, "[]", exp, NONCE, NULL), ID_TOKEN_BAD_AUDIENCE},
        {claims(ISSUER, "42", exp, NONCE, NULL), ID_TOKEN_BAD_AUDIENCE},
        {claims(ISSUER, aud, exp, NONCE, ",\"azp\":\"other\""), ID_TOKEN_BAD_AUDIENCE},
        {claims(ISSUER, aud, (long)NOW - 61, NONCE, NULL), ID_TOKEN_EXPIRED},
        {claims(ISSUER, aud, (long)NOW - 86400, NONCE, NULL), ID_TOKEN_EXPIRED},
        {claims(ISSUER, aud, exp, "other-nonce", NULL), ID_TOKEN_BAD_NONCE},
        {claims(ISSUER, aud, exp, "", NULL), ID_TOKEN_BAD_NONCE},
        {arena_printf(A, "{\"iss\":\"%s\",\"sub\":\"u\",\"aud\":%s,\"exp\":%ld,\"iat\":%ld}",
                      ISSUER, aud, exp, (long)NOW),
         ID_TOKEN_BAD_NONCE},
        {arena_printf(A, "{\"iss\":\"%s\",\"aud\":%s,\"exp\":%ld,\"iat\":%ld,\"nonce\":\"%s\"}",
                      ISSUER, aud, exp, (long)NOW, NONCE),
         ID_TOKEN_NO_SUBJECT},
        {arena_printf(A,
                      "{\"iss\":\"%s\",\"sub\":\"\",\"aud\":%s,\"exp\":%ld,\"iat\":%ld,"
                      "\"nonce\":\"%s\"}",
                      ISSUER, aud, exp, (long)NOW, NONCE),
         ID_TOKEN_NO_SUBJECT},
        {arena_printf(A,
                      "{\"iss\":\"%s\",\"sub\":\"u\",\"aud\":%s,\"exp\":%ld,\"iat\":%ld,"
                      "\"nonce\":\"%s\"}",
                      ISSUER, aud, exp, (long)NOW + 3600, NONCE),
         ID_TOKEN_NOT_YET_VALID},
        {claims(ISSUER, aud, exp, NONCE, ",\"nbf\":1900000000"), ID_TOKEN_NOT_YET_VALID},
        {arena_printf(A,
                      "{\"iss\":\"%s\",\"sub\":\"u\",\"aud\":%s,\"exp\":\"soon\",\"iat\":1,"
                      "\"nonce\":\"%s\"}",
                      ISSUER, aud, NONCE),
         ID_TOKEN_MALFORMED},
        {arena_printf(A, "{\"iss\":\"%s\",\"sub\":\"u\",\"aud\":%s,\"iat\":%ld,\"nonce\":\"%s\"}",
                      ISSUER, aud, (long)NOW, NONCE),
         ID_TOKEN_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        id_token_status got = verify(token_with(RS256, cases[i].claims, RSA_SIGNER), ISSUER, NONCE);
        CU_ASSERT_EQUAL(got, cases[i].want);
        if (got != cases[i].want)
            fprintf(stderr, "\n  case %zu: %s -> %s\n", i, cases[i].claims,
                    auth_id_token_status_message(got));
    }
}

static void test_tenant_issuer(void)
{
    const char *tmpl = "https://login.example.com/{tenantid}/v2.0";
    const char *tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
    const char *iss = arena_printf(A, "https://login.example.com/%s/v2.0", tid);
    const char *aud = "\"" CLIENT "\"";
    long exp = (long)NOW + 300;
    const char *ok = claims(iss, aud, exp, NONCE, arena_printf(A, ",\"tid\":\"%s\"", tid));
    CU_ASSERT_EQUAL(verify(token_with(RS256, ok, RSA_SIGNER), tmpl, NONCE), ID_TOKEN_OK);
    /* tid and iss disagree, tid missing, tid not a tenant id */
    const char *other =
        claims(iss, aud, exp, NONCE, ",\"tid\":\"00000000-0000-0000-0000-000000000000\"");
    CU_ASSERT_EQUAL(verify(token_with(RS256, other, RSA_SIGNER), tmpl, NONCE), ID_TOKEN_BAD_ISSUER);
    CU_ASSERT_EQUAL(
        verify(token_with(RS256, claims(iss, aud, exp, NONCE, NULL), RSA_SIGNER), tmpl, NONCE),
        ID_TOKEN_BAD_ISSUER);
    const char *path =
        claims("https://login.example.com/evil/x/v2.0", aud, exp, NONCE, ",\"tid\":\"evil/x\"");
    CU_ASSERT_EQUAL(verify(token_with(RS256, path, RSA_SIGNER), tmpl, NONCE), ID_TOKEN_BAD_ISSUER);
    /* a literal issuer does not accept a template in the token */
    CU_ASSERT_EQUAL(
        verify(token_with(RS256, claims(tmpl, aud, exp, NONCE, NULL), RSA_SIGNER), ISSUER, NONCE),
        ID_TOKEN_BAD_ISSUER);
}

static void test_malformed_tokens(void)
{
    const char *bad[] = {"",
                         "abc",
                         "a.b",
                         "a.b.c.d",
                         "e30.e30.",
                         "!!!.e30.e30",
                         "eyJhbGciOiJSUzI1NiJ9.W10.AAAA",
                         "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.AAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        id_token_status st = verify(bad[i], ISSUER, NONCE);
        CU_ASSERT(st == ID_TOKEN_MALFORMED || st == ID_TOKEN_BAD_ALGORITHM);
    }
    CU_ASSERT_EQUAL(verify(NULL, ISSUER, NONCE), ID_TOKEN_MALFORMED);
    char *huge = arena_alloc(A, ID_TOKEN_MAX + 10);
    memset(huge, 'A', ID_TOKEN_MAX + 9);
    huge[10] = huge[20] = '.';
    huge[ID_TOKEN_MAX + 9] = '\0';
    CU_ASSERT_EQUAL(verify(huge, ISSUER, NONCE), ID_TOKEN_MALFORMED);
    for (int st = ID_TOKEN_OK; st <= ID_TOKEN_NO_SUBJECT; st++)
        CU_ASSERT(strlen(auth_id_token_status_message((id_token_status)st)) > 0);
}

void register_id_token_tests(void)
{
    CU_pSuite s = CU_add_suite("id_token", setup, teardown);
    CU_add_test(s, "JWK Set parsing", test_jwk_set);
    CU_add_test(s, "unusable JWKs", test_bad_jwks);
    CU_add_test(s, "valid RS256 and ES256 tokens", test_valid_tokens);
    CU_add_test(s, "wrong or unknown key", test_wrong_key);
    CU_add_test(s, "wrong algorithm, alg none, HMAC confusion", test_wrong_algorithm);
    CU_add_test(s, "wrong iss, aud, azp, nonce, times, sub", test_wrong_claims);
    CU_add_test(s, "Microsoft tenant issuer", test_tenant_issuer);
    CU_add_test(s, "malformed tokens", test_malformed_tokens);
}
