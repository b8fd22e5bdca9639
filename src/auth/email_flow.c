/* Shared pieces of the email flows; see email_flow.h. */
#include "auth/auth_settings.h"
#include "auth/email_flow.h"

#include "auth/reply.h"
#include "auth/secret_token.h"
#include "auth/urls.h"
#include "worker/app.h"

bool mailed_token_new(request *req, response *res, mailed_token *out)
{
    char *secret = secret_token_new(req->arena);
    if (!secret) {
        auth_error(res, 500, "unexpected_failure", "no randomness for a token");
        return false;
    }
    out->secret = secret;
    out->hash = secret_token_hash(req->arena, secret);
    return true;
}

const char *email_flow_redirect(request *req)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *requested = query_get(&req->query, "redirect_to");
    if (requested && redirect_url_allowed(requested, cfg->site_url, &cfg->additional_redirect_urls))
        return requested;
    return NULL;
}

const char *email_flow_ttl(request *req, long seconds)
{
    return arena_printf(req->arena, "%ld", seconds);
}
