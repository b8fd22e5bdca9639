/* Sending Phoenix frames to one client in its serializer (pushes and
 * replies), finding a socket's channels, freeing one, and what a private
 * one may do; the leaf every other Phoenix file uses. See phx_internal.h. */
#include "core/json_text.h"
#include "realtime/phx_internal.h"
#include "realtime/rt_auth.h"

#include <stdlib.h>
#include <string.h>

phx_socket *phx_socket_of(rt_client *c)
{
    return c->proto;
}

phx_channel *phx_channel_find(phx_socket *s, const char *topic)
{
    for (phx_channel *ch = s->channels; ch; ch = ch->next)
        if (strcmp(ch->topic, topic) == 0)
            return ch;
    return NULL;
}

const char *phx_topic_key(arena *a, const char *topic, bool priv)
{
    return arena_printf(a, "%s%s", priv ? PHX_PRIVATE_TOPIC_KEY : PHX_TOPIC_KEY, topic);
}

void phx_channel_free(phx_channel *ch)
{
    rt_auth_clear(&ch->auth);
    free(ch->topic);
    free(ch->join_ref);
    free(ch->presence_key);
    free(ch);
}

bool phx_channel_may(const phx_channel *ch, unsigned what)
{
    return !ch->is_private || (ch->authz & what) == what;
}

void phx_push(rt_client *c, const char *join_ref, const char *ref, const char *topic,
              const char *event, const char *payload_json)
{
    const char *text =
        phx_encode(c->msg_arena, phx_socket_of(c)->vsn, join_ref, ref, topic, event, payload_json);
    rt_client_send(c, false, text, strlen(text));
}

void phx_reply(rt_client *c, const phx_msg *m, const char *status, const char *response_json)
{
    const char *payload =
        arena_printf(c->msg_arena, "{\"status\":\"%s\",\"response\":%s}", status, response_json);
    phx_push(c, m->join_ref, m->ref, m->topic, "phx_reply", payload);
}

void phx_reply_error(rt_client *c, const phx_msg *m, const char *reason)
{
    json_object *r = json_arena_owned(c->msg_arena, json_object_new_object());
    json_object_object_add(r, "reason", json_object_new_string(reason));
    phx_reply(c, m, "error", json_text(c->msg_arena, r));
}
