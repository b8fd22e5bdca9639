/* Lookups in a finished schema catalog; see catalog.h. Relations and
 * functions are sorted by (schema, name), so lookups are binary searches. */
#include "rest/catalog/catalog.h"

#include <string.h>

void rest_catalog_free(rest_catalog *c)
{
    if (c)
        arena_free(c->arena); /* the catalog itself lives in its arena */
}

static int compare_names(const char *schema_a, const char *name_a, const char *schema_b,
                         const char *name_b)
{
    int d = strcmp(schema_a, schema_b);
    return d ? d : strcmp(name_a, name_b);
}

const rest_relation *rest_catalog_relation(const rest_catalog *c, const char *schema,
                                           const char *name)
{
    size_t lo = 0, hi = c->relation_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rest_relation *r = c->relations[mid];
        int d = compare_names(schema, name, r->schema, r->name);
        if (d == 0)
            return r;
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const rest_relation *rest_catalog_relation_by_oid(const rest_catalog *c, unsigned oid)
{
    for (size_t i = 0; i < c->relation_count; i++)
        if (c->relations[i]->oid == oid)
            return c->relations[i];
    return NULL;
}

const rest_column *rest_relation_column(const rest_relation *r, const char *name, size_t *index)
{
    for (size_t i = 0; i < r->column_count; i++)
        if (strcmp(r->columns[i].name, name) == 0) {
            if (index)
                *index = i;
            return &r->columns[i];
        }
    return NULL;
}

const rest_function *rest_catalog_functions(const rest_catalog *c, const char *schema,
                                            const char *name, size_t *count)
{
    size_t lo = 0, hi = c->function_count;
    while (lo < hi) { /* the first entry not below (schema, name) */
        size_t mid = lo + (hi - lo) / 2;
        const rest_function *f = &c->functions[mid];
        if (compare_names(f->schema, f->name, schema, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < c->function_count &&
           compare_names(c->functions[lo + n].schema, c->functions[lo + n].name, schema, name) == 0)
        n++;
    *count = n;
    return n ? &c->functions[lo] : NULL;
}
