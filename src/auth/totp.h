/* TOTP (RFC 6238) for MFA factors: HMAC-SHA1 over the 30-second step
 * counter, 6 digits (RFC 4226 dynamic truncation), with OpenSSL. Secrets
 * are 20 random bytes, shown to the user in base32 (RFC 4648, no padding)
 * inside an otpauth:// URI. A code is accepted for the current step and
 * one step either side, and only for a step after the last one used, so
 * each code works once. */
#ifndef PGSTACK_AUTH_TOTP_H
#define PGSTACK_AUTH_TOTP_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_PERIOD_S 30

/* A new secret in base32, or NULL when no randomness is available. */
char *auth_totp_secret_new(arena *a);

/* The base32 text s decoded into out (at most cap bytes); its length, or
 * 0 when s is not base32. */
size_t auth_totp_base32_decode(const char *s, unsigned char *out, size_t cap);

/* The 6-digit code of the base32 secret for step counter `step`, into
 * out[7]; false when the secret does not decode. */
bool auth_totp_code_at(const char *secret_b32, long long step, char out[7]);

/* The step (now/30 - 1 .. now/30 + 1) whose code is `code` and that is
 * after last_used (-1: none used yet); -1 when there is none. */
long long auth_totp_match(const char *secret_b32, const char *code, time_t now,
                          long long last_used);

/* otpauth://totp/{issuer}:{account}?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30 */
char *auth_totp_uri(arena *a, const char *secret_b32, const char *issuer, const char *account);

#endif
