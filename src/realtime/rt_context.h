/* The daemon's shared state, handed to protocols through each client:
 * configuration, the topic registry, and the id counter. */
#ifndef PGSTACK_RT_CONTEXT_H
#define PGSTACK_RT_CONTEXT_H

#include "core/arena.h"
#include "core/config.h"
#include "realtime/realtime_settings.h"
#include "realtime/rt_topic.h"

typedef struct rt_context rt_context;

struct rt_context {
    pgstack_config cfg;
    realtime_settings settings;
    rt_topics *topics;
    arena *work;                 /* per-message arena, reset after each event */
    struct livequery *live;      /* NULL without DATABASE_URL */
    struct rt_bus *bus;          /* between daemons; NULL without DATABASE_URL */
    struct phx_authz *authz;     /* private channels; NULL without DATABASE_URL */
    unsigned long long next_ref; /* presence refs, message refs */
};

#endif
