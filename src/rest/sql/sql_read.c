/* The statements of a read (GET/HEAD); see sql.h:
 *   select <total>, pg_catalog.count(*), <body> from (<root rows>) as _r
 * with total an exact count(*) of the root's counting query (capped for
 * count=estimated), and body the rows rendered by PostgreSQL as a JSON
 * array, one JSON object, or CSV lines (record text, as PostgREST). An
 * RPC's root reads the rows of its call, defined in front (sql_call.c). */
#include "rest/plan/plan_rpc.h"
#include "rest/sql/sql_internal.h"

#include <string.h>

const char *rest_sql_body_expression(const rest_plan *p)
{
    if (p->head)
        return "null::pg_catalog.text";
    switch (p->media) {
    case REST_MEDIA_OBJECT:
        return p->strip_nulls ? "(pg_catalog.json_agg(pg_catalog.json_strip_nulls("
                                "pg_catalog.row_to_json(_r))) ->> 0)"
                              : "(pg_catalog.json_agg(_r) ->> 0)";
    case REST_MEDIA_CSV:
        return "coalesce(pg_catalog.string_agg(pg_catalog.substr(_r::pg_catalog.text, 2, "
               "pg_catalog.length(_r::pg_catalog.text) - 2), pg_catalog.chr(10)), '')";
    case REST_MEDIA_JSON:
        break;
    }
    return p->strip_nulls ? "coalesce(pg_catalog.json_agg(pg_catalog.json_strip_nulls("
                            "pg_catalog.row_to_json(_r))), '[]')::pg_catalog.text"
                          : "coalesce(pg_catalog.json_agg(_r), '[]')::pg_catalog.text";
}

static void put_total(sql_gen *g, const rest_plan *p)
{
    switch (p->count) {
    case REST_COUNT_EXACT:
        rest_sql_puts(g, "(select pg_catalog.count(*) from (");
        rest_sql_put_node_query(g, p->root, SQL_COUNT);
        rest_sql_puts(g, ") as _c)");
        return;
    case REST_COUNT_ESTIMATED:
        rest_sql_puts(g, "(select pg_catalog.count(*) from (");
        rest_sql_put_node_query(g, p->root, SQL_COUNT);
        rest_sql_printf(g, " limit %d) as _c)", REST_ESTIMATE_EXACT_LIMIT + 1);
        return;
    case REST_COUNT_PLANNED:
    case REST_COUNT_UNSET:
        break;
    }
    rest_sql_puts(g, "null::pg_catalog.int8");
}

/* ---- CSV header ----------------------------------------------------------- */

static void csv_name(sbuf *b, const char *name)
{
    if (b->len)
        sbuf_putc(b, ',');
    if (!strpbrk(name, ",\"\r\n")) {
        sbuf_puts(b, name);
        return;
    }
    sbuf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sbuf_putc(b, '"');
        sbuf_putc(b, *p);
    }
    sbuf_putc(b, '"');
}

static void csv_names(sbuf *b, const plan_node *n)
{
    for (size_t i = 0; i < n->item_count; i++) {
        const plan_item *it = &n->items[i];
        switch (it->kind) {
        case PLAN_ITEM_STAR:
            for (size_t c = 0; c < n->rel->column_count; c++)
                csv_name(b, n->rel->columns[c].name);
            break;
        case PLAN_ITEM_SPREAD:
            csv_names(b, it->node);
            break;
        case PLAN_ITEM_EMBED:
            if (!it->node->item_count)
                break;
            /* fall through */
        case PLAN_ITEM_COLUMN:
            csv_name(b, it->name);
            break;
        }
    }
}

const char *rest_sql_csv_header(arena *a, const rest_plan *p)
{
    sbuf header;
    sbuf_init(&header, a, 128);
    csv_names(&header, p->root);
    return header.data;
}

void rest_sql_read(arena *a, const rest_plan *p, rest_read_sql *out)
{
    memset(out, 0, sizeof(*out));
    const plan_call *call = p->root->call;
    const char *body = call ? rest_sql_call_body(a, p) : NULL;
    sql_gen g;
    rest_sql_gen_init(&g, a);
    if (call)
        rest_sql_put_call_cte(&g, call);
    rest_sql_puts(&g, "select ");
    put_total(&g, p);
    rest_sql_puts(&g, ", pg_catalog.count(*), ");
    rest_sql_puts(&g, body ? body : rest_sql_body_expression(p));
    rest_sql_puts(&g, " from (");
    rest_sql_put_node_query(&g, p->root, SQL_ROWS);
    rest_sql_puts(&g, ") as _r");
    rest_sql_gen_finish(&g, &out->main);
    if (p->count == REST_COUNT_PLANNED || p->count == REST_COUNT_ESTIMATED) {
        rest_sql_gen_init(&g, a);
        rest_sql_puts(&g, "explain (format json) ");
        if (call)
            rest_sql_put_call_cte(&g, call);
        rest_sql_put_node_query(&g, p->root, SQL_COUNT);
        rest_sql_gen_finish(&g, &out->explain);
    }
    if (p->media == REST_MEDIA_CSV)
        out->csv_header = rest_sql_csv_header(a, p);
}
