/* The reply of a read from its statement results; see read_reply.h. The
 * status follows PostgREST's range rules: with a known total, an offset
 * past it is 416 (PGRST103) and a page smaller than it is 206. */
#include "rest/render/read_reply.h"

#include "core/sbuf.h"
#include "rest/error.h"
#include "rest/parse/parse.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

typedef struct counts {
    long long offset;
    long long page;
    bool known;
    long long total;
} counts;

static long long int_value(PGresult *r, int col)
{
    return strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

/* The top plan's "Plan Rows" of an EXPLAIN (FORMAT JSON) result. */
static bool planned_rows(PGresult *explain, long long *out)
{
    if (!explain || PQntuples(explain) != 1)
        return false;
    json_object *doc = json_tokener_parse(PQgetvalue(explain, 0, 0)), *plan, *rows;
    json_object *first =
        json_object_is_type(doc, json_type_array) ? json_object_array_get_idx(doc, 0) : NULL;
    bool ok = first && json_object_object_get_ex(first, "Plan", &plan) &&
              json_object_object_get_ex(plan, "Plan Rows", &rows);
    if (ok)
        *out = (long long)json_object_get_double(rows);
    json_object_put(doc);
    return ok;
}

static counts count_results(const rest_request *rq, PGresult *main, PGresult *explain)
{
    counts c = {.offset = rq->paging.offset, .page = int_value(main, 1)};
    bool have_exact = !PQgetisnull(main, 0, 0);
    long long exact = have_exact ? int_value(main, 0) : 0;
    switch (rq->prefer.count) {
    case REST_COUNT_EXACT:
        c.known = have_exact;
        c.total = exact;
        break;
    case REST_COUNT_PLANNED:
        c.known = planned_rows(explain, &c.total);
        break;
    case REST_COUNT_ESTIMATED:
        c.known = true;
        c.total = exact;
        if (exact > REST_ESTIMATE_EXACT_LIMIT && !planned_rows(explain, &c.total))
            c.total = exact;
        break;
    case REST_COUNT_UNSET:
        break;
    }
    return c;
}

static const char *content_range(arena *a, const counts *c)
{
    sbuf b; /* "0-19/42"; a star for an empty page or an unknown total; no printf */
    sbuf_init(&b, a, 48);
    if (c->page > 0) {
        sbuf_puts(&b, arena_itoa(a, c->offset));
        sbuf_putc(&b, '-');
        sbuf_puts(&b, arena_itoa(a, c->offset + c->page - 1));
    } else {
        sbuf_putc(&b, '*');
    }
    sbuf_putc(&b, '/');
    sbuf_puts(&b, c->known ? arena_itoa(a, c->total) : "*");
    return b.data;
}

static void set_preference_applied(reply *r, const rest_request *rq)
{
    rest_preferences applied;
    memset(&applied, 0, sizeof applied);
    applied.count = rq->prefer.count;
    const char *h = rest_preferences_applied(r->arena, &applied);
    if (h)
        reply_set_header(r, "Preference-Applied", h);
}

const char *rest_content_type(rest_media m)
{
    switch (m) {
    case REST_MEDIA_OBJECT:
        return "application/vnd.pgrst.object+json; charset=utf-8";
    case REST_MEDIA_CSV:
        return "text/csv; charset=utf-8";
    case REST_MEDIA_JSON:
        break;
    }
    return "application/json; charset=utf-8";
}

static void set_body(reply *r, const rest_request *rq, const rest_read_sql *sql, PGresult *main,
                     long long page)
{
    sbuf_clear(&r->body);
    if (PQgetisnull(main, 0, 2))
        return;
    if (rq->media == REST_MEDIA_CSV) {
        sbuf_puts(&r->body, sql->csv_header ? sql->csv_header : "");
        if (page > 0)
            sbuf_putc(&r->body, '\n');
    }
    sbuf_append(&r->body, PQgetvalue(main, 0, 2), (size_t)PQgetlength(main, 0, 2));
}

static bool check_range(reply *r, const counts *c)
{
    if (!c->known || c->offset <= c->total)
        return true;
    rest_error e;
    rest_error_set(&e, r->arena, 416, "PGRST103",
                   arena_printf(r->arena,
                                "An offset of %lld was requested, but there are only %lld rows.",
                                c->offset, c->total),
                   NULL, "Requested range not satisfiable");
    reply_set_header(r, "Content-Range", content_range(r->arena, c));
    rest_error_render(r, &e);
    return false;
}

static bool check_object(reply *r, const rest_request *rq, const counts *c)
{
    if (rq->media != REST_MEDIA_OBJECT || c->page == 1)
        return true;
    rest_error e;
    rest_error_set(&e, r->arena, 406, "PGRST116",
                   arena_printf(r->arena, "The result contains %lld rows", c->page), NULL,
                   "Cannot coerce the result to a single JSON object");
    rest_error_render(r, &e);
    return false;
}

void rest_read_reply(reply *r, const rest_request *rq, const rest_read_sql *sql, PGresult *main,
                     PGresult *explain)
{
    counts c = count_results(rq, main, explain);
    if (!check_range(r, &c) || !check_object(r, rq, &c))
        return;
    r->status = c.known && c.page < c.total ? 206 : 200;
    reply_set_header(r, "Content-Type", rest_content_type(rq->media));
    reply_set_header(r, "Content-Range", content_range(r->arena, &c));
    set_preference_applied(r, rq);
    set_body(r, rq, sql, main, c.page);
}
