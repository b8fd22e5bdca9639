/* Sealing and signing with OpenSSL; see webhook_secret.h. */
#include "webhooks/webhook_secret.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_PREFIX "v1:"
#define NONCE_LEN 12
#define TAG_LEN 16

static void seal_key(const char *jwt_secret, unsigned char key[32])
{
    static const char LABEL[] = "pgstack webhook secret v1";
    unsigned int len = 32;
    HMAC(EVP_sha256(), jwt_secret, (int)strlen(jwt_secret), (const unsigned char *)LABEL,
         sizeof LABEL - 1, key, &len);
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char DIGITS[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = DIGITS[in[i] >> 4];
        out[2 * i + 1] = DIGITS[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool hex_decode(const char *in, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(in[2 * i]), lo = hex_digit(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* AES-256-GCM over in; encrypt or decrypt (then tag is checked). */
static bool gcm(bool enc, const unsigned char key[32], const unsigned char *nonce,
                const unsigned char *in, int n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc ? 1 : 0) == 1 &&
              (n == 0 || EVP_CipherUpdate(c, out, &len, in, n) == 1) &&
              (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
              EVP_CipherFinal_ex(c, out + len, &fin) == 1 &&
              (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

char *webhook_secret_seal(const char *jwt_secret, const char *secret)
{
    size_t n = strlen(secret), total = NONCE_LEN + n + TAG_LEN;
    unsigned char key[32], *raw = malloc(total);
    char *out = malloc(sizeof SEAL_PREFIX + 2 * total);
    bool ok = raw && out && RAND_bytes(raw, NONCE_LEN) == 1;
    seal_key(jwt_secret, key);
    ok = ok && gcm(true, key, raw, (const unsigned char *)secret, (int)n, raw + NONCE_LEN,
                   raw + NONCE_LEN + n);
    if (ok) {
        memcpy(out, SEAL_PREFIX, sizeof SEAL_PREFIX - 1);
        hex_encode(raw, total, out + sizeof SEAL_PREFIX - 1);
    }
    OPENSSL_cleanse(key, sizeof key);
    free(raw);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

char *webhook_secret_open(const char *jwt_secret, const char *sealed)
{
    size_t plen = sizeof SEAL_PREFIX - 1, hexlen = strlen(sealed);
    if (hexlen < plen || strncmp(sealed, SEAL_PREFIX, plen) != 0 || (hexlen - plen) % 2 != 0 ||
        (hexlen - plen) / 2 < NONCE_LEN + TAG_LEN)
        return NULL;
    size_t total = (hexlen - plen) / 2, n = total - NONCE_LEN - TAG_LEN;
    unsigned char key[32], *raw = malloc(total);
    char *out = malloc(n + 1);
    bool ok = raw && out && hex_decode(sealed + plen, raw, total);
    seal_key(jwt_secret, key);
    ok = ok &&
         gcm(false, key, raw, raw + NONCE_LEN, (int)n, (unsigned char *)out, raw + NONCE_LEN + n);
    OPENSSL_cleanse(key, sizeof key);
    free(raw);
    if (!ok) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

void webhook_signature(const char *secret, const char *body, size_t len, char *out, size_t outlen)
{
    unsigned char mac[32];
    unsigned int maclen = sizeof mac;
    char hex[65];
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, mac, &maclen);
    hex_encode(mac, maclen, hex);
    snprintf(out, outlen, "sha256=%s", hex);
}
