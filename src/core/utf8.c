/* Strict UTF-8 validator; see utf8.h. */
#include "core/utf8.h"

#include <string.h>

/* Length of the sequence starting with byte b, or 0 if b cannot start one. */
static int sequence_length(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

static bool second_byte_ok(unsigned char lead, unsigned char b)
{
    switch (lead) {
    case 0xE0:
        return b >= 0xA0 && b <= 0xBF; /* no overlong 3-byte forms */
    case 0xED:
        return b >= 0x80 && b <= 0x9F; /* no UTF-16 surrogates */
    case 0xF0:
        return b >= 0x90 && b <= 0xBF; /* no overlong 4-byte forms */
    case 0xF4:
        return b >= 0x80 && b <= 0x8F; /* nothing above U+10FFFF */
    default:
        return b >= 0x80 && b <= 0xBF;
    }
}

/* Length of the valid sequence at p (n bytes left), 0 when there is none. */
static size_t valid_at(const unsigned char *p, size_t n)
{
    size_t len = (size_t)sequence_length(p[0]);
    if (len == 0 || len > n || (len > 1 && !second_byte_ok(p[0], p[1])))
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0, len; i < n; i += len)
        if ((len = valid_at(p + i, n - i)) == 0)
            return false;
    return true;
}

void utf8_scrub(char *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0, len; i < n; i += len)
        if ((len = valid_at(p + i, n - i)) == 0) {
            p[i] = '?';
            len = 1;
        }
}
