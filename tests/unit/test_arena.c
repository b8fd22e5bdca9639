/* Unit tests of the request arena: alignment, growth past a chunk, large
 * allocations, deferred cleanups running at reset, reuse after reset. */
#include "unit.h"

#include "core/arena.h"

#include <stdint.h>
#include <string.h>

static int cleanups_run;

static void count_cleanup(void *p)
{
    (void)p;
    cleanups_run++;
}

static void test_alignment_and_growth(void)
{
    arena *a = arena_new(1024);
    for (int i = 0; i < 1000; i++) {
        char *p = arena_alloc(a, (size_t)(i % 37) + 1);
        CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(i % 37) + 1);
    }
    char *big = arena_alloc(a, 1 << 20); /* larger than any chunk */
    memset(big, 1, 1 << 20);
    CU_ASSERT(arena_used(a) >= (1 << 20));
    arena_free(a);
}

static void test_strings(void)
{
    arena *a = arena_new(1024);
    CU_ASSERT_STRING_EQUAL(arena_strdup(a, "hello"), "hello");
    CU_ASSERT_STRING_EQUAL(arena_strndup(a, "hello", 3), "hel");
    CU_ASSERT_STRING_EQUAL(arena_printf(a, "%d-%s", 42, "x"), "42-x");
    CU_ASSERT_PTR_NULL(arena_strdup(a, NULL));
    arena_free(a);
}

static void test_reset_runs_cleanups(void)
{
    arena *a = arena_new(1024);
    cleanups_run = 0;
    arena_defer(a, count_cleanup, NULL);
    arena_defer(a, count_cleanup, NULL);
    arena_alloc(a, 5000);
    arena_reset(a);
    CU_ASSERT_EQUAL(cleanups_run, 2);
    CU_ASSERT_EQUAL(arena_used(a), 0);
    char *p = arena_alloc(a, 10); /* usable again after reset */
    CU_ASSERT_PTR_NOT_NULL(p);
    arena_defer(a, count_cleanup, NULL);
    arena_free(a);
    CU_ASSERT_EQUAL(cleanups_run, 3);
}

void register_arena_tests(void)
{
    CU_pSuite s = CU_add_suite("arena", NULL, NULL);
    CU_add_test(s, "alignment and growth", test_alignment_and_growth);
    CU_add_test(s, "strings", test_strings);
    CU_add_test(s, "reset runs cleanups", test_reset_runs_cleanups);
}
