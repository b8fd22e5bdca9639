/* Invoking a function: name -> catalog -> verify_jwt -> runtime. A deno
 * function's deployment and environment are written out for the runtime,
 * then the request is forwarded (proxy.c); a database function runs in a
 * caller transaction (db_runtime.c). See invoke.h. */
#include "functions/invoke.h"

#include "worker/app.h"
#include "core/errors.h"
#include "worker/caller.h"
#include "db/error.h"
#include "functions/bundle.h"
#include "functions/catalog.h"
#include "functions/db_runtime.h"
#include "functions/env_file.h"
#include "functions/functions_settings.h"
#include "functions/proxy.h"
#include "worker/credentials.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void not_found(response *res, const char *name)
{
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "code", json_object_new_string("NOT_FOUND"));
    http_error_with(res, 404,
                    arena_printf(res->arena, "Requested function was not found: %s", name), extra);
}

/* verify_jwt: a valid JWT is required, except for CORS preflights. */
static bool jwt_accepted(request *req, response *res)
{
    if (strcmp(req->method, "OPTIONS") == 0)
        return true;
    app_ctx *app = req->app;
    auth_ctx *ctx = arena_alloc(req->arena, sizeof *ctx);
    const char *error = NULL;
    if (!credentials_resolve(req, &app->cfg, time(NULL), ctx, &error)) {
        http_error(res, 401, "Invalid JWT: %s", error);
        return false;
    }
    if (!ctx->present) {
        http_error(res, 401, "Missing authorization header: %s", CREDENTIALS_MISSING_MESSAGE);
        return false;
    }
    req->auth = ctx;
    return true;
}

/* "/<name>/<sub path as sent>?<query as sent>". */
static const char *forwarded_path(request *req, const char *name)
{
    const char *prefix = req->app->area->prefix;
    size_t n = strlen(prefix);
    const char *rest = "";
    if (req->raw_path && strncmp(req->raw_path, prefix, n) == 0 && req->raw_path[n] == '/') {
        const char *after_name = req->raw_path + n + 1;
        rest = after_name + strcspn(after_name, "/");
    } else if (req->wildcard) {
        rest = arena_printf(req->arena, "/%s", req->wildcard);
    }
    const char *q = req->raw_query && *req->raw_query ? req->raw_query : NULL;
    return arena_printf(req->arena, "/%s%s%s%s", name, rest, q ? "?" : "", q ? q : "");
}

static void invoke_deno(request *req, response *res, const functions_settings *s,
                        const functions_entry *fn)
{
    if (!functions_deno(s)) {
        http_error(res, 503, "Deno runtime not configured");
        return;
    }
    app_ctx *app = req->app;
    char err[512];
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/fn/%s/%s", s->runtime_dir, fn->name, fn->version);
    if (access(dir, F_OK) != 0) {
        const char *files = functions_catalog_files(app, req->arena, fn, res);
        if (!files)
            return;
        if (!functions_bundle_write(s->runtime_dir, fn->name, fn->version, files, err,
                                    sizeof err)) {
            http_error(res, 500, "cannot prepare the function: %s", err);
            return;
        }
    }
    const char *env = functions_env_file(app, req->arena, fn->secrets_version, res);
    if (!env)
        return;
    const char *deployment = arena_printf(req->arena, "%s/%s/%s", fn->name, fn->version, env);
    functions_proxy(req, res, s, forwarded_path(req, fn->name), deployment);
}

void functions_invoke_handle(request *req, response *res)
{
    const char *name = request_param(req, "name");
    if (!name || !functions_name_valid(name)) {
        not_found(res, name ? name : "");
        return;
    }
    const functions_settings *s = req->app->settings;
    functions_entry fn;
    switch (functions_catalog_lookup(req->app, req->arena, name, &fn, res)) {
    case FUNCTIONS_FAILED:
        return;
    case FUNCTIONS_MISSING:
        not_found(res, name);
        return;
    case FUNCTIONS_FOUND:
        break;
    }
    if (fn.verify_jwt && !jwt_accepted(req, res))
        return;
    if (strcmp(fn.runtime, "deno") == 0)
        invoke_deno(req, res, s, &fn);
    else
        functions_db_invoke(req, res, &fn, forwarded_path(req, name));
}

static bool service_role(request *req, response *res)
{
    if (req->auth && req->auth->role && strcmp(req->auth->role, "service_role") == 0)
        return true;
    http_error(res, 403, "the service_role key is required");
    return false;
}

static void run_one(request *req, response *res, const char *sql, bool reply_value)
{
    app_ctx *app = req->app;
    db_txn *t = db_txn_new(req->arena, app->db, NULL);
    int i = db_txn_add(t, sql, 0, NULL);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return;
    }
    response_json(res, 200, reply_value ? PQgetvalue(db_txn_result(t, i), 0, 0) : "{\"ok\":true}");
}

void functions_list_handle(request *req, response *res)
{
    if (service_role(req, res))
        run_one(req, res, "select pgstack_functions.list()", true);
}

void functions_refresh_handle(request *req, response *res)
{
    if (!service_role(req, res))
        return;
    functions_catalog_invalidate();
    run_one(req, res, "select pgstack_functions.refresh()", false);
    /* Without LISTEN, every other worker compares the catalog version at
     * most every FUNCTIONS_CATALOG_CHECK_MS: once that much time has passed,
     * the next request on any worker serves the newest deployment. */
    if (res->status == 200 && !db_conn_uses_prepared(req->app->db)) {
        struct timespec wait = {0, (FUNCTIONS_CATALOG_CHECK_MS + 100) * 1000000L};
        while (wait.tv_nsec >= 1000000000L) {
            wait.tv_sec++;
            wait.tv_nsec -= 1000000000L;
        }
        nanosleep(&wait, NULL);
    }
}
