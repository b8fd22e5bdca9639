/* Filter conditions and logic trees as SQL, operator by operator as
 * PostgREST maps them:
 *   eq = neq <> gt > gte >= lt < lte <=      value cast to the field's type
 *   like ilike match ~ imatch ~*             value as text
 *   is null / not null / true / false / unknown
 *   isdistinct "is distinct from"
 *   in  "= any($n::type[])" with the list as one array parameter
 *   cs @> cd <@ ov && sl << sr >> nxl &< nxr &> adj -|-
 *   fts @@ to_tsquery, plfts plainto_tsquery, phfts phraseto_tsquery,
 *   wfts websearch_to_tsquery, with the language as a regconfig parameter
 *   op(any) / op(all): "op any($n::type[])" over an array literal value
 *   not.  "not (...)" around any of them. */
#include "rest/sql/sql_internal.h"

#include "db/quote.h"

static const char *op_symbol(rest_operator op)
{
    switch (op) {
    case REST_OP_EQ:
        return "=";
    case REST_OP_NEQ:
        return "<>";
    case REST_OP_GT:
        return ">";
    case REST_OP_GTE:
        return ">=";
    case REST_OP_LT:
        return "<";
    case REST_OP_LTE:
        return "<=";
    case REST_OP_LIKE:
        return "like";
    case REST_OP_ILIKE:
        return "ilike";
    case REST_OP_MATCH:
        return "~";
    case REST_OP_IMATCH:
        return "~*";
    case REST_OP_ISDISTINCT:
        return "is distinct from";
    case REST_OP_IN:
        return "=";
    case REST_OP_CS:
        return "@>";
    case REST_OP_CD:
        return "<@";
    case REST_OP_OV:
        return "&&";
    case REST_OP_SL:
        return "<<";
    case REST_OP_SR:
        return ">>";
    case REST_OP_NXL:
        return "&<";
    case REST_OP_NXR:
        return "&>";
    case REST_OP_ADJ:
        return "-|-";
    case REST_OP_IS:
    case REST_OP_FTS:
    case REST_OP_PLFTS:
    case REST_OP_PHFTS:
    case REST_OP_WFTS:
        break;
    }
    return "=";
}

static bool compares_text(rest_operator op)
{
    return op == REST_OP_LIKE || op == REST_OP_ILIKE || op == REST_OP_MATCH || op == REST_OP_IMATCH;
}

static void put_is(sql_gen *g, const char *alias, const plan_cond *c)
{
    static const char *const tests[] = {
        [REST_IS_NULL] = " is null",       [REST_IS_NOT_NULL] = " is not null",
        [REST_IS_TRUE] = " is true",       [REST_IS_FALSE] = " is false",
        [REST_IS_UNKNOWN] = " is unknown",
    };
    rest_sql_put_field(g, alias, &c->field);
    rest_sql_puts(g, tests[c->cond->is_value]);
}

static void put_fts(sql_gen *g, const char *alias, const plan_cond *c)
{
    static const char *const functions[] = {
        [REST_OP_FTS] = "to_tsquery",
        [REST_OP_PLFTS] = "plainto_tsquery",
        [REST_OP_PHFTS] = "phraseto_tsquery",
        [REST_OP_WFTS] = "websearch_to_tsquery",
    };
    rest_sql_put_field(g, alias, &c->field);
    rest_sql_printf(g, " @@ pg_catalog.%s(", functions[c->cond->op]);
    if (c->cond->language) {
        rest_sql_put_param(g, c->cond->language, "pg_catalog.regconfig");
        rest_sql_puts(g, ", ");
    }
    rest_sql_put_param(g, c->cond->value, "pg_catalog.text");
    rest_sql_puts(g, ")");
}

/* "field op any|all ($n::type[])" for in.(...) and op(any|all).{...}. A
 * type without an array type compares as text. */
static void put_array_compare(sql_gen *g, const char *alias, const plan_cond *c,
                              const char *quantifier, const char *value)
{
    const char *array_type =
        compares_text(c->cond->op) ? "pg_catalog._text" : rest_sql_field_array_type(&c->field);
    rest_sql_put_field(g, alias, &c->field);
    if (!array_type) {
        rest_sql_puts(g, "::pg_catalog.text");
        array_type = "pg_catalog._text";
    }
    rest_sql_printf(g, " %s %s (", op_symbol(c->cond->op), quantifier);
    rest_sql_put_param(g, value, array_type);
    rest_sql_puts(g, ")");
}

static void put_condition(sql_gen *g, const char *alias, const plan_cond *c)
{
    const rest_condition *rc = c->cond;
    switch (rc->op) {
    case REST_OP_IS:
        put_is(g, alias, c);
        return;
    case REST_OP_FTS:
    case REST_OP_PLFTS:
    case REST_OP_PHFTS:
    case REST_OP_WFTS:
        put_fts(g, alias, c);
        return;
    case REST_OP_IN:
        put_array_compare(g, alias, c, "any", db_array_literal(g->arena, rc->list, rc->list_count));
        return;
    default:
        break;
    }
    if (rc->quantifier != REST_QUANT_NONE) {
        put_array_compare(g, alias, c, rc->quantifier == REST_QUANT_ANY ? "any" : "all", rc->value);
        return;
    }
    rest_sql_put_field(g, alias, &c->field);
    rest_sql_printf(g, " %s ", op_symbol(rc->op));
    rest_sql_put_param(g, rc->value,
                       compares_text(rc->op) ? "pg_catalog.text" : rest_sql_field_type(&c->field));
}

void rest_sql_put_logic(sql_gen *g, const char *alias, const plan_logic *l)
{
    if (l->is_condition) {
        bool negated = l->cond.cond->negated;
        rest_sql_puts(g, negated ? "not (" : "");
        put_condition(g, alias, &l->cond);
        rest_sql_puts(g, negated ? ")" : "");
        return;
    }
    if (l->child_count == 0) {
        rest_sql_puts(g, (l->op == REST_LOGIC_AND) != l->negated ? "true" : "false");
        return;
    }
    rest_sql_puts(g, l->negated ? "not (" : "(");
    for (size_t i = 0; i < l->child_count; i++) {
        if (i)
            rest_sql_puts(g, l->op == REST_LOGIC_AND ? " and " : " or ");
        rest_sql_put_logic(g, alias, &l->children[i]);
    }
    rest_sql_puts(g, ")");
}
