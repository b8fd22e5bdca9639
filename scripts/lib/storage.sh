# shellcheck shell=bash
# scripts/lib/storage.sh — the storage area's part of scripts/dev (sourced).
#
# storage_worker_conf   lines for .dev/pgstack.conf: the disk backend's root
#                       is .dev/storage, the directory the web-server
#                       templates allow X-Sendfile from (@STORAGE_ROOT@).

storage_worker_conf() {
    echo "STORAGE_ROOT=$DEV/storage"
}

# ------------------------------------------------------------ S3 test store
#
# The S3 backend's tests talk to a real S3-compatible server on loopback:
# @20minutes/s3rver, pinned by tests/s3/package-lock.json and installed with
# `npm ci` under .dev/s3rver. It checks AWS SigV4 signatures (Authorization
# headers and presigned URLs) against its one account, access key S3RVER
# and secret S3RVER; its bucket is $S3_TEST_BUCKET, its files .dev/s3/.
# `up` starts it, `down` stops it, `scripts/dev s3 stop|start` stop and
# start it alone (the suite's "store down" checks). The workers use it only
# when a suite sets STORAGE_BACKEND=s3 (tests/integration/suites.conf, with
# {S3_TEST_ENDPOINT} from .dev/env).
#
#   storage_s3_install   npm ci of tests/s3 into .dev/s3rver (when it changed)
#   storage_s3_start / storage_s3_stop
#   storage_env_lines    its address and keys, for .dev/env

S3_TEST_BUCKET=pgstack-test
S3_TEST_KEY=S3RVER

storage_s3_install() {
    local dir=$DEV/s3rver
    if [[ -d $dir/node_modules/@20minutes/s3rver ]] \
        && cmp -s "$ROOT/tests/s3/package-lock.json" "$dir/package-lock.json" \
        && cmp -s "$ROOT/tests/s3/server.js" "$dir/server.js"; then
        return 0
    fi
    ensure_node
    say "npm ci of tests/s3 (the S3-compatible test server) -> .dev/s3rver"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$ROOT/tests/s3/package.json" "$ROOT/tests/s3/package-lock.json" "$ROOT/tests/s3/server.js" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "could not install the S3 test server from npm"
}

storage_s3_port() {
    S3_PORT=$(conf_get "$DEV/s3.env" S3_PORT)
    if [[ -z $S3_PORT ]] || { port_busy "$S3_PORT" && ! pid_alive "$RUN/s3.pid" s3rver/server.js; }; then
        S3_PORT=$(free_port 9130)
    fi
    echo "S3_PORT=$S3_PORT" >"$DEV/s3.env"
}

storage_s3_start() {
    storage_s3_port
    pid_alive "$RUN/s3.pid" s3rver/server.js && return 0
    mkdir -p "$DEV/s3"
    is_root && chown "$SVC_USER:$SVC_USER" "$DEV/s3"
    local cmd=(node "$DEV/s3rver/server.js" "$S3_PORT" "$DEV/s3" "$S3_TEST_BUCKET")
    is_root && cmd=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- "${cmd[@]}")
    (
        close_extra_fds
        exec setsid "${cmd[@]}"
    ) </dev/null >>"$LOGS/s3.log" 2>&1 &
    echo $! >"$RUN/s3.pid"
    local i
    for ((i = 0; i < 100; i++)); do port_busy "$S3_PORT" && return 0; sleep 0.1; done
    tail -n 20 "$LOGS/s3.log" >&2
    die "the S3 test server (s3rver) is not listening on $S3_PORT"
}

storage_s3_stop() { stop_pidfile "$RUN/s3.pid" s3rver/server.js 5; }

storage_env_lines() {
    env_line S3_TEST_ENDPOINT "http://127.0.0.1:${S3_PORT:-$(conf_get "$DEV/s3.env" S3_PORT)}"
    env_line S3_TEST_BUCKET "$S3_TEST_BUCKET"
    env_line S3_TEST_ACCESS_KEY "$S3_TEST_KEY"
    env_line S3_TEST_SECRET_KEY "$S3_TEST_KEY"
}

# scripts/dev s3 stop|start: the S3 test server alone.
cmd_s3() {
    case ${1:-} in
        stop) storage_s3_stop ;;
        start) storage_s3_start ;;
        *) die "usage: scripts/dev s3 stop|start" ;;
    esac
}
