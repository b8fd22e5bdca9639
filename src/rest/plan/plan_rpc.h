/* Planning a call of /rpc/{function}: the function is chosen among its
 * overloads by the names of the arguments given (PostgREST's rules), then
 * its result is planned like a relation, so that select, filters, order,
 * limit/offset, counts and the media types work on it as on a table:
 *   SETOF / TABLE       an array of rows (of values for a base type)
 *   one composite       an object
 *   a base type         the bare value
 *   void                nothing (the handler answers 204)
 * A function returning the row type of a catalog relation is planned over
 * that relation (embedding works); OUT/TABLE arguments make a relation of
 * their own. The arguments travel as one JSON parameter: the body, or the
 * query string's arguments as an object of strings; PostgreSQL picks the
 * keys (json_to_record), so the SQL text depends only on which arguments
 * were given. Failures: 404 PGRST202 no such function or argument set (with
 * a hint), 300 PGRST203 ambiguous overloads, 405 PGRST101 a VOLATILE
 * function over GET/HEAD, 400 PGRST102 a body that is no object. */
#ifndef PGSTACK_REST_PLAN_RPC_H
#define PGSTACK_REST_PLAN_RPC_H

#include "rest/plan/plan.h"

/* The arguments of a call as the handler read them. */
typedef struct rest_rpc_args {
    const char *payload; /* the JSON body; NULL: the query arguments (rest_request.rpc_args) */
    bool is_object;      /* payload is a JSON object (always true for the query) */
    const char **keys;   /* distinct top-level keys of payload, or query argument names */
    size_t key_count;
} rest_rpc_args;

typedef enum plan_call_shape {
    PLAN_CALL_SET,       /* SETOF / TABLE: an array */
    PLAN_CALL_COMPOSITE, /* one row: an object */
    PLAN_CALL_SCALAR,    /* one value */
    PLAN_CALL_VOID,      /* no body */
} plan_call_shape;

typedef struct plan_call {
    const rest_function *fn;
    plan_call_shape shape;
    bool scalar;                 /* rows are values of a base type, in one column named after fn */
    const char *payload;         /* the JSON parameter; NULL when no argument is passed */
    const char *payload_type;    /* its cast: pg_catalog.json, or the whole argument's type */
    const rest_func_arg **named; /* arguments taken from payload keys, in fn's order */
    size_t named_count;
    const rest_func_arg *whole; /* the argument that takes the whole payload, or NULL */
} plan_call;

/* Plans req (an RPC) calling schema.function (schema: req->schema) with args. */
bool rest_plan_rpc(arena *a, const rest_catalog *cat, const rest_request *req, const char *function,
                   const rest_rpc_args *args, rest_plan *out, rest_error *err);

/* ---- plan_rpc_match.c ---------------------------------------------------- */

/* The overload of schema.name that args call (see above); *whole is set
 * when the payload goes whole to the function's single json/jsonb
 * argument. Errors as above (not the volatility check). */
const rest_function *rest_rpc_match(arena *a, const rest_catalog *cat, const char *schema,
                                    const char *name, const rest_rpc_args *args, bool single_object,
                                    bool *whole, rest_error *err);

/* True for an argument the caller passes: IN, INOUT, VARIADIC. */
bool rest_func_arg_is_input(const rest_func_arg *arg);

#endif
