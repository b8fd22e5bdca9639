/* Reading objects: one row as the caller (or as service_role for public
 * and signed URLs, whose bucket flag or token has decided), then the reply:
 * headers from the row's metadata and the bytes handed to the web server
 * with X-Sendfile (or streamed by the worker when no header is set). */
#ifndef PGSTACK_STORAGE_READ_H
#define PGSTACK_STORAGE_READ_H

#include "storage/target.h"

/* Serves t's object read as caller; public_only: the bucket must be public. */
void storage_read_object(request *req, response *res, const storage_target *t,
                         const db_caller *caller, bool public_only);

/* Content-Disposition for ?download / ?download=name, and attachment for
 * types a browser would run (mime.h); also used by image renders. */
void storage_read_disposition(request *req, response *res, const char *type);

#endif
