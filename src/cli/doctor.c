/* pgstack doctor: checks an installation and prints one line per check —
 * "ok", or "FAIL" with what is wrong and the fix — and exits 1 when any
 * check failed. The checks: the configuration (every key of every area,
 * naming a bad one), the database (reachable), the migrations (every file
 * of the migrations folder applied, none changed), the roles the workers
 * switch to, each area's FastCGI socket, the web server routing /health,
 * the realtime daemon, and with STORAGE_BACKEND=s3 the object store (its
 * bucket answers HEAD with these credentials).
 *
 *   pgstack doctor [--url URL] [--run-dir DIR] [--database-url URL] [--dir DIR]
 *
 * --url: where the web server answers (default API_EXTERNAL_URL, else
 * SITE_URL); --run-dir: the sockets (default /run/pgstack); --database-url:
 * a URL that may read pgstack.schema_migrations (default DATABASE_URL);
 * --dir: the migrations (as pgstack migrate). */
#include "autoconfig.h"
#include "cli/cli.h"

#include "auth/auth_settings.h"
#include "core/config.h"
#include "realtime/realtime_settings.h"
#include "storage/backend_s3.h"
#include "storage/storage_settings.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static const char *const AREAS[] = {"rest", "auth", "storage", "functions", "api"};

typedef struct doctor {
    const char *url, *run_dir, *database_url, *sql_dir;
    int failures;
    pgstack_config cfg;
    auth_settings auth;
    realtime_settings realtime;
    bool config_ok;
} doctor;

static void report(doctor *d, bool ok, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(doctor *d, bool ok, const char *check, const char *fmt, ...)
{
    printf("%s %s", ok ? "ok  " : "FAIL", check);
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs(ok ? " (" : ": ", stdout);
        vprintf(fmt, ap);
        fputs(ok ? ")" : "", stdout);
        va_end(ap);
    }
    putchar('\n');
    d->failures += !ok;
}

/* Every section loads (a bad value or a missing key is named); the core,
 * auth and realtime settings stay loaded for the checks below. */
static void check_config(doctor *d)
{
    size_t count;
    const config_section *const *sections = cli_config_sections(&count);
    char err[512] = "";
    bool ok = true;
    for (size_t i = 0; i < count && ok; i++) {
        if (sections[i] == &core_config_section)
            continue;
        void *settings = calloc(1, sections[i]->size);
        pgstack_config core;
        ok = config_load(&core, sections[i], settings, environ,
                         CONFIG_NEED_DATABASE | CONFIG_NEED_JWT, err, sizeof err);
        if (ok)
            config_free(&core, sections[i], settings);
        free(settings);
    }
    ok = ok && config_load(&d->cfg, &auth_config_section, &d->auth, environ,
                           CONFIG_NEED_DATABASE | CONFIG_NEED_JWT, err, sizeof err);
    pgstack_config scratch;
    if (ok &&
        config_load(&scratch, &realtime_config_section, &d->realtime, environ, 0, err, sizeof err))
        config_free(&scratch, NULL, NULL);
    else
        ok = false;
    d->config_ok = ok;
    if (ok)
        report(d, true, "configuration", "%zu sections", count);
    else
        report(d, false, "configuration", "%s; fix the key in PGSTACK_CONFIG (%s)", err,
               getenv("PGSTACK_CONFIG") ? getenv("PGSTACK_CONFIG") : CONFIG_DEFAULT_PATH);
}

static PGconn *check_database(doctor *d)
{
    const char *url = d->database_url ? d->database_url : d->cfg.database_url;
    if (!url) {
        report(d, false, "database reachable", "no DATABASE_URL; fix the configuration first");
        return NULL;
    }
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%ld",
             d->cfg.db_connect_timeout_s ? d->cfg.db_connect_timeout_s : 2);
    const char *keys[] = {"dbname", "connect_timeout", NULL};
    const char *values[] = {url, timeout, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(pg) == CONNECTION_OK) {
        report(d, true, "database reachable", "%s", PQdb(pg));
        return pg;
    }
    char *msg = PQerrorMessage(pg);
    msg[strcspn(msg, "\n")] = '\0';
    report(d, false, "database reachable", "%s; fix: start PostgreSQL or correct DATABASE_URL",
           msg);
    PQfinish(pg);
    return NULL;
}

static void check_migrations(doctor *d, PGconn *pg)
{
    char detail[512] = "";
    int pending = cli_migrations_pending(pg, d->sql_dir, detail, sizeof detail);
    if (pending < 0)
        report(d, false, "migrations applied", "%s", detail);
    else if (pending > 0)
        report(d, false, "migrations applied",
               "%d not applied or changed (%s); fix: pgstack migrate", pending, detail);
    else
        report(d, true, "migrations applied", "%s", d->sql_dir);
}

static void check_roles(doctor *d, PGconn *pg)
{
    PGresult *r = PQexec(pg, "select string_agg(n, ', ') from unnest(array['anon', "
                             "'authenticated', 'service_role']) n where not exists (select from "
                             "pg_roles where rolname = n) or not pg_has_role(current_user, n, "
                             "'member')");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok && PQgetisnull(r, 0, 0))
        report(d, true, "roles anon, authenticated, service_role", "%s may switch to each",
               PQuser(pg));
    else
        report(d, false, "roles anon, authenticated, service_role",
               "%s cannot switch to: %s; fix: pgstack migrate (it creates and grants them)",
               PQuser(pg), ok ? PQgetvalue(r, 0, 0) : PQerrorMessage(pg));
    PQclear(r);
}

static bool unix_connects(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return false;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static bool tcp_connects(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host)
        return false;
    snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return false;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return ok;
}

static void check_sockets(doctor *d)
{
    for (size_t i = 0; i < sizeof AREAS / sizeof AREAS[0]; i++) {
        char path[1024], name[64];
        snprintf(path, sizeof path, "%s/%s.sock", d->run_dir, AREAS[i]);
        snprintf(name, sizeof name, "pgstack-%s answering", AREAS[i]);
        if (unix_connects(path))
            report(d, true, name, "%s", path);
        else
            report(d, false, name, "nothing accepts on %s; fix: systemctl start pgstack@%s", path,
                   AREAS[i]);
    }
}

static size_t keep_body(char *data, size_t size, size_t n, void *out)
{
    size_t len = strlen(out), add = size * n;
    if (len + add < 256)
        strncat(out, data, add);
    return size * n;
}

static void check_web(doctor *d)
{
    const char *base = d->url ? d->url
                       : d->auth.api_external_url && *d->auth.api_external_url
                           ? d->auth.api_external_url
                           : d->auth.site_url;
    char url[2048], body[256] = "";
    snprintf(url, sizeof url, "%s/health", base ? base : "");
    CURL *c = curl_easy_init();
    long status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK && status == 200 && strstr(body, "\"status\""))
        report(d, true, "web server routes /health", "%s", url);
    else
        report(d, false, "web server routes /health",
               "%s answered %ld (%s); fix: enable the pgstack snippet of lighttpd or Apache, or "
               "pass --url",
               url, status, rc == CURLE_OK ? "not pgstack's /health" : curl_easy_strerror(rc));
}

static void check_realtime(doctor *d)
{
    const char *addr = d->realtime.addr ? d->realtime.addr : "";
    bool ok = strncmp(addr, "unix:", 5) == 0 ? unix_connects(addr + 5) : tcp_connects(addr);
    if (ok)
        report(d, true, "pgstack-realtime answering", "%s", addr);
    else
        report(d, false, "pgstack-realtime answering",
               "nothing accepts on %s (REALTIME_ADDR); fix: systemctl start pgstack-realtime",
               addr);
}

/* STORAGE_BACKEND=s3: the bucket answers a signed HEAD (every web host
 * of a multi-host deployment must reach the same store). */
static void check_s3_store(doctor *d)
{
    storage_settings *s = calloc(1, sizeof *s);
    pgstack_config core;
    char err[512] = "";
    if (!s || !config_load(&core, &storage_config_section, s, environ, 0, err, sizeof err)) {
        free(s);
        return; /* check_config reported it */
    }
    if (s->backend && strcmp(s->backend, "s3") == 0) {
        char why[256] = "";
        if (storage_s3_probe(&s->s3, why, sizeof why))
            report(d, true, "storage S3 store reachable", "%s, bucket %s", s->s3.endpoint,
                   s->s3.bucket);
        else
            report(d, false, "storage S3 store reachable",
                   "%s at %s; fix STORAGE_S3_ENDPOINT, STORAGE_S3_BUCKET or the keys", why,
                   s->s3.endpoint);
    }
    config_free(&core, &storage_config_section, s);
    free(s);
}

static bool parse_options(int argc, char **argv, doctor *d)
{
    d->run_dir = "/run/pgstack";
    d->sql_dir = getenv("PGSTACK_SQL_DIR") ? getenv("PGSTACK_SQL_DIR") : PGSTACK_SQL_DIR;
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--url") == 0            ? &d->url
                            : strcmp(argv[i], "--run-dir") == 0      ? &d->run_dir
                            : strcmp(argv[i], "--database-url") == 0 ? &d->database_url
                            : strcmp(argv[i], "--dir") == 0          ? &d->sql_dir
                                                                     : NULL;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "usage: pgstack doctor [--url URL] [--run-dir DIR] "
                            "[--database-url URL] [--dir DIR]\n");
            return false;
        }
        *slot = argv[++i];
    }
    return true;
}

int cli_doctor(int argc, char **argv)
{
    static doctor d;
    if (!parse_options(argc, argv, &d))
        return 2;
    check_config(&d);
    PGconn *pg = d.config_ok || d.database_url ? check_database(&d) : NULL;
    if (pg) {
        check_migrations(&d, pg);
        check_roles(&d, pg);
        PQfinish(pg);
    }
    check_sockets(&d);
    if (d.config_ok || d.url)
        check_web(&d);
    if (d.config_ok) {
        check_realtime(&d);
        check_s3_store(&d);
    }
    if (d.config_ok) {
        config_free(&d.cfg, &auth_config_section, &d.auth);
        config_section_free(&realtime_config_section, &d.realtime);
    }
    printf("%s\n", d.failures ? "some checks failed" : "every check passed");
    return d.failures ? 1 : 0;
}
