/* Storage replies: errors in the spec's shape {"error": ...} plus the
 * fields storage-js reads (message, code, statusCode as a string), with
 * the real HTTP status; and the mapping of failed statements to those
 * errors (RLS refusals name the operation the policy denied). */
#ifndef PGSTACK_STORAGE_REPLY_H
#define PGSTACK_STORAGE_REPLY_H

#include "core/response.h"
#include "db/txn.h"

void storage_error(response *res, int status, const char *code, const char *message);

/* A failed transaction: 503 unavailable, 403 for an RLS refusal of
 * `operation` ("insert", "update", "delete", "select"), 409 for duplicates
 * and non-empty buckets, 500 otherwise. */
void storage_db_failure(response *res, db_txn *t, db_status st, const char *operation);

/* Common errors. */
void storage_not_found(response *res);        /* 404 NoSuchKey "Object not found" */
void storage_bucket_not_found(response *res); /* 404 NoSuchBucket "Bucket not found" */
void storage_invalid_key(response *res, const char *key, const char *why);

/* A JSON reply from a json-c value (consumed). */
struct json_object;
void storage_json(response *res, int status, struct json_object *body);

#endif
