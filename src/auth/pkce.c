/* PKCE S256 challenge; see pkce.h. */
#include "auth/pkce.h"

#include "jwt/base64url.h"

#include <openssl/sha.h>
#include <string.h>

char *pkce_challenge_s256(arena *a, const char *verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)verifier, strlen(verifier), digest);
    char *out = arena_alloc(a, base64url_encoded_len(sizeof digest) + 1);
    base64url_encode(digest, sizeof digest, out);
    return out;
}
