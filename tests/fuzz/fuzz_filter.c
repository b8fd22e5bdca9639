/* Fuzzes filters (column[->json path]=[not.]op[(any|all)][(modifier)].value,
 * embedded filters rel.col=..., is/in/fts/like...) through parse -> plan ->
 * SQL. Input: byte 0 picks the table, then NUL-separated key, value, key,
 * value... (at most 8 filters), decoded text. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *f[16];
    size_t n = fz_fields(data + 1, size - 1, f, 16);
    n = n > 16 ? 8 : (n + 1) / 2;
    for (size_t i = 0; i < 2 * n; i++)
        if (!utf8_valid(f[i], strlen(f[i])))
            return 0;
    fz_request r = {.method = REST_GET, .pick = data[0], .query = fz_query(f, n)};
    fz_rest(&r);
    return 0;
}
