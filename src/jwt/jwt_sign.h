/* Signing HMAC JWTs (keygen now, the auth area's access tokens later). */
#ifndef PGSTACK_JWT_SIGN_H
#define PGSTACK_JWT_SIGN_H

#include "core/arena.h"

/* The compact token for the claims (a JSON object as text), or NULL. */
char *jwt_sign(arena *a, const char *claims_json, const char *secret, const char *algorithm);

#endif
