/* Fuzzes paging: limit= and offset= at the root and on embeddings
 * (rel.limit, rel.offset), planned and turned into SQL. Input: byte 0
 * picks the table, then NUL-separated limit, offset, rel.limit,
 * rel.offset values (an empty field is absent). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    static const char *const KEYS[] = {"limit", "offset", "tasks.limit", "tasks.offset"};
    const char *f[4], *pairs[10] = {"select", "*,tasks(*)"};
    fz_fields(data + 1, size - 1, f, 4);
    size_t n = 1;
    for (size_t i = 0; i < 4; i++) {
        if (!f[i][0])
            continue;
        if (!utf8_valid(f[i], strlen(f[i])))
            return 0;
        pairs[2 * n] = KEYS[i];
        pairs[2 * n + 1] = f[i];
        n++;
    }
    fz_request r = {.method = REST_GET, .pick = data[0], .query = fz_query(pairs, n)};
    fz_rest(&r);
    return 0;
}
