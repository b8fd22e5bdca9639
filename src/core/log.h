/* The request log: one line per request on stderr with time, request id,
 * method, path (never the query string, which may hold tokens), status,
 * duration in microseconds and the caller's role. Control characters in the
 * method and path are escaped so a request cannot forge log lines. Nothing else about
 * the request (headers, body, credentials) is ever logged. */
#ifndef PGSTACK_LOG_H
#define PGSTACK_LOG_H

#include <stdio.h>

void log_set_program(const char *program);

void log_request(FILE *out, const char *request_id, const char *method, const char *path,
                 int status, long duration_us, const char *role);

/* A line about the program itself (start, stop, database state). */
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
