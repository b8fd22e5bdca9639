/* REST broadcast; see phx_rest.h. */
#include "realtime/phx_rest.h"

#include "core/json_text.h"
#include "realtime/phoenix.h"

#include <string.h>

static phx_rest_result phx_rest_fail(int status, const char *error)
{
    return (phx_rest_result){status, error};
}

/* A sub-topic as the client names it ("room1"), made a Phoenix topic. */
static const char *phx_rest_topic(arena *a, const char *topic)
{
    if (!topic || !*topic || strlen(topic) > 200)
        return NULL;
    return arena_printf(a, "realtime:%s", topic);
}

/* Checks one {topic, event, payload, private}; fills out. */
static phx_rest_result phx_rest_message(arena *a, json_object *m, phx_rest_msg *out)
{
    json_object *t, *e, *p, *priv;
    if (!json_object_is_type(m, json_type_object))
        return phx_rest_fail(422, "each message must be an object");
    out->topic =
        json_object_object_get_ex(m, "topic", &t) ? phx_rest_topic(a, json_plain_string(t)) : NULL;
    out->event = json_object_object_get_ex(m, "event", &e) ? json_plain_string(e) : NULL;
    if (!out->topic || !out->event || !*out->event || strlen(out->event) > 255)
        return phx_rest_fail(422, "each message needs a topic (1-200 characters) and an event");
    out->priv = json_object_object_get_ex(m, "private", &priv) && json_object_get_boolean(priv);
    const char *payload = json_object_object_get_ex(m, "payload", &p) ? json_text(a, p) : "{}";
    out->payload = (const uint8_t *)payload;
    out->len = strlen(payload);
    out->encoding = PHX_ENCODING_JSON;
    return phx_rest_fail(202, NULL);
}

/* Sends checked messages, or starts the checks of private ones first. */
static phx_rest_result phx_rest_send(arena *a, rt_context *ctx, phx_rest_caller *who,
                                     const phx_rest_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (msgs[i].priv)
            return phx_rest_private_start(ctx, who, msgs, n);
    for (size_t i = 0; i < n; i++)
        phoenix_broadcast(ctx, a, msgs[i].topic, false, msgs[i].event, msgs[i].encoding,
                          msgs[i].payload, msgs[i].len);
    return phx_rest_fail(202, NULL);
}

phx_rest_result phx_rest_broadcast_batch(arena *a, rt_context *ctx, phx_rest_caller *who,
                                         const char *body, size_t len)
{
    json_object *root = json_parse_exact(body, len);
    if (!root)
        return phx_rest_fail(422, "the body must be JSON: {\"messages\": [...]}");
    json_arena_owned(a, root);
    json_object *list;
    if (!json_object_object_get_ex(root, "messages", &list) ||
        !json_object_is_type(list, json_type_array))
        return phx_rest_fail(422, "the body needs a messages list");
    size_t n = json_object_array_length(list);
    phx_rest_msg *msgs = arena_alloc(a, (n + 1) * sizeof(*msgs));
    for (size_t i = 0; i < n; i++) { /* all checked before any is sent */
        phx_rest_result r = phx_rest_message(a, json_object_array_get_idx(list, i), &msgs[i]);
        if (r.status != 202)
            return r;
    }
    return phx_rest_send(a, ctx, who, msgs, n);
}

phx_rest_result phx_rest_broadcast_one(arena *a, rt_context *ctx, phx_rest_caller *who,
                                       const char *topic, const char *event, bool raw,
                                       bool private_topic, const char *body, size_t len)
{
    const char *full = phx_rest_topic(a, topic);
    if (!full || !event || !*event || strlen(event) > 255)
        return phx_rest_fail(422, "the path needs a topic (1-200 characters) and an event");
    if (!raw) {
        json_object *p = json_parse_exact(body, len);
        if (!p)
            return phx_rest_fail(422, "the body must be JSON (or application/octet-stream)");
        json_object_put(p);
    }
    phx_rest_msg m = {.topic = full,
                      .event = event,
                      .payload = (const uint8_t *)body,
                      .len = len,
                      .encoding = raw ? PHX_ENCODING_RAW : PHX_ENCODING_JSON,
                      .priv = private_topic};
    return phx_rest_send(a, ctx, who, &m, 1);
}
