/* Runs the CUnit suites of the REST engine stages. */
#include "rest_suites.h"

#include <CUnit/Basic.h>

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_rest_parse_select_tests();
    register_rest_parse_filter_tests();
    register_rest_parse_logic_tests();
    register_rest_parse_order_tests();
    register_rest_parse_paging_tests();
    register_rest_parse_prefer_tests();
    register_rest_parse_accept_tests();
    register_rest_parse_request_tests();
    register_rest_parse_hostile_tests();
    register_rest_catalog_tests();
    register_rest_plan_tests();
    register_rest_sql_tests();
    register_rest_write_body_tests();
    register_rest_plan_write_tests();
    register_rest_sql_write_tests();
    register_rest_error_raise_tests();
    register_rest_plan_rpc_tests();
    register_rest_sql_rpc_tests();
    register_rest_openapi_tests();
    register_rest_batch_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
