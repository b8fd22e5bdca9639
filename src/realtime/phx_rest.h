/* Supabase's REST broadcast, as supabase-js sends it without a socket
 * (realtime-notes.md §5): POST /realtime/v1/api/broadcast with
 * {"messages": [{topic, event, payload, private}]}, and
 * POST /realtime/v1/api/broadcast/{topic}/events/{event}[?private=true]
 * with the payload as the body (JSON, or raw bytes as
 * application/octet-stream). 202 on success; 422 for a bad body. Messages
 * to private topics need the caller's RLS to allow INSERT on
 * realtime.messages for the topic (phx_authz.h): the answer then comes
 * later, through the caller's done function (403 naming a refused topic,
 * nothing sent; 503 when the check cannot run). */
#ifndef PGSTACK_PHX_REST_H
#define PGSTACK_PHX_REST_H

#include "core/arena.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct phx_rest_result {
    int status;        /* 202, 403, 422, 503; 0: the answer comes through done */
    const char *error; /* for the JSON error body */
} phx_rest_result;

typedef struct phx_rest_wait phx_rest_wait;
typedef void phx_rest_done_fn(void *data, phx_rest_result r);

/* Who sends, and where a delayed answer goes. */
typedef struct phx_rest_caller {
    const rt_auth *auth;
    phx_rest_done_fn *done;
    void *data;
    phx_rest_wait *wait; /* set when status 0 is returned */
} phx_rest_caller;

/* One message, checked. */
typedef struct phx_rest_msg {
    const char *topic; /* "realtime:room1" */
    const char *event;
    const uint8_t *payload;
    size_t len;
    int encoding; /* PHX_ENCODING_* */
    bool priv;
} phx_rest_msg;

phx_rest_result phx_rest_broadcast_batch(arena *a, rt_context *ctx, phx_rest_caller *who,
                                         const char *body, size_t len);

phx_rest_result phx_rest_broadcast_one(arena *a, rt_context *ctx, phx_rest_caller *who,
                                       const char *topic, const char *event, bool raw,
                                       bool private_topic, const char *body, size_t len);

/* Messages with private topics (phx_rest_private.c): starts their checks
 * and returns status 0 (who->wait set), or an error at once. */
phx_rest_result phx_rest_private_start(rt_context *ctx, phx_rest_caller *who,
                                       const phx_rest_msg *msgs, size_t n);
/* The caller is gone: done will not run. */
void phx_rest_cancel(phx_rest_wait *w);

#endif
