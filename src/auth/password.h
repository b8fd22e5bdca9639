/* Passwords: bcrypt through libcrypt (crypt_r, "$2b$", cost AUTH_BCRYPT_COST).
 * Hashes imported from Supabase/GoTrue ("$2a$" / "$2b$") verify unchanged.
 * Verification compares in constant time, and auth_password_burn() spends the
 * same time for an unknown user so sign-in timing does not reveal accounts. */
#ifndef PGSTACK_PASSWORD_H
#define PGSTACK_PASSWORD_H

#include "core/arena.h"

#include <stdbool.h>

#define PASSWORD_MIN_LENGTH 8
#define PASSWORD_MAX_LENGTH 256

/* NULL when the password is acceptable, else the spec's message. */
const char *auth_password_problem(const char *password);

/* The bcrypt hash of password, or NULL when hashing failed. */
char *auth_password_hash(arena *a, const char *password, int cost);

bool auth_password_verify(const char *password, const char *hash);

/* Does the work of one verification against a fixed hash of that cost. */
void auth_password_burn(const char *password, int cost);

#endif
