/* The Phoenix channel protocol on /realtime/v1/websocket, as supabase-js
 * 2.x channels speak it: joins, heartbeats, broadcast, presence, tokens,
 * leaves (shared/spec/realtime-notes.md). */
#ifndef PGSTACK_PHOENIX_H
#define PGSTACK_PHOENIX_H

#include "realtime/rt_client.h"

extern const rt_protocol phoenix_protocol;

#endif
