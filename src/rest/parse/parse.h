/* First stage of the REST engine: a pure parser from the query parameters
 * and a few headers of a /rest/v1 request to the model of model.h, with
 * PostgREST's grammar. No database, no catalog; everything it returns lives
 * in the request arena. A failure is a rest_parse_error with the HTTP status
 * and the PostgREST-style code/message/details/hint that the caller sends
 * as the JSON error. */
#ifndef PGSTACK_REST_PARSE_H
#define PGSTACK_REST_PARSE_H

#include "core/arena.h"
#include "core/query.h"
#include "rest/model.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits against abusive requests; exceeding one is a 400 naming it.
 * Depths are clamped to REST_PARSE_MAX_DEPTH whatever is configured. */
typedef struct rest_limits {
    size_t max_embed_depth;   /* nesting of rel(...) in select */
    size_t max_logic_depth;   /* nesting of and/or, the top-level tree is 1 */
    size_t max_filters;       /* filters, logic-tree conditions, rel.order/limit/offset */
    size_t max_select_length; /* bytes of the select parameter */
} rest_limits;

#define REST_PARSE_MAX_DEPTH 256

/* 16, 16, 1000, 65536. */
rest_limits rest_limits_default(void);

/* What the parser reads. Headers are the raw values, NULL when absent;
 * several Prefer headers are joined with ", " by the caller. */
typedef struct rest_parse_input {
    rest_method method;
    bool is_rpc;               /* /rpc/{function} */
    const query_params *query; /* may be NULL */
    const char *prefer;
    const char *range;
    const char *range_unit;
    const char *accept;
    const char *accept_profile;  /* used for GET and HEAD */
    const char *content_profile; /* used for the other methods */
    /* Exposed schemas (DB_SCHEMAS); the first is the default. With none,
     * the profile header is taken as given and no schema is the default. */
    const char *const *schemas;
    size_t schema_count;
    /* Query parameters that are not the REST engine's (e.g. "apikey"). */
    const char *const *ignored_params;
    size_t ignored_count;
} rest_parse_input;

typedef struct rest_parse_error {
    int status;          /* 400; 406 Accept / profile; 416 Range */
    const char *code;    /* "PGRST100", ... */
    const char *message; /* says what is wrong and where */
    const char *details; /* the offending parameter or header, or NULL */
    const char *hint;    /* or NULL */
} rest_parse_error;

/* Parses the whole request into out. On failure returns false and fills
 * err; out is then unspecified. limits may be NULL (defaults). */
bool rest_parse_request(arena *a, const rest_parse_input *in, const rest_limits *limits,
                        rest_request *out, rest_parse_error *err);

/* "GET" -> REST_GET, ...; false for a method the REST area does not serve. */
bool rest_method_from_name(const char *name, rest_method *out);

/* The Preference-Applied header value for the recognised preferences, in
 * PostgREST's order ("resolution=..., missing=..., return=..., ..."), or
 * NULL when there are none. The caller clears what it did not honour. */
const char *rest_preferences_applied(arena *a, const rest_preferences *p);

#endif
