/* Email codes; see otp_code.h. */
#include "auth/otp_code.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OTP_LABEL "pgstack email otp v1"
#define OTP_RANGE 1000000u
/* the largest multiple of OTP_RANGE below 2^32: values above are redrawn */
#define OTP_LIMIT (4294967295u - 4294967295u % OTP_RANGE)

char *auth_otp_code_new(arena *a)
{
    uint32_t v;
    do {
        unsigned char b[4];
        if (RAND_bytes(b, sizeof b) != 1)
            return NULL;
        v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    } while (v >= OTP_LIMIT);
    return arena_printf(a, "%06u", (unsigned)(v % OTP_RANGE));
}

char *auth_otp_code_hash(arena *a, const char *secret, const char *email, const char *code)
{
    size_t elen = strlen(email), clen = strlen(code), llen = sizeof OTP_LABEL;
    unsigned char *msg = arena_alloc(a, llen + elen + 1 + clen);
    memcpy(msg, OTP_LABEL, llen); /* with its NUL as separator */
    for (size_t i = 0; i < elen; i++)
        msg[llen + i] = (unsigned char)tolower((unsigned char)email[i]);
    msg[llen + elen] = '\0';
    memcpy(msg + llen + elen + 1, code, clen);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, llen + elen + 1 + clen, mac, &mlen))
        return NULL;
    char *hex = arena_alloc(a, 2 * mlen + 1);
    for (unsigned int i = 0; i < mlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return hex;
}

bool auth_otp_code_shape(const char *s)
{
    if (!s || strlen(s) != OTP_CODE_DIGITS)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}
