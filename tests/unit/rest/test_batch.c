/* The batch body (operations, ids, methods, paths, headers, bodies, the
 * limit) and its {{op.field}} references: syntax, order, resolution into
 * query values and body values. */
#include "core/json_text.h"
#include "parse_test_util.h"
#include "rest/batch/batch_parse.h"
#include "write_fixture.h"

static rest_batch *batch_with(const char *json, size_t max_ops, rest_error **err,
                              const char **failed_op)
{
    rest_batch *b = arena_zalloc(tu_arena, sizeof(*b));
    *err = arena_zalloc(tu_arena, sizeof(**err));
    return rest_batch_parse(tu_arena, json, strlen(json), max_ops, 16384, b, *err, failed_op)
               ? b
               : NULL;
}

static rest_batch *batch_ok(const char *json)
{
    rest_error *err;
    const char *op;
    rest_batch *b = batch_with(json, 100, &err, &op);
    if (!b)
        fprintf(stderr, "\n  unexpected batch error: %s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    return b;
}

/* Fails with 400 PGRST102, the fragment, blaming operation op (or none). */
#define ASSERT_BATCH_BAD(json, op, fragment)                                                       \
    do {                                                                                           \
        rest_error *err_;                                                                          \
        const char *op_;                                                                           \
        CU_ASSERT_PTR_NULL(batch_with(json, 100, &err_, &op_));                                    \
        ASSERT_REST_ERROR(err_, 400, "PGRST102", fragment);                                        \
        ASSERT_STR(op_, op);                                                                       \
    } while (0)

static void test_operations(void)
{
    rest_batch *b = batch_ok(
        "{\"atomic\": false, \"operations\": ["
        "{\"id\": \"a\", \"method\": \"post\", \"path\": \"/rest/v1/todos\", \"body\": {\"x\": 1}},"
        "{\"id\": \"b-2\", \"method\": \"GET\", \"path\": \"/todos?done=eq.false&select=id\","
        " \"headers\": {\"Prefer\": \"count=exact\", \"Accept\": \"text/csv\"}},"
        "{\"id\": \"c_3\", \"method\": \"DELETE\", \"path\": \"/my%20table?id=eq.1\"}]}");
    CU_ASSERT_FALSE(b->atomic);
    CU_ASSERT_EQUAL_FATAL(b->count, 3);
    ASSERT_STR(b->ops[0].method, "POST");
    ASSERT_STR(b->ops[0].table, "todos");
    CU_ASSERT_EQUAL(b->ops[0].query.count, 0);
    ASSERT_STR(json_text(tu_arena, b->ops[0].body), "{\"x\":1}");
    ASSERT_STR(b->ops[1].table, "todos");
    CU_ASSERT_EQUAL_FATAL(b->ops[1].query.count, 2);
    ASSERT_STR(b->ops[1].query.items[0].key, "done");
    ASSERT_STR(b->ops[1].query.items[0].value, "eq.false");
    CU_ASSERT_EQUAL_FATAL(b->ops[1].headers.count, 2);
    ASSERT_STR(b->ops[1].headers.items[0].name, "prefer");
    ASSERT_STR(b->ops[1].headers.items[1].value, "text/csv");
    CU_ASSERT_PTR_NULL(b->ops[1].body);
    ASSERT_STR(b->ops[2].table, "my table");
    CU_ASSERT_EQUAL(b->ops[2].depends_on, 0);
    b = batch_ok("{\"operations\": [{\"id\": \"r\", \"method\": \"POST\","
                 " \"path\": \"/rest/v1/rpc/add%20one\", \"body\": {\"a\": 1}}]}");
    CU_ASSERT_PTR_NULL(b->ops[0].table);
    ASSERT_STR(b->ops[0].function, "add one");
    b = batch_ok("{\"operations\": []}");
    CU_ASSERT_TRUE(b->atomic);
    CU_ASSERT_EQUAL(b->count, 0);
}

static void test_malformed_body(void)
{
    ASSERT_BATCH_BAD("{nope", NULL, "JSON object");
    ASSERT_BATCH_BAD("[]", NULL, "JSON object");
    ASSERT_BATCH_BAD("{}", NULL, "\"operations\" must be an array");
    ASSERT_BATCH_BAD("{\"operations\": {}}", NULL, "\"operations\" must be an array");
    ASSERT_BATCH_BAD("{\"atomic\": 1, \"operations\": []}", NULL, "true or false");
    ASSERT_BATCH_BAD("{\"operations\": [5]}", "#0", "an object");
    /* regression (fuzz_batch): an overlong UTF-8 form in a path came back raw
     * in the error message, so the JSON reply was not UTF-8 */
    ASSERT_BATCH_BAD("{\"operations\": [{\"id\": \"x\", \"method\": \"GET\", "
                     "\"path\": \"/t\xc1\x96\"}]}",
                     NULL, "JSON object");
}

static void test_limit(void)
{
    const char *two = "{\"operations\": [{\"id\": \"a\", \"method\": \"GET\", \"path\": \"/t\"},"
                      "{\"id\": \"b\", \"method\": \"GET\", \"path\": \"/t\"}]}";
    rest_error *err;
    const char *op;
    CU_ASSERT_PTR_NOT_NULL(batch_with(two, 2, &err, &op));
    CU_ASSERT_PTR_NULL(batch_with(two, 1, &err, &op));
    ASSERT_REST_ERROR(err, 400, "PGRST102", "at most 1 operations (BATCH_MAX_OPERATIONS)");
    CU_ASSERT_PTR_NULL(op);
}

static void test_malformed_operations(void)
{
#define OPS(x) "{\"operations\": [{\"id\": \"ok\", \"method\": \"GET\", \"path\": \"/t\"}, " x "]}"
    ASSERT_BATCH_BAD(OPS("{\"method\": \"GET\", \"path\": \"/t\"}"), "#1", "id must be");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"\", \"method\": \"GET\", \"path\": \"/t\"}"), "#1",
                     "id must be");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"a b\", \"method\": \"GET\", \"path\": \"/t\"}"), "#1",
                     "not a b");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"ok\", \"method\": \"GET\", \"path\": \"/t\"}"), "#1",
                     "used twice");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"PUT\", \"path\": \"/t\"}"), "x", "not PUT");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"path\": \"/t\"}"), "x", "not missing");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\"}"), "x", "path is missing");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"t\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/\"}"), "x",
                     "must be /table");
    /* regression: an empty path, or one that is only a query string, was read past its end */
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"?a=eq.1\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"?\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/?a=eq.1\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/rest/v1/\"}"), "x",
                     "must be /table");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/rpc/f\"}"), "x",
                     "must use POST");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"POST\", \"path\": \"/rpc/\"}"), "x",
                     "must be /table or /rpc/function");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"POST\", \"path\": \"/rpc/a/b\"}"), "x",
                     "must be /table or /rpc/function");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/t?a=%zz\"}"), "x",
                     "query string");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/t\", \"body\": {}}"),
                     "x", "takes no body");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/t\","
                         " \"headers\": {\"Authorization\": \"x\"}}"),
                     "x", "not supported");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/t\","
                         " \"headers\": {\"Prefer\": 1}}"),
                     "x", "must be a string");
    ASSERT_BATCH_BAD(OPS("{\"id\": \"x\", \"method\": \"GET\", \"path\": \"/t\","
                         " \"headers\": []}"),
                     "x", "object of strings");
#undef OPS
}

static void test_reference_syntax(void)
{
#define REF(body)                                                                                  \
    "{\"operations\": [{\"id\": \"a\", \"method\": \"POST\", \"path\": \"/t\"}," body "]}"
    rest_batch *b =
        batch_ok(REF("{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/u?x=eq.{{a.id}}\","
                     " \"body\": {\"k\": [\"{{a.name}} and {{a.id}}\"]}}"));
    CU_ASSERT_EQUAL(b->ops[0].depends_on, 0);
    CU_ASSERT_EQUAL(b->ops[1].depends_on, 1);
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                         " \"body\": {\"k\": \"{{a}}\"}}"),
                     "b", "Malformed reference");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                         " \"body\": {\"k\": \"{{a.}}\"}}"),
                     "b", "Malformed reference");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                         " \"body\": {\"k\": \"{{.id}}\"}}"),
                     "b", "Malformed reference");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                         " \"body\": {\"k\": \"{{a.id\"}}"),
                     "b", "Malformed reference");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"GET\", \"path\": \"/t?x=eq.{{b.id}}\"}"),
                     "b", "earlier operation");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"GET\", \"path\": \"/t?x=eq.{{zz.id}}\"}"),
                     "b", "earlier operation");
    ASSERT_BATCH_BAD(REF("{\"id\": \"b\", \"method\": \"GET\", \"path\": \"/t?{{a.id}}=eq.1\"}"),
                     "b", "only in query values");
    ASSERT_BATCH_BAD("{\"operations\": [{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                     " \"body\": {\"k\": \"{{a.id}}\"}},"
                     " {\"id\": \"a\", \"method\": \"GET\", \"path\": \"/t\"}]}",
                     "b", "earlier operation");
#undef REF
}

/* Resolves operation i against the given data texts (NULL: no data). */
static rest_batch_resolved *resolve(rest_batch *b, size_t i, const char *const *data_text,
                                    rest_error **err)
{
    json_object **data = arena_zalloc(tu_arena, (b->count + 1) * sizeof(json_object *));
    for (size_t j = 0; j < b->count; j++)
        if (data_text[j])
            data[j] =
                json_arena_owned(tu_arena, json_parse_exact(data_text[j], strlen(data_text[j])));
    rest_batch_resolved *out = arena_zalloc(tu_arena, sizeof(*out));
    *err = arena_zalloc(tu_arena, sizeof(**err));
    return rest_batch_resolve(tu_arena, b, i, data, out, *err) ? out : NULL;
}

static void test_resolution(void)
{
    rest_batch *b = batch_ok(
        "{\"operations\": [{\"id\": \"a\", \"method\": \"POST\", \"path\": \"/t\"},"
        "{\"id\": \"g\", \"method\": \"GET\", \"path\": \"/t\"},"
        "{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/u?x=eq.{{a.id}}&y=in.({{g.n}})\","
        " \"body\": {\"id\": \"{{a.id}}\", \"o\": \"{{a.obj}}\", \"z\": \"{{a.none}}\","
        " \"t\": \"#{{a.id}}: {{a.name}}\", \"keep\": [1, \"plain\"]}}]}");
    const char *data[] = {"{\"id\": 42, \"name\": \"it's\", \"obj\": {\"k\": [1]}, \"none\": null}",
                          "[{\"n\": \"1,2\"}, {\"n\": 3}]", NULL};
    rest_error *err;
    rest_batch_resolved *r = resolve(b, 2, data, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    ASSERT_STR(r->query.items[0].value, "eq.42");
    ASSERT_STR(r->query.items[1].value, "in.(1,2)");
    ASSERT_STR(b->ops[2].query.items[0].value, "eq.{{a.id}}"); /* the batch is unchanged */
    ASSERT_STR(r->body_text, "{\"id\":42,\"o\":{\"k\":[1]},\"z\":null,\"t\":\"#42: it's\","
                             "\"keep\":[1,\"plain\"]}");
    /* an operation without references keeps its query and body */
    r = resolve(b, 0, data, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(r->body_text);
}

static void test_resolution_failures(void)
{
    rest_batch *b =
        batch_ok("{\"operations\": [{\"id\": \"a\", \"method\": \"POST\", \"path\": \"/t\"},"
                 "{\"id\": \"b\", \"method\": \"POST\", \"path\": \"/t\","
                 " \"body\": {\"x\": \"{{a.id}}\"}},"
                 "{\"id\": \"c\", \"method\": \"GET\", \"path\": \"/t?x=eq.{{a.id}}\"}]}");
    rest_error *err;
    const char *missing[] = {"{\"name\": 1}", NULL, NULL};
    CU_ASSERT_PTR_NULL(resolve(b, 1, missing, &err));
    ASSERT_REST_ERROR(err, 400, "PGRST102", "{{a.id}}: the result of operation a has no field id");
    CU_ASSERT_PTR_NULL(resolve(b, 2, missing, &err));
    ASSERT_REST_ERROR(err, 400, "PGRST102", "has no field id");
    const char *empty[] = {"[]", NULL, NULL};
    CU_ASSERT_PTR_NULL(resolve(b, 1, empty, &err));
    ASSERT_REST_ERROR(err, 400, "PGRST102", "has no field id");
    const char *none[] = {NULL, NULL, NULL}; /* a failed operation has no data */
    CU_ASSERT_PTR_NULL(resolve(b, 1, none, &err));
    const char *scalar[] = {"5", NULL, NULL};
    CU_ASSERT_PTR_NULL(resolve(b, 2, scalar, &err));
}

void register_rest_batch_tests(void)
{
    CU_pSuite s = tu_add_suite("rest batch");
    CU_add_test(s, "operations: id, method, path, headers, body", test_operations);
    CU_add_test(s, "a body that is no batch", test_malformed_body);
    CU_add_test(s, "at most max operations", test_limit);
    CU_add_test(s, "malformed operations name the operation", test_malformed_operations);
    CU_add_test(s, "references: syntax and earlier operations only", test_reference_syntax);
    CU_add_test(s, "references resolve into query values and body values", test_resolution);
    CU_add_test(s, "a referenced field that is not there", test_resolution_failures);
}
