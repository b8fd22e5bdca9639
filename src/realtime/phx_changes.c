/* postgres_changes on Phoenix channels: the hooks a join and a channel's
 * end call, and the delivery of pgchanges' messages as pushes on the
 * channel's topic in the socket's serializer. The work is in pgchanges.c;
 * see phx_internal.h. */
#include "realtime/pgchanges.h"
#include "realtime/phx_internal.h"

#include <string.h>

static void phx_changes_deliver(void *owner, const char *event, const char *payload_json)
{
    phx_channel *ch = owner;
    rt_client *c = ch->client;
    const char *text = phx_encode(c->ctx->work, phx_socket_of(c)->vsn, ch->join_ref, NULL,
                                  ch->topic, event, payload_json);
    rt_client_send(c, false, text, strlen(text));
}

void phx_changes_join(rt_client *c, phx_channel *ch, json_object *bindings)
{
    if (json_object_array_length(bindings) == 0)
        return;
    const char *name = ch->topic + strlen("realtime:");
    if (!c->ctx->changes) {
        phx_push(c, ch->join_ref, NULL, ch->topic, "system",
                 pgchanges_system(c->msg_arena, "error",
                                  "postgres_changes need the database (DATABASE_URL): no change "
                                  "will be delivered",
                                  name));
        return;
    }
    pgchanges_subscribe(c->ctx->changes, ch, &ch->auth, name, bindings, phx_changes_deliver);
}

void phx_changes_token(rt_client *c, phx_channel *ch)
{
    pgchanges_recheck(c->ctx->changes, ch);
}

void phx_changes_leave(rt_client *c, phx_channel *ch)
{
    pgchanges_unsubscribe(c->ctx->changes, ch);
}
