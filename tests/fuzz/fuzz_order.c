/* Fuzzes order (col[->path].asc|desc.nullsfirst|nullslast, rel(col) of a
 * to-one embedding, rel.order for embeddings) through parse -> plan -> SQL.
 * Input: byte 0 picks the table, byte 1 the key, the rest is the value. */
#include "harness.h"

static const char *const KEYS[] = {"order", "clients.order", "tasks.order", "order"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 2)
        return 0;
    const char *v[1];
    fz_fields(data + 2, size - 2, v, 1);
    if (!utf8_valid(v[0], strlen(v[0])))
        return 0;
    const char *pairs[] = {KEYS[data[1] % 4], v[0], "select", "*,clients(*),tasks(*)"};
    fz_request r = {.method = REST_GET, .pick = data[0], .query = fz_query(pairs, 2)};
    fz_rest(&r);
    return 0;
}
