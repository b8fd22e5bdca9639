/* Supabase's REST broadcast, as supabase-js sends it without a socket
 * (realtime-notes.md §5): POST /realtime/v1/api/broadcast with
 * {"messages": [{topic, event, payload, private}]}, and
 * POST /realtime/v1/api/broadcast/{topic}/events/{event} with the payload
 * as the body (JSON, or raw bytes as application/octet-stream). 202 on
 * success; 422 for a bad body; private topics are refused (403) until
 * Realtime Authorization exists. */
#ifndef PGSTACK_PHX_REST_H
#define PGSTACK_PHX_REST_H

#include "core/arena.h"
#include "realtime/rt_context.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct phx_rest_result {
    int status;        /* 202, 403, 422 */
    const char *error; /* for the JSON error body */
} phx_rest_result;

phx_rest_result phx_rest_broadcast_batch(arena *a, rt_context *ctx, const char *body, size_t len);

phx_rest_result phx_rest_broadcast_one(arena *a, rt_context *ctx, const char *topic,
                                       const char *event, bool raw, bool private_topic,
                                       const char *body, size_t len);

#endif
