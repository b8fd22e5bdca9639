/* Storage error and JSON replies; see reply.h. */
#include "storage/reply.h"

#include "core/arena.h"
#include "core/errors.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

void storage_error(response *res, int status, const char *code, const char *message)
{
    json_object *extra = json_object_new_object();
    char status_text[8];
    snprintf(status_text, sizeof status_text, "%d", status);
    json_object_object_add(extra, "message", json_object_new_string(message));
    json_object_object_add(extra, "statusCode", json_object_new_string(status_text));
    if (code)
        json_object_object_add(extra, "code", json_object_new_string(code));
    http_error_with(res, status, message, extra);
}

void storage_not_found(response *res)
{
    storage_error(res, 404, "NoSuchKey", "Object not found");
}

void storage_bucket_not_found(response *res)
{
    storage_error(res, 404, "NoSuchBucket", "Bucket not found");
}

void storage_invalid_key(response *res, const char *key, const char *why)
{
    storage_error(res, 400, "InvalidKey",
                  arena_printf(res->arena, "Invalid key: %s (%s)", key ? key : "", why));
}

void storage_json(response *res, int status, json_object *body)
{
    response_json(res, status, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
    json_object_put(body);
}

static void rls_refusal(response *res, const char *message, const char *operation)
{
    const char *text =
        operation ? arena_printf(res->arena,
                                 "new row violates row-level security policy: the %s policy of "
                                 "storage.objects refused this %s",
                                 operation, operation)
                  : message;
    storage_error(res, 403, "AccessDenied", text);
}

void storage_db_failure(response *res, db_txn *t, db_status st, const char *operation)
{
    if (st == DB_UNAVAILABLE) {
        storage_error(res, 503, "DatabaseError", "database unavailable");
        return;
    }
    PGresult *err = db_txn_error(t, NULL);
    const char *state = err ? PQresultErrorField(err, PG_DIAG_SQLSTATE) : NULL;
    const char *message = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    message = message ? message : "unknown database error";
    if (!state)
        storage_error(res, 500, "DatabaseError", message);
    else if (strcmp(state, "42501") == 0 && operation && strcmp(operation, "upsert") == 0)
        rls_refusal(res, message, strstr(message, "USING") ? "update" : "insert");
    else if (strcmp(state, "42501") == 0)
        rls_refusal(res, message, strstr(message, "row-level security") ? operation : NULL);
    else if (strcmp(state, "23505") == 0)
        storage_error(res, 409, "Duplicate", "The resource already exists");
    else if (strcmp(state, "23503") == 0)
        storage_error(res, 409, "ResourceNotEmpty", "The bucket you tried to delete is not empty");
    else if (strcmp(state, "57014") == 0)
        storage_error(res, 503, "DatabaseTimeout", "statement timeout");
    else if (state[0] == '2' && state[1] == '2')
        storage_error(res, 400, "InvalidRequest", message);
    else
        storage_error(res, 500, "DatabaseError", message);
}
