/* Calls to OAuth providers (discovery, keys, token endpoint, user API)
 * with libcurl. Every call is bounded by OAUTH_TIMEOUT, follows no
 * redirects, speaks only http and https (certificates verified), reads at
 * most OAUTH_HTTP_MAX_BODY bytes and sends a User-Agent (GitHub's API
 * wants one). Replies are read as JSON. Request bodies and headers carry
 * client secrets, codes and tokens: nothing of them is ever logged or put
 * into an error message. */
#ifndef PGSTACK_AUTH_OAUTH_HTTP_H
#define PGSTACK_AUTH_OAUTH_HTTP_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define OAUTH_HTTP_MAX_BODY (1024 * 1024)

typedef struct oauth_http_call {
    const char *url;
    const char *form;       /* POST body, application/x-www-form-urlencoded; NULL: GET */
    const char *bearer;     /* Authorization: Bearer <bearer>; NULL: none */
    const char *basic_user; /* Authorization: Basic (client_secret_basic); NULL: none */
    const char *basic_password;
    const char *accept; /* NULL: application/json */
    long timeout_s;
} oauth_http_call;

typedef struct oauth_http_reply {
    long status;
    json_object *json; /* the body, owned by the arena; NULL when it is not JSON */
} oauth_http_reply;

/* Performs the call; false with a reason naming the host's URL (never a
 * secret) when no HTTP reply came or it was too large. */
bool auth_oauth_http(arena *a, const oauth_http_call *call, oauth_http_reply *out, char *why,
                     size_t whylen);

/* Appends key=value, form-encoded, to a form body being built ("" to
 * start); returns the new body. */
char *auth_oauth_form_add(arena *a, const char *form, const char *key, const char *value);

#endif
