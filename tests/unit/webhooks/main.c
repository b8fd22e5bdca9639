/* Runs the CUnit suites of the webhooks area: receiver URL and address
 * rules (hostile spellings of link-local addresses), sealed secrets and
 * signatures, the registration body, and the delivery state machine. */
#include "webhooks_suites.h"

#include <CUnit/Basic.h>

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_webhook_url_tests();
    register_webhook_secret_tests();
    register_webhooks_body_tests();
    register_webhooks_outcome_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
