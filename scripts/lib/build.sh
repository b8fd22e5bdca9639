# shellcheck shell=bash
# scripts/lib/build.sh — The autotools build (configure only when needed) and the sanitizer environment.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ------------------------------------------------------------------ build

configured_with() { # the ./configure arguments of the existing build, sorted
    [[ -x $BUILD/config.status ]] && "$BUILD/config.status" --config 2>/dev/null | tr -d "'" | tr ' ' '\n' | sed '/^$/d' | sort | xargs
}

# build [configure args...]: autoreconf/configure only when needed, then make,
# out of tree in .dev/build (VPATH). With arguments, an existing build
# configured differently is reconfigured and rebuilt from clean; without, any
# existing configuration is kept.
build() {
    local want
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | xargs)
    cd "$ROOT"
    [[ -f config.status ]] && die "the source tree is configured in place; run 'make distclean' once (scripts/dev builds in .dev/build)"
    if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt Makefile.in ]]; then
        say "autoreconf -fi"
        autoreconf -fi
    fi
    mkdir -p "$BUILD"
    cd "$BUILD"
    if [[ ! -f config.status ]]; then
        say "configure $want (in .dev/build)"
        "$ROOT/configure" "$@" >"$DEV/configure.log" 2>&1 \
            || { tail -n 30 "$DEV/configure.log"; die "configure failed (log: .dev/configure.log)"; }
    elif [[ $# -gt 0 && $(configured_with) != "$want" ]]; then
        say "reconfiguring: configure $want (was: $(configured_with))"
        "$ROOT/configure" "$@" >"$DEV/configure.log" 2>&1 \
            || { tail -n 30 "$DEV/configure.log"; die "configure failed (log: .dev/configure.log)"; }
        make clean >/dev/null
    fi
    say "make -j$(nproc) (in .dev/build)"
    make -j"$(nproc)" || die "build failed"
    cd "$ROOT"
    local p
    for p in "${AREAS[@]}"; do
        [[ -x $BUILD/pgstack-$p ]] || die "build did not produce pgstack-$p"
    done
    [[ -x $BUILD/pgstack ]] || die "build did not produce pgstack"
}

is_sanitizer_build() { configured_with | grep -q -- --enable-sanitizers; }

# Sanitizer settings for every pgstack process the stack runs. Reports go to
# files under .dev/logs (checked by `test`); the long-running workers do not
# report leaks (they keep caches for their whole life by design).
export_sanitizer_env() {
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:disable_coredump=1:log_path=$LOGS/asan"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
}
