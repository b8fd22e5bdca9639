/* Helpers of the REST parser tests: run the parser on a query string with
 * a given method/headers/limits, and render parsed pieces as compact text
 * (select trees, filters, logic trees, order terms) so that tests can
 * assert the exact model in one readable line. */
#ifndef PGSTACK_TEST_PARSE_UTIL_H
#define PGSTACK_TEST_PARSE_UTIL_H

#include "rest/parse/parse.h"
#include "rest_suites.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <string.h>

/* The arena of the current test, reset before each test. */
extern arena *tu_arena;

/* A suite whose tests each start with a fresh arena. */
CU_pSuite tu_add_suite(const char *name);

/* A GET on a table with no headers; qs is parsed by core/query. */
rest_parse_input tu_input(rest_method method, const char *qs);

/* Runs the parser; on success *req is set, else *err. */
bool tu_run(const rest_parse_input *in, const rest_limits *limits, rest_request **req,
            rest_parse_error **err);

/* GET qs, expected to succeed (a failure prints the error) / to fail. */
rest_request *tu_ok(const char *qs);
rest_parse_error *tu_fail(const char *qs);
rest_request *tu_ok_in(const rest_parse_input *in, const rest_limits *limits);
rest_parse_error *tu_fail_in(const rest_parse_input *in, const rest_limits *limits);

/* Renderings: "a,x:b->#0->>c::text,rel!h:fk!inner(*)" and the like. */
const char *tu_field(const rest_field *f);
const char *tu_select(const rest_select_list *l);
const char *tu_condition(const rest_condition *c);
const char *tu_filter(const rest_filter *f);
const char *tu_logic(const rest_logic_node *n);
const char *tu_path(const rest_embed_path *p);
const char *tu_order(const rest_order *o);

/* strstr that reports what it missed on stderr. */
bool tu_contains(const char *haystack, const char *needle);

#define ASSERT_STR(actual, expected)                                                               \
    do {                                                                                           \
        const char *a_ = (actual);                                                                 \
        const char *e_ = (expected);                                                               \
        bool same_ = a_ && e_ ? strcmp(a_, e_) == 0 : a_ == e_;                                    \
        if (!same_)                                                                                \
            fprintf(stderr, "\n  %s:%d: got [%s], expected [%s]\n", __FILE__, __LINE__,            \
                    a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                       \
        CU_ASSERT(same_);                                                                          \
    } while (0)

/* A parse error with this status, code and a message containing fragment. */
#define ASSERT_ERROR(err, status_, code_, fragment)                                                \
    do {                                                                                           \
        const rest_parse_error *x_ = (err);                                                        \
        CU_ASSERT_PTR_NOT_NULL_FATAL(x_);                                                          \
        CU_ASSERT_EQUAL(x_->status, status_);                                                      \
        ASSERT_STR(x_->code, code_);                                                               \
        CU_ASSERT(tu_contains(x_->message, fragment));                                             \
    } while (0)

/* The whole query string fails with 400 PGRST100 and the fragment. */
#define ASSERT_BAD(qs, fragment) ASSERT_ERROR(tu_fail(qs), 400, "PGRST100", fragment)

#endif
