/* Accept (JSON, singular object, CSV, wildcards, q weights, nulls=stripped,
 * 406) and Accept-Profile / Content-Profile (schema choice, 406). */
#include "parse_test_util.h"

static rest_request *accepting(const char *accept)
{
    rest_parse_input in = tu_input(REST_GET, "");
    in.accept = accept;
    return tu_ok_in(&in, NULL);
}

static void check_media(const char *accept, rest_media media, bool strip)
{
    rest_request *r = accepting(accept);
    if (r->media != media || r->strip_nulls != strip)
        fprintf(stderr, "\n  Accept [%s]: media %d strip %d\n", accept, (int)r->media,
                (int)r->strip_nulls);
    CU_ASSERT_EQUAL(r->media, media);
    CU_ASSERT_EQUAL(r->strip_nulls, strip);
}

static void test_media_types(void)
{
    check_media(NULL, REST_MEDIA_JSON, false);
    check_media("", REST_MEDIA_JSON, false);
    check_media(" ", REST_MEDIA_JSON, false);
    check_media(",,,", REST_MEDIA_JSON, false);
    check_media("application/json", REST_MEDIA_JSON, false);
    check_media("APPLICATION/JSON", REST_MEDIA_JSON, false);
    check_media("application/json; charset=utf-8", REST_MEDIA_JSON, false);
    check_media("*/*", REST_MEDIA_JSON, false);
    check_media("application/*", REST_MEDIA_JSON, false);
    check_media("application/vnd.pgrst.object+json", REST_MEDIA_OBJECT, false);
    check_media("application/vnd.pgrst.object", REST_MEDIA_OBJECT, false);
    check_media("application/vnd.pgrst.object+json;nulls=stripped", REST_MEDIA_OBJECT, true);
    check_media("application/vnd.pgrst.object+json; nulls = stripped", REST_MEDIA_OBJECT, true);
    check_media("application/vnd.pgrst.array+json;nulls=stripped", REST_MEDIA_JSON, true);
    check_media("application/vnd.pgrst.array+json", REST_MEDIA_JSON, false);
    check_media("application/json;nulls=stripped", REST_MEDIA_JSON, false);
    check_media("text/csv", REST_MEDIA_CSV, false);
    check_media("text/html, text/csv", REST_MEDIA_CSV, false);
    check_media("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", REST_MEDIA_JSON,
                false);
}

static void test_weights(void)
{
    check_media("text/csv;q=0.5, application/json", REST_MEDIA_JSON, false);
    check_media("application/json;q=0.2, text/csv;q=0.9", REST_MEDIA_CSV, false);
    check_media("text/csv;q=0, application/json;q=0.1", REST_MEDIA_JSON, false);
    check_media("text/csv, application/json", REST_MEDIA_CSV, false);
    check_media("text/csv;q=1.0, application/vnd.pgrst.object+json;q=0.999", REST_MEDIA_CSV, false);
    check_media("text/csv;q=0.001, */*;q=0.0009", REST_MEDIA_CSV, false);
    check_media("text/csv;q=bogus, application/json", REST_MEDIA_CSV, false);
    check_media("text/csv;level;q=0, application/json", REST_MEDIA_JSON, false);
    check_media("text/csv;q=2, application/json", REST_MEDIA_CSV, false);
}

static void test_not_acceptable(void)
{
    rest_parse_input in = tu_input(REST_GET, "");
    in.accept = "text/html";
    rest_parse_error *e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 406, "PGRST107", "None of these media types are available: text/html");
    ASSERT_STR(e->details, "Accept: text/html");
    in.accept = "text/html, image/png;q=0.5";
    ASSERT_ERROR(tu_fail_in(&in, NULL), 406, "PGRST107",
                 "None of these media types are available: text/html, image/png");
    in.accept = "text/csv;q=0";
    ASSERT_ERROR(tu_fail_in(&in, NULL), 406, "PGRST107", "text/csv");
    in.accept = "application/xml;q=1";
    ASSERT_ERROR(tu_fail_in(&in, NULL), 406, "PGRST107", "application/xml");
}

static const char *const exposed[] = {"public", "ai"};

static rest_parse_input profile_input(rest_method method, const char *accept_profile,
                                      const char *content_profile)
{
    rest_parse_input in = tu_input(method, "");
    in.schemas = exposed;
    in.schema_count = 2;
    in.accept_profile = accept_profile;
    in.content_profile = content_profile;
    return in;
}

static void test_profiles(void)
{
    rest_parse_input in = tu_input(REST_GET, "");
    CU_ASSERT_PTR_NULL(tu_ok_in(&in, NULL)->schema);
    in.accept_profile = " custom ";
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "custom");
    in = profile_input(REST_GET, NULL, NULL);
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "public");
    in = profile_input(REST_GET, "ai", NULL);
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "ai");
    in = profile_input(REST_HEAD, "ai", NULL);
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "ai");
    in = profile_input(REST_GET, NULL, "ai"); /* Content-Profile is for writes */
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "public");
    static const rest_method writes[] = {REST_POST, REST_PATCH, REST_PUT, REST_DELETE};
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
        in = profile_input(writes[i], NULL, "ai");
        ASSERT_STR(tu_ok_in(&in, NULL)->schema, "ai");
        in = profile_input(writes[i], "ai", NULL);
        ASSERT_STR(tu_ok_in(&in, NULL)->schema, "public");
    }
    in = profile_input(REST_GET, "  ", NULL);
    ASSERT_STR(tu_ok_in(&in, NULL)->schema, "public");
}

static void test_unknown_profile(void)
{
    rest_parse_input in = profile_input(REST_GET, "secret", NULL);
    rest_parse_error *e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 406, "PGRST106", "Invalid schema: secret");
    ASSERT_STR(e->hint, "Only the following schemas are exposed: public, ai");
    ASSERT_STR(e->details, "Accept-Profile: secret");
    in = profile_input(REST_POST, NULL, "Public");
    e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 406, "PGRST106", "Invalid schema: Public");
    ASSERT_STR(e->details, "Content-Profile: Public");
}

void register_rest_parse_accept_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: Accept and profiles");
    CU_add_test(s, "media types", test_media_types);
    CU_add_test(s, "q weights", test_weights);
    CU_add_test(s, "not acceptable", test_not_acceptable);
    CU_add_test(s, "profiles", test_profiles);
    CU_add_test(s, "unknown profile", test_unknown_profile);
}
