/* A PostgreSQL connection driven by the event loop (libpq's asynchronous
 * API): connects without blocking, reconnects by itself one second after a
 * loss, delivers notifications (LISTEN), and runs queued queries one at a
 * time with a callback each. Who uses it decides what to LISTEN to and
 * what to re-sync when the connection comes back (the state callback
 * carries a generation count, as db_conn_generation does for workers). */
#ifndef PGSTACK_RT_PG_H
#define PGSTACK_RT_PG_H

#include "realtime/ae.h"

#include <libpq-fe.h>
#include <stdbool.h>

typedef struct rt_pg rt_pg;

/* res is NULL when the connection was lost before the answer. */
typedef void rt_pg_result_fn(void *data, PGresult *res);
typedef void rt_pg_notify_fn(void *data, const char *channel, const char *payload);
/* up: connected (generation counts connects from 1) or lost. */
typedef void rt_pg_state_fn(void *data, bool up, unsigned long generation);

typedef struct rt_pg_callbacks {
    rt_pg_notify_fn *notify;
    rt_pg_state_fn *state;
    void *data;
} rt_pg_callbacks;

rt_pg *rt_pg_new(ae_loop *loop, const char *url, const char *application_name,
                 const rt_pg_callbacks *cb);
void rt_pg_free(rt_pg *pg);
void rt_pg_start(rt_pg *pg);
bool rt_pg_up(const rt_pg *pg);

/* Queues a query with text parameters; fn runs with its result (the
 * PGresult is freed after fn returns). false: the connection is down. */
bool rt_pg_query(rt_pg *pg, const char *sql, int nparams, const char *const *values,
                 rt_pg_result_fn *fn, void *data);

#endif
