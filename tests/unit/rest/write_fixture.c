/* The write catalog and helpers; see write_fixture.h. */
#include "write_fixture.h"

#include "core/sbuf.h"
#include "parse_test_util.h"
#include "rest/catalog/catalog_build.h"

#include <stdio.h>
#include <string.h>

static rest_catalog *catalog;

enum { OWNERS = 500, ITEMS, TAGS, LINES, NOKEY, WEIRD, ITEM_VIEW = 600, LOOSE_VIEW };

typedef struct column_spec {
    const char *name;
    const char *type;
    const char *default_expr; /* NULL: none */
    bool has_default;         /* also identity columns, whose default_expr is NULL */
} column_spec;

static void add_columns(catalog_builder *b, unsigned rel, const column_spec *cols, int n)
{
    for (int i = 0; i < n; i++) {
        bool text = strcmp(cols[i].type, "pg_catalog.text") == 0;
        bool array = strcmp(cols[i].type, "pg_catalog._text") == 0;
        rest_column c = {
            .name = cols[i].name,
            .attnum = i + 1,
            .type = cols[i].type,
            .array_type = array  ? NULL
                          : text ? "pg_catalog._text"
                                 : "pg_catalog._int4",
            .type_name = array  ? "text[]"
                         : text ? "text"
                                : "integer",
            .category = array  ? 'A'
                        : text ? 'S'
                               : 'N',
            .nullable = i > 0,
            .has_default = cols[i].has_default,
            .default_expr = cols[i].default_expr,
        };
        rest_catalog_add_column(b, rel, &c);
    }
}

/* A column without a default, one with the given default, an identity. */
#define COL(name, type)                                                                            \
    {                                                                                              \
        name, type, NULL, false                                                                    \
    }
#define DEF(name, type, expr)                                                                      \
    {                                                                                              \
        name, type, expr, true                                                                     \
    }
#define IDENTITY(name, type)                                                                       \
    {                                                                                              \
        name, type, NULL, true                                                                     \
    }

#define COLUMNS(b, rel, ...)                                                                       \
    do {                                                                                           \
        static const column_spec cols_[] = {__VA_ARGS__};                                          \
        add_columns(b, rel, cols_, (int)(sizeof cols_ / sizeof cols_[0]));                         \
    } while (0)

static void tables(catalog_builder *b)
{
    rest_catalog_add_relation(b, OWNERS, "public", "owners", REST_REL_TABLE);
    COLUMNS(b, OWNERS, COL("id", "pg_catalog.int4"), COL("name", "pg_catalog.text"));
    rest_catalog_add_relation(b, ITEMS, "public", "items", REST_REL_TABLE);
    COLUMNS(b, ITEMS, IDENTITY("id", "pg_catalog.int4"), COL("name", "pg_catalog.text"),
            DEF("qty", "pg_catalog.int4", "1"), COL("note", "pg_catalog.text"),
            COL("tags", "pg_catalog._text"), COL("owner_id", "pg_catalog.int4"));
    rest_catalog_add_relation(b, TAGS, "public", "tags", REST_REL_TABLE);
    COLUMNS(b, TAGS, COL("id", "pg_catalog.int4"), COL("item_id", "pg_catalog.int4"),
            COL("tag", "pg_catalog.text"));
    rest_catalog_add_relation(b, LINES, "public", "lines", REST_REL_TABLE);
    COLUMNS(b, LINES, COL("item_id", "pg_catalog.int4"), COL("n", "pg_catalog.int4"),
            COL("label", "pg_catalog.text"));
    rest_catalog_add_relation(b, NOKEY, "public", "nokey", REST_REL_TABLE);
    COLUMNS(b, NOKEY, COL("a", "pg_catalog.int4"), DEF("b", "pg_catalog.text", "'x'::text"));
    rest_catalog_add_relation(b, WEIRD, "public", "we\"ird; t", REST_REL_TABLE);
    COLUMNS(b, WEIRD, COL("co\"l", "pg_catalog.int4"), COL("\xc3\xb1", "pg_catalog.text"));
    rest_catalog_add_relation(b, ITEM_VIEW, "public", "item_view", REST_REL_VIEW);
    COLUMNS(b, ITEM_VIEW, COL("id", "pg_catalog.int4"), COL("name", "pg_catalog.text"));
    rest_catalog_add_view_column(b, ITEM_VIEW, 1, ITEMS, 1);
    rest_catalog_add_view_column(b, ITEM_VIEW, 2, ITEMS, 2);
    rest_catalog_add_relation(b, LOOSE_VIEW, "public", "loose_view", REST_REL_VIEW);
    COLUMNS(b, LOOSE_VIEW, COL("x", "pg_catalog.int4"));
}

static void keys(catalog_builder *b)
{
    static const unsigned single[] = {OWNERS, ITEMS, TAGS, WEIRD};
    int one = 1, two[2] = {1, 2}, owner = 6, item = 2, line_item = 1;
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        rest_catalog_add_key(b, single[i], true, &one, 1);
    rest_catalog_add_key(b, LINES, true, two, 2);
    rest_catalog_add_fk(b, "items_owner_id_fkey", ITEMS, &owner, OWNERS, &one, 1);
    rest_catalog_add_fk(b, "tags_item_id_fkey", TAGS, &item, ITEMS, &one, 1);
    rest_catalog_add_fk(b, "lines_item_id_fkey", LINES, &line_item, ITEMS, &one, 1);
}

const rest_catalog *write_catalog(void)
{
    if (catalog)
        return catalog;
    catalog_builder *b = rest_catalog_builder_new();
    tables(b);
    keys(b);
    catalog = rest_catalog_build_finish(b);
    return catalog;
}

static int suite_init(void)
{
    if (!tu_arena)
        tu_arena = arena_new(1 << 16);
    write_catalog();
    return 0;
}

static int suite_cleanup(void)
{
    rest_catalog_free(catalog);
    catalog = NULL;
    return 0;
}

static void test_setup(void)
{
    arena_reset(tu_arena);
}

CU_pSuite write_suite(const char *name)
{
    return CU_add_suite_with_setup_and_teardown(name, suite_init, suite_cleanup, test_setup, NULL);
}

static const char *const SCHEMAS[] = {"public"};

rest_write_plan *write_plan(const write_case *c, rest_error **err)
{
    rest_parse_input in = tu_input(c->method, c->qs ? c->qs : "");
    in.prefer = c->prefer;
    in.accept = c->accept;
    in.schemas = SCHEMAS;
    in.schema_count = 1;
    rest_request *req;
    rest_parse_error *perr;
    *err = arena_zalloc(tu_arena, sizeof(**err));
    if (!tu_run(&in, NULL, &req, &perr)) {
        rest_error_from_parse(*err, perr);
        return NULL;
    }
    rest_body *body = NULL;
    if (c->body) {
        body = arena_zalloc(tu_arena, sizeof(*body));
        if (!rest_body_parse(tu_arena, NULL, c->body, strlen(c->body), body, *err))
            return NULL;
    }
    rest_write_plan *plan = arena_zalloc(tu_arena, sizeof(*plan));
    return rest_plan_write(tu_arena, write_catalog(), req, body, c->table, plan, *err) ? plan
                                                                                       : NULL;
}

rest_write_plan *write_plan_ok(const write_case *c)
{
    rest_error *err;
    rest_write_plan *p = write_plan(c, &err);
    if (!p) {
        fprintf(stderr, "\n  unexpected write plan error %d %s: %s\n", err->status, err->code,
                err->message);
        CU_FAIL_FATAL("write plan failed");
    }
    return p;
}

rest_error *write_plan_fail(const write_case *c)
{
    rest_error *err;
    if (write_plan(c, &err))
        CU_FAIL_FATAL("write plan succeeded but should have failed");
    return err;
}

rest_write_sql *write_sql_ok(const write_case *c)
{
    rest_write_plan *p = write_plan_ok(c);
    rest_write_sql *sql = arena_zalloc(tu_arena, sizeof(*sql));
    rest_sql_write(tu_arena, p, sql);
    return sql;
}

const char *write_params(const rest_statement *s)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    for (int i = 0; i < s->param_count; i++) {
        if (i)
            sbuf_putc(&b, '|');
        sbuf_puts(&b, s->params[i]);
    }
    return b.data;
}
