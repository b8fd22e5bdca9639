# shellcheck shell=bash
# scripts/lib/bench.sh — scripts/dev bench (benchmarks against a plain, non-sanitizer build) and soak.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# Benchmarks measure a build without sanitizers. Reconfiguring alone keeps
# the sanitizer objects (an unchanged config.h), so the binary is looked at
# too.
require_plain_build() {
    local hint='(cd .dev/build && ../../configure CFLAGS="-O2 -g" && make clean && make) && scripts/dev up'
    is_sanitizer_build && die "this is a sanitizer build (scripts/dev test makes one); benchmark a plain build:
    $hint"
    if ldd "$BUILD/pgstack-rest" 2>/dev/null | grep -Eq 'lib(a|ub)san'; then
        die "the programs still link a sanitizer runtime; rebuild from clean objects:
    $hint"
    fi
    return 0
}

cmd_bench() {
    local name=${1:-}
    [[ -n $name ]] || die "usage: scripts/dev bench NAME (one of: $(find "$ROOT/tests/bench" -maxdepth 1 -type f -perm -u+x -printf '%f ' | sort))"
    [[ -x $ROOT/tests/bench/$name ]] || die "no benchmark tests/bench/$name"
    require_plain_build
    ensure_packages
    local url=
    [[ -f $DEV/env ]] && url=$(conf_get "$DEV/env" PGSTACK_URL)
    if [[ -z $url ]] || [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/health" || true) != 200 ]]; then
        say "the stack is not running; starting it"
        cmd_up
    fi
    "$ROOT/tests/bench/$name"
}

# scripts/dev soak [--minutes N]: tests/soak/run against the running stack
# (started when it is not). RSS figures mean most on a plain build: under
# AddressSanitizer the quarantine grows memory by design.
cmd_soak() {
    ensure_packages
    local url=
    [[ -f $DEV/env ]] && url=$(conf_get "$DEV/env" PGSTACK_URL)
    if [[ -z $url ]] || [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/health" || true) != 200 ]]; then
        say "the stack is not running; starting it"
        cmd_up
    fi
    "$ROOT/tests/soak/run" "$@"
}
