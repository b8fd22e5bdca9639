/* The Phoenix protocol: socket state, frame dispatch, joins and leaves;
 * see phoenix.h. Sending is in phx_send.c, broadcast in phx_broadcast.c,
 * presence in phx_presence.c, a channel's end and token pushes in
 * phx_channel.c. */
#include "realtime/phoenix.h"

#include "core/json_text.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_auth.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* config.broadcast.self etc.: booleans may arrive as strings. */
static bool phx_config_bool(json_object *obj, const char *section, const char *key)
{
    json_object *sec, *v;
    if (!obj || !json_object_object_get_ex(obj, section, &sec) ||
        !json_object_object_get_ex(sec, key, &v))
        return false;
    if (json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v);
    const char *s = json_plain_string(v);
    return s && strcmp(s, "true") == 0;
}

/* config.private: true (or "true"). */
static bool phx_private(json_object *config)
{
    json_object *v;
    if (!config || !json_object_object_get_ex(config, "private", &v))
        return false;
    const char *s = json_plain_string(v);
    return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                     : s && strcmp(s, "true") == 0;
}

/* The ok reply's postgres_changes: the bindings echoed in order with ids.
 * NULL with *why when a binding is malformed. */
static json_object *phx_echo_bindings(json_object *config, const char **why)
{
    json_object *list = json_object_new_array(), *bindings;
    if (!config || !json_object_object_get_ex(config, "postgres_changes", &bindings) ||
        json_object_is_type(bindings, json_type_null))
        return list;
    if (!json_object_is_type(bindings, json_type_array)) {
        json_object_put(list);
        *why = "postgres_changes must be a list";
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(bindings); i++) {
        json_object *b = json_object_array_get_idx(bindings, i);
        if (!json_object_is_type(b, json_type_object)) {
            json_object_put(list);
            *why = "each postgres_changes binding must be an object";
            return NULL;
        }
        json_object *copy = NULL;
        json_object_deep_copy(b, &copy, NULL);
        json_object_object_add(copy, "id", json_object_new_int64((int64_t)i + 1));
        json_object_array_add(list, copy);
    }
    return list;
}

/* postgres_changes are not captured by this daemon yet: say so per join
 * instead of staying silent (Supabase's most reported realtime problem). */
static void phx_send_changes_status(rt_client *c, phx_channel *ch, json_object *bindings)
{
    if (json_object_array_length(bindings) == 0)
        return;
    json_object *sys = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(sys, "extension", json_object_new_string("postgres_changes"));
    json_object_object_add(sys, "status", json_object_new_string("error"));
    json_object_object_add(
        sys, "message",
        json_object_new_string("postgres_changes are not available on this server yet: "
                               "no change will be delivered"));
    json_object_object_add(sys, "channel", json_object_new_string(ch->topic + strlen("realtime:")));
    phx_push(c, ch->join_ref, NULL, ch->topic, "system", json_text(c->msg_arena, sys));
}

/* The channel's credentials: its access_token, else the socket's. NULL on
 * success, else the error reason. */
static const char *phx_join_auth(rt_client *c, json_object *payload, phx_channel *ch)
{
    json_object *v;
    const char *token =
        json_object_object_get_ex(payload, "access_token", &v) ? json_plain_string(v) : NULL;
    if (!token || !*token || strncmp(token, "sb_", 3) == 0) {
        rt_auth_copy(&ch->auth, &c->auth);
        return NULL;
    }
    ch->has_token = true;
    return rt_auth_verify(c->msg_arena, &c->ctx->cfg, token, time(NULL), &ch->auth);
}

static phx_channel *phx_channel_new(rt_client *c, const phx_msg *m, json_object *config)
{
    phx_channel *ch = calloc(1, sizeof(*ch));
    ch->client = c;
    ch->topic = strdup(m->topic);
    ch->join_ref = strdup(m->join_ref ? m->join_ref : (m->ref ? m->ref : ""));
    ch->self = phx_config_bool(config, "broadcast", "self");
    ch->ack = phx_config_bool(config, "broadcast", "ack");
    ch->is_private = phx_private(config);
    json_object *pres, *key;
    const char *k = NULL;
    if (config && json_object_object_get_ex(config, "presence", &pres) &&
        json_object_object_get_ex(pres, "key", &key))
        k = json_plain_string(key);
    ch->presence_key =
        k && *k ? strdup(k)
                : strdup(arena_printf(c->msg_arena, "%s-%llu", c->id, ++c->ctx->next_ref));
    return ch;
}

/* Checks that can refuse a join before anything is created. */
static const char *phx_join_refusal(rt_client *c, const phx_msg *m, json_object *config)
{
    if (strncmp(m->topic, "realtime:", 9) != 0)
        return "unmatched topic";
    if (!m->topic[9])
        return "TopicNameRequired: You must provide a topic name";
    phx_socket *s = phx_socket_of(c);
    if (s->count + s->waiting >= (size_t)c->ctx->settings.max_channels &&
        !phx_channel_find(phx_socket_of(c), m->topic))
        return "ChannelRateLimitReached: Too many channels";
    return NULL;
}

static void phx_join_link(rt_client *c, const phx_msg *m, phx_channel *ch, json_object *bindings);

static void phx_on_join(rt_client *c, const phx_msg *m)
{
    phx_socket *s = phx_socket_of(c);
    json_object *config = NULL;
    json_object_object_get_ex(m->payload, "config", &config);
    const char *why = phx_join_refusal(c, m, config);
    json_object *bindings = why ? NULL : phx_echo_bindings(config, &why);
    if (why) {
        phx_reply_error(c, m, why);
        return;
    }
    json_arena_owned(c->msg_arena, bindings);
    phx_channel *old = phx_channel_find(s, m->topic);
    if (old) /* Phoenix closes the older join of the same topic */
        phx_channel_shut(c, old, "joined again on the same socket");
    phx_channel *ch = phx_channel_new(c, m, config);
    why = phx_join_auth(c, m->payload, ch);
    if (why) {
        phx_channel_free(ch);
        phx_reply_error(c, m, why);
        return;
    }
    if (ch->is_private) {
        phx_private_join(c, m, ch, bindings, phx_join_link); /* linked once authorized */
        return;
    }
    phx_join_link(c, m, ch, bindings);
}

static void phx_join_link(rt_client *c, const phx_msg *m, phx_channel *ch, json_object *bindings)
{
    phx_socket *s = phx_socket_of(c);
    ch->next = s->channels;
    s->channels = ch;
    s->count++;
    rt_topic_join(c->ctx->topics, phx_topic_key(c->msg_arena, m->topic, ch->is_private),
                  &ch->member, ch);
    json_object *resp = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(resp, "postgres_changes", json_object_get(bindings));
    phx_reply(c, m, "ok", json_text(c->msg_arena, resp));
    if (phx_channel_may(ch, PHX_AUTHZ_READ_PRESENCE))
        phx_send_presence_state(c, ch);
    phx_send_changes_status(c, ch, bindings);
}

static void phx_on_leave(rt_client *c, phx_channel *ch, const phx_msg *m)
{
    phx_reply(c, m, "ok", "{}");
    phx_push(c, ch->join_ref, ch->join_ref, ch->topic, "phx_close", "{}");
    phx_channel_drop(c, ch);
}

static void phx_dispatch(rt_client *c, const phx_msg *m)
{
    if (strcmp(m->topic, "phoenix") == 0) {
        if (strcmp(m->event, "heartbeat") == 0)
            phx_reply(c, m, "ok", "{}");
        else
            phx_reply_error(c, m, "unknown event on topic phoenix");
        return;
    }
    if (strcmp(m->event, "phx_join") == 0) {
        phx_on_join(c, m);
        return;
    }
    phx_channel *ch = phx_channel_find(phx_socket_of(c), m->topic);
    if (!ch) {
        phx_reply_error(c, m, "unmatched topic");
        return;
    }
    if (strcmp(m->event, "phx_leave") == 0)
        phx_on_leave(c, ch, m);
    else if (strcmp(m->event, "broadcast") == 0)
        phx_on_broadcast(c, ch, m);
    else if (strcmp(m->event, "presence") == 0)
        phx_on_presence(c, ch, m);
    else if (strcmp(m->event, "access_token") == 0) {
        if (phx_on_access_token(c, ch, m) && ch->is_private)
            phx_private_recheck(c, ch); /* asked again as the new token */
    } else
        phx_reply_error(c, m, arena_printf(c->msg_arena, "unknown event: %s", m->event));
}

static void phx_message(rt_client *c, bool binary, const uint8_t *data, size_t len)
{
    phx_msg m;
    const char *why = NULL;
    if (!phx_decode(c->msg_arena, phx_socket_of(c)->vsn, binary, data, len, &m, &why)) {
        /* no topic to answer on: a frame that is not Phoenix ends the socket */
        rt_client_close(c, 1003, why);
        return;
    }
    phx_dispatch(c, &m);
}

static bool phx_open(rt_client *c, const char *target, const char *vsn)
{
    phx_socket *s = calloc(1, sizeof(*s));
    if (!s)
        return false;
    s->vsn = vsn && strcmp(vsn, "2.0.0") == 0 ? PHX_VSN_2 : PHX_VSN_1;
    c->proto = s;
    return true;
}

static void phx_closed(rt_client *c)
{
    phx_socket *s = phx_socket_of(c);
    if (!s)
        return;
    while (s->channels)
        phx_channel_drop(c, s->channels);
    phx_private_forget(s);
    free(s);
    c->proto = NULL;
}

/* Channels whose token expired are closed with a system message. */
static void phx_tick(rt_client *c, long long now_s)
{
    phx_socket *s = phx_socket_of(c);
    phx_channel *ch = s->channels;
    while (ch) {
        phx_channel *next = ch->next;
        if (ch->auth.exp && now_s >= ch->auth.exp)
            phx_channel_shut(c, ch, "Token has expired");
        ch = next;
    }
}

const rt_protocol phoenix_protocol = {
    .name = "phoenix",
    .open = phx_open,
    .message = phx_message,
    .closed = phx_closed,
    .tick = phx_tick,
};
