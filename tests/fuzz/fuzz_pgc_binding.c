/* Fuzzes the postgres_changes binding reader and its filters
 * (pgc_binding_parse, pgc_filter_passes, pgc_binding_selects). Byte 0
 * picks the mode. Binding mode (even): the rest is two NUL-separated
 * fields, a binding as the JSON a Phoenix join carries and a row as JSON.
 * Filter mode (odd): the fields are a filter string, put in a binding as
 * JSON does (any bytes), a select list's column names (comma-separated)
 * and a row. Invariants: a parsed binding has an event mask, a schema, at
 * most 16 conditions and a sorted select list that names exactly the
 * columns given; a refused one says why in valid UTF-8; parsing the same
 * binding twice gives the same binding, and matching a row is the same
 * both times. */
#include "harness.h"

#include "realtime/pgchanges_filter.h"

#include <json-c/json.h>

static json_object *parse_json(const char *text)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

static void check_binding(json_object *b, json_object *row)
{
    pgc_binding one, two;
    char why[300] = "", why2[300] = "";
    bool ok = pgc_binding_parse(b, 7, &one, why, sizeof why);
    bool ok2 = pgc_binding_parse(b, 7, &two, why2, sizeof why2);
    FZ_ASSERT(ok == ok2, "parsed once, refused once");
    if (!ok) {
        FZ_ASSERT(*why && utf8_valid(why, strlen(why)), "a refusal without a valid reason");
        FZ_ASSERT(strcmp(why, why2) == 0, "two reasons for one binding");
    } else {
        FZ_ASSERT(one.events && (one.events & ~PGC_ALL) == 0, "bad event mask %d", one.events);
        FZ_ASSERT(one.schema && *one.schema, "no schema");
        FZ_ASSERT(one.nconds <= 16, "%zu conditions", one.nconds);
        FZ_ASSERT(one.nconds == two.nconds && one.nselect == two.nselect, "two parses differ");
        for (size_t i = 1; i < one.nselect; i++)
            FZ_ASSERT(strcmp(one.select[i - 1], one.select[i]) <= 0, "select not sorted");
        for (size_t i = 0; i < one.nselect; i++)
            FZ_ASSERT(pgc_binding_selects(&one, one.select[i]), "select misses %s", one.select[i]);
        FZ_ASSERT(pgc_same_select(&one, &two), "two parses select differently");
        if (row)
            FZ_ASSERT(pgc_filter_passes(&one, row) == pgc_filter_passes(&two, row),
                      "one row, two answers");
    }
    pgc_binding_clear(&one);
    pgc_binding_clear(&two);
}

static void filter_mode(const uint8_t *data, size_t size)
{
    const char *f[3];
    fz_fields(data, size, f, 3);
    json_object *b = json_object_new_object();
    json_object_object_add(b, "event", json_object_new_string("*"));
    json_object_object_add(b, "table", json_object_new_string("t"));
    json_object_object_add(b, "filter", json_object_new_string(f[0]));
    if (*f[1]) {
        json_object *list = json_object_new_array();
        const char *p = f[1];
        for (size_t n; *p; p += n + (p[n] == ',')) {
            n = strcspn(p, ",");
            json_object_array_add(list, json_object_new_string_len(p, (int)n));
        }
        json_object_object_add(b, "select", list);
    }
    json_object *row = parse_json(f[2]);
    check_binding(b, row);
    json_object_put(row);
    json_object_put(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        filter_mode(data + 1, size - 1);
        return 0;
    }
    const char *f[2];
    fz_fields(data + 1, size - 1, f, 2);
    json_object *b = parse_json(f[0]);
    if (b && json_object_is_type(b, json_type_object)) {
        json_object *row = parse_json(f[1]);
        check_binding(b, row);
        json_object_put(row);
    }
    json_object_put(b);
    return 0;
}
