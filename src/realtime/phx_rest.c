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

/* Checks one {topic, event, payload, private}; fills the parts. */
static phx_rest_result phx_rest_message(arena *a, json_object *m, const char **topic,
                                        const char **event, const char **payload)
{
    json_object *t, *e, *p, *priv;
    if (!json_object_is_type(m, json_type_object))
        return phx_rest_fail(422, "each message must be an object");
    *topic =
        json_object_object_get_ex(m, "topic", &t) ? phx_rest_topic(a, json_plain_string(t)) : NULL;
    *event = json_object_object_get_ex(m, "event", &e) ? json_plain_string(e) : NULL;
    if (!*topic || !*event || !**event || strlen(*event) > 255)
        return phx_rest_fail(422, "each message needs a topic (1-200 characters) and an event");
    if (json_object_object_get_ex(m, "private", &priv) && json_object_get_boolean(priv))
        return phx_rest_fail(403, "private channels (Realtime Authorization) are not supported "
                                  "by this server yet");
    *payload = json_object_object_get_ex(m, "payload", &p) ? json_text(a, p) : "{}";
    return phx_rest_fail(202, NULL);
}

phx_rest_result phx_rest_broadcast_batch(arena *a, rt_context *ctx, const char *body, size_t len)
{
    json_object *root = json_parse_exact(body, len);
    if (!root)
        return phx_rest_fail(422, "the body must be JSON: {\"messages\": [...]}");
    json_arena_owned(a, root);
    json_object *msgs;
    if (!json_object_object_get_ex(root, "messages", &msgs) ||
        !json_object_is_type(msgs, json_type_array))
        return phx_rest_fail(422, "the body needs a messages list");
    size_t n = json_object_array_length(msgs);
    const char **topics = arena_alloc(a, (n + 1) * sizeof(char *));
    const char **events = arena_alloc(a, (n + 1) * sizeof(char *));
    const char **payloads = arena_alloc(a, (n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) { /* all checked before any is sent */
        phx_rest_result r = phx_rest_message(a, json_object_array_get_idx(msgs, i), &topics[i],
                                             &events[i], &payloads[i]);
        if (r.status != 202)
            return r;
    }
    for (size_t i = 0; i < n; i++)
        phoenix_broadcast(ctx, a, topics[i], events[i], PHX_ENCODING_JSON,
                          (const uint8_t *)payloads[i], strlen(payloads[i]));
    return phx_rest_fail(202, NULL);
}

phx_rest_result phx_rest_broadcast_one(arena *a, rt_context *ctx, const char *topic,
                                       const char *event, bool raw, bool private_topic,
                                       const char *body, size_t len)
{
    const char *full = phx_rest_topic(a, topic);
    if (!full || !event || !*event || strlen(event) > 255)
        return phx_rest_fail(422, "the path needs a topic (1-200 characters) and an event");
    if (private_topic)
        return phx_rest_fail(403, "private channels (Realtime Authorization) are not supported "
                                  "by this server yet");
    if (!raw) {
        json_object *p = json_parse_exact(body, len);
        if (!p)
            return phx_rest_fail(422, "the body must be JSON (or application/octet-stream)");
        json_object_put(p);
    }
    phoenix_broadcast(ctx, a, full, event, raw ? PHX_ENCODING_RAW : PHX_ENCODING_JSON,
                      (const uint8_t *)body, len);
    return phx_rest_fail(202, NULL);
}
