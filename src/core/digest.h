/* SHA-256 as lower-case hex, for migration checksums and stored token
 * hashes. */
#ifndef PGSTACK_DIGEST_H
#define PGSTACK_DIGEST_H

#include <stddef.h>

void sha256_hex(const void *data, size_t len, char out[65]);

#endif
