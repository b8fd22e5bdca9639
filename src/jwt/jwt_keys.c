/* Asymmetric signing keys; see jwt_keys.h. */
#include "jwt/jwt_keys.h"

#include "core/json_text.h"
#include "jwt/base64url.h"

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_FILE_MAX (1024 * 1024)
#define KEYS_MAX 16

/* A base64url member decoded (into *out, arena), or false. */
static bool b64_member(arena *a, json_object *jwk, const char *name, char **out, size_t *len)
{
    json_object *v;
    const char *s;
    return json_object_object_get_ex(jwk, name, &v) && json_object_is_type(v, json_type_string) &&
           (s = json_object_get_string(v)) && *s && base64url_decode(a, s, strlen(s), out, len);
}

static BIGNUM *b64_bn(arena *a, json_object *jwk, const char *name)
{
    char *raw;
    size_t len;
    return b64_member(a, jwk, name, &raw, &len) ? BN_bin2bn((unsigned char *)raw, (int)len, NULL)
                                                : NULL;
}

static EVP_PKEY *pkey_from(OSSL_PARAM_BLD *bld, const char *type)
{
    OSSL_PARAM *params = bld ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    EVP_PKEY *pkey = NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *ec_private(arena *a, json_object *jwk)
{
    char *x, *y, *pub;
    size_t xl, yl;
    json_object *crv;
    BIGNUM *d = b64_bn(a, jwk, "d");
    if (!json_object_object_get_ex(jwk, "crv", &crv) ||
        strcmp(json_object_get_string(crv), "P-256") != 0 || !b64_member(a, jwk, "x", &x, &xl) ||
        !b64_member(a, jwk, "y", &y, &yl) || xl != 32 || yl != 32 || !d) {
        BN_clear_free(d);
        return NULL;
    }
    pub = arena_alloc(a, 65);
    pub[0] = 4;
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
        pkey = pkey_from(bld, "EC");
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    return pkey;
}

static EVP_PKEY *rsa_private(arena *a, json_object *jwk)
{
    static const char *const NAMES[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
    static const char *const PARAMS[] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *bn[8] = {0};
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    bool ok = bld != NULL;
    size_t present = 0;
    for (size_t i = 0; i < 8 && ok; i++) {
        bn[i] = b64_bn(a, jwk, NAMES[i]);
        if (bn[i])
            present++;
        if (i < 3 && !bn[i])
            ok = false;
        else if (bn[i])
            ok = OSSL_PARAM_BLD_push_BN(bld, PARAMS[i], bn[i]);
    }
    EVP_PKEY *pkey = ok && (present == 3 || present == 8) ? pkey_from(bld, "RSA") : NULL;
    if (pkey && EVP_PKEY_get_bits(pkey) < 2048) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    for (size_t i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

static const char *member(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static bool has_op(json_object *jwk, const char *op)
{
    json_object *ops;
    if (!json_object_object_get_ex(jwk, "key_ops", &ops) ||
        !json_object_is_type(ops, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(ops); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(ops, i));
        if (s && strcmp(s, op) == 0)
            return true;
    }
    return false;
}

/* The public JWK: the public members of jwk, kid, alg, use sig. */
static char *public_jwk(arena *a, json_object *jwk, const char *alg)
{
    static const char *const EC[] = {"kty", "crv", "x", "y", "kid"};
    static const char *const RSA[] = {"kty", "n", "e", "kid"};
    bool ec = strcmp(alg, "ES256") == 0;
    json_object *o = json_arena_owned(a, json_object_new_object());
    for (size_t i = 0; i < (ec ? 5 : 4); i++)
        json_object_object_add(o, (ec ? EC : RSA)[i],
                               json_object_new_string(member(jwk, (ec ? EC : RSA)[i])));
    json_object_object_add(o, "alg", json_object_new_string(alg));
    json_object_object_add(o, "use", json_object_new_string("sig"));
    json_object *ops = json_object_new_array();
    json_object_array_add(ops, json_object_new_string("verify"));
    json_object_object_add(o, "key_ops", ops);
    return strdup(json_text(a, o));
}

/* One private JWK into key; false with the reason. */
static bool load_key(arena *a, json_object *jwk, jwt_key *key, char *why, size_t whylen)
{
    const char *kty = member(jwk, "kty"), *kid = member(jwk, "kid"), *alg = member(jwk, "alg");
    if (!kid || !*kid || strlen(kid) > 128) {
        snprintf(why, whylen, "every key needs a kid (at most 128 characters)");
        return false;
    }
    bool ec = kty && strcmp(kty, "EC") == 0, rsa = kty && strcmp(kty, "RSA") == 0;
    const char *want = ec ? "ES256" : "RS256";
    if ((!ec && !rsa) || (alg && strcmp(alg, want) != 0)) {
        snprintf(why, whylen, "key %s: only ES256 (EC P-256) and RS256 (RSA) keys are supported",
                 kid);
        return false;
    }
    key->pkey = ec ? ec_private(a, jwk) : rsa_private(a, jwk);
    if (!key->pkey) {
        snprintf(why, whylen, "key %s: not a valid %s private key (RSA: 2048 bits or more)", kid,
                 want);
        return false;
    }
    key->kid = strdup(kid);
    key->alg = strdup(want);
    key->signs = has_op(jwk, "sign");
    key->public_jwk = public_jwk(a, jwk, want);
    return true;
}

static bool load_set(arena *a, json_object *doc, jwt_keys *out, char *why, size_t whylen)
{
    json_object *list;
    if (!json_object_is_type(doc, json_type_object) ||
        !json_object_object_get_ex(doc, "keys", &list) ||
        !json_object_is_type(list, json_type_array) || json_object_array_length(list) == 0 ||
        json_object_array_length(list) > KEYS_MAX) {
        snprintf(why, whylen, "not a JWK set {\"keys\": [...]} of 1 to 16 keys");
        return false;
    }
    size_t n = json_object_array_length(list);
    out->keys = calloc(n, sizeof(jwt_key));
    for (size_t i = 0; i < n; i++) {
        if (!load_key(a, json_object_array_get_idx(list, i), &out->keys[i], why, whylen))
            return false;
        out->count++;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->keys[j].kid, out->keys[i].kid) == 0) {
                snprintf(why, whylen, "two keys have the kid %s", out->keys[i].kid);
                return false;
            }
        if (out->keys[i].signs && out->signer) {
            snprintf(why, whylen, "more than one key has \"sign\" in key_ops");
            return false;
        }
        if (out->keys[i].signs)
            out->signer = &out->keys[i];
    }
    return true;
}

bool jwt_keys_load(const char *path, jwt_keys *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot read %s", path);
        return false;
    }
    char *text = malloc(KEYS_FILE_MAX + 1);
    size_t n = fread(text, 1, KEYS_FILE_MAX + 1, f);
    fclose(f);
    arena *a = arena_new(65536);
    json_object *doc = n <= KEYS_FILE_MAX ? json_parse_exact(text, n) : NULL;
    bool ok = doc && a && load_set(a, doc, out, why, whylen);
    if (!doc)
        snprintf(why, whylen, "%s is not JSON (or larger than 1 MiB)", path);
    OPENSSL_cleanse(text, n < KEYS_FILE_MAX ? n : KEYS_FILE_MAX);
    free(text);
    json_object_put(doc);
    arena_free(a);
    if (!ok)
        jwt_keys_free(out);
    return ok;
}

void jwt_keys_free(jwt_keys *keys)
{
    for (size_t i = 0; keys->keys && i < keys->count; i++) {
        EVP_PKEY_free(keys->keys[i].pkey);
        free(keys->keys[i].kid);
        free(keys->keys[i].alg);
        free(keys->keys[i].public_jwk);
    }
    free(keys->keys);
    memset(keys, 0, sizeof *keys);
}

const jwt_key *jwt_keys_find(const jwt_keys *keys, const char *kid)
{
    for (size_t i = 0; keys && kid && i < keys->count; i++)
        if (strcmp(keys->keys[i].kid, kid) == 0)
            return &keys->keys[i];
    return NULL;
}

char *jwt_keys_public_set(arena *a, const jwt_keys *keys)
{
    char *out = arena_strdup(a, "{\"keys\":[");
    for (size_t i = 0; keys && i < keys->count; i++)
        out = arena_printf(a, "%s%s%s", out, i ? "," : "", keys->keys[i].public_jwk);
    return arena_printf(a, "%s]}", out);
}

/* DER ECDSA signature -> the 64-byte r || s of JWS. */
static bool der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64])
{
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &der, (long)len);
    const BIGNUM *r, *s;
    if (!sig)
        return false;
    ECDSA_SIG_get0(sig, &r, &s);
    bool ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok;
}

static char *b64(arena *a, const unsigned char *data, size_t n)
{
    char *out = arena_alloc(a, base64url_encoded_len(n) + 1);
    base64url_encode(data, n, out);
    return out;
}

char *jwt_sign_with_key(arena *a, const char *claims_json, const jwt_key *key)
{
    json_object *h = json_arena_owned(a, json_object_new_object());
    json_object_object_add(h, "alg", json_object_new_string(key->alg));
    json_object_object_add(h, "kid", json_object_new_string(key->kid));
    json_object_object_add(h, "typ", json_object_new_string("JWT"));
    const char *header = json_text(a, h);
    char *input = arena_printf(a, "%s.%s", b64(a, (const unsigned char *)header, strlen(header)),
                               b64(a, (const unsigned char *)claims_json, strlen(claims_json)));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = 0;
    unsigned char *sig = NULL;
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
              EVP_DigestSign(ctx, NULL, &len, (unsigned char *)input, strlen(input)) == 1 &&
              (sig = arena_alloc(a, len)) &&
              EVP_DigestSign(ctx, sig, &len, (unsigned char *)input, strlen(input)) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return NULL;
    unsigned char raw[64];
    if (strcmp(key->alg, "ES256") == 0) {
        if (!der_to_raw(sig, len, raw))
            return NULL;
        return arena_printf(a, "%s.%s", input, b64(a, raw, 64));
    }
    return arena_printf(a, "%s.%s", input, b64(a, sig, len));
}

bool jwt_key_verify(const jwt_key *key, const unsigned char *data, size_t data_len,
                    const unsigned char *sig, size_t sig_len)
{
    unsigned char der[80];
    const unsigned char *check = sig;
    size_t check_len = sig_len;
    if (strcmp(key->alg, "ES256") == 0) {
        ECDSA_SIG *es = sig_len == 64 ? ECDSA_SIG_new() : NULL;
        BIGNUM *r = es ? BN_bin2bn(sig, 32, NULL) : NULL,
               *s = es ? BN_bin2bn(sig + 32, 32, NULL) : NULL;
        unsigned char *p = der;
        int n = -1;
        if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
            r = s = NULL; /* owned by es now */
            if (i2d_ECDSA_SIG(es, NULL) <= (int)sizeof der)
                n = i2d_ECDSA_SIG(es, &p);
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        if (n <= 0)
            return false;
        check = der;
        check_len = (size_t)n;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
              EVP_DigestVerify(ctx, check, check_len, data, data_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static char *bn_b64(arena *a, const BIGNUM *bn, int len)
{
    unsigned char buf[32];
    return BN_bn2binpad(bn, buf, len) == len ? b64(a, buf, (size_t)len) : NULL;
}

char *jwt_keys_generate_es256(arena *a)
{
    EVP_PKEY *pkey = EVP_EC_gen("prime256v1");
    BIGNUM *x = NULL, *y = NULL, *d = NULL;
    unsigned char kid_raw[12];
    char *out = NULL;
    if (pkey && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
        RAND_bytes(kid_raw, sizeof kid_raw) == 1) {
        char *bx = bn_b64(a, x, 32), *by = bn_b64(a, y, 32), *bd = bn_b64(a, d, 32);
        if (bx && by && bd)
            out = arena_printf(a,
                               "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
                               "\"y\":\"%s\",\"d\":\"%s\",\"kid\":\"%s\",\"alg\":\"ES256\","
                               "\"use\":\"sig\",\"key_ops\":[\"sign\",\"verify\"]}]}",
                               bx, by, bd, b64(a, kid_raw, sizeof kid_raw));
    }
    BN_clear_free(x);
    BN_clear_free(y);
    BN_clear_free(d);
    EVP_PKEY_free(pkey);
    return out;
}
