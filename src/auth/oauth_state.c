/* Sealed OAuth state; see oauth_state.h. */
#include "auth/oauth_state.h"

#include "core/json_text.h"
#include "jwt/base64url.h"

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <string.h>

#define VERSION 0x01
#define KEY_LEN 32
#define IV_LEN 12
#define TAG_LEN 16
#define KDF_INFO "pgstack oauth state v1"

const char *auth_oauth_state_status_message(oauth_state_status st)
{
    switch (st) {
    case OAUTH_STATE_OK:
        return "ok";
    case OAUTH_STATE_MALFORMED:
        return "OAuth state is invalid";
    case OAUTH_STATE_FORGED:
        return "OAuth state has been tampered with or was not issued by this server";
    case OAUTH_STATE_EXPIRED:
        return "OAuth state has expired: start the sign-in again";
    case OAUTH_STATE_WRONG_PROVIDER:
        return "OAuth state belongs to another provider";
    }
    return "OAuth state is invalid";
}

/* HKDF-SHA256(JWT_SECRET, info KDF_INFO) -> the state key. */
static bool derive_key(const char *secret, unsigned char key[KEY_LEN])
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, strlen(secret)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, KDF_INFO, strlen(KDF_INFO)),
        OSSL_PARAM_construct_end(),
    };
    bool ok = ctx && EVP_KDF_derive(ctx, key, KEY_LEN, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static const char *plaintext_json(arena *a, const oauth_state *s)
{
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "provider", json_object_new_string(s->provider));
    json_object_object_add(o, "redirect_to",
                           s->redirect_to ? json_object_new_string(s->redirect_to) : NULL);
    json_object_object_add(o, "code_verifier", json_object_new_string(s->code_verifier));
    json_object_object_add(o, "nonce", s->nonce ? json_object_new_string(s->nonce) : NULL);
    json_object_object_add(o, "exp", json_object_new_int64(s->expires_at));
    const char *optional[][2] = {{"client_challenge", s->client_challenge},
                                 {"client_challenge_method", s->client_challenge_method},
                                 {"provider_token", s->provider_token},
                                 {"provider_refresh_token", s->provider_refresh_token},
                                 {"link_user", s->link_user}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (optional[i][1])
            json_object_object_add(o, optional[i][0], json_object_new_string(optional[i][1]));
    return json_text(a, o);
}

/* out = IV || ciphertext || tag for plain (n bytes); false on failure. */
static bool gcm_seal(const unsigned char key[KEY_LEN], const unsigned char *aad, const char *plain,
                     int n, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    unsigned char *iv = out, *ct = out + IV_LEN;
    int len = 0, fin = 0;
    bool ok = ctx && RAND_bytes(iv, IV_LEN) == 1 &&
              EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &len, aad, 1) == 1 &&
              EVP_EncryptUpdate(ctx, ct, &len, (const unsigned char *)plain, n) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok && len + fin == n;
}

/* Characters of the sealed text for n bytes of plaintext. */
static size_t sealed_len(size_t n)
{
    return base64url_encoded_len(1 + IV_LEN + n + TAG_LEN);
}

bool auth_oauth_state_fits(arena *a, const oauth_state *s)
{
    return sealed_len(strlen(plaintext_json(a, s))) <= OAUTH_STATE_MAX;
}

char *auth_oauth_state_seal(arena *a, const char *secret, const oauth_state *s)
{
    unsigned char key[KEY_LEN];
    if (!s->provider || !s->code_verifier)
        return NULL;
    const char *plain = plaintext_json(a, s);
    size_t n = strlen(plain);
    if (sealed_len(n) > OAUTH_STATE_MAX || !derive_key(secret, key))
        return NULL; /* auth_oauth_state_open would refuse it */
    size_t blob_len = 1 + IV_LEN + n + TAG_LEN;
    unsigned char *blob = arena_alloc(a, blob_len);
    blob[0] = VERSION;
    bool ok = gcm_seal(key, blob, plain, (int)n, blob + 1);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return NULL;
    char *text = arena_alloc(a, base64url_encoded_len(blob_len) + 1);
    base64url_encode(blob, blob_len, text);
    return text;
}

/* Decrypts blob (version byte first) into a NUL-terminated arena string. */
static oauth_state_status gcm_open(arena *a, const unsigned char key[KEY_LEN],
                                   const unsigned char *blob, size_t blob_len, char **plain)
{
    if (blob_len < 1 + IV_LEN + TAG_LEN + 2 || blob[0] != VERSION)
        return OAUTH_STATE_MALFORMED;
    const unsigned char *iv = blob + 1, *ct = blob + 1 + IV_LEN;
    int n = (int)(blob_len - 1 - IV_LEN - TAG_LEN), len = 0, fin = 0;
    unsigned char *out = arena_alloc(a, (size_t)n + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &len, blob, 1) == 1 &&
              EVP_DecryptUpdate(ctx, out, &len, ct, n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(ct + n)) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok || len + fin != n)
        return OAUTH_STATE_FORGED;
    out[n] = '\0';
    *plain = (char *)out;
    return OAUTH_STATE_OK;
}

/* A string field (NULL when absent or null); false when of another type. */
static bool string_field(arena *a, json_object *o, const char *key, const char **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_string))
        return false;
    *out = arena_strdup(a, json_object_get_string(v));
    return true;
}

static bool parse_plaintext(arena *a, const char *plain, oauth_state *out)
{
    json_object *o = json_arena_owned(a, json_parse_exact(plain, strlen(plain)));
    json_object *exp = NULL;
    return json_object_is_type(o, json_type_object) &&
           string_field(a, o, "provider", &out->provider) && out->provider &&
           string_field(a, o, "redirect_to", &out->redirect_to) &&
           string_field(a, o, "code_verifier", &out->code_verifier) && out->code_verifier &&
           string_field(a, o, "nonce", &out->nonce) &&
           string_field(a, o, "client_challenge", &out->client_challenge) &&
           string_field(a, o, "client_challenge_method", &out->client_challenge_method) &&
           string_field(a, o, "provider_token", &out->provider_token) &&
           string_field(a, o, "provider_refresh_token", &out->provider_refresh_token) &&
           string_field(a, o, "link_user", &out->link_user) &&
           json_object_object_get_ex(o, "exp", &exp) && json_object_is_type(exp, json_type_int) &&
           (out->expires_at = json_object_get_int64(exp)) > 0;
}

static oauth_state_status open_sealed(arena *a, const char *secret, const char *text, size_t max,
                                      const char *expected_provider, time_t now, oauth_state *out)
{
    char *blob, *plain = NULL;
    size_t blob_len;
    unsigned char key[KEY_LEN];
    oauth_state s = {0};
    if (!text || !*text || strlen(text) > max ||
        !base64url_decode(a, text, strlen(text), &blob, &blob_len))
        return OAUTH_STATE_MALFORMED;
    if (!derive_key(secret, key))
        return OAUTH_STATE_FORGED;
    oauth_state_status st = gcm_open(a, key, (unsigned char *)blob, blob_len, &plain);
    OPENSSL_cleanse(key, sizeof key);
    if (st != OAUTH_STATE_OK)
        return st;
    if (!parse_plaintext(a, plain, &s))
        return OAUTH_STATE_MALFORMED;
    if ((long long)now >= s.expires_at)
        return OAUTH_STATE_EXPIRED;
    if (expected_provider && strcmp(expected_provider, s.provider) != 0)
        return OAUTH_STATE_WRONG_PROVIDER;
    *out = s;
    return OAUTH_STATE_OK;
}

oauth_state_status auth_oauth_state_open(arena *a, const char *secret, const char *text,
                                         const char *expected_provider, time_t now,
                                         oauth_state *out)
{
    return open_sealed(a, secret, text, OAUTH_STATE_MAX, expected_provider, now, out);
}

oauth_state_status auth_oauth_state_open_parked(arena *a, const char *secret, const char *text,
                                                time_t now, oauth_state *out)
{
    return open_sealed(a, secret, text, OAUTH_PARKED_MAX, NULL, now, out);
}
