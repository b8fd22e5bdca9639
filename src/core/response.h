/* The reply to one request: status, headers and a body that is either built
 * in memory and sent at the end, or streamed (each chunk flushed as written,
 * for large bodies and Server-Sent Events). */
#ifndef PGSTACK_RESPONSE_H
#define PGSTACK_RESPONSE_H

#include "core/arena.h"
#include "core/header.h"
#include "core/http_io.h"
#include "core/sbuf.h"

#include <stdbool.h>

typedef struct response {
    arena *arena;
    http_io *io;
    int status;
    header_list headers;
    sbuf body;
    bool head_only;    /* HEAD request: headers only */
    bool headers_sent; /* streaming has begun */
    bool finished;
} response;

void response_init(response *res, arena *a, http_io *io);
/* Sets a header, replacing one of the same name (case-insensitive). */
void response_set_header(response *res, const char *name, const char *value);
/* Adds a header, keeping others of the same name. */
void response_add_header(response *res, const char *name, const char *value);
const char *response_get_header(const response *res, const char *name);

/* A complete JSON reply with the given text as body. */
void response_json(response *res, int status, const char *json_text);
/* A reply without body (204, 201 with return=minimal, ...). */
void response_empty(response *res, int status);

/* Streaming: sends the status and headers now; later writes go out at once. */
void response_stream_begin(response *res);
bool response_stream_write(response *res, const char *data, size_t n);

/* A reply whose body the web server adds (X-Sendfile): status and headers
 * only, without Content-Length, and not flushed — they leave with the end
 * of the request in one write, so the web server reads the reply at once. */
void response_headers_only(response *res);

/* Sends whatever has not been sent yet; called once by the server. */
void response_finish(response *res);

const char *http_reason(int status);

#endif
