#!/usr/bin/env python3
"""tests/bench/rest_pgbench.py — helper of tests/bench/rest: turns the
statements one REST request ran, as PostgreSQL logged them
(log_statement = all), into a pgbench script of the same transaction.

  rest_pgbench.py LOG OFFSET SCRIPT VARS [VALUE=EXPR ...]

Reads LOG from byte OFFSET, takes the statements ("execute NAME: SQL" with
their "DETAIL:  parameters: ...") of the one backend that set a caller's
claims (exactly one request ran in that window; background statements of
other backends, such as the realtime daemon's outbox poll, are left out),
and writes SCRIPT:

  [\\set lines]  BEGIN;  <each statement, $n -> :vK>;  COMMIT;

and VARS, one "vK=value" per line for pgbench -D. A parameter whose value
is VALUE becomes the pgbench expression EXPR instead (a "\\set" line), so
that pgbench varies it as wrk does (e.g. 4242=random(1,100000)). With -M
prepared pgbench sends :vK as bind parameters, as the worker does."""

import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] \S* ?(LOG|DETAIL):  (.*)$")
EXEC = re.compile(r"^execute [^:]+: (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')(?:, |$)")


def main():
    log, offset, script, vars_out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    subst = dict(a.split("=", 1) for a in sys.argv[5:])
    with open(log, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    by_pid, last = {}, None
    for raw in text.split("\n"):
        m = LINE.match(raw)
        if not m:
            continue
        p, kind, rest = m.groups()
        if kind == "LOG":
            e = EXEC.match(rest)
            last = p if e else None
            if e:
                by_pid.setdefault(p, []).append([e.group(1), {}])
        elif kind == "DETAIL" and p == last and rest.startswith("parameters: "):
            for n, v in PARAM.findall(rest[len("parameters: "):]):
                by_pid[p][-1][1][int(n)] = None if v == "NULL" else v[1:-1].replace("''", "'")
    # the request's backend is the one that set the caller's claims; others
    # (the realtime daemon polling the webhook outbox) are not the request
    callers = [p for p, st in by_pid.items() if any("request.jwt" in sql for sql, _ in st)]
    if len(callers) > 1:
        sys.exit("requests of more than one backend in the window (%s)" % ", ".join(callers))
    stmts = by_pid[callers[0]] if callers else []
    if not stmts:
        sys.exit("no statement in the log window (is log_statement = all?)")
    sets, values, body = [], [], []
    for sql, params in stmts:
        def name(match):
            n = int(match.group(1))
            v = params.get(n)
            if v is None:
                sys.exit("parameter $%d is NULL or missing in: %s" % (n, sql[:200]))
            if v in subst:
                var = "x%d" % len(sets)
                sets.append("\\set %s %s" % (var, subst[v]))
                return ":" + var
            values.append("v%d=%s" % (len(values), v))
            return ":v%d" % (len(values) - 1)
        body.append(re.sub(r"\$(\d+)", name, sql) + ";")
    with open(script, "w") as f:
        f.write("\n".join(sets + ["BEGIN;"] + body + ["COMMIT;"]) + "\n")
    with open(vars_out, "w") as f:
        f.write("\n".join(values) + "\n")
    print("%d statements" % len(stmts))


if __name__ == "__main__":
    main()
