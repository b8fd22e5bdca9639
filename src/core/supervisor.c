/* Worker pool supervision; see supervisor.h. */
#include "core/supervisor.h"

#include "core/log.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_SECONDS 10

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL); /* no SA_RESTART: waitpid returns on a signal */
}

typedef struct worker_slot {
    pid_t pid;
    time_t started;
    const char *name; /* "worker", or the companion's name */
    int (*run)(void *);
    void *arg;
} worker_slot;

static pid_t spawn(int (*worker)(void *), void *arg, pid_t parent)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    set_handler(SIGTERM, SIG_DFL);
    set_handler(SIGINT, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the supervisor */
    if (getppid() != parent)
        _exit(0);
    _exit(worker(arg));
}

static void describe_exit(const char *name, pid_t pid, int status)
{
    if (WIFSIGNALED(status))
        log_event("%s %d killed by signal %d, starting a new one", name, (int)pid,
                  WTERMSIG(status));
    else
        log_event("%s %d exited with status %d, starting a new one", name, (int)pid,
                  WEXITSTATUS(status));
}

static void respawn(worker_slot *slot)
{
    if (time(NULL) - slot->started < 1)
        sleep(1); /* a worker that dies at once: do not spin */
    if (stop_requested)
        return;
    slot->started = time(NULL);
    slot->pid = spawn(slot->run, slot->arg, getpid());
}

static void stop_all(worker_slot *slots, long n)
{
    for (long i = 0; i < n; i++)
        if (slots[i].pid > 0)
            kill(slots[i].pid, SIGTERM);
    time_t deadline = time(NULL) + STOP_GRACE_SECONDS;
    long alive = n;
    while (alive > 0) {
        pid_t pid = waitpid(-1, NULL, WNOHANG);
        if (pid < 0)
            break;
        if (pid > 0) {
            alive--;
            continue;
        }
        if (time(NULL) >= deadline) {
            for (long i = 0; i < n; i++)
                if (slots[i].pid > 0)
                    kill(slots[i].pid, SIGKILL);
            deadline = time(NULL) + 60;
        }
        usleep(20000);
    }
}

int supervisor_run(long n, int (*worker)(void *arg), void *arg,
                   const supervisor_companion *companion)
{
    set_handler(SIGTERM, on_stop);
    set_handler(SIGINT, on_stop);
    long workers = n;
    if (companion)
        n++;
    worker_slot *slots = calloc((size_t)n, sizeof(worker_slot));
    pid_t self = getpid();
    for (long i = 0; i < n; i++) {
        bool extra = i == workers;
        slots[i] = (worker_slot){0, time(NULL), extra ? companion->name : "worker",
                                 extra ? companion->run : worker, extra ? companion->arg : arg};
        slots[i].pid = spawn(slots[i].run, slots[i].arg, self);
    }
    log_event("started %ld workers%s%s", workers, companion ? " and the " : "",
              companion ? companion->name : "");
    while (!stop_requested) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (long i = 0; i < n; i++)
            if (slots[i].pid == pid) {
                slots[i].pid = 0;
                if (!stop_requested) {
                    describe_exit(slots[i].name, pid, status);
                    respawn(&slots[i]);
                }
            }
    }
    log_event("stopping %ld processes", n);
    stop_all(slots, n);
    free(slots);
    return 0;
}
