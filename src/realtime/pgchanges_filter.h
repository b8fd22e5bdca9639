/* postgres_changes bindings as a Phoenix join sends them ({event, schema,
 * table, filter, select}, see shared/spec/realtime-notes.md §4 and §7): parsing
 * one into a pgc_binding, and deciding whether a change matches it. Pure
 * data: no database, no sockets. */
#ifndef PGSTACK_PGCHANGES_FILTER_H
#define PGSTACK_PGCHANGES_FILTER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define PGC_INSERT 1
#define PGC_UPDATE 2
#define PGC_DELETE 4
#define PGC_ALL (PGC_INSERT | PGC_UPDATE | PGC_DELETE)

typedef enum {
    PGC_EQ,
    PGC_NEQ,
    PGC_LT,
    PGC_LTE,
    PGC_GT,
    PGC_GTE,
    PGC_IN,
    PGC_LIKE,
    PGC_ILIKE,
    PGC_IS,
    PGC_MATCH,
    PGC_IMATCH,
    PGC_ISDISTINCT
} pgc_op;

/* One condition of a filter: column=[not.]op.value. */
typedef struct pgc_cond {
    char *column;
    pgc_op op;
    bool negate;   /* not. */
    char **values; /* one value, or the list of in.(...) */
    size_t nvalues;
    void *regex; /* match, imatch: the compiled regex_t */
} pgc_cond;

typedef struct pgc_binding {
    long long id;    /* the server id echoed in the join reply */
    int events;      /* PGC_* mask */
    char *schema;    /* "public" when absent */
    char *table;     /* NULL: every table of the schema */
    pgc_cond *conds; /* ANDed; none: no filter */
    size_t nconds;
    char **select; /* the columns asked for, sorted; none: every column */
    size_t nselect;
} pgc_binding;

/* The event name's mask ("INSERT", "update", "*"), 0 when unknown. */
int pgc_event_mask(const char *event);

/* Parses binding b; false with a reason in why (Supabase's wording for
 * filters: "Error parsing `filter` params: ..."). */
bool pgc_binding_parse(json_object *b, long long id, pgc_binding *out, char *why, size_t why_len);
void pgc_binding_clear(pgc_binding *b);

/* Does b's select list name column (true for every column without one)? */
bool pgc_binding_selects(const pgc_binding *b, const char *column);

/* Do a and b ask for the same columns (Supabase sends one message per
 * distinct select list)? */
bool pgc_same_select(const pgc_binding *a, const pgc_binding *b);

/* Does binding b want a change of type event (PGC_*) on schema.table? */
bool pgc_binding_wants(const pgc_binding *b, const char *schema, const char *table, int event);

/* Does row (the new row, or the old one for a DELETE) pass b's filter
 * (every condition)? A missing column is null; null passes only is.null
 * and isdistinct (as in SQL, eq/neq/lt/... with null are not true). Numbers
 * compare as numbers, booleans as true/false, everything else as text;
 * like/ilike take SQL patterns (% and _), match/imatch POSIX extended
 * regular expressions. */
bool pgc_filter_passes(const pgc_binding *b, json_object *row);

#endif
