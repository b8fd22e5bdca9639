/* Request and event logging; see log.h. */
#include "core/log.h"

#include <stdarg.h>
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

static void timestamp(char *buf, size_t len)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static void write_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

/* The line is put together in memory and written with one fwrite: stderr
 * is unbuffered, and writing it piece by piece cost one write(2) per
 * fputc/fprintf (about thirty per request, a third of a REST worker's time
 * under load, measured with tests/bench/rest). */
void log_request(FILE *out, const char *request_id, const char *method, const char *path,
                 int status, long duration_us, const char *role)
{
    char ts[40];
    timestamp(ts, sizeof ts);
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    FILE *w = m ? m : out;
    if (!m)
        flockfile(out);
    fprintf(w, "%s %s[%d] req=%s ", ts, program_name, (int)getpid(), request_id);
    write_escaped(w, method);
    fputc(' ', w);
    write_escaped(w, path);
    fprintf(w, " %d %ldus role=%s\n", status, duration_us, role ? role : "-");
    if (m) {
        if (fclose(m) == 0)
            fwrite(line, 1, len, out);
        free(line);
    } else {
        funlockfile(out);
    }
    fflush(out);
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
