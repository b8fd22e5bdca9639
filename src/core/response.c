/* Response building and CGI/FastCGI output; see response.h. */
#include "core/response.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void response_init(response *res, arena *a, http_io *io)
{
    memset(res, 0, sizeof(*res));
    res->arena = a;
    res->io = io;
    res->status = 200;
    sbuf_init(&res->body, a, 256);
}

static header *find_header(const response *res, const char *name)
{
    for (size_t i = 0; i < res->headers.count; i++)
        if (strcasecmp(res->headers.items[i].name, name) == 0)
            return &res->headers.items[i];
    return NULL;
}

void response_add_header(response *res, const char *name, const char *value)
{
    header_list *l = &res->headers;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        header *items = arena_alloc(res->arena, cap * sizeof(header));
        if (l->count)
            memcpy(items, l->items, l->count * sizeof(header));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] =
        (header){arena_strdup(res->arena, name), arena_strdup(res->arena, value)};
}

void response_set_header(response *res, const char *name, const char *value)
{
    header *h = find_header(res, name);
    if (h)
        h->value = arena_strdup(res->arena, value);
    else
        response_add_header(res, name, value);
}

const char *response_get_header(const response *res, const char *name)
{
    header *h = find_header(res, name);
    return h ? h->value : NULL;
}

void response_json(response *res, int status, const char *json_text)
{
    res->status = status;
    response_set_header(res, "Content-Type", "application/json; charset=utf-8");
    sbuf_clear(&res->body);
    sbuf_puts(&res->body, json_text);
}

void response_empty(response *res, int status)
{
    res->status = status;
    sbuf_clear(&res->body);
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 207:
        return "Multi-Status";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 416:
        return "Range Not Satisfiable";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}

static void send_headers(response *res)
{
    sbuf head;
    sbuf_init(&head, res->arena, 512);
    sbuf_printf(&head, "Status: %d %s\r\n", res->status, http_reason(res->status));
    for (size_t i = 0; i < res->headers.count; i++)
        sbuf_printf(&head, "%s: %s\r\n", res->headers.items[i].name, res->headers.items[i].value);
    sbuf_puts(&head, "\r\n");
    res->io->write(res->io->ctx, head.data, head.len);
    res->headers_sent = true;
}

void response_stream_begin(response *res)
{
    if (res->headers_sent)
        return;
    send_headers(res);
    res->io->flush(res->io->ctx);
}

bool response_stream_write(response *res, const char *data, size_t n)
{
    if (!res->headers_sent)
        response_stream_begin(res);
    if (res->head_only)
        return true;
    if (!res->io->write(res->io->ctx, data, n))
        return false;
    res->io->flush(res->io->ctx);
    return true;
}

void response_finish(response *res)
{
    if (res->finished)
        return;
    res->finished = true;
    if (res->headers_sent)
        return;
    if (!res->head_only && res->status != 204 && res->status != 304)
        response_set_header(res, "Content-Length", arena_printf(res->arena, "%zu", res->body.len));
    send_headers(res);
    if (!res->head_only && res->body.len)
        res->io->write(res->io->ctx, res->body.data, res->body.len);
}
