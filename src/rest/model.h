/* The parsed REST request: what the first stage of the REST engine (the
 * parser, parse.h) hands to the planner. Plain data in the request arena.
 * Identifiers are the client's text, unquoted and unresolved (the planner
 * looks them up in the schema catalog); values are uninterpreted text that
 * will travel as bind parameters. Lists are arrays with a count. */
#ifndef PGSTACK_REST_MODEL_H
#define PGSTACK_REST_MODEL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum rest_method {
    REST_GET,
    REST_HEAD,
    REST_POST,
    REST_PATCH,
    REST_PUT,
    REST_DELETE,
} rest_method;

/* Names of embedded resources from the root down: "clients.projects.col=..."
 * has the path {"clients", "projects"}; the root resource has count 0. The
 * names are the embedding's alias when it has one, else its relation. */
typedef struct rest_embed_path {
    const char **names;
    size_t count;
} rest_embed_path;

/* A list of column names (columns=, on_conflict=), in the client's order. */
typedef struct rest_name_list {
    const char **names;
    size_t count;
} rest_name_list;

/* One step of a JSON path: "->key", "->>key", "->0", "->>-1". */
typedef struct rest_json_step {
    bool as_text;  /* "->>" (text) rather than "->" (json) */
    bool is_index; /* key is an array index: digits, maybe after '-' */
    const char *key;
} rest_json_step;

/* A column, maybe followed by a JSON path: data->a->>b. */
typedef struct rest_field {
    const char *column;
    rest_json_step *json_path;
    size_t json_path_len;
} rest_field;

/* ---- select= ---------------------------------------------------------- */

typedef enum rest_select_kind {
    REST_SELECT_STAR,   /* "*" */
    REST_SELECT_COLUMN, /* [alias:]field[::cast] */
    REST_SELECT_EMBED,  /* [alias:]relation[!hint][!inner|!left](children) */
    REST_SELECT_SPREAD, /* ...relation[!hint][!inner|!left](children) */
} rest_select_kind;

typedef enum rest_join {
    REST_JOIN_DEFAULT, /* no !inner / !left given */
    REST_JOIN_LEFT,
    REST_JOIN_INNER,
} rest_join;

struct rest_select_item;

typedef struct rest_select_list {
    struct rest_select_item *items;
    size_t count;
} rest_select_list;

typedef struct rest_select_item {
    rest_select_kind kind;
    const char *alias;         /* COLUMN, EMBED: "alias:" or NULL */
    rest_field field;          /* COLUMN */
    const char *cast;          /* COLUMN: "::type" or NULL */
    const char *relation;      /* EMBED, SPREAD */
    const char *hint;          /* EMBED, SPREAD: "!fk_name" / "!column" or NULL */
    rest_join join;            /* EMBED, SPREAD */
    rest_select_list children; /* EMBED, SPREAD; empty for "rel()" */
} rest_select_item;

/* ---- filters: col=op.value ---------------------------------------------- */

typedef enum rest_operator {
    REST_OP_EQ,
    REST_OP_NEQ,
    REST_OP_GT,
    REST_OP_GTE,
    REST_OP_LT,
    REST_OP_LTE,
    REST_OP_LIKE,
    REST_OP_ILIKE,
    REST_OP_MATCH,
    REST_OP_IMATCH,
    REST_OP_IS,
    REST_OP_ISDISTINCT,
    REST_OP_IN,
    REST_OP_CS,
    REST_OP_CD,
    REST_OP_OV,
    REST_OP_SL,
    REST_OP_SR,
    REST_OP_NXL,
    REST_OP_NXR,
    REST_OP_ADJ,
    REST_OP_FTS,
    REST_OP_PLFTS,
    REST_OP_PHFTS,
    REST_OP_WFTS,
} rest_operator;

typedef enum rest_is_value {
    REST_IS_NULL,
    REST_IS_NOT_NULL,
    REST_IS_TRUE,
    REST_IS_FALSE,
    REST_IS_UNKNOWN,
} rest_is_value;

/* eq(any).{a,b} / like(all).{a*,b*}: compare with ANY / ALL of an array. */
typedef enum rest_quantifier {
    REST_QUANT_NONE,
    REST_QUANT_ANY,
    REST_QUANT_ALL,
} rest_quantifier;

/* The right-hand side of a filter: [not.]op[(modifier)].value */
typedef struct rest_condition {
    bool negated; /* "not." before the operator */
    rest_operator op;
    rest_quantifier quantifier; /* EQ GT GTE LT LTE LIKE ILIKE MATCH IMATCH */
    const char *value;          /* all but IS and IN; LIKE/ILIKE: '*' already became '%' */
    rest_is_value is_value;     /* IS */
    const char **list;          /* IN: the elements, unquoted; "in.()" has none */
    size_t list_count;
    const char *language; /* FTS PLFTS PHFTS WFTS: "english" of fts(english), or NULL */
} rest_condition;

typedef struct rest_filter {
    rest_embed_path path; /* count 0: a filter on the root resource */
    rest_field field;
    rest_condition cond;
} rest_filter;

/* ---- logic trees: or=(...), and=(...), not.or=(...) ---------------------- */

typedef enum rest_logic_op {
    REST_LOGIC_AND,
    REST_LOGIC_OR,
} rest_logic_op;

typedef struct rest_logic_node {
    bool is_condition; /* leaf: field + cond; else a branch */
    rest_field field;
    rest_condition cond;
    bool negated; /* branch: "not.and(...)" */
    rest_logic_op op;
    struct rest_logic_node *children;
    size_t child_count;
} rest_logic_node;

typedef struct rest_logic_tree {
    rest_embed_path path;
    rest_logic_node root; /* always a branch */
} rest_logic_tree;

/* ---- order= -------------------------------------------------------------- */

typedef enum rest_order_dir {
    REST_ORDER_DEFAULT,
    REST_ORDER_ASC,
    REST_ORDER_DESC,
} rest_order_dir;

typedef enum rest_nulls_order {
    REST_NULLS_DEFAULT,
    REST_NULLS_FIRST,
    REST_NULLS_LAST,
} rest_nulls_order;

typedef struct rest_order_term {
    const char *relation; /* "clients(name).desc": order by a to-one embedding's column */
    rest_field field;
    rest_order_dir dir;
    rest_nulls_order nulls;
} rest_order_term;

typedef struct rest_order {
    rest_embed_path path;
    rest_order_term *terms;
    size_t count;
} rest_order;

/* ---- limit / offset / Range ---------------------------------------------- */

#define REST_NO_LIMIT (-1LL)

typedef struct rest_paging {
    rest_embed_path path;
    long long offset; /* 0 when not given */
    long long limit;  /* REST_NO_LIMIT when not given */
} rest_paging;

/* ---- Prefer -------------------------------------------------------------- */

typedef enum rest_prefer_return {
    REST_RETURN_UNSET,
    REST_RETURN_MINIMAL,
    REST_RETURN_REPRESENTATION,
    REST_RETURN_HEADERS_ONLY,
} rest_prefer_return;

typedef enum rest_prefer_count {
    REST_COUNT_UNSET,
    REST_COUNT_EXACT,
    REST_COUNT_PLANNED,
    REST_COUNT_ESTIMATED,
} rest_prefer_count;

typedef enum rest_prefer_resolution {
    REST_RESOLUTION_UNSET,
    REST_RESOLUTION_MERGE_DUPLICATES,
    REST_RESOLUTION_IGNORE_DUPLICATES,
} rest_prefer_resolution;

typedef enum rest_prefer_missing {
    REST_MISSING_UNSET,
    REST_MISSING_DEFAULT,
    REST_MISSING_NULL,
} rest_prefer_missing;

typedef enum rest_prefer_tx {
    REST_TX_UNSET,
    REST_TX_COMMIT,
    REST_TX_ROLLBACK,
} rest_prefer_tx;

typedef enum rest_prefer_handling {
    REST_HANDLING_UNSET,
    REST_HANDLING_STRICT,
    REST_HANDLING_LENIENT,
} rest_prefer_handling;

/* The recognised preferences (the first of each kind wins, as in PostgREST)
 * and the ones that were not recognised. rest_preferences_applied (parse.h)
 * renders the Preference-Applied header from the recognised ones. */
typedef struct rest_preferences {
    rest_prefer_return return_;
    rest_prefer_count count;
    rest_prefer_resolution resolution;
    rest_prefer_missing missing;
    bool params_single_object;
    rest_prefer_tx tx;
    rest_prefer_handling handling;
    const char **unrecognised;
    size_t unrecognised_count;
} rest_preferences;

/* ---- Accept -------------------------------------------------------------- */

typedef enum rest_media {
    REST_MEDIA_JSON,   /* application/json, vnd.pgrst.array+json, * / *: an array */
    REST_MEDIA_OBJECT, /* application/vnd.pgrst.object+json: exactly one row */
    REST_MEDIA_CSV,    /* text/csv */
} rest_media;

/* ---- RPC arguments in the query string (GET/HEAD /rpc/fn) ---------------- */

typedef struct rest_rpc_arg {
    const char *name;
    const char *value; /* raw text; repeated names are kept in order */
} rest_rpc_arg;

/* ---- the whole request --------------------------------------------------- */

typedef struct rest_request {
    rest_method method;
    bool is_rpc;
    const char *schema; /* from Accept-/Content-Profile, else the default; may be NULL */

    rest_select_list select; /* never empty: no select (or select=) is one STAR */

    rest_filter *filters; /* in query order; root and embedded */
    size_t filter_count;
    rest_logic_tree *logic; /* several for one path are ANDed */
    size_t logic_count;
    rest_order *orders; /* at most one per path */
    size_t order_count;

    rest_paging paging;       /* root: limit/offset merged with the Range header */
    bool range_header_used;   /* the Range header contributed to paging */
    rest_paging *embed_pages; /* rel.limit= / rel.offset=, at most one per path */
    size_t embed_page_count;

    bool has_columns; /* columns= */
    rest_name_list columns;
    bool has_on_conflict; /* on_conflict= */
    rest_name_list on_conflict;

    rest_rpc_arg *rpc_args; /* only for RPC with GET/HEAD */
    size_t rpc_arg_count;

    rest_preferences prefer;
    rest_media media;
    bool strip_nulls; /* ";nulls=stripped" on the chosen media type */
} rest_request;

#endif
