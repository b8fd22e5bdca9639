/* Resolving column references (with their JSON paths) and select casts.
 * A cast is either one of the type names SQL spells with keywords
 * (written as given, from the list below) or a single identifier, folded
 * to lower case as PostgreSQL folds unquoted names, then quoted. Nothing
 * else reaches the SQL text. */
#include "rest/plan/plan_internal.h"

#include "db/quote.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool rest_plan_fail_column(plan_ctx *ctx, const rest_relation *rel, const char *column)
{
    return rest_error_set(ctx->err, ctx->arena, 400, "42703", NULL, NULL,
                          "column %s.%s does not exist", rel->name, column);
}

bool rest_plan_resolve_field(plan_ctx *ctx, const plan_node *node, const rest_field *f,
                             plan_field *out)
{
    const rest_column *col = rest_relation_column(node->rel, f->column, NULL);
    if (!col)
        return rest_plan_fail_column(ctx, node->rel, f->column);
    *out = (plan_field){col, f->json_path, f->json_path_len};
    return true;
}

/* Type names with keywords or spaces in SQL; matched without regard to case. */
static const char *const KEYWORD_TYPES[] = {
    "bigint",
    "bit",
    "bit varying",
    "boolean",
    "char",
    "character",
    "character varying",
    "dec",
    "decimal",
    "double precision",
    "float",
    "int",
    "integer",
    "interval",
    "national character",
    "national character varying",
    "nchar",
    "numeric",
    "real",
    "smallint",
    "time",
    "time with time zone",
    "time without time zone",
    "timestamp",
    "timestamp with time zone",
    "timestamp without time zone",
    "varchar",
};

static bool plain_identifier(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
            return false;
    return true;
}

bool rest_plan_cast(plan_ctx *ctx, const char *cast, const char **out)
{
    for (size_t i = 0; i < sizeof KEYWORD_TYPES / sizeof KEYWORD_TYPES[0]; i++)
        if (strcasecmp(cast, KEYWORD_TYPES[i]) == 0) {
            *out = KEYWORD_TYPES[i];
            return true;
        }
    if (!plain_identifier(cast) || strlen(cast) > 63)
        return rest_error_set(ctx->err, ctx->arena, 400, "PGRST100", NULL,
                              "Cast to a type name: a single identifier or a SQL type such as "
                              "'double precision'.",
                              "invalid cast '%s' in select", cast);
    char *lower = arena_strdup(ctx->arena, cast);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    *out = db_quote_ident(ctx->arena, lower);
    return true;
}
