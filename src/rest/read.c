/* GET and HEAD /rest/v1/{table}; see read.h. When the catalog turns out
 * to be out of date (the version check in the transaction failed, or the
 * planner did not know a name and the database has a newer version), it is
 * reloaded and the request planned and run again, once. */
#include "rest/read.h"

#include "rest/catalog/catalog_cache.h"
#include "rest/error.h"
#include "rest/input.h"
#include "rest/plan/plan.h"
#include "rest/plan/plan_rpc.h"
#include "rest/render/read_reply.h"
#include "rest/sql/sql.h"
#include "worker/app.h"
#include "worker/caller.h"

bool rest_read_run(request *req, response *res, const rest_request *rq, const rest_catalog *cat,
                   const rest_plan *plan, int attempt)
{
    app_ctx *app = req->app;
    rest_read_sql sql;
    rest_sql_read(req->arena, plan, &sql);
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    rest_catalog_add_check(app, req->arena, t, cat);
    int main_q = db_txn_add(t, sql.main.sql, sql.main.param_count, sql.main.params);
    int explain_q = sql.explain.sql ? db_txn_add(t, sql.explain.sql, sql.explain.param_count,
                                                 sql.explain.params)
                                    : -1;
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (rest_catalog_retry(app, req->arena, cat, attempt, NULL, t, st))
        return false;
    reply r;
    reply_init(&r, req->arena);
    if (st != DB_OK)
        rest_db_failure_render(&r, req, t, st);
    else if (plan->root->call && plan->root->call->shape == PLAN_CALL_VOID)
        reply_empty(&r, 204);
    else
        rest_read_reply(&r, rq, &sql, db_txn_result(t, main_q), db_txn_result(t, explain_q));
    response_send(res, &r);
    return true;
}

/* Plans and runs the read; false when the catalog changed under it. */
static bool run_read(request *req, response *res, const rest_request *rq, const char *table,
                     int attempt)
{
    app_ctx *app = req->app;
    rest_error err;
    const rest_catalog *cat = rest_catalog_current(app, req->arena, &err);
    rest_plan plan;
    if (!cat) {
        rest_reply_error(res, &err);
        return true;
    }
    if (!rest_plan_read(req->arena, cat, rq, table, &plan, &err)) {
        if (rest_catalog_retry(app, req->arena, cat, attempt, &err, NULL, DB_OK))
            return false;
        rest_reply_error(res, &err);
        return true;
    }
    return rest_read_run(req, res, rq, cat, &plan, attempt);
}

void rest_read_handle(request *req, response *res)
{
    rest_request rq;
    rest_error err;
    if (!rest_input_parse(req, false, &rq, &err)) {
        rest_reply_error(res, &err);
        return;
    }
    const char *table = request_param(req, "table");
    for (int attempt = 0; !run_read(req, res, &rq, table, attempt); attempt++)
        ;
}
