/* A reply as a value (PostgREST's Response): status, headers and body, built
 * by a render step and sent at the edge with response_send, or composed by
 * another step (a batch takes each operation's status and body from it,
 * an error's JSON document as the value it is, never re-parsed). */
#ifndef PGSTACK_REPLY_H
#define PGSTACK_REPLY_H

#include "core/arena.h"
#include "core/header.h"
#include "core/response.h"
#include "core/sbuf.h"

#include <json-c/json.h>

typedef struct reply {
    arena *arena;
    int status;
    header_list headers;
    sbuf body;          /* empty: no body */
    json_object *error; /* an error reply's document (arena-owned), or NULL */
} reply;

void reply_init(reply *r, arena *a);
/* Sets a header, replacing one of the same name (case-insensitive). */
void reply_set_header(reply *r, const char *name, const char *value);
const char *reply_get_header(const reply *r, const char *name);
/* Status and JSON text as the body. */
void reply_json(reply *r, int status, const char *json_text);
void reply_empty(reply *r, int status);
/* {"error": message} with the fields of extra (taken over, may be NULL): the
 * document in r->error, its text as the body. */
void reply_error(reply *r, int status, const char *message, json_object *extra);

/* The edge: status, headers and body of r into res. */
void response_send(response *res, const reply *r);

#endif
