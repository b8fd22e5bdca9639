/* Stored versions no row names any more (storage.garbage, sql/0019):
 * queued by a trigger in the transaction that let go of them, removed from
 * the backend here by `pgstack storage cleanup` — the retry of a removal
 * that failed after its commit (an S3 outage, a worker killed in between)
 * and the removal of rows deleted with SQL. */
#ifndef PGSTACK_STORAGE_GARBAGE_H
#define PGSTACK_STORAGE_GARBAGE_H

#include "core/arena.h"
#include "db/conn.h"
#include "db/txn.h"
#include "storage/backend.h"

/* How long a queued version waits before the sweep takes it: the worker
 * that let go of it removes it itself right after its commit. */
#define STORAGE_GARBAGE_GRACE_S 60

/* Takes up to limit queued versions, oldest first, removes them from the
 * backend and drops the queue rows of those removed (a failed one stays
 * queued); the number removed, -1 when the database failed. */
long storage_garbage_sweep(const storage_settings *s, const storage_backend *be, arena *a,
                           db_conn *db, const db_caller *service, long limit);

#endif
