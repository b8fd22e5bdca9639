/* The body's rows in a write statement: its JSON parameter and the record
 * type the rows are read as (a leaf shared by sql_write_insert.c and
 * sql_write_change.c); see sql_write_internal.h. */
#include "rest/sql/sql_write_internal.h"

#include "db/quote.h"

void rest_sql_put_body_param(sql_gen *g, const rest_write_plan *p)
{
    rest_sql_put_param(g, p->body->rows_json, "pg_catalog.json");
}

size_t rest_sql_body_column_count(const rest_write_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->column_count; i++)
        n += p->columns[i].value != PLAN_VALUE_DEFAULT;
    return n;
}

void rest_sql_put_row_type(sql_gen *g, const rest_write_plan *p)
{
    bool first = true;
    for (size_t i = 0; i < p->column_count; i++) {
        const rest_column *col = p->columns[i].column;
        if (p->columns[i].value == PLAN_VALUE_DEFAULT)
            continue;
        rest_sql_puts(g, first ? " as " SQL_WRITE_ROWS "(" : ", ");
        db_append_ident(&g->sql, col->name);
        rest_sql_printf(g, " %s", col->type);
        first = false;
    }
    rest_sql_puts(g, first ? "" : ")");
}
