/* Finishing the relations of a catalog: columns in attnum order; every
 * column traced to the base-table column it shows (through views over
 * views); keys of tables, and of views that show all of a key's columns;
 * foreign keys projected onto every pair of exposed relations that show
 * their columns (PostgREST's view relationships); and each relation's
 * incoming and outgoing relationship lists. */
#include "rest/catalog/catalog_build_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VIEW_NESTING 32

typedef struct col_base {
    unsigned oid;
    int attnum;
} col_base;

typedef struct derive_ctx {
    catalog_builder *b;
    build_rel **rels;
    size_t rel_count;
    col_base **bases; /* per relation, per column */
    vec fks;          /* rest_fk */
} derive_ctx;

/* A projection of a key's columns onto one exposed relation. */
typedef struct projection {
    size_t rel;
    size_t *cols;
} projection;

static int compare_view_column(const void *x, const void *y)
{
    const raw_view_column *a = x, *b = y;
    if (a->view_oid != b->view_oid)
        return (a->view_oid > b->view_oid) - (a->view_oid < b->view_oid);
    return (a->attnum > b->attnum) - (a->attnum < b->attnum);
}

static int compare_column(const void *x, const void *y)
{
    const rest_column *a = x, *b = y;
    return (a->attnum > b->attnum) - (a->attnum < b->attnum);
}

static int compare_relation(const void *x, const void *y)
{
    const rest_relation *a = *(const rest_relation *const *)x;
    const rest_relation *b = *(const rest_relation *const *)y;
    int d = strcmp(a->schema, b->schema);
    return d ? d : strcmp(a->name, b->name);
}

static const raw_view_column *find_view_column(catalog_builder *b, unsigned oid, int attnum)
{
    raw_view_column key = {.view_oid = oid, .attnum = attnum};
    if (!b->view_cols.count)
        return NULL;
    return bsearch(&key, b->view_cols.items, b->view_cols.count, sizeof(raw_view_column),
                   compare_view_column);
}

static col_base resolve_base(catalog_builder *b, unsigned oid, int attnum)
{
    col_base at = {oid, attnum};
    for (int depth = 0; depth < MAX_VIEW_NESTING; depth++) {
        const raw_view_column *v = find_view_column(b, at.oid, at.attnum);
        if (!v)
            break;
        at = (col_base){v->source_oid, v->source_attnum};
    }
    return at;
}

static void finish_columns(derive_ctx *d)
{
    d->bases = arena_alloc(d->b->arena, (d->rel_count ? d->rel_count : 1) * sizeof(col_base *));
    for (size_t i = 0; i < d->rel_count; i++) {
        build_rel *r = d->rels[i];
        r->rel.columns = r->columns.items;
        r->rel.column_count = r->columns.count;
        if (r->columns.count)
            qsort(r->columns.items, r->columns.count, sizeof(rest_column), compare_column);
        d->bases[i] = arena_alloc(d->b->arena, (r->columns.count + 1) * sizeof(col_base));
        for (size_t c = 0; c < r->columns.count; c++)
            d->bases[i][c] = resolve_base(d->b, r->rel.oid, r->rel.columns[c].attnum);
    }
}

/* The columns of relation ri that show (oid, attnums), or NULL. */
static size_t *cover(derive_ctx *d, size_t ri, unsigned oid, const int *attnums, size_t count)
{
    const rest_relation *r = &d->rels[ri]->rel;
    size_t *cols = arena_alloc(d->b->arena, (count ? count : 1) * sizeof(size_t));
    for (size_t k = 0; k < count; k++) {
        size_t c = 0;
        while (c < r->column_count &&
               !(d->bases[ri][c].oid == oid && d->bases[ri][c].attnum == attnums[k]))
            c++;
        if (c == r->column_count)
            return NULL;
        cols[k] = c;
    }
    return cols;
}

static void derive_keys(derive_ctx *d, size_t ri)
{
    rest_relation *r = &d->rels[ri]->rel;
    const raw_key *keys = d->b->keys.items;
    vec uniques = {0};
    for (size_t k = 0; k < d->b->keys.count; k++) {
        size_t *cols = cover(d, ri, keys[k].oid, keys[k].attnums, keys[k].count);
        if (!cols || keys[k].count == 0)
            continue;
        rest_key key = {cols, keys[k].count};
        *(rest_key *)vec_push(d->b->arena, &uniques, sizeof(rest_key)) = key;
        if (keys[k].primary && r->pk.count == 0)
            r->pk = key;
    }
    r->uniques = uniques.items;
    r->unique_count = uniques.count;
}

/* Some unique key of r lies within cols. */
static bool is_unique(const rest_relation *r, const size_t *cols, size_t count)
{
    for (size_t u = 0; u < r->unique_count; u++) {
        const rest_key *key = &r->uniques[u];
        size_t found = 0;
        for (size_t i = 0; i < key->count; i++)
            for (size_t j = 0; j < count; j++)
                if (key->cols[i] == cols[j]) {
                    found++;
                    break;
                }
        if (found == key->count)
            return true;
    }
    return false;
}

static size_t projections(derive_ctx *d, unsigned oid, const int *attnums, size_t count,
                          projection *out)
{
    size_t n = 0;
    for (size_t ri = 0; ri < d->rel_count; ri++) {
        size_t *cols = cover(d, ri, oid, attnums, count);
        if (cols)
            out[n++] = (projection){ri, cols};
    }
    return n;
}

static void derive_fk(derive_ctx *d, const raw_fk *f, projection *from, projection *to)
{
    size_t nf = projections(d, f->from_oid, f->from_attnums, f->count, from);
    size_t nt = projections(d, f->to_oid, f->to_attnums, f->count, to);
    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < nt; j++) {
            rest_fk *fk = vec_push(d->b->arena, &d->fks, sizeof(*fk));
            fk->name = f->name;
            fk->from = &d->rels[from[i].rel]->rel;
            fk->to = &d->rels[to[j].rel]->rel;
            fk->from_cols = from[i].cols;
            fk->to_cols = to[j].cols;
            fk->col_count = f->count;
            fk->from_unique = is_unique(fk->from, fk->from_cols, f->count);
        }
}

/* Each relation's outgoing and incoming relationship lists. */
static void link_fks(derive_ctx *d, const rest_fk *fks, size_t count)
{
    arena *a = d->b->arena;
    for (size_t i = 0; i < count; i++) {
        ((rest_relation *)fks[i].from)->out_count++;
        ((rest_relation *)fks[i].to)->in_count++;
    }
    for (size_t ri = 0; ri < d->rel_count; ri++) {
        rest_relation *r = &d->rels[ri]->rel;
        r->out = arena_alloc(a, (r->out_count + 1) * sizeof(rest_fk *));
        r->in = arena_alloc(a, (r->in_count + 1) * sizeof(rest_fk *));
        r->out_count = r->in_count = 0;
    }
    for (size_t i = 0; i < count; i++) {
        rest_relation *from = (rest_relation *)fks[i].from, *to = (rest_relation *)fks[i].to;
        from->out[from->out_count++] = &fks[i];
        to->in[to->in_count++] = &fks[i];
    }
}

void rest_catalog_derive(catalog_builder *b, rest_catalog *c)
{
    derive_ctx d = {.b = b, .rels = b->rels.items, .rel_count = b->rels.count};
    if (b->view_cols.count)
        qsort(b->view_cols.items, b->view_cols.count, sizeof(raw_view_column), compare_view_column);
    finish_columns(&d);
    for (size_t ri = 0; ri < d.rel_count; ri++)
        derive_keys(&d, ri);
    projection *from = arena_alloc(b->arena, (d.rel_count + 1) * sizeof(projection));
    projection *to = arena_alloc(b->arena, (d.rel_count + 1) * sizeof(projection));
    const raw_fk *raw = b->fks.items;
    for (size_t i = 0; i < b->fks.count; i++)
        derive_fk(&d, &raw[i], from, to);
    c->fks = d.fks.items;
    c->fk_count = d.fks.count;
    link_fks(&d, c->fks, c->fk_count);
    const rest_relation **sorted =
        arena_alloc(b->arena, (d.rel_count + 1) * sizeof(rest_relation *));
    for (size_t ri = 0; ri < d.rel_count; ri++)
        sorted[ri] = &d.rels[ri]->rel;
    if (d.rel_count)
        qsort(sorted, d.rel_count, sizeof(*sorted), compare_relation);
    c->relations = sorted;
    c->relation_count = d.rel_count;
}
