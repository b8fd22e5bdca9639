/* PKCE challenges and their checks; see pkce.h. */
#include "auth/pkce.h"

#include "auth/reply.h"
#include "jwt/base64url.h"

#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#define UNRESERVED "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

char *auth_pkce_challenge_s256(arena *a, const char *verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)verifier, strlen(verifier), digest);
    char *out = arena_alloc(a, base64url_encoded_len(sizeof digest) + 1);
    base64url_encode(digest, sizeof digest, out);
    return out;
}

static bool pkce_text_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 43 && n <= 128 && strspn(s, UNRESERVED) == n;
}

bool auth_pkce_verifier_valid(const char *s)
{
    return pkce_text_valid(s);
}

bool auth_pkce_request_check(arena *a, const char *challenge, const char *method, pkce_request *out,
                             response *res)
{
    bool has_challenge = challenge && *challenge, has_method = method && *method;
    out->challenge = out->method = NULL;
    if (!has_challenge && !has_method)
        return true;
    if (!has_challenge || !has_method) {
        auth_error(res, 400, "validation_failed",
                   "PKCE flow requires code_challenge_method and code_challenge");
        return false;
    }
    if (strcasecmp(method, "s256") != 0 && strcasecmp(method, "plain") != 0) {
        auth_error(res, 400, "validation_failed",
                   "code challenge method not supported: use s256 or plain");
        return false;
    }
    if (!pkce_text_valid(challenge)) {
        auth_error(res, 400, "validation_failed",
                   "code challenge has to be between 43 and 128 unreserved characters");
        return false;
    }
    out->challenge = arena_strdup(a, challenge);
    out->method = strcasecmp(method, "s256") == 0 ? "s256" : "plain";
    return true;
}
