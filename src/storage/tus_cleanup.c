/* Storage cleanup: expired TUS uploads, stale spool files and renders; see
 * tus_cleanup.h. */
#include "storage/tus_cleanup.h"

#include "core/config.h"
#include "core/log.h"
#include "storage/garbage.h"
#include "storage/image_cache.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_BATCH 500

extern char **environ;

long storage_tus_sweep(const storage_settings *s, const storage_backend *be, arena *a, db_conn *db,
                       const db_caller *service, long limit)
{
    db_txn *txn = db_txn_new(a, db, service);
    const char *values[] = {arena_printf(a, "%ld", limit)};
    int q = db_txn_add(txn,
                       "delete from storage.uploads where id in (select id from storage.uploads"
                       " where expires_at < pg_catalog.now() limit $1::integer"
                       " for update skip locked) returning id",
                       1, values);
    if (db_txn_run(txn, s->txn_wait_ms) != DB_OK) {
        PGresult *err = db_txn_error(txn, NULL);
        log_event("storage: sweeping %s failed: %s", "uploads",
                  err ? PQresultErrorMessage(err) : "database unavailable");
        return -1;
    }
    PGresult *r = db_txn_result(txn, q);
    for (int i = 0; i < PQntuples(r); i++)
        be->remove_part(s, a, PQgetvalue(r, i, 0));
    return PQntuples(r);
}

/* Is name the id of an upload row (so its part must stay)? */
static bool upload_exists(const storage_settings *s, arena *a, db_conn *db,
                          const db_caller *service, const char *name)
{
    if (strlen(name) != 36 || strspn(name, "0123456789abcdef-") != 36)
        return false;
    db_txn *txn = db_txn_new(a, db, service);
    const char *values[] = {name};
    int q = db_txn_add(txn, "select from storage.uploads where id = $1::uuid", 1, values);
    return db_txn_run(txn, s->txn_wait_ms) != DB_OK || PQntuples(db_txn_result(txn, q)) > 0;
}

/* Files of dir older than the expiry (and, in uploads/, named by no
 * row): left by interrupted uploads and deleted buckets. */
static long sweep_spool(const storage_settings *s, arena *a, db_conn *db, const db_caller *service,
                        const char *sub)
{
    const char *dir = arena_printf(a, "%s/%s", s->root, sub);
    DIR *d = opendir(dir);
    long removed = 0;
    time_t cutoff = time(NULL) - s->tus_expiry_s;
    for (struct dirent *e; d && (e = readdir(d));) {
        const char *path = arena_printf(a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (e->d_name[0] == '.' || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            st.st_mtime >= cutoff)
            continue;
        if (strcmp(sub, "uploads") == 0 && upload_exists(s, a, db, service, e->d_name))
            continue;
        removed += unlink(path) == 0;
    }
    if (d)
        closedir(d);
    return removed;
}

static db_caller cli_service(const storage_settings *s)
{
    return (db_caller){
        .db_role = "service_role",
        .claim_role = "service_role",
        .claims_json = "{\"role\":\"service_role\"}",
        .sub = "",
        .method = "CLEANUP",
        .path = "pgstack storage cleanup",
        .headers_json = "{}",
        .statement_timeout_ms = s->statement_timeout_ms,
    };
}

/* Batches until a sweep comes back short; the total, -1 on failure. */
static long sweep_all(long (*sweep)(const storage_settings *, const storage_backend *, arena *,
                                    db_conn *, const db_caller *, long),
                      const storage_settings *s, db_conn *db, const db_caller *service)
{
    long total = 0, n;
    do {
        arena *a = arena_new(64 * 1024);
        n = sweep(s, storage_backend_get(s), a, db, service, SWEEP_BATCH);
        arena_free(a);
        total += n > 0 ? n : 0;
    } while (n == SWEEP_BATCH);
    return n < 0 ? -1 : total;
}

static int cleanup(storage_settings *s, const char *url)
{
    db_conn *db = db_conn_new(url, 10, "pgstack storage cleanup", false);
    db_caller service = cli_service(s);
    long uploads = sweep_all(storage_tus_sweep, s, db, &service);
    long renders = sweep_all(storage_image_cache_sweep, s, db, &service);
    long garbage = sweep_all(storage_garbage_sweep, s, db, &service);
    arena *a = arena_new(64 * 1024);
    long spool = uploads < 0 ? 0
                             : sweep_spool(s, a, db, &service, "uploads") +
                                   sweep_spool(s, a, db, &service, "tmp");
    arena_free(a);
    db_conn_free(db);
    if (uploads < 0 || renders < 0 || garbage < 0) {
        fprintf(stderr, "pgstack storage cleanup: the database failed (see the log above)\n");
        return 1;
    }
    printf("expired uploads removed: %ld\nstale renders removed: %ld\nspool files removed: "
           "%ld\nqueued versions removed: %ld\n",
           uploads, renders, spool, garbage);
    return 0;
}

int storage_cli(int argc, char **argv)
{
    static const char usage[] = "usage: pgstack storage cleanup [--database-url URL]\n";
    const char *url = NULL;
    if (argc < 2 || strcmp(argv[1], "cleanup") != 0) {
        fputs(usage, argc < 2 ? stdout : stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--database-url") == 0 && i + 1 < argc) {
            url = argv[++i];
        } else {
            fprintf(stderr, "pgstack storage: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
    }
    pgstack_config cfg = {0};
    storage_settings s = {0};
    char err[512];
    if (!config_load(&cfg, &storage_config_section, &s, environ, url ? 0 : CONFIG_NEED_DATABASE,
                     err, sizeof err)) {
        fprintf(stderr, "pgstack storage: %s\n", err);
        return 2;
    }
    s.statement_timeout_ms = cfg.db_statement_timeout_ms;
    s.txn_wait_ms = s.statement_timeout_ms > 0 ? s.statement_timeout_ms + 2000L : 3600L * 1000L;
    s.derived = true;
    int rc = cleanup(&s, url ? url : cfg.database_url);
    config_free(&cfg, &storage_config_section, &s);
    return rc;
}
