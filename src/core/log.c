/* Request and event logging; see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *program_name = "pgstack";

void log_set_program(const char *program)
{
    program_name = program;
}

/* "2026-12-06T05:46:20.766Z"; the part up to the seconds is formatted
 * once a second, not once a line. */
static void timestamp(char *buf, size_t len)
{
    static time_t cached_sec = -1;
    static char cached[32];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = tv.tv_sec;
    }
    long ms = (long)(tv.tv_usec / 1000);
    snprintf(buf, len, "%s.%c%c%cZ", cached, (char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
             (char)('0' + ms % 10));
}

/* The request line is put together in memory and written with one fwrite:
 * stderr is unbuffered, and writing it piece by piece cost one write(2)
 * per fputc/fprintf (about thirty per request, a third of a REST worker's
 * time under load, measured with tests/bench/rest); and without printf,
 * whose formatting cost a tenth of a request (tests/bench/worker). */
typedef struct line {
    char *data;
    size_t len, cap;
    bool heap; /* data was allocated here (it starts on the caller's stack) */
} line;

static void line_put(line *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap * 2 > l->len + n + 1 ? l->cap * 2 : l->len + n + 1;
        char *grown = malloc(cap);
        if (!grown)
            return;
        memcpy(grown, l->data, l->len);
        if (l->heap)
            free(l->data);
        l->data = grown, l->cap = cap, l->heap = true;
    }
    memcpy(l->data + l->len, s, n);
    l->len += n;
}

static void line_puts(line *l, const char *s)
{
    line_put(l, s, strlen(s));
}

static void line_long(line *l, long v)
{
    char digits[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) && n < 20);
    if (v < 0)
        digits[sizeof digits - 1 - n++] = '-';
    line_put(l, digits + sizeof digits - n, (size_t)n);
}

/* Control characters, '"' and '\\' as \xNN, so one request is one line. */
static void line_escaped(line *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\') {
            char e[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 15]};
            line_put(l, e, 4);
        } else {
            line_put(l, (const char *)p, 1);
        }
    }
}

void log_request(FILE *out, const char *request_id, const char *method, const char *path,
                 int status, long duration_us, const char *role)
{
    char ts[40], first[512];
    timestamp(ts, sizeof ts);
    line l = {first, 0, sizeof first, false};
    line_puts(&l, ts);
    line_puts(&l, " ");
    line_puts(&l, program_name);
    line_puts(&l, "[");
    line_long(&l, (long)getpid());
    line_puts(&l, "] req=");
    line_puts(&l, request_id);
    line_puts(&l, " ");
    line_escaped(&l, method);
    line_puts(&l, " ");
    line_escaped(&l, path);
    line_puts(&l, " ");
    line_long(&l, status);
    line_puts(&l, " ");
    line_long(&l, duration_us);
    line_puts(&l, "us role=");
    line_puts(&l, role ? role : "-");
    line_puts(&l, "\n");
    fwrite(l.data, 1, l.len, out);
    fflush(out);
    if (l.heap)
        free(l.data);
}

void log_event(const char *fmt, ...)
{
    char ts[40];
    timestamp(ts, sizeof ts);
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "%s %s[%d] ", ts, program_name, (int)getpid());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}
