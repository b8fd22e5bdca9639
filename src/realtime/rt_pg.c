/* An event-loop driven PostgreSQL connection; see rt_pg.h. */
#include "realtime/rt_pg.h"

#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#define RT_PG_RETRY_MS 1000
#define RT_PG_MAX_PARAMS 8

typedef struct rt_pg_job {
    char *sql;
    int nparams;
    char *values[RT_PG_MAX_PARAMS];
    rt_pg_result_fn *fn;
    void *data;
    struct rt_pg_job *next;
} rt_pg_job;

typedef enum { RT_PG_DOWN, RT_PG_CONNECTING, RT_PG_READY } rt_pg_phase;

struct rt_pg {
    ae_loop *loop;
    char *url, *application_name;
    rt_pg_callbacks cb;
    PGconn *conn;
    int fd;
    rt_pg_phase phase;
    unsigned long generation;
    rt_pg_job *head, *tail;
    bool in_flight;
    long long retry_timer;
};

static void rt_pg_event(ae_loop *loop, int fd, void *data, int mask);
static void rt_pg_connect(rt_pg *pg);

static void rt_pg_job_free(rt_pg_job *j)
{
    free(j->sql);
    for (int i = 0; i < j->nparams; i++)
        free(j->values[i]);
    free(j);
}

static void rt_pg_watch(rt_pg *pg, int mask)
{
    int fd = PQsocket(pg->conn);
    if (pg->fd >= 0 && pg->fd != fd)
        ae_file_del(pg->loop, pg->fd, AE_READABLE | AE_WRITABLE);
    pg->fd = fd;
    if (fd < 0)
        return;
    ae_file_del(pg->loop, fd, (AE_READABLE | AE_WRITABLE) & ~mask);
    ae_file_add(pg->loop, fd, mask, rt_pg_event, pg);
}

static long rt_pg_retry(ae_loop *loop, long long id, void *data)
{
    rt_pg *pg = data;
    pg->retry_timer = 0;
    rt_pg_connect(pg);
    (void)loop;
    (void)id;
    return AE_TIMER_DONE;
}

/* The connection is gone: fail queued queries, tell the owner, retry. */
static void rt_pg_lost(rt_pg *pg)
{
    bool was_up = pg->phase == RT_PG_READY;
    if (pg->fd >= 0)
        ae_file_del(pg->loop, pg->fd, AE_READABLE | AE_WRITABLE);
    pg->fd = -1;
    if (pg->conn) {
        if (was_up)
            log_event("database connection %s lost: %s", pg->application_name,
                      PQerrorMessage(pg->conn));
        PQfinish(pg->conn);
    }
    pg->conn = NULL;
    pg->phase = RT_PG_DOWN;
    pg->in_flight = false;
    while (pg->head) {
        rt_pg_job *j = pg->head;
        pg->head = j->next;
        j->fn(j->data, NULL);
        rt_pg_job_free(j);
    }
    pg->tail = NULL;
    if (was_up && pg->cb.state)
        pg->cb.state(pg->cb.data, false, pg->generation);
    if (!pg->retry_timer)
        pg->retry_timer = ae_timer_add(pg->loop, RT_PG_RETRY_MS, rt_pg_retry, pg);
}

static void rt_pg_send_next(rt_pg *pg)
{
    if (pg->in_flight || !pg->head || pg->phase != RT_PG_READY)
        return;
    rt_pg_job *j = pg->head;
    if (!PQsendQueryParams(pg->conn, j->sql, j->nparams, NULL, (const char *const *)j->values, NULL,
                           NULL, 0)) {
        rt_pg_lost(pg);
        return;
    }
    pg->in_flight = true;
    int flushed = PQflush(pg->conn);
    rt_pg_watch(pg, flushed == 1 ? AE_READABLE | AE_WRITABLE : AE_READABLE);
}

static void rt_pg_ready(rt_pg *pg)
{
    pg->phase = RT_PG_READY;
    pg->generation++;
    PQsetnonblocking(pg->conn, 1);
    rt_pg_watch(pg, AE_READABLE);
    log_event("database connection %s ready (connect #%lu)", pg->application_name, pg->generation);
    if (pg->cb.state)
        pg->cb.state(pg->cb.data, true, pg->generation);
    rt_pg_send_next(pg);
}

static void rt_pg_poll_connect(rt_pg *pg)
{
    switch (PQconnectPoll(pg->conn)) {
    case PGRES_POLLING_READING:
        rt_pg_watch(pg, AE_READABLE);
        break;
    case PGRES_POLLING_WRITING:
        rt_pg_watch(pg, AE_WRITABLE);
        break;
    case PGRES_POLLING_OK:
        rt_pg_ready(pg);
        break;
    default:
        rt_pg_lost(pg);
        break;
    }
}

static void rt_pg_connect(rt_pg *pg)
{
    const char *keys[] = {"dbname", "application_name", "client_encoding", NULL};
    const char *values[] = {pg->url, pg->application_name, "UTF8", NULL};
    pg->conn = PQconnectStartParams(keys, values, 1);
    pg->fd = -1;
    if (!pg->conn || PQstatus(pg->conn) == CONNECTION_BAD) {
        rt_pg_lost(pg);
        return;
    }
    pg->phase = RT_PG_CONNECTING;
    rt_pg_watch(pg, AE_WRITABLE);
}

/* Results of the query in flight, then notifications. */
static void rt_pg_drain(rt_pg *pg)
{
    while (pg->in_flight && !PQisBusy(pg->conn)) {
        PGresult *res = PQgetResult(pg->conn);
        if (!res) { /* the query is complete */
            rt_pg_job *j = pg->head;
            pg->head = j->next;
            if (!pg->head)
                pg->tail = NULL;
            pg->in_flight = false;
            rt_pg_job_free(j);
            rt_pg_send_next(pg);
            break;
        }
        pg->head->fn(pg->head->data, res);
        PQclear(res);
    }
    PGnotify *n;
    while (pg->conn && (n = PQnotifies(pg->conn)) != NULL) {
        if (pg->cb.notify)
            pg->cb.notify(pg->cb.data, n->relname, n->extra);
        PQfreemem(n);
    }
}

static void rt_pg_event(ae_loop *loop, int fd, void *data, int mask)
{
    rt_pg *pg = data;
    (void)loop;
    (void)fd;
    if (pg->phase == RT_PG_CONNECTING) {
        rt_pg_poll_connect(pg);
        return;
    }
    if (pg->phase != RT_PG_READY)
        return;
    if (mask & AE_WRITABLE) {
        int r = PQflush(pg->conn);
        if (r < 0) {
            rt_pg_lost(pg);
            return;
        }
        if (r == 0)
            ae_file_del(pg->loop, pg->fd, AE_WRITABLE);
    }
    if (mask & AE_READABLE) {
        if (!PQconsumeInput(pg->conn) || PQstatus(pg->conn) != CONNECTION_OK) {
            rt_pg_lost(pg);
            return;
        }
        rt_pg_drain(pg);
    }
}

rt_pg *rt_pg_new(ae_loop *loop, const char *url, const char *application_name,
                 const rt_pg_callbacks *cb)
{
    rt_pg *pg = calloc(1, sizeof(*pg));
    if (!pg)
        return NULL;
    pg->loop = loop;
    pg->url = strdup(url);
    pg->application_name = strdup(application_name);
    pg->cb = *cb;
    pg->fd = -1;
    return pg;
}

void rt_pg_start(rt_pg *pg)
{
    rt_pg_connect(pg);
}

bool rt_pg_up(const rt_pg *pg)
{
    return pg->phase == RT_PG_READY;
}

bool rt_pg_query(rt_pg *pg, const char *sql, int nparams, const char *const *values,
                 rt_pg_result_fn *fn, void *data)
{
    if (pg->phase != RT_PG_READY || nparams > RT_PG_MAX_PARAMS)
        return false;
    rt_pg_job *j = calloc(1, sizeof(*j));
    j->sql = strdup(sql);
    j->nparams = nparams;
    for (int i = 0; i < nparams; i++)
        j->values[i] = values[i] ? strdup(values[i]) : NULL;
    j->fn = fn;
    j->data = data;
    if (pg->tail)
        pg->tail->next = j;
    else
        pg->head = j;
    pg->tail = j;
    rt_pg_send_next(pg);
    return true;
}

void rt_pg_free(rt_pg *pg)
{
    if (!pg)
        return;
    if (pg->retry_timer)
        ae_timer_del(pg->loop, pg->retry_timer);
    if (pg->fd >= 0)
        ae_file_del(pg->loop, pg->fd, AE_READABLE | AE_WRITABLE);
    while (pg->head) {
        rt_pg_job *j = pg->head;
        pg->head = j->next;
        rt_pg_job_free(j);
    }
    if (pg->conn)
        PQfinish(pg->conn);
    free(pg->url);
    free(pg->application_name);
    free(pg);
}
