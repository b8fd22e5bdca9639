/* The user of a GitHub sign-in, from its REST API; see oauth_user.h. */
#include "auth/auth_settings.h"
#include "auth/oauth_http.h"
#include "auth/oauth_user.h"

#include <stdio.h>

#define GITHUB_ACCEPT "application/vnd.github+json"

static bool fail(oauth_user_failure *f, const char *code, const char *description)
{
    f->error_code = code;
    snprintf(f->description, sizeof f->description, "%s", description);
    return false;
}

/* GET {api}{path} with the access token; the JSON reply or NULL. */
static json_object *api_get(arena *a, const auth_settings *cfg, const oauth_endpoints *e,
                            const char *token, const char *path, oauth_user_failure *failure)
{
    char why[256];
    oauth_http_call call = {.url = arena_printf(a, "%s%s", e->api_url, path),
                            .bearer = token,
                            .accept = GITHUB_ACCEPT,
                            .timeout_s = cfg->oauth_timeout_s};
    oauth_http_reply reply;
    if (!auth_oauth_http(a, &call, &reply, why, sizeof why)) {
        fail(failure, "provider_unreachable", why);
        return NULL;
    }
    if (reply.status != 200 || !reply.json) {
        snprintf(why, sizeof why, "GitHub's %s answered HTTP %ld", path, reply.status);
        fail(failure, "provider_error", why);
        return NULL;
    }
    return reply.json;
}

bool auth_github_user_identify(arena *a, const auth_settings *cfg, const oauth_endpoints *e,
                               const oauth_tokens *tokens, oauth_identity *out,
                               oauth_user_failure *failure)
{
    json_object *user = api_get(a, cfg, e, tokens->access_token, "/user", failure);
    if (!user)
        return false;
    /* without the user:email scope granted, /user/emails fails: no address */
    oauth_user_failure ignored;
    json_object *emails = api_get(a, cfg, e, tokens->access_token, "/user/emails", &ignored);
    if (!auth_oauth_identity_from_github(a, e->api_url, user, emails, out))
        return fail(failure, "provider_error", "GitHub's /user has no id");
    return true;
}
