/* Sealing project secrets; see secrets.h. */
#include "functions/secrets.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <strings.h>

#define NONCE_LEN 12
#define TAG_LEN 16
#define KEY_LABEL "pgstack functions secrets v1\n"

bool functions_secret_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 256 || (name[0] >= '0' && name[0] <= '9') ||
        strncasecmp(name, "SUPABASE_", 9) == 0)
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void derive_key(const char *jwt_secret, unsigned char key[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, KEY_LABEL, strlen(KEY_LABEL));
    EVP_DigestUpdate(c, jwt_secret, strlen(jwt_secret));
    EVP_DigestFinal_ex(c, key, &n);
    EVP_MD_CTX_free(c);
}

static bool crypt_gcm(bool seal, const unsigned char key[32], const unsigned char *nonce,
                      const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, seal ? 1 : 0) == 1 &&
              (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1) &&
              (seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
              EVP_CipherFinal_ex(c, out + n, &fin) == 1 &&
              (!seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

bool functions_secret_seal(const char *jwt_secret, const unsigned char *plain, size_t len,
                           unsigned char *out)
{
    unsigned char key[32];
    derive_key(jwt_secret, key);
    if (RAND_bytes(out, NONCE_LEN) != 1)
        return false;
    bool ok = crypt_gcm(true, key, out, plain, len, out + NONCE_LEN, out + NONCE_LEN + len);
    memset(key, 0, sizeof key);
    return ok;
}

bool functions_secret_open(const char *jwt_secret, const unsigned char *sealed, size_t len,
                           char *out)
{
    if (len < FUNCTIONS_SECRET_OVERHEAD)
        return false;
    unsigned char key[32], tag[TAG_LEN];
    size_t plain_len = len - FUNCTIONS_SECRET_OVERHEAD;
    derive_key(jwt_secret, key);
    memcpy(tag, sealed + NONCE_LEN + plain_len, TAG_LEN);
    bool ok =
        crypt_gcm(false, key, sealed, sealed + NONCE_LEN, plain_len, (unsigned char *)out, tag);
    memset(key, 0, sizeof key);
    out[ok ? plain_len : 0] = '\0';
    return ok;
}
