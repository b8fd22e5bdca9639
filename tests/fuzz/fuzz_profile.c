/* Fuzzes the Accept-Profile (GET, HEAD) and Content-Profile (writes)
 * headers that choose the schema among the exposed ones, through parse ->
 * plan -> SQL. Input: byte 0 picks the method and the table, the rest is
 * the header value. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *v[1];
    fz_fields(data + 1, size - 1, v, 1);
    static const rest_method METHODS[] = {REST_GET, REST_HEAD, REST_POST, REST_DELETE};
    const char *pairs[] = {"id", "eq.1"};
    fz_request r = {
        .method = METHODS[data[0] % 4],
        .pick = data[0] / 4,
        .query = fz_query(pairs, 1),
        .accept_profile = v[0],
        .content_profile = v[0],
        .body = "{\"id\": 1}",
    };
    fz_rest(&r);
    return 0;
}
