/* Code exchange at the token endpoint; see oauth_exchange.h. */
#include "auth/oauth_exchange.h"

#include "auth/oauth_http.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return *s ? s : NULL;
}

/* The provider's error code if it is a plain token (it goes into a
 * message), else "error". */
static const char *error_code(json_object *reply)
{
    const char *e = member(reply, "error");
    if (!e || strlen(e) > 64)
        return "error";
    for (const char *p = e; *p; p++)
        if (!islower((unsigned char)*p) && *p != '_')
            return "error";
    return e;
}

static const char *request_form(arena *a, const oauth_provider *p, const oauth_endpoints *e,
                                const char *code, const char *code_verifier)
{
    char *form = auth_oauth_form_add(a, "", "grant_type", "authorization_code");
    form = auth_oauth_form_add(a, form, "code", code);
    form = auth_oauth_form_add(a, form, "redirect_uri", p->redirect_uri);
    form = auth_oauth_form_add(a, form, "code_verifier", code_verifier);
    if (!e->client_secret_basic) {
        form = auth_oauth_form_add(a, form, "client_id", p->client_id);
        form = auth_oauth_form_add(a, form, "client_secret", p->client_secret);
    }
    return form;
}

bool auth_oauth_exchange_code(arena *a, const oauth_provider *p, const oauth_endpoints *e,
                              const char *code, const char *code_verifier, long timeout_s,
                              oauth_tokens *out, char *why, size_t whylen)
{
    oauth_http_call call = {.url = e->token_endpoint,
                            .form = request_form(a, p, e, code, code_verifier),
                            .timeout_s = timeout_s};
    if (e->client_secret_basic) {
        call.basic_user = p->client_id;
        call.basic_password = p->client_secret;
    }
    oauth_http_reply reply;
    memset(out, 0, sizeof *out);
    if (!auth_oauth_http(a, &call, &reply, why, whylen))
        return false;
    if (reply.status != 200 || member(reply.json, "error")) {
        snprintf(why, whylen, "the provider refused the authorization code (HTTP %ld, %s)",
                 reply.status, error_code(reply.json));
        return false;
    }
    out->access_token = member(reply.json, "access_token");
    out->refresh_token = member(reply.json, "refresh_token");
    out->id_token = member(reply.json, "id_token");
    if (!out->access_token) {
        snprintf(why, whylen, "the provider's token reply has no access_token");
        return false;
    }
    return true;
}
