/* Forwarding one invocation straight to the function's own deno process:
 * HTTP over that process's Unix socket (runtime/main.ts names it after the
 * deployment) with libcurl, one handle per worker, so connections stay
 * open between requests; every request header except the hop-by-hop and
 * framing ones, the raw body. The reply's status and headers are passed
 * back as they come and its body is streamed chunk by chunk, each flushed
 * to the web server at once (server-sent events arrive event by event).
 * No process there yet (cold start, new version): the runtime is asked to
 * start it (POST /_pgstack/ensure), then the request is sent. A request
 * that was sent is never sent again: when it fails before a reply, the
 * runtime says why (POST /_pgstack/failed: 504, 546, 500 or 502). */
#ifndef PGSTACK_FUNCTIONS_PROXY_H
#define PGSTACK_FUNCTIONS_PROXY_H

#include "core/request.h"
#include "core/response.h"
#include "functions/functions_settings.h"

/* The socket of a deployment's own process: <runtime dir>/sock/<first 24
 * hex digits of sha256(deployment)>.sock, as runtime/main.ts names it. */
const char *functions_proxy_socket(arena *a, const functions_settings *s, const char *deployment);

/* path_and_query: "/<name>/<sub path>?<query>" as the function sees it;
 * deployment: "<name>/<version>/<env hash>". Answers 502 "edge runtime
 * unavailable" when the runtime cannot be reached, 503 BOOT_ERROR when the
 * function does not start, 504 past FUNCTIONS_TIMEOUT. */
void functions_proxy(request *req, response *res, const functions_settings *s,
                     const char *path_and_query, const char *deployment);

#endif
