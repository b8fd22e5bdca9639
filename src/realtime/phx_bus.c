/* What other daemons publish about Phoenix channels, replayed here:
 * broadcasts ("pb") to this daemon's members (also published by the
 * database: realtime.send, sql/0018_realtime_send.sql, with the message's
 * "id", delivered as the broadcast's meta), presence joins ("pj") and
 * leaves ("pl") as presence_diff; and, when a daemon says hello, this
 * daemon's presence entries announced again. See phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phoenix.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_bus.h"

#include <openssl/evp.h>
#include <string.h>

static const char *phx_bus_str(json_object *msg, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(msg, key, &v) ? json_plain_string(v) : NULL;
}

/* The registry key of a published topic ("pv": a private channel). */
static const char *phx_bus_key(arena *a, json_object *msg, const char *topic)
{
    json_object *v;
    bool priv = json_object_object_get_ex(msg, "pv", &v) && json_object_get_boolean(v);
    return phx_topic_key(a, topic, priv);
}

static void phx_bus_broadcast(rt_context *ctx, json_object *msg, const char *origin)
{
    const char *topic = phx_bus_str(msg, "t"), *event = phx_bus_str(msg, "e");
    const char *p = phx_bus_str(msg, "p");
    json_object *enc;
    if (!topic || !event || !p || !json_object_object_get_ex(msg, "enc", &enc))
        return;
    int encoding = json_object_get_int(enc);
    const uint8_t *payload = (const uint8_t *)p;
    size_t len = strlen(p);
    if (encoding != PHX_ENCODING_JSON) {
        uint8_t *raw = arena_alloc(ctx->work, len + 1);
        int n = EVP_DecodeBlock(raw, (const unsigned char *)p, (int)len);
        if (n < 0)
            return;
        while (len && p[len - 1] == '=') /* EVP_DecodeBlock counts the padding */
            len--, n--;
        payload = raw;
        len = (size_t)n;
    }
    json_object *pv, *id;
    bool priv = json_object_object_get_ex(msg, "pv", &pv) && json_object_get_boolean(pv);
    const char *meta = NULL;
    if (json_object_object_get_ex(msg, "id", &id) && json_plain_string(id)) {
        json_object *m = json_arena_owned(ctx->work, json_object_new_object());
        json_object_object_add(m, "id", json_object_get(id));
        meta = json_text(ctx->work, m);
    }
    phx_broadcast_local(ctx, ctx->work, topic, priv, event, meta, encoding, payload, len, NULL);
    (void)origin;
}

static void phx_bus_presence_join(rt_context *ctx, json_object *msg, const char *origin)
{
    const char *topic = phx_bus_str(msg, "t"), *key = phx_bus_str(msg, "key");
    const char *ref = phx_bus_str(msg, "ref"), *prev = phx_bus_str(msg, "prev");
    json_object *state;
    if (!topic || !key || !ref || !json_object_object_get_ex(msg, "state", &state))
        return;
    arena *a = ctx->work;
    rt_topic *t = rt_topic_get(ctx->topics, phx_bus_key(a, msg, topic));
    json_object *joins = json_arena_owned(a, json_object_new_object());
    rt_presence *old = prev ? rt_presence_take_remote(t, origin, prev) : NULL;
    if (old) { /* the leave first, as for a local re-track */
        json_object *leaves = json_arena_owned(a, json_object_new_object());
        phx_add_meta(leaves, old, NULL);
        phx_send_diff(a, t, topic, joins, leaves);
        joins = json_arena_owned(a, json_object_new_object());
        rt_presence_free(old);
    }
    rt_presence *p = rt_presence_put_remote(t, origin, key, ref, json_text(a, state));
    phx_add_meta(joins, p, prev);
    phx_send_diff(a, t, topic, joins, json_arena_owned(a, json_object_new_object()));
}

static void phx_bus_presence_leave(rt_context *ctx, json_object *msg, const char *origin)
{
    const char *topic = phx_bus_str(msg, "t"), *ref = phx_bus_str(msg, "ref");
    if (!topic || !ref)
        return;
    arena *a = ctx->work;
    rt_topic *t = rt_topic_find(ctx->topics, phx_bus_key(a, msg, topic));
    rt_presence *old = t ? rt_presence_take_remote(t, origin, ref) : NULL;
    if (!old)
        return;
    json_object *leaves = json_arena_owned(a, json_object_new_object());
    phx_add_meta(leaves, old, NULL);
    rt_presence_free(old);
    phx_send_diff(a, t, topic, json_arena_owned(a, json_object_new_object()), leaves);
    rt_topic_release_if_unused(ctx->topics, t);
}

/* Our own entries of one topic, published again as joins. */
static void phx_bus_announce_topic(rt_topic *t, void *data)
{
    rt_context *ctx = data;
    const char *name = rt_topic_name(t);
    bool priv = strncmp(name, PHX_PRIVATE_TOPIC_KEY, strlen(PHX_PRIVATE_TOPIC_KEY)) == 0;
    if (!priv && strncmp(name, PHX_TOPIC_KEY, strlen(PHX_TOPIC_KEY)) != 0)
        return;
    name += priv ? strlen(PHX_PRIVATE_TOPIC_KEY) : strlen(PHX_TOPIC_KEY);
    for (rt_presence *p = rt_presence_list(t); p; p = p->next) {
        if (p->origin)
            continue;
        json_object *m = json_arena_owned(ctx->work, json_object_new_object());
        json_object_object_add(m, "t", json_object_new_string(name));
        if (priv)
            json_object_object_add(m, "pv", json_object_new_boolean(1));
        json_object_object_add(m, "key", json_object_new_string(p->key));
        json_object_object_add(m, "ref", json_object_new_string(p->ref));
        json_object_object_add(m, "state", json_tokener_parse(p->state_json));
        json_object_object_add(m, "prev", NULL);
        rt_bus_publish(ctx, "pj", m);
    }
}

void phoenix_bus_announce(rt_context *ctx)
{
    rt_topics_each(ctx->topics, phx_bus_announce_topic, ctx);
}

void phoenix_bus_register(rt_bus *bus)
{
    rt_bus_register(bus, "pb", phx_bus_broadcast);
    rt_bus_register(bus, "pj", phx_bus_presence_join);
    rt_bus_register(bus, "pl", phx_bus_presence_leave);
}
