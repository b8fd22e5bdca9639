/* Fuzzes the Prefer header (return=, count=, resolution=, missing=,
 * handling=, tx=, max-affected=, params=...) on reads, writes and RPC,
 * through parse -> plan -> SQL. Input: byte 0 picks the method and the
 * table or function, the rest is the header value. */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    static const rest_method METHODS[] = {REST_GET,   REST_HEAD, REST_POST,
                                          REST_PATCH, REST_PUT,  REST_DELETE};
    const char *v[1];
    fz_fields(data + 1, size - 1, v, 1);
    rest_method m = METHODS[data[0] % 6];
    const char *pairs[] = {"id", "eq.1"};
    fz_request r = {
        .method = m,
        .pick = data[0] / 6,
        .query = fz_query(pairs, 1),
        .prefer = v[0],
        .body = "{\"id\": 1, \"name\": \"x\"}",
    };
    fz_rest(&r);
    if (m == REST_GET || m == REST_POST) { /* the same header on an RPC */
        fz_request rpc = {.method = m,
                          .is_rpc = true,
                          .pick = data[0] / 6,
                          .prefer = v[0],
                          .body = "{\"a\": 1}",
                          .query = fz_query(NULL, 0)};
        fz_rest(&rpc);
    }
    return 0;
}
