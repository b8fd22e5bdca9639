/* Configuration: environment variables named as in the spec, also read from
 * the KEY=VALUE file named by PGSTACK_CONFIG (default
 * /etc/pgstack/pgstack.conf); the environment wins. Every key is declared
 * once in config.c with its type, default and limits; a bad value or a
 * missing required key is reported in one line naming the key. */
#ifndef PGSTACK_CONFIG_H
#define PGSTACK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/pgstack/pgstack.conf"

typedef struct str_list {
    char **items;
    size_t count;
} str_list;

/* One OAuth provider's client registration. The provider is enabled when
 * its client id is set; the secret is then required. */
typedef struct oauth_client {
    char *client_id;
    char *client_secret;
    char *redirect_uri; /* NULL: {API_EXTERNAL_URL or SITE_URL}/auth/v1/callback */
} oauth_client;

typedef struct pgstack_config {
    char *database_url;
    char *jwt_secret;
    char *jwt_algorithm;
    str_list allowed_origins;
    bool allow_permissive_cors;
    str_list trusted_proxies;
    long db_statement_timeout_ms;
    bool db_prepared_statements;
    long db_connect_timeout_s;
    long max_query_length;
    /* rest area */
    str_list db_schemas; /* exposed schemas; the first is the default */
    long rest_max_embed_depth;
    long rest_max_logic_depth;
    long rest_max_filters;
    long batch_max_operations;
    long rest_workers, auth_workers, storage_workers, functions_workers, api_workers;
    long rest_max_body, auth_max_body, storage_max_body, functions_max_body, api_max_body;
    /* auth area */
    char *site_url;
    str_list additional_redirect_urls;
    long jwt_expiry_s;
    long refresh_token_ttl_s;
    long refresh_token_reuse_interval_s;
    long auth_bcrypt_cost;
    bool require_email_verification;
    bool allow_anonymous_signin;
    long auth_rate_limit;
    long anonymous_rate_limit;
    char *api_external_url; /* NULL: SITE_URL */
    char *smtp_url;         /* NULL: write mail to mail_spool_dir */
    char *smtp_user;
    char *smtp_pass;
    char *smtp_from;
    long smtp_timeout_s;
    char *mail_spool_dir;
    /* OAuth sign-in (auth area) */
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
    /* storage area */
    char *storage_backend;
    char *storage_root;
    char *storage_sendfile_header; /* "" or NULL: stream through the worker */
    bool storage_strict_mime;
    long storage_signed_upload_expiry_s;
} pgstack_config;

/* Which keys must be present for the calling program. */
enum {
    CONFIG_NEED_DATABASE = 1 << 0,
    CONFIG_NEED_JWT = 1 << 1,
};

/* Loads from env (a NULL-terminated environ-style array) and the file it
 * names. On failure returns false with a one-line message in err. */
bool config_load(pgstack_config *cfg, char *const *env, unsigned needs, char *err, size_t errlen);

/* Same, with the file contents given as text (NULL for no file). */
bool config_load_text(pgstack_config *cfg, const char *file_text, char *const *env, unsigned needs,
                      char *err, size_t errlen);

void config_free(pgstack_config *cfg);

/* For the README and `pgstack config`: each key with its default. */
typedef struct config_key_info {
    const char *name;
    const char *default_value;
    const char *description;
} config_key_info;
const config_key_info *config_keys(size_t *count);

#endif
