/* Phoenix broadcast: text and kind-3 binary pushes, delivered to every
 * member of the topic (the sender only with self), each in its own
 * serializer, encoded once per serializer; ack replies. See phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phoenix.h"
#include "realtime/phx_internal.h"

#include <string.h>

/* One broadcast, encoded once per serializer. */
typedef struct phx_broadcast {
    const char *topic;
    const char *event;
    int encoding;
    const uint8_t *payload;
    size_t payload_len;
    const char *v1_text; /* NULL for raw payloads: a 1.0.0 socket cannot get them */
    const uint8_t *v2_bin;
    size_t v2_len;
} phx_broadcast;

static void phx_broadcast_encode(arena *a, phx_broadcast *b)
{
    b->v2_bin = phx_encode_broadcast(a, b->topic, b->event, NULL, b->encoding, b->payload,
                                     b->payload_len, &b->v2_len);
    if (b->encoding != PHX_ENCODING_JSON)
        return;
    json_object *ev = json_arena_owned(a, json_object_new_string(b->event));
    const char *payload =
        arena_printf(a, "{\"type\":\"broadcast\",\"event\":%s,\"payload\":%.*s}", json_text(a, ev),
                     (int)b->payload_len, (const char *)b->payload);
    b->v1_text = phx_encode(a, PHX_VSN_1, NULL, NULL, b->topic, "broadcast", payload);
}

static void phx_broadcast_deliver(phx_channel *to, const phx_broadcast *b)
{
    rt_client *c = to->client;
    if (phx_socket_of(c)->vsn == PHX_VSN_2 && b->v2_bin)
        rt_client_send(c, true, b->v2_bin, b->v2_len);
    else if (b->v1_text)
        rt_client_send(c, false, b->v1_text, strlen(b->v1_text));
}

/* The broadcast's event and payload from a text frame's
 * {type:"broadcast", event, payload}; false when malformed. */
static bool phx_broadcast_from_text(arena *a, const phx_msg *m, phx_broadcast *b)
{
    json_object *ev, *payload;
    if (!json_object_object_get_ex(m->payload, "event", &ev) || !json_plain_string(ev))
        return false;
    b->event = json_plain_string(ev);
    if (!json_object_object_get_ex(m->payload, "payload", &payload))
        payload = NULL;
    const char *text = payload ? json_text(a, payload) : "{}";
    b->payload = (const uint8_t *)text;
    b->payload_len = strlen(text);
    b->encoding = PHX_ENCODING_JSON;
    return true;
}

void phx_on_broadcast(rt_client *c, phx_channel *ch, const phx_msg *m)
{
    phx_broadcast b = {.topic = ch->topic};
    if (m->binary_broadcast) {
        b.event = m->user_event;
        b.encoding = m->encoding;
        b.payload = m->user_payload;
        b.payload_len = m->user_payload_len;
    } else if (!phx_broadcast_from_text(c->msg_arena, m, &b)) {
        phx_reply_error(c, m, "broadcast needs {type, event, payload}");
        return;
    }
    phx_broadcast_encode(c->msg_arena, &b);
    if (!b.v2_bin) {
        phx_reply_error(c, m, "broadcast topic or event longer than 255 bytes");
        return;
    }
    for (rt_member *mb = rt_topic_members(ch->member.topic); mb; mb = mb->next) {
        phx_channel *to = mb->owner;
        if (to != ch || ch->self)
            phx_broadcast_deliver(to, &b);
    }
    if (ch->ack)
        phx_reply(c, m, "ok", "{}");
}

bool phoenix_broadcast(rt_context *ctx, arena *a, const char *topic, const char *event,
                       int encoding, const uint8_t *payload, size_t len)
{
    phx_broadcast b = {.topic = topic,
                       .event = event,
                       .encoding = encoding,
                       .payload = payload,
                       .payload_len = len};
    phx_broadcast_encode(a, &b);
    if (!b.v2_bin)
        return false;
    rt_topic *t = rt_topic_find(ctx->topics, arena_printf(a, PHX_TOPIC_KEY "%s", topic));
    for (rt_member *mb = t ? rt_topic_members(t) : NULL; mb; mb = mb->next)
        phx_broadcast_deliver(mb->owner, &b);
    return true;
}
