/* Realtime Authorization (private channels, `config.private: true`): what a
 * caller may do on a topic, asked of PostgreSQL as the caller's role and
 * claims (realtime.pgstack_authorize in sql/0013_realtime_authz.sql: RLS
 * policies on realtime.messages, realtime.topic() naming the topic). One
 * connection of its own, driven by the loop; checks run once per join (the
 * answer is kept on the channel, never asked per message) and once per
 * topic of a private REST broadcast. */
#ifndef PGSTACK_PHX_AUTHZ_H
#define PGSTACK_PHX_AUTHZ_H

#include "realtime/ae.h"
#include "realtime/rt_client.h"

#include <stdbool.h>

typedef struct phx_authz phx_authz;

/* Bits of a check's answer. */
#define PHX_AUTHZ_READ_BROADCAST 1u
#define PHX_AUTHZ_READ_PRESENCE 2u
#define PHX_AUTHZ_WRITE_BROADCAST 4u
#define PHX_AUTHZ_WRITE_PRESENCE 8u
#define PHX_AUTHZ_READ (PHX_AUTHZ_READ_BROADCAST | PHX_AUTHZ_READ_PRESENCE)

/* granted: PHX_AUTHZ_* bits; ok false when the check could not run (the
 * database is unreachable, the role is unknown, a policy failed). */
typedef void phx_authz_fn(void *data, bool ok, unsigned granted);

phx_authz *phx_authz_new(ae_loop *loop, const char *database_url);
void phx_authz_start(phx_authz *z);
void phx_authz_free(phx_authz *z);

/* Queues a check of topic (without "realtime:") for auth; fn runs from the
 * loop, never before this returns. false: no connection (fn never runs). */
bool phx_authz_check(phx_authz *z, const char *topic, const rt_auth *auth, phx_authz_fn *fn,
                     void *data);

/* The bits of a realtime.pgstack_authorize answer ("{read:broadcast,...}"). */
unsigned phx_authz_parse(const char *array_text);

#endif
