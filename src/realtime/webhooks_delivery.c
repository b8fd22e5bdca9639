/* The webhook delivery loop; see webhooks_delivery.h. */
#include "realtime/webhooks_delivery.h"

#include "core/log.h"
#include "realtime/rt_pg.h"
#include "realtime/webhooks_http.h"
#include "realtime/webhooks_job.h"
#include "webhooks/webhook_secret.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WH_POLL_MS 1000
#define WH_STATS_MS 60000
#define WH_PRUNE_MS (3600L * 1000L)
#define WH_LEASE_MARGIN_S 30
#define WH_CLAIM_SQL                                                                               \
    "select id, attempt, url, coalesce(secret_sealed, ''), body "                                  \
    "from pgstack.webhook_claim($1::integer, $2::integer)"

#define WH_SETTLE_SQL "select pgstack.webhook_settle($1::jsonb)"
#define WH_SETTLE_BATCH 1000

/* An attempt's outcome on its way to the database. */
typedef struct wh_settle {
    struct wh_settle *next;
    json_object *outcome; /* {id, attempt, status, error, duration_ms, next, retry_ms} */
} wh_settle;

struct wh_delivery {
    ae_loop *loop;
    const pgstack_config *cfg;
    const webhooks_settings *s;
    rt_pg *pg;
    wh_http *http;
    wh_job *jobs; /* in flight */
    long in_flight;
    bool claiming, wake_again;
    wh_settle *unsent;   /* outcomes not yet sent to the database */
    wh_settle *settling; /* the batch being written, or NULL */
    long long poll_timer, stats_timer, prune_timer;
    unsigned long delivered, retried, dead; /* since start */
};

static void wh_claim(wh_delivery *d);
static void wh_prune(wh_delivery *d);

/* ------------------------------------------------------------ settling */

/* Outcomes are written in batches, one statement at a time: what finishes
 * while a batch is being written goes in the next one. */

static void wh_settle_free_list(wh_settle *list)
{
    while (list) {
        wh_settle *next = list->next;
        json_object_put(list->outcome);
        free(list);
        list = next;
    }
}

static void wh_settle_flush(wh_delivery *d);

/* A batch that did not reach the database goes back in front. */
static void wh_settle_requeue(wh_delivery *d, wh_settle *batch)
{
    wh_settle *tail = batch;
    while (tail && tail->next)
        tail = tail->next;
    if (!tail)
        return;
    tail->next = d->unsent;
    d->unsent = batch;
}

static void wh_on_settled(void *data, PGresult *res)
{
    wh_delivery *d = data;
    wh_settle *batch = d->settling;
    d->settling = NULL;
    if (res && PQresultStatus(res) != PGRES_TUPLES_OK)
        log_event("webhooks: recording outcomes failed: %s", PQresultErrorMessage(res));
    if (!res) { /* lost with the connection: kept for the next one */
        wh_settle_requeue(d, batch);
        return;
    }
    wh_settle_free_list(batch);
    wh_settle_flush(d);
}

/* Takes up to WH_SETTLE_BATCH outcomes off unsent as one JSON array. */
static const char *wh_settle_take(wh_delivery *d, json_object *arr)
{
    wh_settle **p = &d->unsent;
    for (int n = 0; *p && n < WH_SETTLE_BATCH; n++, p = &(*p)->next)
        json_object_array_add(arr, json_object_get((*p)->outcome));
    d->settling = d->unsent;
    d->unsent = *p;
    *p = NULL;
    return json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
}

static void wh_settle_flush(wh_delivery *d)
{
    if (d->settling || !d->unsent || !rt_pg_up(d->pg))
        return;
    json_object *arr = json_object_new_array();
    const char *text = wh_settle_take(d, arr);
    if (!rt_pg_query(d->pg, WH_SETTLE_SQL, 1, &text, wh_on_settled, d)) {
        wh_settle_requeue(d, d->settling);
        d->settling = NULL;
    }
    json_object_put(arr);
}

static void wh_record(wh_delivery *d, const wh_job *job, long status, const char *error,
                      wh_next next)
{
    wh_settle *st = calloc(1, sizeof *st);
    json_object *o = json_object_new_object();
    if (!st || !o) {
        free(st);
        json_object_put(o);
        return; /* the lease ends and the row is claimed again */
    }
    json_object_object_add(o, "id", json_object_new_int64(strtoll(job->id, NULL, 10)));
    json_object_object_add(o, "attempt", json_object_new_int(job->attempt));
    json_object_object_add(o, "status", status ? json_object_new_int64(status) : NULL);
    json_object_object_add(o, "error", error ? json_object_new_string(error) : NULL);
    json_object_object_add(o, "duration_ms", json_object_new_int64(ae_now_ms() - job->started_ms));
    json_object_object_add(o, "next", json_object_new_string(wh_next_name(next.kind)));
    json_object_object_add(o, "retry_ms", json_object_new_int64(next.retry_ms));
    st->outcome = o;
    st->next = d->unsent;
    d->unsent = st;
    wh_settle_flush(d);
}

/* ------------------------------------------------------------ attempts */

static long wh_wake(ae_loop *loop, long long id, void *data)
{
    (void)loop;
    (void)id;
    wh_claim(data);
    return AE_TIMER_DONE;
}

static void wh_job_unlink(wh_delivery *d, wh_job *job)
{
    for (wh_job **p = &d->jobs; *p; p = &(*p)->next) {
        if (*p == job) {
            *p = job->next;
            break;
        }
    }
    d->in_flight--;
}

/* The state machine's step for a finished attempt, then its record. */
static void wh_on_done(void *data, CURL *easy, CURLcode code)
{
    wh_delivery *d = data;
    wh_job *job = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
    long status;
    const char *error;
    wh_outcome out = wh_job_result(job, code, &status, &error);
    wh_next next = wh_step(out, job->attempt);
    d->delivered += next.kind == WH_NEXT_DELIVERED;
    d->retried += next.kind == WH_NEXT_RETRY;
    d->dead += next.kind == WH_NEXT_DEAD;
    wh_record(d, job, status, error, next);
    if (next.kind == WH_NEXT_RETRY)
        ae_timer_add(d->loop, next.retry_ms, wh_wake, d);
    wh_job_unlink(d, job);
    wh_job_free(job);
    wh_claim(d); /* room for more */
}

/* Ends an attempt that cannot be made (the secret cannot be opened). */
static void wh_fail_now(wh_delivery *d, const char *id, int attempt, wh_outcome out)
{
    wh_job job = {.id = (char *)id, .attempt = attempt, .started_ms = ae_now_ms()};
    d->dead++;
    wh_record(d, &job, 0, wh_outcome_label(out), wh_step(out, attempt));
}

static void wh_start(wh_delivery *d, PGresult *res, int row)
{
    const char *id = PQgetvalue(res, row, 0), *sealed = PQgetvalue(res, row, 3);
    int attempt = atoi(PQgetvalue(res, row, 1));
    char *secret = *sealed ? webhook_secret_open(d->cfg->jwt_secret, sealed) : NULL;
    if (*sealed && !secret) {
        wh_fail_now(d, id, attempt, WH_OUT_BAD_SECRET);
        return;
    }
    wh_job *job = wh_job_new(id, attempt, PQgetvalue(res, row, 2), PQgetvalue(res, row, 4), secret,
                             d->s->timeout_s, d->s->deny_private);
    free(secret);
    if (!job)
        return; /* claimed again when the lease ends */
    job->started_ms = ae_now_ms();
    if (!wh_http_add(d->http, job->easy)) {
        wh_job_free(job);
        return;
    }
    job->next = d->jobs;
    d->jobs = job;
    d->in_flight++;
}

/* ------------------------------------------------------------ claiming */

static void wh_on_claimed(void *data, PGresult *res)
{
    wh_delivery *d = data;
    d->claiming = false;
    int rows = res && PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    if (res && PQresultStatus(res) != PGRES_TUPLES_OK)
        log_event("webhooks: claiming failed: %s", PQresultErrorMessage(res));
    for (int i = 0; i < rows; i++)
        wh_start(d, res, i);
    if (d->wake_again || (rows > 0 && d->in_flight < d->s->max_in_flight)) {
        d->wake_again = false;
        wh_claim(d);
    }
}

static void wh_claim(wh_delivery *d)
{
    if (d->claiming) {
        d->wake_again = true;
        return;
    }
    long room = d->s->max_in_flight - d->in_flight;
    if (room <= 0 || !rt_pg_up(d->pg))
        return;
    char limit[32], lease[32];
    snprintf(limit, sizeof limit, "%ld", room < 1000 ? room : 1000);
    snprintf(lease, sizeof lease, "%ld", d->s->timeout_s + WH_LEASE_MARGIN_S);
    const char *params[] = {limit, lease};
    d->claiming = rt_pg_query(d->pg, WH_CLAIM_SQL, 2, params, wh_on_claimed, d);
}

/* ------------------------------------------------------------ the loop */

static void wh_on_notify(void *data, const char *channel, const char *payload)
{
    (void)channel;
    (void)payload;
    wh_claim(data);
}

static void wh_on_command(void *data, PGresult *res)
{
    (void)data;
    if (res && PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        log_event("webhooks: %s", PQresultErrorMessage(res));
}

static void wh_on_state(void *data, bool up, unsigned long generation)
{
    wh_delivery *d = data;
    if (!up) {
        d->claiming = false; /* the claim's answer is lost with the connection */
        return;
    }
    rt_pg_query(d->pg, "set role service_role", 0, NULL, wh_on_command, d);
    rt_pg_query(d->pg, "listen pgstack_webhooks", 0, NULL, wh_on_command, d);
    wh_settle_flush(d);
    wh_claim(d);
    if (generation == 1)
        wh_prune(d);
}

/* Settled deliveries older than WEBHOOK_RETENTION days go. */
static void wh_prune(wh_delivery *d)
{
    char days[32];
    snprintf(days, sizeof days, "%ld", d->s->retention_days);
    const char *params[] = {days};
    rt_pg_query(d->pg, "select pgstack.webhook_prune($1::integer)", 1, params, wh_on_command, d);
}

static long wh_prune_tick(ae_loop *loop, long long id, void *data)
{
    (void)loop;
    (void)id;
    wh_prune(data);
    return WH_PRUNE_MS;
}

static long wh_poll(ae_loop *loop, long long id, void *data)
{
    (void)loop;
    (void)id;
    wh_claim(data);
    return WH_POLL_MS;
}

static void wh_on_stats(void *data, PGresult *res)
{
    wh_delivery *d = data;
    const char *outbox = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                             ? PQgetvalue(res, 0, 0)
                             : "unavailable";
    log_event("webhooks: outbox %s; this daemon: in flight %ld, delivered %lu, retried %lu, "
              "dead %lu since start",
              outbox, d->in_flight, d->delivered, d->retried, d->dead);
}

/* The status line: the outbox's counts (queued, in flight, delivered, dead)
 * and this daemon's. */
static long wh_stats(ae_loop *loop, long long id, void *data)
{
    (void)loop;
    (void)id;
    wh_delivery *d = data;
    if (!rt_pg_query(d->pg, "select pgstack.webhook_stats()::text", 0, NULL, wh_on_stats, d))
        wh_on_stats(d, NULL);
    return WH_STATS_MS;
}

wh_delivery *wh_delivery_new(ae_loop *loop, const pgstack_config *cfg, const webhooks_settings *s,
                             const char *database_url)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    wh_delivery *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->loop = loop;
    d->cfg = cfg;
    d->s = s;
    d->http = wh_http_new(loop, wh_on_done, d);
    rt_pg_callbacks cb = {.notify = wh_on_notify, .state = wh_on_state, .data = d};
    d->pg = rt_pg_new(loop, database_url, "pgstack-realtime webhooks", &cb);
    if (!d->http || !d->pg) {
        wh_delivery_free(d);
        return NULL;
    }
    return d;
}

void wh_delivery_start(wh_delivery *d)
{
    rt_pg_start(d->pg);
    d->poll_timer = ae_timer_add(d->loop, WH_POLL_MS, wh_poll, d);
    d->stats_timer = ae_timer_add(d->loop, WH_STATS_MS, wh_stats, d);
    d->prune_timer = ae_timer_add(d->loop, WH_PRUNE_MS, wh_prune_tick, d);
}

void wh_delivery_free(wh_delivery *d)
{
    if (!d)
        return;
    while (d->jobs) {
        wh_job *job = d->jobs;
        d->jobs = job->next;
        wh_http_remove(d->http, job->easy);
        wh_job_free(job);
    }
    wh_http_free(d->http);
    rt_pg_free(d->pg);
    wh_settle_free_list(d->unsent);
    wh_settle_free_list(d->settling);
    if (d->poll_timer)
        ae_timer_del(d->loop, d->poll_timer);
    if (d->stats_timer)
        ae_timer_del(d->loop, d->stats_timer);
    if (d->prune_timer)
        ae_timer_del(d->loop, d->prune_timer);
    free(d);
    curl_global_cleanup();
}
