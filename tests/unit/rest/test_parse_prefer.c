/* Prefer: every preference, combinations, first-wins, unknown tokens
 * (lenient by default, 400 with handling=strict) and Preference-Applied. */
#include "parse_test_util.h"

static rest_preferences *prefer(const char *header)
{
    rest_parse_input in = tu_input(REST_POST, "");
    in.prefer = header;
    return &tu_ok_in(&in, NULL)->prefer;
}

static void test_absent(void)
{
    rest_preferences *p = prefer(NULL);
    CU_ASSERT_EQUAL(p->return_, REST_RETURN_UNSET);
    CU_ASSERT_EQUAL(p->count, REST_COUNT_UNSET);
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_UNSET);
    CU_ASSERT_EQUAL(p->missing, REST_MISSING_UNSET);
    CU_ASSERT_FALSE(p->params_single_object);
    CU_ASSERT_EQUAL(p->tx, REST_TX_UNSET);
    CU_ASSERT_EQUAL(p->handling, REST_HANDLING_UNSET);
    CU_ASSERT_EQUAL(p->unrecognised_count, 0);
    CU_ASSERT_PTR_NULL(rest_preferences_applied(tu_arena, p));
    CU_ASSERT_PTR_NULL(rest_preferences_applied(tu_arena, prefer("")));
}

static void test_each_preference(void)
{
    static const struct {
        const char *header;
        size_t offset; /* of the field in rest_preferences */
        int value;
    } cases[] = {
        {"return=minimal", offsetof(rest_preferences, return_), REST_RETURN_MINIMAL},
        {"return=representation", offsetof(rest_preferences, return_), REST_RETURN_REPRESENTATION},
        {"return=headers-only", offsetof(rest_preferences, return_), REST_RETURN_HEADERS_ONLY},
        {"count=exact", offsetof(rest_preferences, count), REST_COUNT_EXACT},
        {"count=planned", offsetof(rest_preferences, count), REST_COUNT_PLANNED},
        {"count=estimated", offsetof(rest_preferences, count), REST_COUNT_ESTIMATED},
        {"resolution=merge-duplicates", offsetof(rest_preferences, resolution),
         REST_RESOLUTION_MERGE_DUPLICATES},
        {"resolution=ignore-duplicates", offsetof(rest_preferences, resolution),
         REST_RESOLUTION_IGNORE_DUPLICATES},
        {"missing=default", offsetof(rest_preferences, missing), REST_MISSING_DEFAULT},
        {"missing=null", offsetof(rest_preferences, missing), REST_MISSING_NULL},
        {"tx=commit", offsetof(rest_preferences, tx), REST_TX_COMMIT},
        {"tx=rollback", offsetof(rest_preferences, tx), REST_TX_ROLLBACK},
        {"handling=strict", offsetof(rest_preferences, handling), REST_HANDLING_STRICT},
        {"handling=lenient", offsetof(rest_preferences, handling), REST_HANDLING_LENIENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rest_preferences *p = prefer(cases[i].header);
        int got;
        memcpy(&got, (char *)p + cases[i].offset, sizeof got); /* all these enums are ints */
        CU_ASSERT_EQUAL(got, cases[i].value);
        CU_ASSERT_EQUAL(p->unrecognised_count, 0);
        ASSERT_STR(rest_preferences_applied(tu_arena, p), cases[i].header);
    }
    rest_preferences *p = prefer("params=single-object");
    CU_ASSERT_TRUE(p->params_single_object);
    ASSERT_STR(rest_preferences_applied(tu_arena, p), "params=single-object");
}

static void test_combinations(void)
{
    rest_preferences *p =
        prefer("return=representation, count=exact,resolution=merge-duplicates ,missing=default,"
               "\ttx=rollback ,handling=lenient, params=single-object");
    CU_ASSERT_EQUAL(p->return_, REST_RETURN_REPRESENTATION);
    CU_ASSERT_EQUAL(p->count, REST_COUNT_EXACT);
    CU_ASSERT_EQUAL(p->resolution, REST_RESOLUTION_MERGE_DUPLICATES);
    CU_ASSERT_EQUAL(p->missing, REST_MISSING_DEFAULT);
    CU_ASSERT_EQUAL(p->tx, REST_TX_ROLLBACK);
    CU_ASSERT_EQUAL(p->handling, REST_HANDLING_LENIENT);
    CU_ASSERT_TRUE(p->params_single_object);
    ASSERT_STR(rest_preferences_applied(tu_arena, p),
               "resolution=merge-duplicates, missing=default, return=representation, "
               "params=single-object, count=exact, tx=rollback, handling=lenient");
    /* the caller clears what it did not honour */
    p->tx = REST_TX_UNSET;
    p->count = REST_COUNT_UNSET;
    ASSERT_STR(rest_preferences_applied(tu_arena, p),
               "resolution=merge-duplicates, missing=default, return=representation, "
               "params=single-object, handling=lenient");
}

static void test_first_wins(void)
{
    CU_ASSERT_EQUAL(prefer("tx=commit, tx=rollback")->tx, REST_TX_COMMIT);
    CU_ASSERT_EQUAL(prefer("return=minimal,return=representation")->return_, REST_RETURN_MINIMAL);
    CU_ASSERT_EQUAL(prefer("count=planned, count=exact")->count, REST_COUNT_PLANNED);
}

static void test_unrecognised(void)
{
    rest_preferences *p =
        prefer("foo, return=minimal, count=bogus,Return=Minimal, return = minimal");
    CU_ASSERT_EQUAL(p->return_, REST_RETURN_MINIMAL);
    CU_ASSERT_EQUAL(p->count, REST_COUNT_UNSET);
    CU_ASSERT_EQUAL_FATAL(p->unrecognised_count, 4);
    ASSERT_STR(p->unrecognised[0], "foo");
    ASSERT_STR(p->unrecognised[1], "count=bogus");
    ASSERT_STR(p->unrecognised[2], "Return=Minimal");
    ASSERT_STR(p->unrecognised[3], "return = minimal");
    ASSERT_STR(rest_preferences_applied(tu_arena, p), "return=minimal");
    p = prefer(" , ,return=minimal,, ");
    CU_ASSERT_EQUAL(p->unrecognised_count, 0);
    p = prefer("handling=lenient, timezone=UTC");
    CU_ASSERT_EQUAL(p->unrecognised_count, 1);
}

static void test_strict(void)
{
    rest_parse_input in = tu_input(REST_POST, "");
    in.prefer = "handling=strict, foo, return=minimal, bar=1";
    rest_parse_error *e = tu_fail_in(&in, NULL);
    ASSERT_ERROR(e, 400, "PGRST122", "Invalid preferences given with handling=strict");
    ASSERT_STR(e->details, "Invalid preferences: foo, bar=1");
    /* strict counts only once it is the first handling preference */
    CU_ASSERT_EQUAL(prefer("handling=lenient, handling=strict, foo")->handling,
                    REST_HANDLING_LENIENT);
    rest_preferences *p = prefer("handling=strict, return=minimal");
    CU_ASSERT_EQUAL(p->handling, REST_HANDLING_STRICT);
}

void register_rest_parse_prefer_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: Prefer");
    CU_add_test(s, "absent", test_absent);
    CU_add_test(s, "each preference", test_each_preference);
    CU_add_test(s, "combinations and Preference-Applied", test_combinations);
    CU_add_test(s, "first wins", test_first_wins);
    CU_add_test(s, "unrecognised are ignored", test_unrecognised);
    CU_add_test(s, "handling=strict", test_strict);
}
