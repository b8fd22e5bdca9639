/* Third stage of the REST engine for writes: a write plan turned into one
 * statement with bind parameters, so a write is one pipelined round trip:
 *   with _w as (<insert | update | delete> ... returning <what the reply needs>)
 *   select <count>, <body>, <location> from <rows of _w> as _r
 * The rows travel as one JSON parameter ($1) that PostgreSQL unpacks with
 * json_to_recordset into the columns' types; filters, limits and JSON keys
 * are parameters as in reads; identifiers come from the catalog, quoted.
 * The representation is the read path's query of the root node over _w
 * (select tree, embeddings, root order; not the root's filters or paging,
 * which chose the rows). Equal request shapes give equal SQL text. */
#ifndef PGSTACK_REST_SQL_WRITE_H
#define PGSTACK_REST_SQL_WRITE_H

#include "rest/plan/plan_write.h"
#include "rest/sql/sql.h"

/* main yields one row:
 *   count     int8: the rows written (through pgstack.rest_single, which
 *             fails the statement unless it is 1, for an object reply)
 *   body      text: the representation as JSON array, object or CSV lines;
 *             NULL unless return=representation
 *   location  text: a JSON array of the primary-key values as text; NULL
 *             unless return=headers-only wrote exactly one row */
typedef struct rest_write_sql {
    rest_statement main;
    const char *csv_header; /* text/csv representation: the header line */
} rest_write_sql;

void rest_sql_write(arena *a, const rest_write_plan *p, rest_write_sql *out);

#endif
