/* Live queries (the pgr schema, sql/0008_realtime.sql) as the daemon
 * serves them: the registry of queries (loaded on the LISTEN connection and
 * reloaded on NOTIFY pgr_meta), the NOTIFY pgr messages fanned out to the
 * subscribers of /ws/{query_id}, each subscriber's rows narrowed by its own
 * row-level security (one pgr.visible_for call per distinct claim set, on a
 * second connection, in order), and the re-sync after the LISTEN
 * connection comes back (an overflow with fetch: true to every
 * subscriber). Knows nothing of sockets: subscribers are the rt_client
 * members of topic "ws:<query_id>". */
#ifndef PGSTACK_LIVEQUERY_H
#define PGSTACK_LIVEQUERY_H

#include "realtime/ae.h"
#include "realtime/rt_context.h"
#include "realtime/rt_pg.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct livequery livequery;

typedef enum { LQ_FOUND, LQ_UNKNOWN, LQ_UNAVAILABLE } lq_lookup;

livequery *livequery_new(ae_loop *loop, rt_context *ctx, const char *database_url);
void livequery_free(livequery *lq);
void livequery_start(livequery *lq);

/* Shares the LISTEN connection (also gets the notifications live queries
 * do not handle and every state change) and the RLS connection (queries
 * queued there run in order with the live queries' checks). */
void livequery_share(livequery *lq, const rt_pg_callbacks *also, rt_pg **listen, rt_pg **check);

/* NOTIFY realtime_bus on the LISTEN connection (an rt_bus sender; data is
 * the livequery). false when the connection is down. */
bool livequery_notify(void *data, const char *payload);

/* Is query_id registered? *audience_json ("" when none) and *seq are the
 * registry's. LQ_UNAVAILABLE: the registry could not be read. */
lq_lookup livequery_lookup(livequery *lq, const char *query_id, const char **audience_json,
                           long long *seq);

/* The audience rule: claims must contain the audience (jsonb @>) and an
 * anon caller never satisfies one. */
bool livequery_audience_ok(const char *audience_json, json_object *claims, const char *role);

#endif
