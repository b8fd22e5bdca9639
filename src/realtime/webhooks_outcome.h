/* A webhook delivery's state machine: what one attempt's outcome means
 * (one table: outcome -> retry or not, and its label), and the step from
 * (outcome, attempt) to the delivery's next state: delivered, queued again
 * after ~1 s / ~4 s, or dead after the third attempt. Pure; knows nothing
 * of libcurl, the loop or the database. */
#ifndef PGSTACK_RT_WEBHOOKS_OUTCOME_H
#define PGSTACK_RT_WEBHOOKS_OUTCOME_H

#include <stdbool.h>

#define WH_MAX_ATTEMPTS 3

typedef enum {
    WH_OUT_DELIVERED,  /* a 2xx answer */
    WH_OUT_HTTP_ERROR, /* another status (4xx, 5xx, 1xx) */
    WH_OUT_REDIRECT,   /* a 3xx: redirects are never followed */
    WH_OUT_TIMEOUT,    /* WEBHOOK_TIMEOUT passed */
    WH_OUT_NETWORK,    /* DNS, refused connection, TLS, reset, ... */
    WH_OUT_REFUSED,    /* the address is not allowed (link-local, or private when denied) */
    WH_OUT_BAD_SECRET, /* the sealed secret cannot be opened (JWT_SECRET changed) */
} wh_outcome;

typedef enum { WH_NEXT_DELIVERED, WH_NEXT_RETRY, WH_NEXT_DEAD } wh_next_kind;

typedef struct wh_next {
    wh_next_kind kind;
    long retry_ms; /* WH_NEXT_RETRY: due again after this */
} wh_next;

/* The outcome of a finished attempt. */
wh_outcome wh_outcome_of(bool refused, bool timed_out, bool transport_error, long http_status);

/* The state machine: where a delivery goes after attempt (1-based) ended
 * with outcome. */
wh_next wh_step(wh_outcome outcome, int attempt);

/* "delivered", "retry" or "dead" (the names webhook_settle takes). */
const char *wh_next_name(wh_next_kind kind);

/* A short label for the attempt log ("timeout", "redirect not followed"). */
const char *wh_outcome_label(wh_outcome outcome);

#endif
