/* Sealed secrets at rest; see secret_box.h. */
#include "auth/secret_box.h"

#include "jwt/base64url.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <string.h>

#define KEY_LEN 32
#define IV_LEN 12
#define TAG_LEN 16
#define TEXT_MAX 8192

static bool derive(const char *secret, const char *purpose, unsigned char key[KEY_LEN])
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, strlen(secret)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)purpose, strlen(purpose)),
        OSSL_PARAM_construct_end(),
    };
    bool ok = ctx && EVP_KDF_derive(ctx, key, KEY_LEN, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

char *auth_secret_box_seal(arena *a, const char *secret, const char *purpose, const char *plain)
{
    unsigned char key[KEY_LEN];
    int n = (int)strlen(plain), len = 0, fin = 0;
    size_t blob_len = IV_LEN + (size_t)n + TAG_LEN;
    unsigned char *blob = arena_alloc(a, blob_len), *ct = blob + IV_LEN;
    if (!derive(secret, purpose, key))
        return NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && RAND_bytes(blob, IV_LEN) == 1 &&
              EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, blob) == 1 &&
              EVP_EncryptUpdate(ctx, ct, &len, (const unsigned char *)plain, n) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok || len + fin != n)
        return NULL;
    char *text = arena_alloc(a, base64url_encoded_len(blob_len) + 1);
    base64url_encode(blob, blob_len, text);
    return text;
}

char *auth_secret_box_open(arena *a, const char *secret, const char *purpose, const char *text)
{
    char *blob;
    size_t blob_len;
    unsigned char key[KEY_LEN];
    if (!text || strlen(text) > TEXT_MAX ||
        !base64url_decode(a, text, strlen(text), &blob, &blob_len) || blob_len < IV_LEN + TAG_LEN ||
        !derive(secret, purpose, key))
        return NULL;
    const unsigned char *iv = (unsigned char *)blob, *ct = iv + IV_LEN;
    int n = (int)(blob_len - IV_LEN - TAG_LEN), len = 0, fin = 0;
    unsigned char *out = arena_alloc(a, (size_t)n + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
              EVP_DecryptUpdate(ctx, out, &len, ct, n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(ct + n)) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok || len + fin != n)
        return NULL;
    out[n] = '\0';
    return (char *)out;
}
