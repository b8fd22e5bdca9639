/* Functions of the test catalog for the RPC and OpenAPI tests (added by
 * catalog_fixture.c), and helpers that parse and plan an RPC:
 *   public.projects_of(client int4) returns setof projects     stable
 *   public.series(n int4, step int4 default 1) returns setof int4  immutable
 *   public.echo(json) returns json                              stable
 *   public.stats(out total int8, out label text)                stable
 *   public.pick(a int4) / public.pick(a text) returns int4      stable (ambiguous)
 *   public.sumall(variadic nums int4[]) returns int4            immutable
 *   public.store(payload jsonb) returns void                    volatile
 *   public.on_change() returns trigger                          volatile
 *   public."odd""fn"("x""y" text) returns text                  stable */
#ifndef PGSTACK_TEST_RPC_FIXTURE_H
#define PGSTACK_TEST_RPC_FIXTURE_H

#include "catalog_fixture.h"
#include "rest/catalog/catalog_build.h"
#include "rest/plan/plan_rpc.h"

void rpc_fixture_functions(catalog_builder *b);

/* Parses method /rpc/fn?qs with body (POST) and Prefer (may be NULL) and
 * plans it; the plan or NULL with *err. */
rest_plan *rpc_plan(rest_method method, const char *fn, const char *qs, const char *body,
                    const char *prefer, rest_error **err);
/* Expected to plan / to fail; the statements of a plan that must succeed. */
rest_plan *rpc_plan_ok(rest_method method, const char *fn, const char *qs, const char *body);
rest_error *rpc_plan_fail(rest_method method, const char *fn, const char *qs, const char *body);
rest_read_sql *rpc_sql_ok(rest_method method, const char *fn, const char *qs, const char *body,
                          const char *prefer);

#endif
