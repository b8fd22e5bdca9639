/* Configuration loading and validation; see config.h. The loader is
 * generic over sections: core's keys are declared here, each area declares
 * its own in its folder. */
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

static bool check_database_url(const char *value, char *why, size_t whylen);
static bool check_jwt_secret(const char *value, char *why, size_t whylen);
static bool check_jwt_algorithm(const char *value, char *why, size_t whylen);

#define OFF(field) offsetof(pgstack_config, field)

static const config_key CORE_KEYS[] = {
    {"DATABASE_URL", CONFIG_STRING, NULL, OFF(database_url), 0, 0, CONFIG_NEED_DATABASE,
     check_database_url, "libpq URL the workers connect with (as role authenticator)"},
    {"JWT_SECRET", CONFIG_STRING, NULL, OFF(jwt_secret), 0, 0, CONFIG_NEED_JWT, check_jwt_secret,
     "HMAC secret for JWTs, at least 32 characters (pgstack keygen makes one)"},
    {"JWT_ALGORITHM", CONFIG_STRING, "HS256", OFF(jwt_algorithm), 0, 0, 0, check_jwt_algorithm,
     "the only JWT algorithm accepted: HS256, HS384 or HS512"},
    {"JWT_SIGNING_KEYS", CONFIG_STRING, NULL, OFF(jwt_signing_keys), 0, 0, 0, NULL,
     "path of a JWK set of ES256/RS256 private keys; the key with \"sign\" in key_ops signs "
     "access tokens, all verify"},
    {"ALLOWED_ORIGINS", CONFIG_LIST, "", OFF(allowed_origins), 0, 0, 0, NULL,
     "comma-separated browser origins allowed by CORS; empty = same-origin and non-browser only"},
    {"ALLOW_PERMISSIVE_CORS", CONFIG_BOOL, "false", OFF(allow_permissive_cors), 0, 0, 0, NULL,
     "development only: allow any origin"},
    {"TRUSTED_PROXIES", CONFIG_LIST, "", OFF(trusted_proxies), 0, 0, 0, NULL,
     "comma-separated addresses/CIDRs whose X-Forwarded-For is believed"},
    {"DB_STATEMENT_TIMEOUT", CONFIG_INT, "10000", OFF(db_statement_timeout_ms), 0, 86400000, 0,
     NULL, "statement timeout per request in milliseconds (0 = none)"},
    {"DB_PREPARED_STATEMENTS", CONFIG_BOOL, "true", OFF(db_prepared_statements), 0, 0, 0, NULL,
     "use named prepared statements; false for PgBouncer in transaction mode"},
    {"DB_CONNECT_TIMEOUT", CONFIG_INT, "2", OFF(db_connect_timeout_s), 1, 60, 0, NULL,
     "seconds to wait for a database connection before answering 503"},
    {"MAX_QUERY_LENGTH", CONFIG_INT, "16384", OFF(max_query_length), 256, 1048576, 0, NULL,
     "longest accepted query string in bytes"},
    {"DB_SCHEMAS", CONFIG_LIST, "public", OFF(db_schemas), 0, 0, 0, NULL,
     "comma-separated schemas exposed by /rest/v1; the first is the default profile"},
};

const config_section core_config_section = {
    .name = "core",
    .keys = CORE_KEYS,
    .key_count = sizeof CORE_KEYS / sizeof CORE_KEYS[0],
    .size = sizeof(pgstack_config),
    .validate = NULL,
};

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

bool config_check_scheme(const char *value, const char *const *schemes, char *why, size_t whylen)
{
    size_t n = 0;
    for (; schemes[n]; n++)
        if (strncmp(value, schemes[n], strlen(schemes[n])) == 0)
            return true;
    int used = snprintf(why, whylen, "must be an ");
    for (size_t i = 0; i < n && used >= 0 && (size_t)used < whylen; i++)
        used +=
            snprintf(why + used, whylen - (size_t)used, "%s%s", i == 0 ? "" : " or ", schemes[i]);
    if (used >= 0 && (size_t)used < whylen)
        snprintf(why + used, whylen - (size_t)used, " URL");
    return false;
}

bool config_check_http_url(const char *value, char *why, size_t whylen)
{
    static const char *const HTTP[] = {"http://", "https://", NULL};
    return config_check_scheme(value, HTTP, why, whylen);
}

const char *config_section_string(const config_section *s, const void *settings, const char *name)
{
    const config_key *k = config_section_find(s, name);
    if (!k || k->type != CONFIG_STRING)
        return NULL;
    return *(char *const *)((const char *)settings + k->offset);
}

bool config_check_optional_http_url(const char *value, char *why, size_t whylen)
{
    return !*value || config_check_http_url(value, why, whylen);
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

/* The file's lines as a list of "KEY=value" strings (key and value
 * trimmed, quotes removed), in file order; later lines win. */
typedef struct file_entries {
    char **items;
    size_t count, cap;
} file_entries;

static void entries_free(file_entries *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i]);
    free(f->items);
    memset(f, 0, sizeof *f);
}

static void entries_add(file_entries *f, const char *key, size_t keylen, const char *value,
                        size_t valuelen)
{
    if (f->count == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->items = realloc(f->items, f->cap * sizeof(char *));
    }
    char *v = trimmed_copy(value, valuelen);
    size_t vlen = strlen(v);
    char *item = malloc(keylen + vlen + 2);
    memcpy(item, key, keylen);
    item[keylen] = '=';
    memcpy(item + keylen + 1, v, vlen + 1);
    free(v);
    f->items[f->count++] = item;
}

/* Reads one non-empty, non-comment line "KEY=VALUE" (or "export KEY=VALUE"). */
static bool parse_line(file_entries *f, const char *s, size_t n, int lineno, char *err,
                       size_t errlen)
{
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
    entries_add(f, s, keylen, eq + 1, (size_t)(line_end - eq - 1));
    return true;
}

static bool parse_file_text(const char *text, file_entries *f, char *err, size_t errlen)
{
    int lineno = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        lineno++;
        const char *s = p;
        size_t n = len;
        while (n > 0 && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        if (n > 0 && *s != '#' && !parse_line(f, s, n, lineno, err, errlen))
            return false;
        p += len + (eol ? 1 : 0);
    }
    return true;
}

/* The value of name in a NULL-terminated "KEY=value" array; the last one
 * when last is set (file lines), else the first (environ). */
static const char *entry_lookup(char *const *items, size_t count, const char *name, bool last)
{
    size_t n = strlen(name);
    const char *found = NULL;
    for (size_t i = 0; i < count && items[i]; i++)
        if (strncmp(items[i], name, n) == 0 && items[i][n] == '=') {
            found = items[i] + n + 1;
            if (!last)
                break;
        }
    return found;
}

static const char *env_lookup(char *const *env, const char *name)
{
    return env ? entry_lookup(env, (size_t)-1, name, false) : NULL;
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

static bool store_value(void *settings, const config_key *k, const char *v, char *err,
                        size_t errlen)
{
    void *field = (char *)settings + k->offset;
    char why[128] = "";
    switch (k->type) {
    case CONFIG_STRING:
        if (k->check && !k->check(v, why, sizeof why))
            break;
        *(char **)field = strdup(v);
        return true;
    case CONFIG_INT: {
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
    case CONFIG_BOOL:
        if (!parse_bool(v, (bool *)field)) {
            snprintf(why, sizeof why, "must be true or false");
            break;
        }
        return true;
    case CONFIG_LIST:
        *(str_list *)field = parse_list(v);
        return true;
    }
    snprintf(err, errlen, "configuration %s: %s", k->name, why);
    return false;
}

static bool apply_values(const config_section *s, void *settings, const file_entries *file,
                         char *const *env, unsigned needs, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->key_count; i++) {
        const config_key *k = &s->keys[i];
        const char *v = env_lookup(env, k->name);
        if (!v)
            v = entry_lookup(file->items, file->count, k->name, true);
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
        if (!store_value(settings, k, v, err, errlen))
            return false;
    }
    return !s->validate || s->validate(settings, err, errlen);
}

static bool load_entries(const config_section *s, void *settings, const file_entries *file,
                         char *const *env, unsigned needs, char *err, size_t errlen)
{
    memset(settings, 0, s->size);
    if (apply_values(s, settings, file, env, needs, err, errlen))
        return true;
    config_section_free(s, settings);
    return false;
}

bool config_section_load(const config_section *s, void *settings, const char *file_text,
                         char *const *env, unsigned needs, char *err, size_t errlen)
{
    file_entries file = {0};
    bool ok = (!file_text || parse_file_text(file_text, &file, err, errlen)) &&
              load_entries(s, settings, &file, env, needs, err, errlen);
    if (!ok)
        memset(settings, 0, s->size);
    entries_free(&file);
    return ok;
}

bool config_load_text(pgstack_config *cfg, const config_section *area, void *settings,
                      const char *file_text, char *const *env, unsigned needs, char *err,
                      size_t errlen)
{
    file_entries file = {0};
    memset(cfg, 0, sizeof *cfg);
    if (area)
        memset(settings, 0, area->size);
    bool ok = (!file_text || parse_file_text(file_text, &file, err, errlen)) &&
              load_entries(&core_config_section, cfg, &file, env, needs, err, errlen);
    if (ok && area && !load_entries(area, settings, &file, env, needs, err, errlen)) {
        config_section_free(&core_config_section, cfg);
        ok = false;
    }
    entries_free(&file);
    return ok;
}

static const char *config_path(char *const *env, bool *explicit_path)
{
    const char *path = env_lookup(env, "PGSTACK_CONFIG");
    *explicit_path = path && *path;
    return *explicit_path ? path : CONFIG_DEFAULT_PATH;
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

bool config_load(pgstack_config *cfg, const config_section *area, void *settings, char *const *env,
                 unsigned needs, char *err, size_t errlen)
{
    bool explicit_path, missing = false;
    const char *path = config_path(env, &explicit_path);
    char *text = read_whole_file(path, &missing);
    if (!text && (explicit_path || !missing)) {
        snprintf(err, errlen, "configuration PGSTACK_CONFIG: cannot read %s: %s", path,
                 strerror(errno));
        memset(cfg, 0, sizeof(*cfg));
        if (area)
            memset(settings, 0, area->size);
        return false;
    }
    bool ok = config_load_text(cfg, area, settings, text, env, needs, err, errlen);
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

void config_section_free(const config_section *s, void *settings)
{
    for (size_t i = 0; i < s->key_count; i++) {
        void *field = (char *)settings + s->keys[i].offset;
        if (s->keys[i].type == CONFIG_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (s->keys[i].type == CONFIG_LIST) {
            free_list((str_list *)field);
        }
    }
}

void config_free(pgstack_config *cfg, const config_section *area, void *settings)
{
    config_section_free(&core_config_section, cfg);
    if (area)
        config_section_free(area, settings);
}

char *config_value(const char *name, char *const *env)
{
    const char *v = env_lookup(env, name);
    if (v)
        return strdup(v);
    bool explicit_path, missing;
    char *text = read_whole_file(config_path(env, &explicit_path), &missing);
    file_entries file = {0};
    char err[8];
    if (text && parse_file_text(text, &file, err, sizeof err))
        v = entry_lookup(file.items, file.count, name, true);
    char *value = v ? strdup(v) : NULL;
    entries_free(&file);
    free(text);
    return value;
}

const char *config_key_default_text(const config_key *k)
{
    if (k->default_value)
        return k->default_value;
    return k->required_by ? "(required)" : "";
}

const config_key *config_section_find(const config_section *s, const char *name)
{
    for (size_t i = 0; i < s->key_count; i++)
        if (strcmp(s->keys[i].name, name) == 0)
            return &s->keys[i];
    return NULL;
}
