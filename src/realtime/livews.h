/* The spec's own WebSocket protocol on /ws/{name}: {"type": ...} JSON
 * messages. This file serves the ad-hoc channels /ws/_channel_{name}
 * (broadcast with a server-set `from`, presence join/state/leave) and the
 * presence map behind GET /ws/_presence/{channel}. Live queries (pgr) are
 * not served yet. */
#ifndef PGSTACK_LIVEWS_H
#define PGSTACK_LIVEWS_H

#include "core/arena.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"
#include "realtime/rt_topic.h"

extern const rt_protocol livews_protocol;

#define LIVEWS_CHANNEL_PREFIX "_channel_"

/* True for a channel name the daemon serves (/ws/_channel_<1-200 chars>). */
bool livews_channel_valid(const char *name);

struct rt_bus;
/* Registers the handlers of what other daemons publish (livews_bus.c). */
void livews_bus_register(struct rt_bus *bus);
/* Publishes this daemon's presence entries again (another daemon said hello). */
void livews_bus_announce(rt_context *ctx);

/* {"<client id>": <last state>, ...} of channel name (JSON text). */
const char *livews_presence_json(arena *a, rt_topics *topics, const char *name);

#endif
