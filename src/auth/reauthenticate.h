/* Reauthentication before a password change (GoTrue's nonce): see
 * reauthenticate.c for GET /reauthenticate. */
#ifndef PGSTACK_AUTH_REAUTHENTICATE_H
#define PGSTACK_AUTH_REAUTHENTICATE_H

#include "core/request.h"
#include "core/response.h"

#include <stdbool.h>

/* May the caller (uid, in session session_id or "") set a new password?
 * nonce is the body's "nonce" or NULL. A given nonce must be the user's
 * live reauthentication code (used up when right); without one,
 * SECURE_PASSWORD_CHANGE requires a session younger than 24 hours. False
 * after replying 400 reauthentication_needed / reauthentication_not_valid
 * (or 429/503). */
bool auth_reauthentication_ok(request *req, response *res, const char *uid, const char *session_id,
                              const char *nonce);

#endif
