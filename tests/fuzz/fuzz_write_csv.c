/* Fuzzes text/csv write bodies: CSV -> JSON rows (rest_csv_to_json) ->
 * body -> write plan -> SQL. Invariants beyond the SQL check: the JSON
 * made from a CSV body parses, is an array of objects whose keys are the
 * header's names, with string or null values. Input: byte 0 picks the
 * table, then NUL-separated CSV body and query string. */
#include "harness.h"

#include "core/json_text.h"
#include "rest/parse/body.h"

static void check_rows(const char *json)
{
    json_object *rows = json_arena_owned(fz_arena(), json_parse_exact(json, strlen(json)));
    FZ_ASSERT(rows && json_object_is_type(rows, json_type_array), "CSV gave no array: %s", json);
    size_t keys = 0;
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *row = json_object_array_get_idx(rows, i);
        FZ_ASSERT(json_object_is_type(row, json_type_object), "CSV row %zu is no object", i);
        FZ_ASSERT(i == 0 || (size_t)json_object_object_length(row) == keys,
                  "CSV rows of different widths: %s", json);
        keys = (size_t)json_object_object_length(row);
        json_object_object_foreach(row, k, v)
        {
            (void)k;
            FZ_ASSERT(!v || json_object_is_type(v, json_type_string),
                      "CSV value that is not a string or null: %s", json);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *f[2];
    fz_fields(data + 1, size - 1, f, 2);
    rest_error err = {0};
    const char *json = rest_csv_to_json(fz_arena(), f[0], strlen(f[0]), &err);
    if (!json) {
        fz_check_error(&err);
        return 0;
    }
    check_rows(json);
    const query_params *q = fz_query_string(f[1]);
    if (!q)
        return 0;
    fz_request r = {
        .method = REST_POST,
        .pick = data[0],
        .query = q,
        .body = f[0],
        .content_type = "text/csv",
    };
    fz_rest(&r);
    return 0;
}
