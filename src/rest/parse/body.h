/* The body of a REST write (POST, PATCH, PUT), checked in C before anything
 * reaches the database: the Content-Type (application/json or none, or
 * text/csv, which becomes the same JSON), JSON that parses, an object or
 * an array of objects, no \u0000 (PostgreSQL text cannot hold NUL) and the
 * keys of the rows, which the planner turns into the column list. The rows
 * travel to PostgreSQL as one JSON array bound as a parameter. Failures
 * are 400 PGRST102 as in PostgREST. Everything lives in the request arena. */
#ifndef PGSTACK_REST_BODY_H
#define PGSTACK_REST_BODY_H

#include "core/arena.h"
#include "rest/error.h"

#include <stdbool.h>
#include <stddef.h>

/* A key of the body's rows and in how many of them it appears. */
typedef struct rest_body_key {
    const char *name;
    size_t rows;
} rest_body_key;

typedef struct rest_body {
    const char *rows_json; /* a JSON array of the row objects (the body, wrapped when an object) */
    size_t row_count;
    bool is_array;       /* the body was an array (an object is one row) */
    rest_body_key *keys; /* every key of any row, in order of first appearance */
    size_t key_count;
    bool uniform; /* every row has the same keys */
} rest_body;

/* Parses a body of len bytes sent with content_type (NULL when absent). */
bool rest_body_parse(arena *a, const char *content_type, const char *data, size_t len,
                     rest_body *out, rest_error *err);

/* body_csv.c: a text/csv body as the JSON array of its rows (the header
 * line names the keys; unquoted NULL is null, other values strings); NULL
 * with err when it is no such CSV. */
const char *rest_csv_to_json(arena *a, const char *data, size_t len, rest_error *err);

/* The key named name, or NULL. */
const rest_body_key *rest_body_find_key(const rest_body *b, const char *name);

#endif
