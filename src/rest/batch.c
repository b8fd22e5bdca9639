/* POST /rest/v1/batch; see batch.h. Each operation becomes a sub-request
 * (the batch request with the operation's method, query, headers and
 * body) that goes through the single-request stages: input -> plan ->
 * SQL, and after the run read_reply/write_reply render its reply value,
 * whose status and body make the operation's result. */
#include "rest/batch.h"

#include "core/json_text.h"
#include "core/sbuf.h"
#include "rest/batch/batch_parse.h"
#include "rest/parse/body.h"
#include "rest/catalog/catalog_cache.h"
#include "rest/error.h"
#include "rest/input.h"
#include "rest/plan/plan.h"
#include "rest/plan/plan_rpc.h"
#include "rest/plan/plan_write.h"
#include "rest/render/read_reply.h"
#include "rest/rest_settings.h"
#include "rest/rpc_args.h"
#include "rest/sql/sql.h"
#include "rest/sql/sql_write.h"
#include "rest/render/write_reply.h"
#include "worker/app.h"
#include "worker/caller.h"

#include <string.h>

#define SAVEPOINT "savepoint rest_batch_op"
#define RELEASE "release savepoint rest_batch_op"
#define ROLLBACK_TO "rollback to savepoint rest_batch_op"

/* One operation, ready to run, and then its result. */
typedef struct op_state {
    rest_request rq;
    bool is_read;
    rest_read_sql rsql;
    rest_write_plan wplan;
    rest_write_sql wsql;
    bool single_object;                     /* POST of one object: data is the row */
    int first_q, main_q, explain_q, last_q; /* statements in the transaction */
    /* the result */
    bool done;
    int status;
    json_object *reply; /* data (2xx) or the error object */
} op_state;

typedef struct batch_run {
    request *req;
    response *res;
    const rest_catalog *cat;
    rest_batch b;
    op_state *st;
    json_object **data; /* per operation: its data, for references */
    db_txn *t;
} batch_run;

/* The operation's headers, with return=representation for writes whose
 * Prefer does not say what to return. */
static header_list op_headers(arena *a, const rest_batch_op *op)
{
    header_list h = {arena_zalloc(a, (op->headers.count + 1) * sizeof(header)), 0,
                     op->headers.count + 1};
    bool has_prefer = false;
    for (size_t i = 0; i < op->headers.count; i++) {
        header x = op->headers.items[i];
        if (strcmp(x.name, "prefer") == 0) {
            has_prefer = true;
            if (strcmp(op->method, "GET") != 0 && !strstr(x.value, "return="))
                x.value = arena_printf(a, "%s, return=representation", x.value);
        }
        h.items[h.count++] = x;
    }
    if (!has_prefer && strcmp(op->method, "GET") != 0)
        h.items[h.count++] = (header){"prefer", "return=representation"};
    return h;
}

/* An RPC operation: planned as /rpc/{function} is, replied to as a read. */
static bool prepare_call(batch_run *r, op_state *s, request *sub, const char *function,
                         const rest_batch_resolved *rv, rest_error *err)
{
    arena *a = r->req->arena;
    const char *text = rv->body_text ? rv->body_text : "{}";
    rest_rpc_args args;
    rest_plan plan;
    if (!rest_input_parse(sub, true, &s->rq, err) ||
        !rest_rpc_args_from_body(a, text, strlen(text), request_header(sub, "content-type"), &args,
                                 err) ||
        !rest_plan_rpc(a, r->cat, &s->rq, function, &args, &plan, err))
        return false;
    s->is_read = true;
    rest_sql_read(a, &plan, &s->rsql);
    return true;
}

/* Parses, plans and generates the SQL of operation i with its references
 * resolved (or, before the run, still unresolved: a check only). */
static bool prepare_op(batch_run *r, size_t i, const rest_batch_resolved *rv, rest_error *err)
{
    arena *a = r->req->arena;
    const rest_batch_op *op = &r->b.ops[i];
    op_state *s = &r->st[i];
    request sub = *r->req;
    sub.method = op->method;
    sub.query = rv->query;
    sub.headers = op_headers(a, op);
    if (op->function)
        return prepare_call(r, s, &sub, op->function, rv, err);
    if (!rest_input_parse(&sub, false, &s->rq, err))
        return false;
    s->is_read = s->rq.method == REST_GET;
    if (s->is_read) {
        rest_plan plan;
        if (!rest_plan_read(a, r->cat, &s->rq, op->table, &plan, err))
            return false;
        rest_sql_read(a, &plan, &s->rsql);
        return true;
    }
    rest_body *body = NULL;
    if (s->rq.method != REST_DELETE) {
        body = arena_zalloc(a, sizeof(*body));
        const char *text = rv->body_text ? rv->body_text : "";
        if (!rest_body_parse(a, request_header(&sub, "content-type"), text, strlen(text), body,
                             err))
            return false;
        s->single_object = s->rq.method == REST_POST && !body->is_array;
    }
    if (!rest_plan_write(a, r->cat, &s->rq, body, op->table, &s->wplan, err))
        return false;
    rest_sql_write(a, &s->wplan, &s->wsql);
    return true;
}

/* An operation's result from its reply value: an error's document as it
 * is; data as PostgreSQL rendered it, read once so that later operations
 * can refer to it (CSV stays a string). */
static void take_reply(batch_run *r, size_t i, const reply *rep)
{
    op_state *s = &r->st[i];
    arena *a = r->req->arena;
    s->done = true;
    s->status = rep->status;
    json_object *body = rep->error;
    if (!body && rep->body.len) {
        body = json_arena_owned(a, json_parse_exact(rep->body.data, rep->body.len));
        if (!body) /* CSV */
            body =
                json_arena_owned(a, json_object_new_string_len(rep->body.data, (int)rep->body.len));
    }
    if (s->status < 400 && s->single_object && json_object_is_type(body, json_type_array) &&
        json_object_array_length(body) == 1)
        body = json_object_array_get_idx(body, 0);
    s->reply = body;
    r->data[i] = s->status < 400 ? body : NULL;
}

static void op_failed(batch_run *r, size_t i, const rest_error *err)
{
    reply rep;
    reply_init(&rep, r->req->arena);
    rest_error_render(&rep, err);
    take_reply(r, i, &rep);
}

static void op_succeeded(batch_run *r, size_t i)
{
    op_state *s = &r->st[i];
    reply rep;
    reply_init(&rep, r->req->arena);
    if (s->is_read)
        rest_read_reply(&rep, &s->rq, &s->rsql, db_txn_result(r->t, s->main_q),
                        db_txn_result(r->t, s->explain_q));
    else
        rest_write_reply(&rep, &s->rq, &s->wplan, &s->wsql, db_txn_result(r->t, s->main_q));
    take_reply(r, i, &rep);
}

static int add_statement(db_txn *t, const rest_statement *st)
{
    return st->sql ? db_txn_add(t, st->sql, st->param_count, st->params) : -1;
}

static void queue_op(batch_run *r, size_t i)
{
    op_state *s = &r->st[i];
    s->first_q = r->b.atomic ? -1 : db_txn_add(r->t, SAVEPOINT, 0, NULL);
    s->main_q = add_statement(r->t, s->is_read ? &s->rsql.main : &s->wsql.main);
    s->explain_q = s->is_read ? add_statement(r->t, &s->rsql.explain) : -1;
    s->last_q = r->b.atomic ? -1 : db_txn_add(r->t, RELEASE, 0, NULL);
    if (s->first_q < 0)
        s->first_q = s->main_q;
    if (s->last_q < 0)
        s->last_q = s->explain_q >= 0 ? s->explain_q : s->main_q;
}

/* A read whose reply can still fail after its statement succeeded (an
 * object that is not one row, a range past the end). */
static bool may_fail_late(const op_state *s)
{
    return s->is_read &&
           (s->rq.media == REST_MEDIA_OBJECT || s->rq.prefer.count != REST_COUNT_UNSET);
}

/* ---- replies ---- */

static json_object *result_json(batch_run *r, size_t i)
{
    op_state *s = &r->st[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(r->b.ops[i].id));
    json_object_object_add(o, "status", json_object_new_int(s->status));
    json_object_object_add(o, s->status < 400 ? "data" : "error", json_object_get(s->reply));
    return o;
}

static void reply_results(batch_run *r, int status)
{
    json_object *doc = json_object_new_object(), *list = json_object_new_array();
    for (size_t i = 0; i < r->b.count; i++)
        json_object_array_add(list, result_json(r, i));
    json_object_object_add(doc, "results", list);
    response_json(r->res, status, json_text(r->req->arena, doc));
    json_object_put(doc);
}

/* The failed operation's error with "failed_operation", at status (its
 * own status before anything ran, 422 after a rolled-back run). */
static void reply_failed(batch_run *r, size_t i, int status)
{
    json_object *doc = json_object_new_object();
    json_object *err = r->st[i].reply;
    if (json_object_is_type(err, json_type_object)) {
        json_object_object_foreach(err, key, val)
            json_object_object_add(doc, key, json_object_get(val));
    }
    json_object_object_add(doc, "failed_operation", json_object_new_string(r->b.ops[i].id));
    response_json(r->res, status, json_text(r->req->arena, doc));
    json_object_put(doc);
}

static void reply_failed_early(response *res, const rest_error *err, const char *op)
{
    reply rep;
    reply_init(&rep, res->arena);
    rest_error_render(&rep, err);
    if (op) {
        json_object_object_add(rep.error, "failed_operation", json_object_new_string(op));
        reply_json(&rep, err->status, json_text(res->arena, rep.error));
    }
    response_send(res, &rep);
}

/* ---- running ---- */

typedef enum { RUN_DONE, RUN_RETRY } run_outcome;

/* The operation whose statements include statement q, or count. */
static size_t op_of_statement(const batch_run *r, size_t from, size_t to, int q)
{
    for (size_t i = from; i < to; i++)
        if (r->st[i].first_q >= 0 && q >= r->st[i].first_q && q <= r->st[i].last_q)
            return i;
    return r->b.count;
}

/* Ends the run after statement failure outside any operation. */
static run_outcome fail_outside(batch_run *r, db_status st, int attempt)
{
    long wait = app_txn_wait_ms(r->req->app);
    bool retry = rest_catalog_retry(r->req->app, r->req->arena, r->cat, attempt, NULL, r->t, st);
    if (!retry)
        rest_reply_db_failure(r->res, r->req, r->t, st);
    db_txn_end_block(r->t, wait);
    return retry ? RUN_RETRY : RUN_DONE;
}

/* Resolves and prepares operation i just before it is queued; false when
 * that failed (the operation's result is then its error). */
static bool ready_op(batch_run *r, size_t i)
{
    if (!r->b.ops[i].depends_on)
        return true;
    rest_batch_resolved rv;
    rest_error err;
    if (rest_batch_resolve(r->req->arena, &r->b, i, r->data, &rv, &err) &&
        prepare_op(r, i, &rv, &err))
        return true;
    op_failed(r, i, &err);
    return false;
}

static run_outcome run_batch(batch_run *r, int attempt)
{
    app_ctx *app = r->req->app;
    long wait = app_txn_wait_ms(app);
    db_caller caller = db_caller_from_request(r->req, app->cfg.db_statement_timeout_ms);
    r->t = db_txn_new_block(r->req->arena, app->db, &caller);
    rest_catalog_add_check(app, r->req->arena, r->t, r->cat);
    size_t next = 0, n = r->b.count;
    bool rollback_pending = false;
    for (;;) {
        size_t start = next, end = next;
        bool late = false;
        if (rollback_pending) {
            db_txn_add(r->t, ROLLBACK_TO, 0, NULL);
            db_txn_add(r->t, RELEASE, 0, NULL);
            rollback_pending = false;
        }
        for (; end < n && r->b.ops[end].depends_on <= start; end++) {
            r->st[end].first_q = -1;
            if (!ready_op(r, end)) {
                if (r->b.atomic) {
                    db_txn_end_block(r->t, wait);
                    reply_failed(r, end, 422);
                    return RUN_DONE;
                }
                continue;
            }
            queue_op(r, end);
            late = late || may_fail_late(&r->st[end]);
        }
        bool commit = end == n && !(r->b.atomic && late);
        if (commit)
            db_txn_add(r->t, "commit", 0, NULL);
        db_status st = db_txn_run(r->t, wait);
        size_t failed = n;
        if (st == DB_QUERY_ERROR) {
            int q;
            db_txn_error(r->t, &q);
            failed = op_of_statement(r, start, end, q);
        }
        if (st != DB_OK && failed == n)
            return fail_outside(r, st, start == 0 ? attempt : REST_ATTEMPTS);
        for (size_t i = start; i < end && i < failed; i++)
            if (r->st[i].first_q >= 0)
                op_succeeded(r, i);
        if (failed < n) {
            reply rep;
            reply_init(&rep, r->req->arena);
            rest_db_failure_render(&rep, r->req, r->t, st);
            take_reply(r, failed, &rep);
        }
        if (r->b.atomic) {
            for (size_t i = start; i < end && failed == n; i++)
                if (r->st[i].status >= 400)
                    failed = i;
            if (failed < n) {
                db_txn_end_block(r->t, wait);
                reply_failed(r, failed, 422);
                return RUN_DONE;
            }
        }
        next = failed < n ? failed + 1 : end;
        rollback_pending = failed < n;
        if (commit && failed == n)
            break;
    }
    db_txn_end_block(r->t, wait);
    reply_results(r, r->b.atomic ? 200 : 207);
    return RUN_DONE;
}

/* Checks every operation (parse, plan, SQL); false after replying, or
 * (RUN_RETRY in *outcome) when a name was unknown to an outdated catalog. */
static bool prepare_all(batch_run *r, int attempt, run_outcome *outcome)
{
    rest_error err;
    for (size_t i = 0; i < r->b.count; i++) {
        /* an operation with references is checked with them unresolved */
        rest_batch_resolved rv = {
            .query = r->b.ops[i].query,
            .body_text = r->b.ops[i].body ? json_text(r->req->arena, r->b.ops[i].body) : NULL,
        };
        if (!prepare_op(r, i, &rv, &err)) {
            if (rest_catalog_retry(r->req->app, r->req->arena, r->cat, attempt, &err, NULL,
                                   DB_OK)) {
                *outcome = RUN_RETRY;
                return false;
            }
            reply_failed_early(r->res, &err, r->b.ops[i].id);
            *outcome = RUN_DONE;
            return false;
        }
    }
    return true;
}

static run_outcome plan_and_run(request *req, response *res, const rest_batch *b, int attempt)
{
    arena *a = req->arena;
    rest_error err;
    batch_run r = {.req = req, .res = res, .b = *b};
    r.cat = rest_catalog_current(req->app, a, &err);
    if (!r.cat) {
        rest_reply_error(res, &err);
        return RUN_DONE;
    }
    r.st = arena_zalloc(a, (b->count ? b->count : 1) * sizeof(op_state));
    r.data = arena_zalloc(a, (b->count ? b->count : 1) * sizeof(json_object *));
    run_outcome outcome;
    if (!prepare_all(&r, attempt, &outcome))
        return outcome;
    return run_batch(&r, attempt);
}

void rest_batch_handle(request *req, response *res)
{
    const pgstack_config *cfg = &req->app->cfg;
    rest_batch b;
    rest_error err;
    const char *failed_op;
    if (!rest_batch_parse(req->arena, req->body, req->body_len,
                          (size_t)rest_settings_of(req)->batch_max_operations,
                          (size_t)cfg->max_query_length, &b, &err, &failed_op)) {
        reply_failed_early(res, &err, failed_op);
        return;
    }
    for (int attempt = 0; plan_and_run(req, res, &b, attempt) == RUN_RETRY; attempt++)
        ;
}
