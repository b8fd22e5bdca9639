/* Runs the CUnit suites of the functions area: names, deployed paths,
 * sealed secrets, settings. */
#include <CUnit/Basic.h>

void register_functions_tests(void);

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_functions_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
