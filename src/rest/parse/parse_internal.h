/* Internals shared by the parse_*.c files of the REST request parser: the
 * parse context (arena, error, limits), a cursor over one parameter value
 * with the token readers of PostgREST's grammar (names, quoted values, JSON
 * paths, type identifiers), error builders and an arena-backed vector. */
#ifndef PGSTACK_REST_PARSE_INTERNAL_H
#define PGSTACK_REST_PARSE_INTERNAL_H

#include "core/vec.h"
#include "rest/parse/parse.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct parse_ctx {
    arena *arena;
    rest_parse_error *err;
    rest_limits limits;  /* clamped */
    size_t filters_seen; /* filters, logic-tree conditions, embedded order/limit/offset */
} parse_ctx;

/* ---- errors (parse_error.c) ---------------------------------------------- */

/* Fills ctx->err; always returns false so callers can `return rest_fail(...)`.
 * details and hint may be NULL. */
bool rest_fail(parse_ctx *ctx, int status, const char *code, const char *details, const char *hint,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* s cut to at most 200 bytes on a UTF-8 boundary, with "..." when cut. */
const char *rest_excerpt(arena *a, const char *s);

/* Counts one filter, logic-tree condition or embedded order/limit/offset
 * against max_filters (which also keeps the per-path lookups short). */
bool rest_count_filter(parse_ctx *ctx);

/* ---- cursor over one value (parse_scan.c) -------------------------------- */

typedef struct scan {
    parse_ctx *ctx;
    const char *text;
    size_t len;
    size_t pos;
    const char *what;  /* "select", "filter on 'price'", "order", ... for messages */
    const char *label; /* error details are label + excerpt of text ("select=") */
} scan;

void rest_scan_init(scan *s, parse_ctx *ctx, const char *text, const char *what, const char *label);
/* label + the text, cut for error details. */
const char *rest_scan_details(scan *s);
bool rest_scan_eof(const scan *s);
char rest_scan_peek(const scan *s);
bool rest_scan_at(const scan *s, const char *literal);
/* Consumes literal when the text continues with it. */
bool rest_scan_accept(scan *s, const char *literal);
void rest_scan_skip_ws(scan *s);

/* 400 PGRST100: "<problem> in <what> at position <pos+1>". */
bool rest_scan_fail(scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool rest_scan_fail_at(scan *s, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 400 PGRST100: "<problem> in <what>" (no position). */
bool rest_scan_fail_here(scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The character at the cursor for messages: "'x'" or "end of input". */
const char *rest_scan_describe(scan *s);

/* A name: "quoted" (\" and \\ escapes) or bare, surrounding blanks trimmed.
 * Bare names stop at , ( ) : ! . " * and "->". role names it in messages. */
bool rest_scan_name(scan *s, const char *role, const char **out);
/* Zero or more ->key / ->>key / ->0 steps. */
bool rest_scan_json_path(scan *s, rest_field *field);
/* Blanks, a name, its JSON path, blanks. */
bool rest_scan_field(scan *s, const char *role, rest_field *field);
/* A type name or text-search language: letters, digits, '_', '$', ' '. */
bool rest_scan_identifier(scan *s, const char *role, const char **out);
/* At '"': the quoted text without quotes and escapes. */
bool rest_scan_quoted(scan *s, const char **out);

/* ---- parameter keys (parse_key.c) ---------------------------------------- */

/* "rel.sub.col->a" = names {rel, sub, col} + JSON path; quoted marks the
 * names written in quotes (never reserved words). */
typedef struct param_key {
    const char **names;
    bool *quoted;
    size_t count;
    rest_field last; /* names[count-1] with the JSON path */
} param_key;

bool rest_parse_param_key(parse_ctx *ctx, const char *key, param_key *out);
/* names[0 .. n) as an embed path. */
rest_embed_path rest_param_key_path(const param_key *k, size_t n);
/* The last name is bare and equal to word. */
bool rest_param_key_ends_with(const param_key *k, size_t from_end, const char *word);

/* ---- the stages of one request (one file each) --------------------------- */

bool rest_parse_select_param(parse_ctx *ctx, const char *value, rest_select_list *out);

typedef enum value_style {
    VALUE_TO_END,   /* a filter parameter: the value is the rest of the text */
    VALUE_IN_LOGIC, /* inside or=(...): quoted, {array} or up to ',' / ')' */
} value_style;

/* [not.]op[(modifier)].value at the cursor. subject names the column in
 * messages when scan->what does not (logic trees); NULL otherwise. */
bool rest_parse_condition(scan *s, value_style style, const char *subject, rest_condition *out);
bool rest_parse_filter_value(parse_ctx *ctx, const char *key, const char *value,
                             rest_condition *out);

bool rest_parse_logic_value(parse_ctx *ctx, const char *key, const char *value, bool negated,
                            rest_logic_op op, rest_logic_node *root);

bool rest_parse_order_value(parse_ctx *ctx, const char *key, const char *value, rest_order *out);

bool rest_parse_column_list(parse_ctx *ctx, const char *param, const char *value,
                            rest_name_list *out);

/* A non-negative count for limit= / offset=. */
bool rest_parse_page_number(parse_ctx *ctx, const char *key, const char *value, bool is_limit,
                            long long *out);
/* Merges the Range header (GET/HEAD, items) into the root paging. */
bool rest_apply_range_header(parse_ctx *ctx, const rest_parse_input *in, rest_paging *root,
                             bool *used);

bool rest_parse_prefer_header(parse_ctx *ctx, const char *header, rest_preferences *out);
bool rest_parse_accept_header(parse_ctx *ctx, const char *header, rest_media *media,
                              bool *strip_nulls);
bool rest_choose_schema(parse_ctx *ctx, const rest_parse_input *in, const char **schema);

#endif
