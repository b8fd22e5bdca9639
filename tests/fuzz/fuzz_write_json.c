/* Fuzzes JSON write bodies -> write plan -> SQL: POST (with on_conflict,
 * columns=, missing=default, resolution), PATCH, PUT and DELETE with
 * filters on the write fixture's tables. Input: byte 0 picks the method
 * and the table, then NUL-separated body, query string, Prefer. Beyond the
 * SQL check: a body that parses is a JSON array of row_count objects. */
#include "harness.h"

#include "core/json_text.h"
#include "rest/parse/body.h"

static void check_body(const char *data)
{
    rest_body b;
    rest_error err = {0};
    if (!rest_body_parse(fz_arena(), NULL, data, strlen(data), &b, &err)) {
        FZ_ASSERT(err.status == 400, "body error %d", err.status);
        fz_check_error(&err);
        return;
    }
    json_object *rows =
        json_arena_owned(fz_arena(), json_parse_exact(b.rows_json, strlen(b.rows_json)));
    FZ_ASSERT(rows && json_object_is_type(rows, json_type_array), "rows are not an array: %s",
              b.rows_json);
    FZ_ASSERT(json_object_array_length(rows) == b.row_count, "%zu rows, row_count %zu",
              json_object_array_length(rows), b.row_count);
    for (size_t i = 0; i < b.row_count; i++)
        FZ_ASSERT(json_object_is_type(json_object_array_get_idx(rows, i), json_type_object),
                  "row %zu is not an object", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    static const rest_method METHODS[] = {REST_POST, REST_PATCH, REST_PUT, REST_DELETE};
    const char *f[3];
    fz_fields(data + 1, size - 1, f, 3);
    check_body(f[0]);
    const query_params *q = fz_query_string(f[1]);
    if (!q)
        return 0;
    fz_request r = {
        .method = METHODS[data[0] % 4],
        .pick = data[0] / 4,
        .query = q,
        .body = f[0],
        .prefer = f[2][0] ? f[2] : NULL,
    };
    fz_rest(&r);
    return 0;
}
