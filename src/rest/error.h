/* REST errors: what every stage reports (status + PostgREST's code,
 * message, details, hint) and the one place that turns them into replies:
 * JSON with the spec's "error" plus "code", "message", "details", "hint"
 * (what postgrest-js reads). Database failures are mapped from their
 * SQLSTATE to an HTTP status as PostgREST maps them. */
#ifndef PGSTACK_REST_ERROR_H
#define PGSTACK_REST_ERROR_H

#include "core/request.h"
#include "core/reply.h"
#include "core/response.h"
#include "db/txn.h"
#include "rest/parse/parse.h"

#include <stdbool.h>

typedef struct rest_error {
    int status;
    const char *code;
    const char *message;
    const char *details;      /* or NULL */
    const char *hint;         /* or NULL */
    const char *details_json; /* structured details as JSON text (PGRST201), else NULL */
} rest_error;

/* Fills e (message formatted into the arena); returns false for
 * `return rest_error_set(...)`. details and hint may be NULL. */
bool rest_error_set(rest_error *e, arena *a, int status, const char *code, const char *details,
                    const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

void rest_error_from_parse(rest_error *e, const rest_parse_error *p);

/* The reply of e: {"error", "code", "message", "details", "hint"} (what
 * postgrest-js reads), WWW-Authenticate with a 401. rest_reply_error
 * renders and sends it. */
void rest_error_render(reply *r, const rest_error *e);
void rest_reply_error(response *res, const rest_error *e);

/* The status PostgREST gives a failed statement's SQLSTATE; anon: the
 * caller is the anon role (insufficient privilege is then 401). */
int rest_status_for_sqlstate(const char *state, const char *message, bool anon);

/* The caller of req has no credentials or the anon role. */
bool rest_caller_is_anon(const request *req);

/* The reply of a failed caller transaction: 503 when the database is
 * unavailable, else the failed statement's error with its status. */
void rest_db_failure_render(reply *r, const request *req, db_txn *t, db_status st);
void rest_reply_db_failure(response *res, const request *req, db_txn *t, db_status st);

#endif
