/* postgres_changes bindings as a Phoenix join sends them ({event, schema,
 * table, filter}, see shared/spec/realtime-notes.md §4 and §7): parsing
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

typedef enum { PGC_EQ, PGC_NEQ, PGC_LT, PGC_LTE, PGC_GT, PGC_GTE, PGC_IN } pgc_op;

typedef struct pgc_binding {
    long long id; /* the server id echoed in the join reply */
    int events;   /* PGC_* mask */
    char *schema; /* "public" when absent */
    char *table;  /* NULL: every table of the schema */
    char *column; /* NULL: no filter */
    pgc_op op;
    char **values; /* one value, or the list of in.(...) */
    size_t nvalues;
} pgc_binding;

/* The event name's mask ("INSERT", "update", "*"), 0 when unknown. */
int pgc_event_mask(const char *event);

/* Parses binding b; false with a reason in why (Supabase's wording for
 * filters: "Error parsing `filter` params: ..."). */
bool pgc_binding_parse(json_object *b, long long id, pgc_binding *out, char *why, size_t why_len);
void pgc_binding_clear(pgc_binding *b);

/* Does binding b want a change of type event (PGC_*) on schema.table? */
bool pgc_binding_wants(const pgc_binding *b, const char *schema, const char *table, int event);

/* Does row (the new row, or the old one for a DELETE) pass b's filter? A
 * missing column or a null value never passes. Numbers compare as numbers,
 * booleans as true/false, everything else as text. */
bool pgc_filter_passes(const pgc_binding *b, json_object *row);

#endif
