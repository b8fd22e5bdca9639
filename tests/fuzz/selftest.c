/* The harnesses' own checks must be able to fail: run by scripts/dev fuzz
 * and scripts/dev test before the harnesses, this program feeds the SQL
 * invariant statements that break it (client text outside quotes, an open
 * quote, a statement separator, comments, dollar quotes, a parameter that
 * does not exist, an escape-string literal) and some that keep it, and
 * exits 1 when any verdict is wrong. */
#include "harness.h"

#include <stdio.h>

static int failures;

static void expect(const char *sql, int params, bool ok)
{
    const char *why = fz_sql_problem(sql, NULL, 0, params);
    if ((why == NULL) != ok) {
        fprintf(stderr, "selftest: %s: %s (%s)\n", ok ? "refused" : "accepted", sql,
                why ? why : "no problem found");
        failures++;
    }
}

int main(void)
{
    fz_begin();
    expect("select _t0.\"id\" from \"public\".\"projects\" as _t0 where (_t0.\"id\" = "
           "$1::pg_catalog.int4)",
           1, true);
    expect("select \"we\"\"ird; drop\".* from _w as _r", -1, true);
    expect("select coalesce(pg_catalog.json_agg(_r), '[]')::pg_catalog.text", 0, true);
    expect("select * from \"projects\" where name = bobby", 0, false); /* client word */
    expect("select * from \"projects\" where \"name", 0, false);
    expect("select '1", 0, false);
    expect("select 1; drop table x", 0, false);
    expect("select 1 -- x", 0, false);
    expect("select 1 /* x */", 0, false);
    expect("select $$x$$", 0, false);
    expect("select $2::pg_catalog.text", 1, false);
    expect("select E'\\\\x'", 0, false);
    expect("select 1\n", 0, false);
    if (failures == 0)
        printf("selftest: the SQL invariant refuses every injected statement\n");
    return failures ? 1 : 0;
}
