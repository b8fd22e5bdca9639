/* GET /settings: which sign-in methods and features are on, in GoTrue's
 * shape (supabase-js and dashboards read it). Microsoft is reported both
 * as "azure" (GoTrue's name) and "microsoft" (the spec's). */
#include "auth/auth_settings.h"
#include "auth/handlers.h"
#include "jwt/jwt_keys.h"
#include "auth/oauth_provider.h"
#include "core/sbuf.h"
#include "worker/app.h"

static const char *on(const auth_settings *cfg, const char *provider)
{
    return auth_oauth_provider_enabled(cfg, provider) ? "true" : "false";
}

/* GET /.well-known/jwks.json: the public halves of JWT_SIGNING_KEYS
 * (jwt_keys.h), which supabase-js getClaims() verifies tokens with. With
 * only JWT_SECRET (HMAC, never published) the set is empty, as GoTrue's
 * with only HS256, and getClaims() verifies through GET /user. */
void auth_jwks(request *req, response *res)
{
    response_set_header(res, "Cache-Control", "public, max-age=600");
    response_json(res, 200, jwt_keys_public_set(req->arena, &req->app->keys));
}

void auth_settings_handle(request *req, response *res)
{
    const auth_settings *cfg = auth_settings_of(req);
    sbuf b;
    sbuf_init(&b, req->arena, 512);
    sbuf_printf(&b,
                "{\"external\":{\"email\":true,\"phone\":false,\"anonymous_users\":%s,"
                "\"google\":%s,\"github\":%s,\"apple\":%s,\"azure\":%s,\"microsoft\":%s,"
                "\"oidc\":%s},"
                "\"disable_signup\":false,\"mailer_autoconfirm\":%s,\"phone_autoconfirm\":false,"
                "\"sms_provider\":\"\",\"anonymous_users\":%s}",
                cfg->allow_anonymous_signin ? "true" : "false", on(cfg, "google"),
                on(cfg, "github"), on(cfg, "apple"), on(cfg, "microsoft"), on(cfg, "microsoft"),
                on(cfg, "oidc"), cfg->require_email_verification ? "false" : "true",
                cfg->allow_anonymous_signin ? "true" : "false");
    response_json(res, 200, b.data);
}
