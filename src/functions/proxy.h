/* Forwarding one invocation to the deno runtime: HTTP over its Unix socket
 * with libcurl (one handle per worker, so the connection stays open between
 * requests), every request header except the hop-by-hop and framing ones,
 * the raw body; the reply's status and headers are passed back as they
 * come and its body is streamed chunk by chunk, each flushed to the web
 * server at once (server-sent events arrive event by event). */
#ifndef PGSTACK_FUNCTIONS_PROXY_H
#define PGSTACK_FUNCTIONS_PROXY_H

#include "core/request.h"
#include "core/response.h"
#include "functions/functions_settings.h"

/* path_and_query: "/<name>/<sub path>?<query>" as the function sees it;
 * deployment: "<name>/<version>/<env hash>". Answers 502 "edge runtime
 * unavailable" when the runtime cannot be reached or fails before the
 * reply's headers, 504 when it does not answer in time. */
void functions_proxy(request *req, response *res, const functions_settings *s,
                     const char *path_and_query, const char *deployment);

#endif
