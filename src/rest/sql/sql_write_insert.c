/* The insert of a POST or PUT:
 *   insert into "s"."t" as _m ("a", "b")
 *     select _b."a", _b."b"
 *     from pg_catalog.json_to_recordset($1::pg_catalog.json) as _b("a" type, "b" type)
 *     [where <PUT's key filters on _b>]
 *     [on conflict ("k") do update set "a" = excluded."a", ... | do nothing]
 * A column that falls back to its default in the rows without its key
 * (Prefer: missing=default) reads the rows one by one:
 *     select _b."a", case when (_e.v -> $2::pg_catalog.text) is null
 *                         then (<the column's default>) else _b."b" end
 *     from pg_catalog.json_array_elements($1::pg_catalog.json) as _e(v)
 *     cross join lateral pg_catalog.json_to_record(_e.v) as _b(...)
 * with the default expression as the catalog has it (pg_get_expr). Rows
 * without any column ({} or [{}, {}]) insert their defaults. */
#include "rest/sql/sql_write_internal.h"

#include "db/quote.h"

static bool per_row_defaults(const rest_write_plan *p)
{
    for (size_t i = 0; i < p->column_count; i++)
        if (p->columns[i].value == PLAN_VALUE_BODY_OR_DEFAULT && p->columns[i].column->default_expr)
            return true;
    return false;
}

static void put_column_list(sql_gen *g, const rest_write_plan *p)
{
    if (!p->column_count)
        return;
    rest_sql_puts(g, " (");
    for (size_t i = 0; i < p->column_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        db_append_ident(&g->sql, p->columns[i].column->name);
    }
    rest_sql_puts(g, ")");
}

static void put_value(sql_gen *g, const plan_write_column *c)
{
    const rest_column *col = c->column;
    bool fallback = c->value == PLAN_VALUE_BODY_OR_DEFAULT && col->default_expr;
    if (fallback) {
        rest_sql_puts(g, "case when (_e.v -> ");
        rest_sql_put_param(g, col->name, "pg_catalog.text");
        rest_sql_printf(g, ") is null then (%s) else ", col->default_expr);
    }
    rest_sql_put_column(g, SQL_WRITE_ROWS, col);
    rest_sql_puts(g, fallback ? " end" : "");
}

static void put_rows(sql_gen *g, const rest_write_plan *p)
{
    rest_sql_puts(g, " select ");
    for (size_t i = 0; i < p->column_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        put_value(g, &p->columns[i]);
    }
    if (!p->column_count || per_row_defaults(p)) {
        rest_sql_puts(g, " from pg_catalog.json_array_elements(");
        rest_sql_put_body_param(g, p);
        rest_sql_puts(g, ") as _e(v)");
        if (!p->column_count)
            return;
        rest_sql_puts(g, " cross join lateral pg_catalog.json_to_record(_e.v)");
    } else {
        rest_sql_puts(g, " from pg_catalog.json_to_recordset(");
        rest_sql_put_body_param(g, p);
        rest_sql_puts(g, ")");
    }
    rest_sql_put_row_type(g, p);
}

static void put_on_conflict(sql_gen *g, const rest_write_plan *p)
{
    if (p->resolution == REST_RESOLUTION_UNSET)
        return;
    rest_sql_puts(g, " on conflict (");
    for (size_t i = 0; i < p->conflict_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        db_append_ident(&g->sql, p->conflict[i]->name);
    }
    if (p->resolution == REST_RESOLUTION_IGNORE_DUPLICATES || !p->column_count) {
        rest_sql_puts(g, ") do nothing");
        return;
    }
    rest_sql_puts(g, ") do update set ");
    for (size_t i = 0; i < p->column_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        db_append_ident(&g->sql, p->columns[i].column->name);
        rest_sql_puts(g, " = excluded.");
        db_append_ident(&g->sql, p->columns[i].column->name);
    }
}

void rest_sql_put_insert(sql_gen *g, const rest_write_plan *p)
{
    rest_sql_puts(g, "insert into ");
    db_append_qualified(&g->sql, p->rel->schema, p->rel->name);
    rest_sql_puts(g, " as " SQL_WRITE_TARGET);
    put_column_list(g, p);
    put_rows(g, p);
    if (p->put) {
        rest_sql_puts(g, " where ");
        rest_sql_put_logic(g, SQL_WRITE_ROWS, &p->read.root->where);
    }
    put_on_conflict(g, p);
}
