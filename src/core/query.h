/* Percent-decoding and query-string parsing. Parameters keep their order and
 * repeated keys are kept (PostgREST needs price=gte.10&price=lte.200).
 * Decoded text must be valid UTF-8 without NUL bytes. */
#ifndef PGSTACK_QUERY_H
#define PGSTACK_QUERY_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    QUERY_OK = 0,
    QUERY_BAD_ESCAPE, /* '%' not followed by two hex digits */
    QUERY_BAD_UTF8,   /* decoded bytes are not valid UTF-8 */
    QUERY_NUL,        /* decoded text contains a NUL byte */
    QUERY_TOO_LONG,   /* input longer than the allowed maximum */
} query_status;

typedef struct query_param {
    const char *key;
    const char *value;
} query_param;

typedef struct query_params {
    query_param *items;
    size_t count;
} query_params;

/* Human-readable reason for a non-OK status, for 400 replies. */
const char *query_status_message(query_status st);

/* Decodes n bytes of s; with plus_is_space '+' becomes ' ' (form encoding). */
query_status percent_decode(arena *a, const char *s, size_t n, bool plus_is_space, char **out);

/* Parses "k=v&k2=v2"; empty pairs are skipped, a key without '=' has value "". */
query_status query_parse(arena *a, const char *qs, size_t max_len, query_params *out);

/* The first value of key, or NULL. */
const char *query_get(const query_params *q, const char *key);

/* Percent-encodes everything but RFC 3986 unreserved characters, for a
 * query-string value or a path segment. */
char *query_encode(arena *a, const char *s);

#endif
