/* rest_plan_write: the read plan of the request, then what each method
 * demands of it (see plan_write.h):
 *   POST    any rows; upsert with Prefer: resolution=...
 *   PUT     one row; the filters are eq on every primary-key column and
 *           nothing else (405 PGRST105), no limit/offset (400 PGRST114),
 *           the body has the key columns (400 PGRST115); merged on the key
 *   PATCH   one object; at least one filter on the root (400 21000)
 *   DELETE  at least one filter on the root (400 21000)
 * A PATCH or DELETE with limit/offset changes the rows a subquery picks
 * with the same filters, order and paging, matched by primary key (ctid
 * for a table without one). */
#include "rest/plan/plan_write_internal.h"

#include <string.h>

static bool fail_no_filter(arena *a, const char *verb, rest_error *err)
{
    return rest_error_set(err, a, 400, "21000", NULL,
                          "Add a filter such as ?id=eq.1: a filter is required so that "
                          "a request cannot change every row by accident.",
                          "%s requires a WHERE clause", verb);
}

static bool single_row(arena *a, const rest_body *b, const char *method, rest_error *err)
{
    if (b->row_count == 1)
        return true;
    return rest_error_set(err, a, 400, "PGRST102",
                          arena_printf(a, "The body holds %zu rows.", b->row_count), NULL,
                          "%s needs a single JSON object as its body", method);
}

/* Every root filter is a plain eq on a primary-key column, and every key
 * column has one. */
static bool filters_are_key(arena *a, const rest_request *req, const rest_relation *rel)
{
    if (rel->pk.count == 0)
        return false;
    bool *is_key = arena_zalloc(a, (rel->column_count + 1) * sizeof(bool));
    bool *seen = arena_zalloc(a, (rel->column_count + 1) * sizeof(bool));
    for (size_t k = 0; k < rel->pk.count; k++)
        is_key[rel->pk.cols[k]] = true;
    for (size_t i = 0; i < req->filter_count; i++) {
        const rest_filter *f = &req->filters[i];
        size_t col;
        if (f->path.count != 0)
            continue;
        if (f->field.json_path_len || f->cond.op != REST_OP_EQ || f->cond.negated ||
            f->cond.quantifier != REST_QUANT_NONE ||
            !rest_relation_column(rel, f->field.column, &col) || !is_key[col])
            return false;
        seen[col] = true;
    }
    for (size_t k = 0; k < rel->pk.count; k++)
        if (!seen[rel->pk.cols[k]])
            return false;
    return true;
}

static bool has_root_logic(const rest_request *req)
{
    for (size_t i = 0; i < req->logic_count; i++)
        if (req->logic[i].path.count == 0)
            return true;
    return false;
}

static bool writes_column(const rest_write_plan *p, size_t col)
{
    for (size_t i = 0; i < p->column_count; i++)
        if (p->columns[i].column == &p->rel->columns[col] && p->columns[i].value == PLAN_VALUE_BODY)
            return true;
    return false;
}

static bool check_put(arena *a, const rest_request *req, rest_write_plan *p, rest_error *err)
{
    const rest_relation *rel = p->rel;
    if (has_root_logic(req) || !filters_are_key(a, req, rel))
        return rest_error_set(err, a, 405, "PGRST105", NULL, NULL,
                              "Filters must include all and only primary key columns with "
                              "'eq' operators");
    if (req->paging.limit != REST_NO_LIMIT || req->paging.offset != 0)
        return rest_error_set(err, a, 400, "PGRST114", NULL, NULL,
                              "limit/offset querystring parameters are not allowed for PUT");
    for (size_t k = 0; k < rel->pk.count; k++)
        if (!writes_column(p, rel->pk.cols[k]))
            return rest_error_set(err, a, 400, "PGRST115",
                                  arena_printf(a, "The body has no value for '%s'.",
                                               rel->columns[rel->pk.cols[k]].name),
                                  NULL, "Payload values do not match URL in primary key column(s)");
    p->resolution = REST_RESOLUTION_MERGE_DUPLICATES;
    p->conflict = arena_zalloc(a, (rel->pk.count + 1) * sizeof(rest_column *));
    p->conflict_count = rel->pk.count;
    for (size_t k = 0; k < rel->pk.count; k++)
        p->conflict[k] = &rel->columns[rel->pk.cols[k]];
    return true;
}

/* limit/offset on a PATCH or DELETE: the row identity of the subquery. */
static bool plan_limited(arena *a, rest_write_plan *p, rest_error *err)
{
    const plan_node *root = p->read.root;
    const rest_relation *rel = p->rel;
    p->limited = root->limit != REST_NO_LIMIT || root->offset > 0;
    if (!p->limited || (rel->pk.count == 0 && rel->kind == REST_REL_TABLE))
        return true; /* a table without a key: tableoid and ctid */
    if (rel->pk.count == 0)
        return rest_error_set(err, a, 400, "PGRST100",
                              "A view needs a primary key (shown from its base table) for a "
                              "limited update or delete.",
                              NULL, "limit/offset cannot pick the rows of '%s'", rel->name);
    p->row_key = arena_zalloc(a, (rel->pk.count + 1) * sizeof(rest_column *));
    p->row_key_count = rel->pk.count;
    for (size_t k = 0; k < rel->pk.count; k++)
        p->row_key[k] = &rel->columns[rel->pk.cols[k]];
    return true;
}

static bool plan_by_method(arena *a, const rest_request *req, rest_write_plan *p, rest_error *err)
{
    bool filtered = p->read.root->where.child_count > 0;
    switch (req->method) {
    case REST_POST:
        return rest_plan_write_conflict(a, req, p, err) && rest_plan_write_columns(a, req, p, err);
    case REST_PUT:
        p->put = true;
        return single_row(a, p->body, "PUT", err) && rest_plan_write_columns(a, req, p, err) &&
               check_put(a, req, p, err);
    case REST_PATCH:
        p->kind = PLAN_WRITE_UPDATE;
        if (!filtered)
            return fail_no_filter(a, "UPDATE", err);
        return single_row(a, p->body, "PATCH", err) && rest_plan_write_columns(a, req, p, err) &&
               plan_limited(a, p, err);
    case REST_DELETE:
        p->kind = PLAN_WRITE_DELETE;
        if (!filtered)
            return fail_no_filter(a, "DELETE", err);
        return plan_limited(a, p, err);
    default:
        return rest_error_set(err, a, 405, "PGRST117", NULL, NULL, "Unsupported HTTP method");
    }
}

static rest_prefer_return reply_kind(const rest_request *req)
{
    rest_prefer_return r = req->prefer.return_;
    if (r == REST_RETURN_REPRESENTATION)
        return r;
    if (r == REST_RETURN_HEADERS_ONLY && req->method == REST_POST)
        return r;
    return REST_RETURN_MINIMAL;
}

bool rest_plan_write(arena *a, const rest_catalog *cat, const rest_request *req,
                     const rest_body *body, const char *table, rest_write_plan *out,
                     rest_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!rest_plan_read(a, cat, req, table, &out->read, err))
        return false;
    out->read.head = false;
    out->kind = PLAN_WRITE_INSERT;
    out->rel = out->read.root->rel;
    out->body = body;
    if (!plan_by_method(a, req, out, err))
        return false;
    out->return_ = reply_kind(req);
    rest_plan_write_returning(a, out);
    return true;
}
