/* Shared declarations of the CUnit suites: each test file registers its
 * suite with a function named register_<area>_tests. */
#ifndef PGSTACK_UNIT_H
#define PGSTACK_UNIT_H

#include <CUnit/CUnit.h>

#define UNIT_SUITES(X)                                                                             \
    X(arena)

#define DECLARE_SUITE(name) void register_##name##_tests(void);
UNIT_SUITES(DECLARE_SUITE)
#undef DECLARE_SUITE

#endif
