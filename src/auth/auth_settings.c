/* The auth area's configuration keys, and the keys that must be set
 * together; see auth_settings.h. */
#include "auth/auth_settings.h"

#include "auth/auth_hook.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool check_smtp_url(const char *value, char *why, size_t whylen);
static bool check_mail_from(const char *value, char *why, size_t whylen);
static bool check_tenant(const char *value, char *why, size_t whylen);
static bool check_required_with(const void *settings, char *err, size_t errlen);

#define OFF(field) offsetof(auth_settings, field)

/* The three keys of one OAuth provider P: P_CLIENT_ID (enables it),
 * P_CLIENT_SECRET, P_REDIRECT_URI. */
#define OAUTH_CLIENT_KEYS(P, field, who)                                                           \
    {P "_CLIENT_ID",                                                                               \
     CONFIG_STRING,                                                                                \
     NULL,                                                                                         \
     OFF(field.client_id),                                                                         \
     0,                                                                                            \
     0,                                                                                            \
     0,                                                                                            \
     NULL,                                                                                         \
     "OAuth client id at " who "; setting it enables the provider"},                               \
        {P "_CLIENT_SECRET",                                                                       \
         CONFIG_STRING,                                                                            \
         NULL,                                                                                     \
         OFF(field.client_secret),                                                                 \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         NULL,                                                                                     \
         "OAuth client secret at " who "; required with " P "_CLIENT_ID"},                         \
    {                                                                                              \
        P "_REDIRECT_URI", CONFIG_STRING, NULL, OFF(field.redirect_uri), 0, 0, 0,                  \
            config_check_optional_http_url,                                                        \
            "callback URL registered at the provider; default {API_EXTERNAL_URL or "               \
            "SITE_URL}/auth/v1/callback"                                                           \
    }

static const config_key AUTH_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("AUTH", "pgstack-auth", "/auth/v1", "2", "65536"),
    {"SITE_URL", CONFIG_STRING, "http://127.0.0.1:3000", OFF(site_url), 0, 0, 0,
     config_check_http_url,
     "the application's URL: links in emails and redirects after sign-in lead here"},
    {"ADDITIONAL_REDIRECT_URLS", CONFIG_LIST, "", OFF(additional_redirect_urls), 0, 0, 0, NULL,
     "comma-separated further URLs allowed as redirect_to (prefix match)"},
    {"JWT_EXPIRY", CONFIG_INT, "3600", OFF(jwt_expiry_s), 30, 604800, 0, NULL,
     "lifetime of access tokens in seconds"},
    {"REFRESH_TOKEN_TTL", CONFIG_INT, "2592000", OFF(refresh_token_ttl_s), 60, 31536000, 0, NULL,
     "lifetime of a refresh token in seconds"},
    {"REFRESH_TOKEN_REUSE_INTERVAL", CONFIG_INT, "10", OFF(refresh_token_reuse_interval_s), 0, 3600,
     0, NULL, "seconds a rotated refresh token may still be used (concurrent tabs)"},
    {"AUTH_BCRYPT_COST", CONFIG_INT, "10", OFF(auth_bcrypt_cost), 4, 16, 0, NULL,
     "bcrypt cost of new password hashes"},
    {"REQUIRE_EMAIL_VERIFICATION", CONFIG_BOOL, "false", OFF(require_email_verification), 0, 0, 0,
     NULL, "new users must confirm their email before signing in"},
    {"ALLOW_ANONYMOUS_SIGNIN", CONFIG_BOOL, "false", OFF(allow_anonymous_signin), 0, 0, 0, NULL,
     "allow POST /auth/v1/anonymous and anonymous sign-up"},
    {"SECURE_PASSWORD_CHANGE", CONFIG_BOOL, "false", OFF(secure_password_change), 0, 0, 0, NULL,
     "a new password needs a session younger than 24 h or the nonce from GET /reauthenticate"},
    {"SECURE_EMAIL_CHANGE", CONFIG_BOOL, "true", OFF(secure_email_change), 0, 0, 0, NULL,
     "with REQUIRE_EMAIL_VERIFICATION, a new email must be confirmed from the current address "
     "too (GoTrue's secure email change)"},
    {"AUTH_HOOK_CUSTOM_ACCESS_TOKEN", CONFIG_STRING, NULL, OFF(hook_custom_access_token), 0, 0, 0,
     auth_hook_check,
     "schema.function (or pg-functions://postgres/schema/function) called with every access "
     "token's claims; its claims become the token's"},
    {"MFA_CHALLENGE_EXPIRY", CONFIG_INT, "300", OFF(mfa_challenge_expiry_s), 30, 86400, 0, NULL,
     "seconds an MFA challenge (POST /factors/{id}/challenge) may be verified"},
    {"AUTH_RATE_LIMIT", CONFIG_INT, "30", OFF(auth_rate_limit), 1, 1000000, 0, NULL,
     "sign-up/sign-in/recovery requests per client address per minute"},
    {"ANONYMOUS_RATE_LIMIT", CONFIG_INT, "30", OFF(anonymous_rate_limit), 1, 1000000, 0, NULL,
     "anonymous sign-ins per client address per minute"},
    {"API_EXTERNAL_URL", CONFIG_STRING, NULL, OFF(api_external_url), 0, 0, 0,
     config_check_optional_http_url,
     "public URL of this server (no /auth/v1) that links in emails lead to; default SITE_URL"},
    {"SMTP_URL", CONFIG_STRING, NULL, OFF(smtp_url), 0, 0, 0, check_smtp_url,
     "smtp://host:port or smtps://host:port of the mail server; unset: mail goes to "
     "MAIL_SPOOL_DIR"},
    {"SMTP_USER", CONFIG_STRING, NULL, OFF(smtp_user), 0, 0, 0, NULL,
     "user name for SMTP authentication (optional)"},
    {"SMTP_PASS", CONFIG_STRING, NULL, OFF(smtp_pass), 0, 0, 0, NULL,
     "password for SMTP authentication (optional)"},
    {"SMTP_FROM", CONFIG_STRING, "pgstack <noreply@localhost>", OFF(smtp_from), 0, 0, 0,
     check_mail_from, "sender of auth emails: \"Name <address>\" or an address"},
    {"SMTP_TIMEOUT", CONFIG_INT, "10", OFF(smtp_timeout_s), 1, 300, 0, NULL,
     "seconds one SMTP delivery may take before the request fails with 500"},
    {"MAIL_SPOOL_DIR", CONFIG_STRING, "/var/spool/pgstack/mail", OFF(mail_spool_dir), 0, 0, 0, NULL,
     "without SMTP_URL: Maildir (tmp/, new/) where each email is written as one file"},
    OAUTH_CLIENT_KEYS("GOOGLE", google, "Google"),
    {"GOOGLE_ISSUER_URL", CONFIG_STRING, "https://accounts.google.com", OFF(google_issuer_url), 0,
     0, 0, config_check_http_url,
     "Google's OpenID issuer (discovery at {issuer}/.well-known/openid-configuration)"},
    OAUTH_CLIENT_KEYS("GITHUB", github, "GitHub"),
    {"GITHUB_AUTHORIZE_URL", CONFIG_STRING, "https://github.com/login/oauth/authorize",
     OFF(github_authorize_url), 0, 0, 0, config_check_http_url, "GitHub's authorization endpoint"},
    {"GITHUB_TOKEN_URL", CONFIG_STRING, "https://github.com/login/oauth/access_token",
     OFF(github_token_url), 0, 0, 0, config_check_http_url, "GitHub's token endpoint"},
    {"GITHUB_API_URL", CONFIG_STRING, "https://api.github.com", OFF(github_api_url), 0, 0, 0,
     config_check_http_url,
     "GitHub's REST API (/user and /user/emails), e.g. of GitHub Enterprise"},
    OAUTH_CLIENT_KEYS("APPLE", apple, "Apple"),
    {"APPLE_ISSUER_URL", CONFIG_STRING, "https://appleid.apple.com", OFF(apple_issuer_url), 0, 0, 0,
     config_check_http_url, "Apple's OpenID issuer (discovery)"},
    OAUTH_CLIENT_KEYS("MICROSOFT", microsoft, "Microsoft (Entra ID)"),
    {"MICROSOFT_LOGIN_URL", CONFIG_STRING, "https://login.microsoftonline.com",
     OFF(microsoft_login_url), 0, 0, 0, config_check_http_url,
     "Microsoft's login host; the issuer is {MICROSOFT_LOGIN_URL}/{MICROSOFT_TENANT}/v2.0"},
    {"MICROSOFT_TENANT", CONFIG_STRING, "common", OFF(microsoft_tenant), 0, 0, 0, check_tenant,
     "common, organizations, consumers, or a tenant id or domain"},
    OAUTH_CLIENT_KEYS("OIDC", oidc, "a generic OpenID Connect provider"),
    {"OIDC_ISSUER_URL", CONFIG_STRING, NULL, OFF(oidc_issuer_url), 0, 0, 0,
     config_check_optional_http_url,
     "issuer of the generic OpenID Connect provider (discovery); required with OIDC_CLIENT_ID"},
    {"OIDC_SCOPES", CONFIG_STRING, "openid email profile", OFF(oidc_scopes), 0, 0, 0, NULL,
     "scopes requested from the generic OpenID Connect provider"},
    {"OAUTH_TIMEOUT", CONFIG_INT, "10", OFF(oauth_timeout_s), 1, 120, 0, NULL,
     "seconds one call to an OAuth provider (discovery, keys, token, user API) may take"},
};

const config_section auth_config_section = {
    .name = "auth",
    .keys = AUTH_KEYS,
    .key_count = sizeof AUTH_KEYS / sizeof AUTH_KEYS[0],
    .size = sizeof(auth_settings),
    .validate = check_required_with,
};

/* Keys that must be set when another one is: an enabled provider needs its
 * secret (and the generic one its issuer). */
static const struct {
    const char *key, *when;
} REQUIRED_WITH[] = {
    {"GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_ID"},
    {"GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID"},
    {"APPLE_CLIENT_SECRET", "APPLE_CLIENT_ID"},
    {"MICROSOFT_CLIENT_SECRET", "MICROSOFT_CLIENT_ID"},
    {"OIDC_CLIENT_SECRET", "OIDC_CLIENT_ID"},
    {"OIDC_ISSUER_URL", "OIDC_CLIENT_ID"},
};
static bool check_smtp_url(const char *value, char *why, size_t whylen)
{
    static const char *const SMTP[] = {"smtp://", "smtps://", NULL};
    return !*value || config_check_scheme(value, SMTP, why, whylen);
}

/* "Name <address>" or "address", without control characters (the mail
 * code checks the parts again before writing a header). */
static bool check_mail_from(const char *value, char *why, size_t whylen)
{
    const char *lt = strchr(value, '<'), *gt = strchr(value, '>');
    bool control = false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        control |= *p < 0x20 || *p == 0x7f;
    bool shape = lt ? (gt && gt[1] == '\0' && gt > lt && !strchr(lt + 1, '<') &&
                       memchr(lt, '@', (size_t)(gt - lt)))
                    : (!gt && strchr(value, '@') && !strchr(value, ' '));
    if (control || !shape) {
        snprintf(why, whylen,
                 "must be \"Name <address>\" or an address, without control characters");
        return false;
    }
    return true;
}

/* A tenant is one path segment: letters, digits, '.', '-'. */
static bool check_tenant(const char *value, char *why, size_t whylen)
{
    bool ok = *value != '\0' && strlen(value) <= 100;
    for (const char *p = value; *p; p++)
        ok &= isalnum((unsigned char)*p) || *p == '.' || *p == '-';
    if (!ok)
        snprintf(why, whylen, "must be a tenant id or domain (letters, digits, '.', '-')");
    return ok;
}

static bool string_set(const void *settings, const char *name)
{
    const char *v = config_section_string(&auth_config_section, settings, name);
    return v && *v;
}

static bool check_required_with(const void *settings, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof REQUIRED_WITH / sizeof REQUIRED_WITH[0]; i++)
        if (string_set(settings, REQUIRED_WITH[i].when) &&
            !string_set(settings, REQUIRED_WITH[i].key)) {
            snprintf(err, errlen, "configuration %s: required when %s is set", REQUIRED_WITH[i].key,
                     REQUIRED_WITH[i].when);
            return false;
        }
    return true;
}
