/* Runs every CUnit suite; exits non-zero when any assertion fails. */
#include "unit.h"

#include <CUnit/Basic.h>

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
#define REGISTER_SUITE(name) register_##name##_tests();
    UNIT_SUITES(REGISTER_SUITE)
#undef REGISTER_SUITE
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
