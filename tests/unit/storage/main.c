/* Runs the CUnit suites of the storage area: object keys and bucket names,
 * MIME rules (with libmagic on real content), multipart bodies, signed URL
 * tokens, TUS Upload-Metadata, image transform parameters, S3 addresses and
 * presigned URLs. */
#include "storage_suites.h"

#include <CUnit/Basic.h>

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_storage_key_tests();
    register_storage_mime_tests();
    register_storage_multipart_tests();
    register_storage_token_tests();
    register_storage_tus_meta_tests();
    register_storage_image_params_tests();
    register_storage_s3_sign_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
