/* The OpenAPI document: top level and the definitions of tables and views;
 * see openapi.h. Paths are built in openapi_paths.c, shared parameters in
 * openapi_params.c, and the pieces all three use in openapi_common.c. */
#include "rest/openapi/openapi_internal.h"

#include "autoconfig.h"
#include "core/json_text.h"
#include "core/sbuf.h"
#include "rest/openapi/openapi_types.h"

#include <string.h>

/* ---- definitions ------------------------------------------------------------ */

static bool in_key(const rest_key *k, size_t col)
{
    for (size_t i = 0; i < k->count; i++)
        if (k->cols[i] == col)
            return true;
    return false;
}

/* "This is a Foreign Key to `t.c`.<fk table='t' column='c'/>" of the first
 * foreign key from rel that holds column col, or NULL. */
static const char *fk_note(arena *a, const rest_relation *rel, size_t col)
{
    for (size_t i = 0; i < rel->out_count; i++) {
        const rest_fk *fk = rel->out[i];
        for (size_t j = 0; j < fk->col_count; j++)
            if (fk->from_cols[j] == col) {
                const char *t = fk->to->name, *c = fk->to->columns[fk->to_cols[j]].name;
                return arena_printf(
                    a, "This is a Foreign Key to `%s.%s`.<fk table='%s' column='%s'/>", t, c, t, c);
            }
    }
    return NULL;
}

static const char *key_notes(arena *a, const rest_relation *rel, size_t col)
{
    bool pk = in_key(&rel->pk, col);
    const char *fk = fk_note(a, rel, col);
    if (!pk && !fk)
        return NULL;
    return arena_printf(a, "Note:%s%s%s", pk ? "\nThis is a Primary Key.<pk/>" : "", fk ? "\n" : "",
                        fk ? fk : "");
}

static json_object *property(arena *a, const rest_relation *rel, size_t col)
{
    const rest_column *column = &rel->columns[col];
    openapi_type t = rest_openapi_type_of(a, column->type_name, column->category);
    json_object *p = json_object_new_object();
    json_object *def = t.type ? rest_openapi_default(column->default_expr, &t) : NULL;
    if (def)
        json_object_object_add(p, "default", def);
    const char *notes = key_notes(a, rel, col);
    if (notes)
        json_object_object_add(p, "description", json_object_new_string(notes));
    rest_openapi_add_type_fields(p, &t);
    return p;
}

static json_object *definition(arena *a, const rest_relation *rel)
{
    json_object *d = json_object_new_object(), *props = json_object_new_object();
    json_object *required = json_object_new_array();
    for (size_t i = 0; i < rel->column_count; i++) {
        const rest_column *col = &rel->columns[i];
        json_object_object_add(props, col->name, property(a, rel, i));
        if (!col->nullable && !col->has_default)
            json_object_array_add(required, json_object_new_string(col->name));
    }
    if (json_object_array_length(required))
        json_object_object_add(d, "required", required);
    else
        json_object_put(required);
    json_object_object_add(d, "properties", props);
    json_object_object_add(d, "type", json_object_new_string("object"));
    return d;
}

/* ---- the document ----------------------------------------------------------- */

static json_object *info(const openapi_ctx *c)
{
    json_object *i = json_object_new_object();
    json_object_object_add(i, "description",
                           json_object_new_string("PostgREST-compatible REST API of pgstack"));
    json_object_object_add(i, "title",
                           json_object_new_string(arena_printf(c->arena, "%s schema", c->schema)));
    json_object_object_add(i, "version", json_object_new_string(PACKAGE_VERSION));
    return i;
}

static json_object *media_types(void)
{
    static const char *const types[] = {"application/json",
                                        "application/vnd.pgrst.object+json;nulls=stripped",
                                        "application/vnd.pgrst.object+json", "text/csv"};
    return rest_openapi_string_list(types, 4);
}

static json_object *root_path(void)
{
    static const char *const produces[] = {"application/openapi+json", "application/json"};
    static const char *const tags[] = {"Introspection"};
    json_object *get = json_object_new_object(), *responses = json_object_new_object();
    json_object *ok = json_object_new_object(), *path = json_object_new_object();
    json_object_object_add(get, "tags", rest_openapi_string_list(tags, 1));
    json_object_object_add(get, "summary",
                           json_object_new_string("OpenAPI description (this document)"));
    json_object_object_add(get, "produces", rest_openapi_string_list(produces, 2));
    json_object_object_add(ok, "description", json_object_new_string("OK"));
    json_object_object_add(responses, "200", ok);
    json_object_object_add(get, "responses", responses);
    json_object_object_add(path, "get", get);
    return path;
}

/* "/name", with the braces of a path template percent-encoded. */
static const char *path_key(arena *a, const char *prefix, const char *name)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_puts(&b, prefix);
    for (const char *p = name; *p; p++)
        if (*p == '{' || *p == '}')
            sbuf_puts(&b, *p == '{' ? "%7B" : "%7D");
        else
            sbuf_putc(&b, *p);
    return b.data;
}

static void add_relations(const openapi_ctx *c, json_object *paths, json_object *defs)
{
    for (size_t i = 0; i < c->cat->relation_count; i++) {
        const rest_relation *rel = c->cat->relations[i];
        rest_openapi_grant grant;
        if (strcmp(rel->schema, c->schema) != 0 || !rest_openapi_relation_grant(c, rel, &grant))
            continue;
        json_object_object_add(defs, rel->name, definition(c->arena, rel));
        json_object_object_add(paths, path_key(c->arena, "/", rel->name),
                               rest_openapi_table_path(c, rel, &grant));
    }
}

/* One path per function name: the first visible overload describes it. */
static void add_functions(const openapi_ctx *c, json_object *paths)
{
    for (size_t i = 0; i < c->cat->function_count; i++) {
        const rest_function *f = &c->cat->functions[i];
        const char *key = path_key(c->arena, "/rpc/", f->name);
        if (strcmp(f->schema, c->schema) != 0 || !rest_openapi_function_visible(c, f) ||
            json_object_object_get_ex(paths, key, NULL))
            continue;
        json_object_object_add(paths, key, rest_openapi_rpc_path(c, f));
    }
}

const char *rest_openapi_document(arena *a, const rest_catalog *cat, const char *schema,
                                  const rest_openapi_access *access)
{
    openapi_ctx c = {a, cat, schema, access};
    json_object *doc = json_arena_owned(a, json_object_new_object());
    json_object *paths = json_object_new_object(), *defs = json_object_new_object();
    json_object_object_add(doc, "swagger", json_object_new_string("2.0"));
    json_object_object_add(doc, "info", info(&c));
    json_object_object_add(doc, "basePath", json_object_new_string("/rest/v1"));
    json_object_object_add(doc, "consumes", media_types());
    json_object_object_add(doc, "produces", media_types());
    json_object_object_add(paths, "/", root_path());
    add_relations(&c, paths, defs);
    add_functions(&c, paths);
    json_object_object_add(doc, "paths", paths);
    json_object_object_add(doc, "definitions", defs);
    json_object_object_add(doc, "parameters", rest_openapi_parameters(&c));
    return json_text(a, doc);
}
