/* MIME rules: libmagic on real content (PNG, shell script, ELF, text),
 * agreement of declared and sniffed types, allowlists with wildcards. */
#include "storage_suites.h"

#include "core/arena.h"
#include "storage/mime.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const unsigned char PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0xfc, 0xcf, 0xc0, 0x50, 0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9,
    0x8c, 0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static const char *sniff(arena *a, const void *data, size_t n)
{
    char path[] = "/tmp/pgstack-mime-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    unlink(path);
    CU_ASSERT_FATAL(write(fd, data, n) == (ssize_t)n);
    const char *type = storage_mime_sniff(a, fd);
    close(fd);
    return type;
}

static void test_sniff(void)
{
    arena *a = arena_new(4096);
    CU_ASSERT_STRING_EQUAL(sniff(a, PNG, sizeof PNG), "image/png");
    const char script[] = "#!/bin/sh\nrm -rf /\n";
    CU_ASSERT_STRING_EQUAL(sniff(a, script, strlen(script)), "text/x-shellscript");
    CU_ASSERT_STRING_EQUAL(sniff(a, "x", 1), "text/plain");
    CU_ASSERT_STRING_EQUAL(sniff(a, "h\xc3\xa9llo w\xc3\xb6rld\n", 14), "text/plain");
    const unsigned char binary[] = {0x00, 0x01, 0x02, 0xff, 0xfe, 0x10, 0x00, 0x80};
    CU_ASSERT_STRING_EQUAL(sniff(a, binary, sizeof binary), "application/octet-stream");
    unsigned char elf[128] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    elf[16] = 2;
    elf[18] = 0x3e;
    CU_ASSERT_TRUE(storage_mime_executable(sniff(a, elf, sizeof elf)));
    arena_free(a);
}

static void test_base(void)
{
    arena *a = arena_new(1024);
    CU_ASSERT_STRING_EQUAL(storage_mime_base(a, "Text/Plain; charset=UTF-8"), "text/plain");
    CU_ASSERT_STRING_EQUAL(storage_mime_base(a, " image/png"), "image/png");
    CU_ASSERT_PTR_NULL(storage_mime_base(a, ""));
    CU_ASSERT_PTR_NULL(storage_mime_base(a, NULL));
    arena_free(a);
}

static void test_compatible(void)
{
    CU_ASSERT_TRUE(storage_mime_compatible("image/png", "image/png"));
    CU_ASSERT_TRUE(storage_mime_compatible("image/jpeg", "image/png"));
    CU_ASSERT_TRUE(storage_mime_compatible("application/octet-stream", "text/x-shellscript"));
    CU_ASSERT_TRUE(storage_mime_compatible("application/json", "text/plain"));
    CU_ASSERT_TRUE(storage_mime_compatible("text/csv", "text/plain"));
    CU_ASSERT_TRUE(storage_mime_compatible("text/plain", "text/html"));
    CU_ASSERT_TRUE(storage_mime_compatible("application/x-custom", "application/octet-stream"));
    CU_ASSERT_TRUE(storage_mime_compatible("image/png", "inode/x-empty"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/png", "text/x-shellscript"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/png", "text/plain"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/png", "application/x-executable"));
    CU_ASSERT_FALSE(storage_mime_compatible("text/plain", "application/x-executable"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/png", "image/svg+xml"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/svg+xml", "image/png"));
    CU_ASSERT_FALSE(storage_mime_compatible("image/png", "application/octet-stream"));
    CU_ASSERT_FALSE(storage_mime_compatible("text/plain", "image/png"));
    CU_ASSERT_FALSE(storage_mime_compatible("application/pdf", "text/html"));
}

static void test_listed(void)
{
    const char *list[] = {"image/*", "application/pdf"};
    CU_ASSERT_TRUE(storage_mime_listed("image/png", list, 2));
    CU_ASSERT_TRUE(storage_mime_listed("application/pdf", list, 2));
    CU_ASSERT_FALSE(storage_mime_listed("text/plain", list, 2));
    CU_ASSERT_FALSE(storage_mime_listed("imagex/png", list, 2));
    CU_ASSERT_FALSE(storage_mime_listed("image", list, 2));
    const char *any[] = {"*/*"};
    CU_ASSERT_TRUE(storage_mime_listed("text/plain", any, 1));
    CU_ASSERT_FALSE(storage_mime_listed("text/plain", list, 0));
}

static void test_active(void)
{
    CU_ASSERT_TRUE(storage_mime_active("text/html"));
    CU_ASSERT_TRUE(storage_mime_active("image/svg+xml"));
    CU_ASSERT_TRUE(storage_mime_active("application/xhtml+xml"));
    CU_ASSERT_FALSE(storage_mime_active("image/png"));
    CU_ASSERT_FALSE(storage_mime_active("text/plain"));
}

void register_storage_mime_tests(void)
{
    CU_pSuite s = CU_add_suite("storage MIME", NULL, NULL);
    CU_add_test(s, "libmagic sniffing", test_sniff);
    CU_add_test(s, "bare type of a Content-Type", test_base);
    CU_add_test(s, "declared and sniffed types agree", test_compatible);
    CU_add_test(s, "allowlists", test_listed);
    CU_add_test(s, "types served as attachments", test_active);
}
