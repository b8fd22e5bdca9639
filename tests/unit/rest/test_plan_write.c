/* The write planner against the write catalog: written columns from keys
 * and columns=, missing=default, the ON CONFLICT target, PUT's rules,
 * filters required for PATCH and DELETE, limited changes, and what the
 * reply needs back. */
#include "parse_test_util.h"
#include "write_fixture.h"

static const char *written(const rest_write_plan *p)
{
    static const char *const marks[] = {"", "?", "!"};
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    for (size_t i = 0; i < p->column_count; i++)
        sbuf_printf(&b, "%s%s%s", i ? "," : "", p->columns[i].column->name,
                    marks[p->columns[i].value]);
    return b.data;
}

static const char *returned(const rest_write_plan *p)
{
    if (p->returning_all)
        return "*";
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    for (size_t i = 0; p->returning && i < p->rel->column_count; i++)
        if (p->returning[i])
            sbuf_printf(&b, "%s%s", b.len ? "," : "", p->rel->columns[i].name);
    return b.data;
}

static rest_write_plan *post(const char *qs, const char *prefer, const char *body)
{
    write_case c = {REST_POST, "items", qs, prefer, NULL, body};
    return write_plan_ok(&c);
}

static rest_error *post_fail(const char *table, const char *qs, const char *prefer,
                             const char *body)
{
    write_case c = {REST_POST, table, qs, prefer, NULL, body};
    return write_plan_fail(&c);
}

static void test_columns_from_keys(void)
{
    rest_write_plan *p = post(NULL, NULL, "{\"qty\": 2, \"name\": \"a\"}");
    CU_ASSERT_EQUAL(p->kind, PLAN_WRITE_INSERT);
    ASSERT_STR(written(p), "name,qty"); /* the relation's order */
    p = post(NULL, NULL, "[{\"name\": \"a\", \"note\": null}, {\"note\": \"n\", \"name\": \"b\"}]");
    ASSERT_STR(written(p), "name,note");
    p = post(NULL, NULL, "{}");
    ASSERT_STR(written(p), "");
    ASSERT_REST_ERROR(post_fail("items", NULL, NULL, "{\"name\": \"a\", \"nope\": 1}"), 400,
                      "PGRST204", "Could not find the 'nope' column of 'items'");
    ASSERT_REST_ERROR(post_fail("items", NULL, NULL, "[{\"name\": \"a\"}, {\"qty\": 1}]"), 400,
                      "PGRST102", "All object keys must match");
    ASSERT_REST_ERROR(post_fail("nope", NULL, NULL, "{}"), 404, "PGRST205",
                      "Could not find the table 'public.nope'");
}

static void test_columns_param(void)
{
    rest_write_plan *p = post("columns=qty,name", NULL, "[{\"name\": \"a\", \"extra\": 1}, {}]");
    ASSERT_STR(written(p), "name,qty"); /* missing keys are NULL, others ignored */
    p = post("columns=name,qty,note", "missing=default",
             "[{\"name\": \"a\"}, {\"name\": \"b\", "
             "\"qty\": 3}]");
    ASSERT_STR(written(p), "name,qty?"); /* note: in no row, left to its default */
    /* an upsert that merges overwrites with the defaults, identity aside */
    p = post("columns=id,name,qty,note", "missing=default,resolution=merge-duplicates",
             "[{\"name\": \"a\"}]");
    ASSERT_STR(written(p), "name,qty?,note");
    p = post("columns=name,qty", "missing=null", "[{\"name\": \"a\"}]");
    ASSERT_STR(written(p), "name,qty");
    ASSERT_REST_ERROR(post_fail("items", "columns=name,nope", NULL, "{\"name\": \"a\"}"), 400,
                      "PGRST204", "'nope' column");
    write_case c = {REST_PATCH,        "items", "id=eq.1&columns=name,note",
                    "missing=default", NULL,    "{\"name\": \"a\"}"};
    ASSERT_STR(written(write_plan_ok(&c)), "name,note!"); /* an update sets DEFAULT */
}

static void test_conflict_target(void)
{
    rest_write_plan *p = post(NULL, "resolution=merge-duplicates", "{\"id\": 1, \"name\": \"a\"}");
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_MERGE_DUPLICATES);
    CU_ASSERT_EQUAL(p->conflict_count, 1);
    ASSERT_STR(p->conflict[0]->name, "id");
    p = post("on_conflict=name,qty", "resolution=ignore-duplicates", "{\"name\": \"a\"}");
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_IGNORE_DUPLICATES);
    CU_ASSERT_EQUAL(p->conflict_count, 2);
    ASSERT_STR(p->conflict[1]->name, "qty");
    p = post("on_conflict=name", NULL, "{\"name\": \"a\"}");
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_UNSET);
    write_case c = {REST_POST, "nokey", NULL, "resolution=merge-duplicates", NULL, "{\"a\": 1}"};
    CU_ASSERT_EQUAL(write_plan_ok(&c)->resolution, REST_RESOLUTION_UNSET); /* no key: insert */
    ASSERT_REST_ERROR(
        post_fail("items", "on_conflict=nope", "resolution=merge-duplicates", "{\"id\": 1}"), 400,
        "PGRST204", "'nope' column");
}

static rest_error *put_fail(const char *table, const char *qs, const char *body)
{
    write_case c = {REST_PUT, table, qs, NULL, NULL, body};
    return write_plan_fail(&c);
}

static void test_put(void)
{
    write_case c = {REST_PUT, "lines", "item_id=eq.1&n=eq.2",
                    NULL,     NULL,    "{\"item_id\": 1, \"n\": 2, \"label\": \"x\"}"};
    rest_write_plan *p = write_plan_ok(&c);
    CU_ASSERT_TRUE(p->put);
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_MERGE_DUPLICATES);
    CU_ASSERT_EQUAL(p->conflict_count, 2);
    const char *body = "{\"item_id\": 1, \"n\": 2}";
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1", body), 405, "PGRST105",
                      "all and only primary key columns");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=gt.2", body), 405, "PGRST105", "'eq'");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=not.eq.2", body), 405, "PGRST105", "eq");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2&label=eq.x", body), 405, "PGRST105",
                      "eq");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2&or=(n.eq.2)", body), 405, "PGRST105",
                      "eq");
    ASSERT_REST_ERROR(put_fail("nokey", "a=eq.1", "{\"a\": 1}"), 405, "PGRST105", "eq");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2&limit=1", body), 400, "PGRST114",
                      "limit/offset");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2", "{\"item_id\": 1}"), 400, "PGRST115",
                      "Payload values do not match");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2", "[]"), 400, "PGRST102",
                      "single JSON object");
    ASSERT_REST_ERROR(put_fail("lines", "item_id=eq.1&n=eq.2",
                               "[{\"item_id\": 1, \"n\": 2}, "
                               "{\"item_id\": 1, \"n\": 2}]"),
                      400, "PGRST102", "single JSON object");
}

static void test_filters_required(void)
{
    write_case c = {REST_PATCH, "items", NULL, NULL, NULL, "{\"name\": \"a\"}"};
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "21000", "UPDATE requires a WHERE clause");
    c.qs = "select=id,tags(tag)&tags.tag=eq.x";
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "21000", "UPDATE requires");
    c.qs = "limit=1&order=id";
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "21000", "UPDATE requires");
    c.qs = "or=(id.eq.1,id.eq.2)";
    CU_ASSERT_EQUAL(write_plan_ok(&c)->kind, PLAN_WRITE_UPDATE);
    write_case d = {REST_DELETE, "items", NULL, NULL, NULL, NULL};
    ASSERT_REST_ERROR(write_plan_fail(&d), 400, "21000", "DELETE requires a WHERE clause");
    d.qs = "id=eq.1";
    CU_ASSERT_EQUAL(write_plan_ok(&d)->kind, PLAN_WRITE_DELETE);
    c.qs = "id=eq.1";
    c.body = "[{\"name\": \"a\"}, {\"name\": \"b\"}]";
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "PGRST102", "PATCH needs a single JSON object");
    c.qs = "nope=eq.1";
    c.body = "{\"name\": \"a\"}";
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "42703", "items.nope");
}

static void test_limited(void)
{
    write_case c = {
        .method = REST_DELETE, .table = "items", .qs = "id=gt.1&order=id.desc&limit=2&offset=1"};
    rest_write_plan *p = write_plan_ok(&c);
    CU_ASSERT_TRUE(p->limited);
    CU_ASSERT_EQUAL(p->row_key_count, 1);
    ASSERT_STR(p->row_key[0]->name, "id");
    c.qs = "id=gt.1";
    CU_ASSERT_FALSE(write_plan_ok(&c)->limited);
    c.table = "nokey";
    c.qs = "a=gt.1&limit=1";
    p = write_plan_ok(&c);
    CU_ASSERT_TRUE(p->limited);
    CU_ASSERT_EQUAL(p->row_key_count, 0); /* tableoid, ctid */
    c.table = "item_view";
    c.qs = "id=gt.1&limit=1";
    CU_ASSERT_EQUAL(write_plan_ok(&c)->row_key_count, 1); /* the base table's key */
    c.table = "loose_view";
    c.qs = "x=gt.1&limit=1";
    ASSERT_REST_ERROR(write_plan_fail(&c), 400, "PGRST100", "limit/offset cannot pick");
}

static void test_returning(void)
{
    rest_write_plan *p = post(NULL, NULL, "{\"name\": \"a\"}");
    CU_ASSERT_EQUAL(p->return_, REST_RETURN_MINIMAL);
    ASSERT_STR(returned(p), "");
    p = post(NULL, "return=representation", "{\"name\": \"a\"}");
    ASSERT_STR(returned(p), "*");
    p = post("select=name,qty::text,owner:owners(name),tags(tag)&order=note",
             "return=representation", "{\"name\": \"a\"}");
    ASSERT_STR(returned(p), "id,name,qty,note,owner_id");
    p = post(NULL, "return=headers-only", "{\"name\": \"a\"}");
    ASSERT_STR(returned(p), "id");
    CU_ASSERT_EQUAL(p->location_count, 1);
    write_case c = {REST_POST, "nokey", NULL, "return=headers-only", NULL, "{\"a\": 1}"};
    p = write_plan_ok(&c);
    ASSERT_STR(returned(p), "");
    CU_ASSERT_EQUAL(p->location_count, 0);
    write_case d = {
        .method = REST_DELETE, .table = "items", .qs = "id=eq.1", .prefer = "return=headers-only"};
    CU_ASSERT_EQUAL(write_plan_ok(&d)->return_, REST_RETURN_MINIMAL);
    ASSERT_REST_ERROR(post_fail("items", "select=nope", "return=minimal", "{}"), 400, "42703",
                      "items.nope");
}

void register_rest_plan_write_tests(void)
{
    CU_pSuite s = write_suite("rest plan write");
    CU_add_test(s, "columns from the keys of the rows", test_columns_from_keys);
    CU_add_test(s, "columns= and missing=default", test_columns_param);
    CU_add_test(s, "the ON CONFLICT target of an upsert", test_conflict_target);
    CU_add_test(s, "PUT: key filters, one row, no paging", test_put);
    CU_add_test(s, "PATCH and DELETE need a filter", test_filters_required);
    CU_add_test(s, "limit/offset pick rows by key or ctid", test_limited);
    CU_add_test(s, "what the reply needs back", test_returning);
}
