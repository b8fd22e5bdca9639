/* The column names of a write resolved against the catalog:
 *   - the written columns: without columns=, the keys of the rows, which
 *     must all have the same keys (PostgREST's PGRST102); with columns=,
 *     the listed columns, other keys being ignored. A listed key that a row
 *     lacks is NULL, or with Prefer: missing=default the column's default:
 *     left out of the insert when no row has it (unless an upsert merges),
 *     the default expression per row when some have it, DEFAULT in an
 *     update;
 *   - the ON CONFLICT target of an upsert;
 *   - what the reply needs back: the columns of the representation (those
 *     it shows, those its embeddings join on, those it is ordered by) or
 *     the primary key for the Location of return=headers-only.
 * Columns are kept in the relation's order, so equal requests give equal
 * SQL whatever the order of the keys. */
#include "rest/plan/plan_write_internal.h"

#include <string.h>

bool rest_plan_write_fail_column(arena *a, const rest_relation *rel, const char *name,
                                 rest_error *err)
{
    return rest_error_set(err, a, 400, "PGRST204", NULL, NULL,
                          "Could not find the '%s' column of '%s' in the schema cache", name,
                          rel->name);
}

/* Per column of rel: how it is written; 0 = not written. */
typedef struct column_marks {
    plan_value *value;
    bool *written;
} column_marks;

static bool mark(arena *a, const rest_relation *rel, const char *name, plan_value v,
                 column_marks *m, rest_error *err)
{
    size_t i;
    if (!rest_relation_column(rel, name, &i))
        return rest_plan_write_fail_column(a, rel, name, err);
    m->written[i] = true;
    m->value[i] = v;
    return true;
}

static bool from_keys(arena *a, const rest_write_plan *p, column_marks *m, rest_error *err)
{
    const rest_body *b = p->body;
    if (!b->uniform)
        return rest_error_set(err, a, 400, "PGRST102",
                              "Give every row the same keys, or name the columns with columns=.",
                              NULL, "All object keys must match");
    for (size_t i = 0; i < b->key_count; i++)
        if (!mark(a, p->rel, b->keys[i].name, PLAN_VALUE_BODY, m, err))
            return false;
    return true;
}

/* How a listed column is written given the rows that have its key; false
 * to leave it out (the table's default on insert). In an upsert that
 * merges, a column no row has still overwrites the existing row with its
 * default, as in PostgREST (an identity column is left alone). */
static bool listed_value(const rest_request *req, const rest_write_plan *p, const rest_column *col,
                         plan_value *v)
{
    const rest_body_key *k = rest_body_find_key(p->body, col->name);
    size_t rows = k ? k->rows : 0;
    *v = PLAN_VALUE_BODY;
    if (req->prefer.missing != REST_MISSING_DEFAULT || rows == p->body->row_count)
        return true;
    *v = p->kind == PLAN_WRITE_UPDATE ? PLAN_VALUE_DEFAULT : PLAN_VALUE_BODY_OR_DEFAULT;
    if (p->kind == PLAN_WRITE_UPDATE || rows > 0)
        return true;
    if (p->resolution != REST_RESOLUTION_MERGE_DUPLICATES)
        return false;
    if (!col->default_expr)
        *v = PLAN_VALUE_BODY; /* NULL is its default, unless it is an identity */
    return col->default_expr || !col->has_default;
}

static bool from_list(arena *a, const rest_request *req, const rest_write_plan *p, column_marks *m,
                      rest_error *err)
{
    for (size_t i = 0; i < req->columns.count; i++) {
        const char *name = req->columns.names[i];
        const rest_column *col = rest_relation_column(p->rel, name, NULL);
        plan_value v;
        if (!col)
            return rest_plan_write_fail_column(a, p->rel, name, err);
        if (listed_value(req, p, col, &v) && !mark(a, p->rel, name, v, m, err))
            return false;
    }
    return true;
}

bool rest_plan_write_columns(arena *a, const rest_request *req, rest_write_plan *p, rest_error *err)
{
    size_t n = p->rel->column_count;
    column_marks m = {arena_zalloc(a, (n + 1) * sizeof(plan_value)),
                      arena_zalloc(a, (n + 1) * sizeof(bool))};
    bool ok = req->has_columns ? from_list(a, req, p, &m, err) : from_keys(a, p, &m, err);
    if (!ok)
        return false;
    p->columns = arena_zalloc(a, (n + 1) * sizeof(plan_write_column));
    p->column_count = 0;
    for (size_t i = 0; i < n; i++)
        if (m.written[i])
            p->columns[p->column_count++] = (plan_write_column){&p->rel->columns[i], m.value[i]};
    return true;
}

/* ---- ON CONFLICT ------------------------------------------------------- */

static const rest_column **key_columns(arena *a, const rest_relation *rel, const rest_key *key)
{
    const rest_column **cols = arena_zalloc(a, (key->count + 1) * sizeof(*cols));
    for (size_t i = 0; i < key->count; i++)
        cols[i] = &rel->columns[key->cols[i]];
    return cols;
}

bool rest_plan_write_conflict(arena *a, const rest_request *req, rest_write_plan *p,
                              rest_error *err)
{
    const rest_relation *rel = p->rel;
    if (req->has_on_conflict) {
        p->conflict = arena_zalloc(a, (req->on_conflict.count + 1) * sizeof(rest_column *));
        p->conflict_count = req->on_conflict.count;
        for (size_t i = 0; i < req->on_conflict.count; i++) {
            p->conflict[i] = rest_relation_column(rel, req->on_conflict.names[i], NULL);
            if (!p->conflict[i])
                return rest_plan_write_fail_column(a, rel, req->on_conflict.names[i], err);
        }
    } else {
        p->conflict = key_columns(a, rel, &rel->pk);
        p->conflict_count = rel->pk.count;
    }
    p->resolution = p->conflict_count ? req->prefer.resolution : REST_RESOLUTION_UNSET;
    return true;
}

/* ---- RETURNING ---------------------------------------------------------- */

static void need(bool *returning, const rest_relation *rel, const rest_column *col)
{
    returning[col - rel->columns] = true;
}

/* The parent's side of an embedding's join. */
static void need_join(bool *returning, const plan_node *child)
{
    const plan_join *j = &child->join;
    const rest_relation *parent = child->parent->rel;
    const rest_fk *fk = j->fk;
    for (size_t i = 0; i < fk->col_count; i++) {
        size_t col =
            j->card != PLAN_MANY_TO_MANY && j->fk_from_parent ? fk->from_cols[i] : fk->to_cols[i];
        need(returning, parent, &parent->columns[col]);
    }
}

static bool need_items(bool *returning, const plan_node *root)
{
    for (size_t i = 0; i < root->item_count; i++) {
        const plan_item *it = &root->items[i];
        if (it->kind == PLAN_ITEM_STAR)
            return false;
        if (it->kind == PLAN_ITEM_COLUMN)
            need(returning, root->rel, it->field.column);
        else
            need_join(returning, it->node);
    }
    for (size_t i = 0; i < root->order_count; i++)
        if (!root->order[i].embed)
            need(returning, root->rel, root->order[i].field.column);
    return true;
}

void rest_plan_write_returning(arena *a, rest_write_plan *p)
{
    const rest_relation *rel = p->rel;
    bool *returning = arena_zalloc(a, (rel->column_count + 1) * sizeof(bool));
    p->returning = NULL;
    p->returning_all = false;
    if (p->return_ == REST_RETURN_REPRESENTATION) {
        p->returning_all = !need_items(returning, p->read.root);
        p->returning = p->returning_all ? NULL : returning;
        return;
    }
    if (p->return_ != REST_RETURN_HEADERS_ONLY || rel->pk.count == 0)
        return;
    p->location = key_columns(a, rel, &rel->pk);
    p->location_count = rel->pk.count;
    for (size_t i = 0; i < rel->pk.count; i++)
        returning[rel->pk.cols[i]] = true;
    p->returning = returning;
}
