/* Fuzzes logic trees (or=(...), and=(...), not.or, rel.or, nested
 * and/or with every operator inside) through parse -> plan -> SQL.
 * Input: byte 0 picks the table, byte 1 the key (or, and, not.or,
 * not.and, an embedding's or), the rest is the decoded value. */
#include "harness.h"

static const char *const KEYS[] = {"or", "and", "not.or", "not.and", "clients.or", "tasks.and"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 2)
        return 0;
    const char *v[1];
    fz_fields(data + 2, size - 2, v, 1);
    if (!utf8_valid(v[0], strlen(v[0])))
        return 0;
    const char *pairs[] = {KEYS[data[1] % 6], v[0], "select", "*,clients(*),tasks(*)"};
    /* with the embeddings the tree may address, then alone */
    fz_request r = {.method = REST_GET, .pick = data[0], .query = fz_query(pairs, 2)};
    fz_rest(&r);
    r.query = fz_query(pairs, 1);
    fz_rest(&r);
    return 0;
}
