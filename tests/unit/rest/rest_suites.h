/* The CUnit suites of the REST engine stages, registered by main.c. */
#ifndef PGSTACK_TEST_REST_SUITES_H
#define PGSTACK_TEST_REST_SUITES_H

void register_rest_parse_select_tests(void);
void register_rest_parse_filter_tests(void);
void register_rest_parse_logic_tests(void);
void register_rest_parse_order_tests(void);
void register_rest_parse_paging_tests(void);
void register_rest_parse_prefer_tests(void);
void register_rest_parse_accept_tests(void);
void register_rest_parse_request_tests(void);
void register_rest_parse_hostile_tests(void);
void register_rest_catalog_tests(void);
void register_rest_plan_tests(void);
void register_rest_sql_tests(void);
void register_rest_write_body_tests(void);
void register_rest_plan_write_tests(void);
void register_rest_sql_write_tests(void);
void register_rest_error_raise_tests(void);
void register_rest_plan_rpc_tests(void);
void register_rest_sql_rpc_tests(void);
void register_rest_openapi_tests(void);
void register_rest_batch_tests(void);

#endif
