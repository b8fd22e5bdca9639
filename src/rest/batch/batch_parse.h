/* The body of POST /rest/v1/batch, checked before anything runs:
 *   {"atomic": true|false (default true),
 *    "operations": [{"id": "a", "method": "GET|POST|PATCH|DELETE",
 *                    "path": "/table?query" (or "/rest/v1/table?query"),
 *                    "headers": {"Prefer": "..."}, "body": ...}, ...]}
 * Ids are unique ([A-Za-z0-9_-], at most 64 characters). References
 * "{{id.field}}" to the result of an earlier operation may stand in the
 * body's string values and in the query's parameter values (after the
 * query string is split, so a value can never add a parameter). A string
 * that is exactly one reference becomes the referenced JSON value; a
 * reference inside other text becomes its text. The referenced field is
 * read from the operation's data: the object, or the first row of an
 * array. Failures are 400 PGRST102 naming the operation. */
#ifndef PGSTACK_REST_BATCH_PARSE_H
#define PGSTACK_REST_BATCH_PARSE_H

#include "core/arena.h"
#include "core/header.h"
#include "core/query.h"
#include "rest/error.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define REST_BATCH_MAX_ID 64

typedef struct rest_batch_op {
    const char *id;
    const char *method;   /* GET, POST, PATCH or DELETE */
    const char *table;    /* NULL for an RPC operation */
    const char *function; /* POST /rpc/{function}: the function; else NULL */
    query_params query;   /* decoded; values may hold references */
    header_list headers;  /* lower-case names */
    json_object *body;    /* NULL when absent; owned by the arena */
    /* 0: references nothing; else 1 + the index of the latest operation
     * it references */
    size_t depends_on;
} rest_batch_op;

typedef struct rest_batch {
    bool atomic;
    rest_batch_op *ops;
    size_t count;
} rest_batch;

/* Parses and checks len bytes of data. *failed_op is the id (or "#n",
 * counting from 0) of the operation at fault, NULL for the whole body. */
bool rest_batch_parse(arena *a, const char *data, size_t len, size_t max_ops, size_t max_query_len,
                      rest_batch *out, rest_error *err, const char **failed_op);

/* An operation with its references resolved. */
typedef struct rest_batch_resolved {
    query_params query;
    const char *body_text; /* the body as JSON text; NULL when absent */
} rest_batch_resolved;

/* Resolves the references of operation i from the data of the earlier
 * operations (data[j]: the JSON data of operation j, NULL when it gave
 * none). Fails (400) when a referenced field is missing. */
bool rest_batch_resolve(arena *a, const rest_batch *b, size_t i, json_object *const *data,
                        rest_batch_resolved *out, rest_error *err);

#endif
