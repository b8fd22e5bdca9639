/* Cleaning what storage leaves behind, backend by backend through the
 * backend interface: resumable (TUS) uploads past STORAGE_TUS_EXPIRY (row
 * and part), spool files of interrupted uploads (STORAGE_ROOT/tmp and
 * uploads/ files no row names, older than the expiry), and renders of
 * replaced or deleted objects (image_cache.h). The storage workers sweep
 * expired uploads at each TUS creation; `pgstack storage cleanup` does all
 * of it and is run by pgstack-storage-cleanup.timer (packaging/systemd). */
#ifndef PGSTACK_STORAGE_TUS_CLEANUP_H
#define PGSTACK_STORAGE_TUS_CLEANUP_H

#include "core/arena.h"
#include "db/conn.h"
#include "db/txn.h"
#include "storage/backend.h"

/* Removes up to limit expired uploads, rows and parts; the number removed,
 * -1 when the database failed. */
long storage_tus_sweep(const storage_settings *s, const storage_backend *be, arena *a, db_conn *db,
                       const db_caller *service, long limit);

/* `pgstack storage cleanup [--database-url URL]`: the exit status. */
int storage_cli(int argc, char **argv);

#endif
