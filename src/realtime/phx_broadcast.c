/* Phoenix broadcast: text and kind-3 binary pushes, delivered to every
 * member of the topic (the sender only with self), each in its own
 * serializer, encoded once per serializer; ack replies. See phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phoenix.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_bus.h"

#include <openssl/evp.h>

#include <string.h>

/* One broadcast, encoded once per serializer. */
typedef struct phx_broadcast {
    const char *topic;
    const char *event;
    const char *meta_json; /* NULL, or {"id":...} */
    int encoding;
    const uint8_t *payload;
    size_t payload_len;
    const char *v1_text; /* NULL for raw payloads: a 1.0.0 socket cannot get them */
    const uint8_t *v2_bin;
    size_t v2_len;
} phx_broadcast;

static void phx_broadcast_encode(arena *a, phx_broadcast *b)
{
    b->v2_bin = phx_encode_broadcast(a, b->topic, b->event, b->meta_json, b->encoding, b->payload,
                                     b->payload_len, &b->v2_len);
    if (b->encoding != PHX_ENCODING_JSON)
        return;
    json_object *ev = json_arena_owned(a, json_object_new_string(b->event));
    const char *meta = b->meta_json ? arena_printf(a, ",\"meta\":%s", b->meta_json) : "";
    const char *payload =
        arena_printf(a, "{\"type\":\"broadcast\",\"event\":%s,\"payload\":%.*s%s}",
                     json_text(a, ev), (int)b->payload_len, (const char *)b->payload, meta);
    b->v1_text = phx_encode(a, PHX_VSN_1, NULL, NULL, b->topic, "broadcast", payload);
}

static void phx_broadcast_deliver(phx_channel *to, const phx_broadcast *b)
{
    rt_client *c = to->client;
    if (!phx_channel_may(to, PHX_AUTHZ_READ_BROADCAST))
        return;
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

bool phx_broadcast_local(rt_context *ctx, arena *a, const char *topic, bool priv, const char *event,
                         const char *meta_json, int encoding, const uint8_t *payload, size_t len,
                         const phx_channel *except)
{
    phx_broadcast b = {.topic = topic,
                       .event = event,
                       .meta_json = meta_json,
                       .encoding = encoding,
                       .payload = payload,
                       .payload_len = len};
    phx_broadcast_encode(a, &b);
    if (!b.v2_bin)
        return false;
    rt_topic *t = rt_topic_find(ctx->topics, phx_topic_key(a, topic, priv));
    for (rt_member *mb = t ? rt_topic_members(t) : NULL; mb; mb = mb->next)
        if (mb->owner != except)
            phx_broadcast_deliver(mb->owner, &b);
    return true;
}

/* Tells the other daemons ("pb"); raw payloads travel in base64. */
static void phx_broadcast_publish(rt_context *ctx, arena *a, const char *topic, bool priv,
                                  const char *event, int encoding, const uint8_t *payload,
                                  size_t len)
{
    json_object *m = json_arena_owned(a, json_object_new_object());
    json_object_object_add(m, "t", json_object_new_string(topic));
    if (priv)
        json_object_object_add(m, "pv", json_object_new_boolean(1));
    json_object_object_add(m, "e", json_object_new_string(event));
    json_object_object_add(m, "enc", json_object_new_int(encoding));
    if (encoding == PHX_ENCODING_JSON) {
        json_object_object_add(m, "p", json_object_new_string_len((const char *)payload, (int)len));
    } else {
        char *b64 = arena_alloc(a, 4 * ((len + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)b64, payload, (int)len);
        json_object_object_add(m, "p", json_object_new_string(b64));
    }
    rt_bus_publish(ctx, "pb", m);
}

void phx_on_broadcast(rt_client *c, phx_channel *ch, const phx_msg *m)
{
    phx_broadcast b = {.topic = ch->topic};
    if (!phx_channel_may(ch, PHX_AUTHZ_WRITE_BROADCAST)) {
        phx_reply_error(c, m,
                        arena_printf(c->msg_arena,
                                     "Unauthorized: You do not have permissions to write to "
                                     "this Channel topic: %s",
                                     ch->topic + strlen("realtime:")));
        return;
    }
    if (m->binary_broadcast) {
        b.event = m->user_event;
        b.encoding = m->encoding;
        b.payload = m->user_payload;
        b.payload_len = m->user_payload_len;
    } else if (!phx_broadcast_from_text(c->msg_arena, m, &b)) {
        phx_reply_error(c, m, "broadcast needs {type, event, payload}");
        return;
    }
    if (!phx_broadcast_local(c->ctx, c->msg_arena, ch->topic, ch->is_private, b.event, NULL,
                             b.encoding, b.payload, b.payload_len, ch->self ? NULL : ch)) {
        phx_reply_error(c, m, "broadcast topic or event longer than 255 bytes");
        return;
    }
    phx_broadcast_publish(c->ctx, c->msg_arena, ch->topic, ch->is_private, b.event, b.encoding,
                          b.payload, b.payload_len);
    if (ch->ack)
        phx_reply(c, m, "ok", "{}");
}

bool phoenix_broadcast(rt_context *ctx, arena *a, const char *topic, bool priv, const char *event,
                       int encoding, const uint8_t *payload, size_t len)
{
    if (!phx_broadcast_local(ctx, a, topic, priv, event, NULL, encoding, payload, len, NULL))
        return false;
    phx_broadcast_publish(ctx, a, topic, priv, event, encoding, payload, len);
    return true;
}
