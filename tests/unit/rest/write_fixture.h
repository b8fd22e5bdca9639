/* A schema catalog for the write planner and SQL tests, with what writes
 * care about (defaults, identity, keys of several columns, tables and
 * views without a key), and helpers that parse a request with its body,
 * plan the write and generate its SQL:
 *   public.owners(id int4 pk, name text)
 *   public.items(id int4 pk identity, name text not null, qty int4 default 1,
 *                note text, tags text[], owner_id int4 -> owners)
 *   public.tags(id int4 pk, item_id int4 -> items, tag text)
 *   public.lines(item_id int4 -> items, n int4, label text; pk (item_id, n))
 *   public.nokey(a int4, b text default 'x'::text)
 *   public.item_view: view of items(id, name)      public.loose_view(x int4)
 *   public."we""ird; t"("co""l" int4 pk, "ñ" text) */
#ifndef PGSTACK_TEST_WRITE_FIXTURE_H
#define PGSTACK_TEST_WRITE_FIXTURE_H

#include "rest/parse/body.h"
#include "rest/plan/plan_write.h"
#include "rest/sql/sql_write.h"

#include <CUnit/CUnit.h>

/* The write catalog (built on first use; also used by tests/fuzz). */
const rest_catalog *write_catalog(void);

/* A suite with a fresh arena per test and the write catalog. */
CU_pSuite write_suite(const char *name);

/* The parts of a write request; NULL members are absent. */
typedef struct write_case {
    rest_method method;
    const char *table;
    const char *qs;
    const char *prefer;
    const char *accept;
    const char *body;
} write_case;

/* Parses the body (JSON, no Content-Type), then plans; the plan or NULL
 * with *err (the body's or the planner's error). */
rest_write_plan *write_plan(const write_case *c, rest_error **err);
/* Expected to plan / to fail. */
rest_write_plan *write_plan_ok(const write_case *c);
rest_error *write_plan_fail(const write_case *c);
/* The statement of a write that must plan. */
rest_write_sql *write_sql_ok(const write_case *c);

/* The parameters of a statement joined with '|'. */
const char *write_params(const rest_statement *s);

#define ASSERT_REST_ERROR(err, status_, code_, fragment)                                           \
    do {                                                                                           \
        const rest_error *e_ = (err);                                                              \
        CU_ASSERT_PTR_NOT_NULL_FATAL(e_);                                                          \
        CU_ASSERT_EQUAL(e_->status, status_);                                                      \
        ASSERT_STR(e_->code, code_);                                                               \
        CU_ASSERT(tu_contains(e_->message, fragment));                                             \
    } while (0)

#endif
