/* The test catalog and plan/SQL helpers; see catalog_fixture.h. */
#include "catalog_fixture.h"

#include "parse_test_util.h"
#include "rest/catalog/catalog_build.h"
#include "rpc_fixture.h"

#include <stdio.h>

static rest_catalog *catalog;

enum {
    CLIENTS = 100,
    PROJECTS,
    TASKS,
    USERS,
    USERS_TASKS,
    EMPLOYEES,
    MESSAGES,
    PROFILES,
    WEIRD,
    PROJECT_VIEW = 200,
    SECRET_VIEW,
    SECRETS = 300, /* private, not exposed */
    API_CLIENTS = 400,
};

static void column(catalog_builder *b, unsigned rel, int attnum, const char *name, const char *type)
{
    static const struct {
        const char *type, *array, *display;
        char category;
    } types[] = {
        {"pg_catalog.int4", "pg_catalog._int4", "integer", 'N'},
        {"pg_catalog.text", "pg_catalog._text", "text", 'S'},
        {"pg_catalog.bool", "pg_catalog._bool", "boolean", 'B'},
        {"pg_catalog.jsonb", "pg_catalog._jsonb", "jsonb", 'U'},
        {"pg_catalog._text", NULL, "text[]", 'A'},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, type) == 0) {
            rest_column c = {.name = name,
                             .attnum = attnum,
                             .type = types[i].type,
                             .array_type = types[i].array,
                             .type_name = types[i].display,
                             .category = types[i].category,
                             .nullable = attnum != 1};
            rest_catalog_add_column(b, rel, &c);
            return;
        }
    fprintf(stderr, "fixture: unknown type %s\n", type);
}

static void key(catalog_builder *b, unsigned rel, bool primary, int a1, int a2)
{
    int attnums[2] = {a1, a2};
    rest_catalog_add_key(b, rel, primary, attnums, a2 ? 2 : 1);
}

static void fk(catalog_builder *b, const char *name, unsigned from, int from_attnum, unsigned to,
               int to_attnum)
{
    rest_catalog_add_fk(b, name, from, &from_attnum, to, &to_attnum, 1);
}

static void tables(catalog_builder *b)
{
    rest_catalog_add_relation(b, CLIENTS, "public", "clients", REST_REL_TABLE);
    column(b, CLIENTS, 1, "id", "pg_catalog.int4");
    column(b, CLIENTS, 2, "name", "pg_catalog.text");
    rest_catalog_add_relation(b, PROJECTS, "public", "projects", REST_REL_TABLE);
    column(b, PROJECTS, 1, "id", "pg_catalog.int4");
    column(b, PROJECTS, 2, "name", "pg_catalog.text");
    column(b, PROJECTS, 3, "client_id", "pg_catalog.int4");
    column(b, PROJECTS, 4, "data", "pg_catalog.jsonb");
    column(b, PROJECTS, 5, "tags", "pg_catalog._text");
    rest_catalog_add_relation(b, TASKS, "public", "tasks", REST_REL_TABLE);
    column(b, TASKS, 1, "id", "pg_catalog.int4");
    column(b, TASKS, 2, "title", "pg_catalog.text");
    column(b, TASKS, 3, "project_id", "pg_catalog.int4");
    column(b, TASKS, 4, "done", "pg_catalog.bool");
    rest_catalog_add_relation(b, USERS, "public", "users", REST_REL_TABLE);
    column(b, USERS, 1, "id", "pg_catalog.int4");
    column(b, USERS, 2, "name", "pg_catalog.text");
    rest_catalog_add_relation(b, USERS_TASKS, "public", "users_tasks", REST_REL_TABLE);
    column(b, USERS_TASKS, 1, "user_id", "pg_catalog.int4");
    column(b, USERS_TASKS, 2, "task_id", "pg_catalog.int4");
    rest_catalog_add_relation(b, EMPLOYEES, "public", "employees", REST_REL_TABLE);
    column(b, EMPLOYEES, 1, "id", "pg_catalog.int4");
    column(b, EMPLOYEES, 2, "name", "pg_catalog.text");
    column(b, EMPLOYEES, 3, "manager_id", "pg_catalog.int4");
    rest_catalog_add_relation(b, MESSAGES, "public", "messages", REST_REL_TABLE);
    column(b, MESSAGES, 1, "id", "pg_catalog.int4");
    column(b, MESSAGES, 2, "body", "pg_catalog.text");
    column(b, MESSAGES, 3, "sender_id", "pg_catalog.int4");
    column(b, MESSAGES, 4, "receiver_id", "pg_catalog.int4");
    rest_catalog_add_relation(b, PROFILES, "public", "profiles", REST_REL_TABLE);
    column(b, PROFILES, 1, "id", "pg_catalog.int4");
    column(b, PROFILES, 2, "user_id", "pg_catalog.int4");
    column(b, PROFILES, 3, "bio", "pg_catalog.text");
    rest_catalog_add_relation(b, WEIRD, "public", "we\"ird; drop", REST_REL_TABLE);
    column(b, WEIRD, 1, "co\"l", "pg_catalog.int4");
    rest_catalog_add_relation(b, API_CLIENTS, "api", "clients", REST_REL_TABLE);
    column(b, API_CLIENTS, 1, "id", "pg_catalog.int4");
    column(b, API_CLIENTS, 2, "label", "pg_catalog.text");
}

static void views(catalog_builder *b)
{
    rest_catalog_add_relation(b, PROJECT_VIEW, "public", "project_view", REST_REL_VIEW);
    column(b, PROJECT_VIEW, 1, "id", "pg_catalog.int4");
    column(b, PROJECT_VIEW, 2, "name", "pg_catalog.text");
    column(b, PROJECT_VIEW, 3, "client_id", "pg_catalog.int4");
    for (int i = 1; i <= 3; i++)
        rest_catalog_add_view_column(b, PROJECT_VIEW, i, PROJECTS, i);
    rest_catalog_add_relation(b, SECRET_VIEW, "public", "secret_view", REST_REL_VIEW);
    column(b, SECRET_VIEW, 1, "id", "pg_catalog.int4");
    column(b, SECRET_VIEW, 2, "owner", "pg_catalog.int4");
    rest_catalog_add_view_column(b, SECRET_VIEW, 1, SECRETS, 1);
    rest_catalog_add_view_column(b, SECRET_VIEW, 2, SECRETS, 2);
}

static void keys(catalog_builder *b)
{
    for (unsigned rel = CLIENTS; rel <= WEIRD; rel++)
        if (rel != USERS_TASKS)
            key(b, rel, true, 1, 0);
    key(b, USERS_TASKS, true, 1, 2);
    key(b, PROFILES, false, 2, 0);
    key(b, SECRETS, true, 1, 0);
    key(b, API_CLIENTS, true, 1, 0);
    fk(b, "projects_client_id_fkey", PROJECTS, 3, CLIENTS, 1);
    fk(b, "tasks_project_id_fkey", TASKS, 3, PROJECTS, 1);
    fk(b, "users_tasks_user_id_fkey", USERS_TASKS, 1, USERS, 1);
    fk(b, "users_tasks_task_id_fkey", USERS_TASKS, 2, TASKS, 1);
    fk(b, "employees_manager_id_fkey", EMPLOYEES, 3, EMPLOYEES, 1);
    fk(b, "messages_sender_id_fkey", MESSAGES, 3, USERS, 1);
    fk(b, "messages_receiver_id_fkey", MESSAGES, 4, USERS, 1);
    fk(b, "profiles_user_id_fkey", PROFILES, 2, USERS, 1);
    fk(b, "secrets_owner_fkey", SECRETS, 2, CLIENTS, 1);
}

static void functions(catalog_builder *b)
{
    rest_function add = {.oid = 900,
                         .schema = "public",
                         .name = "add",
                         .return_type = "pg_catalog.int4",
                         .volatility = 'i'};
    rest_catalog_add_function(b, &add);
    rest_func_arg a = {.name = "a", .type = "pg_catalog.int4", .mode = 'i'};
    rest_func_arg bb = {.name = "b", .type = "pg_catalog.int4", .mode = 'i', .has_default = true};
    rest_catalog_add_function_arg(b, 900, &a);
    rest_catalog_add_function_arg(b, 900, &bb);
    rest_function add_text = add;
    add_text.oid = 899;
    add_text.return_type = "pg_catalog.text";
    rest_catalog_add_function(b, &add_text);
    rest_function zeta = {.oid = 901,
                          .schema = "public",
                          .name = "zeta",
                          .return_type = "pg_catalog.void",
                          .volatility = 'v'};
    rest_catalog_add_function(b, &zeta);
}

const rest_catalog *fixture_catalog(void)
{
    if (catalog)
        return catalog;
    catalog_builder *b = rest_catalog_builder_new();
    rest_catalog_set_version(b, 7);
    tables(b);
    views(b);
    keys(b);
    functions(b);
    rpc_fixture_functions(b);
    catalog = rest_catalog_build_finish(b);
    return catalog;
}

int fixture_free(void)
{
    rest_catalog_free(catalog);
    catalog = NULL;
    return 0;
}

static int suite_init(void)
{
    if (!tu_arena)
        tu_arena = arena_new(1 << 16);
    fixture_catalog();
    return 0;
}

static void test_setup(void)
{
    arena_reset(tu_arena);
}

CU_pSuite fixture_suite(const char *name)
{
    return CU_add_suite_with_setup_and_teardown(name, suite_init, fixture_free, test_setup, NULL);
}

static const char *const SCHEMAS[] = {"public", "api"};

rest_plan *fixture_plan_with(const char *table, const char *qs, const char *prefer,
                             const char *accept, const char *profile, rest_error **err)
{
    rest_parse_input in = tu_input(REST_GET, qs);
    in.prefer = prefer;
    in.accept = accept;
    in.accept_profile = profile;
    in.schemas = SCHEMAS;
    in.schema_count = 2;
    rest_request *req;
    rest_parse_error *perr;
    *err = arena_zalloc(tu_arena, sizeof(**err));
    if (!tu_run(&in, NULL, &req, &perr)) {
        rest_error_from_parse(*err, perr);
        return NULL;
    }
    rest_plan *plan = arena_zalloc(tu_arena, sizeof(*plan));
    return rest_plan_read(tu_arena, fixture_catalog(), req, table, plan, *err) ? plan : NULL;
}

rest_plan *fixture_plan(const char *table, const char *qs, rest_error **err)
{
    return fixture_plan_with(table, qs, NULL, NULL, NULL, err);
}

rest_plan *plan_ok(const char *table, const char *qs)
{
    rest_error *err;
    rest_plan *p = fixture_plan(table, qs, &err);
    if (!p) {
        fprintf(stderr, "\n  unexpected plan error %d %s: %s\n", err->status, err->code,
                err->message);
        CU_FAIL_FATAL("plan failed");
    }
    return p;
}

rest_error *plan_fail(const char *table, const char *qs)
{
    rest_error *err;
    rest_plan *p = fixture_plan(table, qs, &err);
    if (p)
        CU_FAIL_FATAL("plan succeeded but should have failed");
    return err;
}

rest_read_sql *sql_ok_with(const char *table, const char *qs, const char *prefer,
                           const char *accept)
{
    rest_error *err;
    rest_plan *p = fixture_plan_with(table, qs, prefer, accept, NULL, &err);
    if (!p) {
        fprintf(stderr, "\n  unexpected plan error %d %s: %s\n", err->status, err->code,
                err->message);
        CU_FAIL_FATAL("plan failed");
    }
    rest_read_sql *sql = arena_zalloc(tu_arena, sizeof(*sql));
    rest_sql_read(tu_arena, p, sql);
    return sql;
}

rest_read_sql *sql_ok(const char *table, const char *qs)
{
    return sql_ok_with(table, qs, NULL, NULL);
}
