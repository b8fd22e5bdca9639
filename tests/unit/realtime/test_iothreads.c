/* The write pass's thread pool: every item is handed to exactly one thread,
 * in chunks; the helpers take part (not the caller alone); passes repeat;
 * and the thread count follows REALTIME_IO_THREADS. */
#include "realtime/rt_iothreads.h"

#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

void register_realtime_iothreads_tests(void);

typedef struct item {
    int visits;
    pthread_t by;
} item;

/* Slow enough (20 us an item) that every thread wakes in time to help. */
static void mark(void **items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        item *it = items[i];
        it->visits++;
        it->by = pthread_self();
        usleep(20);
    }
}

static void test_every_item_once(void)
{
    rt_iothreads *p = rt_iothreads_new(3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(rt_iothreads_count(p), 3);
    enum { N = 1000 }; /* not a multiple of the chunk */
    static item items[N];
    static void *ptrs[N];
    for (int i = 0; i < N; i++)
        ptrs[i] = &items[i];
    int by_helpers = 0;
    for (int pass = 1; pass <= 5; pass++) {
        rt_iothreads_run(p, ptrs, N, mark);
        int wrong = 0;
        for (int i = 0; i < N; i++) {
            wrong += items[i].visits != pass;
            by_helpers += pthread_equal(items[i].by, pthread_self()) == 0;
        }
        CU_ASSERT_EQUAL(wrong, 0);
    }
    CU_ASSERT_TRUE(by_helpers > 0);     /* the helpers took chunks */
    rt_iothreads_run(p, ptrs, 2, mark); /* fewer items than a chunk */
    CU_ASSERT_EQUAL(items[0].visits, 6);
    CU_ASSERT_EQUAL(items[1].visits, 6);
    CU_ASSERT_EQUAL(items[2].visits, 5);
    rt_iothreads_free(p);
}

static void test_thread_counts(void)
{
    CU_ASSERT_PTR_NULL(rt_iothreads_new(1)); /* 1: the loop writes alone */
    CU_ASSERT_EQUAL(rt_iothreads_count(NULL), 1);
    CU_ASSERT_EQUAL(rt_iothreads_wanted(3), 3);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int want = rt_iothreads_wanted(0);
    CU_ASSERT_EQUAL(want, cpus < 4 ? (int)cpus : 4);
}

void register_realtime_iothreads_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime I/O threads", NULL, NULL);
    CU_add_test(s, "every item is written by exactly one thread", test_every_item_once);
    CU_add_test(s, "thread counts", test_thread_counts);
}
