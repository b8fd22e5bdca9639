/* CORS decisions. A request without Origin is a non-browser client and is
 * served. With Origin, it is allowed when ALLOW_PERMISSIVE_CORS is on, when
 * the origin is listed in ALLOWED_ORIGINS, or when it is the same origin as
 * the request's Host; otherwise it is refused with 403. */
#ifndef PGSTACK_CORS_H
#define PGSTACK_CORS_H

#include "core/config.h"
#include "core/response.h"

#include <stdbool.h>

typedef enum { CORS_NO_ORIGIN, CORS_ALLOWED, CORS_REFUSED } cors_verdict;

#define CORS_ALLOWED_METHODS "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
#define CORS_ALLOWED_HEADERS                                                                       \
    "apikey, authorization, content-type, prefer, range, range-unit, accept, accept-profile, "     \
    "content-profile, x-client-info, x-upsert, x-supabase-api-version, x-request-id, "             \
    "cache-control, x-metadata, x-signature, tus-resumable, upload-length, upload-metadata, "      \
    "upload-offset, upload-defer-length"
#define CORS_EXPOSED_HEADERS                                                                       \
    "Content-Range, Content-Location, Location, Preference-Applied, Range-Unit, X-Request-Id, "    \
    "Upload-Offset, Upload-Length, Upload-Expires, Tus-Resumable, Tus-Version, Tus-Extension"

cors_verdict cors_check(const pgstack_config *cfg, const char *origin, const char *host);

/* An OPTIONS request with Origin and Access-Control-Request-Method. */
bool cors_is_preflight(const char *method, const char *origin, const char *request_method);

/* Adds the Access-Control-* headers for an allowed origin. */
void cors_add_headers(response *res, const char *origin, bool preflight);

#endif
