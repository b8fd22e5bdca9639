/* Phoenix presence: track and untrack, presence_state after a join, and
 * presence_diff (with metas and phx_ref) to every member of the topic. See
 * phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_bus.h"

#include <string.h>

/* {"<key>": {"metas": [meta]}} with meta = state + phx_ref (+ phx_ref_prev). */
static json_object *phx_meta(const rt_presence *p, const char *ref_prev)
{
    json_object *meta = json_tokener_parse(p->state_json);
    if (!meta || !json_object_is_type(meta, json_type_object)) {
        json_object_put(meta);
        meta = json_object_new_object();
    }
    json_object_object_add(meta, "phx_ref", json_object_new_string(p->ref));
    if (ref_prev)
        json_object_object_add(meta, "phx_ref_prev", json_object_new_string(ref_prev));
    return meta;
}

void phx_add_meta(json_object *map, const rt_presence *p, const char *ref_prev)
{
    json_object *entry, *metas;
    if (!json_object_object_get_ex(map, p->key, &entry)) {
        entry = json_object_new_object();
        json_object_object_add(entry, "metas", json_object_new_array());
        json_object_object_add(map, p->key, entry);
    }
    json_object_object_get_ex(entry, "metas", &metas);
    json_object_array_add(metas, phx_meta(p, ref_prev));
}

/* Tells the other daemons: a join ("pj", with the replaced ref) when state
 * is given, else a leave ("pl"). */
static void phx_publish_presence(rt_client *c, const phx_channel *ch, const rt_presence *p,
                                 const char *prev, json_object *state)
{
    json_object *m = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(m, "t", json_object_new_string(ch->topic));
    if (ch->is_private)
        json_object_object_add(m, "pv", json_object_new_boolean(1));
    json_object_object_add(m, "key", json_object_new_string(p->key));
    json_object_object_add(m, "ref", json_object_new_string(p->ref));
    if (state) {
        json_object_object_add(m, "state", json_object_get(state));
        json_object_object_add(m, "prev", prev ? json_object_new_string(prev) : NULL);
    }
    rt_bus_publish(c->ctx, state ? "pj" : "pl", m);
}

void phx_send_presence_state(rt_client *c, phx_channel *ch)
{
    json_object *state = json_arena_owned(c->msg_arena, json_object_new_object());
    for (rt_presence *p = rt_presence_list(ch->member.topic); p; p = p->next)
        phx_add_meta(state, p, NULL);
    phx_push(c, ch->join_ref, NULL, ch->topic, "presence_state", json_text(c->msg_arena, state));
}

void phx_send_diff(arena *a, rt_topic *t, const char *topic, json_object *joins,
                   json_object *leaves)
{
    json_object *diff = json_arena_owned(a, json_object_new_object());
    json_object_object_add(diff, "joins", json_object_get(joins));
    json_object_object_add(diff, "leaves", json_object_get(leaves));
    const char *payload = json_text(a, diff);
    const char *v1 = phx_encode(a, PHX_VSN_1, NULL, NULL, topic, "presence_diff", payload);
    const char *v2 = phx_encode(a, PHX_VSN_2, NULL, NULL, topic, "presence_diff", payload);
    for (rt_member *mb = rt_topic_members(t); mb; mb = mb->next) {
        if (!phx_channel_may(mb->owner, PHX_AUTHZ_READ_PRESENCE))
            continue;
        rt_client *to = ((phx_channel *)mb->owner)->client;
        const char *text = phx_socket_of(to)->vsn == PHX_VSN_2 ? v2 : v1;
        rt_client_send(to, false, text, strlen(text));
    }
}

static void phx_track(rt_client *c, phx_channel *ch, json_object *state)
{
    json_object *joins = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object *leaves = json_arena_owned(c->msg_arena, json_object_new_object());
    /* unique among daemons: several daemons' metas may share a key */
    const char *ref = arena_printf(c->msg_arena, "F%.8s%llx", c->ctx->bus ? c->ctx->bus->id : "",
                                   ++c->ctx->next_ref);
    rt_presence *old = NULL;
    rt_presence *p = rt_presence_set(ch->member.topic, &ch->member, ch->presence_key, ref,
                                     json_text(c->msg_arena, state), &old);
    if (old) {
        /* the leave goes in a diff of its own, before the join: realtime-js
         * strips phx_ref from the metas it already holds while handling a
         * join of the same key, after which a leave could not find them */
        phx_add_meta(leaves, old, NULL);
        phx_send_diff(c->msg_arena, ch->member.topic, ch->topic, joins, leaves);
        leaves = json_arena_owned(c->msg_arena, json_object_new_object());
    }
    phx_add_meta(joins, p, old ? old->ref : NULL);
    phx_publish_presence(c, ch, p, old ? old->ref : NULL, state);
    rt_presence_free(old);
    phx_send_diff(c->msg_arena, ch->member.topic, ch->topic, joins, leaves);
}

void phx_presence_leave(rt_client *c, phx_channel *ch)
{
    if (!ch->member.topic)
        return;
    rt_presence *old = rt_presence_take(ch->member.topic, &ch->member);
    if (!old)
        return;
    json_object *joins = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object *leaves = json_arena_owned(c->msg_arena, json_object_new_object());
    phx_add_meta(leaves, old, NULL);
    phx_publish_presence(c, ch, old, NULL, NULL);
    rt_presence_free(old);
    phx_send_diff(c->msg_arena, ch->member.topic, ch->topic, joins, leaves);
}

void phx_on_presence(rt_client *c, phx_channel *ch, const phx_msg *m)
{
    json_object *ev, *state;
    const char *event =
        json_object_object_get_ex(m->payload, "event", &ev) ? json_plain_string(ev) : NULL;
    if (event && strcmp(event, "track") == 0 && !phx_channel_may(ch, PHX_AUTHZ_WRITE_PRESENCE)) {
        phx_reply_error(c, m,
                        arena_printf(c->msg_arena,
                                     "Unauthorized: You do not have permissions to track "
                                     "presence on this Channel topic: %s",
                                     ch->topic + strlen("realtime:")));
        return;
    }
    if (event && strcmp(event, "track") == 0) {
        if (!json_object_object_get_ex(m->payload, "payload", &state) ||
            !json_object_is_type(state, json_type_object)) {
            phx_reply_error(c, m, "track needs an object payload");
            return;
        }
        phx_track(c, ch, state);
    } else if (event && strcmp(event, "untrack") == 0) {
        phx_presence_leave(c, ch);
    } else {
        phx_reply_error(c, m, "presence event must be track or untrack");
        return;
    }
    phx_reply(c, m, "ok", "{}");
}
