/* TOTP codes; see totp.h. */
#include "auth/totp.h"

#include "core/query.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static char *base32_encode(arena *a, const unsigned char *in, size_t n)
{
    char *out = arena_alloc(a, (n * 8 + 4) / 5 + 1);
    size_t o = 0;
    unsigned buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buffer = (buffer << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = B32[(buffer << (5 - bits)) & 31];
    out[o] = '\0';
    return out;
}

size_t auth_totp_base32_decode(const char *s, unsigned char *out, size_t cap)
{
    unsigned buffer = 0;
    int bits = 0;
    size_t n = 0;
    for (const char *p = s; *p && *p != '='; p++) {
        const char *hit = strchr(B32, *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        if (!hit || !*p || n >= cap)
            return 0;
        buffer = (buffer << 5) | (unsigned)(hit - B32);
        bits += 5;
        if (bits >= 8) {
            out[n++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    return n;
}

char *auth_totp_secret_new(arena *a)
{
    unsigned char raw[TOTP_SECRET_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return NULL;
    char *out = base32_encode(a, raw, sizeof raw);
    OPENSSL_cleanse(raw, sizeof raw);
    return out;
}

bool auth_totp_code_at(const char *secret_b32, long long step, char out[7])
{
    unsigned char key[64], msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    size_t klen = auth_totp_base32_decode(secret_b32, key, sizeof key);
    if (klen == 0)
        return false;
    for (int i = 7; i >= 0; i--, step >>= 8)
        msg[i] = (unsigned char)(step & 0xff);
    bool ok = HMAC(EVP_sha1(), key, (int)klen, msg, sizeof msg, mac, &mlen) != NULL;
    OPENSSL_cleanse(key, sizeof key);
    if (!ok || mlen < 20)
        return false;
    int off = mac[mlen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    snprintf(out, 7, "%06u", (unsigned)(bin % 1000000u));
    return true;
}

long long auth_totp_match(const char *secret_b32, const char *code, time_t now, long long last_used)
{
    if (!code || strlen(code) != 6)
        return -1;
    long long current = (long long)now / TOTP_PERIOD_S, found = -1;
    for (long long step = current - 1; step <= current + 1; step++) {
        char want[7];
        /* every candidate is computed and compared, so the time does not
         * tell which one matched */
        if (auth_totp_code_at(secret_b32, step, want) && CRYPTO_memcmp(want, code, 6) == 0 &&
            step > last_used && found < 0)
            found = step;
    }
    return found;
}

char *auth_totp_uri(arena *a, const char *secret_b32, const char *issuer, const char *account)
{
    return arena_printf(
        a, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30",
        query_encode(a, issuer), query_encode(a, account), secret_b32, query_encode(a, issuer));
}
