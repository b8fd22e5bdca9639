/* Signing HMAC JWTs (keygen now, the auth area's access tokens later). */
#ifndef PGSTACK_JWT_SIGN_H
#define PGSTACK_JWT_SIGN_H

#include "core/arena.h"

#include <json-c/json.h>

/* The compact token for claims, or NULL on failure. */
char *jwt_sign(arena *a, json_object *claims, const char *secret, const char *algorithm);

#endif
