# shellcheck shell=bash
# scripts/lib/test.sh — scripts/dev test: format, layers, unit tests, fuzz harnesses, then the integration suites behind each web server.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# Sanitizer reports written since the last `up` (files from log_path, or
# reports that went to a worker's stderr).
sanitizer_reports() {
    local f found=0
    for f in "$LOGS"/asan.* "$LOGS"/ubsan.*; do
        [[ -e $f ]] || continue
        found=1
        printf -- '--- %s\n' "${f#"$ROOT"/}"
        head -n 40 "$f"
    done
    if grep -l -E 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$LOGS"/*.log 2>/dev/null; then
        found=1
    fi
    ((found))
}

# Passed and failed unit tests of the last `make check`: the CUnit "tests"
# row of each test program's log, or the program's own result when it
# printed no CUnit summary (it crashed, or it is not a CUnit program).
unit_counts() {
    local trs log p=0 f=0 row
    while IFS= read -r trs; do
        log=${trs%.trs}.log
        row=$(awk '$1 == "tests" && NF >= 6 {print $4, $5; exit}' "$log" 2>/dev/null || true)
        if [[ -n $row ]]; then
            p=$((p + ${row% *}))
            f=$((f + ${row#* }))
        elif grep -q '^:test-result: \(PASS\|SKIP\|XFAIL\)' "$trs"; then
            p=$((p + 1))
        else
            f=$((f + 1))
        fi
    done < <(find "$BUILD/tests" -name '*.trs' -newer "$DEV/check.stamp" 2>/dev/null)
    echo "$p $f"
}

# Every C source follows .clang-format; lists the files that do not.
check_format() {
    local f bad=()
    while IFS= read -r f; do
        clang-format --dry-run --Werror "$ROOT/$f" >/dev/null 2>&1 || bad+=("$f")
    done < <(git -C "$ROOT" ls-files '*.c' '*.h')
    if ((${#bad[@]})); then
        say "FAIL: not formatted with .clang-format (run clang-format -i): ${bad[*]}"
        return 1
    fi
    say "ok: every C source follows .clang-format"
}

# Runs a program that ends with "N passed, N failed", teeing its output to
# log, and adds its totals (a missing summary line is one failure).
run_counted() {
    local log=$1 rc=0 last p f
    shift
    "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
    last=$(tail -n 1 "$log")
    p=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$last")
    f=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$last")
    if [[ -z $p ]]; then p=0; f=1; fi
    ((rc != 0 && f == 0)) && f=1
    count "$p" "$f"
}

cmd_test() {
    # global, not local: the EXIT trap below reads them after the function
    passed=0 failed=0
    local t0=$SECONDS
    count() { # count PASSED FAILED
        passed=$((passed + $1))
        failed=$((failed + $2))
    }

    # whatever stops the run early (a failed build), the summary line is printed
    trap 'echo "$passed passed, $((failed + 1)) failed"' EXIT

    ensure_packages
    ensure_service_user
    prepare_dirs
    say "== build (--enable-werror --enable-sanitizers)"
    build --enable-werror --enable-sanitizers

    say "== format (.clang-format)"
    if check_format; then count 1 0; else count 0 1; fi

    say "== layers (scripts/check-layers: includes point down, no file cycles)"
    if "$ROOT/scripts/check-layers" "$BUILD"; then count 1 0; else count 0 1; fi

    say "== unit tests (make check)"
    local out rc=0
    touch "$DEV/check.stamp"
    out=$(make -C "$BUILD" -j"$(nproc)" check 2>&1) || rc=$?
    printf '%s\n' "$out" | grep -E '^(PASS|FAIL|ERROR|XFAIL|XPASS|SKIP):|^# ' || true
    local up uf
    read -r up uf < <(unit_counts)
    if ((rc != 0 && uf == 0)); then
        printf '%s\n' "$out" | tail -n 30
        uf=1
    fi
    if ((rc != 0)) && grep -q 'See ./test-suite.log' <<<"$out"; then
        tail -n 60 "$BUILD/test-suite.log"
    fi
    say "unit: $up passed, $uf failed"
    count "$up" "$uf"

    say "== fuzz harnesses (tests/fuzz, ${FUZZ_TEST_SECONDS:-3}s each)"
    fuzz_test
    say "== packages (scripts/dev package: dpkg-buildpackage, lintian, contents, systemd-analyze verify)"
    if "$ROOT/scripts/dev" package; then count 1 0; else say "FAIL: the Debian packages"; count 0 1; fi

    say "== npm ci (tests/compat: supabase-js, node $(node --version 2>/dev/null || echo missing))"
    if ensure_node && compat_install; then
        count 1 0
    else
        say "FAIL: could not install the packages of tests/compat"
        count 0 1
    fi

    local config label
    for config in "lighttpd" "apache" "lighttpd --pgbouncer"; do
        label=${config/ --pgbouncer/ + pgbouncer}
        say "== integration: $label"
        # a separate process, so that `set -e` applies inside `up`
        # shellcheck disable=SC2086
        if ! "$ROOT/scripts/dev" up --server $config; then
            say "FAIL: stack did not come up ($label)"
            count 0 1
            continue
        fi
        local ilog=$DEV/integration-${label// /}.log irc=0 ip if_ last
        # (pipefail: a failed check must not end the run before the summary)
        "$ROOT/tests/integration/run" 2>&1 | tee "$ilog" || irc=${PIPESTATUS[0]}
        last=$(tail -n 1 "$ilog")
        ip=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$last")
        if_=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$last")
        if [[ -z $ip ]]; then ip=0; if_=1; fi
        ((irc != 0 && if_ == 0)) && if_=1
        count "$ip" "$if_"
        if [[ $config == *--pgbouncer* ]]; then
            say "== faults under load: $label (tests/faults/run)"
            run_counted "$DEV/faults.log" "$ROOT/tests/faults/run"
        fi
        if sanitizer_reports >&2; then
            say "FAIL: sanitizer reports in .dev/logs ($label)"
            count 0 1
        else
            say "ok: no sanitizer reports ($label)"
            count 1 0
        fi
    done

    cmd_down quiet
    trap - EXIT
    say "== done in $((SECONDS - t0))s"
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
