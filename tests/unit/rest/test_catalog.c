/* The schema catalog built by hand: lookups, keys, relationships of tables
 * and (through their base-table columns) of views, functions with their
 * arguments and overloads. */
#include "catalog_fixture.h"
#include "parse_test_util.h"

static const rest_fk *find_fk(const rest_relation *from, const char *to, const char *name)
{
    for (size_t i = 0; i < from->out_count; i++)
        if (strcmp(from->out[i]->to->name, to) == 0 && strcmp(from->out[i]->name, name) == 0)
            return from->out[i];
    return NULL;
}

static void test_relation_lookup(void)
{
    const rest_catalog *c = fixture_catalog();
    const rest_relation *p = rest_catalog_relation(c, "public", "projects");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->column_count, 5);
    ASSERT_STR(p->columns[3].type, "pg_catalog.jsonb");
    CU_ASSERT_PTR_NULL(rest_catalog_relation(c, "public", "secrets"));
    CU_ASSERT_PTR_NULL(rest_catalog_relation(c, "private", "secrets"));
    CU_ASSERT_PTR_NULL(rest_catalog_relation(c, "public", "nope"));
    const rest_relation *api = rest_catalog_relation(c, "api", "clients");
    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_PTR_NOT_NULL(rest_relation_column(api, "label", NULL));
    size_t index = 0;
    CU_ASSERT_PTR_NOT_NULL(rest_relation_column(p, "client_id", &index));
    CU_ASSERT_EQUAL(index, 2);
    CU_ASSERT_PTR_NULL(rest_relation_column(p, "nope", NULL));
}

static void test_keys(void)
{
    const rest_catalog *c = fixture_catalog();
    const rest_relation *ut = rest_catalog_relation(c, "public", "users_tasks");
    CU_ASSERT_EQUAL(ut->pk.count, 2);
    const rest_relation *profiles = rest_catalog_relation(c, "public", "profiles");
    CU_ASSERT_EQUAL(profiles->pk.count, 1);
    CU_ASSERT_EQUAL(profiles->unique_count, 2);
    const rest_relation *view = rest_catalog_relation(c, "public", "project_view");
    CU_ASSERT_EQUAL_FATAL(view->pk.count, 1);
    ASSERT_STR(view->columns[view->pk.cols[0]].name, "id");
}

static void test_table_relationships(void)
{
    const rest_catalog *c = fixture_catalog();
    const rest_relation *projects = rest_catalog_relation(c, "public", "projects");
    const rest_fk *fk = find_fk(projects, "clients", "projects_client_id_fkey");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fk);
    CU_ASSERT_FALSE(fk->from_unique);
    ASSERT_STR(fk->from->columns[fk->from_cols[0]].name, "client_id");
    ASSERT_STR(fk->to->columns[fk->to_cols[0]].name, "id");
    const rest_relation *profiles = rest_catalog_relation(c, "public", "profiles");
    const rest_fk *one = find_fk(profiles, "users", "profiles_user_id_fkey");
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_TRUE(one->from_unique);
    const rest_relation *clients = rest_catalog_relation(c, "public", "clients");
    CU_ASSERT(clients->in_count >= 2); /* projects, project_view, secret_view */
}

static void test_view_relationships(void)
{
    const rest_catalog *c = fixture_catalog();
    const rest_relation *view = rest_catalog_relation(c, "public", "project_view");
    const rest_fk *fk = find_fk(view, "clients", "projects_client_id_fkey");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fk);
    ASSERT_STR(fk->from->columns[fk->from_cols[0]].name, "client_id");
    /* tasks -> projects also arrives at the view, under the same name */
    const rest_relation *tasks = rest_catalog_relation(c, "public", "tasks");
    CU_ASSERT_PTR_NOT_NULL(find_fk(tasks, "project_view", "tasks_project_id_fkey"));
    /* a public view over a private table carries the private table's key */
    const rest_relation *secret = rest_catalog_relation(c, "public", "secret_view");
    CU_ASSERT_PTR_NOT_NULL(find_fk(secret, "clients", "secrets_owner_fkey"));
    CU_ASSERT_EQUAL(secret->pk.count, 1);
}

static void test_functions(void)
{
    const rest_catalog *c = fixture_catalog();
    size_t n = 0;
    const rest_function *f = rest_catalog_functions(c, "public", "add", &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(f[0].oid, 899);
    CU_ASSERT_EQUAL(f[1].oid, 900);
    CU_ASSERT_EQUAL_FATAL(f[1].arg_count, 2);
    ASSERT_STR(f[1].args[0].name, "a");
    CU_ASSERT_TRUE(f[1].args[1].has_default);
    CU_ASSERT_EQUAL(f[0].arg_count, 0);
    CU_ASSERT_PTR_NOT_NULL(rest_catalog_functions(c, "public", "zeta", &n));
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_PTR_NULL(rest_catalog_functions(c, "public", "nope", &n));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(c->version, 7);
}

void register_rest_catalog_tests(void)
{
    CU_pSuite s = fixture_suite("rest catalog");
    CU_add_test(s, "relations and columns are found by name", test_relation_lookup);
    CU_add_test(s, "primary and unique keys, also of views", test_keys);
    CU_add_test(s, "foreign keys between tables", test_table_relationships);
    CU_add_test(s, "foreign keys projected onto views", test_view_relationships);
    CU_add_test(s, "functions sorted with arguments and overloads", test_functions);
}
