/* Loading the schema catalog from pg_catalog: relations, columns, keys,
 * foreign keys, view-column sources (from the views' rewrite rules, as
 * PostgREST does) and functions of the exposed schemas, in one pipelined
 * round trip on the worker's connection, as the login role. */
#ifndef PGSTACK_REST_CATALOG_LOAD_H
#define PGSTACK_REST_CATALOG_LOAD_H

#include "db/conn.h"
#include "db/txn.h"
#include "rest/catalog/catalog.h"

/* The catalog of the given schemas, or NULL with *st (and, for a failed
 * statement, a one-line reason in why). */
rest_catalog *rest_catalog_load(db_conn *conn, const char *const *schemas, size_t schema_count,
                                long timeout_ms, db_status *st, char *why, size_t whylen);

#endif
