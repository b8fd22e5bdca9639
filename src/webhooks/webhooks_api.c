/* The /rest/v1/webhooks handlers; see webhooks_api.h. Each checks the
 * caller is service_role, reads and checks its input, and runs one
 * statement as the caller. */
#include "webhooks/webhooks_api.h"

#include "core/errors.h"
#include "core/json_text.h"
#include "core/uuid.h"
#include "db/error.h"
#include "webhooks/webhook_secret.h"
#include "webhooks/webhooks_body.h"
#include "webhooks/webhooks_settings.h"
#include "worker/app.h"
#include "worker/caller.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define REGISTER_SQL                                                                               \
    "select pgstack.webhook_register($1, array(select json_array_elements_text($2::json)), $3, "   \
    "$4, array(select json_array_elements_text($5::json)))::text"
#define LIST_SQL "select pgstack.webhook_list()::text"
#define DELETE_SQL "select pgstack.webhook_delete($1::uuid)"
#define DELIVERIES_SQL "select pgstack.webhook_delivery_log($1::uuid, $2::integer)::text"
#define RETRY_SQL "select pgstack.webhook_retry($1::uuid, $2::bigint)"

#define DELIVERIES_LIMIT_MAX 1000

static bool webhooks_service_only(request *req, response *res)
{
    if (req->auth && req->auth->present && req->auth->role &&
        strcmp(req->auth->role, "service_role") == 0)
        return true;
    http_error(res, 403, "webhooks need the service_role key");
    return false;
}

/* Runs one statement as the caller; its single value, or NULL after
 * replying with the failure. */
static const char *webhooks_run(request *req, response *res, const char *sql, int n,
                                const char *const *params)
{
    app_ctx *app = req->app;
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    int q = db_txn_add(t, sql, n, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return NULL;
    }
    PGresult *r = db_txn_result(t, q);
    return PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
}

static const char *schemas_json(request *req)
{
    const str_list *s = &((app_ctx *)req->app)->cfg.db_schemas;
    json_object *arr = json_arena_owned(req->arena, json_object_new_array());
    for (size_t i = 0; i < s->count; i++)
        json_object_array_add(arr, json_object_new_string(s->items[i]));
    if (s->count == 0)
        json_object_array_add(arr, json_object_new_string("public"));
    return json_text(req->arena, arr);
}

/* The secret sealed for storage (NULL for none); false after a 500. */
static bool sealed_secret(request *req, response *res, const char *secret, const char **out)
{
    *out = NULL;
    if (!*secret)
        return true;
    char *sealed = webhook_secret_seal(((app_ctx *)req->app)->cfg.jwt_secret, secret);
    if (!sealed) {
        http_error(res, 500, "could not seal the webhook secret");
        return false;
    }
    *out = arena_strdup(req->arena, sealed);
    free(sealed);
    return true;
}

void webhooks_create_handle(request *req, response *res)
{
    char why[256];
    const webhooks_settings *s = webhooks_settings_get(why, sizeof why);
    if (!webhooks_service_only(req, res))
        return;
    if (!s) {
        http_error(res, 500, "webhook settings: %s", why);
        return;
    }
    webhook_registration w;
    if (!webhooks_body_read(req->arena, req->body, req->body_len, s->deny_private, &w, why,
                            sizeof why)) {
        http_error(res, 400, "%s", why);
        return;
    }
    const char *sealed;
    if (!sealed_secret(req, res, w.secret, &sealed))
        return;
    const char *params[] = {w.url, w.events_json, w.table_name, sealed, schemas_json(req)};
    const char *json = webhooks_run(req, res, REGISTER_SQL, 5, params);
    if (json && !*json)
        http_error(res, 400, "table_name %s is not a table of an exposed schema", w.table_name);
    else if (json)
        response_json(res, 201, json);
}

void webhooks_list_handle(request *req, response *res)
{
    const char *json =
        webhooks_service_only(req, res) ? webhooks_run(req, res, LIST_SQL, 0, NULL) : NULL;
    if (json)
        response_json(res, 200, json);
}

/* The {id} parameter when it is a UUID; else NULL after a 400. */
static const char *webhook_id(request *req, response *res)
{
    const char *id = request_param(req, "id");
    if (id && uuid_text_valid(id))
        return id;
    http_error(res, 400, "webhook id must be a UUID");
    return NULL;
}

void webhooks_delete_handle(request *req, response *res)
{
    const char *id = webhooks_service_only(req, res) ? webhook_id(req, res) : NULL;
    const char *found = id ? webhooks_run(req, res, DELETE_SQL, 1, &id) : NULL;
    if (found && strcmp(found, "t") == 0)
        response_json(res, 200, "{\"message\": \"webhook deleted\"}");
    else if (found)
        http_error(res, 404, "webhook not found");
}

/* ?limit= (1..1000, default 100); false after a 400. */
static bool deliveries_limit(request *req, response *res, const char **out)
{
    const char *limit = query_get(&req->query, "limit");
    *out = "100";
    if (!limit)
        return true;
    char *end;
    long n = strtol(limit, &end, 10);
    if (*limit && !*end && n >= 1 && n <= DELIVERIES_LIMIT_MAX) {
        *out = limit;
        return true;
    }
    http_error(res, 400, "limit must be an integer from 1 to %d", DELIVERIES_LIMIT_MAX);
    return false;
}

void webhooks_deliveries_handle(request *req, response *res)
{
    const char *params[2];
    if (!webhooks_service_only(req, res) || !(params[0] = webhook_id(req, res)) ||
        !deliveries_limit(req, res, &params[1]))
        return;
    const char *json = webhooks_run(req, res, DELIVERIES_SQL, 2, params);
    if (json && !*json)
        http_error(res, 404, "webhook not found");
    else if (json)
        response_json(res, 200, json);
}

static bool delivery_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

void webhooks_retry_handle(request *req, response *res)
{
    const char *params[2];
    if (!webhooks_service_only(req, res) || !(params[0] = webhook_id(req, res)))
        return;
    params[1] = request_param(req, "delivery_id");
    if (!delivery_id_valid(params[1])) {
        http_error(res, 400, "delivery id must be a positive integer");
        return;
    }
    const char *outcome = webhooks_run(req, res, RETRY_SQL, 2, params);
    if (!outcome)
        return;
    if (strcmp(outcome, "queued") == 0)
        response_json(res, 202, "{\"message\": \"delivery queued\"}");
    else if (strcmp(outcome, "not_dead") == 0)
        http_error(res, 409, "only a dead delivery can be retried");
    else
        http_error(res, 404, "delivery not found");
}
