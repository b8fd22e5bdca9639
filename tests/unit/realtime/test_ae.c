/* The event loop: timers fire in order and re-arm, a file event on a pipe,
 * the before-sleep hook runs before each wait. */
#include "realtime/ae.h"

#include <CUnit/CUnit.h>
#include <unistd.h>

void register_realtime_ae_tests(void);

static int fired, sleeps, readable;

static long ae_test_timer(ae_loop *l, long long id, void *data)
{
    (void)id;
    (void)data;
    if (++fired == 3) {
        ae_stop(l);
        return AE_TIMER_DONE;
    }
    return 5;
}

static void ae_test_sleep(ae_loop *l, void *data)
{
    (void)l;
    (void)data;
    sleeps++;
}

static void ae_test_file(ae_loop *l, int fd, void *data, int mask)
{
    char c;
    (void)data;
    if ((mask & AE_READABLE) && read(fd, &c, 1) == 1)
        readable++;
    ae_file_del(l, fd, AE_READABLE);
}

static void test_loop(void)
{
    ae_loop *l = ae_loop_new(64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    int p[2];
    CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
    CU_ASSERT_TRUE(ae_file_add(l, p[0], AE_READABLE, ae_test_file, NULL));
    CU_ASSERT_EQUAL(ae_file_mask(l, p[0]), AE_READABLE);
    CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
    ae_set_before_sleep(l, ae_test_sleep, NULL);
    ae_timer_add(l, 5, ae_test_timer, NULL);
    long long t0 = ae_now_ms();
    ae_run(l);
    CU_ASSERT_EQUAL(fired, 3);
    CU_ASSERT_EQUAL(readable, 1);
    CU_ASSERT_TRUE(sleeps >= 3);
    CU_ASSERT_TRUE(ae_now_ms() - t0 >= 10);
    CU_ASSERT_EQUAL(ae_file_mask(l, p[0]), AE_NONE);
    CU_ASSERT_FALSE(ae_file_add(l, 64, AE_READABLE, ae_test_file, NULL)); /* past setsize */
    close(p[0]);
    close(p[1]);
    ae_loop_free(l);
}

void register_realtime_ae_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime ae", NULL, NULL);
    CU_add_test(s, "timers, a file event, before-sleep", test_loop);
}
