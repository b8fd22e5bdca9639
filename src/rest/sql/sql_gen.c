/* The SQL generator's text buffer and parameter list, aliases, and fields
 * (columns with JSON paths, whose keys are parameters too). */
#include "core/vec.h"
#include "rest/sql/sql_internal.h"

#include "db/quote.h"

#include <stdarg.h>
#include <string.h>

void rest_sql_gen_init(sql_gen *g, arena *a)
{
    memset(g, 0, sizeof(*g));
    g->arena = a;
    sbuf_init(&g->sql, a, 1024);
}

void rest_sql_gen_finish(sql_gen *g, rest_statement *out)
{
    out->sql = g->sql.data;
    out->params = g->params;
    out->param_count = g->param_count;
}

void rest_sql_puts(sql_gen *g, const char *s)
{
    sbuf_puts(&g->sql, s);
}

void rest_sql_printf(sql_gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(g->arena, fmt, ap);
    va_end(ap);
    sbuf_puts(&g->sql, s);
}

void rest_sql_put_param(sql_gen *g, const char *value, const char *type)
{
    g->params = vec_grow(g->arena, g->params, (size_t)g->param_count, &g->param_cap,
                         (size_t)g->param_count + 1, sizeof(char *));
    g->params[g->param_count++] = value;
    sbuf_putc(&g->sql, '$');
    sbuf_puts(&g->sql, arena_itoa(g->arena, g->param_count));
    if (type) {
        sbuf_puts(&g->sql, "::");
        sbuf_puts(&g->sql, type);
    }
}

const char *rest_sql_alias(sql_gen *g, char kind, const plan_node *n)
{
    char prefix[3] = {'_', kind, '\0'};
    const char *id = arena_itoa(g->arena, (long long)n->id);
    char *alias = arena_alloc(g->arena, strlen(id) + 3);
    memcpy(alias, prefix, 2);
    memcpy(alias + 2, id, strlen(id) + 1);
    return alias;
}

void rest_sql_put_column(sql_gen *g, const char *alias, const rest_column *col)
{
    sbuf_puts(&g->sql, alias);
    sbuf_putc(&g->sql, '.');
    db_append_ident(&g->sql, col->name);
}

void rest_sql_put_field(sql_gen *g, const char *alias, const plan_field *f)
{
    if (f->path_len == 0) {
        rest_sql_put_column(g, alias, f->column);
        return;
    }
    rest_sql_puts(g, "(");
    rest_sql_put_column(g, alias, f->column);
    for (size_t i = 0; i < f->path_len; i++) {
        const rest_json_step *step = &f->path[i];
        rest_sql_puts(g, step->as_text ? "->>" : "->");
        rest_sql_put_param(g, step->key, step->is_index ? "pg_catalog.int4" : "pg_catalog.text");
    }
    rest_sql_puts(g, ")");
}

static bool ends_as_text(const plan_field *f)
{
    return f->path_len > 0 && f->path[f->path_len - 1].as_text;
}

const char *rest_sql_field_type(const plan_field *f)
{
    return ends_as_text(f) ? "pg_catalog.text" : f->column->type;
}

const char *rest_sql_field_array_type(const plan_field *f)
{
    return ends_as_text(f) ? "pg_catalog._text" : f->column->array_type;
}
