/* The CUnit suites of the webhooks area, registered by main.c. */
#ifndef PGSTACK_WEBHOOKS_SUITES_H
#define PGSTACK_WEBHOOKS_SUITES_H

void register_webhook_url_tests(void);
void register_webhook_secret_tests(void);
void register_webhooks_body_tests(void);
void register_webhooks_outcome_tests(void);

#endif
