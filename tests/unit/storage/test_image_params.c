/* Image transform parameters (/render/image): ranges and words checked
 * with a message naming the parameter, defaults, the canonical text that
 * keys the render cache and its round trip through a signed token. */
#include "storage_suites.h"

#include "core/arena.h"
#include "storage/image_params.h"
#include "storage/token.h"

#include <CUnit/CUnit.h>
#include <string.h>

static void test_defaults_and_text(void)
{
    arena *a = arena_new(4096);
    storage_image_raw raw = {.width = "300"};
    storage_image_params p;
    const char *why = NULL;
    CU_ASSERT_TRUE_FATAL(storage_image_params_parse(a, &raw, 2500, &p, &why));
    CU_ASSERT_EQUAL(p.width, 300);
    CU_ASSERT_EQUAL(p.height, 0);
    CU_ASSERT_EQUAL(p.resize, IMAGE_COVER);
    CU_ASSERT_EQUAL(p.quality, 80);
    CU_ASSERT_EQUAL(p.format, IMAGE_AUTO);
    CU_ASSERT_STRING_EQUAL(storage_image_params_text(a, &p),
                           "width=300&height=0&resize=cover&quality=80&format=auto");
    storage_image_raw all = {"10", "20", "fill", "55", "avif"};
    CU_ASSERT_TRUE_FATAL(storage_image_params_parse(a, &all, 2500, &p, &why));
    CU_ASSERT_STRING_EQUAL(storage_image_params_text(a, &p),
                           "width=10&height=20&resize=fill&quality=55&format=avif");
    arena_free(a);
}

/* No format: WebP when the client lists image/webp (not with q=0), else
 * the origin format; a format given is kept whatever Accept says. */
static void test_format_negotiation(void)
{
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "image/avif,image/webp,*/*;q=0.8"),
                    IMAGE_WEBP);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "IMAGE/WEBP"), IMAGE_WEBP);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "image/webp;q=0.5, */*"), IMAGE_WEBP);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "image/webp;q=0, */*"), IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "image/webp;q=0.0,image/png"),
                    IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "*/*"), IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, "image/png, image/*"), IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AUTO, NULL), IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_ORIGIN, "image/webp"), IMAGE_ORIGIN);
    CU_ASSERT_EQUAL(storage_image_format_for(IMAGE_AVIF, "image/webp"), IMAGE_AVIF);
}

static void expect_refused(const storage_image_raw *raw, const char *names)
{
    arena *a = arena_new(4096);
    storage_image_params p;
    const char *why = NULL;
    CU_ASSERT_FALSE(storage_image_params_parse(a, raw, 2500, &p, &why));
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, names));
    arena_free(a);
}

static void test_refused(void)
{
    expect_refused(&(storage_image_raw){.width = "0"}, "width");
    expect_refused(&(storage_image_raw){.width = "2501"},
                   "width must be an integer from 1 to 2500");
    expect_refused(&(storage_image_raw){.height = "-1"}, "height");
    expect_refused(&(storage_image_raw){.height = "1e3"}, "height");
    expect_refused(&(storage_image_raw){.width = "99999999999999"}, "width");
    expect_refused(&(storage_image_raw){.quality = "19"}, "quality");
    expect_refused(&(storage_image_raw){.quality = "101"}, "quality");
    expect_refused(&(storage_image_raw){.resize = "stretch"}, "resize must be one of cover");
    expect_refused(&(storage_image_raw){.format = "gif"},
                   "format must be one of origin, webp, avif, auto");
}

static void test_text_round_trip(void)
{
    arena *a = arena_new(4096);
    storage_image_raw raw;
    storage_image_raw_from_text(a, "width=64&height=0&resize=contain&quality=90&format=webp&x=1",
                                &raw);
    CU_ASSERT_STRING_EQUAL(raw.width, "64");
    CU_ASSERT_PTR_NULL(raw.height);
    CU_ASSERT_STRING_EQUAL(raw.resize, "contain");
    CU_ASSERT_STRING_EQUAL(raw.quality, "90");
    CU_ASSERT_STRING_EQUAL(raw.format, "webp");
    CU_ASSERT_FALSE(storage_image_raw_empty(&raw));
    storage_image_raw none;
    storage_image_raw_from_text(a, "", &none);
    CU_ASSERT_TRUE(storage_image_raw_empty(&none));
    arena_free(a);
}

/* A render URL token carries its transform; a download token has none. */
static void test_token_transform(void)
{
    arena *a = arena_new(4096);
    storage_settings s;
    memset(&s, 0, sizeof s);
    s.jwt_secret = "unit-test-secret-unit-test-secret-0123";
    storage_token t = {.url = "b/cat.png",
                       .scope = "download",
                       .expires_in = 60,
                       .transform = "width=64&height=64&resize=cover&quality=80&format=webp"};
    char *tok = storage_token_sign(a, &s, &t, 1000);
    storage_token out;
    CU_ASSERT_EQUAL_FATAL(storage_token_verify(a, &s, tok, "b/cat.png", "download", 1001, &out),
                          TOKEN_OK);
    CU_ASSERT_STRING_EQUAL(out.transform, t.transform);
    t.transform = NULL;
    tok = storage_token_sign(a, &s, &t, 1000);
    CU_ASSERT_EQUAL_FATAL(storage_token_verify(a, &s, tok, "b/cat.png", "download", 1001, &out),
                          TOKEN_OK);
    CU_ASSERT_PTR_NULL(out.transform);
    arena_free(a);
}

void register_storage_image_params_tests(void)
{
    CU_pSuite s = CU_add_suite("storage image transform parameters", NULL, NULL);
    CU_add_test(s, "defaults and canonical text", test_defaults_and_text);
    CU_add_test(s, "bad values refused naming the parameter", test_refused);
    CU_add_test(s, "format negotiated from Accept", test_format_negotiation);
    CU_add_test(s, "canonical text back to values", test_text_round_trip);
    CU_add_test(s, "render tokens carry the transform", test_token_transform);
}
