/* The database runtime; see db_runtime.h. */
#include "functions/db_runtime.h"

#include "worker/app.h"
#include "core/errors.h"
#include "worker/caller.h"
#include "db/quote.h"
#include "db/error.h"
#include "worker/credentials.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>

static const char *const SECRET_HEADERS[] = {"authorization", "apikey", "cookie",
                                             "proxy-authorization"};

static json_object *request_json(request *req, const char *path_and_query)
{
    json_object *o = json_object_new_object(), *query = json_object_new_object(),
                *headers = json_object_new_object();
    json_object_object_add(o, "method", json_object_new_string(req->method));
    size_t path_len = strcspn(path_and_query, "?");
    json_object_object_add(o, "path", json_object_new_string_len(path_and_query, (int)path_len));
    for (size_t i = 0; i < req->query.count; i++)
        json_object_object_add(query, req->query.items[i].key,
                               json_object_new_string(req->query.items[i].value));
    json_object_object_add(o, "query", query);
    for (size_t i = 0; i < req->headers.count; i++) {
        bool secret = false;
        for (size_t k = 0; k < sizeof SECRET_HEADERS / sizeof SECRET_HEADERS[0]; k++)
            secret = secret || strcmp(req->headers.items[i].name, SECRET_HEADERS[k]) == 0;
        if (!secret)
            json_object_object_add(headers, req->headers.items[i].name,
                                   json_object_new_string(req->headers.items[i].value));
    }
    json_object_object_add(o, "headers", headers);
    json_object *body = NULL;
    if (req->body_len > 0) {
        body = json_tokener_parse(req->body);
        if (!body)
            body = json_object_new_string_len(req->body, (int)req->body_len);
    }
    json_object_object_add(o, "body", body);
    return o;
}

/* "schema.fn" -> "schema"."fn" (the names were checked at deploy). */
static const char *qualified(arena *a, const char *db_function)
{
    const char *dot = strchr(db_function, '.');
    if (!dot)
        return db_quote_ident(a, db_function);
    return arena_printf(
        a, "%s.%s", db_quote_ident(a, arena_strndup(a, db_function, (size_t)(dot - db_function))),
        db_quote_ident(a, dot + 1));
}

static void reply_shaped(response *res, json_object *result)
{
    json_object *status, *headers, *body;
    bool shaped = json_object_is_type(result, json_type_object) &&
                  json_object_object_get_ex(result, "status", &status) &&
                  json_object_is_type(status, json_type_int);
    if (!shaped) {
        response_json(res, 200, json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN));
        return;
    }
    int code = json_object_get_int(status);
    if (code < 200 || code > 599) {
        http_error(res, 502, "the database function returned an invalid status %d", code);
        return;
    }
    bool has_type = false;
    if (json_object_object_get_ex(result, "headers", &headers) &&
        json_object_is_type(headers, json_type_object)) {
        json_object_object_foreach(headers, k, v)
        {
            if (strcasecmp(k, "content-length") == 0 || strcasecmp(k, "transfer-encoding") == 0)
                continue;
            const char *text = json_object_get_string(v);
            if (strpbrk(k, "\r\n: ") || strpbrk(text, "\r\n"))
                continue;
            has_type = has_type || strcasecmp(k, "content-type") == 0;
            response_add_header(res, arena_strdup(res->arena, k), arena_strdup(res->arena, text));
        }
    }
    res->status = code;
    if (!json_object_object_get_ex(result, "body", &body) || !body)
        return;
    if (json_object_is_type(body, json_type_string)) {
        if (!has_type)
            response_set_header(res, "Content-Type", "text/plain; charset=utf-8");
        sbuf_puts(&res->body, json_object_get_string(body));
    } else {
        if (!has_type)
            response_set_header(res, "Content-Type", "application/json");
        sbuf_puts(&res->body, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
    }
}

void functions_db_invoke(request *req, response *res, const functions_entry *fn,
                         const char *path_and_query)
{
    app_ctx *app = req->app;
    if (!req->auth) { /* verify_jwt off: the caller is whoever its valid JWT says, else anon */
        auth_ctx *ctx = arena_alloc(req->arena, sizeof *ctx);
        const char *error = NULL;
        if (credentials_resolve(req, &app->cfg, time(NULL), ctx, &error))
            req->auth = ctx;
    }
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    if (!caller.db_role) {
        caller.db_role = "anon";
        caller.claim_role = "anon";
    }
    json_object *in = request_json(req, path_and_query);
    const char *params[] = {
        arena_strdup(req->arena, json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN))};
    json_object_put(in);
    const char *sql = arena_printf(req->arena, "select %s($1::jsonb)::text",
                                   qualified(req->arena, fn->db_function));
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    int i = db_txn_add(t, sql, 1, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return;
    }
    PGresult *r = db_txn_result(t, i);
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        response_empty(res, 204);
        return;
    }
    json_object *result = json_tokener_parse(PQgetvalue(r, 0, 0));
    reply_shaped(res, result);
    json_object_put(result);
}
