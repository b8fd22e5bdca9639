/* Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c): the
 * per-input arena, splitting an input into NUL-separated fields, the
 * invariant that generated SQL holds no unquoted client text, and the
 * REST pipeline (parse -> plan on the unit tests' fixture catalogs -> SQL
 * -> check) that every REST harness drives with its own part of a request.
 * A broken invariant aborts, which libFuzzer reports as a crash. */
#ifndef PGSTACK_FUZZ_HARNESS_H
#define PGSTACK_FUZZ_HARNESS_H

#include "core/arena.h"
#include "core/query.h"
#include "core/utf8.h"
#include "rest/model.h"
#include "rest/sql/sql.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Starts an input: resets and returns the arena of the current input. */
arena *fz_begin(void);
/* The arena of the current input. */
arena *fz_arena(void);

/* Up to max NUL-separated fields of data, each a NUL-terminated copy in the
 * current arena; missing fields are "". Returns how many fields the input had. */
size_t fz_fields(const uint8_t *data, size_t size, const char **fields, size_t max);

/* Aborts with a message when cond is false (an invariant broke). */
#define FZ_ASSERT(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                       \
    } while (0)
_Noreturn void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The SQL invariant: quoted identifiers and string literals are closed;
 * outside them there is no ';', comment, dollar quote or control byte, and
 * every bare word is a word of pgstack's own SQL (a string literal of src/
 * or of the fixtures) or one of extra (e.g. validated casts). Aborts
 * naming the statement otherwise. With params >= 0, every $n is 1..params. */
void fz_check_sql(const char *sql, const char *const *extra, size_t extra_count, int params);
/* The same check: NULL when sql keeps the invariant, else why not. */
const char *fz_sql_problem(const char *sql, const char *const *extra, size_t extra_count,
                           int params);
/* fz_check_sql on a statement (may be empty) and its casts' words. */
void fz_check_statement(const rest_statement *st, const rest_plan *plan);

/* A REST failure is complete: an error status, a code and a message, and
 * every text of it (which may quote client input) is valid UTF-8. */
struct rest_error;
void fz_check_error(const struct rest_error *e);

/* One REST request to run through the pipeline; NULL members are absent. */
typedef struct fz_request {
    rest_method method;
    bool is_rpc;
    const char *target; /* table or function; NULL: chosen by pick */
    uint8_t pick;       /* chooses the fixture table when target is NULL */
    const query_params *query;
    const char *prefer, *range, *range_unit, *accept, *accept_profile, *content_profile;
    const char *body;         /* writes and POST RPC */
    const char *content_type; /* of the body */
} fz_request;

/* A query of n key/value pairs (copied into the arena). */
const query_params *fz_query(const char *const *pairs, size_t n);
/* The query string parsed as core/query does; NULL when it is refused. */
const query_params *fz_query_string(const char *qs);

/* Parses r (nothing when a header is not UTF-8: core/request refuses
 * those before any area sees them) and, when it parses, plans it on the fixture catalog (a read
 * for GET/HEAD, a write with the body otherwise, an RPC when is_rpc) and
 * checks the SQL. Returns true when the request planned. */
bool fz_rest(const fz_request *r);

/* Defined by each harness: the program's libFuzzer entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
