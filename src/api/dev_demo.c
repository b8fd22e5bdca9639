/* The demo endpoint; see dev_demo.h. */
#include "api/dev_demo.h"

#include "api/api_settings.h"
#include "api/dev_sql.h"
#include "core/errors.h"
#include "db/error.h"
#include "worker/app.h"
#include "worker/caller.h"
#include "worker/credentials.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define INCREMENT_SQL                                                                              \
    "with c as (insert into pgstack_demo.counters (name, value) values ($1, $2::bigint)"           \
    " on conflict (name) do update set value = pgstack_demo.counters.value + excluded.value,"      \
    " updated_at = now() returning name, value),"                                                  \
    " e as (insert into pgstack_demo.events (name, delta) select $1, $2::bigint)"                  \
    " select name, value from c"
#define RESET_SQL "truncate pgstack_demo.counters, pgstack_demo.events"
#define LIST_SQL "select name, value, updated_at from pgstack_demo.counters order by name"

static bool mounted(const api_settings *s)
{
    return s->enable_demo_endpoint || (s->service_role_key && *s->service_role_key);
}

typedef struct demo_call {
    const char *action;
    const char *name;
    const char *by;
} demo_call;

/* The body's action and arguments; false with a 400 in res. */
static bool parse_call(request *req, response *res, demo_call *call)
{
    json_object *body = req->body_len ? json_tokener_parse(req->body) : NULL;
    json_object *v;
    *call = (demo_call){NULL, "clicks", "1"};
    if (body && json_object_object_get_ex(body, "action", &v) &&
        json_object_is_type(v, json_type_string))
        call->action = arena_strdup(req->arena, json_object_get_string(v));
    if (body && json_object_object_get_ex(body, "name", &v) &&
        json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0 &&
        json_object_get_string_len(v) <= 64)
        call->name = arena_strdup(req->arena, json_object_get_string(v));
    bool by_ok = true;
    if (body && json_object_object_get_ex(body, "by", &v)) {
        by_ok = json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= -1000000 &&
                json_object_get_int64(v) <= 1000000;
        call->by = arena_printf(req->arena, "%lld", (long long)json_object_get_int64(v));
    }
    json_object_put(body);
    bool known =
        call->action && (strcmp(call->action, "increment") == 0 ||
                         strcmp(call->action, "reset") == 0 || strcmp(call->action, "list") == 0);
    if (!known || !by_ok)
        http_error(res, 400,
                   "the body must be {\"action\": \"increment\" | \"reset\" | \"list\"} "
                   "(increment: \"name\" up to 64 characters, \"by\" an integer of at most "
                   "1000000)");
    return known && by_ok;
}

void api_dev_demo_handle(request *req, response *res)
{
    app_ctx *app = req->app;
    if (!mounted(app->settings)) {
        http_error(res, 404, "no route for %s %s", req->method, req->full_path);
        return;
    }
    if (!req->auth || !req->auth->role || strcmp(req->auth->role, "service_role") != 0) {
        http_error(res, 403, "the service_role key is required");
        return;
    }
    demo_call call;
    if (!parse_call(req, res, &call))
        return;
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    const char *params[] = {call.name, call.by};
    bool increment = strcmp(call.action, "increment") == 0;
    int i = increment                           ? db_txn_add(t, INCREMENT_SQL, 2, params)
            : strcmp(call.action, "reset") == 0 ? db_txn_add(t, RESET_SQL, 0, NULL)
                                                : db_txn_add(t, LIST_SQL, 0, NULL);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return;
    }
    PGresult *r = db_txn_result(t, i);
    if (strcmp(call.action, "reset") == 0) {
        response_json(res, 200, "{\"ok\":true}");
        return;
    }
    const char *rows = api_rows_json(req->arena, r);
    if (!increment) {
        response_json(res, 200, rows);
        return;
    }
    size_t n = strlen(rows); /* the one row, without the array brackets */
    response_json(res, 200, arena_strndup(req->arena, rows + 1, n > 2 ? n - 2 : 0));
}
