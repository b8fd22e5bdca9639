/* The RLS debugging endpoint; see rls_debug.h. */
#include "rest/rls_debug.h"

#include "db/error.h"
#include "worker/app.h"
#include "worker/caller.h"
#include "worker/credentials.h"

#define RLS_DEBUG_SQL                                                                              \
    "select json_build_object('role', current_setting('request.jwt.claim.role', true), "           \
    "'db_role', current_user, 'uid', auth.uid(), "                                                 \
    "'claims', auth.jwt())::text"

void rest_rls_debug_handle(request *req, response *res)
{
    app_ctx *app = req->app;
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    int q = db_txn_add(t, RLS_DEBUG_SQL, 0, NULL);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return;
    }
    response_json(res, 200, PQgetvalue(db_txn_result(t, q), 0, 0));
}
