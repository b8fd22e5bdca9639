/* The byte streams of one request, so the same code serves FastCGI (libfcgi
 * streams) and plain CGI (stdin/stdout), and unit tests (memory buffers). */
#ifndef PGSTACK_HTTP_IO_H
#define PGSTACK_HTTP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct http_io {
    void *ctx;
    /* Reads up to n bytes of the request body; 0 at end, -1 on error. */
    ssize_t (*read)(void *ctx, char *buf, size_t n);
    /* Writes all n bytes of the response; false when the client is gone. */
    bool (*write)(void *ctx, const char *buf, size_t n);
    /* Pushes buffered output to the web server now (streaming). */
    void (*flush)(void *ctx);
} http_io;

#endif
