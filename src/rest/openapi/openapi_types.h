/* PostgreSQL types as OpenAPI 2.0 (Swagger) schema types, the way
 * PostgREST maps them: smallint/integer/bigint -> integer, numeric/real/
 * double precision -> number, boolean -> boolean, json/jsonb -> no type
 * (any JSON), arrays ("text[]") -> array with items of the element's type,
 * everything else -> string. The format is the type's name without its
 * modifiers ("character varying", "timestamp with time zone", "text[]");
 * character(n) / character varying(n) give maxLength n. Column defaults
 * that are plain literals become the schema's default. Pure functions. */
#ifndef PGSTACK_REST_OPENAPI_TYPES_H
#define PGSTACK_REST_OPENAPI_TYPES_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct openapi_type {
    const char *type;       /* "integer", "number", "boolean", "string", "array", or NULL */
    const char *format;     /* the type's name without modifiers */
    const char *items_type; /* arrays: the element's type (NULL: any) */
    long max_length;        /* -1: none */
} openapi_type;

/* type_name as PostgreSQL shows it ("character varying(20)", "text[]");
 * category is pg_type.typcategory of the (domain's base) type, or 0. */
openapi_type rest_openapi_type_of(arena *a, const char *type_name, char category);

/* The name without type modifiers: "numeric(10,2)" -> "numeric",
 * "timestamp(3) with time zone" -> "timestamp with time zone". */
const char *rest_openapi_type_name_bare(arena *a, const char *type_name);

/* The JSON value of a column default for a schema of type t, or NULL when
 * the expression is no plain literal of that type: 42, '-1'::integer,
 * 1.5, true, 'text'::character varying. The caller owns the result. */
json_object *rest_openapi_default(const char *default_expr, const openapi_type *t);

#endif
