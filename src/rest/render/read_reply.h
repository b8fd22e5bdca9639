/* The reply of a read: status (200; 206 when a count is known and the
 * page is part of it; 416 past the end; 406 for an object request that is
 * not exactly one row), Content-Range ("0-19/42"; a star stands for the
 * range of an empty page and for an unknown total), Preference-Applied,
 * Content-Type and the body PostgreSQL rendered. */
#ifndef PGSTACK_REST_READ_REPLY_H
#define PGSTACK_REST_READ_REPLY_H

#include "core/reply.h"
#include "rest/model.h"
#include "rest/sql/sql.h"

#include <libpq-fe.h>

/* The Content-Type of a body in media type m. */
const char *rest_content_type(rest_media m);

/* Replies from the results of the main and (maybe NULL) explain
 * statements of sql. */
void rest_read_reply(reply *r, const rest_request *rq, const rest_read_sql *sql, PGresult *main,
                     PGresult *explain);

#endif
