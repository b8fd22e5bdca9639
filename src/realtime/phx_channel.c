/* A Phoenix channel's end: dropping it (presence leaves, topic left),
 * shutting it with a system message and phx_close, and access_token pushes
 * (an invalid token shuts the channel). See phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_auth.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Unlinks ch from the socket and the topic and frees it. */
void phx_channel_drop(rt_client *c, phx_channel *ch)
{
    phx_socket *s = phx_socket_of(c);
    phx_presence_leave(c, ch);
    rt_topic_leave(c->ctx->topics, &ch->member);
    for (phx_channel **pp = &s->channels; *pp; pp = &(*pp)->next) {
        if (*pp == ch) {
            *pp = ch->next;
            break;
        }
    }
    s->count--;
    phx_channel_free(ch);
}

void phx_channel_shut(rt_client *c, phx_channel *ch, const char *message)
{
    json_object *sys = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(sys, "extension", json_object_new_string("system"));
    json_object_object_add(sys, "status", json_object_new_string("error"));
    json_object_object_add(sys, "message", json_object_new_string(message));
    json_object_object_add(sys, "channel", json_object_new_string(ch->topic + strlen("realtime:")));
    phx_push(c, ch->join_ref, NULL, ch->topic, "system", json_text(c->msg_arena, sys));
    phx_push(c, ch->join_ref, ch->join_ref, ch->topic, "phx_close", "{}");
    phx_channel_drop(c, ch);
}

bool phx_on_access_token(rt_client *c, phx_channel *ch, const phx_msg *m)
{
    json_object *v;
    const char *token =
        json_object_object_get_ex(m->payload, "access_token", &v) ? json_plain_string(v) : NULL;
    if (!token || !*token || strncmp(token, "sb_", 3) == 0)
        return false;
    rt_auth fresh = {0};
    const char *why = rt_auth_verify(c->msg_arena, &c->ctx->cfg, token, time(NULL), &fresh);
    if (why) {
        phx_channel_shut(c, ch, why);
        return false;
    }
    rt_auth_clear(&ch->auth);
    ch->auth = fresh;
    ch->has_token = true;
    return true;
}
