/* One HTTP request as the worker sees it: built from the FastCGI/CGI
 * parameters, with the path made relative to the area prefix, the query
 * string decoded in order, headers, client address and the body. */
#ifndef PGSTACK_REQUEST_H
#define PGSTACK_REQUEST_H

#include "core/arena.h"
#include "core/auth_ctx.h"
#include "core/config.h"
#include "core/header.h"
#include "core/http_io.h"
#include "core/query.h"

#include <stdbool.h>
#include <stddef.h>

struct app;

typedef struct request {
    arena *arena;
    struct app *app;
    const char *request_id;
    const char *method;
    const char *full_path; /* decoded path of the URI, without the query */
    const char *path;      /* relative to the area prefix (starts with '/') */
    bool in_prefix;        /* false: the URI is outside the area prefix */
    query_params query;
    header_list headers;
    const char *client_addr;
    const char *host;
    char *body;
    size_t body_len;
    long content_length; /* -1 when not given */
    auth_ctx *auth;
    /* route parameters, filled by the router */
    const char **param_names;
    const char **param_values;
    size_t param_count;
    const char *wildcard;
} request;

/* A failure to build a request: HTTP status and message for the reply. */
typedef struct request_error {
    int status;
    const char *message;
} request_error;

/* Fills req from the NULL-terminated NAME=VALUE parameter array. */
bool request_parse(request *req, arena *a, char *const *params, const char *prefix,
                   const pgstack_config *cfg, request_error *err);

/* Reads the body (at most max_body bytes; more is a 413 error). */
bool request_read_body(request *req, http_io *io, long max_body, request_error *err);

/* Header by lower-case name, or NULL. */
const char *request_header(const request *req, const char *name);
/* Route parameter by name, or NULL. */
const char *request_param(const request *req, const char *name);

#endif
