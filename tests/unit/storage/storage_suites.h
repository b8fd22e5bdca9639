/* The CUnit suites of the storage area, registered by main.c. */
#ifndef PGSTACK_TEST_STORAGE_SUITES_H
#define PGSTACK_TEST_STORAGE_SUITES_H

void register_storage_key_tests(void);
void register_storage_mime_tests(void);
void register_storage_multipart_tests(void);
void register_storage_token_tests(void);
void register_storage_tus_meta_tests(void);
void register_storage_image_params_tests(void);
void register_storage_s3_sign_tests(void);

#endif
