/* GET /rest/v1/: the OpenAPI 2.0 (Swagger) document of a profile (schema),
 * shaped like PostgREST's: a definition per table and view (properties with
 * types and formats, required columns = NOT NULL without default, primary
 * and foreign keys noted in descriptions as "This is a Primary Key.<pk/>" /
 * "This is a Foreign Key to `t.c`.<fk table='t' column='c'/>"), a path per
 * table and view with the verbs the caller holds privileges for (GET with
 * row filters, select, order, Range, offset, limit, Prefer: count; POST,
 * PATCH, DELETE with body and Prefer), a path per function under /rpc/
 * (POST with the arguments as a body object, GET for STABLE and IMMUTABLE
 * ones), and the shared parameter definitions. References are JSON pointers
 * percent-encoded as URI fragments, so any name resolves. */
#ifndef PGSTACK_REST_OPENAPI_H
#define PGSTACK_REST_OPENAPI_H

#include "rest/catalog/catalog.h"

/* What the caller may do with a relation (PostgREST's follow-privileges). */
typedef struct rest_openapi_grant {
    unsigned oid;
    bool select, insert, update, remove;
} rest_openapi_grant;

typedef struct rest_openapi_access {
    const rest_openapi_grant *relations; /* relations without a grant are left out */
    size_t relation_count;
    const unsigned *functions; /* executable functions; others are left out */
    size_t function_count;
} rest_openapi_access;

/* The document's JSON text for the relations and functions of schema;
 * access NULL shows everything with every verb. */
const char *rest_openapi_document(arena *a, const rest_catalog *cat, const char *schema,
                                  const rest_openapi_access *access);

#endif
