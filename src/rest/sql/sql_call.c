/* The SQL of an RPC (plan_rpc.h): the call runs once, in a common table
 * expression that the root node reads as its relation ("from _call as _t0"),
 * so counting and paging never call the function twice:
 *   with _call as (select _f.* from
 *       pg_catalog.json_to_record($1::pg_catalog.json) as _a("a" type, ...)
 *       cross join lateral "s"."f"("a" := _a."a", variadic "v" := _a."v") as _f)
 * The arguments given are picked from the one JSON parameter by
 * PostgreSQL, each converted to its argument's type (a JSON array to an
 * SQL array, a string through the type's input function). A whole-payload
 * argument is "f"($1::jsonb) or "f"("p" := $1::jsonb); a function of a base
 * type is aliased as _f("f"), so its rows have one column named after it.
 * The body renders sets as arrays, one composite as an object and one value
 * as the bare JSON value. */
#include "rest/plan/plan_rpc.h"
#include "rest/sql/sql_internal.h"

#include "db/quote.h"

static void put_record_columns(sql_gen *g, const plan_call *c)
{
    rest_sql_puts(g, "pg_catalog.json_to_record(");
    rest_sql_put_param(g, c->payload, c->payload_type);
    rest_sql_puts(g, ") as _a(");
    for (size_t i = 0; i < c->named_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        db_append_ident(&g->sql, c->named[i]->name);
        rest_sql_printf(g, " %s", c->named[i]->type);
    }
    rest_sql_puts(g, ") cross join lateral ");
}

static void put_arguments(sql_gen *g, const plan_call *c)
{
    if (c->whole) {
        if (c->whole->name[0]) {
            db_append_ident(&g->sql, c->whole->name);
            rest_sql_puts(g, " := ");
        }
        rest_sql_put_param(g, c->payload, c->payload_type);
        return;
    }
    for (size_t i = 0; i < c->named_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        rest_sql_puts(g, c->named[i]->mode == 'v' ? "variadic " : "");
        db_append_ident(&g->sql, c->named[i]->name);
        rest_sql_puts(g, " := _a.");
        db_append_ident(&g->sql, c->named[i]->name);
    }
}

void rest_sql_put_call_cte(sql_gen *g, const plan_call *c)
{
    rest_sql_puts(g, "with _call as (select _f.* from ");
    if (c->named_count)
        put_record_columns(g, c);
    db_append_qualified(&g->sql, c->fn->schema, c->fn->name);
    rest_sql_puts(g, "(");
    put_arguments(g, c);
    rest_sql_puts(g, ") as _f");
    if (c->scalar) {
        rest_sql_puts(g, "(");
        db_append_ident(&g->sql, c->fn->name);
        rest_sql_puts(g, ")");
    }
    rest_sql_puts(g, ") ");
}

/* _r."f": the value of a row of a base-type result. */
static const char *value_of_row(arena *a, const plan_call *c)
{
    return arena_printf(a, "_r.%s", db_quote_ident(a, c->fn->name));
}

static const char *row_json(const rest_plan *p)
{
    return p->strip_nulls ? "pg_catalog.json_strip_nulls(pg_catalog.row_to_json(_r))" : "_r";
}

const char *rest_sql_call_body(arena *a, const rest_plan *p)
{
    const plan_call *c = p->root->call;
    if (p->head || c->shape == PLAN_CALL_VOID)
        return "null::pg_catalog.text";
    if (p->media == REST_MEDIA_CSV)
        return NULL;
    switch (c->shape) {
    case PLAN_CALL_SCALAR:
        return arena_printf(a, "coalesce(pg_catalog.json_agg(%s) -> 0, 'null')::pg_catalog.text",
                            value_of_row(a, c));
    case PLAN_CALL_COMPOSITE:
        return arena_printf(a, "coalesce(pg_catalog.json_agg(%s) -> 0, 'null')::pg_catalog.text",
                            row_json(p));
    case PLAN_CALL_SET:
    case PLAN_CALL_VOID:
        break;
    }
    if (!c->scalar)
        return NULL; /* rows as a read renders them */
    if (p->media == REST_MEDIA_OBJECT)
        return arena_printf(a, "(pg_catalog.json_agg(%s) -> 0)::pg_catalog.text",
                            value_of_row(a, c));
    return arena_printf(a, "coalesce(pg_catalog.json_agg(%s), '[]')::pg_catalog.text",
                        value_of_row(a, c));
}
