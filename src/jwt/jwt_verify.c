/* JWT verification; see jwt_verify.h. */
#include "jwt/jwt_verify.h"

#include "core/json_text.h"
#include "jwt/base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

const char *jwt_status_message(jwt_status st)
{
    switch (st) {
    case JWT_OK:
        return "ok";
    case JWT_MALFORMED:
        return "malformed token";
    case JWT_BAD_ALGORITHM:
        return "unsupported token algorithm";
    case JWT_BAD_SIGNATURE:
        return "invalid token signature";
    case JWT_EXPIRED:
        return "token expired";
    case JWT_NOT_YET_VALID:
        return "token not yet valid";
    case JWT_BAD_TIME_CLAIM:
        return "malformed token: exp and nbf must be numbers";
    case JWT_MISSING_ROLE:
        return "token has no role claim";
    case JWT_UNKNOWN_ROLE:
        return "token role must be anon, authenticated or service_role";
    }
    return "invalid token";
}

int jwt_role_known(const char *role)
{
    return strcmp(role, "anon") == 0 || strcmp(role, "authenticated") == 0 ||
           strcmp(role, "service_role") == 0;
}

/* Decodes one segment into a JSON object owned by the arena. */
static json_object *segment_object(arena *a, const char *s, size_t n)
{
    char *text;
    size_t len;
    if (n == 0 || !base64url_decode(a, s, n, &text, &len))
        return NULL;
    json_object *obj = json_arena_owned(a, json_parse_exact(text, len));
    return json_object_is_type(obj, json_type_object) ? obj : NULL;
}

static bool segment_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* The worker's HMAC context, keyed once with the secret and the digest of
 * the algorithm, and copied for each token: OpenSSL 3's one-shot HMAC()
 * fetches the algorithms and sets the key up on every call, about a sixth
 * of a REST request's instructions (tests/bench/worker). Rekeyed when the
 * secret or the algorithm changes. */
static EVP_MAC_CTX *keyed_mac(const char *secret, const char *algorithm)
{
    static EVP_MAC *mac;
    static EVP_MAC_CTX *keyed;
    static char *key, *alg;
    if (keyed && strcmp(alg, algorithm) == 0 && strlen(key) == strlen(secret) &&
        CRYPTO_memcmp(key, secret, strlen(secret)) == 0)
        return keyed;
    EVP_MAC_CTX_free(keyed);
    free(key);
    free(alg);
    keyed = NULL, key = strdup(secret), alg = strdup(algorithm);
    char *digest = strcmp(algorithm, "HS512") == 0   ? "SHA512"
                   : strcmp(algorithm, "HS384") == 0 ? "SHA384"
                                                     : "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!mac)
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (c && EVP_MAC_init(c, (const unsigned char *)secret, strlen(secret), params))
        keyed = c;
    else
        EVP_MAC_CTX_free(c);
    return keyed;
}

/* HMAC of "header.payload" compared with the decoded signature in constant
 * time (libjwt 1.10 compares the encoded signatures with strcmp). */
static bool signature_valid(arena *a, const char *token, size_t signed_len, const char *sig,
                            size_t sig_len, const char *secret, const char *algorithm)
{
    EVP_MAC_CTX *keyed = keyed_mac(secret, algorithm);
    EVP_MAC_CTX *c = keyed ? EVP_MAC_CTX_dup(keyed) : NULL;
    unsigned char expected[EVP_MAX_MD_SIZE];
    size_t expected_len = 0;
    bool ok = c && EVP_MAC_update(c, (const unsigned char *)token, signed_len) &&
              EVP_MAC_final(c, expected, &expected_len, sizeof expected);
    EVP_MAC_CTX_free(c);
    char *given;
    size_t given_len;
    if (!ok || !base64url_decode(a, sig, sig_len, &given, &given_len) || given_len != expected_len)
        return false;
    return CRYPTO_memcmp(expected, given, expected_len) == 0;
}

/* Checks a numeric time claim; *present tells whether it was there. */
static bool time_claim(json_object *claims, const char *name, double *value, bool *present)
{
    json_object *v;
    *present = json_object_object_get_ex(claims, name, &v);
    if (!*present)
        return true;
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return false;
    *value = json_object_get_double(v);
    return true;
}

static jwt_status check_claims(json_object *claims, time_t now)
{
    double exp = 0, nbf = 0;
    bool has_exp, has_nbf;
    if (!time_claim(claims, "exp", &exp, &has_exp) || !time_claim(claims, "nbf", &nbf, &has_nbf))
        return JWT_BAD_TIME_CLAIM;
    if (has_exp && (double)now >= exp)
        return JWT_EXPIRED;
    if (has_nbf && (double)now < nbf)
        return JWT_NOT_YET_VALID;
    json_object *role;
    if (!json_object_object_get_ex(claims, "role", &role) ||
        !json_object_is_type(role, json_type_string))
        return JWT_MISSING_ROLE;
    if (!json_plain_string(role) || !jwt_role_known(json_plain_string(role)))
        return JWT_UNKNOWN_ROLE;
    return JWT_OK;
}

jwt_status jwt_verify(arena *a, const char *token, const char *secret, const char *algorithm,
                      time_t now, json_object **claims)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || strchr(dot2 + 1, '.'))
        return JWT_MALFORMED;
    size_t sig_len = strlen(dot2 + 1);
    if (!segment_chars_ok(dot2 + 1, sig_len))
        return JWT_MALFORMED;
    json_object *header = segment_object(a, token, (size_t)(dot1 - token));
    json_object *payload = segment_object(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!header || !payload)
        return JWT_MALFORMED;
    json_object *alg;
    if (!json_object_object_get_ex(header, "alg", &alg) || !json_plain_string(alg) ||
        strcmp(json_plain_string(alg), algorithm) != 0)
        return JWT_BAD_ALGORITHM;
    if (sig_len == 0 ||
        !signature_valid(a, token, (size_t)(dot2 - token), dot2 + 1, sig_len, secret, algorithm))
        return JWT_BAD_SIGNATURE;
    jwt_status st = check_claims(payload, now);
    if (st == JWT_OK)
        *claims = payload;
    return st;
}
