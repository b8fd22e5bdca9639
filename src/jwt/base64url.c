/* Strict base64url; see base64url.h. */
#include "jwt/base64url.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

bool base64url_decode(arena *a, const char *s, size_t n, char **out, size_t *out_len)
{
    if (n % 4 == 1)
        return false;
    unsigned char *dst = arena_alloc(a, n * 3 / 4 + 1);
    size_t len = 0;
    unsigned long acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = sextet(s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            dst[len++] = (unsigned char)(acc >> bits);
            acc &= (1UL << bits) - 1;
        }
    }
    if (acc != 0) /* non-canonical: leftover bits must be zero */
        return false;
    dst[len] = '\0';
    *out = (char *)dst;
    *out_len = len;
    return true;
}

size_t base64url_encoded_len(size_t n)
{
    return (n * 4 + 2) / 3;
}

void base64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    unsigned long acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = ALPHABET[(acc >> bits) & 63];
        }
        acc &= (1UL << bits) - 1;
    }
    if (bits > 0)
        out[o++] = ALPHABET[(acc << (6 - bits)) & 63];
    out[o] = '\0';
}
