/* The 6-digit codes of the auth emails (GoTrue's {{ .Token }}, supabase-js
 * verifyOtp({email, token, type})). A code is drawn uniformly from
 * 000000..999999 with OpenSSL's RAND_bytes, and stored only as
 * HMAC-SHA256 under JWT_SECRET over a domain label, the lower-case address
 * and the code: a million codes are quickly tried against a plain hash,
 * not against a keyed one whose key is not in the database. The database
 * compares the digests without an early exit (auth.digest_equal) and voids
 * a token after 5 wrong codes (sql/0010_auth_pkce_otp.sql). */
#ifndef PGSTACK_AUTH_OTP_CODE_H
#define PGSTACK_AUTH_OTP_CODE_H

#include "core/arena.h"

#include <stdbool.h>

#define OTP_CODE_DIGITS 6

/* A new code, or NULL when no randomness is available. */
char *auth_otp_code_new(arena *a);

/* Lower-case hex HMAC of the code for that address; NULL on failure. */
char *auth_otp_code_hash(arena *a, const char *secret, const char *email, const char *code);

/* Exactly six ASCII digits? */
bool auth_otp_code_shape(const char *s);

#endif
