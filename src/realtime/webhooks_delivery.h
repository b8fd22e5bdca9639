/* Webhook delivery in the realtime daemon: the outbox
 * (pgstack.webhook_deliveries) is the state; this loop claims due rows on
 * its own database connection (woken by NOTIFY pgstack_webhooks, by a
 * timer at each retry's due time, and by a 1 s poll so nothing waits on a
 * lost notification), sends them concurrently with libcurl multi on the
 * daemon's loop, and settles each attempt's outcome (webhooks_outcome.c).
 * A row claimed by a daemon that dies is claimed again when its lease
 * ends; outcomes that cannot be written while PostgreSQL is away are kept
 * and written when it is back. Knows nothing of WebSockets. */
#ifndef PGSTACK_RT_WEBHOOKS_DELIVERY_H
#define PGSTACK_RT_WEBHOOKS_DELIVERY_H

#include "core/config.h"
#include "realtime/ae.h"
#include "webhooks/webhooks_settings.h"

typedef struct wh_delivery wh_delivery;

/* cfg (JWT_SECRET opens the sealed secrets) and s must outlive it. NULL
 * when libcurl cannot start. */
wh_delivery *wh_delivery_new(ae_loop *loop, const pgstack_config *cfg, const webhooks_settings *s,
                             const char *database_url);
void wh_delivery_start(wh_delivery *d);
/* Stops what is in flight (those rows are claimed again after their
 * lease) and frees everything. */
void wh_delivery_free(wh_delivery *d);

#endif
