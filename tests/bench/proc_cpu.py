#!/usr/bin/env python3
"""tests/bench/proc_cpu.py — CPU seconds (user + system) spent so far by
process trees, from /proc, for the benchmarks' CPU-per-request figures.

    proc_cpu.py PID [PID...]   -> one line: the total of the trees rooted at the PIDs

A tree's figure is, over its live processes, utime + stime + cutime + cstime:
a process that exits is reaped by its parent and its time moves into the
parent's cutime/cstime, so a delta between two samples counts every process
of the tree that ran in between, once. Threads are inside their process.
"""
import os
import sys


def proc_stat(pid):
    """(ppid, ticks) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    ppid = int(fields[1])
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ppid, ticks


def proc_cpu_main(roots):
    stats = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st:
                stats[int(name)] = st
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    seen, todo, total = set(), [r for r in roots if r in stats], 0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    print(f"{total / os.sysconf('SC_CLK_TCK'):.2f}")


if __name__ == "__main__":
    proc_cpu_main([int(a) for a in sys.argv[1:] if a.isdigit()])
