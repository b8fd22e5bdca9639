/* Shared declarations of the CUnit suites: each test file registers its
 * suite with a function named register_<area>_tests. */
#ifndef PGSTACK_UNIT_H
#define PGSTACK_UNIT_H

#include <CUnit/CUnit.h>

#define UNIT_SUITES(X)                                                                             \
    X(arena)                                                                                       \
    X(json_text)                                                                                   \
    X(query)                                                                                       \
    X(router)                                                                                      \
    X(config)                                                                                      \
    X(jwt)                                                                                         \
    X(credentials)                                                                                 \
    X(cors)                                                                                        \
    X(netaddr)                                                                                     \
    X(request)                                                                                     \
    X(response)                                                                                    \
    X(server)                                                                                      \
    X(auth_mail)                                                                                   \
    X(auth_urls)                                                                                   \
    X(oauth_state)                                                                                 \
    X(id_token)                                                                                    \
    X(oauth_identity)                                                                              \
    X(auth_codes)                                                                                  \
    X(readme)

#define DECLARE_SUITE(name) void register_##name##_tests(void);
UNIT_SUITES(DECLARE_SUITE)
#undef DECLARE_SUITE

#endif
