/* The worker program: configuration, CGI or supervised FastCGI workers, and
 * the per-request pipeline parse -> CORS -> body limit -> route ->
 * credentials -> handler -> reply -> log; see server.h. */
#include "worker/server.h"

#include "autoconfig.h"

#include "core/cors.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/supervisor.h"
#include "worker/credentials.h"

#include <fastcgi.h>
#include <fcgiapp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t stop_requested;

static long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static const char *new_request_id(arena *a)
{
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        memset(bytes, 0, sizeof bytes);
    static const char hex[] = "0123456789abcdef";
    char *id = arena_alloc(a, 17);
    for (int i = 0; i < 8; i++) {
        id[2 * i] = hex[bytes[i] >> 4];
        id[2 * i + 1] = hex[bytes[i] & 15];
    }
    id[16] = '\0';
    return id;
}

/* Is the request for a route marked as a navigation target? */
static bool navigation_target(app_ctx *app, request *req)
{
    const route *found = NULL;
    const char *allow = NULL;
    return req->in_prefix &&
           router_match(app->area->routes, app->area->route_count, req, &found, &allow) ==
               ROUTE_FOUND &&
           found->auth == ROUTE_NAVIGATION;
}

/* Answers CORS; false when the request is finished (preflight or refusal). */
static bool apply_cors(app_ctx *app, request *req, response *res)
{
    const char *origin = request_header(req, "origin");
    cors_verdict verdict = cors_check(&app->cfg, origin, req->host);
    bool preflight = cors_is_preflight(req->method, origin,
                                       request_header(req, "access-control-request-method"));
    if (app->area->handler_cors) {
        if (verdict == CORS_ALLOWED)
            cors_add_headers(res, origin, false);
        return true;
    }
    if (verdict == CORS_REFUSED && !preflight && navigation_target(app, req))
        return true;
    if (verdict == CORS_REFUSED) {
        http_error(res, 403, "origin not allowed: %s", origin);
        return false;
    }
    if (verdict == CORS_ALLOWED)
        cors_add_headers(res, origin, preflight);
    if (preflight)
        response_empty(res, 204);
    return !preflight;
}

static bool authenticate(app_ctx *app, request *req, response *res, route_auth need)
{
    if (need == ROUTE_PUBLIC || need == ROUTE_NAVIGATION)
        return true;
    auth_ctx *ctx = arena_alloc(req->arena, sizeof(*ctx));
    const char *error = NULL;
    if (!credentials_resolve(req, &app->cfg, time(NULL), ctx, &error)) {
        http_error(res, 401, "%s", error);
        return false;
    }
    if (need == ROUTE_REQUIRED && !ctx->present) {
        http_error(res, 401, "%s", CREDENTIALS_MISSING_MESSAGE);
        return false;
    }
    req->auth = ctx;
    return true;
}

static const route *find_route(app_ctx *app, request *req, response *res)
{
    const route *routes = app->area->routes;
    size_t count = app->area->route_count;
    if (!req->in_prefix) {
        routes = app->area->outside_routes;
        count = app->area->outside_route_count;
    }
    const route *found = NULL;
    const char *allow = NULL;
    switch (router_match(routes, count, req, &found, &allow)) {
    case ROUTE_FOUND:
        return found;
    case ROUTE_METHOD_NOT_ALLOWED:
        response_set_header(res, "Allow", allow);
        if (strcmp(req->method, "OPTIONS") == 0)
            response_empty(res, 204);
        else
            http_error(res, 405, "method %s not allowed for %s", req->method, req->full_path);
        return NULL;
    case ROUTE_NOT_FOUND:
        break;
    }
    http_error(res, 404, "no route for %s %s", req->method, req->full_path);
    return NULL;
}

static void dispatch(app_ctx *app, request *req, response *res, http_io *io)
{
    if (!apply_cors(app, req, res))
        return;
    if (req->content_length > app_limits(app)->max_body) {
        http_error(res, 413, "request body larger than %ld bytes", app_limits(app)->max_body);
        return;
    }
    const route *route = find_route(app, req, res);
    if (!route)
        return;
    request_error err;
    bool handler_reads = app->area->reads_body && app->area->reads_body(route);
    if (!handler_reads && !request_read_body(req, io, app_limits(app)->max_body, &err)) {
        http_error(res, err.status, "%s", err.message);
        return;
    }
    if (!authenticate(app, req, res, route->auth))
        return;
    route->handler(req, res);
}

void server_handle(app_ctx *app, arena *a, char *const *params, http_io *io)
{
    long started = now_us();
    request req;
    response res;
    request_error err;
    response_init(&res, a, io);
    bool parsed = request_parse(&req, a, params, app->area->prefix, &app->cfg, &err);
    req.app = app;
    req.request_id = new_request_id(a);
    res.head_only = strcmp(req.method, "HEAD") == 0;
    response_set_header(&res, "X-Request-Id", req.request_id);
    if (parsed)
        dispatch(app, &req, &res, io);
    else
        http_error(&res, err.status, "%s", err.message);
    response_finish(&res);
    const char *role = req.auth && req.auth->present ? req.auth->role : NULL;
    log_request(stderr, req.request_id, req.method, req.full_path ? req.full_path : "-", res.status,
                now_us() - started, role);
}

/* FastCGI streams */

static ssize_t fcgi_read(void *ctx, char *buf, size_t n)
{
    FCGX_Request *r = ctx;
    return FCGX_GetStr(buf, n > INT_MAX ? INT_MAX : (int)n, r->in);
}

static bool fcgi_write(void *ctx, const char *buf, size_t n)
{
    FCGX_Request *r = ctx;
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (FCGX_PutStr(buf, chunk, r->out) != chunk)
            return false;
        buf += chunk;
        n -= (size_t)chunk;
    }
    return true;
}

static void fcgi_flush(void *ctx)
{
    FCGX_Request *r = ctx;
    FCGX_FFlush(r->out);
}

/* CGI streams */

static ssize_t cgi_read(void *ctx, char *buf, size_t n)
{
    return (ssize_t)fread(buf, 1, n, stdin);
}

static bool cgi_write(void *ctx, const char *buf, size_t n)
{
    return fwrite(buf, 1, n, stdout) == n;
}

static void cgi_flush(void *ctx)
{
    fflush(stdout);
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void install_worker_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop; /* no SA_RESTART: a blocked accept returns */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* libfcgi ends a connection with shutdown() and then waits until the web
 * server closes its end (up to 2 s), so that a TCP peer never answers unread
 * data with an RST that would discard the reply. On a Unix socket nothing
 * already sent is discarded: the web server reads the whole reply first. The
 * wait costs every request a poll, a read and a sleep until the web server
 * has read the reply, so it is skipped on Unix sockets when nothing of the
 * request is left unread (a body still arriving must be drained, or the web
 * server's write would fail before it reads an early reply). */
static bool listen_socket_is_unix(void)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    return getsockname(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&addr, &len) == 0 &&
           addr.ss_family == AF_UNIX;
}

/* Has the request's input been read to its end? A request without a body
 * has only the end-of-stdin record left, which arrived with the parameters. */
static bool request_consumed(FCGX_Request *fr)
{
    if (FCGX_HasSeenEOF(fr->in))
        return true;
    const char *length = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
    return (!length || !*length || strcmp(length, "0") == 0) && FCGX_GetChar(fr->in) == EOF;
}

static void open_database(app_ctx *app)
{
    app->db = db_conn_new(app->cfg.database_url, app->cfg.db_connect_timeout_s, app->area->program,
                          app->cfg.db_prepared_statements);
}

static int fastcgi_worker(void *arg)
{
    app_ctx *app = arg;
    install_worker_signals();
    open_database(app);
    FCGX_Request fr;
    FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);
    http_io io = {&fr, fcgi_read, fcgi_write, fcgi_flush};
    arena *a = arena_new(64 * 1024);
    bool unix_socket = listen_socket_is_unix();
    while (!stop_requested && FCGX_Accept_r(&fr) >= 0) {
        server_handle(app, a, fr.envp, &io);
        if (unix_socket && request_consumed(&fr))
            FCGX_Detach(&fr); /* close without libfcgi's lingering wait */
        FCGX_Finish_r(&fr);
        arena_reset(a);
    }
    arena_free(a);
    db_conn_free(app->db);
    return 0;
}

static int serve_cgi(app_ctx *app)
{
    open_database(app);
    http_io io = {NULL, cgi_read, cgi_write, cgi_flush};
    arena *a = arena_new(64 * 1024);
    server_handle(app, a, environ, &io);
    fflush(stdout);
    arena_free(a);
    db_conn_free(app->db);
    return 0;
}

int server_main(const area *area, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("%s %s\n", area->program, PACKAGE_VERSION);
        return 0;
    }
    log_set_program(area->program);
    static app_ctx app;
    app.area = area;
    app.settings = calloc(1, area->settings->size);
    char err[512];
    if (!config_load(&app.cfg, area->settings, app.settings, environ,
                     CONFIG_NEED_DATABASE | CONFIG_NEED_JWT, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", area->program, err);
        free(app.settings);
        return 1;
    }
    if (app.cfg.jwt_signing_keys && *app.cfg.jwt_signing_keys &&
        !jwt_keys_load(app.cfg.jwt_signing_keys, &app.keys, err, sizeof err)) {
        fprintf(stderr, "%s: JWT_SIGNING_KEYS: %s\n", area->program, err);
        config_free(&app.cfg, area->settings, app.settings);
        free(app.settings);
        return 1;
    }
    int rc;
    if (FCGX_IsCGI()) {
        rc = serve_cgi(&app);
    } else {
        supervisor_companion companion = {area->companion_name, area->companion_run, &app};
        bool with_companion =
            area->companion_run && (!area->companion_setup || area->companion_setup(&app));
        rc = supervisor_run(app_limits(&app)->workers, fastcgi_worker, &app,
                            with_companion ? &companion : NULL);
    }
    jwt_keys_free(&app.keys);
    config_free(&app.cfg, area->settings, app.settings);
    free(app.settings);
    return rc;
}
