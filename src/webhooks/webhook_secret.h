/* Webhook signing secrets: sealed (AES-256-GCM, a key derived from
 * JWT_SECRET with HMAC-SHA256) before they are stored, opened only by the
 * delivery daemon, and the X-Webhook-Signature value of a body. */
#ifndef PGSTACK_WEBHOOK_SECRET_H
#define PGSTACK_WEBHOOK_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* "v1:" + hex(nonce | ciphertext | tag), malloc'd; NULL on failure. */
char *webhook_secret_seal(const char *jwt_secret, const char *secret);

/* The secret, malloc'd; NULL when sealed is not ours or was altered. */
char *webhook_secret_open(const char *jwt_secret, const char *sealed);

/* "sha256=" + hex HMAC-SHA256(secret, body) into out (at least 72 bytes). */
void webhook_signature(const char *secret, const char *body, size_t len, char *out, size_t outlen);

#endif
