/* A hand-built schema catalog for the planner and SQL generator tests,
 * made with the same builder the loader uses:
 *   public.clients(id pk, name)            public.projects(id pk, name, client_id -> clients,
 *   public.tasks(id pk, title,                              data jsonb, tags text[])
 *                project_id -> projects, done)
 *   public.users(id pk, name)              public.users_tasks(user_id -> users,
 *                                                             task_id -> tasks; pk both)
 *   public.employees(id pk, name, manager_id -> employees)
 *   public.messages(id pk, body, sender_id -> users, receiver_id -> users)
 *   public.profiles(id pk, user_id unique -> users, bio)
 *   public.project_view: view of projects(id, name, client_id)
 *   public.secret_view: view of private.secrets(id, owner -> clients)
 *   public."we""ird; drop"("co""l" pk)     api.clients(id pk, label)
 * plus functions public.add(a int4, b int4 default 1) and overloads, and the
 * functions of rpc_fixture.h. */
#ifndef PGSTACK_TEST_CATALOG_FIXTURE_H
#define PGSTACK_TEST_CATALOG_FIXTURE_H

#include "rest/catalog/catalog.h"
#include "rest/plan/plan.h"
#include "rest/sql/sql.h"

#include <CUnit/CUnit.h>

/* Built on first use, freed by fixture_free (a suite cleanup). */
const rest_catalog *fixture_catalog(void);
int fixture_free(void);

/* A suite (fresh arena per test, catalog freed at the end). */
CU_pSuite fixture_suite(const char *name);

/* Parses GET table?qs (schemas public, api; headers may be NULL) and
 * plans it; the plan or the error. */
rest_plan *fixture_plan(const char *table, const char *qs, rest_error **err);
rest_plan *fixture_plan_with(const char *table, const char *qs, const char *prefer,
                             const char *accept, const char *profile, rest_error **err);
/* Expected to plan / to fail. */
rest_plan *plan_ok(const char *table, const char *qs);
rest_error *plan_fail(const char *table, const char *qs);
/* The read statements of a plan that must succeed. */
rest_read_sql *sql_ok(const char *table, const char *qs);
rest_read_sql *sql_ok_with(const char *table, const char *qs, const char *prefer,
                           const char *accept);

#endif
