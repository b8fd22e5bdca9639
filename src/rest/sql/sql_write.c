/* The statement of a write; see sql_write.h:
 *   with _w as (<mutation> returning <list>)
 *   select <count>, <body>, <location> from <rows> as _r
 * The returning list is "1" when the reply needs no row back (so no SELECT
 * privilege or policy is involved), the primary key for a Location, or the
 * columns the representation uses. Its rows are the read path's query of
 * the root node with _w in place of the relation. A PATCH whose body sets
 * no column changes nothing, as in PostgREST:
 *   with _w as (select <list> from "s"."t" as _m where false) ... */
#include "rest/sql/sql_write_internal.h"

#include "db/quote.h"

#include <string.h>

static void put_returning_list(sql_gen *g, const rest_write_plan *p)
{
    if (p->returning_all) {
        rest_sql_puts(g, SQL_WRITE_TARGET ".*");
        return;
    }
    bool first = true;
    for (size_t i = 0; p->returning && i < p->rel->column_count; i++) {
        if (!p->returning[i])
            continue;
        rest_sql_puts(g, first ? "" : ", ");
        rest_sql_put_column(g, SQL_WRITE_TARGET, &p->rel->columns[i]);
        first = false;
    }
    rest_sql_puts(g, first ? "1" : "");
}

static void put_mutation(sql_gen *g, const rest_write_plan *p)
{
    if (p->kind == PLAN_WRITE_UPDATE && !p->column_count) {
        rest_sql_puts(g, "select ");
        put_returning_list(g, p);
        rest_sql_puts(g, " from ");
        db_append_qualified(&g->sql, p->rel->schema, p->rel->name);
        rest_sql_puts(g, " as " SQL_WRITE_TARGET " where false");
        return;
    }
    if (p->kind == PLAN_WRITE_INSERT)
        rest_sql_put_insert(g, p);
    else if (p->kind == PLAN_WRITE_UPDATE)
        rest_sql_put_update(g, p);
    else
        rest_sql_put_delete(g, p);
    rest_sql_puts(g, " returning ");
    put_returning_list(g, p);
}

static void put_count(sql_gen *g, const rest_write_plan *p)
{
    if (p->read.media == REST_MEDIA_OBJECT)
        rest_sql_puts(g, "pgstack.rest_single(pg_catalog.count(*))");
    else
        rest_sql_puts(g, "pg_catalog.count(*)");
}

/* case when count(*) = 1 then json_agg(json_build_array(_r."k"::text, ...)) ->> 0 end */
static void put_location(sql_gen *g, const rest_write_plan *p)
{
    if (!p->location_count) {
        rest_sql_puts(g, "null::pg_catalog.text");
        return;
    }
    rest_sql_puts(g, "case when pg_catalog.count(*) = 1 then pg_catalog.json_agg("
                     "pg_catalog.json_build_array(");
    for (size_t i = 0; i < p->location_count; i++) {
        rest_sql_puts(g, i ? ", " : "");
        rest_sql_put_column(g, "_r", p->location[i]);
        rest_sql_puts(g, "::pg_catalog.text");
    }
    rest_sql_puts(g, ")) ->> 0 end");
}

/* The root node as the representation shows it: its select tree,
 * embeddings and order over _w, without the filters and paging that
 * chose the rows. */
static void put_representation(sql_gen *g, const rest_write_plan *p)
{
    plan_node root = *p->read.root;
    root.where.children = NULL;
    root.where.child_count = 0;
    root.limit = REST_NO_LIMIT;
    root.offset = 0;
    rest_sql_puts(g, "(");
    g->root_from = "_w";
    rest_sql_put_node_query(g, &root, SQL_ROWS);
    g->root_from = NULL;
    rest_sql_puts(g, ")");
}

void rest_sql_write(arena *a, const rest_write_plan *p, rest_write_sql *out)
{
    memset(out, 0, sizeof(*out));
    bool shows = p->return_ == REST_RETURN_REPRESENTATION;
    sql_gen g;
    rest_sql_gen_init(&g, a);
    rest_sql_puts(&g, "with _w as (");
    put_mutation(&g, p);
    rest_sql_puts(&g, ") select ");
    put_count(&g, p);
    rest_sql_printf(&g, ", %s, ",
                    shows ? rest_sql_body_expression(&p->read) : "null::pg_catalog.text");
    put_location(&g, p);
    rest_sql_puts(&g, " from ");
    if (shows)
        put_representation(&g, p);
    else
        rest_sql_puts(&g, "_w");
    rest_sql_puts(&g, " as _r");
    rest_sql_gen_finish(&g, &out->main);
    if (shows && p->read.media == REST_MEDIA_CSV)
        out->csv_header = rest_sql_csv_header(a, &p->read);
}
