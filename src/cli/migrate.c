/* pgstack migrate: applies the numbered SQL files of the migrations folder
 * in name order, each in its own transaction, and records name + SHA-256 in
 * pgstack.schema_migrations. Applied files are skipped; an applied file
 * whose checksum changed stops everything before anything is applied.
 * --status lists every file as applied, pending or changed. A session
 * advisory lock keeps two migrators from running at once. */
#include "autoconfig.h"
#include "cli/cli.h"

#include "core/config.h"
#include "core/digest.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define BOOKKEEPING_SQL                                                                            \
    "create schema if not exists pgstack; "                                                        \
    "create table if not exists pgstack.schema_migrations ("                                       \
    " name text primary key, checksum text not null,"                                              \
    " applied_at timestamptz not null default now())"

typedef struct migration {
    char *name;
    char *sql;
    char checksum[65];
    char *applied_checksum; /* NULL when pending */
    char *applied_at;
} migration;

typedef struct options {
    const char *database_url;
    const char *dir;
    bool status;
} options;

static bool parse_options(int argc, char **argv, options *o)
{
    o->database_url = NULL;
    o->dir = getenv("PGSTACK_SQL_DIR") ? getenv("PGSTACK_SQL_DIR") : PGSTACK_SQL_DIR;
    o->status = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--status") == 0)
            o->status = true;
        else if (strcmp(argv[i], "--database-url") == 0 && i + 1 < argc)
            o->database_url = argv[++i];
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            o->dir = argv[++i];
        else {
            fprintf(stderr, "pgstack migrate: unexpected argument %s\n", argv[i]);
            return false;
        }
    }
    return true;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        buf[size] = '\0';
        *len = (size_t)size;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int is_sql_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0;
}

static migration *load_migrations(const char *dir, int *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_sql_file, alphasort);
    if (n < 0) {
        fprintf(stderr, "pgstack migrate: cannot read the migrations folder %s\n", dir);
        return NULL;
    }
    migration *m = calloc((size_t)n + 1, sizeof(migration));
    for (int i = 0; i < n; i++) {
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        m[i].name = strdup(names[i]->d_name);
        m[i].sql = read_file(path, &len);
        if (!m[i].sql) {
            fprintf(stderr, "pgstack migrate: cannot read %s\n", path);
            exit(1);
        }
        sha256_hex(m[i].sql, len, m[i].checksum);
        free(names[i]);
    }
    free(names);
    *count = n;
    return m;
}

static bool exec_ok(PGconn *pg, const char *sql, const char *what)
{
    PGresult *r = PQexec(pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "pgstack migrate: %s failed: %s", what, PQerrorMessage(pg));
    PQclear(r);
    return ok;
}

static bool load_applied(PGconn *pg, migration *m, int count)
{
    PGresult *r =
        PQexec(pg, "select name, checksum, applied_at::text from pgstack.schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pgstack migrate: cannot read applied migrations: %s", PQerrorMessage(pg));
        PQclear(r);
        return false;
    }
    for (int row = 0; row < PQntuples(r); row++)
        for (int i = 0; i < count; i++)
            if (strcmp(m[i].name, PQgetvalue(r, row, 0)) == 0) {
                m[i].applied_checksum = strdup(PQgetvalue(r, row, 1));
                m[i].applied_at = strdup(PQgetvalue(r, row, 2));
            }
    PQclear(r);
    return true;
}

static bool changed(const migration *m)
{
    return m->applied_checksum && strcmp(m->applied_checksum, m->checksum) != 0;
}

static int print_status(const migration *m, int count)
{
    for (int i = 0; i < count; i++) {
        if (changed(&m[i]))
            printf("changed  %s (applied %s; the file no longer matches)\n", m[i].name,
                   m[i].applied_at);
        else if (m[i].applied_checksum)
            printf("applied  %s (%s)\n", m[i].name, m[i].applied_at);
        else
            printf("pending  %s\n", m[i].name);
    }
    return 0;
}

static bool refuse_changed(const migration *m, int count)
{
    bool any = false;
    for (int i = 0; i < count; i++)
        if (changed(&m[i])) {
            fprintf(stderr,
                    "pgstack migrate: %s was changed after it was applied (checksum %.12s, "
                    "applied %.12s); add a new migration instead of editing an applied one\n",
                    m[i].name, m[i].checksum, m[i].applied_checksum);
            any = true;
        }
    return any;
}

static bool apply_one(PGconn *pg, const migration *m)
{
    if (!exec_ok(pg, "begin", "begin"))
        return false;
    PGresult *r = PQexec(pg, m->sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pgstack migrate: %s failed, nothing of it was applied: %s", m->name,
                PQerrorMessage(pg));
        PQclear(r);
        exec_ok(pg, "rollback", "rollback");
        return false;
    }
    PQclear(r);
    const char *values[] = {m->name, m->checksum};
    r = PQexecParams(pg, "insert into pgstack.schema_migrations (name, checksum) values ($1, $2)",
                     2, NULL, values, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok || !exec_ok(pg, "commit", "commit")) {
        exec_ok(pg, "rollback", "rollback");
        return false;
    }
    printf("applied  %s\n", m->name);
    return true;
}

static int apply_pending(PGconn *pg, const migration *m, int count)
{
    if (refuse_changed(m, count))
        return 1;
    int applied = 0;
    for (int i = 0; i < count; i++) {
        if (m[i].applied_checksum)
            continue;
        if (!apply_one(pg, &m[i]))
            return 1;
        applied++;
    }
    if (applied == 0)
        printf("nothing to apply: all %d migrations are applied\n", count);
    return 0;
}

static const char *database_url(const options *o, pgstack_config *cfg)
{
    if (o->database_url)
        return o->database_url;
    char err[512];
    if (!config_load(cfg, NULL, NULL, environ, CONFIG_NEED_DATABASE, err, sizeof err)) {
        fprintf(stderr, "pgstack migrate: %s (or pass --database-url)\n", err);
        return NULL;
    }
    return cfg->database_url;
}

static void free_migrations(migration *m, int count)
{
    for (int i = 0; i < count; i++) {
        free(m[i].name);
        free(m[i].sql);
        free(m[i].applied_checksum);
        free(m[i].applied_at);
    }
    free(m);
}

int cli_migrate(int argc, char **argv)
{
    options o;
    if (!parse_options(argc, argv, &o))
        return 2;
    pgstack_config cfg = {0};
    const char *url = database_url(&o, &cfg);
    int count = 0;
    migration *m = url ? load_migrations(o.dir, &count) : NULL;
    if (!m) {
        config_free(&cfg, NULL, NULL);
        return 1;
    }
    int rc = 1;
    PGconn *pg = PQconnectdb(url);
    if (PQstatus(pg) != CONNECTION_OK)
        fprintf(stderr, "pgstack migrate: cannot connect: %s", PQerrorMessage(pg));
    else if (exec_ok(pg, "set client_min_messages = warning", "setup") &&
             exec_ok(pg, "select pg_advisory_lock(hashtext('pgstack.migrate'))", "lock") &&
             exec_ok(pg, BOOKKEEPING_SQL, "creating pgstack.schema_migrations") &&
             load_applied(pg, m, count))
        rc = o.status ? print_status(m, count) : apply_pending(pg, m, count);
    PQfinish(pg);
    free_migrations(m, count);
    config_free(&cfg, NULL, NULL);
    return rc;
}

int cli_migrations_pending(PGconn *pg, const char *dir, char *detail, size_t len)
{
    int count = 0;
    migration *m = load_migrations(dir, &count);
    if (!m) {
        snprintf(detail, len, "cannot read the migrations folder %s; fix: pass --dir", dir);
        return -1;
    }
    PGresult *r = PQexec(pg, "select name, checksum from pgstack.schema_migrations");
    int pending = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char *msg = PQerrorMessage(pg);
        snprintf(detail, len,
                 "cannot read pgstack.schema_migrations: %.*s; fix: pgstack migrate, "
                 "or pass --database-url of a role that may read it",
                 (int)strcspn(msg, "\n"), msg);
    } else {
        pending = 0;
        for (int i = 0; i < count; i++) {
            bool applied = false;
            for (int row = 0; row < PQntuples(r); row++)
                applied |= strcmp(m[i].name, PQgetvalue(r, row, 0)) == 0 &&
                           strcmp(m[i].checksum, PQgetvalue(r, row, 1)) == 0;
            if (applied)
                continue;
            size_t used = strlen(detail);
            snprintf(detail + used, len - used, "%s%s", pending ? ", " : "", m[i].name);
            pending++;
        }
    }
    PQclear(r);
    free_migrations(m, count);
    return pending;
}
