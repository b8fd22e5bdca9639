/* Topics and presence: join, leave, a topic freed when empty, presence
 * replaced and taken back. */
#include "realtime/rt_topic.h"

#include <CUnit/CUnit.h>
#include <string.h>

void register_realtime_topic_tests(void);

static void test_members(void)
{
    rt_topics *t = rt_topics_new();
    rt_member a = {0}, b = {0};
    rt_topic_join(t, "phx:realtime:r", &a, &a);
    rt_topic_join(t, "phx:realtime:r", &b, &b);
    rt_topic *tp = rt_topic_find(t, "phx:realtime:r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tp);
    CU_ASSERT_EQUAL(rt_topic_member_count(tp), 2);
    CU_ASSERT_PTR_NULL(rt_topic_find(t, "phx:realtime:other"));
    rt_topic_leave(t, &a);
    CU_ASSERT_EQUAL(rt_topic_member_count(tp), 1);
    CU_ASSERT_PTR_EQUAL(rt_topic_members(tp), &b);
    rt_topic_leave(t, &b);
    CU_ASSERT_PTR_NULL(rt_topic_find(t, "phx:realtime:r"));
    CU_ASSERT_EQUAL(rt_topic_count(t), 0);
    rt_topics_free(t);
}

static void test_presence(void)
{
    rt_topics *t = rt_topics_new();
    rt_member a = {0};
    rt_topic_join(t, "ws:_channel_x", &a, &a);
    rt_topic *tp = rt_topic_find(t, "ws:_channel_x");
    rt_presence *old = NULL;
    rt_presence_set(tp, &a, "k", "r1", "{\"s\":1}", &old);
    CU_ASSERT_PTR_NULL(old);
    rt_presence_set(tp, &a, "k", "r2", "{\"s\":2}", &old);
    CU_ASSERT_PTR_NOT_NULL_FATAL(old);
    CU_ASSERT_STRING_EQUAL(old->ref, "r1");
    rt_presence_free(old);
    CU_ASSERT_STRING_EQUAL(rt_presence_list(tp)->state_json, "{\"s\":2}");
    CU_ASSERT_PTR_NULL(rt_presence_list(tp)->next);
    rt_topic_leave(t, &a); /* presence goes with the member */
    CU_ASSERT_PTR_NULL(rt_topic_find(t, "ws:_channel_x"));
    rt_topics_free(t);
}

void register_realtime_topic_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime topics", NULL, NULL);
    CU_add_test(s, "members join and leave", test_members);
    CU_add_test(s, "presence replaced and removed", test_presence);
}
