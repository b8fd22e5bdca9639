/* OAuth providers from the configuration; see oauth_provider.h. */
#include "auth/auth_settings.h"
#include "auth/oauth_provider.h"

#include "auth/oidc_discovery.h"
#include "auth/urls.h"

#include <string.h>

typedef struct provider_entry {
    const char *name;
    bool oidc;
    bool form_post;
    const char *scopes; /* NULL: OIDC_SCOPES */
    size_t client_offset;
} provider_entry;

#define CLIENT(field) offsetof(auth_settings, field)

static const provider_entry PROVIDERS[] = {
    {"google", true, false, "openid email profile", CLIENT(google)},
    {"github", false, false, "read:user user:email", CLIENT(github)},
    {"apple", true, true, "name email", CLIENT(apple)},
    {"microsoft", true, false, "openid email profile", CLIENT(microsoft)},
    {"oidc", true, false, NULL, CLIENT(oidc)},
};

static const provider_entry *entry_named(const char *name)
{
    if (name && strcmp(name, "azure") == 0)
        name = "microsoft";
    for (size_t i = 0; name && i < sizeof PROVIDERS / sizeof PROVIDERS[0]; i++)
        if (strcmp(PROVIDERS[i].name, name) == 0)
            return &PROVIDERS[i];
    return NULL;
}

static const oauth_client *client_of(const auth_settings *cfg, const provider_entry *e)
{
    return (const oauth_client *)((const char *)cfg + e->client_offset);
}

bool auth_oauth_provider_enabled(const auth_settings *cfg, const char *name)
{
    const provider_entry *e = entry_named(name);
    const oauth_client *c = e ? client_of(cfg, e) : NULL;
    return c && c->client_id && *c->client_id;
}

static const char *trimmed(arena *a, const char *url)
{
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    return arena_strndup(a, url, n);
}

static const char *issuer_url(arena *a, const auth_settings *cfg, const char *name)
{
    if (strcmp(name, "google") == 0)
        return cfg->google_issuer_url;
    if (strcmp(name, "apple") == 0)
        return cfg->apple_issuer_url;
    if (strcmp(name, "microsoft") == 0)
        return arena_printf(a, "%s/%s/v2.0", trimmed(a, cfg->microsoft_login_url),
                            cfg->microsoft_tenant);
    if (strcmp(name, "oidc") == 0)
        return cfg->oidc_issuer_url;
    return NULL;
}

oauth_provider_status auth_oauth_provider_find(arena *a, const auth_settings *cfg, const char *name,
                                               oauth_provider *out)
{
    const provider_entry *e = entry_named(name);
    if (!e)
        return OAUTH_PROVIDER_UNKNOWN;
    const oauth_client *c = client_of(cfg, e);
    if (!c->client_id || !*c->client_id)
        return OAUTH_PROVIDER_DISABLED;
    memset(out, 0, sizeof *out);
    out->name = e->name;
    out->oidc = e->oidc;
    out->form_post = e->form_post;
    out->client_id = c->client_id;
    out->client_secret = c->client_secret ? c->client_secret : "";
    out->redirect_uri =
        c->redirect_uri && *c->redirect_uri
            ? c->redirect_uri
            : arena_printf(a, "%s/auth/v1/callback", trimmed(a, auth_link_base(cfg)));
    out->scopes = e->scopes ? e->scopes : cfg->oidc_scopes;
    out->issuer_url = e->oidc ? issuer_url(a, cfg, e->name) : NULL;
    return OAUTH_PROVIDER_OK;
}

bool auth_oauth_endpoints_get(arena *a, const auth_settings *cfg, const oauth_provider *p,
                              time_t now, oauth_endpoints *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    if (!p->oidc) {
        out->authorization_endpoint = cfg->github_authorize_url;
        out->token_endpoint = cfg->github_token_url;
        out->api_url = trimmed(a, cfg->github_api_url);
        return true;
    }
    oidc_metadata m;
    if (!auth_oidc_discover(a, p->issuer_url, cfg->oauth_timeout_s, now, &m, why, whylen))
        return false;
    out->issuer = m.issuer;
    out->authorization_endpoint = m.authorization_endpoint;
    out->token_endpoint = m.token_endpoint;
    out->jwks_uri = m.jwks_uri;
    out->client_secret_basic = m.client_secret_basic;
    return true;
}
