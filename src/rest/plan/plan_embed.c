/* Choosing the relationship of an embedding as PostgREST does. From the
 * parent P, embedding T[!hint] may follow
 *   - a foreign key P -> T  (many-to-one; one-to-one when its columns are a
 *     key of P), found by T's name, the key's name or its single column;
 *   - a foreign key T -> P  (one-to-many; one-to-one when its columns are a
 *     key of T), found by T's name or the key's name;
 *   - two foreign keys J -> P and J -> T of a junction J whose key holds
 *     both (many-to-many), found by T's name.
 * Targets live in the request's schema. A hint keeps the candidates whose
 * key name, single column (on either side) or junction name it is. None
 * left: 400 PGRST200; several: 300 PGRST201 listing them, except that a
 * hint naming a column of the parent settles a self-reference. */
#include "rest/plan/plan_internal.h"

#include "core/sbuf.h"

#include <json-c/json.h>
#include <string.h>

typedef struct candidate {
    plan_join join;
    const rest_relation *target;
    bool hint_on_parent_column; /* the hint is a column of the parent's side */
} candidate;

typedef struct search {
    plan_ctx *ctx;
    const plan_node *parent;
    const char *target;
    const char *hint;
    vec found; /* candidate */
} search;

static bool single_column(const rest_relation *r, const size_t *cols, size_t count,
                          const char *name)
{
    return name && count == 1 && strcmp(r->columns[cols[0]].name, name) == 0;
}

static bool same_schema(const search *s, const rest_relation *r)
{
    return strcmp(r->schema, s->ctx->schema) == 0;
}

static void add(search *s, plan_join join, const rest_relation *target, bool on_parent)
{
    candidate *c = vec_push(s->ctx->arena, &s->found, sizeof(*c));
    c->join = join;
    c->target = target;
    c->hint_on_parent_column = on_parent;
}

/* P -> T */
static void search_forward(search *s, const rest_fk *fk)
{
    const rest_relation *p = s->parent->rel;
    bool named = (same_schema(s, fk->to) && strcmp(fk->to->name, s->target) == 0) ||
                 strcmp(fk->name, s->target) == 0 ||
                 single_column(p, fk->from_cols, fk->col_count, s->target);
    if (!named || !same_schema(s, fk->to))
        return;
    bool on_parent = single_column(p, fk->from_cols, fk->col_count, s->hint);
    if (s->hint && strcmp(fk->name, s->hint) != 0 && !on_parent &&
        !single_column(fk->to, fk->to_cols, fk->col_count, s->hint))
        return;
    plan_join j = {.card = fk->from_unique ? PLAN_ONE_TO_ONE : PLAN_MANY_TO_ONE,
                   .to_one = true,
                   .fk = fk,
                   .fk_from_parent = true};
    add(s, j, fk->to, on_parent);
}

/* T -> P */
static void search_reverse(search *s, const rest_fk *fk)
{
    bool named = (same_schema(s, fk->from) && strcmp(fk->from->name, s->target) == 0) ||
                 strcmp(fk->name, s->target) == 0;
    if (!named || !same_schema(s, fk->from))
        return;
    bool on_parent = single_column(fk->to, fk->to_cols, fk->col_count, s->hint);
    if (s->hint && strcmp(fk->name, s->hint) != 0 && !on_parent &&
        !single_column(fk->from, fk->from_cols, fk->col_count, s->hint))
        return;
    plan_join j = {.card = fk->from_unique ? PLAN_ONE_TO_ONE : PLAN_ONE_TO_MANY,
                   .to_one = fk->from_unique,
                   .fk = fk,
                   .fk_from_parent = false};
    add(s, j, fk->from, on_parent);
}

static bool within(const rest_key *key, const size_t *cols, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        bool found = false;
        for (size_t k = 0; k < key->count && !found; k++)
            found = key->cols[k] == cols[i];
        if (!found)
            return false;
    }
    return true;
}

/* A key of the junction holds the columns of both foreign keys. */
static bool is_junction(const rest_relation *j, const rest_fk *a, const rest_fk *b)
{
    for (size_t u = 0; u < j->unique_count; u++)
        if (within(&j->uniques[u], a->from_cols, a->col_count) &&
            within(&j->uniques[u], b->from_cols, b->col_count))
            return true;
    return false;
}

/* J -> P and J -> T */
static void search_junction(search *s, const rest_fk *to_parent)
{
    const rest_relation *j = to_parent->from;
    if (j == s->parent->rel)
        return;
    for (size_t i = 0; i < j->out_count; i++) {
        const rest_fk *to_target = j->out[i];
        if (to_target == to_parent || strcmp(to_target->to->name, s->target) != 0 ||
            !same_schema(s, to_target->to) || !is_junction(j, to_parent, to_target))
            continue;
        if (s->hint && strcmp(j->name, s->hint) != 0 && strcmp(to_parent->name, s->hint) != 0 &&
            strcmp(to_target->name, s->hint) != 0)
            continue;
        plan_join join = {
            .card = PLAN_MANY_TO_MANY, .fk = to_parent, .junction = j, .junction_fk = to_target};
        add(s, join, to_target->to, false);
    }
}

/* ---- errors --------------------------------------------------------------- */

static const char *card_name(plan_card c)
{
    switch (c) {
    case PLAN_MANY_TO_ONE:
        return "many-to-one";
    case PLAN_ONE_TO_ONE:
        return "one-to-one";
    case PLAN_ONE_TO_MANY:
        return "one-to-many";
    case PLAN_MANY_TO_MANY:
        return "many-to-many";
    }
    return "";
}

static void put_columns(sbuf *b, const rest_relation *r, const size_t *cols, size_t count)
{
    sbuf_printf(b, "%s(", r->name);
    for (size_t i = 0; i < count; i++)
        sbuf_printf(b, "%s%s", i ? "," : "", r->columns[cols[i]].name);
    sbuf_putc(b, ')');
}

/* "fk using from(cols) and to(cols)" / "junction using fk1(cols) and fk2(cols)" */
static const char *describe(arena *a, const candidate *c)
{
    sbuf b;
    sbuf_init(&b, a, 128);
    const rest_fk *fk = c->join.fk;
    if (c->join.card == PLAN_MANY_TO_MANY) {
        const rest_fk *other = c->join.junction_fk;
        sbuf_printf(&b, "%s using %s(", c->join.junction->name, fk->name);
        for (size_t i = 0; i < fk->col_count; i++)
            sbuf_printf(&b, "%s%s", i ? "," : "", fk->from->columns[fk->from_cols[i]].name);
        sbuf_printf(&b, ") and %s(", other->name);
        for (size_t i = 0; i < other->col_count; i++)
            sbuf_printf(&b, "%s%s", i ? "," : "", other->from->columns[other->from_cols[i]].name);
        sbuf_putc(&b, ')');
        return b.data;
    }
    sbuf_printf(&b, "%s using ", fk->name);
    put_columns(&b, fk->from, fk->from_cols, fk->col_count);
    sbuf_puts(&b, " and ");
    put_columns(&b, fk->to, fk->to_cols, fk->col_count);
    return b.data;
}

static bool fail_none(search *s)
{
    plan_ctx *ctx = s->ctx;
    const char *p = s->parent->rel->name;
    const char *details =
        s->hint ? arena_printf(ctx->arena,
                               "Searched for a foreign key relationship between '%s' and '%s' "
                               "using the hint '%s' in the schema '%s', but no matches were "
                               "found.",
                               p, s->target, s->hint, ctx->schema)
                : arena_printf(ctx->arena,
                               "Searched for a foreign key relationship between '%s' and '%s' "
                               "in the schema '%s', but no matches were found.",
                               p, s->target, ctx->schema);
    return rest_error_set(ctx->err, ctx->arena, 400, "PGRST200", details, NULL,
                          "Could not find a relationship between '%s' and '%s' in the schema "
                          "cache",
                          p, s->target);
}

static bool fail_ambiguous(search *s)
{
    plan_ctx *ctx = s->ctx;
    const candidate *c = s->found.items;
    json_object *list = json_object_new_array();
    sbuf hint;
    sbuf_init(&hint, ctx->arena, 128);
    sbuf_printf(&hint, "Try changing '%s' to one of the following: ", s->target);
    for (size_t i = 0; i < s->found.count; i++) {
        json_object *d = json_object_new_object();
        json_object_object_add(d, "cardinality", json_object_new_string(card_name(c[i].join.card)));
        json_object_object_add(
            d, "embedding",
            json_object_new_string(
                arena_printf(ctx->arena, "%s with %s", s->parent->rel->name, c[i].target->name)));
        json_object_object_add(d, "relationship",
                               json_object_new_string(describe(ctx->arena, &c[i])));
        json_object_array_add(list, d);
        const char *by = c[i].join.junction ? c[i].join.junction->name : c[i].join.fk->name;
        sbuf_printf(&hint, "%s'%s!%s'", i ? ", " : "", s->target, by);
    }
    sbuf_puts(&hint, ". Find the desired relationship in the 'details' key.");
    rest_error_set(ctx->err, ctx->arena, 300, "PGRST201", NULL, hint.data,
                   "Could not embed because more than one relationship was found for '%s' and "
                   "'%s'",
                   s->parent->rel->name, s->target);
    ctx->err->details_json =
        arena_strdup(ctx->arena, json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN));
    json_object_put(list);
    return false;
}

/* Several candidates: a hint naming a parent column settles it when it
 * does so for exactly one (a self-reference's two directions). */
static const candidate *settle(search *s)
{
    const candidate *c = s->found.items, *chosen = NULL;
    if (!s->hint)
        return NULL;
    for (size_t i = 0; i < s->found.count; i++)
        if (c[i].hint_on_parent_column) {
            if (chosen)
                return NULL;
            chosen = &c[i];
        }
    return chosen;
}

bool rest_plan_relationship(plan_ctx *ctx, const plan_node *parent, const rest_select_item *item,
                            plan_join *join, const rest_relation **target)
{
    search s = {.ctx = ctx, .parent = parent, .target = item->relation, .hint = item->hint};
    const rest_relation *p = parent->rel;
    for (size_t i = 0; i < p->out_count; i++)
        search_forward(&s, p->out[i]);
    for (size_t i = 0; i < p->in_count; i++)
        search_reverse(&s, p->in[i]);
    for (size_t i = 0; i < p->in_count; i++)
        search_junction(&s, p->in[i]);
    const candidate *c = s.found.items;
    if (s.found.count == 0)
        return fail_none(&s);
    const candidate *chosen = s.found.count == 1 ? &c[0] : settle(&s);
    if (!chosen)
        return fail_ambiguous(&s);
    *join = chosen->join;
    *target = chosen->target;
    return true;
}
