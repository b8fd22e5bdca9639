/* Reply values; see reply.h. */
#include "core/reply.h"

#include "core/json_text.h"
#include "core/vec.h"

#include <string.h>
#include <strings.h>

void reply_init(reply *r, arena *a)
{
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->status = 200;
    sbuf_init(&r->body, a, 256);
}

static header *find_header(const header_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcasecmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

void reply_set_header(reply *r, const char *name, const char *value)
{
    header *h = find_header(&r->headers, name);
    if (h) {
        h->value = arena_strdup(r->arena, value);
        return;
    }
    header_list *l = &r->headers;
    l->items = vec_grow(r->arena, l->items, l->count, &l->cap, l->count + 1, sizeof(header));
    l->items[l->count++] = (header){arena_strdup(r->arena, name), arena_strdup(r->arena, value)};
}

const char *reply_get_header(const reply *r, const char *name)
{
    header *h = find_header(&r->headers, name);
    return h ? h->value : NULL;
}

void reply_json(reply *r, int status, const char *json_text)
{
    r->status = status;
    reply_set_header(r, "Content-Type", "application/json; charset=utf-8");
    sbuf_clear(&r->body);
    sbuf_puts(&r->body, json_text);
}

void reply_empty(reply *r, int status)
{
    r->status = status;
    sbuf_clear(&r->body);
}

void reply_error(reply *r, int status, const char *message, json_object *extra)
{
    json_object *doc = json_arena_owned(r->arena, json_object_new_object());
    json_object_object_add(doc, "error", json_object_new_string(message));
    if (extra) {
        json_object_object_foreach(extra, key, val)
        {
            if (strcmp(key, "error") != 0)
                json_object_object_add(doc, key, json_object_get(val));
        }
        json_object_put(extra);
    }
    r->error = doc;
    reply_json(r, status, json_text(r->arena, doc));
}

void response_send(response *res, const reply *r)
{
    res->status = r->status;
    for (size_t i = 0; i < r->headers.count; i++)
        response_set_header(res, r->headers.items[i].name, r->headers.items[i].value);
    sbuf_clear(&res->body);
    if (r->body.len)
        sbuf_append(&res->body, r->body.data, r->body.len);
}
