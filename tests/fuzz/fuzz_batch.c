/* Fuzzes the batch body of POST /rest/v1/batch: parsing and checking the
 * operations (ids, methods, paths, headers, bodies, {{id.field}}
 * references), then resolving each operation's references against the
 * given data of earlier operations and running the resolved operation
 * through parse -> plan -> SQL. Invariants: resolution never adds, drops
 * or renames a query parameter (a reference cannot add one), a resolved
 * body is JSON, and an operation without references resolves to itself.
 * Input: NUL-separated batch body, then the data (JSON) of operations
 * 0, 1, 2, ... */
#include "harness.h"

#include "core/json_text.h"
#include "rest/batch/batch_parse.h"

#define MAX_OPS 8

static void run_resolved(const rest_batch_op *op, const rest_batch_resolved *res)
{
    if (strcmp(op->method, "GET") == 0 && op->table) {
        fz_request r = {.method = REST_GET, .target = op->table, .query = &res->query};
        fz_rest(&r);
    } else if (op->function) {
        fz_request r = {.method = REST_POST,
                        .is_rpc = true,
                        .target = op->function,
                        .query = &res->query,
                        .body = res->body_text ? res->body_text : ""};
        fz_rest(&r);
    } else if (op->table) {
        static const struct {
            const char *name;
            rest_method m;
        } M[] = {{"POST", REST_POST}, {"PATCH", REST_PATCH}, {"DELETE", REST_DELETE}};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(op->method, M[i].name) == 0) {
                fz_request r = {.method = M[i].m,
                                .target = op->table,
                                .query = &res->query,
                                .body = res->body_text ? res->body_text : "{}"};
                fz_rest(&r);
            }
    }
}

static void check_resolved(const rest_batch_op *op, const rest_batch_resolved *res)
{
    FZ_ASSERT(res->query.count == op->query.count, "resolution changed the parameter count");
    for (size_t k = 0; k < op->query.count; k++)
        FZ_ASSERT(strcmp(res->query.items[k].key, op->query.items[k].key) == 0,
                  "resolution changed parameter %zu", k);
    if (res->body_text)
        FZ_ASSERT(
            json_arena_owned(fz_arena(), json_parse_exact(res->body_text, strlen(res->body_text))),
            "resolved body is not JSON: %s", res->body_text);
    if (op->depends_on == 0)
        for (size_t k = 0; k < op->query.count; k++)
            FZ_ASSERT(strcmp(res->query.items[k].value, op->query.items[k].value) == 0,
                      "an operation without references changed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *f[1 + MAX_OPS];
    fz_fields(data, size, f, 1 + MAX_OPS);
    rest_batch b;
    rest_error err = {0};
    const char *failed_op = NULL;
    if (!rest_batch_parse(a, f[0], strlen(f[0]), MAX_OPS, 4096, &b, &err, &failed_op)) {
        fz_check_error(&err);
        return 0;
    }
    FZ_ASSERT(b.count <= MAX_OPS, "%zu operations over the maximum", b.count);
    json_object **results = arena_zalloc(a, (b.count + 1) * sizeof(*results));
    for (size_t i = 0; i < b.count; i++) {
        const rest_batch_op *op = &b.ops[i];
        FZ_ASSERT(op->depends_on <= i, "operation %zu depends on a later one", i);
        rest_batch_resolved res;
        rest_error rerr = {0};
        if (rest_batch_resolve(a, &b, i, results, &res, &rerr)) {
            check_resolved(op, &res);
            run_resolved(op, &res);
        } else {
            fz_check_error(&rerr);
        }
        /* this operation's data, for the ones after it */
        results[i] = json_arena_owned(a, json_parse_exact(f[1 + i], strlen(f[1 + i])));
    }
    return 0;
}
