/* One delivery attempt as a libcurl easy handle: POST of the stored body
 * with Content-Type, User-Agent pgstack-webhooks/1.0, X-Webhook-Id (the
 * delivery's id, stable across retries, for deduplication) and, when a
 * secret is set, X-Webhook-Signature; http(s) only, no redirects, no
 * proxy, WEBHOOK_TIMEOUT; every address curl is about to connect to is
 * checked again (webhook_addr_allowed), so DNS changes cannot reach a
 * link-local address. The finished handle is read back as an outcome. */
#ifndef PGSTACK_RT_WEBHOOKS_JOB_H
#define PGSTACK_RT_WEBHOOKS_JOB_H

#include "realtime/webhooks_outcome.h"

#include <curl/curl.h>
#include <stdbool.h>

typedef struct wh_job {
    struct wh_job *next; /* in the engine's in-flight list */
    char *id;            /* the delivery's id */
    int attempt;
    char *body;
    CURL *easy;
    struct curl_slist *headers;
    long long started_ms;
    bool refused; /* an address was not allowed */
    bool deny_private;
    char why[256];
    char errbuf[CURL_ERROR_SIZE];
} wh_job;

/* A job for the claimed row (url, body, opened secret or NULL); NULL when
 * curl cannot make the handle. CURLOPT_PRIVATE is the job. */
wh_job *wh_job_new(const char *id, int attempt, const char *url, const char *body,
                   const char *secret, long timeout_s, bool deny_private);
void wh_job_free(wh_job *job);

/* The outcome of a finished transfer, with the HTTP status (0 when none)
 * and an error text for the attempt log (NULL when delivered). */
wh_outcome wh_job_result(wh_job *job, CURLcode code, long *status, const char **error);

#endif
