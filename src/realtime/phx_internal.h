/* Shared by the Phoenix protocol's files (phoenix.c: socket, join, leave;
 * phx_send.c, phx_broadcast.c, phx_presence.c, phx_channel.c). Nothing here knows sockets:
 * a client is an rt_client. */
#ifndef PGSTACK_PHX_INTERNAL_H
#define PGSTACK_PHX_INTERNAL_H

#include "realtime/phx_authz.h"
#include "realtime/phx_frame.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"
#include "realtime/rt_topic.h"

#include <stdbool.h>

typedef struct phx_channel {
    rt_member member; /* in topic "phx:<topic>" */
    rt_client *client;
    char *topic; /* "realtime:room1" */
    char *join_ref;
    bool self, ack;
    char *presence_key;
    bool has_token;  /* the join or a push sent its own access_token */
    rt_auth auth;    /* the channel's credentials */
    bool is_private; /* config.private: authz holds what RLS allows */
    unsigned authz;  /* PHX_AUTHZ_* bits, checked once at the join */
    struct phx_channel *next;
} phx_channel;

typedef struct phx_socket {
    phx_vsn vsn;
    phx_channel *channels;
    size_t count;
    struct phx_private_wait *waits; /* private joins being authorized */
    size_t waiting;                 /* how many (they count toward the channel cap) */
} phx_socket;

#define PHX_TOPIC_KEY "phx:"
/* Private channels live apart from public ones of the same name (a public
 * join must not hear a private channel), as in Supabase. */
#define PHX_PRIVATE_TOPIC_KEY "phxp:"
/* The topic registry's key of a channel topic ("realtime:room1"). */
const char *phx_topic_key(arena *a, const char *topic, bool priv);

phx_socket *phx_socket_of(rt_client *c);
phx_channel *phx_channel_find(phx_socket *s, const char *topic);

/* Sends one text frame to c in its serializer. */
void phx_push(rt_client *c, const char *join_ref, const char *ref, const char *topic,
              const char *event, const char *payload_json);
void phx_reply(rt_client *c, const phx_msg *m, const char *status, const char *response_json);
void phx_reply_error(rt_client *c, const phx_msg *m, const char *reason);
/* A system message, then phx_close, then the channel is gone. */
void phx_channel_shut(rt_client *c, phx_channel *ch, const char *message);
void phx_channel_drop(rt_client *c, phx_channel *ch);
/* Frees a channel that is not linked (a refused or abandoned join). */
void phx_channel_free(phx_channel *ch);
/* A public channel may everything; a private one what its check granted. */
bool phx_channel_may(const phx_channel *ch, unsigned what);
/* Links an accepted join: topic membership, ok reply, presence_state. */
typedef void phx_join_link_fn(rt_client *c, const phx_msg *m, phx_channel *ch,
                              json_object *bindings);
/* Private channels (phx_private.c): the join waits for its check, then
 * link or an error reply; phx_private_forget drops the waits of a closed
 * socket. */
void phx_private_join(rt_client *c, const phx_msg *m, phx_channel *ch, json_object *bindings,
                      phx_join_link_fn *link);
void phx_private_forget(phx_socket *s);
/* A private channel got a fresh access_token: ask again as it. */
void phx_private_recheck(rt_client *c, phx_channel *ch);

void phx_on_broadcast(rt_client *c, phx_channel *ch, const phx_msg *m);
void phx_on_presence(rt_client *c, phx_channel *ch, const phx_msg *m);
/* true when ch lives on with a fresh token (false: none sent, or shut). */
bool phx_on_access_token(rt_client *c, phx_channel *ch, const phx_msg *m);
/* postgres_changes (phx_changes.c): after an ok join, the channel's
 * bindings (the reply's list) go to pgchanges; a new token has them
 * checked again; at its end it leaves. */
void phx_changes_join(rt_client *c, phx_channel *ch, json_object *bindings);
void phx_changes_token(rt_client *c, phx_channel *ch);
void phx_changes_leave(rt_client *c, phx_channel *ch);
/* The presence_state push after a join. */
void phx_send_presence_state(rt_client *c, phx_channel *ch);
/* presence_diff to every member after ch's presence left (on leave/close). */
void phx_presence_leave(rt_client *c, phx_channel *ch);
/* presence_diff to every member of topic t (named topic). */
void phx_send_diff(arena *a, rt_topic *t, const char *topic, json_object *joins,
                   json_object *leaves);
/* Adds p's meta to a {key: {metas: [...]}} map. */
void phx_add_meta(json_object *map, const rt_presence *p, const char *ref_prev);
/* Delivers a broadcast to this daemon's members of topic, sender excepted
 * (NULL: none); meta_json (or NULL), such as {"id":...} of a message sent
 * from the database, goes along as the broadcast's "meta". false when the
 * topic, event or meta is over 255 bytes. */
bool phx_broadcast_local(rt_context *ctx, arena *a, const char *topic, bool priv, const char *event,
                         const char *meta_json, int encoding, const uint8_t *payload, size_t len,
                         const phx_channel *except);

#endif
