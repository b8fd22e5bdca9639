/* libcurl's multi interface on the daemon's event loop: curl tells which
 * sockets to watch (socket callback -> ae file events) and when to wake
 * (timer callback -> an ae timer); events are handed back with
 * curl_multi_socket_action, and each finished transfer is reported with
 * its easy handle. Knows nothing of webhooks or WebSockets. */
#ifndef PGSTACK_RT_WEBHOOKS_HTTP_H
#define PGSTACK_RT_WEBHOOKS_HTTP_H

#include "realtime/ae.h"

#include <curl/curl.h>

typedef struct wh_http wh_http;

/* A finished transfer (removed from the multi handle; the callee owns
 * easy). */
typedef void wh_http_done_fn(void *data, CURL *easy, CURLcode code);

wh_http *wh_http_new(ae_loop *loop, wh_http_done_fn *done, void *data);
/* Starts a transfer; false when curl refuses it (easy stays the caller's). */
bool wh_http_add(wh_http *h, CURL *easy);
/* Stops a transfer that has not finished (easy stays the caller's). */
void wh_http_remove(wh_http *h, CURL *easy);
/* Frees the multi handle; remove every transfer first. */
void wh_http_free(wh_http *h);

#endif
