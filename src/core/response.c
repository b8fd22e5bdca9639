/* Response building and CGI/FastCGI output; see response.h. */
#include "core/response.h"
#include "core/vec.h"

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
    l->items = vec_grow(res->arena, l->items, l->count, &l->cap, l->count + 1, sizeof(header));
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

static const struct {
    int status;
    const char *reason;
} REASONS[] = {
    {200, "OK"},
    {201, "Created"},
    {204, "No Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {300, "Multiple Choices"},
    {302, "Found"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {409, "Conflict"},
    {413, "Content Too Large"},
    {416, "Range Not Satisfiable"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

const char *http_reason(int status)
{
    for (size_t i = 0; i < sizeof REASONS / sizeof REASONS[0]; i++)
        if (REASONS[i].status == status)
            return REASONS[i].reason;
    return "Unknown";
}

static void send_headers(response *res)
{
    sbuf head;
    sbuf_init(&head, res->arena, 512);
    char status[4] = {(char)('0' + res->status / 100 % 10), (char)('0' + res->status / 10 % 10),
                      (char)('0' + res->status % 10), '\0'};
    sbuf_puts(&head, "Status: ");
    sbuf_puts(&head, status);
    sbuf_putc(&head, ' ');
    sbuf_puts(&head, http_reason(res->status));
    sbuf_puts(&head, "\r\n");
    for (size_t i = 0; i < res->headers.count; i++) { /* no printf: a few µs per request */
        sbuf_puts(&head, res->headers.items[i].name);
        sbuf_puts(&head, ": ");
        sbuf_puts(&head, res->headers.items[i].value);
        sbuf_puts(&head, "\r\n");
    }
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

void response_headers_only(response *res)
{
    if (!res->headers_sent)
        send_headers(res);
}

void response_finish(response *res)
{
    if (res->finished)
        return;
    res->finished = true;
    if (res->headers_sent)
        return;
    if (!res->head_only && res->status != 204 && res->status != 304)
        response_set_header(res, "Content-Length",
                            arena_itoa(res->arena, (long long)res->body.len));
    send_headers(res);
    if (!res->head_only && res->body.len)
        res->io->write(res->io->ctx, res->body.data, res->body.len);
}
