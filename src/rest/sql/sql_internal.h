/* Internals shared by the sql_*.c files of the REST SQL generator: the
 * generator (SQL text + parameter list), aliases, fields and their types,
 * and the pieces each file writes. Aliases: _t<id> for a node's relation,
 * _j<id> for its junction, _l<id> for its lateral subquery, _o<id> for an
 * order-by subquery; node ids are unique in a plan. */
#ifndef PGSTACK_REST_SQL_INTERNAL_H
#define PGSTACK_REST_SQL_INTERNAL_H

#include "core/sbuf.h"
#include "rest/sql/sql.h"

typedef struct sql_gen {
    arena *arena;
    sbuf sql;
    const char **params;
    int param_count;
    size_t param_cap;
    const char *root_from; /* replaces the root node's relation in FROM (e.g. a CTE); or NULL */
} sql_gen;

void rest_sql_gen_init(sql_gen *g, arena *a);
void rest_sql_gen_finish(sql_gen *g, rest_statement *out);

/* Appends "$n::type" binding value (type may be NULL: no cast). */
void rest_sql_put_param(sql_gen *g, const char *value, const char *type);
void rest_sql_puts(sql_gen *g, const char *s);
void rest_sql_printf(sql_gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* alias."column" */
void rest_sql_put_column(sql_gen *g, const char *alias, const rest_column *col);
/* alias."column", or (alias."column"->$1::text->>$2::text) with a path. */
void rest_sql_put_field(sql_gen *g, const char *alias, const plan_field *f);
/* Cast targets of a field's value and of an array of them (the array one
 * may be NULL when the type has no array type). */
const char *rest_sql_field_type(const plan_field *f);
const char *rest_sql_field_array_type(const plan_field *f);

const char *rest_sql_alias(sql_gen *g, char kind, const plan_node *n);

/* sql_filter.c: a filter leaf / logic tree on the node aliased alias. */
void rest_sql_put_logic(sql_gen *g, const char *alias, const plan_logic *l);

/* sql_select.c */
typedef enum sql_mode {
    SQL_ROWS,  /* the node's output rows: select list, order, limit */
    SQL_COUNT, /* "select 1" over the same rows, no order or paging */
} sql_mode;

void rest_sql_put_node_query(sql_gen *g, const plan_node *n, sql_mode mode);
/* " order by ..." and " limit $a offset $b" of a node (nothing when none). */
void rest_sql_put_order(sql_gen *g, const plan_node *n);
void rest_sql_put_paging(sql_gen *g, const plan_node *n);

/* sql_read.c: the body rendered from the rows _r (JSON array, object,
 * CSV lines; NULL for HEAD), and the CSV header line of a plan. */
const char *rest_sql_body_expression(const rest_plan *p);
const char *rest_sql_csv_header(arena *a, const rest_plan *p);

/* sql_call.c: an RPC's root reads "_call", which this common table
 * expression defines; and its body expression (NULL: render the rows as a
 * read does). */
struct plan_call;
void rest_sql_put_call_cte(sql_gen *g, const struct plan_call *c);
const char *rest_sql_call_body(arena *a, const rest_plan *p);

#endif
