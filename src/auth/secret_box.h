/* Secrets the auth area keeps at rest (TOTP secrets of MFA factors):
 * AES-256-GCM under a key derived from JWT_SECRET with HKDF-SHA256 and a
 * purpose label (the HKDF info, so each use has its own key), a fresh
 * random 96-bit IV per seal. The text is base64url(IV || ciphertext ||
 * tag); the tag makes any change, or a text sealed under another secret or
 * purpose, fail to open. The same construction as the OAuth state
 * (oauth_state.h). */
#ifndef PGSTACK_AUTH_SECRET_BOX_H
#define PGSTACK_AUTH_SECRET_BOX_H

#include "core/arena.h"

/* The sealed text of plain, or NULL when OpenSSL fails. */
char *auth_secret_box_seal(arena *a, const char *secret, const char *purpose, const char *plain);

/* The plaintext of text, or NULL when it does not open. */
char *auth_secret_box_open(arena *a, const char *secret, const char *purpose, const char *text);

#endif
