/* Fuzzes the Range and Range-Unit headers (items=0-9, open ranges,
 * unsatisfiable ranges -> 416) with and without limit/offset, on GET and
 * HEAD, through parse -> plan -> SQL. Input: byte 0 picks the table and
 * the method, then NUL-separated Range, Range-Unit, limit. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *f[3];
    fz_fields(data + 1, size - 1, f, 3);
    if (!utf8_valid(f[2], strlen(f[2]))) /* a query value */
        return 0;
    const char *pairs[] = {"limit", f[2]};
    fz_request r = {
        .method = data[0] & 1 ? REST_HEAD : REST_GET,
        .pick = data[0] >> 1,
        .query = fz_query(pairs, f[2][0] ? 1 : 0),
        .range = f[0],
        .range_unit = f[1][0] ? f[1] : NULL,
    };
    fz_rest(&r);
    return 0;
}
