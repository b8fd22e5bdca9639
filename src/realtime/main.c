/* pgstack-realtime: the WebSocket daemon behind the web server's proxy
 * (/ws/... and /realtime/v1/...). Loads the shared configuration and the
 * "realtime" section, listens on REALTIME_ADDR and runs the event loop
 * until SIGTERM or SIGINT. */
#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "realtime/livequery.h"
#include "realtime/livews.h"
#include "realtime/pgchanges.h"
#include "realtime/phoenix.h"
#include "realtime/phx_authz.h"
#include "realtime/rt_bus.h"
#include "realtime/realtime_settings.h"
#include "realtime/rt_context.h"
#include "realtime/rt_iothreads.h"
#include "realtime/rt_server.h"
#include "realtime/webhooks_delivery.h"
#include "webhooks/webhooks_settings.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t rt_stop_requested;

static void rt_on_signal(int sig)
{
    (void)sig;
    rt_stop_requested = 1;
}

/* A timer that notices the stop request (the signal interrupts epoll). */
static long rt_stop_check(ae_loop *loop, long long id, void *data)
{
    (void)id;
    (void)data;
    if (rt_stop_requested)
        ae_stop(loop);
    return 200;
}

/* Another daemon started: it learns our presence entries. */
static void rt_on_hello(rt_context *ctx, json_object *msg, const char *origin)
{
    (void)msg;
    (void)origin;
    phoenix_bus_announce(ctx);
    livews_bus_announce(ctx);
}

/* As many descriptors as the connection cap needs. */
static int rt_raise_fd_limit(long max_connections)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t want = (rlim_t)max_connections + 256;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (int)(rl.rlim_cur < want ? rl.rlim_cur : want);
}

static bool rt_load(rt_context *ctx)
{
    char err[512];
    if (!config_load(&ctx->cfg, &realtime_config_section, &ctx->settings, environ, CONFIG_NEED_JWT,
                     err, sizeof(err))) {
        fprintf(stderr, "pgstack-realtime: %s\n", err);
        return false;
    }
    if (ctx->cfg.jwt_signing_keys && *ctx->cfg.jwt_signing_keys &&
        !jwt_keys_load(ctx->cfg.jwt_signing_keys, &ctx->keys, err, sizeof err)) {
        fprintf(stderr, "pgstack-realtime: JWT_SIGNING_KEYS: %s\n", err);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    log_set_program("pgstack-realtime");
    rt_context ctx = {0};
    if (!rt_load(&ctx))
        return 2;
    ctx.topics = rt_topics_new();
    ctx.work = arena_new(64 * 1024);
    rt_server srv = {.conns = {.ctx = &ctx, .by_addr = rt_topics_new()}, .listen_fd = -1};
    srv.conns.loop = ae_loop_new(rt_raise_fd_limit(ctx.settings.max_connections));
    ae_loop *loop = srv.conns.loop;
    char err[512];
    if (!loop || !ctx.topics || !srv.conns.by_addr || !ctx.work ||
        !rt_server_listen(&srv, ctx.settings.addr, err, sizeof(err))) {
        fprintf(stderr, "pgstack-realtime: %s\n", loop ? err : "out of memory");
        return 1;
    }
    const char *db_url =
        *ctx.settings.database_url ? ctx.settings.database_url : ctx.cfg.database_url;
    rt_bus bus;
    if (db_url) {
        rt_bus_init(&bus);
        phoenix_bus_register(&bus);
        livews_bus_register(&bus);
        rt_bus_register(&bus, "hello", rt_on_hello);
        ctx.bus = &bus;
        ctx.live = livequery_new(loop, &ctx, db_url);
        bus.send = livequery_notify;
        bus.send_data = ctx.live;
        ctx.changes = pgchanges_new(&ctx, loop, ctx.live, 500);
        livequery_start(ctx.live);
        ctx.authz = phx_authz_new(loop, db_url);
        phx_authz_start(ctx.authz);
    }
    const webhooks_settings *hook_settings = webhooks_settings_get(err, sizeof(err));
    if (!hook_settings) {
        fprintf(stderr, "pgstack-realtime: %s\n", err);
        return 2;
    }
    wh_delivery *hooks = db_url ? wh_delivery_new(loop, &ctx.cfg, hook_settings, db_url) : NULL;
    if (hooks)
        wh_delivery_start(hooks);
    struct sigaction sa = {.sa_handler = rt_on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ae_timer_add(loop, 200, rt_stop_check, NULL);
    srv.conns.io = rt_iothreads_new(rt_iothreads_wanted(ctx.settings.io_threads));
    log_event("listening on %s (max %ld connections, %ld per address, %d I/O threads)",
              ctx.settings.addr, ctx.settings.max_connections, ctx.settings.max_connections_per_ip,
              rt_iothreads_count(srv.conns.io));
    rt_server_run(&srv);
    log_event("stopping: closing %zu connections", srv.conns.count);
    rt_server_shutdown(&srv);
    rt_iothreads_free(srv.conns.io);
    wh_delivery_free(hooks);
    livequery_free(ctx.live);
    pgchanges_free(ctx.changes);
    phx_authz_free(ctx.authz);
    ae_loop_free(loop);
    rt_topics_free(srv.conns.by_addr);
    rt_topics_free(ctx.topics);
    arena_free(ctx.work);
    jwt_keys_free(&ctx.keys);
    config_free(&ctx.cfg, &realtime_config_section, &ctx.settings);
    return 0;
}
