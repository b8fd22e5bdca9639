/* /ws/_channel_{name}: broadcast and presence between the clients of one
 * channel; see livews.h. */
#include "realtime/livews.h"

#include "core/json_text.h"
#include "realtime/livequery.h"
#include "realtime/rt_bus.h"
#include "realtime/rt_context.h"

#include <stdlib.h>
#include <string.h>

typedef struct livews_socket {
    rt_member member; /* in topic "ws:<name>" */
    char *name;
} livews_socket;

#define LIVEWS_TOPIC(a, name) arena_printf((a), "ws:%s", (name))

bool livews_channel_valid(const char *name)
{
    size_t p = strlen(LIVEWS_CHANNEL_PREFIX), n = strlen(name);
    if (strncmp(name, LIVEWS_CHANNEL_PREFIX, p) != 0 || n == p || n > p + 200)
        return false;
    for (const char *s = name; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '/')
            return false;
    return true;
}

/* Sends text to every member of the client's channel but except. */
static void livews_fanout(rt_client *c, const char *text, rt_client *except)
{
    livews_socket *s = c->proto;
    for (rt_member *m = rt_topic_members(s->member.topic); m; m = m->next) {
        rt_client *to = m->owner;
        if (to != except)
            rt_client_send(to, false, text, strlen(text));
    }
}

/* {"type": type, "channel": name, "client_id": id [, "state": state]} */
static const char *livews_presence_msg(rt_client *c, const char *type, const char *state_json)
{
    livews_socket *s = c->proto;
    json_object *o = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "channel", json_object_new_string(s->name));
    json_object_object_add(o, "client_id", json_object_new_string(c->id));
    if (state_json)
        json_object_object_add(o, "state", json_tokener_parse(state_json));
    return json_text(c->msg_arena, o);
}

/* Tells the other daemons: "wj" (state; first: a join), "wl" (a leave,
 * state NULL) or "wb" (a broadcast with payload). */
static void livews_publish(rt_client *c, const char *kind, json_object *extra_key,
                           const char *extra_name)
{
    livews_socket *s = c->proto;
    json_object *m = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(m, "t", json_object_new_string(s->name));
    json_object_object_add(m, "id", json_object_new_string(c->id));
    if (extra_name)
        json_object_object_add(m, extra_name, extra_key);
    rt_bus_publish(c->ctx, kind, m);
}

static void livews_set_presence(rt_client *c, const char *state_json, bool first)
{
    livews_socket *s = c->proto;
    rt_presence *old = NULL;
    rt_presence_set(s->member.topic, &s->member, c->id, c->id, state_json, &old);
    rt_presence_free(old);
    livews_publish(c, first ? "wj" : "ws", json_tokener_parse(state_json), "state");
}

static bool livews_open(rt_client *c, const char *target, const char *vsn)
{
    livews_socket *s = calloc(1, sizeof(*s));
    if (!s)
        return false;
    s->name = strdup(target);
    c->proto = s;
    rt_topic_join(c->ctx->topics, LIVEWS_TOPIC(c->msg_arena, target), &s->member, c);
    livews_set_presence(c, "{}", true);
    json_object *o = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string("subscribed"));
    json_object_object_add(o, "query_id", json_object_new_string(target));
    json_object_object_add(o, "client_id", json_object_new_string(c->id));
    const char *audience;
    long long seq;
    if (!livews_channel_valid(target) &&
        livequery_lookup(c->ctx->live, target, &audience, &seq) == LQ_FOUND)
        json_object_object_add(o, "seq", json_object_new_int64(seq));
    const char *hello = json_text(c->msg_arena, o);
    rt_client_send(c, false, hello, strlen(hello));
    livews_fanout(c, livews_presence_msg(c, "presence_join", "{}"), NULL);
    return true;
}

static void livews_error(rt_client *c, const char *message)
{
    json_object *o = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string("error"));
    json_object_object_add(o, "error", json_object_new_string(message));
    const char *text = json_text(c->msg_arena, o);
    rt_client_send(c, false, text, strlen(text));
}

static void livews_message(rt_client *c, bool binary, const uint8_t *data, size_t len)
{
    json_object *msg = binary ? NULL : json_parse_exact((const char *)data, len);
    if (!msg || !json_object_is_type(msg, json_type_object)) {
        json_object_put(msg);
        livews_error(c, "messages are JSON objects with a type");
        return;
    }
    json_arena_owned(c->msg_arena, msg);
    json_object *t, *v;
    const char *type = json_object_object_get_ex(msg, "type", &t) ? json_plain_string(t) : NULL;
    if (type && strcmp(type, "broadcast") == 0) {
        json_object *o = json_arena_owned(c->msg_arena, json_object_new_object());
        json_object_object_add(o, "type", json_object_new_string("broadcast"));
        json_object_object_add(o, "from", json_object_new_string(c->id));
        json_object_object_add(o, "payload",
                               json_object_object_get_ex(msg, "payload", &v) ? json_object_get(v)
                                                                             : NULL);
        livews_fanout(c, json_text(c->msg_arena, o), c);
        livews_publish(c, "wb",
                       json_object_object_get_ex(msg, "payload", &v) ? json_object_get(v) : NULL,
                       "payload");
    } else if (type && strcmp(type, "presence") == 0) {
        if (!json_object_object_get_ex(msg, "state", &v)) {
            livews_error(c, "presence needs a state");
            return;
        }
        const char *state = json_text(c->msg_arena, v);
        livews_set_presence(c, state, false);
        livews_fanout(c, livews_presence_msg(c, "presence_state", state), c);
    } else {
        livews_error(c, "unknown message type (broadcast or presence)");
    }
}

static void livews_closed(rt_client *c)
{
    livews_socket *s = c->proto;
    if (!s)
        return;
    const char *bye = livews_presence_msg(c, "presence_leave", NULL);
    livews_publish(c, "wl", NULL, NULL);
    rt_topic_leave(c->ctx->topics, &s->member);
    c->proto = NULL;
    /* the topic may be gone: tell the remaining members through a lookup */
    rt_topic *t = rt_topic_find(c->ctx->topics, LIVEWS_TOPIC(c->msg_arena, s->name));
    for (rt_member *m = t ? rt_topic_members(t) : NULL; m; m = m->next)
        rt_client_send(m->owner, false, bye, strlen(bye));
    free(s->name);
    free(s);
}

static void livews_tick(rt_client *c, long long now_s)
{
    if (c->auth.exp && now_s >= c->auth.exp)
        rt_client_close(c, 1008, "token expired");
}

const char *livews_presence_json(arena *a, rt_topics *topics, const char *name)
{
    json_object *map = json_arena_owned(a, json_object_new_object());
    rt_topic *t = rt_topic_find(topics, LIVEWS_TOPIC(a, name));
    for (rt_presence *p = t ? rt_presence_list(t) : NULL; p; p = p->next)
        json_object_object_add(map, p->key, json_tokener_parse(p->state_json));
    return json_text(a, map);
}

const rt_protocol livews_protocol = {
    .name = "livews",
    .open = livews_open,
    .message = livews_message,
    .closed = livews_closed,
    .tick = livews_tick,
};
