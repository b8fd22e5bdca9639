/* The worker program: loads configuration, then either serves one plain CGI
 * request (not started by a FastCGI manager) or supervises a pool of
 * FastCGI workers on the inherited socket. Each worker accepts requests with
 * FCGX_Accept_r, serves them one at a time, and stops cleanly on SIGTERM
 * after the request in flight. */
#ifndef PGSTACK_SERVER_H
#define PGSTACK_SERVER_H

#include "core/http_io.h"
#include "worker/app.h"

/* The main of every FastCGI program. */
int server_main(const area *area, int argc, char **argv);

/* Serves one request from its parameters and streams (used by the FastCGI
 * loop, the CGI mode and tests). */
void server_handle(app_ctx *app, arena *a, char *const *params, http_io *io);

#endif
