/* Configuration loading and validation; see config.h. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef enum { KEY_STRING, KEY_INT, KEY_BOOL, KEY_LIST } key_type;

typedef struct key_spec {
    const char *name;
    key_type type;
    const char *default_value;
    size_t offset;
    long min, max; /* for KEY_INT */
    unsigned required_by;
    bool (*check)(const char *value, char *why, size_t whylen);
    const char *description;
} key_spec;

static bool check_database_url(const char *value, char *why, size_t whylen);
static bool check_jwt_secret(const char *value, char *why, size_t whylen);
static bool check_jwt_algorithm(const char *value, char *why, size_t whylen);
static bool check_http_url(const char *value, char *why, size_t whylen);
static bool check_optional_http_url(const char *value, char *why, size_t whylen);
static bool check_smtp_url(const char *value, char *why, size_t whylen);
static bool check_mail_from(const char *value, char *why, size_t whylen);
static bool check_tenant(const char *value, char *why, size_t whylen);
static bool check_storage_backend(const char *value, char *why, size_t whylen);
static bool check_absolute_path(const char *value, char *why, size_t whylen);

#define OFF(field) offsetof(pgstack_config, field)
#define MIB (1024L * 1024L)

/* The three keys of one OAuth provider P: P_CLIENT_ID (enables it),
 * P_CLIENT_SECRET, P_REDIRECT_URI. */
#define OAUTH_CLIENT_KEYS(P, field, who)                                                           \
    {P "_CLIENT_ID",                                                                               \
     KEY_STRING,                                                                                   \
     NULL,                                                                                         \
     OFF(field.client_id),                                                                         \
     0,                                                                                            \
     0,                                                                                            \
     0,                                                                                            \
     NULL,                                                                                         \
     "OAuth client id at " who "; setting it enables the provider"},                               \
        {P "_CLIENT_SECRET",                                                                       \
         KEY_STRING,                                                                               \
         NULL,                                                                                     \
         OFF(field.client_secret),                                                                 \
         0,                                                                                        \
         0,                                                                                        \
         0,                                                                                        \
         NULL,                                                                                     \
         "OAuth client secret at " who "; required with " P "_CLIENT_ID"},                         \
    {                                                                                              \
        P "_REDIRECT_URI", KEY_STRING, NULL, OFF(field.redirect_uri), 0, 0, 0,                     \
            check_optional_http_url,                                                               \
            "callback URL registered at the provider; default {API_EXTERNAL_URL or "               \
            "SITE_URL}/auth/v1/callback"                                                           \
    }

static const key_spec KEYS[] = {
    {"DATABASE_URL", KEY_STRING, NULL, OFF(database_url), 0, 0, CONFIG_NEED_DATABASE,
     check_database_url, "libpq URL the workers connect with (as role authenticator)"},
    {"JWT_SECRET", KEY_STRING, NULL, OFF(jwt_secret), 0, 0, CONFIG_NEED_JWT, check_jwt_secret,
     "HMAC secret for JWTs, at least 32 characters (pgstack keygen makes one)"},
    {"JWT_ALGORITHM", KEY_STRING, "HS256", OFF(jwt_algorithm), 0, 0, 0, check_jwt_algorithm,
     "the only JWT algorithm accepted: HS256, HS384 or HS512"},
    {"ALLOWED_ORIGINS", KEY_LIST, "", OFF(allowed_origins), 0, 0, 0, NULL,
     "comma-separated browser origins allowed by CORS; empty = same-origin and non-browser only"},
    {"ALLOW_PERMISSIVE_CORS", KEY_BOOL, "false", OFF(allow_permissive_cors), 0, 0, 0, NULL,
     "development only: allow any origin"},
    {"TRUSTED_PROXIES", KEY_LIST, "", OFF(trusted_proxies), 0, 0, 0, NULL,
     "comma-separated addresses/CIDRs whose X-Forwarded-For is believed"},
    {"DB_STATEMENT_TIMEOUT", KEY_INT, "10000", OFF(db_statement_timeout_ms), 0, 86400000, 0, NULL,
     "statement timeout per request in milliseconds (0 = none)"},
    {"DB_PREPARED_STATEMENTS", KEY_BOOL, "true", OFF(db_prepared_statements), 0, 0, 0, NULL,
     "use named prepared statements; false for PgBouncer in transaction mode"},
    {"DB_CONNECT_TIMEOUT", KEY_INT, "2", OFF(db_connect_timeout_s), 1, 60, 0, NULL,
     "seconds to wait for a database connection before answering 503"},
    {"MAX_QUERY_LENGTH", KEY_INT, "16384", OFF(max_query_length), 256, 1048576, 0, NULL,
     "longest accepted query string in bytes"},
    {"DB_SCHEMAS", KEY_LIST, "public", OFF(db_schemas), 0, 0, 0, NULL,
     "comma-separated schemas exposed by /rest/v1; the first is the default profile"},
    {"REST_MAX_EMBED_DEPTH", KEY_INT, "16", OFF(rest_max_embed_depth), 1, 256, 0, NULL,
     "deepest nesting of embedded resources in a REST select"},
    {"REST_MAX_LOGIC_DEPTH", KEY_INT, "16", OFF(rest_max_logic_depth), 1, 256, 0, NULL,
     "deepest nesting of and/or logic trees in a REST request"},
    {"REST_MAX_FILTERS", KEY_INT, "1000", OFF(rest_max_filters), 1, 1000000, 0, NULL,
     "most filters (and logic-tree conditions) in one REST request"},
    {"BATCH_MAX_OPERATIONS", KEY_INT, "100", OFF(batch_max_operations), 1, 100000, 0, NULL,
     "most operations in one POST /rest/v1/batch"},
    {"REST_WORKERS", KEY_INT, "4", OFF(rest_workers), 1, 1024, 0, NULL,
     "worker processes of pgstack-rest"},
    {"AUTH_WORKERS", KEY_INT, "2", OFF(auth_workers), 1, 1024, 0, NULL,
     "worker processes of pgstack-auth"},
    {"STORAGE_WORKERS", KEY_INT, "2", OFF(storage_workers), 1, 1024, 0, NULL,
     "worker processes of pgstack-storage"},
    {"FUNCTIONS_WORKERS", KEY_INT, "2", OFF(functions_workers), 1, 1024, 0, NULL,
     "worker processes of pgstack-functions"},
    {"API_WORKERS", KEY_INT, "2", OFF(api_workers), 1, 1024, 0, NULL,
     "worker processes of pgstack-api"},
    {"REST_MAX_BODY", KEY_INT, "10485760", OFF(rest_max_body), 0, 1024 * MIB, 0, NULL,
     "largest request body of /rest/v1 in bytes"},
    {"AUTH_MAX_BODY", KEY_INT, "65536", OFF(auth_max_body), 0, 1024 * MIB, 0, NULL,
     "largest request body of /auth/v1 in bytes"},
    {"STORAGE_MAX_BODY", KEY_INT, "52428800", OFF(storage_max_body), 0, 1024 * MIB, 0, NULL,
     "largest request body of /storage/v1 in bytes"},
    {"FUNCTIONS_MAX_BODY", KEY_INT, "6291456", OFF(functions_max_body), 0, 1024 * MIB, 0, NULL,
     "largest request body of /functions/v1 in bytes"},
    {"API_MAX_BODY", KEY_INT, "1048576", OFF(api_max_body), 0, 1024 * MIB, 0, NULL,
     "largest request body of /api in bytes"},
    {"SITE_URL", KEY_STRING, "http://127.0.0.1:3000", OFF(site_url), 0, 0, 0, check_http_url,
     "the application's URL: links in emails and redirects after sign-in lead here"},
    {"ADDITIONAL_REDIRECT_URLS", KEY_LIST, "", OFF(additional_redirect_urls), 0, 0, 0, NULL,
     "comma-separated further URLs allowed as redirect_to (prefix match)"},
    {"JWT_EXPIRY", KEY_INT, "3600", OFF(jwt_expiry_s), 30, 604800, 0, NULL,
     "lifetime of access tokens in seconds"},
    {"REFRESH_TOKEN_TTL", KEY_INT, "2592000", OFF(refresh_token_ttl_s), 60, 31536000, 0, NULL,
     "lifetime of a refresh token in seconds"},
    {"REFRESH_TOKEN_REUSE_INTERVAL", KEY_INT, "10", OFF(refresh_token_reuse_interval_s), 0, 3600, 0,
     NULL, "seconds a rotated refresh token may still be used (concurrent tabs)"},
    {"AUTH_BCRYPT_COST", KEY_INT, "10", OFF(auth_bcrypt_cost), 4, 16, 0, NULL,
     "bcrypt cost of new password hashes"},
    {"REQUIRE_EMAIL_VERIFICATION", KEY_BOOL, "false", OFF(require_email_verification), 0, 0, 0,
     NULL, "new users must confirm their email before signing in"},
    {"ALLOW_ANONYMOUS_SIGNIN", KEY_BOOL, "false", OFF(allow_anonymous_signin), 0, 0, 0, NULL,
     "allow POST /auth/v1/anonymous and anonymous sign-up"},
    {"AUTH_RATE_LIMIT", KEY_INT, "30", OFF(auth_rate_limit), 1, 1000000, 0, NULL,
     "sign-up/sign-in/recovery requests per client address per minute"},
    {"ANONYMOUS_RATE_LIMIT", KEY_INT, "30", OFF(anonymous_rate_limit), 1, 1000000, 0, NULL,
     "anonymous sign-ins per client address per minute"},
    {"API_EXTERNAL_URL", KEY_STRING, NULL, OFF(api_external_url), 0, 0, 0, check_optional_http_url,
     "public URL of this server (no /auth/v1) that links in emails lead to; default SITE_URL"},
    {"SMTP_URL", KEY_STRING, NULL, OFF(smtp_url), 0, 0, 0, check_smtp_url,
     "smtp://host:port or smtps://host:port of the mail server; unset: mail goes to "
     "MAIL_SPOOL_DIR"},
    {"SMTP_USER", KEY_STRING, NULL, OFF(smtp_user), 0, 0, 0, NULL,
     "user name for SMTP authentication (optional)"},
    {"SMTP_PASS", KEY_STRING, NULL, OFF(smtp_pass), 0, 0, 0, NULL,
     "password for SMTP authentication (optional)"},
    {"SMTP_FROM", KEY_STRING, "pgstack <noreply@localhost>", OFF(smtp_from), 0, 0, 0,
     check_mail_from, "sender of auth emails: \"Name <address>\" or an address"},
    {"SMTP_TIMEOUT", KEY_INT, "10", OFF(smtp_timeout_s), 1, 300, 0, NULL,
     "seconds one SMTP delivery may take before the request fails with 500"},
    {"MAIL_SPOOL_DIR", KEY_STRING, "/var/spool/pgstack/mail", OFF(mail_spool_dir), 0, 0, 0, NULL,
     "without SMTP_URL: Maildir (tmp/, new/) where each email is written as one file"},
    OAUTH_CLIENT_KEYS("GOOGLE", google, "Google"),
    {"GOOGLE_ISSUER_URL", KEY_STRING, "https://accounts.google.com", OFF(google_issuer_url), 0, 0,
     0, check_http_url,
     "Google's OpenID issuer (discovery at {issuer}/.well-known/openid-configuration)"},
    OAUTH_CLIENT_KEYS("GITHUB", github, "GitHub"),
    {"GITHUB_AUTHORIZE_URL", KEY_STRING, "https://github.com/login/oauth/authorize",
     OFF(github_authorize_url), 0, 0, 0, check_http_url, "GitHub's authorization endpoint"},
    {"GITHUB_TOKEN_URL", KEY_STRING, "https://github.com/login/oauth/access_token",
     OFF(github_token_url), 0, 0, 0, check_http_url, "GitHub's token endpoint"},
    {"GITHUB_API_URL", KEY_STRING, "https://api.github.com", OFF(github_api_url), 0, 0, 0,
     check_http_url, "GitHub's REST API (/user and /user/emails), e.g. of GitHub Enterprise"},
    OAUTH_CLIENT_KEYS("APPLE", apple, "Apple"),
    {"APPLE_ISSUER_URL", KEY_STRING, "https://appleid.apple.com", OFF(apple_issuer_url), 0, 0, 0,
     check_http_url, "Apple's OpenID issuer (discovery)"},
    OAUTH_CLIENT_KEYS("MICROSOFT", microsoft, "Microsoft (Entra ID)"),
    {"MICROSOFT_LOGIN_URL", KEY_STRING, "https://login.microsoftonline.com",
     OFF(microsoft_login_url), 0, 0, 0, check_http_url,
     "Microsoft's login host; the issuer is {MICROSOFT_LOGIN_URL}/{MICROSOFT_TENANT}/v2.0"},
    {"MICROSOFT_TENANT", KEY_STRING, "common", OFF(microsoft_tenant), 0, 0, 0, check_tenant,
     "common, organizations, consumers, or a tenant id or domain"},
    OAUTH_CLIENT_KEYS("OIDC", oidc, "a generic OpenID Connect provider"),
    {"OIDC_ISSUER_URL", KEY_STRING, NULL, OFF(oidc_issuer_url), 0, 0, 0, check_optional_http_url,
     "issuer of the generic OpenID Connect provider (discovery); required with OIDC_CLIENT_ID"},
    {"OIDC_SCOPES", KEY_STRING, "openid email profile", OFF(oidc_scopes), 0, 0, 0, NULL,
     "scopes requested from the generic OpenID Connect provider"},
    {"OAUTH_TIMEOUT", KEY_INT, "10", OFF(oauth_timeout_s), 1, 120, 0, NULL,
     "seconds one call to an OAuth provider (discovery, keys, token, user API) may take"},
    /* storage area (moves to src/storage/storage_settings.c with the
     * area-owned settings) */
    {"STORAGE_BACKEND", KEY_STRING, "disk", OFF(storage_backend), 0, 0, 0, check_storage_backend,
     "where object bytes live: disk (files under STORAGE_ROOT)"},
    {"STORAGE_ROOT", KEY_STRING, "/var/lib/pgstack/storage", OFF(storage_root), 0, 0, 0,
     check_absolute_path,
     "directory of the disk backend; the web server's X-Sendfile root must be this directory"},
    {"STORAGE_SENDFILE_HEADER", KEY_STRING, "X-Sendfile", OFF(storage_sendfile_header), 0, 0, 0,
     NULL,
     "header handing downloads to the web server (X-Sendfile for lighttpd and mod_xsendfile); "
     "empty: the worker sends the bytes itself"},
    {"STORAGE_STRICT_MIME", KEY_BOOL, "true", OFF(storage_strict_mime), 0, 0, 0, NULL,
     "refuse uploads whose declared type contradicts the sniffed content (executables, "
     "scripts, markup declared as images...)"},
    {"STORAGE_SIGNED_UPLOAD_EXPIRY", KEY_INT, "7200", OFF(storage_signed_upload_expiry_s), 60,
     604800, 0, NULL, "lifetime of a signed upload URL in seconds"},
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
#define KEY_COUNT (sizeof(KEYS) / sizeof(KEYS[0]))

static bool check_database_url(const char *value, char *why, size_t whylen)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(value, &errmsg);
    if (!opts) {
        snprintf(why, whylen, "not a valid libpq connection string");
        PQfreemem(errmsg);
        return false;
    }
    PQconninfoFree(opts);
    return true;
}

static bool check_jwt_secret(const char *value, char *why, size_t whylen)
{
    if (strlen(value) < 32) {
        snprintf(why, whylen, "must be at least 32 characters");
        return false;
    }
    return true;
}

static bool check_jwt_algorithm(const char *value, char *why, size_t whylen)
{
    if (strcmp(value, "HS256") && strcmp(value, "HS384") && strcmp(value, "HS512")) {
        snprintf(why, whylen, "must be HS256, HS384 or HS512");
        return false;
    }
    return true;
}

static bool check_http_url(const char *value, char *why, size_t whylen)
{
    if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
        snprintf(why, whylen, "must be an http:// or https:// URL");
        return false;
    }
    return true;
}

static bool check_optional_http_url(const char *value, char *why, size_t whylen)
{
    return !*value || check_http_url(value, why, whylen);
}

static bool check_smtp_url(const char *value, char *why, size_t whylen)
{
    if (*value && strncmp(value, "smtp://", 7) != 0 && strncmp(value, "smtps://", 8) != 0) {
        snprintf(why, whylen, "must be an smtp:// or smtps:// URL");
        return false;
    }
    return true;
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

static bool check_storage_backend(const char *value, char *why, size_t whylen)
{
    if (strcmp(value, "disk") == 0)
        return true;
    snprintf(why, whylen, "must be disk (the database and s3 backends are not built yet)");
    return false;
}

static bool check_absolute_path(const char *value, char *why, size_t whylen)
{
    if (value[0] == '/' && strlen(value) > 1)
        return true;
    snprintf(why, whylen, "must be an absolute directory path");
    return false;
}

static const key_spec *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strlen(KEYS[i].name) == len && strncmp(KEYS[i].name, name, len) == 0)
            return &KEYS[i];
    return NULL;
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s++;
        n -= 2;
    }
    return strndup(s, n);
}

/* Fills raw[i] for every known key found in the file text. */
static bool parse_file_text(const char *text, char **raw, char *err, size_t errlen)
{
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        lineno++;
        const char *s = p;
        size_t n = len;
        while (n > 0 && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        if (n > 0 && *s != '#') {
            const char *eq = memchr(s, '=', n);
            if (!eq) {
                snprintf(err, errlen, "config file line %d: expected KEY=VALUE", lineno);
                return false;
            }
            const char *line_end = s + n;
            if (n > 7 && strncmp(s, "export ", 7) == 0)
                s += 7;
            size_t keylen = (size_t)(eq - s);
            while (keylen > 0 && isspace((unsigned char)s[keylen - 1]))
                keylen--;
            const key_spec *k = find_key(s, keylen);
            if (k) {
                size_t idx = (size_t)(k - KEYS);
                free(raw[idx]);
                raw[idx] = trimmed_copy(eq + 1, (size_t)(line_end - eq - 1));
            }
        }
        p += len + (eol ? 1 : 0);
    }
    return true;
}

static const char *env_lookup(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (; env && *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *yes[] = {"true", "1", "yes", "on"};
    static const char *no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return (*out = true);
        if (strcasecmp(v, no[i]) == 0)
            return !(*out = false);
    }
    return false;
}

static str_list parse_list(const char *v)
{
    str_list l = {NULL, 0};
    size_t cap = 1;
    for (const char *p = v; *p; p++)
        cap += *p == ',';
    l.items = calloc(cap, sizeof(char *));
    const char *p = v;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trimmed_copy(p, n);
        if (*item)
            l.items[l.count++] = item;
        else
            free(item);
        if (!comma)
            break;
        p = comma + 1;
    }
    return l;
}

static bool store_value(pgstack_config *cfg, const key_spec *k, const char *v, char *err,
                        size_t errlen)
{
    void *field = (char *)cfg + k->offset;
    char why[128] = "";
    switch (k->type) {
    case KEY_STRING:
        if (k->check && !k->check(v, why, sizeof why))
            break;
        *(char **)field = strdup(v);
        return true;
    case KEY_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < k->min || n > k->max) {
            snprintf(why, sizeof why, "must be an integer from %ld to %ld", k->min, k->max);
            break;
        }
        *(long *)field = n;
        return true;
    }
    case KEY_BOOL:
        if (!parse_bool(v, (bool *)field)) {
            snprintf(why, sizeof why, "must be true or false");
            break;
        }
        return true;
    case KEY_LIST:
        *(str_list *)field = parse_list(v);
        return true;
    }
    snprintf(err, errlen, "configuration %s: %s", k->name, why);
    return false;
}

static bool apply_values(pgstack_config *cfg, char **raw, char *const *env, unsigned needs,
                         char *err, size_t errlen)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        const key_spec *k = &KEYS[i];
        const char *v = env_lookup(env, k->name);
        if (!v)
            v = raw[i];
        if (v && !*v && k->required_by)
            v = NULL;
        if (!v)
            v = k->default_value;
        if (!v) {
            if (k->required_by & needs) {
                snprintf(err, errlen, "configuration %s: required but not set", k->name);
                return false;
            }
            continue;
        }
        if (!store_value(cfg, k, v, err, errlen))
            return false;
    }
    return true;
}

static bool string_set(const pgstack_config *cfg, const char *name)
{
    const key_spec *k = find_key(name, strlen(name));
    const char *v = k ? *(char *const *)((const char *)cfg + k->offset) : NULL;
    return v && *v;
}

static bool check_required_with(const pgstack_config *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof REQUIRED_WITH / sizeof REQUIRED_WITH[0]; i++)
        if (string_set(cfg, REQUIRED_WITH[i].when) && !string_set(cfg, REQUIRED_WITH[i].key)) {
            snprintf(err, errlen, "configuration %s: required when %s is set", REQUIRED_WITH[i].key,
                     REQUIRED_WITH[i].when);
            return false;
        }
    return true;
}

bool config_load_text(pgstack_config *cfg, const char *file_text, char *const *env, unsigned needs,
                      char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    char *raw[KEY_COUNT] = {0};
    bool ok = (!file_text || parse_file_text(file_text, raw, err, errlen)) &&
              apply_values(cfg, raw, env, needs, err, errlen) &&
              check_required_with(cfg, err, errlen);
    for (size_t i = 0; i < KEY_COUNT; i++)
        free(raw[i]);
    if (!ok)
        config_free(cfg);
    return ok;
}

static char *read_whole_file(const char *path, bool *missing)
{
    FILE *f = fopen(path, "r");
    *missing = !f && errno == ENOENT;
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    return buf;
}

bool config_load(pgstack_config *cfg, char *const *env, unsigned needs, char *err, size_t errlen)
{
    const char *path = env_lookup(env, "PGSTACK_CONFIG");
    bool explicit_path = path && *path;
    if (!explicit_path)
        path = CONFIG_DEFAULT_PATH;
    bool missing = false;
    char *text = read_whole_file(path, &missing);
    if (!text && (explicit_path || !missing)) {
        snprintf(err, errlen, "configuration PGSTACK_CONFIG: cannot read %s: %s", path,
                 strerror(errno));
        memset(cfg, 0, sizeof(*cfg));
        return false;
    }
    bool ok = config_load_text(cfg, text, env, needs, err, errlen);
    free(text);
    return ok;
}

static void free_list(str_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void config_free(pgstack_config *cfg)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        void *field = (char *)cfg + KEYS[i].offset;
        if (KEYS[i].type == KEY_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (KEYS[i].type == KEY_LIST) {
            free_list((str_list *)field);
        }
    }
}

static const char *key_default_text(const key_spec *k)
{
    if (k->default_value)
        return k->default_value;
    return k->required_by ? "(required)" : "";
}

const config_key_info *config_keys(size_t *count)
{
    static config_key_info info[KEY_COUNT + 1];
    info[0] = (config_key_info){"PGSTACK_CONFIG", CONFIG_DEFAULT_PATH,
                                "path of the KEY=VALUE configuration file"};
    for (size_t i = 0; i < KEY_COUNT; i++)
        info[i + 1] =
            (config_key_info){KEYS[i].name, key_default_text(&KEYS[i]), KEYS[i].description};
    *count = KEY_COUNT + 1;
    return info;
}
