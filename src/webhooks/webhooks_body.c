/* Reading a webhook registration; see webhooks_body.h. */
#include "webhooks/webhooks_body.h"

#include "core/json_text.h"
#include "webhooks/webhook_url.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define SECRET_MAX 1024
#define TABLE_NAME_MAX 63

static const char *const FIELDS[] = {"url", "events", "table_name", "secret"};

static bool known_fields(json_object *obj, char *why, size_t whylen)
{
    json_object_object_foreach(obj, key, value)
    {
        (void)value;
        bool known = false;
        for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
            known = known || strcmp(key, FIELDS[i]) == 0;
        if (!known) {
            snprintf(why, whylen, "unknown field %.64s: expected url, events, table_name, secret",
                     key);
            return false;
        }
    }
    return true;
}

/* The string member key, or dflt when absent; NULL (with why) when it is
 * not a string or holds a NUL. */
static const char *string_field(json_object *obj, const char *key, const char *dflt, char *why,
                                size_t whylen)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v))
        return dflt;
    if (!json_object_is_type(v, json_type_string) ||
        strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
        snprintf(why, whylen, "%s must be a string", key);
        return NULL;
    }
    return json_object_get_string(v);
}

static bool event_name(const char *s)
{
    return strcmp(s, "INSERT") == 0 || strcmp(s, "UPDATE") == 0 || strcmp(s, "DELETE") == 0 ||
           strcmp(s, "*") == 0;
}

static const char *events_field(arena *a, json_object *obj, char *why, size_t whylen)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, "events", &v))
        return "[\"*\"]";
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string) || !event_name(json_object_get_string(e)))
            n = 0;
    }
    if (n == 0) {
        snprintf(why, whylen,
                 "events must be a non-empty array of \"INSERT\", \"UPDATE\", \"DELETE\", \"*\"");
        return NULL;
    }
    return json_text(a, v);
}

static bool table_name_ok(const char *t, char *why, size_t whylen)
{
    size_t n = strlen(t);
    if (n == 0 || n > TABLE_NAME_MAX) {
        snprintf(why, whylen, "table_name must be \"*\" or a table name of 1 to %d characters",
                 TABLE_NAME_MAX);
        return false;
    }
    return true;
}

static bool fields_read(arena *a, json_object *obj, bool deny_private, webhook_registration *out,
                        char *why, size_t whylen)
{
    json_object *url;
    if (!json_object_object_get_ex(obj, "url", &url) || json_object_is_type(url, json_type_null)) {
        snprintf(why, whylen, "url is required");
        return false;
    }
    out->url = string_field(obj, "url", NULL, why, whylen);
    if (!out->url || !webhook_url_check(out->url, deny_private, true, why, whylen))
        return false;
    if (!(out->events_json = events_field(a, obj, why, whylen)))
        return false;
    out->table_name = string_field(obj, "table_name", "*", why, whylen);
    if (!out->table_name || !table_name_ok(out->table_name, why, whylen))
        return false;
    out->secret = string_field(obj, "secret", "", why, whylen);
    if (out->secret && strlen(out->secret) > SECRET_MAX) {
        snprintf(why, whylen, "secret must be at most %d bytes", SECRET_MAX);
        return false;
    }
    return out->secret != NULL;
}

bool webhooks_body_read(arena *a, const char *body, size_t len, bool deny_private,
                        webhook_registration *out, char *why, size_t whylen)
{
    json_object *obj = json_arena_owned(a, len ? json_parse_exact(body, len) : NULL);
    if (!json_object_is_type(obj, json_type_object)) {
        snprintf(why, whylen, "invalid request body: expected a JSON object");
        return false;
    }
    return known_fields(obj, why, whylen) && fields_read(a, obj, deny_private, out, why, whylen);
}
