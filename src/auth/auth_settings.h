/* The auth area's settings (/auth/v1): sign-up and token rules, links and
 * redirects, mail delivery, and the OAuth providers, registered with core's
 * configuration loader. */
#ifndef PGSTACK_AUTH_SETTINGS_H
#define PGSTACK_AUTH_SETTINGS_H

#include "core/config.h"
#include "worker/app.h"

/* One OAuth provider's client registration. The provider is enabled when
 * its client id is set; the secret is then required. */
typedef struct oauth_client {
    char *client_id;
    char *client_secret;
    char *redirect_uri; /* NULL: {API_EXTERNAL_URL or SITE_URL}/auth/v1/callback */
} oauth_client;

typedef struct auth_settings {
    area_limits limits;
    char *site_url;
    str_list additional_redirect_urls;
    long jwt_expiry_s;
    long refresh_token_ttl_s;
    long refresh_token_reuse_interval_s;
    long auth_bcrypt_cost;
    bool require_email_verification;
    bool allow_anonymous_signin;
    bool secure_password_change; /* a new password needs a fresh session or a nonce */
    bool secure_email_change;    /* a new email is confirmed by both addresses */
    long mfa_challenge_expiry_s;
    char *hook_custom_access_token; /* NULL: no hook */
    long auth_rate_limit;
    long anonymous_rate_limit;
    char *api_external_url; /* NULL: SITE_URL */
    char *smtp_url;         /* NULL: write mail to mail_spool_dir */
    char *smtp_user;
    char *smtp_pass;
    char *smtp_from;
    long smtp_timeout_s;
    char *mail_spool_dir;
    /* OAuth sign-in */
    oauth_client google, github, apple, microsoft, oidc;
    char *google_issuer_url;
    char *github_authorize_url;
    char *github_token_url;
    char *github_api_url;
    char *apple_issuer_url;
    char *microsoft_login_url;
    char *microsoft_tenant;
    char *oidc_issuer_url; /* required when OIDC_CLIENT_ID is set */
    char *oidc_scopes;
    long oauth_timeout_s;
} auth_settings;

extern const config_section auth_config_section;

/* The auth settings of the worker serving req. */
static inline const auth_settings *auth_settings_of(const request *req)
{
    return (const auth_settings *)req->app->settings;
}

#endif
