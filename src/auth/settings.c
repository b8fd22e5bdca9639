/* GET /settings: which sign-in methods and features are on, in GoTrue's
 * shape (supabase-js and dashboards read it). */
#include "auth/handlers.h"
#include "core/app.h"
#include "core/sbuf.h"

void auth_settings(request *req, response *res)
{
    const pgstack_config *cfg = &req->app->cfg;
    sbuf b;
    sbuf_init(&b, req->arena, 512);
    sbuf_printf(&b,
                "{\"external\":{\"email\":true,\"phone\":false,\"anonymous_users\":%s,"
                "\"google\":false,\"github\":false,\"apple\":false,\"azure\":false,"
                "\"oidc\":false},"
                "\"disable_signup\":false,\"mailer_autoconfirm\":%s,\"phone_autoconfirm\":false,"
                "\"sms_provider\":\"\",\"anonymous_users\":%s}",
                cfg->allow_anonymous_signin ? "true" : "false",
                cfg->require_email_verification ? "false" : "true",
                cfg->allow_anonymous_signin ? "true" : "false");
    response_json(res, 200, b.data);
}
