/* Collecting the pieces of a schema catalog, and finishing it (functions
 * sorted with their arguments attached; relations and relationships are
 * derived in rest_catalog_derive.c); see catalog_build.h. */
#include "rest/catalog/catalog_build_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *copy(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static int *copy_attnums(arena *a, const int *attnums, size_t count)
{
    int *out = arena_alloc(a, (count ? count : 1) * sizeof(int));
    if (count)
        memcpy(out, attnums, count * sizeof(int));
    return out;
}

catalog_builder *rest_catalog_builder_new(void)
{
    arena *a = arena_new(64 * 1024);
    catalog_builder *b = arena_zalloc(a, sizeof(*b));
    b->arena = a;
    return b;
}

void rest_catalog_builder_free(catalog_builder *b)
{
    if (b)
        arena_free(b->arena);
}

void rest_catalog_set_version(catalog_builder *b, long long version)
{
    b->version = version;
}

void rest_catalog_add_relation(catalog_builder *b, unsigned oid, const char *schema,
                               const char *name, rest_relkind kind)
{
    build_rel *r = arena_zalloc(b->arena, sizeof(*r));
    r->rel.oid = oid;
    r->rel.schema = copy(b->arena, schema);
    r->rel.name = copy(b->arena, name);
    r->rel.kind = kind;
    *(build_rel **)vec_push(b->arena, &b->rels, sizeof(build_rel *)) = r;
}

static build_rel *find_build_rel(catalog_builder *b, unsigned oid)
{
    build_rel **rels = b->rels.items;
    for (size_t i = b->rels.count; i-- > 0;) /* the loader adds columns to the latest */
        if (rels[i]->rel.oid == oid)
            return rels[i];
    return NULL;
}

bool rest_catalog_add_column(catalog_builder *b, unsigned rel_oid, const rest_column *col)
{
    build_rel *r = find_build_rel(b, rel_oid);
    if (!r)
        return false;
    rest_column *c = vec_push(b->arena, &r->columns, sizeof(*c));
    *c = *col;
    c->name = copy(b->arena, col->name);
    c->type = copy(b->arena, col->type);
    c->array_type = copy(b->arena, col->array_type);
    c->type_name = copy(b->arena, col->type_name ? col->type_name : col->type);
    c->default_expr = copy(b->arena, col->default_expr);
    return true;
}

void rest_catalog_add_key(catalog_builder *b, unsigned rel_oid, bool primary, const int *attnums,
                          size_t count)
{
    raw_key *k = vec_push(b->arena, &b->keys, sizeof(*k));
    k->oid = rel_oid;
    k->primary = primary;
    k->attnums = copy_attnums(b->arena, attnums, count);
    k->count = count;
}

void rest_catalog_add_fk(catalog_builder *b, const char *name, unsigned from_oid,
                         const int *from_attnums, unsigned to_oid, const int *to_attnums,
                         size_t count)
{
    raw_fk *f = vec_push(b->arena, &b->fks, sizeof(*f));
    f->name = copy(b->arena, name);
    f->from_oid = from_oid;
    f->to_oid = to_oid;
    f->from_attnums = copy_attnums(b->arena, from_attnums, count);
    f->to_attnums = copy_attnums(b->arena, to_attnums, count);
    f->count = count;
}

void rest_catalog_add_view_column(catalog_builder *b, unsigned view_oid, int attnum,
                                  unsigned source_oid, int source_attnum)
{
    raw_view_column *v = vec_push(b->arena, &b->view_cols, sizeof(*v));
    *v = (raw_view_column){view_oid, attnum, source_oid, source_attnum};
}

void rest_catalog_add_function(catalog_builder *b, const rest_function *f)
{
    rest_function *out = vec_push(b->arena, &b->funcs, sizeof(*out));
    *out = *f;
    out->schema = copy(b->arena, f->schema);
    out->name = copy(b->arena, f->name);
    out->return_type = copy(b->arena, f->return_type);
    out->return_type_name =
        copy(b->arena, f->return_type_name ? f->return_type_name : f->return_type);
    out->args = NULL;
    out->arg_count = 0;
}

void rest_catalog_add_function_arg(catalog_builder *b, unsigned func_oid, const rest_func_arg *arg)
{
    raw_func_arg *r = vec_push(b->arena, &b->args, sizeof(*r));
    r->func_oid = func_oid;
    r->seq = b->args.count;
    r->arg = *arg;
    r->arg.name = copy(b->arena, arg->name ? arg->name : "");
    r->arg.type = copy(b->arena, arg->type);
    r->arg.type_name = copy(b->arena, arg->type_name ? arg->type_name : arg->type);
}

/* ---- finishing: functions ------------------------------------------------ */

static int compare_function_oid(const void *x, const void *y)
{
    unsigned a = ((const rest_function *)x)->oid, b = ((const rest_function *)y)->oid;
    return (a > b) - (a < b);
}

static int compare_arg(const void *x, const void *y)
{
    const raw_func_arg *a = x, *b = y;
    if (a->func_oid != b->func_oid)
        return (a->func_oid > b->func_oid) - (a->func_oid < b->func_oid);
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static int compare_function_name(const void *x, const void *y)
{
    const rest_function *a = x, *b = y;
    int d = strcmp(a->schema, b->schema);
    if (!d)
        d = strcmp(a->name, b->name);
    return d ? d : (a->oid > b->oid) - (a->oid < b->oid);
}

/* Sorts functions and arguments by oid, hands each function its run of
 * arguments, then sorts the functions by name. */
static void finish_functions(catalog_builder *b, rest_catalog *c)
{
    rest_function *funcs = b->funcs.items;
    raw_func_arg *args = b->args.items;
    if (b->funcs.count)
        qsort(funcs, b->funcs.count, sizeof(*funcs), compare_function_oid);
    if (b->args.count)
        qsort(args, b->args.count, sizeof(*args), compare_arg);
    size_t j = 0;
    for (size_t i = 0; i < b->funcs.count; i++) {
        while (j < b->args.count && args[j].func_oid < funcs[i].oid)
            j++;
        size_t n = 0;
        while (j + n < b->args.count && args[j + n].func_oid == funcs[i].oid)
            n++;
        funcs[i].args = arena_alloc(b->arena, (n ? n : 1) * sizeof(rest_func_arg));
        for (size_t k = 0; k < n; k++)
            funcs[i].args[k] = args[j + k].arg;
        funcs[i].arg_count = n;
        j += n;
    }
    if (b->funcs.count)
        qsort(funcs, b->funcs.count, sizeof(*funcs), compare_function_name);
    c->functions = funcs;
    c->function_count = b->funcs.count;
}

rest_catalog *rest_catalog_build_finish(catalog_builder *b)
{
    rest_catalog *c = arena_zalloc(b->arena, sizeof(*c));
    c->arena = b->arena;
    c->version = b->version;
    rest_catalog_derive(b, c);
    finish_functions(b, c);
    return c;
}
