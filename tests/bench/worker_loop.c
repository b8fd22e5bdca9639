/* tests/bench/worker_loop.c — the REST worker's own cost of one request,
 * without the web server and FastCGI: the worker's request path
 * (server_handle: parse, CORS, route, JWT, handler, render, log) driven N
 * times in-process for one GET by primary key, against the running dev
 * stack's database (PGSTACK_CONFIG). Prints CPU microseconds per request;
 * under `valgrind --tool=callgrind --collect-atstart=no` only the measured
 * loop is counted, so Ir / N is the instructions per request, repeatable
 * on a noisy machine. Built and run by tests/bench/worker.
 *
 *   worker_loop N URI TOKEN APIKEY */
#include "core/arena.h"
#include "core/config.h"
#include "rest/read.h"
#include "rest/rest_settings.h"
#include "worker/app.h"
#include "worker/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

extern char **environ;

static ssize_t no_read(void *ctx, char *buf, size_t n)
{
    (void)ctx, (void)buf, (void)n;
    return 0;
}

static bool count_write(void *ctx, const char *buf, size_t n)
{
    (void)buf;
    *(size_t *)ctx += n;
    return true;
}

static void no_flush(void *ctx)
{
    (void)ctx;
}

static const route ROUTES[] = {
    {"GET", "/{table}", rest_read_handle, ROUTE_REQUIRED},
};

static const area AREA = {
    .name = "rest",
    .program = "pgstack-bench",
    .prefix = "/rest/v1",
    .routes = ROUTES,
    .route_count = 1,
    .settings = &rest_config_section,
};

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: worker_loop N URI TOKEN APIKEY\n");
        return 2;
    }
    long n = atol(argv[1]);
    char *uri = argv[2], *query = strchr(uri, '?');
    static app_ctx app;
    static rest_settings settings;
    app.area = &AREA;
    app.settings = &settings;
    char err[512];
    if (!config_load(&app.cfg, &rest_config_section, &settings, environ,
                     CONFIG_NEED_DATABASE | CONFIG_NEED_JWT, err, sizeof err)) {
        fprintf(stderr, "worker_loop: %s\n", err);
        return 1;
    }
    app.db = db_conn_new(app.cfg.database_url, app.cfg.db_connect_timeout_s, AREA.program,
                         app.cfg.db_prepared_statements);
    char p_uri[4096], p_query[4096], p_auth[4096], p_key[4096];
    snprintf(p_uri, sizeof p_uri, "REQUEST_URI=%s", uri);
    snprintf(p_query, sizeof p_query, "QUERY_STRING=%s", query ? query + 1 : "");
    snprintf(p_auth, sizeof p_auth, "HTTP_AUTHORIZATION=Bearer %s", argv[3]);
    snprintf(p_key, sizeof p_key, "HTTP_APIKEY=%s", argv[4]);
    char *params[] = {"REQUEST_METHOD=GET",  p_uri, p_query, p_auth, p_key, "REMOTE_ADDR=127.0.0.1",
                      "HTTP_HOST=localhost", NULL};
    size_t out = 0;
    http_io io = {&out, no_read, count_write, no_flush};
    arena *a = arena_new(64 * 1024);
    for (int i = 0; i < 100; i++) { /* warm: catalog, prepared statements */
        server_handle(&app, a, params, &io);
        arena_reset(a);
    }
    size_t warm_out = out;
    double t0 = cpu_seconds();
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        server_handle(&app, a, params, &io);
        arena_reset(a);
    }
    CALLGRIND_TOGGLE_COLLECT;
    double cpu = cpu_seconds() - t0;
    printf("requests %ld  cpu_us_per_request %.1f  bytes_per_reply %zu\n", n, cpu * 1e6 / (double)n,
           (out - warm_out) / (size_t)n);
    arena_free(a);
    db_conn_free(app.db);
    config_free(&app.cfg, &rest_config_section, &settings);
    return 0;
}
