/* The pool of FastCGI workers behind one socket (as php-cgi does with
 * PHP_FCGI_CHILDREN): the process spawn-fcgi starts forks N workers that
 * share the listening socket, replaces any that die, and on SIGTERM or
 * SIGINT stops them all — each after its request in flight — and exits. */
#ifndef PGSTACK_SUPERVISOR_H
#define PGSTACK_SUPERVISOR_H

/* Runs worker(arg) in n child processes until told to stop. */
int supervisor_run(long n, int (*worker)(void *arg), void *arg);

#endif
