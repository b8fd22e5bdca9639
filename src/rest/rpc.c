/* /rpc/{function}; see rpc.h. As for reads, a catalog found out of date
 * (the version check failed, or the function was unknown and the database
 * has a newer version) is reloaded and the call planned and run again,
 * once. */
#include "rest/rpc.h"

#include "rest/catalog/catalog_cache.h"
#include "rest/error.h"
#include "rest/input.h"
#include "rest/plan/plan_rpc.h"
#include "rest/read.h"
#include "rest/rpc_args.h"
#include "worker/app.h"

static void reply_plan_error(response *res, const rest_error *err)
{
    if (err->status == 405)
        response_set_header(res, "Allow", "POST");
    rest_reply_error(res, err);
}

/* Plans and runs the call; false when the catalog changed under it. */
static bool run_call(request *req, response *res, const rest_request *rq, const char *function,
                     const rest_rpc_args *args, int attempt)
{
    app_ctx *app = req->app;
    rest_error err;
    const rest_catalog *cat = rest_catalog_current(app, req->arena, &err);
    rest_plan plan;
    if (!cat) {
        rest_reply_error(res, &err);
        return true;
    }
    if (!rest_plan_rpc(req->arena, cat, rq, function, args, &plan, &err)) {
        if (rest_catalog_retry(app, req->arena, cat, attempt, &err, NULL, DB_OK))
            return false;
        reply_plan_error(res, &err);
        return true;
    }
    return rest_read_run(req, res, rq, cat, &plan, attempt);
}

void rest_rpc_handle(request *req, response *res)
{
    rest_request rq;
    rest_rpc_args args;
    rest_error err;
    if (!rest_input_parse(req, true, &rq, &err) || !rest_rpc_args_read(req, &rq, &args, &err)) {
        rest_reply_error(res, &err);
        return;
    }
    const char *function = request_param(req, "function");
    for (int attempt = 0; !run_call(req, res, &rq, function, &args, attempt); attempt++)
        ;
}
