/* The functions runtime as a companion of pgstack-functions' workers: the
 * supervisor runs `deno run ... main.ts` (src/functions/runtime/) with the
 * permissions it needs (read and write its runtime folder, network, and
 * starting deno itself for each function) and starts it again when it
 * ends. Without a usable deno nothing is started and invocations answer 503. */
#ifndef PGSTACK_FUNCTIONS_RUNTIME_H
#define PGSTACK_FUNCTIONS_RUNTIME_H

#include <stdbool.h>

struct app;

/* In the supervisor: settings, runtime folders; false: no runtime. */
bool functions_runtime_setup(struct app *app);

/* In the companion child: execs deno (returns only on failure). */
int functions_runtime_run(void *app);

#endif
