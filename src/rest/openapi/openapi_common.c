/* The pieces every part of the OpenAPI document uses: what the caller may
 * see, references, reserved parameter names and type schemas (a leaf: it
 * calls nothing else of openapi). */
#include "rest/openapi/openapi_internal.h"

#include "core/sbuf.h"

#include <string.h>

/* ---- what the caller may see --------------------------------------------- */

bool rest_openapi_relation_grant(const openapi_ctx *c, const rest_relation *rel,
                                 rest_openapi_grant *out)
{
    *out = (rest_openapi_grant){rel->oid, true, true, true, true};
    if (!c->access)
        return true;
    for (size_t i = 0; i < c->access->relation_count; i++)
        if (c->access->relations[i].oid == rel->oid) {
            *out = c->access->relations[i];
            return out->select || out->insert || out->update || out->remove;
        }
    return false;
}

bool rest_openapi_function_visible(const openapi_ctx *c, const rest_function *f)
{
    if (strcmp(f->return_type, "pg_catalog.trigger") == 0 ||
        strcmp(f->return_type, "pg_catalog.event_trigger") == 0)
        return false;
    if (!c->access)
        return true;
    for (size_t i = 0; i < c->access->function_count; i++)
        if (c->access->functions[i] == f->oid)
            return true;
    return false;
}

/* ---- small builders -------------------------------------------------------- */

json_object *rest_openapi_ref(arena *a, const char *section, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_printf(&b, "#/%s/", section);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p == '~')
            sbuf_puts(&b, "~0");
        else if (*p == '/')
            sbuf_puts(&b, "~1");
        else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 strchr("-._", *p))
            sbuf_putc(&b, (char)*p);
        else
            sbuf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    json_object *ref = json_object_new_object();
    json_object_object_add(ref, "$ref", json_object_new_string(b.data));
    return ref;
}

bool rest_openapi_filterable(const char *name)
{
    static const char *const reserved[] = {"select",  "order", "limit", "offset", "on_conflict",
                                           "columns", "and",   "or",    "not",    "apikey"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(name, reserved[i]) == 0)
            return false;
    return name[0] != '\0';
}

json_object *rest_openapi_string_list(const char *const *items, size_t count)
{
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < count; i++)
        json_object_array_add(list, json_object_new_string(items[i]));
    return list;
}

void rest_openapi_add_type_fields(json_object *schema, const openapi_type *t)
{
    if (t->type)
        json_object_object_add(schema, "type", json_object_new_string(t->type));
    json_object_object_add(schema, "format", json_object_new_string(t->format));
    if (t->type && strcmp(t->type, "array") == 0) {
        json_object *items = json_object_new_object();
        if (t->items_type)
            json_object_object_add(items, "type", json_object_new_string(t->items_type));
        json_object_object_add(schema, "items", items);
    }
    if (t->max_length >= 0)
        json_object_object_add(schema, "maxLength", json_object_new_int64(t->max_length));
}

json_object *rest_openapi_type_schema(arena *a, const char *type_name, char category)
{
    openapi_type t = rest_openapi_type_of(a, type_name, category);
    json_object *schema = json_object_new_object();
    rest_openapi_add_type_fields(schema, &t);
    return schema;
}
