/* tests/bench/crypt_bench.c — raw bcrypt verifications per second, the
 * baseline of tests/bench/auth: what the machine can do with no server at
 * all. PROCESSES processes (as many as there are auth workers) each verify
 * one password against one $2b$ hash of cost COST with crypt_r (libcrypt,
 * as src/auth/password.c does) for SECONDS seconds; prints
 *
 *     <verifications per second, all processes together> <verifications>
 *
 *   crypt_bench COST PROCESSES SECONDS
 *
 * Built by tests/bench/auth with the system compiler: cc -O2 ... -lcrypt. */
#define _GNU_SOURCE
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "bench password 1"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A $2b$ hash of PASSWORD at this cost, as the server makes them. */
static char *make_hash(int cost)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data = calloc(1, sizeof(*data));
    if (!data || !crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt))
        return NULL;
    char *out = crypt_r(PASSWORD, salt, data);
    char *hash = out && out[0] != '*' ? strdup(out) : NULL;
    free(data);
    return hash;
}

/* One process: verify until the deadline; the count goes to fd. */
static void verify_loop(const char *hash, double deadline, int fd)
{
    struct crypt_data *data = calloc(1, sizeof(*data));
    long n = 0;
    while (now_s() < deadline) {
        char *out = crypt_r(PASSWORD, hash, data);
        if (!out || strcmp(out, hash) != 0) {
            fprintf(stderr, "crypt_bench: verification failed\n");
            _exit(1);
        }
        n++;
    }
    if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
        _exit(1);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: crypt_bench COST PROCESSES SECONDS\n");
        return 2;
    }
    int cost = atoi(argv[1]), procs = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (cost < 4 || cost > 31 || procs < 1 || procs > 256 || seconds <= 0) {
        fprintf(stderr, "crypt_bench: bad arguments\n");
        return 2;
    }
    char *hash = make_hash(cost);
    int fds[2];
    if (!hash || pipe(fds) != 0) {
        fprintf(stderr, "crypt_bench: no $2b$ hash from libcrypt\n");
        return 1;
    }
    double start = now_s(), deadline = start + seconds;
    for (int i = 0; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            verify_loop(hash, deadline, fds[1]);
    }
    close(fds[1]);
    long total = 0, n;
    int ok = 1, status;
    for (int i = 0; i < procs; i++) {
        if (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
            total += n;
        else
            ok = 0;
    }
    while (wait(&status) > 0)
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    double elapsed = now_s() - start;
    if (!ok) {
        fprintf(stderr, "crypt_bench: a process failed\n");
        return 1;
    }
    printf("%.2f %ld\n", (double)total / elapsed, total);
    return 0;
}
