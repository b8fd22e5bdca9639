/* Fuzzes OpenID Connect ID token verification (auth/id_token) against a
 * JWK Set of an RSA and an EC P-256 key made at start. Input: byte 0
 * picks the mode, then NUL-separated fields. Mode 0: the token as given
 * (must never verify: nobody but us holds the keys). Mode 1: a header and
 * payload (JSON text) signed RS256 with our RSA key, so the claim checks
 * get fuzzed inputs. Invariant: a token that verifies has the expected
 * issuer, audience (or azp), nonce and a non-empty sub. */
#include "harness.h"

#include "auth/id_token.h"
#include "auth/jwk.h"
#include "core/json_text.h"
#include "jwt/base64url.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>

#define NOW ((time_t)1800000000)
#define ISSUER "https://issuer.example.com"
#define CLIENT "client-123"
#define NONCE "nonce-abc"

static EVP_PKEY *RSA_KEY;
static jwk_set KEYS;

static char *b64(arena *a, const void *data, size_t n)
{
    char *out = arena_alloc(a, base64url_encoded_len(n) + 1);
    base64url_encode(data, n, out);
    return out;
}

static char *bn_b64(arena *a, EVP_PKEY *k, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    EVP_PKEY_get_bn_param(k, param, &bn);
    int n = pad ? pad : BN_num_bytes(bn);
    unsigned char *buf = arena_alloc(a, (size_t)n);
    BN_bn2binpad(bn, buf, n);
    BN_free(bn);
    return b64(a, buf, (size_t)n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    arena *a = fz_begin();
    RSA_KEY = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    const char *set = arena_printf(
        a,
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":\"%s\",\"e\":\"%s\"},"
        "{\"kty\":\"EC\",\"kid\":\"ec-1\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}]}",
        bn_b64(a, RSA_KEY, OSSL_PKEY_PARAM_RSA_N, 0), bn_b64(a, RSA_KEY, OSSL_PKEY_PARAM_RSA_E, 0),
        bn_b64(a, ec, OSSL_PKEY_PARAM_EC_PUB_X, 32), bn_b64(a, ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    EVP_PKEY_free(ec);
    const char *why;
    json_object *doc = json_arena_owned(a, json_parse_exact(set, strlen(set)));
    if (!auth_jwk_set_parse(a, doc, &KEYS, &why) || KEYS.count != 2) {
        fprintf(stderr, "fuzz_id_token: could not make the key set\n");
        abort();
    }
    return 0;
}

static const char *sign_rs256(arena *a, const char *header, const char *payload)
{
    const char *input =
        arena_printf(a, "%s.%s", b64(a, header, strlen(header)), b64(a, payload, strlen(payload)));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 0;
    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, RSA_KEY);
    EVP_DigestSign(md, NULL, &n, (const unsigned char *)input, strlen(input));
    unsigned char *sig = arena_alloc(a, n);
    EVP_DigestSign(md, sig, &n, (const unsigned char *)input, strlen(input));
    EVP_MD_CTX_free(md);
    return arena_printf(a, "%s.%s", input, b64(a, sig, n));
}

static bool audience_ok(json_object *claims)
{
    json_object *aud, *azp;
    if (!json_object_object_get_ex(claims, "aud", &aud))
        return false;
    if (json_object_is_type(aud, json_type_string))
        return strcmp(json_object_get_string(aud), CLIENT) == 0;
    return json_object_object_get_ex(claims, "azp", &azp) &&
           strcmp(json_object_get_string(azp), CLIENT) == 0;
}

static void check_claims(json_object *claims)
{
    json_object *v;
    FZ_ASSERT(json_object_object_get_ex(claims, "iss", &v) &&
                  strcmp(json_object_get_string(v), ISSUER) == 0,
              "verified with another issuer");
    FZ_ASSERT(audience_ok(claims), "verified for another audience");
    FZ_ASSERT(json_object_object_get_ex(claims, "nonce", &v) &&
                  strcmp(json_object_get_string(v), NONCE) == 0,
              "verified with another nonce");
    FZ_ASSERT(json_object_object_get_ex(claims, "sub", &v) &&
                  json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0,
              "verified without a subject");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    const char *f[2];
    fz_fields(data + 1, size - 1, f, 2);
    id_token_expect expect = {.issuer = ISSUER, .client_id = CLIENT, .nonce = NONCE};
    json_object *claims = NULL;
    const char *token = data[0] & 1 ? sign_rs256(a, f[0], f[1]) : f[0];
    id_token_status st = auth_id_token_verify(a, token, &KEYS, &expect, NOW, &claims);
    FZ_ASSERT(auth_id_token_status_message(st), "status without message");
    FZ_ASSERT(st != ID_TOKEN_OK || data[0] & 1, "an unsigned fuzzed token verified: %s", token);
    if (st == ID_TOKEN_OK)
        check_claims(claims);
    return 0;
}
