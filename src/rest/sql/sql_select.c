/* The query of one plan node:
 *   select <items> from "s"."t" as _tN
 *     [join "s"."junction" as _jN on <junction = child>]      many-to-many
 *     [left] join lateral (<child rows as json>) as _lC on ... embeddings
 *     where <join to the parent> and <filters> and <presence>
 *     order by ... limit $a offset $b
 * An embedding's lateral yields one column v: row_to_json of its row for a
 * to-one, json_agg of its rows for a to-many (NULL when none), or, for a
 * spread, the child's columns themselves. !inner joins it (on v not null),
 * rel=is.null keeps parents whose v is null. Counting (SQL_COUNT) selects
 * 1 over the same rows and joins only the embeddings that filter. */
#include "rest/sql/sql_internal.h"

#include "db/quote.h"

/* The pieces in order, without printf (a sixth of a request's
 * instructions went to formatting; tests/bench/worker). */
#define PUTS(g, ...) sql_puts_all((g), (const char *[]){__VA_ARGS__, NULL})

static void sql_puts_all(sql_gen *g, const char *const *pieces)
{
    for (; *pieces; pieces++)
        rest_sql_puts(g, *pieces);
}

static void put_relation(sql_gen *g, const rest_relation *r)
{
    db_append_qualified(&g->sql, r->schema, r->name);
}

/* child_alias.col = parent_alias.col for each column pair of a direct
 * relationship. */
static void put_direct_pairs(sql_gen *g, const plan_join *j, const rest_relation *parent,
                             const char *parent_alias, const rest_relation *child,
                             const char *child_alias)
{
    const rest_fk *fk = j->fk;
    for (size_t i = 0; i < fk->col_count; i++) {
        size_t child_col = j->fk_from_parent ? fk->to_cols[i] : fk->from_cols[i];
        size_t parent_col = j->fk_from_parent ? fk->from_cols[i] : fk->to_cols[i];
        rest_sql_puts(g, i ? " and " : "");
        rest_sql_put_column(g, child_alias, &child->columns[child_col]);
        rest_sql_puts(g, " = ");
        rest_sql_put_column(g, parent_alias, &parent->columns[parent_col]);
    }
}

/* from.cols = to.cols of a foreign key, the two sides aliased. */
static void put_fk_pairs(sql_gen *g, const rest_fk *fk, const char *from_alias,
                         const char *to_alias)
{
    for (size_t i = 0; i < fk->col_count; i++) {
        rest_sql_puts(g, i ? " and " : "");
        rest_sql_put_column(g, from_alias, &fk->from->columns[fk->from_cols[i]]);
        rest_sql_puts(g, " = ");
        rest_sql_put_column(g, to_alias, &fk->to->columns[fk->to_cols[i]]);
    }
}

/* The node's condition joining it to its parent. */
static void put_parent_join(sql_gen *g, const plan_node *n)
{
    const char *parent_alias = rest_sql_alias(g, 't', n->parent);
    if (n->join.card == PLAN_MANY_TO_MANY)
        put_fk_pairs(g, n->join.fk, rest_sql_alias(g, 'j', n), parent_alias);
    else
        put_direct_pairs(g, &n->join, n->parent->rel, parent_alias, n->rel,
                         rest_sql_alias(g, 't', n));
}

static bool is_output(const plan_item *it)
{
    return it->kind == PLAN_ITEM_SPREAD || (it->kind == PLAN_ITEM_EMBED && it->node->item_count);
}

static void put_item(sql_gen *g, const plan_node *n, const plan_item *it)
{
    switch (it->kind) {
    case PLAN_ITEM_STAR:
        PUTS(g, rest_sql_alias(g, 't', n), ".*");
        return;
    case PLAN_ITEM_COLUMN:
        rest_sql_puts(g, it->cast ? "cast(" : "");
        rest_sql_put_field(g, rest_sql_alias(g, 't', n), &it->field);
        if (it->cast)
            PUTS(g, " as ", it->cast, ")");
        break;
    case PLAN_ITEM_SPREAD:
        PUTS(g, rest_sql_alias(g, 'l', it->node), ".*");
        return;
    case PLAN_ITEM_EMBED:
        if (it->node->join.to_one)
            PUTS(g, rest_sql_alias(g, 'l', it->node), ".v");
        else
            PUTS(g, "coalesce(", rest_sql_alias(g, 'l', it->node), ".v, '[]'::pg_catalog.json)");
        break;
    }
    rest_sql_puts(g, " as ");
    db_append_ident(&g->sql, it->name);
}

static void put_select_list(sql_gen *g, const plan_node *n)
{
    bool first = true;
    for (size_t i = 0; i < n->item_count; i++) {
        const plan_item *it = &n->items[i];
        if (it->kind == PLAN_ITEM_EMBED && !is_output(it))
            continue;
        rest_sql_puts(g, first ? "" : ", ");
        put_item(g, n, it);
        first = false;
    }
}

static void put_lateral(sql_gen *g, const plan_node *c, bool spread)
{
    bool required = c->presence == PLAN_PRESENCE_REQUIRED;
    rest_sql_puts(g, required ? " join lateral (" : " left join lateral (");
    if (spread) {
        rest_sql_put_node_query(g, c, SQL_ROWS);
    } else {
        rest_sql_puts(g, c->join.to_one ? "select pg_catalog.row_to_json(_e) as v from ("
                                        : "select pg_catalog.json_agg(_e) as v from (");
        rest_sql_put_node_query(g, c, SQL_ROWS);
        rest_sql_puts(g, ") as _e");
    }
    const char *alias = rest_sql_alias(g, 'l', c);
    if (required && !spread && !c->join.to_one)
        PUTS(g, ") as ", alias, " on ", alias, ".v is not null");
    else
        PUTS(g, ") as ", alias, " on true");
}

static void put_laterals(sql_gen *g, const plan_node *n, sql_mode mode)
{
    for (size_t i = 0; i < n->item_count; i++) {
        const plan_item *it = &n->items[i];
        if (it->kind != PLAN_ITEM_EMBED && it->kind != PLAN_ITEM_SPREAD)
            continue;
        bool filters = it->node->presence != PLAN_PRESENCE_ANY;
        if (filters || (mode == SQL_ROWS && is_output(it)))
            put_lateral(g, it->node, it->kind == PLAN_ITEM_SPREAD);
    }
}

static void put_from(sql_gen *g, const plan_node *n)
{
    rest_sql_puts(g, " from ");
    if (!n->parent && g->root_from)
        rest_sql_puts(g, g->root_from);
    else if (n->call)
        rest_sql_puts(g, "_call"); /* an RPC's result (sql_call.c) */
    else
        put_relation(g, n->rel);
    PUTS(g, " as ", rest_sql_alias(g, 't', n));
    if (n->parent && n->join.card == PLAN_MANY_TO_MANY) {
        const char *j = rest_sql_alias(g, 'j', n);
        rest_sql_puts(g, " join ");
        put_relation(g, n->join.junction);
        PUTS(g, " as ", j, " on ");
        put_fk_pairs(g, n->join.junction_fk, j, rest_sql_alias(g, 't', n));
    }
}

/* Starts a conjunct: " where " first, " and " after. */
static void conjunct(sql_gen *g, bool *any)
{
    rest_sql_puts(g, *any ? " and " : " where ");
    *any = true;
}

static void put_where(sql_gen *g, const plan_node *n)
{
    bool any = false;
    if (n->parent) {
        conjunct(g, &any);
        put_parent_join(g, n);
    }
    if (n->where.child_count) {
        conjunct(g, &any);
        rest_sql_put_logic(g, rest_sql_alias(g, 't', n), &n->where);
    }
    for (size_t i = 0; i < n->item_count; i++) {
        const plan_item *it = &n->items[i];
        if (it->kind == PLAN_ITEM_EMBED && it->node->presence == PLAN_PRESENCE_ABSENT) {
            conjunct(g, &any);
            PUTS(g, rest_sql_alias(g, 'l', it->node), ".v is null");
        }
    }
}

/* (select _oC.col from "s"."t" as _oC where <join to the node>) */
static void put_related_order(sql_gen *g, const plan_node *n, const plan_order_term *t)
{
    const plan_node *c = t->embed;
    const char *alias = rest_sql_alias(g, 'o', c);
    rest_sql_puts(g, "(select ");
    rest_sql_put_field(g, alias, &t->field);
    rest_sql_puts(g, " from ");
    put_relation(g, c->rel);
    PUTS(g, " as ", alias, " where ");
    put_direct_pairs(g, &c->join, n->rel, rest_sql_alias(g, 't', n), c->rel, alias);
    rest_sql_puts(g, ")");
}

void rest_sql_put_order(sql_gen *g, const plan_node *n)
{
    for (size_t i = 0; i < n->order_count; i++) {
        const plan_order_term *t = &n->order[i];
        rest_sql_puts(g, i ? ", " : " order by ");
        if (t->embed)
            put_related_order(g, n, t);
        else
            rest_sql_put_field(g, rest_sql_alias(g, 't', n), &t->field);
        rest_sql_puts(g, t->dir == REST_ORDER_DESC  ? " desc"
                         : t->dir == REST_ORDER_ASC ? " asc"
                                                    : "");
        rest_sql_puts(g, t->nulls == REST_NULLS_FIRST  ? " nulls first"
                         : t->nulls == REST_NULLS_LAST ? " nulls last"
                                                       : "");
    }
}

void rest_sql_put_paging(sql_gen *g, const plan_node *n)
{
    if (n->limit != REST_NO_LIMIT) {
        rest_sql_puts(g, " limit ");
        rest_sql_put_param(g, arena_itoa(g->arena, n->limit), "pg_catalog.int8");
    }
    if (n->offset > 0) {
        rest_sql_puts(g, " offset ");
        rest_sql_put_param(g, arena_itoa(g->arena, n->offset), "pg_catalog.int8");
    }
}

void rest_sql_put_node_query(sql_gen *g, const plan_node *n, sql_mode mode)
{
    rest_sql_puts(g, "select ");
    if (mode == SQL_ROWS)
        put_select_list(g, n);
    else
        rest_sql_puts(g, "1");
    put_from(g, n);
    put_laterals(g, n, mode);
    put_where(g, n);
    if (mode == SQL_ROWS) {
        rest_sql_put_order(g, n);
        rest_sql_put_paging(g, n);
    }
}
