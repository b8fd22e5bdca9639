/* Resolving the caller's credentials; see credentials.h. */
#include "worker/credentials.h"

#include "core/json_text.h"
#include "jwt/jwt_verify.h"
#include "worker/app.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The token of "Bearer <token>" (scheme case-insensitive, spaces trimmed);
 * "" for an empty token, NULL when the scheme is not Bearer. */
static const char *bearer_token(arena *a, const char *authorization)
{
    const char *p = authorization;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "bearer", 6) != 0 || (p[6] && !isspace((unsigned char)p[6])))
        return NULL;
    p += 6;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    return arena_strndup(a, p, n);
}

/* ---- the verified-token cache ---- */

#define TOKEN_CACHE_SLOTS 256

typedef struct cached_token {
    bool used;
    unsigned char key[32]; /* SHA-256 of algorithm, secret and token */
    bool has_exp, has_nbf;
    double exp, nbf;
    char *claims_json, *role, *sub;
} cached_token;

static cached_token token_cache[TOKEN_CACHE_SLOTS];

static bool token_key(const pgstack_config *cfg, const char *token, unsigned char key[32])
{
    static EVP_MD *sha256;
    if (!sha256 && !(sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)))
        return false;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestInit_ex2(c, sha256, NULL) &&
              EVP_DigestUpdate(c, cfg->jwt_algorithm, strlen(cfg->jwt_algorithm) + 1) &&
              EVP_DigestUpdate(c, cfg->jwt_secret, strlen(cfg->jwt_secret) + 1) &&
              EVP_DigestUpdate(c, token, strlen(token)) && EVP_DigestFinal_ex(c, key, NULL);
    EVP_MD_CTX_free(c);
    return ok;
}

static cached_token *cache_slot(const unsigned char key[32])
{
    return &token_cache[(key[0] | key[1] << 8) % TOKEN_CACHE_SLOTS];
}

/* The cached verification of the token with this key, if it is still in
 * its validity window at now. */
static const cached_token *cache_find(const unsigned char key[32], time_t now)
{
    const cached_token *e = cache_slot(key);
    if (!e->used || CRYPTO_memcmp(e->key, key, 32) != 0)
        return NULL;
    if ((e->has_exp && (double)now >= e->exp) || (e->has_nbf && (double)now < e->nbf))
        return NULL;
    return e;
}

static void time_claim(json_object *claims, const char *name, bool *has, double *value)
{
    json_object *v;
    *has = json_object_object_get_ex(claims, name, &v);
    *value = *has ? json_object_get_double(v) : 0;
}

static void cache_store(const unsigned char key[32], json_object *claims, const auth_ctx *ctx)
{
    cached_token *e = cache_slot(key);
    free(e->claims_json), free(e->role), free(e->sub);
    *e = (cached_token){.used = true};
    memcpy(e->key, key, 32);
    time_claim(claims, "exp", &e->has_exp, &e->exp);
    time_claim(claims, "nbf", &e->has_nbf, &e->nbf);
    e->claims_json = strdup(ctx->claims_json);
    e->role = strdup(ctx->role);
    e->sub = strdup(ctx->sub);
    if (!e->claims_json || !e->role || !e->sub)
        e->used = false;
}

static void from_cache(arena *a, const cached_token *e, auth_ctx *ctx)
{
    ctx->present = true;
    ctx->claims_json = arena_strdup(a, e->claims_json);
    ctx->role = arena_strdup(a, e->role);
    ctx->sub = arena_strdup(a, e->sub);
}

json_object *credentials_claims(request *req)
{
    auth_ctx *ctx = req->auth;
    if (!ctx || !ctx->present)
        return json_arena_owned(req->arena, json_object_new_object());
    if (!ctx->claims_parsed)
        ctx->claims_parsed = json_arena_owned(
            req->arena, json_parse_exact(ctx->claims_json, strlen(ctx->claims_json)));
    return ctx->claims_parsed;
}

static bool fail(const char **error, const char *message)
{
    *error = message;
    return false;
}

bool credentials_resolve(request *req, const pgstack_config *cfg, time_t now, auth_ctx *ctx,
                         const char **error)
{
    return credentials_resolve_keys(req, cfg, req->app ? &req->app->keys : NULL, now, ctx, error);
}

bool credentials_resolve_keys(request *req, const pgstack_config *cfg, const jwt_keys *keys,
                              time_t now, auth_ctx *ctx, const char **error)
{
    memset(ctx, 0, sizeof(*ctx));
    const char *token = NULL;
    const char *authorization = request_header(req, "authorization");
    if (authorization) {
        token = bearer_token(req->arena, authorization);
        if (!token)
            return fail(error, "unsupported Authorization scheme: use Bearer");
        if (!*token)
            return fail(error, "empty bearer token");
    } else {
        token = request_header(req, "apikey");
        if (!token)
            token = query_get(&req->query, "apikey");
        if (token && !*token)
            return fail(error, "empty apikey");
    }
    if (!token)
        return true;
    unsigned char key[32];
    bool keyed = token_key(cfg, token, key);
    const cached_token *hit = keyed ? cache_find(key, now) : NULL;
    if (hit) {
        from_cache(req->arena, hit, ctx);
        return true;
    }
    json_object *claims = NULL;
    jwt_status st =
        jwt_verify_keys(req->arena, token, cfg->jwt_secret, cfg->jwt_algorithm, keys, now, &claims);
    if (st != JWT_OK)
        return fail(error, jwt_status_message(st));
    json_object *v;
    ctx->present = true;
    ctx->claims_parsed = claims;
    ctx->claims_json = json_text(req->arena, claims);
    json_object_object_get_ex(claims, "role", &v);
    ctx->role = json_object_get_string(v);
    ctx->sub = json_object_object_get_ex(claims, "sub", &v) && json_plain_string(v)
                   ? json_plain_string(v)
                   : "";
    if (keyed)
        cache_store(key, claims, ctx);
    return true;
}
