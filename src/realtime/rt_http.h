/* Reading one HTTP/1.1 request head (request line and headers, no body)
 * with the http_parser library, and turning it into the CGI-style
 * parameter list core's request_parse takes, so the daemon judges paths,
 * query strings, credentials and client addresses exactly as the workers
 * do. Replies before the upgrade are rendered here too. */
#ifndef PGSTACK_RT_HTTP_H
#define PGSTACK_RT_HTTP_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

#define RT_HTTP_MAX_HEAD 16384
#define RT_HTTP_MAX_HEADERS 64

typedef enum { RT_HTTP_INCOMPLETE, RT_HTTP_DONE, RT_HTTP_BAD } rt_http_status;

typedef struct rt_http_head {
    const char *method;
    const char *uri;
    const char *names[RT_HTTP_MAX_HEADERS]; /* lower case */
    const char *values[RT_HTTP_MAX_HEADERS];
    size_t count;
    size_t head_len;  /* bytes of the head, body/frames follow */
    bool upgrade;     /* Upgrade requested (the parser stopped there) */
    const char *body; /* a POST's body (Content-Length bytes), set by the reader */
    size_t body_len;
} rt_http_head;

/* Parses the head at the start of buf[0..len). INCOMPLETE: read more. */
rt_http_status rt_http_parse(arena *a, const char *buf, size_t len, rt_http_head *head,
                             const char **why);

const char *rt_http_header(const rt_http_head *h, const char *name);

/* NULL-terminated NAME=VALUE array for request_parse. */
char **rt_http_cgi_params(arena *a, const rt_http_head *h, const char *remote_addr);

/* "HTTP/1.1 <status> ...\r\n" reply with a JSON body, Connection: close. */
const char *rt_http_reply(arena *a, int status, const char *json_body, size_t *len);
/* The same with extra header lines ("Name: value\r\n"...; NULL: none). */
const char *rt_http_reply_with(arena *a, int status, const char *headers, const char *json_body,
                               size_t *len);

/* The JSON error body {"error": message}. */
const char *rt_http_error_body(arena *a, const char *message);

#endif
