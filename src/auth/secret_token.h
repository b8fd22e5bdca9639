/* Opaque secret tokens (refresh, recovery, confirmation, magic link):
 * 32 random bytes from OpenSSL in base64url, of which only the SHA-256 hash
 * (hex) is ever stored. */
#ifndef PGSTACK_SECRET_TOKEN_H
#define PGSTACK_SECRET_TOKEN_H

#include "core/arena.h"

/* A new token, or NULL when no randomness is available. */
char *auth_secret_token_new(arena *a);

/* Lower-case hex SHA-256 of text. */
char *auth_secret_token_hash(arena *a, const char *text);

#endif
