/* The reply of a write from its statement's result; see write_reply.h. */
#include "rest/render/write_reply.h"

#include "core/json_text.h"
#include "core/query.h"
#include "core/sbuf.h"
#include "rest/error.h"
#include "rest/parse/parse.h"
#include "rest/render/read_reply.h"

#include <stdlib.h>
#include <string.h>

/* See write_reply.h; with a Prefer: count the total is exact whatever the
 * kind of count asked for, since the rows written are known. */
static void set_content_range(reply *r, const rest_request *rq, long long count)
{
    arena *a = r->arena;
    if (rq->method == REST_PUT)
        return;
    const char *total = rq->prefer.count != REST_COUNT_UNSET ? arena_printf(a, "%lld", count) : "*";
    const char *range =
        rq->method == REST_PATCH && count > 0 ? arena_printf(a, "0-%lld", count - 1) : "*";
    reply_set_header(r, "Content-Range", arena_printf(a, "%s/%s", range, total));
}

static void set_preference_applied(reply *r, const rest_request *rq, const rest_write_plan *p)
{
    rest_preferences applied;
    memset(&applied, 0, sizeof applied);
    applied.return_ = rq->prefer.return_;
    applied.count = rq->prefer.count;
    if (rq->method == REST_POST || rq->method == REST_PATCH)
        applied.missing = rq->prefer.missing;
    if (rq->method == REST_POST)
        applied.resolution = p->resolution;
    const char *h = rest_preferences_applied(r->arena, &applied);
    if (h)
        reply_set_header(r, "Preference-Applied", h);
}

/* /table?k1=eq.v1&k2=eq.v2 from the JSON array of key values. */
static void set_location(reply *r, const rest_write_plan *p, const char *values)
{
    json_object *doc = json_arena_owned(r->arena, json_parse_exact(values, strlen(values)));
    if (!doc || !json_object_is_type(doc, json_type_array) ||
        json_object_array_length(doc) != p->location_count)
        return;
    sbuf b;
    sbuf_init(&b, r->arena, 64);
    sbuf_printf(&b, "/%s", query_encode(r->arena, p->rel->name));
    for (size_t i = 0; i < p->location_count; i++) {
        json_object *v = json_object_array_get_idx(doc, i);
        sbuf_printf(&b, "%c%s=", i ? '&' : '?', query_encode(r->arena, p->location[i]->name));
        if (json_object_is_type(v, json_type_null))
            sbuf_puts(&b, "is.null");
        else
            sbuf_printf(&b, "eq.%s", query_encode(r->arena, json_object_get_string(v)));
    }
    reply_set_header(r, "Location", b.data);
}

static void set_body(reply *r, const rest_request *rq, const rest_write_sql *sql, PGresult *main,
                     long long count)
{
    reply_set_header(r, "Content-Type", rest_content_type(rq->media));
    sbuf_clear(&r->body);
    if (rq->media == REST_MEDIA_CSV) {
        sbuf_puts(&r->body, sql->csv_header ? sql->csv_header : "");
        if (count > 0)
            sbuf_putc(&r->body, '\n');
    }
    if (!PQgetisnull(main, 0, 1))
        sbuf_append(&r->body, PQgetvalue(main, 0, 1), (size_t)PQgetlength(main, 0, 1));
}

static bool check_put(reply *r, const rest_write_plan *p, long long count)
{
    if (!p->put || count > 0)
        return true;
    rest_error e;
    rest_error_set(&e, r->arena, 400, "PGRST115",
                   "The primary key in the body differs from the one in the filters; nothing "
                   "was written.",
                   NULL, "Payload values do not match URL in primary key column(s)");
    rest_error_render(r, &e);
    return false;
}

void rest_write_reply(reply *r, const rest_request *rq, const rest_write_plan *p,
                      const rest_write_sql *sql, PGresult *main)
{
    long long count = strtoll(PQgetvalue(main, 0, 0), NULL, 10);
    if (!check_put(r, p, count))
        return;
    bool shows = p->return_ == REST_RETURN_REPRESENTATION;
    set_content_range(r, rq, count);
    set_preference_applied(r, rq, p);
    if (!PQgetisnull(main, 0, 2))
        set_location(r, p, PQgetvalue(main, 0, 2));
    if (rq->method == REST_POST)
        reply_empty(r, 201);
    else
        reply_empty(r, shows ? 200 : 204);
    if (shows)
        set_body(r, rq, sql, main, count);
}
