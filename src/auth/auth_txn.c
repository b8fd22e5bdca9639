/* Auth worker transactions; see auth_txn.h. */
#include "auth/auth_txn.h"

#include "auth/reply.h"
#include "worker/app.h"
#include "worker/caller.h"

db_txn *auth_txn_new(request *req)
{
    app_ctx *app = req->app;
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    caller.db_role = "pgstack_auth";
    return db_txn_new(req->arena, app->db, &caller);
}

void auth_txn_rate_limit(db_txn *t, request *req, const char *kind, long max)
{
    const char **v = arena_alloc(req->arena, 2 * sizeof(char *));
    v[0] = arena_printf(req->arena, "%s:%s", kind, req->client_addr);
    v[1] = arena_printf(req->arena, "%ld", max);
    db_txn_add(t, "select auth.rate_limit_hit($1, $2::int)", 2, v);
}

bool auth_txn_run(db_txn *t, request *req, response *res)
{
    db_status st = db_txn_run(t, app_txn_wait_ms(req->app));
    if (st == DB_OK)
        return true;
    auth_reply_db_failure(res, t, st);
    return false;
}
