/* A guard for the regular expressions of postgres_changes `match` and
 * `imatch` filters, which come from clients and are compiled by glibc's
 * regcomp in the realtime daemon. glibc builds a repetition by copying the
 * repeated tree (`x+` is `xx*`, `x{3}` three copies), so nested or chained
 * repetitions grow its memory exponentially: `^.++++...+` with 60 `+`
 * takes gigabytes. This estimates the size of the compiled tree from the
 * pattern alone — each atom counts once, times the copies every
 * repetition around it makes — and refuses a repetition of a repetition
 * (`x+*`: PostgreSQL, where Supabase evaluates these filters, refuses it
 * too) and back-references (slow to match). Pure text: no regcomp, no
 * daemon. */
#ifndef PGSTACK_PGCHANGES_REGEX_H
#define PGSTACK_PGCHANGES_REGEX_H

#include <stddef.h>

/* Most pattern bytes, and most tree nodes the estimate allows. */
#define PGC_REGEX_MAX_LEN 512
#define PGC_REGEX_MAX_COST 2000

/* NULL when pattern may be compiled, else why not (a static message). */
const char *pgc_regex_problem(const char *pattern);

/* The estimated tree size of pattern (capped a little above
 * PGC_REGEX_MAX_COST); for the tests. */
size_t pgc_regex_cost(const char *pattern);

#endif
