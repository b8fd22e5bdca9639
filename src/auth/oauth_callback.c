/* GET /callback and POST /callback (response_mode=form_post, as Apple
 * sends it): the end of an OAuth sign-in.
 *
 * Without a state that opens (oauth_state.h: made here, unchanged, not
 * expired, and for the provider the callback names, if it names one)
 * there is no trustworthy place to send the browser: 400 JSON. With one,
 * every later failure — the provider's own error=..., a missing code, an
 * authorization response from another issuer (RFC 9207 mix-up), a refused
 * code exchange, an ID token that does not verify, a banned user — is a
 * 302 to the state's redirect_to (or SITE_URL) with GoTrue's fragment
 * #error=...&error_code=...&error_description=... (for a client in the
 * PKCE flow in the query as well). On success the code is
 * exchanged with the PKCE verifier (oauth_exchange.h), the user
 * identified (oauth_user.h) and signed in by auth.oauth_sign_in (the
 * identity's user, else the user of the verified email — linked — else a
 * new one; a session with method oauth), and the browser goes to the same
 * place with the session in the fragment — or, when the client started
 * the sign-in with its own PKCE challenge, with ?code= only: the verified
 * identity and the provider's tokens (sealed) wait in auth.flow_state
 * (auth.oauth_park), and POST /token?grant_type=pkce signs them in. Why a
 * provider-side step failed
 * is logged; codes, tokens and secrets never are. */
#include "auth/auth_settings.h"
#include "auth/auth_txn.h"
#include "auth/body.h"
#include "auth/handlers.h"
#include "auth/oauth_exchange.h"
#include "auth/oauth_state.h"
#include "auth/oauth_user.h"
#include "auth/pkce.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "auth/urls.h"
#include "core/json_text.h"
#include "core/log.h"
#include "worker/app.h"

#include <string.h>
#include <time.h>

#define SIGN_IN_SQL                                                                                \
    "select status, user_json, claims, expires_at from auth.oauth_sign_in($1, $2, $3, "            \
    "$4::boolean, $5::jsonb, $6, $7::int, $8::int, $9, $10)"
#define PARK_SQL                                                                                   \
    "select auth.oauth_park($1, $2, $3, $4, $5, $6, $7::boolean, $8::jsonb, $9, $10::int)"
#define LINK_SQL "select auth.oauth_link($1::uuid, $2, $3, $4, $5::jsonb, $6)"
#define PROVIDER_TEXT_MAX 200

typedef struct callback {
    request *req;
    response *res;
    query_params params; /* the query, or the form body of a form_post */
    time_t now;
    oauth_state state;
    oauth_provider provider;
    oauth_endpoints endpoints;
    const char *target; /* where the browser goes: redirect_to or SITE_URL */
} callback;

static const char *param(const callback *c, const char *key)
{
    const char *v = query_get(&c->params, key);
    return v && *v ? v : NULL;
}

/* GoTrue's error redirect; for a client in the PKCE flow the error is in
 * the query as well (its server-side callback route reads it there). */
static void fail(callback *c, const char *error, const char *code, const char *description)
{
    if (c->state.client_challenge)
        auth_reply_error_redirect_pkce(c->req, c->res, c->target, error, code, description);
    else
        auth_reply_error_redirect_as(c->req, c->res, c->target, error, code, description);
}

/* A provider-side failure: logged, then redirected. */
static void provider_failed(callback *c, const char *error, const char *code, const char *why)
{
    log_event("oauth %s: %s: %s", c->provider.name, code, why);
    fail(c, error, code, why);
}

static bool read_params(callback *c)
{
    if (strcmp(c->req->method, "POST") == 0)
        return auth_form_body(c->req, c->res, &c->params);
    c->params = c->req->query;
    return true;
}

static bool open_state(callback *c)
{
    /* a callback URL registered per provider (?provider=...) names it */
    const char *named = param(c, "provider");
    if (!named && (named = query_get(&c->req->query, "provider")) && !*named)
        named = NULL;
    const char *text = param(c, "state");
    if (!text) {
        auth_error(c->res, 400, "bad_oauth_state", "OAuth callback without state");
        return false;
    }
    if (named && strcmp(named, "azure") == 0)
        named = "microsoft";
    oauth_state_status st = auth_oauth_state_open(c->req->arena, c->req->app->cfg.jwt_secret, text,
                                                  named, c->now, &c->state);
    if (st == OAUTH_STATE_OK)
        return true;
    auth_error(c->res, 400, "bad_oauth_state", auth_oauth_state_status_message(st));
    return false;
}

static bool find_provider(callback *c)
{
    const auth_settings *cfg = auth_settings_of(c->req);
    if (auth_oauth_provider_find(c->req->arena, cfg, c->state.provider, &c->provider) ==
        OAUTH_PROVIDER_OK) {
        c->target = auth_redirect_choose(cfg, c->state.redirect_to, NULL);
        return true;
    }
    auth_error(c->res, 400, "provider_disabled", "the provider of this sign-in is not enabled");
    return false;
}

/* Printable ASCII of a bounded length, else fallback. */
static const char *provider_text(const char *s, const char *charset, const char *fallback)
{
    if (!s || strlen(s) > PROVIDER_TEXT_MAX)
        return fallback;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f || (charset && !strchr(charset, *p)))
            return fallback;
    return s;
}

/* error=... from the provider (the user said no, ...): passed on. */
static bool provider_reported_error(callback *c)
{
    const char *error = param(c, "error");
    if (!error)
        return false;
    error = provider_text(error, "abcdefghijklmnopqrstuvwxyz_", "access_denied");
    const char *description = provider_text(param(c, "error_description"), NULL, NULL);
    fail(c, error, "bad_oauth_callback",
         description ? description
                     : arena_printf(c->req->arena, "the provider answered %s", error));
    return true;
}

static bool reach_provider(callback *c)
{
    char why[256];
    if (auth_oauth_endpoints_get(c->req->arena, auth_settings_of(c->req), &c->provider, c->now,
                                 &c->endpoints, why, sizeof why))
        return true;
    provider_failed(c, "server_error", "provider_unreachable", why);
    return false;
}

/* RFC 9207: an iss in the authorization response must be the provider's. */
static bool issuer_matches(callback *c)
{
    const char *iss = param(c, "iss");
    const char *want = c->endpoints.issuer;
    if (!iss || !want || strstr(want, "{tenantid}") || strcmp(iss, want) == 0)
        return true;
    fail(c, "invalid_request", "bad_oauth_callback",
         "the authorization response comes from another issuer than the provider");
    return false;
}

static bool identify(callback *c, const oauth_tokens *tokens, oauth_identity *id)
{
    oauth_user_failure f;
    const auth_settings *cfg = auth_settings_of(c->req);
    bool ok = c->provider.oidc
                  ? auth_oidc_user_identify(c->req->arena, cfg, &c->provider, &c->endpoints, tokens,
                                            c->state.nonce, param(c, "user"), c->now, id, &f)
                  : auth_github_user_identify(c->req->arena, cfg, &c->endpoints, tokens, id, &f);
    if (!ok)
        provider_failed(
            c, strcmp(f.error_code, "bad_id_token") == 0 ? "access_denied" : "server_error",
            f.error_code, f.description);
    return ok;
}

static void sign_in(callback *c, const oauth_identity *id, const oauth_tokens *tokens)
{
    request *req = c->req;
    const auth_settings *cfg = auth_settings_of(req);
    char *refresh = auth_secret_token_new(req->arena);
    if (!refresh) {
        auth_error(c->res, 500, "unexpected_failure", "no randomness for a token");
        return;
    }
    const char *v[] = {c->provider.name,
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
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    int q = db_txn_add(t, SIGN_IN_SQL, 10, v);
    if (!auth_txn_run(t, req, c->res))
        return;
    PGresult *r = db_txn_result(t, q);
    if (strcmp(PQgetvalue(r, 0, 0), "ok") != 0) {
        fail(c, "access_denied", "user_banned", "user is banned");
        return;
    }
    auth_reply_provider_session_redirect(req, c->res, c->target, PQgetvalue(r, 0, 2),
                                         PQgetvalue(r, 0, 3), refresh, tokens->access_token,
                                         tokens->refresh_token);
}

/* linkIdentity: the identity becomes the state's user's (auth.oauth_link)
 * before the sign-in, which then finds it; false after redirecting with
 * identity_already_exists when another user has it. */
static bool link(callback *c, const oauth_identity *id)
{
    request *req = c->req;
    const char *v[] = {c->state.link_user,
                       c->provider.name,
                       id->provider_id,
                       id->email,
                       json_text(req->arena, id->data),
                       req->client_addr};
    db_txn *t = auth_txn_new(req);
    int q = db_txn_add(t, LINK_SQL, 6, v);
    if (!auth_txn_run(t, req, c->res))
        return false;
    const char *status = PQgetvalue(db_txn_result(t, q), 0, 0);
    if (strcmp(status, "ok") == 0)
        return true;
    fail(c, "access_denied",
         strcmp(status, "taken") == 0 ? "identity_already_exists" : "user_not_found",
         strcmp(status, "taken") == 0 ? "Identity is already linked to another user"
                                      : "the user to link to no longer exists");
    return false;
}

/* The PKCE flow: parks the sign-in under a new auth code and sends the
 * browser to the target with ?code=. */
static void park(callback *c, const oauth_identity *id, const oauth_tokens *tokens)
{
    request *req = c->req;
    const auth_settings *cfg = auth_settings_of(req);
    oauth_state sealed = {.provider = c->provider.name,
                          .code_verifier = c->state.code_verifier,
                          .expires_at = (long long)c->now + PKCE_FLOW_TTL_S,
                          .provider_token = tokens->access_token,
                          .provider_refresh_token = tokens->refresh_token};
    char *code = auth_secret_token_new(req->arena);
    const char *tokens_sealed =
        tokens->access_token ? auth_oauth_state_seal(req->arena, req->app->cfg.jwt_secret, &sealed)
                             : NULL;
    if (!code || (tokens->access_token && !tokens_sealed)) {
        auth_error(c->res, 500, "unexpected_failure", "no randomness for a token");
        return;
    }
    const char *v[] = {auth_secret_token_hash(req->arena, code),
                       c->state.client_challenge,
                       c->state.client_challenge_method,
                       c->provider.name,
                       id->provider_id,
                       id->email,
                       id->email_verified ? "true" : "false",
                       json_text(req->arena, id->data),
                       tokens_sealed,
                       arena_printf(req->arena, "%d", PKCE_FLOW_TTL_S)};
    db_txn *t = auth_txn_new(req);
    auth_txn_rate_limit(t, req, "auth", cfg->auth_rate_limit);
    db_txn_add(t, PARK_SQL, 10, v);
    if (auth_txn_run(t, req, c->res))
        auth_reply_code_redirect(req, c->res, c->target, code);
}

void auth_callback(request *req, response *res)
{
    callback c = {.req = req, .res = res, .now = time(NULL)};
    if (!read_params(&c) || !open_state(&c) || !find_provider(&c) || provider_reported_error(&c) ||
        !reach_provider(&c) || !issuer_matches(&c))
        return;
    const char *code = param(&c, "code");
    if (!code) {
        fail(&c, "invalid_request", "bad_oauth_callback",
             "the provider sent no authorization code");
        return;
    }
    oauth_tokens tokens;
    oauth_identity id;
    char why[256];
    if (!auth_oauth_exchange_code(req->arena, &c.provider, &c.endpoints, code,
                                  c.state.code_verifier, auth_settings_of(req)->oauth_timeout_s,
                                  &tokens, why, sizeof why)) {
        provider_failed(&c, "server_error", "oauth_code_exchange_failed", why);
        return;
    }
    if (!identify(&c, &tokens, &id) || (c.state.link_user && !link(&c, &id)))
        return;
    if (c.state.client_challenge)
        park(&c, &id, &tokens);
    else
        sign_in(&c, &id, &tokens);
}
