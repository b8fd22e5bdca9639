/* Phoenix channel frames as supabase-js speaks them (see
 * shared/spec/realtime-notes.md §2): vsn 1.0.0 JSON objects, vsn 2.0.0
 * JSON arrays [join_ref, ref, topic, event, payload], and the 2.0.0 binary
 * broadcast frames (kind 3 from the client, kind 4 to it). Pure data: no
 * sockets, no channels. */
#ifndef PGSTACK_PHX_FRAME_H
#define PGSTACK_PHX_FRAME_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { PHX_VSN_1, PHX_VSN_2 } phx_vsn;

#define PHX_ENCODING_RAW 0
#define PHX_ENCODING_JSON 1

typedef struct phx_msg {
    const char *join_ref; /* NULL when null */
    const char *ref;
    const char *topic;
    const char *event;
    json_object *payload; /* owned by the arena; NULL for binary broadcasts */
    /* kind-3 binary broadcast push */
    bool binary_broadcast;
    const char *user_event;
    const uint8_t *user_payload;
    size_t user_payload_len;
    int encoding; /* PHX_ENCODING_* */
} phx_msg;

/* Decodes a frame; false with *why on anything malformed. */
bool phx_decode(arena *a, phx_vsn vsn, bool binary, const uint8_t *data, size_t len, phx_msg *out,
                const char **why);

/* Encodes a text frame; payload_json is JSON text. */
const char *phx_encode(arena *a, phx_vsn vsn, const char *join_ref, const char *ref,
                       const char *topic, const char *event, const char *payload_json);

/* Encodes a kind-4 binary broadcast (vsn 2.0.0 only); NULL when a field is
 * longer than 255 bytes. */
uint8_t *phx_encode_broadcast(arena *a, const char *topic, const char *user_event,
                              const char *meta_json, int encoding, const uint8_t *payload,
                              size_t payload_len, size_t *out_len);

#endif
