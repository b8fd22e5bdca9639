# shellcheck shell=bash
# scripts/lib/fuzz.sh — scripts/dev fuzz: coverage-guided fuzzing of pgstack's parsers with libFuzzer.
# Sourced by scripts/dev; uses its variables (ROOT, DEV) and say, die, count.
#
#   scripts/dev fuzz [NAME] [--seconds N]
#       builds the harnesses of tests/fuzz/ (tests/fuzz/fuzz.mk, clang with
#       -fsanitize=fuzzer,address,undefined, objects in .dev/fuzz/build so
#       the autotools build never sees them) and runs NAME, or every
#       harness one after the other, for N seconds each (default 60), on
#       one core. New inputs go to .dev/fuzz/corpus/NAME (the seeds of
#       tests/fuzz/corpus/NAME are only read); a crash is written to
#       .dev/fuzz/crashes/ and makes the command exit 1 once the other
#       harnesses have run. Packages are installed when missing. Prints one row
#       per harness: runs, seconds, coverage (edges), features, corpus.
#   Before the harnesses, tests/fuzz/selftest checks that their SQL
#   invariant does refuse injected statements.
#   scripts/dev test runs every harness for FUZZ_TEST_SECONDS (default 3)
#   and counts each crash as a failure (fuzz_test).

FUZZ_BUILD=$DEV/fuzz/build

# The harness names (tests/fuzz/fuzz_NAME.c), sorted.
fuzz_names() {
    find "$ROOT/tests/fuzz" -maxdepth 1 -name 'fuzz_*.c' -printf '%f\n' | sed 's/^fuzz_//; s/\.c$//' | sort
}

# The dictionaries of a harness: the REST grammar for whatever reads a
# query string or a header, JSON for JSON bodies and tokens.
fuzz_dicts() {
    case $1 in
        write_json | rpc_args | batch) echo rest json ;;
        jwt | jwks | id_token | phx_frame | pgc_binding) echo json ;;
        email | mail_header | config | oauth_state) ;;
        storage_key | multipart | tus_meta | storage_token | rt_http | ws_frames | auth_redirect | image_params) ;;
        *) echo rest ;;
    esac
}

fuzz_build() {
    command -v clang >/dev/null || die "clang is missing (Debian packages clang, libclang-rt-14-dev)"
    mkdir -p "$FUZZ_BUILD"
    say "building the fuzz harnesses (.dev/fuzz/build)"
    make -s -C "$ROOT" -f tests/fuzz/fuzz.mk -j"$(nproc)" ROOT="$ROOT" BUILD="$FUZZ_BUILD" \
        NAMES="$*" >"$DEV/fuzz/build.log" 2>&1 \
        || { tail -n 30 "$DEV/fuzz/build.log"; die "fuzz build failed (log: .dev/fuzz/build.log)"; }
}

# fuzz_run NAME SECONDS: runs one harness; prints its row; returns 1 on a
# crash (or any other failure of the run).
fuzz_run() {
    local name=$1 seconds=$2 log dict d rc=0 runs cov ft corp
    log=$DEV/fuzz/logs/$name.log
    dict=$FUZZ_BUILD/dict/$name.dict
    mkdir -p "$DEV/fuzz/corpus/$name" "$DEV/fuzz/crashes" "$DEV/fuzz/logs" "$FUZZ_BUILD/dict"
    for d in $(fuzz_dicts "$name"); do cat "$ROOT/tests/fuzz/dict/$d.dict"; done >"$dict.$$"
    mv "$dict.$$" "$dict" # whole, for a run of the same harness starting beside this one
    local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$DEV/fuzz/crashes/$name-")
    [[ -s $dict ]] && args+=(-dict="$dict")
    # a hard stop well after libFuzzer's own, should a harness hang
    timeout --kill-after=10 $((seconds + 120)) \
        env ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:disable_coredump=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        "$FUZZ_BUILD/fuzz_$name" "${args[@]}" "$DEV/fuzz/corpus/$name" \
        "$ROOT/tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    read -r cov ft corp < <(grep -aE '^#[0-9]+.*cov: ' "$log" | tail -n 1 |
        sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/\1 \2 \3/') || true
    if ((rc != 0)); then
        printf '%-12s %10s %5ss %6s %6s %6s  CRASH (exit %d, log .dev/fuzz/logs/%s.log)\n' \
            "$name" "${runs:--}" "$seconds" "${cov:--}" "${ft:--}" "${corp:--}" "$rc" "$name"
        grep -aE 'ERROR: |invariant broken|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
        return 1
    fi
    printf '%-12s %10s %5ss %6s %6s %6s  ok\n' "$name" "${runs:--}" "$seconds" "${cov:--}" "${ft:--}" "${corp:--}"
}

fuzz_header() {
    printf '%-12s %10s %6s %6s %6s %6s\n' harness runs time cov ft corpus
}

cmd_fuzz() {
    local name='' seconds=60 n failed=0
    while (($#)); do
        case $1 in
            --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
            --seconds=*) seconds=${1#*=}; shift ;;
            -*) die "usage: scripts/dev fuzz [NAME] [--seconds N]" ;;
            *) name=$1; shift ;;
        esac
    done
    [[ $seconds =~ ^[0-9]+$ ]] || die "--seconds takes a whole number"
    ensure_packages
    local names=()
    if [[ -n $name ]]; then
        [[ -f $ROOT/tests/fuzz/fuzz_$name.c ]] || die "no harness tests/fuzz/fuzz_$name.c (one of: $(fuzz_names | xargs))"
        names=("$name")
    else
        mapfile -t names < <(fuzz_names)
    fi
    fuzz_build "${names[@]}"
    "$FUZZ_BUILD/selftest" || failed=$((failed + 1))
    fuzz_header
    for n in "${names[@]}"; do
        fuzz_run "$n" "$seconds" || failed=$((failed + 1))
    done
    ((failed == 0)) || { say "$failed harness(es) crashed; inputs in .dev/fuzz/crashes/"; return 1; }
}

# For scripts/dev test: every harness briefly; one pass or failure per
# harness through the caller's count function.
fuzz_test() {
    local seconds=${FUZZ_TEST_SECONDS:-3} n names
    mapfile -t names < <(fuzz_names)
    if ! (fuzz_build "${names[@]}"); then
        count 0 1
        return
    fi
    if "$FUZZ_BUILD/selftest"; then count 1 0; else count 0 1; fi
    fuzz_header
    for n in "${names[@]}"; do
        if fuzz_run "$n" "$seconds"; then count 1 0; else count 0 1; fi
    done
}
