/* ID token verification; see id_token.h. */
#include "auth/id_token.h"

#include "core/json_text.h"
#include "jwt/base64url.h"

#include <openssl/ecdsa.h>
#include <string.h>

#define ES256_SIG_LEN 64

const char *auth_id_token_status_message(id_token_status st)
{
    switch (st) {
    case ID_TOKEN_OK:
        return "ok";
    case ID_TOKEN_MALFORMED:
        return "id_token is malformed";
    case ID_TOKEN_BAD_ALGORITHM:
        return "id_token algorithm is not accepted (RS256 or ES256 only)";
    case ID_TOKEN_UNKNOWN_KEY:
        return "id_token is signed with a key the provider does not publish";
    case ID_TOKEN_BAD_SIGNATURE:
        return "id_token signature is invalid";
    case ID_TOKEN_BAD_ISSUER:
        return "id_token issuer does not match the provider";
    case ID_TOKEN_BAD_AUDIENCE:
        return "id_token audience does not match the client id";
    case ID_TOKEN_EXPIRED:
        return "id_token has expired";
    case ID_TOKEN_NOT_YET_VALID:
        return "id_token is not valid yet";
    case ID_TOKEN_BAD_NONCE:
        return "id_token nonce does not match the sign-in request";
    case ID_TOKEN_NO_SUBJECT:
        return "id_token has no subject";
    }
    return "id_token is invalid";
}

typedef struct jws {
    json_object *header, *payload;
    const char *signing_input;
    size_t signing_input_len;
    unsigned char *signature;
    size_t signature_len;
} jws;

static json_object *segment_object(arena *a, const char *s, size_t n)
{
    char *text;
    size_t len;
    if (n == 0 || !base64url_decode(a, s, n, &text, &len))
        return NULL;
    json_object *o = json_arena_owned(a, json_parse_exact(text, len));
    return json_object_is_type(o, json_type_object) ? o : NULL;
}

static bool jws_split(arena *a, const char *token, jws *out)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    char *sig;
    if (!dot2 || strchr(dot2 + 1, '.') || strlen(token) > ID_TOKEN_MAX)
        return false;
    out->header = segment_object(a, token, (size_t)(dot1 - token));
    out->payload = segment_object(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    out->signing_input = token;
    out->signing_input_len = (size_t)(dot2 - token);
    if (!out->header || !out->payload ||
        !base64url_decode(a, dot2 + 1, strlen(dot2 + 1), &sig, &out->signature_len))
        return false;
    out->signature = (unsigned char *)sig;
    return true;
}

static const char *string_member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* The key type an accepted algorithm needs; false for every other. */
static bool algorithm_key_type(const char *alg, jwk_type *type)
{
    if (alg && strcmp(alg, "RS256") == 0)
        *type = JWK_RSA;
    else if (alg && strcmp(alg, "ES256") == 0)
        *type = JWK_EC_P256;
    else
        return false;
    return true;
}

/* r || s (32 bytes each) as the DER ECDSA-Sig-Value OpenSSL verifies. */
static unsigned char *es256_der(arena *a, const unsigned char *sig, size_t *der_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, ES256_SIG_LEN / 2, NULL);
    BIGNUM *s = BN_bin2bn(sig + ES256_SIG_LEN / 2, ES256_SIG_LEN / 2, NULL);
    unsigned char *der = NULL, *out = NULL;
    if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL; /* owned by es */
        int n = i2d_ECDSA_SIG(es, &der);
        if (n > 0) {
            out = arena_alloc(a, (size_t)n);
            memcpy(out, der, (size_t)n);
            *der_len = (size_t)n;
        }
    }
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return out;
}

static bool signature_valid(arena *a, const jwk_key *k, const jws *t)
{
    const unsigned char *sig = t->signature;
    size_t sig_len = t->signature_len;
    if (k->type == JWK_EC_P256) {
        if (sig_len != ES256_SIG_LEN || !(sig = es256_der(a, sig, &sig_len)))
            return false;
    } else if (sig_len != (size_t)EVP_PKEY_get_size(k->pkey)) {
        return false;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
              EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)t->signing_input,
                               t->signing_input_len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Tries the keys that fit kid and algorithm. */
static id_token_status check_signature(arena *a, const jws *t, const jwk_set *keys)
{
    const char *alg = string_member(t->header, "alg");
    const char *kid = string_member(t->header, "kid");
    jwk_type type;
    if (!algorithm_key_type(alg, &type) || json_object_object_get_ex(t->header, "crit", NULL))
        return ID_TOKEN_BAD_ALGORITHM;
    bool candidate = false;
    for (size_t i = 0; keys && i < keys->count; i++) {
        const jwk_key *k = &keys->keys[i];
        if (k->type != type || (k->alg && strcmp(k->alg, alg) != 0) ||
            (kid && (!k->kid || strcmp(k->kid, kid) != 0)))
            continue;
        candidate = true;
        if (signature_valid(a, k, t))
            return ID_TOKEN_OK;
    }
    return candidate ? ID_TOKEN_BAD_SIGNATURE : ID_TOKEN_UNKNOWN_KEY;
}

/* The issuer expected for these claims: "{tenantid}" replaced by tid
 * (which must look like a tenant id). NULL when it cannot be built. */
static const char *expected_issuer(arena *a, const char *issuer, json_object *claims)
{
    const char *mark = strstr(issuer, "{tenantid}");
    if (!mark)
        return issuer;
    const char *tid = string_member(claims, "tid");
    if (!tid || !*tid || strlen(tid) > 64 || strspn(tid, "0123456789abcdefABCDEF-") != strlen(tid))
        return NULL;
    return arena_printf(a, "%.*s%s%s", (int)(mark - issuer), issuer, tid,
                        mark + strlen("{tenantid}"));
}

static bool audience_ok(json_object *claims, const char *client_id)
{
    json_object *aud;
    if (!json_object_object_get_ex(claims, "aud", &aud))
        return false;
    const char *azp = string_member(claims, "azp");
    if (azp && strcmp(azp, client_id) != 0)
        return false;
    if (json_object_is_type(aud, json_type_string))
        return strcmp(json_object_get_string(aud), client_id) == 0;
    if (!json_object_is_type(aud, json_type_array))
        return false;
    size_t n = json_object_array_length(aud);
    bool listed = false;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(aud, i);
        listed |= json_object_is_type(v, json_type_string) &&
                  strcmp(json_object_get_string(v), client_id) == 0;
    }
    return listed && (n == 1 || azp);
}

/* A numeric time claim; *present tells whether it is there. */
static bool time_claim(json_object *claims, const char *key, double *value, bool *present)
{
    json_object *v;
    *present = json_object_object_get_ex(claims, key, &v);
    if (!*present)
        return true;
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return false;
    *value = json_object_get_double(v);
    return true;
}

static id_token_status check_times(json_object *claims, time_t now)
{
    double exp = 0, iat = 0, nbf = 0;
    bool has_exp, has_iat, has_nbf;
    if (!time_claim(claims, "exp", &exp, &has_exp) || !time_claim(claims, "iat", &iat, &has_iat) ||
        !time_claim(claims, "nbf", &nbf, &has_nbf) || !has_exp || !has_iat)
        return ID_TOKEN_MALFORMED;
    if ((double)now >= exp + ID_TOKEN_LEEWAY_S)
        return ID_TOKEN_EXPIRED;
    if (iat > (double)now + ID_TOKEN_LEEWAY_S || (has_nbf && nbf > (double)now + ID_TOKEN_LEEWAY_S))
        return ID_TOKEN_NOT_YET_VALID;
    return ID_TOKEN_OK;
}

static id_token_status check_claims(arena *a, json_object *claims, const id_token_expect *expect,
                                    time_t now)
{
    const char *iss = string_member(claims, "iss");
    const char *want_iss = expected_issuer(a, expect->issuer, claims);
    if (!iss || !want_iss || strcmp(iss, want_iss) != 0)
        return ID_TOKEN_BAD_ISSUER;
    if (!audience_ok(claims, expect->client_id))
        return ID_TOKEN_BAD_AUDIENCE;
    id_token_status st = check_times(claims, now);
    if (st != ID_TOKEN_OK)
        return st;
    const char *nonce = string_member(claims, "nonce");
    if (expect->nonce && (!nonce || strcmp(nonce, expect->nonce) != 0))
        return ID_TOKEN_BAD_NONCE;
    const char *sub = string_member(claims, "sub");
    if (!sub || !*sub || strlen(sub) > 255)
        return ID_TOKEN_NO_SUBJECT;
    return ID_TOKEN_OK;
}

id_token_status auth_id_token_verify(arena *a, const char *token, const jwk_set *keys,
                                     const id_token_expect *expect, time_t now,
                                     json_object **claims)
{
    jws t;
    if (!token || !jws_split(a, token, &t))
        return ID_TOKEN_MALFORMED;
    id_token_status st = check_signature(a, &t, keys);
    if (st == ID_TOKEN_OK)
        st = check_claims(a, t.payload, expect, now);
    if (st == ID_TOKEN_OK)
        *claims = t.payload;
    return st;
}
