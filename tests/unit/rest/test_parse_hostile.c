/* Hostile input: megabyte selects, deep nesting far past the limits,
 * unterminated quotes, odd identifiers kept byte for byte, 10,000 filters,
 * clamped configured depths, long error excerpts, and a deterministic
 * random-input run that must never crash and always answer 4xx cleanly. */
#include "parse_test_util.h"

#include <stdint.h>
#include <stdlib.h>

#define MB (1024 * 1024)

static char *repeat(const char *prefix, const char *unit, size_t times, const char *suffix)
{
    size_t p = strlen(prefix), u = strlen(unit), s = strlen(suffix);
    char *out = arena_alloc(tu_arena, p + u * times + s + 1);
    memcpy(out, prefix, p);
    for (size_t i = 0; i < times; i++)
        memcpy(out + p + i * u, unit, u);
    memcpy(out + p + u * times, suffix, s + 1);
    return out;
}

/* A GET with one parameter, no query-string decoding. */
static rest_parse_input one_param(const char *key, const char *value)
{
    query_param *item = arena_alloc(tu_arena, sizeof(*item));
    item->key = key;
    item->value = value;
    query_params *q = arena_alloc(tu_arena, sizeof(*q));
    q->items = item;
    q->count = 1;
    rest_parse_input in = {.method = REST_GET, .query = q};
    return in;
}

static void test_megabyte_select(void)
{
    char *select = repeat("", "abcdefghi,", MB / 10, "z");
    rest_parse_input in = one_param("select", select);
    rest_parse_error *e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 400, "PGRST100",
                 "select is 1048571 bytes long, more than the limit of 65536 "
                 "(max_select_length)");
    rest_limits limits = rest_limits_default();
    limits.max_select_length = 2 * MB;
    rest_request *r = tu_ok_in(&in, &limits);
    CU_ASSERT_EQUAL(r->select.count, MB / 10 + 1);
    ASSERT_STR(r->select.items[MB / 10].field.column, "z");
}

static void test_megabyte_nesting(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_select_length = 2 * MB;
    rest_parse_input in = one_param("select", repeat("", "a(", MB / 2, ""));
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "embedding depth exceeds the limit of 16 (max_embed_depth) in select at "
                 "position 34");
    in = one_param("select", repeat("", "(", MB, ""));
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "expected a column or relation name but found '('");
    in = one_param("select", repeat("a", ")", MB, ""));
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "unbalanced parenthesis in select at position 2");
    in = one_param("or", repeat("(", "and(", MB / 4, ""));
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100",
                 "logic tree depth exceeds the limit of 16 (max_logic_depth)");
    in = one_param("or", repeat("(", "not.or(", MB / 7, ""));
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "(max_logic_depth)");
    in = one_param("a", repeat("in.(", "\"x\",", MB / 4, ""));
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "the list of 'in' is never closed");
    in = one_param("order", repeat("", "a.asc,", MB / 6, "b"));
    CU_ASSERT_EQUAL(tu_ok_in(&in, NULL)->orders[0].count, MB / 6 + 1);
}

static void test_configured_depths_are_clamped(void)
{
    rest_limits limits = rest_limits_default();
    limits.max_embed_depth = SIZE_MAX;
    limits.max_logic_depth = SIZE_MAX;
    rest_parse_input in = one_param("select", repeat("", "a(", 300, ""));
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100",
                 "embedding depth exceeds the limit of 256 (max_embed_depth)");
    in = one_param("select", repeat("", "a(", 256, repeat("b", ")", 256, "")));
    tu_ok_in(&in, &limits);
    in = one_param("and", repeat("(", "or(", 300, ""));
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "limit of 256 (max_logic_depth)");
}

static void test_unterminated_quotes(void)
{
    ASSERT_BAD("select=\"", "unterminated quoted value in select at position 1");
    ASSERT_BAD("select=a,b(\"c", "unterminated quoted value in select at position 5");
    ASSERT_BAD("a=in.(\"", "unterminated quoted value in filter on 'a'");
    ASSERT_BAD("or=(a.eq.\"", "unterminated quoted value in logic tree 'or'");
    ASSERT_BAD("order=\"a", "unterminated quoted value in order at position 1");
    ASSERT_BAD("\"a=eq.1", "unterminated quoted value in parameter name");
    ASSERT_BAD("select=a->\"b", "unterminated quoted value in select at position 4");
}

static void test_odd_identifiers_are_kept(void)
{
    rest_request *r = tu_ok("select=a;b,\"x\\\"y\",日本語,\"a;%20DROP%20TABLE%20x;--\","
                            "naïve:données->>clé,'q',a%2Bb");
    CU_ASSERT_EQUAL_FATAL(r->select.count, 7);
    ASSERT_STR(r->select.items[0].field.column, "a;b");
    ASSERT_STR(r->select.items[1].field.column, "x\"y");
    ASSERT_STR(r->select.items[2].field.column, "日本語");
    ASSERT_STR(r->select.items[3].field.column, "a; DROP TABLE x;--");
    ASSERT_STR(r->select.items[4].alias, "naïve");
    ASSERT_STR(r->select.items[4].field.column, "données");
    ASSERT_STR(r->select.items[4].field.json_path[0].key, "clé");
    ASSERT_STR(r->select.items[5].field.column, "'q'");
    ASSERT_STR(r->select.items[6].field.column, "a+b");
    r = tu_ok("\"weird;name\"=eq.1&naïve=eq.é&\"a\\\"b\".c=eq.x&%E2%80%8B=eq.zero-width");
    ASSERT_STR(tu_filter(&r->filters[0]), "weird;name=eq.1");
    ASSERT_STR(tu_filter(&r->filters[1]), "naïve=eq.é");
    ASSERT_STR(r->filters[2].path.names[0], "a\"b");
    ASSERT_STR(r->filters[3].field.column, "\xE2\x80\x8B");
}

static void test_empty_names(void)
{
    ASSERT_BAD("select=\"\"", "empty quoted name");
    ASSERT_BAD("select=clients(\"\")", "empty quoted name in select at position 9");
    ASSERT_BAD("\"\"=eq.1", "empty quoted name in parameter name");
    ASSERT_BAD("order=\"\"", "empty quoted name in order");
    ASSERT_BAD("columns=\"\"", "empty quoted name in columns");
    ASSERT_BAD("or=(\"\".eq.1)", "empty quoted name in logic tree 'or' at position 2");
    ASSERT_BAD("select=%20,a", "empty item in select at position 2");
}

static void test_unexpected_characters_described(void)
{
    ASSERT_BAD("select=*%01", "unexpected byte 0x01 after '*'");
    ASSERT_BAD("select=*é", "unexpected 'é' after '*'");
    ASSERT_BAD("select=*日", "unexpected '日' after '*'");
    ASSERT_BAD("select=*%7F", "unexpected byte 0x7F after '*'");
    ASSERT_BAD("select=*😀", "unexpected '😀' after '*'");
}

static query_params *many_filters(size_t n)
{
    query_params *q = arena_alloc(tu_arena, sizeof(*q));
    q->items = arena_alloc(tu_arena, n * sizeof(query_param));
    q->count = n;
    for (size_t i = 0; i < n; i++) {
        q->items[i].key = arena_printf(tu_arena, "c%zu", i);
        q->items[i].value = arena_printf(tu_arena, "eq.%zu", i);
    }
    return q;
}

static void test_ten_thousand_filters(void)
{
    rest_parse_input in = {.method = REST_GET, .query = many_filters(10000)};
    rest_parse_error *e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 400, "PGRST100", "too many filters: more than 1000 (max_filters)");
    in.query = many_filters(1000);
    CU_ASSERT_EQUAL(tu_ok_in(&in, NULL)->filter_count, 1000);
    rest_limits limits = rest_limits_default();
    limits.max_filters = 20000;
    in.query = many_filters(10000);
    rest_request *r = tu_ok_in(&in, &limits);
    CU_ASSERT_EQUAL_FATAL(r->filter_count, 10000);
    ASSERT_STR(tu_filter(&r->filters[9999]), "c9999=eq.9999");
    limits.max_filters = 0;
    in.query = many_filters(1);
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "more than 0 (max_filters)");
}

static void test_many_embedded_parameters(void)
{
    static const char *const suffixes[] = {"order", "limit", "offset"};
    query_params *q = arena_alloc(tu_arena, sizeof(*q));
    q->count = 100000;
    q->items = arena_alloc(tu_arena, q->count * sizeof(query_param));
    for (size_t i = 0; i < q->count; i++) {
        q->items[i].key = arena_printf(tu_arena, "r%zu.%s", i, suffixes[i % 3]);
        q->items[i].value = i % 3 ? "1" : "id";
    }
    rest_parse_input in = {.method = REST_GET, .query = q};
    ASSERT_ERROR(tu_fail_in(&in, NULL), 400, "PGRST100", "more than 1000 (max_filters)");
    rest_limits limits = rest_limits_default();
    limits.max_filters = 2;
    in = tu_input(REST_GET, "a.order=x&limit=1&offset=2&order=y&b.limit=1");
    rest_request *r = tu_ok_in(&in, &limits);
    CU_ASSERT_EQUAL(r->order_count, 2);
    CU_ASSERT_EQUAL(r->embed_page_count, 1);
    in = tu_input(REST_GET, "a.order=x&b.limit=1&c.offset=2");
    ASSERT_ERROR(tu_fail_in(&in, &limits), 400, "PGRST100", "more than 2 (max_filters)");
}

static void test_huge_values_and_excerpts(void)
{
    char *value = repeat("eq.", "x", MB, "");
    rest_parse_input in = one_param("a", value);
    rest_request *r = tu_ok_in(&in, NULL);
    CU_ASSERT_EQUAL(strlen(r->filters[0].cond.value), MB);
    in = one_param("a", repeat("eqq.", "é", MB / 2, ""));
    rest_parse_error *e = tu_fail_in(&in, NULL);
    CU_ASSERT(strlen(e->message) < 400);
    CU_ASSERT(strlen(e->details) < 220);
    CU_ASSERT(tu_contains(e->details, "..."));
    in = one_param("a", repeat("eqq.x", "é", 300, "")); /* the cut falls inside an 'é' */
    e = tu_fail_in(&in, NULL);
    CU_ASSERT(tu_contains(e->details, "xéé"));
    CU_ASSERT(tu_contains(e->details, "é..."));
    in = one_param(repeat("", "k", MB, ""), "nope");
    e = tu_fail_in(&in, NULL);
    CU_ASSERT(strlen(e->message) < 700);
    in = one_param("select", repeat("", "a,", 30000, ",")); /* fits the 64 KiB limit */
    e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 400, "PGRST100", "empty item in select at position 60001");
    CU_ASSERT(strlen(e->details) < 220);
}

/* ---- random inputs ------------------------------------------------------ */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static char *random_text(const char *alphabet, size_t max_len)
{
    size_t n = rng() % (max_len + 1), k = strlen(alphabet);
    char *s = arena_alloc(tu_arena, n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = alphabet[rng() % k];
    s[n] = '\0';
    return s;
}

static void check_random(const char *key, const char *value)
{
    rest_parse_input in = one_param(key, value);
    static const char *const exposed[] = {"public"};
    in.schemas = exposed;
    in.schema_count = 1;
    rest_request *r;
    rest_parse_error *e;
    if (tu_run(&in, NULL, &r, &e))
        return;
    CU_ASSERT(e->status == 400 || e->status == 416);
    CU_ASSERT_PTR_NOT_NULL(e->code);
    CU_ASSERT_PTR_NOT_NULL(e->message);
}

static void test_random_inputs(void)
{
    static const char grammar[] = "ab*(),.:!\"\\->{}  e q n o t i l k s r d 0 1 é";
    static const char *const keys[] = {"select", "order", "or",      "not.and",     "a.b",
                                       "c->d",   "limit", "columns", "on_conflict", "x"};
    static const char *const prefixes[] = {"", "eq.", "not.", "in.(", "is.", "fts(", "(", "a("};
    for (int i = 0; i < 20000; i++) {
        if (i % 500 == 0)
            arena_reset(tu_arena);
        const char *key = keys[rng() % (sizeof keys / sizeof *keys)];
        const char *prefix = prefixes[rng() % (sizeof prefixes / sizeof *prefixes)];
        check_random(key, arena_printf(tu_arena, "%s%s", prefix, random_text(grammar, 40)));
        check_random(random_text(grammar, 12), random_text(grammar, 12));
    }
}

void register_rest_parse_hostile_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: hostile input");
    CU_add_test(s, "1 MB select", test_megabyte_select);
    CU_add_test(s, "1 MB of nesting", test_megabyte_nesting);
    CU_add_test(s, "configured depths are clamped", test_configured_depths_are_clamped);
    CU_add_test(s, "unterminated quotes", test_unterminated_quotes);
    CU_add_test(s, "odd identifiers are kept", test_odd_identifiers_are_kept);
    CU_add_test(s, "empty names", test_empty_names);
    CU_add_test(s, "unexpected characters described", test_unexpected_characters_described);
    CU_add_test(s, "10,000 filters", test_ten_thousand_filters);
    CU_add_test(s, "many embedded parameters", test_many_embedded_parameters);
    CU_add_test(s, "huge values and excerpts", test_huge_values_and_excerpts);
    CU_add_test(s, "random inputs", test_random_inputs);
}
