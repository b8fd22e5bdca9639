/* postgres_changes in the daemon (the capture is sql/0012_realtime_changes.sql):
 * the channels that asked for changes, each with its bindings and its
 * credentials; on NOTIFY pgchanges the changes committed after the cursor
 * are read in commit order (pgchanges.read on the LISTEN connection), each
 * distinct claim set among the interested channels gets the batch narrowed
 * by its own row-level security (one pgchanges.visible_for call per claim
 * set on the RLS connection, the one live queries use, in order), and every
 * channel gets the changes its bindings match, with `ids` naming those
 * bindings. After the LISTEN connection comes back, the cursor continues
 * where it was and every channel gets a system message. Knows nothing of
 * sockets or Phoenix: a channel is an opaque owner with a deliver callback. */
#ifndef PGSTACK_PGCHANGES_H
#define PGSTACK_PGCHANGES_H

#include "realtime/ae.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct pgchanges pgchanges;

/* event is "postgres_changes" or "system"; payload is JSON text. */
typedef void pgchanges_deliver_fn(void *owner, const char *event, const char *payload_json);

/* Uses the LISTEN and RLS connections of live (livequery_share). batch:
 * most changes read per query. */
pgchanges *pgchanges_new(rt_context *ctx, ae_loop *loop, struct livequery *live, long batch);
void pgchanges_free(pgchanges *pc);

/* A channel asks for changes: bindings is the join reply's list (each with
 * its id); auth stays owned by the channel and is read at every delivery
 * (access_token pushes change it). channel_name goes into system messages.
 * Every binding then gets a system message: subscribed, or why not. */
void pgchanges_subscribe(pgchanges *pc, void *owner, const rt_auth *auth, const char *channel_name,
                         json_object *bindings, pgchanges_deliver_fn *deliver);
/* The channel's token changed (its role may have): its bindings are asked
 * about again, and a binding whose answer changes gets a system message. */
void pgchanges_recheck(pgchanges *pc, void *owner);
/* The channel is gone (no-op when it never subscribed). */
void pgchanges_unsubscribe(pgchanges *pc, void *owner);

/* The system message payload {extension, status, message, channel}. */
const char *pgchanges_system(arena *a, const char *status, const char *message,
                             const char *channel_name);

#endif
