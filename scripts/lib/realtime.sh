# scripts/lib/realtime.sh — the realtime daemon (pgstack-realtime) in the dev
# stack; sourced by scripts/dev (realtime_start/stop/restart are called from
# stack.sh's up, down and workers restart). It runs as the service user with the
# workers' configuration (.dev/pgstack.conf, whose .dev/override.conf part
# `scripts/dev workers restart KEY=VALUE...` also applies to it), listens on
# REALTIME_ADDR (remembered in .dev/realtime.addr for later restarts), logs
# to .dev/logs/realtime.log, and is reached through the web server's
# WebSocket proxy on /ws/ and /realtime/v1/.

realtime_addr() {
    if [[ -s $DEV/realtime.addr ]]; then cat "$DEV/realtime.addr"; else echo "$REALTIME_ADDR"; fi
}

realtime_start() {
    local addr pid i host port
    addr=${1:-$REALTIME_ADDR}
    echo "$addr" >"$DEV/realtime.addr"
    host=${addr%:*}
    port=${addr##*:}
    [[ $addr == unix:* ]] || ! port_busy "$port" || [[ $host != 127.0.0.1 ]] \
        || die "REALTIME_ADDR $addr is in use by another program; set REALTIME_ADDR"
    (
        close_extra_fds
        export PGSTACK_CONFIG=$DEV/pgstack.conf REALTIME_ADDR=$addr
        # LISTEN needs a session: straight to PostgreSQL, never PgBouncer
        REALTIME_DATABASE_URL="postgresql://authenticator:$(cat "$DEV/authenticator.password")@127.0.0.1:$PG_PORT/pgstack"
        export REALTIME_DATABASE_URL
        if is_root; then # setpriv execs (runuser would stay as a parent)
            exec setsid setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups \
                "$BUILD/pgstack-realtime"
        fi
        exec setsid "$BUILD/pgstack-realtime"
    ) </dev/null >>"$LOGS/realtime.log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN/realtime.pid"
    for ((i = 0; i < 50; i++)); do
        [[ $addr == unix:* ]] && [[ -S ${addr#unix:} ]] && break
        [[ $addr != unix:* ]] && port_busy "$port" && break
        [[ -d /proc/$pid ]] || break
        sleep 0.1
    done
    if ! pid_alive "$RUN/realtime.pid" pgstack-realtime; then
        tail -n 20 "$LOGS/realtime.log" >&2
        die "pgstack-realtime did not start (log: .dev/logs/realtime.log)"
    fi
}

realtime_stop() {
    stop_pidfile "$RUN/realtime.pid" pgstack-realtime 10
}

realtime_restart() {
    local addr
    addr=$(realtime_addr)
    realtime_stop
    realtime_start "$addr"
}
