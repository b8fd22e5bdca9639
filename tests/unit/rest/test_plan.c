/* The planner against the fixture catalog: target relation and columns,
 * each relationship kind, disambiguation and its errors, filters, logic
 * trees, order and paging on the nodes they address. */
#include "catalog_fixture.h"
#include "parse_test_util.h"

#define ASSERT_PLAN_ERROR(err, status_, code_, fragment)                                           \
    do {                                                                                           \
        const rest_error *e_ = (err);                                                              \
        CU_ASSERT_PTR_NOT_NULL_FATAL(e_);                                                          \
        CU_ASSERT_EQUAL(e_->status, status_);                                                      \
        ASSERT_STR(e_->code, code_);                                                               \
        CU_ASSERT(tu_contains(e_->message, fragment));                                             \
    } while (0)

static const plan_node *embed_of(const plan_node *n, size_t i)
{
    CU_ASSERT_FATAL(i < n->item_count);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->items[i].node);
    return n->items[i].node;
}

static void test_target_and_columns(void)
{
    rest_plan *p = plan_ok("projects", "select=id,title:name,data->a->>b,tags::text");
    CU_ASSERT_EQUAL(p->root->item_count, 4);
    ASSERT_STR(p->root->rel->name, "projects");
    ASSERT_STR(p->root->items[1].name, "title");
    ASSERT_STR(p->root->items[2].name, "b");
    CU_ASSERT_EQUAL(p->root->items[2].field.path_len, 2);
    ASSERT_STR(p->root->items[3].cast, "\"text\"");
    p = plan_ok("projects", "");
    CU_ASSERT_EQUAL(p->root->items[0].kind, PLAN_ITEM_STAR);
    p = plan_ok("projects", "select=x:id::double precision");
    ASSERT_STR(p->root->items[0].cast, "double precision");
}

static void test_unknown_names(void)
{
    ASSERT_PLAN_ERROR(plan_fail("nope", ""), 404, "PGRST205",
                      "Could not find the table 'public.nope'");
    ASSERT_PLAN_ERROR(plan_fail("projects", "select=nope"), 400, "42703",
                      "column projects.nope does not exist");
    ASSERT_PLAN_ERROR(plan_fail("projects", "nope=eq.1"), 400, "42703", "projects.nope");
    ASSERT_PLAN_ERROR(plan_fail("projects", "order=nope"), 400, "42703", "projects.nope");
    ASSERT_PLAN_ERROR(plan_fail("projects", "or=(id.eq.1,nope.eq.2)"), 400, "42703", "nope");
    ASSERT_PLAN_ERROR(plan_fail("projects", "select=id,clients(nope)"), 400, "42703",
                      "clients.nope");
    ASSERT_PLAN_ERROR(plan_fail("projects", "select=id::bad type"), 400, "PGRST100",
                      "invalid cast");
    /* the private table behind a view is not reachable by name */
    ASSERT_PLAN_ERROR(plan_fail("secrets", ""), 404, "PGRST205", "public.secrets");
}

static void test_many_to_one(void)
{
    rest_plan *p = plan_ok("projects", "select=id,client:clients(name)");
    const plan_node *c = embed_of(p->root, 1);
    ASSERT_STR(c->rel->name, "clients");
    ASSERT_STR(c->name, "client");
    CU_ASSERT_EQUAL(c->join.card, PLAN_MANY_TO_ONE);
    CU_ASSERT_TRUE(c->join.to_one);
    CU_ASSERT_TRUE(c->join.fk_from_parent);
    /* also by the foreign key's name and by its column */
    p = plan_ok("projects", "select=projects_client_id_fkey(*)");
    ASSERT_STR(embed_of(p->root, 0)->rel->name, "clients");
    p = plan_ok("projects", "select=client_id(*)");
    ASSERT_STR(embed_of(p->root, 0)->rel->name, "clients");
}

static void test_one_to_many_and_one_to_one(void)
{
    rest_plan *p = plan_ok("clients", "select=projects(id,tasks(title))");
    const plan_node *projects = embed_of(p->root, 0);
    CU_ASSERT_EQUAL(projects->join.card, PLAN_ONE_TO_MANY);
    CU_ASSERT_FALSE(projects->join.to_one);
    CU_ASSERT_EQUAL(embed_of(projects, 1)->join.card, PLAN_ONE_TO_MANY);
    p = plan_ok("users", "select=profiles(bio)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_ONE_TO_ONE);
    CU_ASSERT_TRUE(embed_of(p->root, 0)->join.to_one);
    p = plan_ok("profiles", "select=users(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_ONE_TO_ONE);
}

static void test_many_to_many(void)
{
    rest_plan *p = plan_ok("users", "select=name,tasks(title)");
    const plan_node *t = embed_of(p->root, 1);
    CU_ASSERT_EQUAL(t->join.card, PLAN_MANY_TO_MANY);
    ASSERT_STR(t->join.junction->name, "users_tasks");
    ASSERT_STR(t->join.fk->name, "users_tasks_user_id_fkey");
    ASSERT_STR(t->join.junction_fk->name, "users_tasks_task_id_fkey");
    p = plan_ok("tasks", "select=users!users_tasks(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_MANY_TO_MANY);
    /* messages has two keys to users but no key of its own holding both */
    ASSERT_PLAN_ERROR(plan_fail("users", "select=users(*)"), 400, "PGRST200", "'users'");
}

static void test_views(void)
{
    rest_plan *p = plan_ok("project_view", "select=id,clients(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->join.card, PLAN_MANY_TO_ONE);
    p = plan_ok("clients", "select=project_view(id)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_ONE_TO_MANY);
    p = plan_ok("secret_view", "select=clients(name)");
    ASSERT_STR(embed_of(p->root, 0)->rel->name, "clients");
}

static void test_ambiguity(void)
{
    rest_error *e = plan_fail("messages", "select=users(*)");
    ASSERT_PLAN_ERROR(e, 300, "PGRST201", "more than one relationship was found for 'messages'");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e->details_json);
    CU_ASSERT(tu_contains(e->details_json, "messages_sender_id_fkey using messages(sender_id)"));
    CU_ASSERT(tu_contains(e->details_json, "\"cardinality\":\"many-to-one\""));
    CU_ASSERT(tu_contains(e->hint, "'users!messages_receiver_id_fkey'"));
    rest_plan *p = plan_ok("messages", "select=sender:users!messages_sender_id_fkey(name)");
    ASSERT_STR(embed_of(p->root, 0)->join.fk->name, "messages_sender_id_fkey");
    p = plan_ok("messages", "select=receiver:users!receiver_id(name)");
    ASSERT_STR(embed_of(p->root, 0)->join.fk->name, "messages_receiver_id_fkey");
    ASSERT_PLAN_ERROR(plan_fail("messages", "select=users!nope(*)"), 400, "PGRST200",
                      "between 'messages' and 'users'");
    /* a self-reference: the parent's column names the direction */
    ASSERT_PLAN_ERROR(plan_fail("employees", "select=employees(*)"), 300, "PGRST201",
                      "'employees' and 'employees'");
    p = plan_ok("employees", "select=manager:employees!manager_id(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_MANY_TO_ONE);
    p = plan_ok("employees", "select=reports:employees!id(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 0)->join.card, PLAN_ONE_TO_MANY);
}

static void test_schema_scope(void)
{
    rest_error *err;
    rest_plan *p = fixture_plan_with("clients", "select=label", NULL, NULL, "api", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    ASSERT_STR(p->root->rel->schema, "api");
    p = fixture_plan_with("clients", "select=projects(*)", NULL, NULL, "api", &err);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(err->status, 400);
    ASSERT_STR(err->code, "PGRST200");
}

static void test_spread_and_related_order(void)
{
    rest_plan *p = plan_ok("projects", "select=id,...clients(client_name:name)");
    CU_ASSERT_EQUAL(p->root->items[1].kind, PLAN_ITEM_SPREAD);
    ASSERT_PLAN_ERROR(plan_fail("clients", "select=...projects(name)"), 400, "PGRST119", "spread");
    p = plan_ok("projects", "select=id,clients(name)&order=clients(name).desc");
    CU_ASSERT_PTR_NOT_NULL(p->root->order[0].embed);
    ASSERT_PLAN_ERROR(plan_fail("clients", "select=projects(name)&order=projects(name)"), 400,
                      "PGRST118", "related order");
    ASSERT_PLAN_ERROR(plan_fail("projects", "order=clients(name)"), 400, "PGRST108", "clients");
}

static void test_filters_on_nodes(void)
{
    rest_plan *p = plan_ok("clients", "select=id,projects(id,tasks(id))&id=gt.1"
                                      "&projects.name=like.A*&projects.tasks.done=is.true"
                                      "&projects.or=(id.eq.1,id.eq.2)");
    CU_ASSERT_EQUAL(p->root->where.child_count, 1);
    const plan_node *projects = embed_of(p->root, 1);
    CU_ASSERT_EQUAL(projects->where.child_count, 2);
    CU_ASSERT_FALSE(projects->where.children[1].is_condition);
    CU_ASSERT_EQUAL(embed_of(projects, 1)->where.child_count, 1);
    ASSERT_PLAN_ERROR(plan_fail("clients", "select=id&projects.id=eq.1"), 400, "PGRST108",
                      "'projects' is not an embedded resource");
    ASSERT_PLAN_ERROR(plan_fail("clients", "select=id,projects(id)&projects.nope=eq.1"), 400,
                      "42703", "projects.nope");
    /* aliases address embeddings by their alias */
    p = plan_ok("clients", "select=id,p:projects(id)&p.id=eq.1");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->where.child_count, 1);
}

static void test_presence(void)
{
    rest_plan *p = plan_ok("projects", "select=id,clients!inner(name)");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->presence, PLAN_PRESENCE_REQUIRED);
    p = plan_ok("projects", "select=id,clients(name)&clients=is.null");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->presence, PLAN_PRESENCE_ABSENT);
    CU_ASSERT_EQUAL(p->root->where.child_count, 0);
    p = plan_ok("projects", "select=id,clients(name)&clients=not.is.null");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->presence, PLAN_PRESENCE_REQUIRED);
    p = plan_ok("projects", "select=id,clients()&clients.name=eq.x&clients=not.is.null");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->item_count, 0);
}

static void test_order_and_paging(void)
{
    rest_plan *p = plan_ok("clients", "select=id,projects(id)&order=name.desc.nullslast,id"
                                      "&limit=5&offset=10&projects.limit=2&projects.order=id");
    CU_ASSERT_EQUAL(p->root->order_count, 2);
    CU_ASSERT_EQUAL(p->root->order[0].dir, REST_ORDER_DESC);
    CU_ASSERT_EQUAL(p->root->order[0].nulls, REST_NULLS_LAST);
    CU_ASSERT_EQUAL(p->root->limit, 5);
    CU_ASSERT_EQUAL(p->root->offset, 10);
    const plan_node *projects = embed_of(p->root, 1);
    CU_ASSERT_EQUAL(projects->limit, 2);
    CU_ASSERT_EQUAL(projects->order_count, 1);
    /* a to-one embedding has no paging of its own */
    p = plan_ok("projects", "select=id,clients(id)&clients.limit=1");
    CU_ASSERT_EQUAL(embed_of(p->root, 1)->limit, REST_NO_LIMIT);
}

void register_rest_plan_tests(void)
{
    CU_pSuite s = fixture_suite("rest planner");
    CU_add_test(s, "target relation, columns, JSON paths, casts", test_target_and_columns);
    CU_add_test(s, "unknown relation, column and cast", test_unknown_names);
    CU_add_test(s, "many-to-one by table, key or column name", test_many_to_one);
    CU_add_test(s, "one-to-many and one-to-one", test_one_to_many_and_one_to_one);
    CU_add_test(s, "many-to-many through a junction", test_many_to_many);
    CU_add_test(s, "relationships of views", test_views);
    CU_add_test(s, "ambiguity, hints and self-references", test_ambiguity);
    CU_add_test(s, "relationships stay in the request's schema", test_schema_scope);
    CU_add_test(s, "spread and related order need to-one", test_spread_and_related_order);
    CU_add_test(s, "filters and logic trees on their nodes", test_filters_on_nodes);
    CU_add_test(s, "!inner and null filters on embeddings", test_presence);
    CU_add_test(s, "order, limit and offset on their nodes", test_order_and_paging);
}
