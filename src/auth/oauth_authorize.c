/* GET /authorize?provider=...[&redirect_to=...][&scopes=...]: the start of
 * an OAuth sign-in. Answers 302 to the provider's authorization endpoint
 * with client_id, redirect_uri, response_type=code, scope, the sealed state
 * (oauth_state.h: provider, redirect_to, PKCE verifier, nonce), the PKCE
 * S256 challenge, for OpenID providers the nonce, and for Apple
 * response_mode=form_post. redirect_to is kept only when it is allowed
 * (urls.h); otherwise the sign-in ends at SITE_URL. scopes (GoTrue) adds
 * scopes to the provider's defaults.
 *
 * A client's own PKCE challenge (supabase-js flowType "pkce", @supabase/ssr:
 * code_challenge and code_challenge_method) rides in the sealed state; the
 * callback then ends with ?code= instead of the session (pkce.h). An
 * unknown or unconfigured provider, or a malformed challenge, is a 400
 * JSON error. A provider that cannot be reached (discovery) is a 502. */
#include "auth/auth_settings.h"
#include "auth/handlers.h"
#include "auth/oauth_provider.h"
#include "auth/oauth_state.h"
#include "auth/pkce.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "auth/urls.h"
#include "core/json_text.h"
#include "core/uuid.h"
#include "core/log.h"
#include "worker/app.h"

#include <string.h>
#include <time.h>

#define SCOPES_MAX 512
#define PROVIDER_LIST "google, github, apple, microsoft or oidc"

/* Echoes the requested name only when it is short and plain. */
static void unknown_provider(response *res, const char *name)
{
    char message[96];
    bool plain = strlen(name) <= 32 &&
                 strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(name);
    snprintf(message, sizeof message, "unsupported provider%s%s: use " PROVIDER_LIST,
             plain ? " " : "", plain ? name : "");
    auth_error(res, 400, "oauth_provider_not_supported", message);
}

/* The provider of ?provider=; false after replying 400. */
static bool requested_provider(request *req, response *res, oauth_provider *p)
{
    const char *name = query_get(&req->query, "provider");
    if (!name || !*name) {
        auth_error(res, 400, "validation_failed", "provider is required: " PROVIDER_LIST);
        return false;
    }
    switch (auth_oauth_provider_find(req->arena, auth_settings_of(req), name, p)) {
    case OAUTH_PROVIDER_OK:
        return true;
    case OAUTH_PROVIDER_UNKNOWN:
        unknown_provider(res, name);
        return false;
    case OAUTH_PROVIDER_DISABLED:
        break;
    }
    char message[96];
    snprintf(message, sizeof message, "provider %s is not enabled", name);
    auth_error(res, 400, "provider_disabled", message);
    return false;
}

/* The provider's scopes plus ?scopes=; NULL after replying 400. */
static const char *requested_scopes(request *req, response *res, const oauth_provider *p)
{
    const char *extra = query_get(&req->query, "scopes");
    if (!extra || !*extra)
        return p->scopes;
    bool printable = strlen(extra) <= SCOPES_MAX;
    for (const unsigned char *c = (const unsigned char *)extra; *c && printable; c++)
        printable = *c >= 0x20 && *c < 0x7f;
    if (!printable) {
        auth_error(res, 400, "validation_failed",
                   "scopes must be printable ASCII of at most 512 characters");
        return NULL;
    }
    return arena_printf(req->arena, "%s %s", p->scopes, extra);
}

/* &key=value, encoded. */
static char *param(arena *a, char *url, const char *key, const char *value)
{
    return arena_printf(a, "%s&%s=%s", url, key, query_encode(a, value));
}

static const char *authorization_url(arena *a, const oauth_provider *p, const oauth_endpoints *e,
                                     const char *scopes, const char *state, const oauth_state *s)
{
    const char *endpoint = e->authorization_endpoint;
    char *url =
        arena_printf(a, "%s%sresponse_type=code", endpoint, strchr(endpoint, '?') ? "&" : "?");
    url = param(a, url, "client_id", p->client_id);
    url = param(a, url, "redirect_uri", p->redirect_uri);
    url = param(a, url, "scope", scopes);
    url = param(a, url, "state", state);
    url = param(a, url, "code_challenge", auth_pkce_challenge_s256(a, s->code_verifier));
    url = param(a, url, "code_challenge_method", "S256");
    if (s->nonce)
        url = param(a, url, "nonce", s->nonce);
    if (p->form_post)
        url = param(a, url, "response_mode", "form_post");
    return url;
}

/* 302 to url, or with ?skip_http_redirect=true (GoTrue; supabase-js
 * linkIdentity) 200 {"url": url}. */
static void authorize_reply(request *req, response *res, const char *url)
{
    const char *skip = query_get(&req->query, "skip_http_redirect");
    if (!skip || strcmp(skip, "true") != 0) {
        auth_reply_redirect(res, url);
        return;
    }
    json_object *o = json_arena_owned(req->arena, json_object_new_object());
    json_object_object_add(o, "url", json_object_new_string(url));
    response_set_header(res, "Cache-Control", "no-store");
    response_json(res, 200, json_text(req->arena, o));
}

/* The start of a sign-in, or with link_user of linking the provider's
 * identity to that signed-in user. */
static void authorize_start(request *req, response *res, const char *link_user)
{
    const auth_settings *cfg = auth_settings_of(req);
    oauth_provider p;
    oauth_endpoints e;
    pkce_request client;
    const char *scopes;
    char why[256];
    if (!requested_provider(req, res, &p) || !(scopes = requested_scopes(req, res, &p)) ||
        !auth_pkce_request_check(req->arena, query_get(&req->query, "code_challenge"),
                                 query_get(&req->query, "code_challenge_method"), &client, res))
        return;
    time_t now = time(NULL);
    if (!auth_oauth_endpoints_get(req->arena, cfg, &p, now, &e, why, sizeof why)) {
        log_event("oauth %s: %s", p.name, why);
        auth_error(res, 502, "provider_unreachable", "could not reach the OAuth provider");
        return;
    }
    const char *redirect_to = query_get(&req->query, "redirect_to");
    oauth_state s = {
        .provider = p.name,
        .redirect_to = redirect_to && auth_redirect_url_allowed(redirect_to, cfg->site_url,
                                                                &cfg->additional_redirect_urls)
                           ? redirect_to
                           : NULL,
        .code_verifier = auth_secret_token_new(req->arena),
        .nonce = p.oidc ? auth_secret_token_new(req->arena) : NULL,
        .expires_at = (long long)now + OAUTH_STATE_TTL_S,
        .client_challenge = client.challenge,
        .client_challenge_method = client.method,
        .link_user = link_user,
    };
    const char *state = s.code_verifier && (!p.oidc || s.nonce)
                            ? auth_oauth_state_seal(req->arena, req->app->cfg.jwt_secret, &s)
                            : NULL;
    if (!state) {
        auth_error(res, 500, "unexpected_failure", "could not create the OAuth state");
        return;
    }
    authorize_reply(req, res, authorization_url(req->arena, &p, &e, scopes, state, &s));
}

void auth_authorize(request *req, response *res)
{
    authorize_start(req, res, NULL);
}

/* GET /user/identities/authorize (supabase-js linkIdentity): as /authorize,
 * for the signed-in caller; the callback links the identity to them. */
void auth_link_identity(request *req, response *res)
{
    const char *sub = req->auth ? req->auth->sub : NULL;
    if (!uuid_text_valid(sub)) {
        auth_error(res, 401, "no_authorization", "this endpoint needs a user's access token");
        return;
    }
    authorize_start(req, res, sub);
}
