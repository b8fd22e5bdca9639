/* The update of a PATCH and the delete of a DELETE:
 *   update "s"."t" as _m set "a" = _b."a", "b" = default
 *     from pg_catalog.json_to_recordset($1::pg_catalog.json) as _b("a" type)
 *     where <the root's filters and logic trees on _m>
 *   delete from "s"."t" as _m where <the same>
 * With limit/offset, PostgreSQL has no limit on update or delete, so the
 * rows are those a subquery picks, matched by primary key (tableoid and
 * ctid for a table without one):
 *     where (_m."id") in (select _t0."id" from "s"."t" as _t0
 *                         where <filters> order by ... limit $n offset $m)
 * (A PATCH whose body sets no column is no update: see sql_write.c.) */
#include "rest/sql/sql_write_internal.h"

#include "db/quote.h"

static void put_row_key(sql_gen *g, const rest_write_plan *p, const char *alias)
{
    if (!p->row_key_count) {
        rest_sql_printf(g, "%s.tableoid, %s.ctid", alias, alias);
        return;
    }
    for (size_t i = 0; i < p->row_key_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        rest_sql_put_column(g, alias, p->row_key[i]);
    }
}

static void put_rows_where(sql_gen *g, const rest_write_plan *p)
{
    const plan_node *root = p->read.root;
    rest_sql_puts(g, " where ");
    if (!p->limited) {
        rest_sql_put_logic(g, SQL_WRITE_TARGET, &root->where);
        return;
    }
    const char *alias = rest_sql_alias(g, 't', root);
    rest_sql_puts(g, "(");
    put_row_key(g, p, SQL_WRITE_TARGET);
    rest_sql_puts(g, ") in (select ");
    put_row_key(g, p, alias);
    rest_sql_puts(g, " from ");
    db_append_qualified(&g->sql, p->rel->schema, p->rel->name);
    rest_sql_printf(g, " as %s where ", alias);
    rest_sql_put_logic(g, alias, &root->where);
    rest_sql_put_order(g, root);
    rest_sql_put_paging(g, root);
    rest_sql_puts(g, ")");
}

static void put_assignments(sql_gen *g, const rest_write_plan *p)
{
    for (size_t i = 0; i < p->column_count; i++) {
        const plan_write_column *c = &p->columns[i];
        rest_sql_puts(g, i ? ", " : "");
        db_append_ident(&g->sql, c->column->name);
        rest_sql_puts(g, " = ");
        if (c->value == PLAN_VALUE_DEFAULT)
            rest_sql_puts(g, "default");
        else
            rest_sql_put_column(g, SQL_WRITE_ROWS, c->column);
    }
}

void rest_sql_put_update(sql_gen *g, const rest_write_plan *p)
{
    rest_sql_puts(g, "update ");
    db_append_qualified(&g->sql, p->rel->schema, p->rel->name);
    rest_sql_puts(g, " as " SQL_WRITE_TARGET " set ");
    put_assignments(g, p);
    if (rest_sql_body_column_count(p)) {
        rest_sql_puts(g, " from pg_catalog.json_to_recordset(");
        rest_sql_put_body_param(g, p);
        rest_sql_puts(g, ")");
        rest_sql_put_row_type(g, p);
    }
    put_rows_where(g, p);
}

void rest_sql_put_delete(sql_gen *g, const rest_write_plan *p)
{
    rest_sql_puts(g, "delete from ");
    db_append_qualified(&g->sql, p->rel->schema, p->rel->name);
    rest_sql_puts(g, " as " SQL_WRITE_TARGET);
    put_rows_where(g, p);
}
