/* Routing: method + path pattern -> handler. Patterns are '/'-separated
 * segments; "{name}" matches one segment, a final "*" matches the rest of
 * the path (one or more segments). GET routes also answer HEAD. */
#ifndef PGSTACK_ROUTER_H
#define PGSTACK_ROUTER_H

#include "core/request.h"
#include "core/response.h"

#include <stddef.h>

typedef void (*route_handler)(request *req, response *res);

/* What a route needs from the caller's credentials. */
typedef enum {
    ROUTE_PUBLIC,   /* credentials ignored */
    ROUTE_OPTIONAL, /* verified when present */
    ROUTE_REQUIRED, /* 401 without valid credentials */
    /* Credentials ignored, and a browser navigation target (an OAuth
     * provider's form_post to the callback): served whatever the request's
     * Origin, without CORS headers. A cross-site form POST carries the
     * provider's Origin; refusing it would break the sign-in and protect
     * nothing, since no script of that origin can read a reply that has no
     * CORS headers. */
    ROUTE_NAVIGATION,
} route_auth;

typedef struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
    route_auth auth;
} route;

typedef enum { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED } route_result;

/* Matches req->path; on ROUTE_FOUND fills *found and the request's route
 * parameters; on ROUTE_METHOD_NOT_ALLOWED sets *allow to the methods the
 * path has, GET implying HEAD, always with OPTIONS ("GET, HEAD, OPTIONS"). */
route_result router_match(const route *routes, size_t count, request *req, const route **found,
                          const char **allow);

#endif
