/* Strict base64url (RFC 4648 §5, no padding) as JWTs use it. */
#ifndef PGSTACK_BASE64URL_H
#define PGSTACK_BASE64URL_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Decodes n characters into a NUL-terminated arena buffer; false when the
 * text has characters outside the alphabet, padding, or an impossible
 * length. */
bool base64url_decode(arena *a, const char *s, size_t n, char **out, size_t *out_len);

/* Encodes n bytes without padding into a NUL-terminated buffer of at least
 * base64url_encoded_len(n) + 1 bytes. */
size_t base64url_encoded_len(size_t n);
void base64url_encode(const unsigned char *in, size_t n, char *out);

#endif
