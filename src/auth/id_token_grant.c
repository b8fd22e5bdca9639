/* POST /token?grant_type=id_token (supabase-js signInWithIdToken): a
 * native app signed in at an OpenID provider itself (Google/Apple SDKs) and
 * hands over the provider's ID token: {provider, id_token[, nonce]
 * [, access_token]}.
 *
 * The provider must be one of the enabled OpenID providers (google, apple,
 * azure/microsoft, and the generic oidc); the token is verified exactly as
 * at the OAuth callback (id_token.h, the provider's discovered issuer and
 * JWK Set, the provider's client id as audience). The nonce follows
 * GoTrue: the token's nonce claim must be the lower-case hex SHA-256 of the
 * nonce the client sends, and a token with a nonce needs one sent (and
 * none without). The verified identity then signs in as at the callback
 * (auth.oauth_sign_in: the identity's user, else the user of the verified
 * email, else a new one; amr oauth), and the reply is the session as JSON.
 * Refusals are 400 JSON (bad_id_token, provider_disabled, validation_failed),
 * 502 when the provider's keys cannot be fetched; nothing is written. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/handlers.h"
#include "auth/id_token.h"
#include "auth/oauth_exchange.h"
#include "auth/oauth_identity.h"
#include "auth/oauth_provider.h"
#include "auth/oauth_user.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "core/json_text.h"
#include "jwt/base64url.h"
#include "worker/app.h"

#include <string.h>
#include <time.h>

#define SIGN_IN_SQL                                                                                \
    "select status, user_json, claims, expires_at from auth.oauth_sign_in($1, $2, $3, "            \
    "$4::boolean, $5::jsonb, $6, $7::int, $8::int, $9, $10)"
#define NONCE_MAX 512

typedef struct id_grant {
    const char *provider, *id_token, *nonce, *access_token;
} id_grant;

static bool id_grant_read(response *res, json_object *body, id_grant *g)
{
    if (!auth_body_string(body, "provider", &g->provider, res) ||
        !auth_body_string(body, "id_token", &g->id_token, res) ||
        !auth_body_string(body, "nonce", &g->nonce, res) ||
        !auth_body_string(body, "access_token", &g->access_token, res))
        return false;
    if (!g->id_token || !*g->id_token) {
        auth_error(res, 400, "validation_failed", "id_token is required");
        return false;
    }
    if (!g->provider || !*g->provider) {
        auth_error(res, 400, "validation_failed",
                   "provider is required (google, apple, azure, oidc); client_id and issuer are "
                   "not accepted");
        return false;
    }
    if (strlen(g->id_token) > ID_TOKEN_MAX || (g->nonce && strlen(g->nonce) > NONCE_MAX)) {
        auth_error(res, 400, "bad_id_token", "id_token or nonce too long");
        return false;
    }
    if (g->nonce && !*g->nonce)
        g->nonce = NULL;
    return true;
}

/* The enabled OpenID provider of the request; false after replying. */
static bool id_grant_provider(request *req, response *res, const char *name, oauth_provider *p)
{
    const auth_settings *cfg = auth_settings_of(req);
    if (strcmp(name, "azure") == 0)
        name = "microsoft";
    oauth_provider_status st = auth_oauth_provider_find(req->arena, cfg, name, p);
    if (st == OAUTH_PROVIDER_DISABLED) {
        auth_error(res, 400, "provider_disabled", "the provider is not enabled");
        return false;
    }
    if (st != OAUTH_PROVIDER_OK || !p->oidc) {
        auth_error(res, 400, "validation_failed",
                   "provider must be an OpenID provider: google, apple, azure or oidc");
        return false;
    }
    return true;
}

/* Does the (verified) token carry a nonce claim? */
static bool id_token_has_nonce(arena *a, const char *token)
{
    const char *dot = strchr(token, '.');
    const char *end = dot ? strchr(dot + 1, '.') : NULL;
    char *json = NULL;
    size_t len = 0;
    if (!end || !base64url_decode(a, dot + 1, (size_t)(end - dot - 1), &json, &len))
        return false;
    json_object *claims = json_arena_owned(a, json_parse_exact(json, len));
    return claims && json_object_object_get_ex(claims, "nonce", NULL);
}

/* Verifies the token; false after replying. */
static bool id_grant_identify(request *req, response *res, const id_grant *g,
                              const oauth_provider *p, oauth_identity *id)
{
    const auth_settings *cfg = auth_settings_of(req);
    time_t now = time(NULL);
    oauth_endpoints e;
    char why[256];
    if (!auth_oauth_endpoints_get(req->arena, cfg, p, now, &e, why, sizeof why)) {
        auth_error(res, 502, "provider_unreachable", "could not reach the OAuth provider");
        return false;
    }
    oauth_tokens tokens = {.access_token = g->access_token, .id_token = g->id_token};
    const char *expected = g->nonce ? auth_secret_token_hash(req->arena, g->nonce) : NULL;
    oauth_user_failure f;
    if (!auth_oidc_user_identify(req->arena, cfg, p, &e, &tokens, expected, NULL, now, id, &f)) {
        bool unreachable = strcmp(f.error_code, "provider_unreachable") == 0;
        auth_error(res, unreachable ? 502 : 400, f.error_code,
                   unreachable ? "could not reach the OAuth provider" : f.description);
        return false;
    }
    if (!g->nonce && id_token_has_nonce(req->arena, g->id_token)) {
        auth_error(res, 400, "bad_id_token",
                   "Passed nonce and nonce in id_token should either both exist or not.");
        return false;
    }
    return true;
}

static void id_grant_sign_in(request *req, response *res, const oauth_provider *p,
                             const oauth_identity *id)
{
    const auth_settings *cfg = auth_settings_of(req);
    char *refresh = auth_secret_token_new(req->arena);
    if (!refresh) {
        auth_error(res, 500, "unexpected_failure", "no randomness for a token");
        return;
    }
    const char *v[] = {p->name,
                       id->provider_id,
                       id->email,
                       id->email_verified ? "true" : "false",
                       json_text(req->arena, id->data),
                       auth_secret_token_hash(req->arena, refresh),
                       arena_printf(req->arena, "%ld", cfg->refresh_token_ttl_s),
                       arena_printf(req->arena, "%ld", cfg->jwt_expiry_s),
                       req->client_addr,
                       request_header(req, "user-agent")};
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, SIGN_IN_SQL, 10, v);
    if (!auth_txn_run(t, req, res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (strcmp(PQgetvalue(r, 0, 0), "ok") != 0) {
        auth_error(res, 400, "user_banned", "user is banned");
        return;
    }
    auth_reply_session(req, res, 200, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
                       refresh);
}

void auth_id_token_grant(request *req, response *res, json_object *body)
{
    id_grant g = {0};
    oauth_provider p;
    oauth_identity id;
    if (!id_grant_read(res, body, &g) || !id_grant_provider(req, res, g.provider, &p))
        return;
    /* counted before the provider is asked: a stranger's tokens cost them */
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", auth_settings_of(req)->auth_rate_limit);
    if (!auth_txn_run(t, req, res) || !id_grant_identify(req, res, &g, &p, &id))
        return;
    id_grant_sign_in(req, res, &p, &id);
}
