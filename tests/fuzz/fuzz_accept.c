/* Fuzzes the Accept header (media ranges with parameters and q values:
 * JSON, the single-object type, CSV, nulls=stripped, 406 for the rest) on
 * reads and writes, through parse -> plan -> SQL. Input: byte 0 picks the
 * method and the table, the rest is the header value. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *v[1];
    fz_fields(data + 1, size - 1, v, 1);
    const char *pairs[] = {"id", "eq.1"};
    fz_request r = {
        .method = data[0] & 1 ? REST_POST : REST_GET,
        .pick = data[0] >> 1,
        .query = fz_query(pairs, 1),
        .accept = v[0],
        .prefer = "return=representation",
        .body = "{\"id\": 1, \"name\": \"x\"}",
    };
    fz_rest(&r);
    return 0;
}
