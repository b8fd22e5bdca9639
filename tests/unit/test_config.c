/* Unit tests of configuration loading: defaults, file values, environment
 * precedence, file syntax (comments, export, quotes), required keys, and
 * hostile values (bad integers, booleans, short secrets, algorithms,
 * malformed URLs); config_load with PGSTACK_CONFIG. Every loaded config is
 * released with config_free (the sanitizers catch leaks). */
#include "unit.h"

#include "api/api_settings.h"
#include "auth/auth_settings.h"
#include "cli/cli.h"
#include "core/config.h"
#include "functions/functions_settings.h"
#include "rest/rest_settings.h"
#include "storage/storage_settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET32 "0123456789abcdef0123456789abcdef"
#define NEED_ALL (CONFIG_NEED_DATABASE | CONFIG_NEED_JWT)

static char err[512];

/* Every section at once, as `pgstack config list` sees them. */
typedef struct all_config {
    pgstack_config core;
    rest_settings rest;
    auth_settings auth;
    storage_settings storage;
    functions_settings functions;
    api_settings api;
} all_config;

#define AREA_COUNT 5

static const config_section *area_section(int i)
{
    const config_section *s[AREA_COUNT] = {&rest_config_section, &auth_config_section,
                                           &storage_config_section, &functions_config_section,
                                           &api_config_section};
    return s[i];
}

static void *area_settings(all_config *c, int i)
{
    void *s[AREA_COUNT] = {&c->rest, &c->auth, &c->storage, &c->functions, &c->api};
    return s[i];
}

static void all_free(all_config *c)
{
    config_free(&c->core, NULL, NULL);
    for (int i = 0; i < AREA_COUNT; i++)
        config_section_free(area_section(i), area_settings(c, i));
}

/* Loads core with one area through config_load_text (the way a program
 * does), then the other areas; fails on the first error. */
static bool load_all(all_config *c, const char *text, char *const *env, unsigned needs, char *e,
                     size_t elen)
{
    memset(c, 0, sizeof *c);
    if (!config_load_text(&c->core, area_section(0), area_settings(c, 0), text, env, needs, e,
                          elen))
        return false;
    for (int i = 1; i < AREA_COUNT; i++)
        if (!config_section_load(area_section(i), area_settings(c, i), text, env, 0, e, elen)) {
            all_free(c);
            return false;
        }
    return true;
}

static bool load(all_config *cfg, const char *text, char *const *env, unsigned needs)
{
    memset(err, 0, sizeof err);
    return load_all(cfg, text, env, needs, err, sizeof err);
}

/* Loading must fail with a message containing every given fragment. */
static void expect_error(const char *text, char *const *env, unsigned needs, const char *frag1,
                         const char *frag2)
{
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool ok = load(&cfg, text, env, needs);
    CU_ASSERT_FALSE(ok);
    if (ok) {
        fprintf(stderr, "\n  config accepted, want error naming %s: file=[%s]\n", frag1,
                text ? text : "(null)");
        all_free(&cfg);
        return;
    }
    CU_ASSERT(strlen(err) > 0);
    CU_ASSERT_PTR_NULL(strchr(err, '\n')); /* one line */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, frag1));
    if (frag2)
        CU_ASSERT_PTR_NOT_NULL(strstr(err, frag2));
    if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
        fprintf(stderr, "\n  error \"%s\" does not name %s%s%s\n", err, frag1, frag2 ? " / " : "",
                frag2 ? frag2 : "");
    all_free(&cfg); /* harmless after a failed load */
}

static void test_defaults(void)
{
    char *env[] = {NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, NULL, env, 0));
    CU_ASSERT_PTR_NULL(cfg.core.database_url);
    CU_ASSERT_PTR_NULL(cfg.core.jwt_secret);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.core.jwt_algorithm);
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS256");
    CU_ASSERT_EQUAL(cfg.core.allowed_origins.count, 0);
    CU_ASSERT_FALSE(cfg.core.allow_permissive_cors);
    CU_ASSERT_EQUAL(cfg.core.trusted_proxies.count, 0);
    CU_ASSERT_EQUAL(cfg.core.db_statement_timeout_ms, 10000);
    CU_ASSERT_TRUE(cfg.core.db_prepared_statements);
    CU_ASSERT_EQUAL(cfg.core.db_connect_timeout_s, 2);
    CU_ASSERT_EQUAL(cfg.core.max_query_length, 16384);
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 4);
    CU_ASSERT_EQUAL(cfg.auth.limits.workers, 2);
    CU_ASSERT_EQUAL(cfg.storage.limits.workers, 2);
    CU_ASSERT_EQUAL(cfg.functions.limits.workers, 8);
    CU_ASSERT_EQUAL(cfg.api.limits.workers, 2);
    CU_ASSERT_EQUAL(cfg.rest.limits.max_body, 10485760);
    CU_ASSERT_EQUAL(cfg.auth.limits.max_body, 65536);
    CU_ASSERT_EQUAL(cfg.storage.limits.max_body, 52428800);
    CU_ASSERT_EQUAL(cfg.functions.limits.max_body, 6291456);
    CU_ASSERT_EQUAL(cfg.api.limits.max_body, 1048576);
    all_free(&cfg);
    all_free(&cfg); /* twice is harmless */

    /* NULL env and empty file text behave the same */
    CU_ASSERT_TRUE_FATAL(load(&cfg, "", NULL, 0));
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS256");
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 4);
    all_free(&cfg);
}

static void test_key_table(void)
{
    size_t count = 0, n = 0;
    const config_section *const *sections = cli_config_sections(&count);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sections);
    bool saw_db = false, saw_site = false;
    for (size_t s = 0; s < count; s++)
        for (size_t i = 0; i < sections[s]->key_count; i++, n++) {
            const config_key *k = &sections[s]->keys[i];
            CU_ASSERT_PTR_NOT_NULL_FATAL(k->name);
            CU_ASSERT_PTR_NOT_NULL(config_key_default_text(k));
            CU_ASSERT_PTR_NOT_NULL(k->description);
            CU_ASSERT_PTR_EQUAL(config_section_find(sections[s], k->name), k);
            saw_db |= strcmp(k->name, "DATABASE_URL") == 0;
            saw_site |= strcmp(k->name, "SITE_URL") == 0;
        }
    CU_ASSERT(n >= 20);
    CU_ASSERT_TRUE(saw_db);
    CU_ASSERT_TRUE(saw_site);
}

static void test_file_values(void)
{
    const char *text = "DATABASE_URL=postgresql://u@db/x\n"
                       "JWT_SECRET=" SECRET32 "\n"
                       "JWT_ALGORITHM=HS512\n"
                       "ALLOWED_ORIGINS=https://a.example, https://b.example\n"
                       "ALLOW_PERMISSIVE_CORS=yes\n"
                       "TRUSTED_PROXIES=10.0.0.0/8\n"
                       "DB_STATEMENT_TIMEOUT=0\n"
                       "DB_PREPARED_STATEMENTS=off\n"
                       "DB_CONNECT_TIMEOUT=60\n"
                       "MAX_QUERY_LENGTH=256\n"
                       "REST_WORKERS=1024\n"
                       "AUTH_WORKERS=1\n"
                       "STORAGE_MAX_BODY=0\n";
    char *env[] = {NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, text, env, NEED_ALL));
    CU_ASSERT_STRING_EQUAL(cfg.core.database_url, "postgresql://u@db/x");
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_secret, SECRET32);
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS512");
    CU_ASSERT_EQUAL_FATAL(cfg.core.allowed_origins.count, 2);
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[0], "https://a.example");
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[1], "https://b.example");
    CU_ASSERT_TRUE(cfg.core.allow_permissive_cors);
    CU_ASSERT_EQUAL_FATAL(cfg.core.trusted_proxies.count, 1);
    CU_ASSERT_STRING_EQUAL(cfg.core.trusted_proxies.items[0], "10.0.0.0/8");
    CU_ASSERT_EQUAL(cfg.core.db_statement_timeout_ms, 0);
    CU_ASSERT_FALSE(cfg.core.db_prepared_statements);
    CU_ASSERT_EQUAL(cfg.core.db_connect_timeout_s, 60);
    CU_ASSERT_EQUAL(cfg.core.max_query_length, 256);
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 1024);
    CU_ASSERT_EQUAL(cfg.auth.limits.workers, 1);
    CU_ASSERT_EQUAL(cfg.storage.limits.max_body, 0);
    CU_ASSERT_EQUAL(cfg.api.limits.workers, 2); /* untouched default */
    all_free(&cfg);
}

static void test_env_wins(void)
{
    const char *text = "REST_WORKERS=8\nJWT_ALGORITHM=HS384\nDATABASE_URL=postgresql://file/x\n"
                       "ALLOWED_ORIGINS=https://file.example\n";
    char *env[] = {"REST_WORKERS=16", "DATABASE_URL=postgresql://env/x",
                   "ALLOWED_ORIGINS=", "UNRELATED=1", NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, text, env, 0));
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 16);
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS384"); /* file, env silent */
    CU_ASSERT_STRING_EQUAL(cfg.core.database_url, "postgresql://env/x");
    CU_ASSERT_EQUAL(cfg.core.allowed_origins.count, 0); /* empty env value wins too */
    all_free(&cfg);

    /* env names must match whole: REST_WORKERSX / XREST_WORKERS are other keys */
    char *env2[] = {"REST_WORKERSX=99", "XREST_WORKERS=98", "REST_WORKERS", NULL};
    CU_ASSERT_TRUE_FATAL(load(&cfg, NULL, env2, 0));
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 4);
    all_free(&cfg);

    /* an env value that is bad fails even when the file is fine */
    char *env3[] = {"REST_WORKERS=abc", NULL};
    expect_error("REST_WORKERS=8\n", env3, 0, "REST_WORKERS", NULL);
}

static void test_file_syntax(void)
{
    const char *text = "# a comment\n"
                       "\n"
                       "   \n"
                       "  # indented comment = with equals\n"
                       "REST_WORKERS=7\n"
                       "DATABASE_URL=\"postgresql://u@h/db?application_name=x\"\n"
                       "JWT_SECRET='" SECRET32 "'\n"
                       "  AUTH_WORKERS = 3  \r\n"
                       "UNKNOWN_KEY=whatever\n"
                       "rest_workers=999\n" /* keys are case-sensitive: unknown */
                       "STORAGE_WORKERS=5\n"
                       "STORAGE_WORKERS=6\n" /* last one wins */
                       "ALLOWED_ORIGINS=\"https://x.example, https://y.example\"\n"
                       "API_WORKERS=9"; /* no final newline */
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool ok = load(&cfg, text, NULL, NEED_ALL);
    CU_ASSERT_TRUE(ok);
    if (!ok) {
        fprintf(stderr, "\n  file syntax: %s\n", err);
        return;
    }
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 7);
    CU_ASSERT_STRING_EQUAL(cfg.core.database_url, "postgresql://u@h/db?application_name=x");
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_secret, SECRET32);
    CU_ASSERT_EQUAL(cfg.auth.limits.workers, 3);
    CU_ASSERT_EQUAL(cfg.storage.limits.workers, 6);
    CU_ASSERT_EQUAL(cfg.api.limits.workers, 9);
    CU_ASSERT_EQUAL_FATAL(cfg.core.allowed_origins.count, 2);
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[1], "https://y.example");
    all_free(&cfg);

    /* quotes: mismatched quotes are kept, an '=' inside a value is kept */
    CU_ASSERT_TRUE_FATAL(load(&cfg, "JWT_SECRET=\"" SECRET32 "'\nALLOWED_ORIGINS=a=b\n", NULL, 0));
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_secret, "\"" SECRET32 "'");
    CU_ASSERT_EQUAL_FATAL(cfg.core.allowed_origins.count, 1);
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[0], "a=b");
    all_free(&cfg);

    /* CRLF file */
    CU_ASSERT_TRUE_FATAL(load(&cfg, "REST_WORKERS=5\r\nJWT_ALGORITHM=HS384\r\n", NULL, 0));
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 5);
    CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS384");
    all_free(&cfg);
}

static void test_export(void)
{
    /* "export KEY=VALUE" (shell syntax) sets KEY to VALUE; the lines after
     * it must not leak into the value */
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool ok = load(&cfg, "export REST_WORKERS=7\nAUTH_WORKERS=3\n", NULL, 0);
    CU_ASSERT_TRUE(ok);
    if (!ok) {
        fprintf(stderr, "\n  export: %s\n", err);
    } else {
        CU_ASSERT_EQUAL(cfg.rest.limits.workers, 7);
        CU_ASSERT_EQUAL(cfg.auth.limits.workers, 3);
        all_free(&cfg);
    }
    ok = load(&cfg, "export JWT_ALGORITHM=HS384\n# a comment after it\n", NULL, 0);
    CU_ASSERT_TRUE(ok);
    if (ok) {
        CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, "HS384");
        if (strcmp(cfg.core.jwt_algorithm, "HS384") != 0)
            fprintf(stderr, "\n  export: JWT_ALGORITHM=\"%s\"\n", cfg.core.jwt_algorithm);
        all_free(&cfg);
    } else {
        fprintf(stderr, "\n  export: %s\n", err);
    }
    ok = load(&cfg, "export ALLOWED_ORIGINS=\"https://a.example\"\nREST_WORKERS=2\n", NULL, 0);
    CU_ASSERT_TRUE(ok);
    if (ok) {
        CU_ASSERT_EQUAL(cfg.core.allowed_origins.count, 1);
        if (cfg.core.allowed_origins.count == 1) {
            CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[0], "https://a.example");
            if (strcmp(cfg.core.allowed_origins.items[0], "https://a.example") != 0)
                fprintf(stderr, "\n  export: ALLOWED_ORIGINS item \"%s\"\n",
                        cfg.core.allowed_origins.items[0]);
        }
        all_free(&cfg);
    }
    /* "export" alone as a key name is just an unknown key */
    CU_ASSERT_TRUE(load(&cfg, "export=1\n", NULL, 0));
    all_free(&cfg);
}

static void test_line_without_equals(void)
{
    expect_error("REST_WORKERS=3\nthis line is wrong\n", NULL, 0, "line 2", NULL);
    expect_error("# c\n\nexport\n", NULL, 0, "line 3", NULL);
    expect_error("\n\n\n\nREST_WORKERS\n", NULL, 0, "line 5", NULL);
    /* an unknown key with '=' is fine, a bare word is not even when unknown */
    expect_error("FOO\n", NULL, 0, "line 1", NULL);
}

static void test_required(void)
{
    char *env_none[] = {NULL};
    char *env_db[] = {"DATABASE_URL=postgresql://u@h/x", NULL};
    char *env_jwt[] = {"JWT_SECRET=" SECRET32, NULL};
    expect_error(NULL, env_none, CONFIG_NEED_DATABASE, "DATABASE_URL", NULL);
    expect_error(NULL, env_none, CONFIG_NEED_JWT, "JWT_SECRET", NULL);
    expect_error(NULL, env_db, NEED_ALL, "JWT_SECRET", NULL);
    expect_error(NULL, env_jwt, NEED_ALL, "DATABASE_URL", NULL);
    /* an empty value counts as missing */
    char *env_empty[] = {"DATABASE_URL=", "JWT_SECRET=" SECRET32, NULL};
    expect_error(NULL, env_empty, NEED_ALL, "DATABASE_URL", NULL);
    expect_error("DATABASE_URL=\"\"\n", env_jwt, NEED_ALL, "DATABASE_URL", NULL);

    /* not required: fine without them */
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE(load(&cfg, NULL, env_none, 0));
    all_free(&cfg);
    CU_ASSERT_TRUE(load(&cfg, NULL, env_db, CONFIG_NEED_DATABASE));
    all_free(&cfg);
    CU_ASSERT_TRUE(load(&cfg, NULL, env_jwt, CONFIG_NEED_JWT));
    all_free(&cfg);
}

static void test_bad_ints(void)
{
    static const struct {
        const char *line;
        const char *key;
    } cases[] = {
        {"REST_WORKERS=abc", "REST_WORKERS"},
        {"REST_WORKERS=12x", "REST_WORKERS"},
        {"REST_WORKERS=0", "REST_WORKERS"},
        {"REST_WORKERS=-1", "REST_WORKERS"},
        {"REST_WORKERS=1025", "REST_WORKERS"},
        {"REST_WORKERS=", "REST_WORKERS"},
        {"REST_WORKERS=0x10", "REST_WORKERS"},
        {"REST_WORKERS=1.5", "REST_WORKERS"},
        {"REST_WORKERS=4 4", "REST_WORKERS"},
        {"AUTH_WORKERS=99999999999999999999999", "AUTH_WORKERS"},
        {"API_WORKERS=-99999999999999999999999", "API_WORKERS"},
        {"DB_STATEMENT_TIMEOUT=-5", "DB_STATEMENT_TIMEOUT"},
        {"DB_STATEMENT_TIMEOUT=86400001", "DB_STATEMENT_TIMEOUT"},
        {"DB_CONNECT_TIMEOUT=0", "DB_CONNECT_TIMEOUT"},
        {"DB_CONNECT_TIMEOUT=61", "DB_CONNECT_TIMEOUT"},
        {"MAX_QUERY_LENGTH=255", "MAX_QUERY_LENGTH"},
        {"MAX_QUERY_LENGTH=1048577", "MAX_QUERY_LENGTH"},
        {"REST_MAX_BODY=-1", "REST_MAX_BODY"},
        {"REST_MAX_BODY=1073741825", "REST_MAX_BODY"},
        {"FUNCTIONS_WORKERS=\"\"", "FUNCTIONS_WORKERS"},
        {"STORAGE_WORKERS=\xff", "STORAGE_WORKERS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].line, NULL, 0, cases[i].key, NULL);

    /* the limits themselves are accepted */
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE(load(&cfg,
                        "DB_STATEMENT_TIMEOUT=86400000\nMAX_QUERY_LENGTH=1048576\n"
                        "REST_MAX_BODY=1073741824\nDB_CONNECT_TIMEOUT=1\n",
                        NULL, 0));
    CU_ASSERT_EQUAL(cfg.core.db_statement_timeout_ms, 86400000);
    CU_ASSERT_EQUAL(cfg.core.max_query_length, 1048576);
    CU_ASSERT_EQUAL(cfg.rest.limits.max_body, 1073741824L);
    CU_ASSERT_EQUAL(cfg.core.db_connect_timeout_s, 1);
    all_free(&cfg);
}

static void test_bools(void)
{
    static const char *yes[] = {"true", "TRUE", "1", "yes", "On"};
    static const char *no[] = {"false", "False", "0", "no", "OFF"};
    char line[64];
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (size_t i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "ALLOW_PERMISSIVE_CORS=%s\n", yes[i]);
        CU_ASSERT_TRUE_FATAL(load(&cfg, line, NULL, 0));
        CU_ASSERT_TRUE(cfg.core.allow_permissive_cors);
        all_free(&cfg);
        snprintf(line, sizeof line, "DB_PREPARED_STATEMENTS=%s\n", no[i]);
        CU_ASSERT_TRUE_FATAL(load(&cfg, line, NULL, 0));
        CU_ASSERT_FALSE(cfg.core.db_prepared_statements);
        all_free(&cfg);
    }
    static const char *bad[] = {"maybe", "tru", "2", "yes please", "", "-1", "y", "n", "truefalse"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, "ALLOW_PERMISSIVE_CORS=%s\n", bad[i]);
        expect_error(line, NULL, 0, "ALLOW_PERMISSIVE_CORS", NULL);
    }
    char *env[] = {"DB_PREPARED_STATEMENTS=maybe", NULL};
    expect_error(NULL, env, 0, "DB_PREPARED_STATEMENTS", NULL);
}

static void test_jwt_keys(void)
{
    /* 31 characters: too short; the message must not echo the secret */
    expect_error("JWT_SECRET=0123456789abcdef0123456789abcde\n", NULL, 0, "JWT_SECRET", NULL);
    CU_ASSERT_PTR_NULL(strstr(err, "0123456789abcdef0123456789abcde"));
    expect_error("JWT_SECRET=short\n", NULL, CONFIG_NEED_JWT, "JWT_SECRET", NULL);
    CU_ASSERT_PTR_NULL(strstr(err, "short"));
    /* exactly 32 is enough */
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE(load(&cfg, "JWT_SECRET=" SECRET32 "\n", NULL, CONFIG_NEED_JWT));
    all_free(&cfg);

    static const char *bad_alg[] = {"none",  "None",   "RS256", "hs256", "HS256 ",
                                    "ES256", "HS1024", "PS256", "HS"};
    char line[64];
    for (size_t i = 0; i < sizeof bad_alg / sizeof bad_alg[0]; i++) {
        char *env[] = {line, NULL};
        snprintf(line, sizeof line, "JWT_ALGORITHM=%s", bad_alg[i]);
        expect_error(NULL, env, 0, "JWT_ALGORITHM", NULL);
    }
    expect_error("JWT_ALGORITHM=none\n", NULL, 0, "JWT_ALGORITHM", NULL);
    static const char *good_alg[] = {"HS256", "HS384", "HS512"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "JWT_ALGORITHM=%s\n", good_alg[i]);
        CU_ASSERT_TRUE_FATAL(load(&cfg, line, NULL, 0));
        CU_ASSERT_STRING_EQUAL(cfg.core.jwt_algorithm, good_alg[i]);
        all_free(&cfg);
    }
}

static void test_database_url(void)
{
    static const char *bad[] = {
        "not a url",
        "host=localhost port",
        "postgresql://u@h/db?bogus=1",
        "postgresql://%zz@h/db",
        "postgresql://[::1/db",
        "host='unterminated",
    };
    char line[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *env[] = {line, NULL};
        snprintf(line, sizeof line, "DATABASE_URL=%s", bad[i]);
        expect_error(NULL, env, CONFIG_NEED_DATABASE, "DATABASE_URL", NULL);
    }
    /* a password in a malformed URL is not echoed */
    char *env[] = {"DATABASE_URL=postgresql://u:hunter2secret@h/db?bogus=1", NULL};
    expect_error(NULL, env, CONFIG_NEED_DATABASE, "DATABASE_URL", NULL);
    CU_ASSERT_PTR_NULL(strstr(err, "hunter2secret"));

    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char *ok_env[] = {"DATABASE_URL=host=/var/run/postgresql dbname=x user=authenticator", NULL};
    CU_ASSERT_TRUE(load(&cfg, NULL, ok_env, CONFIG_NEED_DATABASE));
    all_free(&cfg);
}

/* OAuth providers: defaults, a provider enabled by its client id, and the
 * keys it then requires; the secret never appears in an error. */
static void test_oauth_keys(void)
{
    char *none[] = {NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, NULL, none, 0));
    CU_ASSERT_PTR_NULL(cfg.auth.google.client_id);
    CU_ASSERT_PTR_NULL(cfg.auth.oidc_issuer_url);
    CU_ASSERT_STRING_EQUAL(cfg.auth.google_issuer_url, "https://accounts.google.com");
    CU_ASSERT_STRING_EQUAL(cfg.auth.apple_issuer_url, "https://appleid.apple.com");
    CU_ASSERT_STRING_EQUAL(cfg.auth.github_authorize_url,
                           "https://github.com/login/oauth/authorize");
    CU_ASSERT_STRING_EQUAL(cfg.auth.github_token_url,
                           "https://github.com/login/oauth/access_token");
    CU_ASSERT_STRING_EQUAL(cfg.auth.github_api_url, "https://api.github.com");
    CU_ASSERT_STRING_EQUAL(cfg.auth.microsoft_login_url, "https://login.microsoftonline.com");
    CU_ASSERT_STRING_EQUAL(cfg.auth.microsoft_tenant, "common");
    CU_ASSERT_STRING_EQUAL(cfg.auth.oidc_scopes, "openid email profile");
    CU_ASSERT_EQUAL(cfg.auth.oauth_timeout_s, 10);
    all_free(&cfg);

    const char *text = "GOOGLE_CLIENT_ID=g-id\nGOOGLE_CLIENT_SECRET=g-secret\n"
                       "GOOGLE_REDIRECT_URI=https://api.example.com/auth/v1/callback\n"
                       "OIDC_CLIENT_ID=o-id\nOIDC_CLIENT_SECRET=o-secret\n"
                       "OIDC_ISSUER_URL=https://id.example.com/realms/x\n"
                       "MICROSOFT_TENANT=contoso.onmicrosoft.com\n";
    CU_ASSERT_TRUE_FATAL(load(&cfg, text, none, 0));
    CU_ASSERT_STRING_EQUAL(cfg.auth.google.client_id, "g-id");
    CU_ASSERT_STRING_EQUAL(cfg.auth.google.client_secret, "g-secret");
    CU_ASSERT_STRING_EQUAL(cfg.auth.google.redirect_uri,
                           "https://api.example.com/auth/v1/callback");
    CU_ASSERT_PTR_NULL(cfg.auth.github.client_id);
    CU_ASSERT_STRING_EQUAL(cfg.auth.oidc.client_id, "o-id");
    CU_ASSERT_STRING_EQUAL(cfg.auth.oidc_issuer_url, "https://id.example.com/realms/x");
    CU_ASSERT_STRING_EQUAL(cfg.auth.microsoft_tenant, "contoso.onmicrosoft.com");
    all_free(&cfg);

    expect_error("GITHUB_CLIENT_ID=gh\n", none, 0, "GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID");
    expect_error("APPLE_CLIENT_ID=a\nAPPLE_CLIENT_SECRET=\n", none, 0, "APPLE_CLIENT_SECRET", NULL);
    expect_error("OIDC_CLIENT_ID=o\nOIDC_CLIENT_SECRET=hunter2secret\n", none, 0, "OIDC_ISSUER_URL",
                 "OIDC_CLIENT_ID");
    CU_ASSERT_PTR_NULL(strstr(err, "hunter2secret"));
    expect_error("GOOGLE_REDIRECT_URI=javascript:alert(1)\n", none, 0, "GOOGLE_REDIRECT_URI", NULL);
    expect_error("GITHUB_API_URL=ftp://api.example.com\n", none, 0, "GITHUB_API_URL", NULL);
    expect_error("MICROSOFT_TENANT=common/../x\n", none, 0, "MICROSOFT_TENANT", NULL);
    expect_error("MICROSOFT_TENANT=\n", none, 0, "MICROSOFT_TENANT", NULL);
    expect_error("OAUTH_TIMEOUT=0\n", none, 0, "OAUTH_TIMEOUT", NULL);

    /* an empty client id leaves the provider off and needs nothing */
    CU_ASSERT_TRUE(load(&cfg, "GOOGLE_CLIENT_ID=\n", none, 0));
    all_free(&cfg);
}

/* The shared check shapes: URL schemes and reading a string key by name. */
static void test_check_shapes(void)
{
    char *none[] = {NULL};
    static const char *const SMTP[] = {"smtp://", "smtps://", NULL};
    char why[64];
    CU_ASSERT_TRUE(config_check_scheme("smtps://mail:465", SMTP, why, sizeof why));
    CU_ASSERT_FALSE(config_check_scheme("http://mail", SMTP, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "must be an smtp:// or smtps:// URL");
    CU_ASSERT_FALSE(config_check_http_url("ftp://x", why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "must be an http:// or https:// URL");
    char tiny[8];
    CU_ASSERT_FALSE(config_check_scheme("x", SMTP, tiny, sizeof tiny));
    CU_ASSERT_EQUAL(strlen(tiny), sizeof tiny - 1); /* cut, terminated */
    expect_error("SMTP_URL=http://mail.example.com\n", none, 0, "SMTP_URL", "smtp:// or smtps://");

    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(
        load(&cfg, "SMTP_URL=smtp://127.0.0.1:25\nSECURE_EMAIL_CHANGE=false\n", none, 0));
    CU_ASSERT_STRING_EQUAL(config_section_string(&auth_config_section, &cfg.auth, "SMTP_URL"),
                           "smtp://127.0.0.1:25");
    CU_ASSERT_PTR_NULL(config_section_string(&auth_config_section, &cfg.auth, "GOOGLE_CLIENT_ID"));
    CU_ASSERT_PTR_NULL(config_section_string(&auth_config_section, &cfg.auth, "AUTH_RATE_LIMIT"));
    CU_ASSERT_PTR_NULL(config_section_string(&auth_config_section, &cfg.auth, "NO_SUCH_KEY"));
    CU_ASSERT_FALSE(cfg.auth.secure_email_change);
    all_free(&cfg);
}

static void test_lists(void)
{
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, "ALLOWED_ORIGINS=a, b,,c\n", NULL, 0));
    CU_ASSERT_EQUAL_FATAL(cfg.core.allowed_origins.count, 3);
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[0], "a");
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[1], "b");
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[2], "c");
    all_free(&cfg);
    CU_ASSERT_EQUAL(cfg.core.allowed_origins.count, 0);
    CU_ASSERT_PTR_NULL(cfg.core.allowed_origins.items);

    char *env[] = {"TRUSTED_PROXIES= , ,\t,", "ALLOWED_ORIGINS=  https://one.example  ", NULL};
    CU_ASSERT_TRUE_FATAL(load(&cfg, NULL, env, 0));
    CU_ASSERT_EQUAL(cfg.core.trusted_proxies.count, 0);
    CU_ASSERT_EQUAL_FATAL(cfg.core.allowed_origins.count, 1);
    CU_ASSERT_STRING_EQUAL(cfg.core.allowed_origins.items[0], "https://one.example");
    all_free(&cfg);

    /* a long list */
    size_t n = 500;
    char *big = malloc(n * 24 + 32);
    size_t len = (size_t)sprintf(big, "TRUSTED_PROXIES=");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(big + len, "10.0.%zu.%zu,", i / 256, i % 256);
    CU_ASSERT_TRUE_FATAL(load(&cfg, big, NULL, 0));
    CU_ASSERT_EQUAL(cfg.core.trusted_proxies.count, n);
    CU_ASSERT_STRING_EQUAL(cfg.core.trusted_proxies.items[n - 1], "10.0.1.243");
    all_free(&cfg);
    free(big);
}

static void test_hostile_file(void)
{
    /* a 100 KB line, a NUL-free binary mess, a very long unknown key */
    size_t n = 100 * 1024;
    char *text = malloc(n + 64);
    memcpy(text, "JWT_SECRET=", 11);
    memset(text + 11, 'k', n);
    strcpy(text + 11 + n, "\nREST_WORKERS=3\n");
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE_FATAL(load(&cfg, text, NULL, CONFIG_NEED_JWT));
    CU_ASSERT_EQUAL(strlen(cfg.core.jwt_secret), n);
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 3);
    all_free(&cfg);

    memset(text, 'K', n);
    strcpy(text + n, "=1\nAUTH_WORKERS=5\n");
    CU_ASSERT_TRUE_FATAL(load(&cfg, text, NULL, 0));
    CU_ASSERT_EQUAL(cfg.auth.limits.workers, 5);
    all_free(&cfg);
    free(text);

    CU_ASSERT_TRUE_FATAL(load(&cfg, "\x01\x02=\x03\n\xff\xfe=\xfd\n=\n", NULL, 0));
    all_free(&cfg);
    /* "=value" has an empty key: ignored like any unknown key */
    CU_ASSERT_TRUE_FATAL(load(&cfg, "=REST_WORKERS\n", NULL, 0));
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 4);
    all_free(&cfg);
}

static void test_small_error_buffer(void)
{
    char small[8];
    memset(small, 'X', sizeof small);
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char *env[] = {NULL};
    CU_ASSERT_FALSE(load_all(&cfg, NULL, env, NEED_ALL, small, 6));
    CU_ASSERT_EQUAL(small[5], '\0');
    CU_ASSERT_EQUAL(small[6], 'X'); /* nothing written past errlen */
    all_free(&cfg);
}

/* ---- config_load with PGSTACK_CONFIG ---- */

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/pgstack-unit-config-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        unlink(path);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

static void test_config_load_file(void)
{
    /* bigger than one read buffer, so the reading loop grows */
    size_t pad = 10000;
    char *text = malloc(pad + 256);
    char *p = text;
    for (size_t i = 0; i < pad / 10; i++)
        p += sprintf(p, "# comment\n");
    strcpy(p, "DATABASE_URL=postgresql://u@file/x\nJWT_SECRET=" SECRET32 "\nREST_WORKERS=8\n"
              "AUTH_WORKERS=3\n");
    char *path = write_temp(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char var[256];
    snprintf(var, sizeof var, "PGSTACK_CONFIG=%s", path);
    char *env[] = {var, "AUTH_WORKERS=5", NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char e[256] = "";
    CU_ASSERT_TRUE(
        config_load(&cfg.core, &rest_config_section, &cfg.rest, env, NEED_ALL, e, sizeof e));
    if (cfg.core.database_url) {
        CU_ASSERT_STRING_EQUAL(cfg.core.database_url, "postgresql://u@file/x");
        CU_ASSERT_EQUAL(cfg.rest.limits.workers, 8);
    }
    all_free(&cfg);
    /* the same file read for another area: its keys, the environment winning */
    memset(&cfg, 0, sizeof cfg);
    CU_ASSERT_TRUE(
        config_load(&cfg.core, &auth_config_section, &cfg.auth, env, NEED_ALL, e, sizeof e));
    CU_ASSERT_EQUAL(cfg.auth.limits.workers, 5); /* env wins */
    CU_ASSERT_EQUAL(cfg.rest.limits.workers, 0); /* not this program's area */
    all_free(&cfg);
    unlink(path);
    free(path);
}

static void test_config_load_bad_file(void)
{
    char *path = write_temp("REST_WORKERS=2\nbroken\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char var[256];
    snprintf(var, sizeof var, "PGSTACK_CONFIG=%s", path);
    char *env[] = {var, NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char e[256] = "";
    CU_ASSERT_FALSE(config_load(&cfg.core, &rest_config_section, &cfg.rest, env, 0, e, sizeof e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "line 2"));
    all_free(&cfg);
    unlink(path);
    free(path);
}

static void test_config_load_missing(void)
{
    char *env[] = {"PGSTACK_CONFIG=/nonexistent/pgstack-unit/none.conf", NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char e[256] = "";
    CU_ASSERT_FALSE(config_load(&cfg.core, &rest_config_section, &cfg.rest, env, 0, e, sizeof e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "PGSTACK_CONFIG"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "/nonexistent/pgstack-unit/none.conf"));
    all_free(&cfg); /* safe after failure */

    /* no PGSTACK_CONFIG and no default file: the default may be missing */
    if (access(CONFIG_DEFAULT_PATH, F_OK) != 0 && errno == ENOENT) {
        char *env2[] = {"REST_WORKERS=6", NULL};
        CU_ASSERT_TRUE(
            config_load(&cfg.core, &rest_config_section, &cfg.rest, env2, 0, e, sizeof e));
        CU_ASSERT_EQUAL(cfg.rest.limits.workers, 6);
        all_free(&cfg);
        char *env3[] = {"PGSTACK_CONFIG=", NULL}; /* empty: the default path */
        CU_ASSERT_TRUE(
            config_load(&cfg.core, &rest_config_section, &cfg.rest, env3, 0, e, sizeof e));
        all_free(&cfg);
    }
}

static void test_config_load_directory(void)
{
    /* a directory is not a readable configuration file */
    char *env[] = {"PGSTACK_CONFIG=/tmp", NULL};
    all_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char e[256] = "";
    bool ok = config_load(&cfg.core, &rest_config_section, &cfg.rest, env, 0, e, sizeof e);
    CU_ASSERT_FALSE(ok);
    if (ok)
        fprintf(stderr, "\n  config_load(PGSTACK_CONFIG=/tmp) succeeded; want an error naming "
                        "PGSTACK_CONFIG\n");
    else
        CU_ASSERT_PTR_NOT_NULL(strstr(e, "PGSTACK_CONFIG"));
    all_free(&cfg);
}

void register_config_tests(void)
{
    CU_pSuite s = CU_add_suite("config", NULL, NULL);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "key table", test_key_table);
    CU_add_test(s, "file values", test_file_values);
    CU_add_test(s, "environment wins", test_env_wins);
    CU_add_test(s, "file syntax", test_file_syntax);
    CU_add_test(s, "export KEY=VALUE", test_export);
    CU_add_test(s, "line without '='", test_line_without_equals);
    CU_add_test(s, "required keys", test_required);
    CU_add_test(s, "bad integers", test_bad_ints);
    CU_add_test(s, "booleans", test_bools);
    CU_add_test(s, "JWT secret and algorithm", test_jwt_keys);
    CU_add_test(s, "DATABASE_URL", test_database_url);
    CU_add_test(s, "lists", test_lists);
    CU_add_test(s, "OAuth provider keys", test_oauth_keys);
    CU_add_test(s, "check shapes", test_check_shapes);
    CU_add_test(s, "hostile file text", test_hostile_file);
    CU_add_test(s, "small error buffer", test_small_error_buffer);
    CU_add_test(s, "config_load file", test_config_load_file);
    CU_add_test(s, "config_load bad file", test_config_load_bad_file);
    CU_add_test(s, "config_load missing file", test_config_load_missing);
    CU_add_test(s, "config_load directory", test_config_load_directory);
}
