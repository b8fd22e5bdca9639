/* The pool of FastCGI workers behind one socket (as php-cgi does with
 * PHP_FCGI_CHILDREN): the process spawn-fcgi starts forks N workers that
 * share the listening socket, replaces any that die, and on SIGTERM or
 * SIGINT stops them all — each after its request in flight — and exits.
 * An area may add one companion process (a helper its workers talk to,
 * such as a language runtime), supervised the same way: started with the
 * workers, started again when it dies, stopped with them. */
#ifndef PGSTACK_SUPERVISOR_H
#define PGSTACK_SUPERVISOR_H

/* A process the supervisor keeps running beside the workers. */
typedef struct supervisor_companion {
    const char *name; /* for the log: "runtime" */
    int (*run)(void *arg);
    void *arg;
} supervisor_companion;

/* Runs worker(arg) in n child processes, and the companion when not NULL,
 * until told to stop. */
int supervisor_run(long n, int (*worker)(void *arg), void *arg,
                   const supervisor_companion *companion);

#endif
