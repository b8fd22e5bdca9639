/* Estimating what glibc's regcomp makes of a filter's pattern; see
 * pgchanges_regex.h. */
#include "realtime/pgchanges_regex.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CAP (PGC_REGEX_MAX_COST * 4) /* costs stop growing here */
#define MAX_DEPTH 32                 /* nested groups */

static size_t capped_mul(size_t a, size_t b)
{
    if (b != 0 && a > CAP / b)
        return CAP;
    return a * b > CAP ? CAP : a * b;
}

static size_t capped_add(size_t a, size_t b)
{
    return a + b > CAP ? CAP : a + b;
}

/* After '[' at *p: past the bracket expression's ']' ([]a], [^]a] and
 * [:alpha:] included); NULL when it never closes. */
static const char *skip_bracket(const char *p)
{
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p && *p != ']'; p++)
        if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *end = strchr(p + 2, p[1]);
            if (!end || end[1] != ']')
                return NULL;
            p = end + 1;
        }
    return *p ? p + 1 : NULL;
}

/* The copies a repetition at *p makes (past it in *end): '+' two (x+ is
 * xx*), '{n,m}' the larger bound (at least 1); '*' and '?' one. 0 when *p
 * is no repetition. */
static size_t repetition(const char *p, const char **end)
{
    *end = p + 1;
    if (*p == '*' || *p == '?')
        return 1;
    if (*p == '+')
        return 2;
    if (*p != '{' || !isdigit((unsigned char)p[1]))
        return 0;
    char *q;
    unsigned long lo = strtoul(p + 1, &q, 10), hi = lo;
    if (*q == ',') { /* {n,m}, or {n,}: n copies and a star */
        q++;
        hi = isdigit((unsigned char)*q) ? strtoul(q, &q, 10) : lo + 1;
    }
    if (*q != '}')
        return 0;
    *end = q + 1;
    unsigned long n = hi > lo ? hi : lo;
    return n == 0 ? 1 : n > CAP ? CAP : (size_t)n;
}

/* One pass over the pattern: the estimated tree size, and whether a
 * repetition follows a repetition or a back-reference appears. */
typedef struct regex_shape {
    size_t cost;
    bool chained, backreference;
} regex_shape;

static regex_shape regex_analyse(const char *p)
{
    regex_shape shape = {0, false, false};
    size_t sum[MAX_DEPTH + 1] = {0}, last = 0; /* last: the cost of the latest atom */
    int depth = 0;
    bool after_repetition = false;
    while (*p) {
        const char *next = p + 1;
        size_t copies = repetition(p, &next);
        if (copies) {
            shape.chained |= after_repetition;
            sum[depth] = capped_add(sum[depth], capped_mul(last, copies - 1));
            last = capped_mul(last, copies);
        } else if (*p == '(') {
            if (depth == MAX_DEPTH) {
                shape.cost = CAP;
                return shape;
            }
            sum[++depth] = 0;
            last = 0;
        } else if (*p == ')' && depth > 0) {
            last = sum[depth--] + 1;
            sum[depth] = capped_add(sum[depth], last);
        } else {
            if (*p == '[' && !(next = skip_bracket(p + 1))) {
                shape.cost = CAP; /* regcomp refuses it anyway */
                return shape;
            }
            if (*p == '\\' && p[1]) {
                shape.backreference |= p[1] >= '1' && p[1] <= '9';
                next = p + 2;
            }
            last = 1;
            sum[depth] = capped_add(sum[depth], 1);
        }
        after_repetition = copies != 0;
        p = next;
    }
    for (; depth > 0; depth--) /* unclosed groups: regcomp refuses them anyway */
        sum[depth - 1] = capped_add(sum[depth - 1], sum[depth]);
    shape.cost = sum[0];
    return shape;
}

size_t pgc_regex_cost(const char *pattern)
{
    return regex_analyse(pattern).cost;
}

const char *pgc_regex_problem(const char *pattern)
{
    if (strlen(pattern) > PGC_REGEX_MAX_LEN)
        return "regular expression longer than 512 bytes";
    regex_shape shape = regex_analyse(pattern);
    if (shape.chained) /* PostgreSQL's regex refuses it too, with these words */
        return "invalid regular expression: quantifier operand invalid";
    if (shape.backreference)
        return "back-references are not supported in regular expressions";
    if (shape.cost > PGC_REGEX_MAX_COST)
        return "regular expression too complex (too many nested repetitions)";
    return NULL;
}
