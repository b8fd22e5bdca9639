/* Fuzzes the select parameter (columns, aliases, JSON paths, casts,
 * embeddings with hints, !inner, spreads) through parse -> plan -> SQL.
 * Input: byte 0 picks the fixture table, the rest is the decoded value. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *v[1];
    fz_fields(data + 1, size - 1, v, 1);
    if (!utf8_valid(v[0], strlen(v[0])))
        return 0;
    const char *pairs[] = {"select", v[0]};
    fz_request r = {.method = REST_GET, .pick = data[0], .query = fz_query(pairs, 1)};
    fz_rest(&r);
    return 0;
}
