/* tests/bench/storage_bound.c — the bound of any FastCGI download design,
 * for tests/bench/storage: a libfcgi responder that does nothing but answer
 * every request with an X-Sendfile header naming one file, so that the web
 * server behind it pays the FastCGI hop and sends the file, and nothing else
 * (no JWT, no database). Built by the bench script with cc -lfcgi and run
 * under spawn-fcgi -n behind a second instance of the stack's web server;
 * it forks BENCH_WORKERS - 1 more processes on the same socket, which end
 * with it (PR_SET_PDEATHSIG), so the bench stops them all by one pid.
 *
 *   BENCH_SENDFILE_PATH=/abs/file [BENCH_SENDFILE_HEADER=X-Sendfile]
 *   [BENCH_WORKERS=2] storage_bound
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static void fork_workers(void)
{
    const char *n = getenv("BENCH_WORKERS");
    pid_t parent = getpid();
    for (int i = 1; n && i < atoi(n); i++) {
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(0);
            return;
        }
    }
}

int main(void)
{
    const char *path = getenv("BENCH_SENDFILE_PATH");
    const char *header = getenv("BENCH_SENDFILE_HEADER");
    if (!path || !*path) {
        fprintf(stderr, "storage_bound: BENCH_SENDFILE_PATH is not set\n");
        return 1;
    }
    if (!header || !*header)
        header = "X-Sendfile";
    fork_workers();
    FCGX_Request r;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&r) >= 0) {
        FCGX_FPrintF(r.out,
                     "Status: 200 OK\r\nContent-Type: application/octet-stream\r\n%s: %s\r\n\r\n",
                     header, path);
        /* as the workers: the input read to its end (Apache sends the empty
         * stdin record after the parameters), then no lingering close */
        while (FCGX_GetChar(r.in) != EOF)
            ;
        FCGX_Detach(&r);
        FCGX_Finish_r(&r);
    }
    return 0;
}
