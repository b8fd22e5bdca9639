/* Runs the CUnit suites of the realtime daemon's pure parts: Phoenix
 * frames, request heads, topics and presence, the event loop's timers, and
 * the README rows of the realtime settings, WebSocket sessions,
 * postgres_changes bindings and filters, and the write pass's threads. */
#include <CUnit/Basic.h>

void register_realtime_phx_frame_tests(void);
void register_realtime_http_tests(void);
void register_realtime_topic_tests(void);
void register_realtime_ae_tests(void);
void register_realtime_settings_tests(void);
void register_realtime_pgchanges_filter_tests(void);
void register_realtime_ws_tests(void);
void register_realtime_iothreads_tests(void);

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_realtime_phx_frame_tests();
    register_realtime_http_tests();
    register_realtime_topic_tests();
    register_realtime_ae_tests();
    register_realtime_settings_tests();
    register_realtime_pgchanges_filter_tests();
    register_realtime_ws_tests();
    register_realtime_iothreads_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
