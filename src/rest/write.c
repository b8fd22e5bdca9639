/* POST, PATCH, PUT and DELETE /rest/v1/{table}; see write.h. As for reads,
 * a catalog found out of date (by the version check in the transaction,
 * or because the planner did not know a name and the database has a newer
 * version) is reloaded and the request planned and run again, once: the
 * check runs before the write, so a failed first try wrote nothing. */
#include "rest/write.h"

#include "rest/parse/body.h"
#include "rest/catalog/catalog_cache.h"
#include "rest/error.h"
#include "rest/input.h"
#include "rest/plan/plan_write.h"
#include "rest/sql/sql_write.h"
#include "rest/render/write_reply.h"
#include "worker/app.h"
#include "worker/caller.h"

#include <string.h>

typedef struct write_request {
    rest_request rq;
    const rest_body *body; /* NULL for DELETE */
    const char *table;
} write_request;

/* Plans and runs the write; false when the catalog changed under it. */
static bool run_write(request *req, response *res, const write_request *w, int attempt)
{
    app_ctx *app = req->app;
    rest_error err;
    const rest_catalog *cat = rest_catalog_current(app, req->arena, &err);
    rest_write_plan plan;
    if (!cat) {
        rest_reply_error(res, &err);
        return true;
    }
    if (!rest_plan_write(req->arena, cat, &w->rq, w->body, w->table, &plan, &err)) {
        if (rest_catalog_retry(app, req->arena, cat, attempt, &err, NULL, DB_OK))
            return false;
        rest_reply_error(res, &err);
        return true;
    }
    rest_write_sql sql;
    rest_sql_write(req->arena, &plan, &sql);
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    rest_catalog_add_check(app, req->arena, t, cat);
    int q = db_txn_add(t, sql.main.sql, sql.main.param_count, sql.main.params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (rest_catalog_retry(app, req->arena, cat, attempt, NULL, t, st))
        return false;
    if (st != DB_OK) {
        rest_reply_db_failure(res, req, t, st);
        return true;
    }
    reply r;
    reply_init(&r, req->arena);
    rest_write_reply(&r, &w->rq, &plan, &sql, db_txn_result(t, q));
    response_send(res, &r);
    return true;
}

static bool read_body(request *req, write_request *w, rest_error *err)
{
    if (w->rq.method == REST_DELETE)
        return true;
    rest_body *body = arena_zalloc(req->arena, sizeof(*body));
    w->body = body;
    return rest_body_parse(req->arena, request_header(req, "content-type"), req->body,
                           req->body_len, body, err);
}

void rest_write_handle(request *req, response *res)
{
    write_request w = {.table = request_param(req, "table")};
    rest_error err;
    if (!rest_input_parse(req, false, &w.rq, &err) || !read_body(req, &w, &err)) {
        rest_reply_error(res, &err);
        return;
    }
    for (int attempt = 0; !run_write(req, res, &w, attempt); attempt++)
        ;
}
