/* Secret token generation and hashing; see secret_token.h. */
#include "auth/secret_token.h"

#include "core/digest.h"
#include "jwt/base64url.h"

#include <openssl/rand.h>
#include <string.h>

#define TOKEN_BYTES 32

char *auth_secret_token_new(arena *a)
{
    unsigned char bytes[TOKEN_BYTES];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return NULL;
    char *out = arena_alloc(a, base64url_encoded_len(sizeof bytes) + 1);
    base64url_encode(bytes, sizeof bytes, out);
    return out;
}

char *auth_secret_token_hash(arena *a, const char *text)
{
    char *hex = arena_alloc(a, 65);
    sha256_hex(text, strlen(text), hex);
    return hex;
}
