/* The body of POST /rest/v1/webhooks read into a registration: url
 * (required), events (default ["*"]), table_name (default "*"), secret
 * (default ""), each checked; the first problem becomes a 400 message. */
#ifndef PGSTACK_WEBHOOKS_BODY_H
#define PGSTACK_WEBHOOKS_BODY_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct webhook_registration {
    const char *url;
    const char *events_json; /* a JSON array of INSERT/UPDATE/DELETE/"*" */
    const char *table_name;  /* "*" or a table name */
    const char *secret;      /* "" for none */
} webhook_registration;

/* Reads body (len bytes); false with the reason in why. URL addresses
 * are checked with webhook_url_check (deny_private, names resolved). */
bool webhooks_body_read(arena *a, const char *body, size_t len, bool deny_private,
                        webhook_registration *out, char *why, size_t whylen);

#endif
