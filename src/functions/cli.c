/* The functions subcommands of the pgstack command; see cli.h. */
#include "functions/cli.h"

#include "core/config.h"
#include "functions/bundle.h"
#include "functions/catalog.h"
#include "functions/functions_settings.h"
#include "functions/secrets.h"
#include "jwt/base64url.h"

#include <ftw.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

#define BUNDLE_MAX (20L * 1024 * 1024)
#define USAGE                                                                                      \
    "usage: pgstack functions deploy NAME DIR [--no-verify-jwt] [--import-map FILE]\n"             \
    "       pgstack functions deploy NAME --runtime plv8 --function SCHEMA.FN [--no-verify-jwt]\n" \
    "       pgstack functions delete NAME\n"                                                       \
    "       pgstack functions list\n"                                                              \
    "       pgstack functions secrets set KEY=VALUE ... | unset KEY ... | list\n"                  \
    "  every subcommand takes --database-url URL\n"

typedef struct cli_opts {
    const char *database_url;
    const char *runtime;
    const char *db_function;
    const char *import_map;
    bool no_verify_jwt;
    const char *args[64]; /* positional */
    int nargs;
} cli_opts;

static int fail(const char *message, const char *arg)
{
    fprintf(stderr, "pgstack functions: %s%s%s\n", message, *arg ? ": " : "", arg);
    return 1;
}

static bool parse(int argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->runtime = "deno";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--database-url") == 0 && has_value)
            o->database_url = argv[++i];
        else if (strcmp(a, "--runtime") == 0 && has_value)
            o->runtime = argv[++i];
        else if (strcmp(a, "--function") == 0 && has_value)
            o->db_function = argv[++i];
        else if (strcmp(a, "--import-map") == 0 && has_value)
            o->import_map = argv[++i];
        else if (strcmp(a, "--no-verify-jwt") == 0)
            o->no_verify_jwt = true;
        else if (strncmp(a, "--", 2) == 0 || o->nargs == 64) {
            fprintf(stderr, "pgstack functions: unexpected argument %s\n%s", a, USAGE);
            return false;
        } else
            o->args[o->nargs++] = a;
    }
    return true;
}

static PGconn *connect_db(const cli_opts *o)
{
    const char *url = o->database_url;
    pgstack_config cfg = {0};
    functions_settings settings = {0};
    char err[512];
    if (!url) {
        if (!config_load(&cfg, &functions_config_section, &settings, environ, CONFIG_NEED_DATABASE,
                         err, sizeof err)) {
            fprintf(stderr, "pgstack functions: %s (or pass --database-url)\n", err);
            return NULL;
        }
        url = cfg.database_url;
    }
    PGconn *pg = PQconnectdb(url);
    config_free(&cfg, &functions_config_section, &settings);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "pgstack functions: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* Runs sql with text parameters; prints the error and returns NULL on failure. */
static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    fprintf(stderr, "pgstack functions: %s", PQresultErrorMessage(r));
    PQclear(r);
    return NULL;
}

/* ---------------------------------------------------------------- deploy */

static struct {
    const char *root;
    json_object *files;
    long total;
    const char *error;
} walk;

static char *read_file(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)*len + 1);
    if (data && fread(data, 1, (size_t)*len, f) != (size_t)*len) {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static void add_file(const char *rel, const char *data, long len)
{
    char *b64 = malloc(base64url_encoded_len((size_t)len) + 1);
    base64url_encode((const unsigned char *)data, (size_t)len, b64);
    json_object_object_add(walk.files, rel, json_object_new_string(b64));
    free(b64);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    const char *base = path + ftw->base;
    if (ftw->level > 0 && base[0] == '.')
        return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE; /* .git, .env, ... */
    if (type != FTW_F)
        return FTW_CONTINUE;
    const char *rel = path + strlen(walk.root) + 1;
    walk.total += st->st_size;
    if (walk.total > BUNDLE_MAX) {
        walk.error = "the folder is larger than 20 MB";
        return FTW_STOP;
    }
    if (!functions_bundle_path_valid(rel)) {
        walk.error = "the folder has a file whose path cannot be deployed";
        return FTW_STOP;
    }
    long len;
    char *data = read_file(path, &len);
    if (!data) {
        walk.error = "a file of the folder cannot be read";
        return FTW_STOP;
    }
    add_file(rel, data, len);
    free(data);
    return FTW_CONTINUE;
}

static json_object *bundle_folder(const char *dir, const char *import_map)
{
    char root[4096];
    snprintf(root, sizeof root, "%s", dir);
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        root[--n] = '\0';
    walk.root = root;
    walk.files = json_object_new_object();
    walk.total = 0;
    walk.error = NULL;
    if (nftw(root, visit, 16, FTW_PHYS | FTW_ACTIONRETVAL) != 0 && !walk.error)
        walk.error = "the folder cannot be read";
    if (!walk.error && !json_object_object_get_ex(walk.files, "index.ts", NULL))
        walk.error = "the folder has no index.ts";
    if (!walk.error && import_map) {
        long len;
        char *data = read_file(import_map, &len);
        if (data)
            add_file("import_map.json", data, len);
        else
            walk.error = "the import map cannot be read";
        free(data);
    }
    if (walk.error) {
        fprintf(stderr, "pgstack functions: %s: %s\n", dir, walk.error);
        json_object_put(walk.files);
        return NULL;
    }
    return walk.files;
}

#define UPSERT_SQL                                                                                 \
    "insert into pgstack_functions.functions (name, runtime, verify_jwt, files, db_function)"      \
    " values ($1, $2, $3::boolean, $4::jsonb, $5)"                                                 \
    " on conflict (name) do update set runtime = excluded.runtime,"                                \
    " verify_jwt = excluded.verify_jwt, files = excluded.files,"                                   \
    " db_function = excluded.db_function, status = 'active'"                                       \
    " returning version"
#define CHECK_DB_FUNCTION_SQL                                                                      \
    "select p.oid from pg_proc p where p.oid = to_regprocedure($1 || '(jsonb)')"

static int deploy(PGconn *pg, const cli_opts *o)
{
    const char *name = o->args[1];
    bool deno = strcmp(o->runtime, "deno") == 0;
    if (!deno && strcmp(o->runtime, "plv8") != 0)
        return fail("unknown runtime (deno or plv8)", o->runtime);
    if (deno && o->nargs != 3)
        return fail("usage", "deploy NAME DIR");
    if (!deno && (o->nargs != 2 || !o->db_function))
        return fail("usage", "deploy NAME --runtime plv8 --function SCHEMA.FN");
    json_object *files = NULL;
    if (deno && !(files = bundle_folder(o->args[2], o->import_map)))
        return 1;
    if (!deno) {
        const char *p[] = {o->db_function};
        PGresult *r = run(pg, CHECK_DB_FUNCTION_SQL, 1, p);
        bool found = r && PQntuples(r) == 1;
        PQclear(r);
        if (!found)
            return fail("no database function (jsonb)", o->db_function);
    }
    const char *params[] = {name, o->runtime, o->no_verify_jwt ? "false" : "true",
                            files ? json_object_to_json_string_ext(files, JSON_C_TO_STRING_PLAIN)
                                  : NULL,
                            deno ? NULL : o->db_function};
    PGresult *r = run(pg, UPSERT_SQL, 5, params);
    if (r)
        printf("deployed %s (%s, version %s)\n", name, o->runtime, PQgetvalue(r, 0, 0));
    PQclear(r);
    json_object_put(files);
    return r ? 0 : 1;
}

/* --------------------------------------------------------------- secrets */

static int secrets_store(PGconn *pg, const cli_opts *o, const char *jwt_secret);

static int secrets_set(PGconn *pg, const cli_opts *o)
{
    pgstack_config cfg = {0};
    functions_settings settings = {0};
    char err[512];
    if (!config_load(&cfg, &functions_config_section, &settings, environ, CONFIG_NEED_JWT, err,
                     sizeof err))
        return fail("JWT_SECRET is needed to seal secrets (environment or PGSTACK_CONFIG)", err);
    int rc = secrets_store(pg, o, cfg.jwt_secret);
    config_free(&cfg, &functions_config_section, &settings);
    return rc;
}

static int secrets_store(PGconn *pg, const cli_opts *o, const char *jwt_secret)
{
    for (int i = 2; i < o->nargs; i++) {
        const char *eq = strchr(o->args[i], '=');
        char *key = eq ? strndup(o->args[i], (size_t)(eq - o->args[i])) : NULL;
        if (!key || !functions_secret_name_valid(key)) {
            free(key);
            return fail("invalid secret (KEY=VALUE; names starting SUPABASE_ are reserved)",
                        o->args[i]);
        }
        size_t len = strlen(eq + 1);
        unsigned char *sealed = malloc(len + FUNCTIONS_SECRET_OVERHEAD);
        bool ok = functions_secret_seal(jwt_secret, (const unsigned char *)eq + 1, len, sealed);
        size_t hex_len = 0;
        unsigned char *hex =
            ok ? PQescapeByteaConn(pg, sealed, len + FUNCTIONS_SECRET_OVERHEAD, &hex_len) : NULL;
        const char *p[] = {key, (const char *)hex};
        PGresult *r = hex ? run(pg,
                                "insert into pgstack_functions.secrets (name, value) values ($1, "
                                "$2::bytea) on conflict (name) do update set value = "
                                "excluded.value, updated_at = now()",
                                2, p)
                          : NULL;
        PQclear(r);
        PQfreemem(hex);
        free(sealed);
        free(key);
        if (!r)
            return 1;
    }
    printf("set %d secret(s)\n", o->nargs - 2);
    return 0;
}

static int secrets(PGconn *pg, const cli_opts *o)
{
    const char *what = o->nargs > 1 ? o->args[1] : "";
    if (strcmp(what, "set") == 0 && o->nargs > 2)
        return secrets_set(pg, o);
    if (strcmp(what, "unset") == 0 && o->nargs > 2) {
        for (int i = 2; i < o->nargs; i++) {
            const char *p[] = {o->args[i]};
            PGresult *r = run(pg, "delete from pgstack_functions.secrets where name = $1", 1, p);
            if (!r)
                return 1;
            PQclear(r);
        }
        return 0;
    }
    if (strcmp(what, "list") == 0) {
        PGresult *r = run(pg, "select name from pgstack_functions.secrets order by name", 0, NULL);
        for (int i = 0; r && i < PQntuples(r); i++)
            printf("%s\n", PQgetvalue(r, i, 0));
        PQclear(r);
        return r ? 0 : 1;
    }
    fputs(USAGE, stderr);
    return 2;
}

/* ------------------------------------------------------------ list, delete */

static int list(PGconn *pg)
{
    PGresult *r = run(pg,
                      "select name, runtime, status, verify_jwt, version from "
                      "pgstack_functions.functions order by name",
                      0, NULL);
    for (int i = 0; r && i < PQntuples(r); i++)
        printf("%s\t%s\t%s\tverify_jwt=%s\tversion=%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
               PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
    PQclear(r);
    return r ? 0 : 1;
}

static int delete_function(PGconn *pg, const char *name)
{
    const char *p[] = {name};
    PGresult *r = run(pg, "delete from pgstack_functions.functions where name = $1", 1, p);
    if (!r)
        return 1;
    bool deleted = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (!deleted)
        return fail("no such function", name);
    printf("deleted %s\n", name);
    return 0;
}

int functions_cli(int argc, char **argv)
{
    cli_opts o;
    if (!parse(argc, argv, &o))
        return 2;
    const char *cmd = o.nargs > 0 ? o.args[0] : "";
    bool named = strcmp(cmd, "deploy") == 0 || strcmp(cmd, "delete") == 0;
    if (!named && strcmp(cmd, "list") != 0 && strcmp(cmd, "secrets") != 0) {
        fputs(USAGE, strcmp(cmd, "help") == 0 ? stdout : stderr);
        return strcmp(cmd, "help") == 0 ? 0 : 2;
    }
    if (named && (o.nargs < 2 || !functions_name_valid(o.args[1])))
        return fail("invalid function name (letters, digits, _ and -, starting with a letter)",
                    o.nargs > 1 ? o.args[1] : "");
    PGconn *pg = connect_db(&o);
    if (!pg)
        return 1;
    int rc = strcmp(cmd, "deploy") == 0   ? deploy(pg, &o)
             : strcmp(cmd, "delete") == 0 ? delete_function(pg, o.args[1])
             : strcmp(cmd, "list") == 0   ? list(pg)
                                          : secrets(pg, &o);
    PQfinish(pg);
    return rc;
}
