/* JWK -> OpenSSL keys; see jwk.h. */
#include "auth/jwk.h"

#include "jwt/base64url.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384
#define P256_COORD 32

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* The base64url member key of the JWK as bytes; false when absent or not
 * base64url. */
static bool member_bytes(arena *a, json_object *jwk, const char *key, char **out, size_t *len)
{
    const char *s = member(jwk, key);
    return s && *s && base64url_decode(a, s, strlen(s), out, len);
}

/* EVP_PKEY_fromdata for a public key of the given OpenSSL type name. */
static EVP_PKEY *key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    EVP_PKEY *pkey = NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *rsa_key(arena *a, json_object *jwk, const char **why)
{
    char *n, *e;
    size_t n_len, e_len;
    if (!member_bytes(a, jwk, "n", &n, &n_len) || !member_bytes(a, jwk, "e", &e, &e_len)) {
        *why = "RSA key without n or e";
        return NULL;
    }
    if (e_len > 8 || !(e[e_len - 1] & 1) || (e_len == 1 && (unsigned char)e[0] < 3)) {
        *why = "RSA key with an unusable exponent";
        return NULL;
    }
    BIGNUM *bn_n = BN_bin2bn((unsigned char *)n, (int)n_len, NULL);
    BIGNUM *bn_e = BN_bin2bn((unsigned char *)e, (int)e_len, NULL);
    int bits = bn_n ? BN_num_bits(bn_n) : 0;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
        *why = "RSA key shorter than 2048 or longer than 16384 bits";
    else if (!bld || !bn_e || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
             !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
             !(pkey = key_from_params("RSA", bld)))
        *why = "RSA key rejected by OpenSSL";
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return pkey;
}

/* Is the key's point on its curve (and not the point at infinity)? */
static bool public_key_valid(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok = ctx && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static EVP_PKEY *ec_key(arena *a, json_object *jwk, const char **why)
{
    const char *crv = member(jwk, "crv");
    char *x, *y;
    size_t x_len, y_len;
    if (!crv || strcmp(crv, "P-256") != 0) {
        *why = "EC key on a curve other than P-256";
        return NULL;
    }
    if (!member_bytes(a, jwk, "x", &x, &x_len) || !member_bytes(a, jwk, "y", &y, &y_len) ||
        x_len != P256_COORD || y_len != P256_COORD) {
        *why = "EC key without 32-byte x and y";
        return NULL;
    }
    unsigned char point[1 + 2 * P256_COORD] = {0x04};
    memcpy(point + 1, x, P256_COORD);
    memcpy(point + 1 + P256_COORD, y, P256_COORD);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
        pkey = key_from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    if (pkey && !public_key_valid(pkey)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    if (!pkey)
        *why = "EC key whose point is not on P-256";
    return pkey;
}

EVP_PKEY *auth_jwk_to_pkey(arena *scratch, json_object *jwk, jwk_type *type, const char **why)
{
    const char *kty = json_object_is_type(jwk, json_type_object) ? member(jwk, "kty") : NULL;
    const char *use = kty ? member(jwk, "use") : NULL;
    *why = NULL;
    if (!kty) {
        *why = "not a JWK (no kty)";
        return NULL;
    }
    if (use && strcmp(use, "sig") != 0) {
        *why = "key not for signatures";
        return NULL;
    }
    if (strcmp(kty, "RSA") == 0) {
        *type = JWK_RSA;
        return rsa_key(scratch, jwk, why);
    }
    if (strcmp(kty, "EC") == 0) {
        *type = JWK_EC_P256;
        return ec_key(scratch, jwk, why);
    }
    *why = "key type other than RSA and EC";
    return NULL;
}

static char *strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

bool auth_jwk_set_parse(arena *scratch, json_object *doc, jwk_set *out, const char **why)
{
    out->keys = NULL;
    out->count = 0;
    json_object *keys;
    if (!json_object_is_type(doc, json_type_object) ||
        !json_object_object_get_ex(doc, "keys", &keys) ||
        !json_object_is_type(keys, json_type_array)) {
        *why = "not a JWK Set (no \"keys\" array)";
        return false;
    }
    size_t n = json_object_array_length(keys);
    out->keys = calloc(n ? n : 1, sizeof(jwk_key));
    for (size_t i = 0; i < n; i++) {
        json_object *jwk = json_object_array_get_idx(keys, i);
        jwk_key k = {0};
        const char *skip_reason;
        k.pkey = auth_jwk_to_pkey(scratch, jwk, &k.type, &skip_reason);
        if (!k.pkey)
            continue;
        k.kid = strdup_or_null(member(jwk, "kid"));
        k.alg = strdup_or_null(member(jwk, "alg"));
        out->keys[out->count++] = k;
    }
    return true;
}

void auth_jwk_set_free(jwk_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->keys[i].kid);
        free(set->keys[i].alg);
        EVP_PKEY_free(set->keys[i].pkey);
    }
    free(set->keys);
    set->keys = NULL;
    set->count = 0;
}
