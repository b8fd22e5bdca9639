/* What other daemons publish about /ws channels, replayed here: presence
 * joins ("wj"), state updates ("ws") and leaves ("wl") of their clients,
 * and broadcasts ("wb"), to this daemon's members of the channel; and this
 * daemon's clients announced again when a daemon says hello. See
 * livews.h. */
#include "core/json_text.h"
#include "realtime/livews.h"
#include "realtime/rt_bus.h"

#include <string.h>

#define LIVEWS_BUS_TOPIC(a, name) arena_printf((a), "ws:%s", (name))

static const char *livews_bus_str(json_object *msg, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(msg, key, &v) ? json_plain_string(v) : NULL;
}

static void livews_bus_send(rt_topic *t, json_object *o, arena *a)
{
    const char *text = json_text(a, o);
    for (rt_member *m = t ? rt_topic_members(t) : NULL; m; m = m->next)
        rt_client_send(m->owner, false, text, strlen(text));
}

/* {"type": type, "channel": name, "client_id": id [, "state": state]} */
static json_object *livews_bus_msg(arena *a, const char *type, const char *name, const char *id,
                                   json_object *state)
{
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "channel", json_object_new_string(name));
    json_object_object_add(o, "client_id", json_object_new_string(id));
    if (state)
        json_object_object_add(o, "state", json_object_get(state));
    return o;
}

static void livews_bus_presence(rt_context *ctx, json_object *msg, const char *origin,
                                const char *type)
{
    const char *name = livews_bus_str(msg, "t"), *id = livews_bus_str(msg, "id");
    json_object *state;
    if (!name || !id || !json_object_object_get_ex(msg, "state", &state))
        return;
    arena *a = ctx->work;
    rt_topic *t = rt_topic_get(ctx->topics, LIVEWS_BUS_TOPIC(a, name));
    rt_presence_put_remote(t, origin, id, id, json_text(a, state));
    livews_bus_send(t, livews_bus_msg(a, type, name, id, state), a);
}

static void livews_bus_join(rt_context *ctx, json_object *msg, const char *origin)
{
    livews_bus_presence(ctx, msg, origin, "presence_join");
}

static void livews_bus_state(rt_context *ctx, json_object *msg, const char *origin)
{
    livews_bus_presence(ctx, msg, origin, "presence_state");
}

static void livews_bus_leave(rt_context *ctx, json_object *msg, const char *origin)
{
    const char *name = livews_bus_str(msg, "t"), *id = livews_bus_str(msg, "id");
    if (!name || !id)
        return;
    arena *a = ctx->work;
    rt_topic *t = rt_topic_find(ctx->topics, LIVEWS_BUS_TOPIC(a, name));
    rt_presence *old = t ? rt_presence_take_remote(t, origin, id) : NULL;
    if (!old)
        return;
    rt_presence_free(old);
    livews_bus_send(t, livews_bus_msg(a, "presence_leave", name, id, NULL), a);
    rt_topic_release_if_unused(ctx->topics, t);
}

static void livews_bus_broadcast(rt_context *ctx, json_object *msg, const char *origin)
{
    const char *name = livews_bus_str(msg, "t"), *id = livews_bus_str(msg, "id");
    json_object *payload = NULL;
    if (!name || !id)
        return;
    json_object_object_get_ex(msg, "payload", &payload);
    arena *a = ctx->work;
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string("broadcast"));
    json_object_object_add(o, "from", json_object_new_string(id));
    json_object_object_add(o, "payload", json_object_get(payload));
    livews_bus_send(rt_topic_find(ctx->topics, LIVEWS_BUS_TOPIC(a, name)), o, a);
    (void)origin;
}

static void livews_bus_announce_topic(rt_topic *t, void *data)
{
    rt_context *ctx = data;
    const char *name = rt_topic_name(t);
    if (strncmp(name, "ws:", 3) != 0)
        return;
    for (rt_presence *p = rt_presence_list(t); p; p = p->next) {
        if (p->origin)
            continue;
        json_object *m = json_arena_owned(ctx->work, json_object_new_object());
        json_object_object_add(m, "t", json_object_new_string(name + 3));
        json_object_object_add(m, "id", json_object_new_string(p->key));
        json_object_object_add(m, "state", json_tokener_parse(p->state_json));
        rt_bus_publish(ctx, "wj", m);
    }
}

void livews_bus_announce(rt_context *ctx)
{
    rt_topics_each(ctx->topics, livews_bus_announce_topic, ctx);
}

void livews_bus_register(rt_bus *bus)
{
    rt_bus_register(bus, "wj", livews_bus_join);
    rt_bus_register(bus, "ws", livews_bus_state);
    rt_bus_register(bus, "wl", livews_bus_leave);
    rt_bus_register(bus, "wb", livews_bus_broadcast);
}
