/* Project secrets at rest: AES-256-GCM with a key derived from JWT_SECRET
 * (SHA-256 of a fixed label and the secret), stored as nonce (12 bytes) ||
 * ciphertext || tag (16 bytes). The `pgstack functions secrets` command
 * seals, the workers open. */
#ifndef PGSTACK_FUNCTIONS_SECRETS_H
#define PGSTACK_FUNCTIONS_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#define FUNCTIONS_SECRET_OVERHEAD 28

/* A valid secret name: [A-Za-z_][A-Za-z0-9_]*, at most 256 bytes, not
 * starting with SUPABASE_ (reserved). */
bool functions_secret_name_valid(const char *name);

/* out must hold len + FUNCTIONS_SECRET_OVERHEAD bytes. */
bool functions_secret_seal(const char *jwt_secret, const unsigned char *plain, size_t len,
                           unsigned char *out);
/* out must hold len - FUNCTIONS_SECRET_OVERHEAD + 1 bytes (NUL added);
 * false when the data was not sealed with this key. */
bool functions_secret_open(const char *jwt_secret, const unsigned char *sealed, size_t len,
                           char *out);

#endif
