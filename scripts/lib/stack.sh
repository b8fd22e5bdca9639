# shellcheck shell=bash
# scripts/lib/stack.sh — The stack commands: up, down, status, logs, pg, workers.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ------------------------------------------------------------- commands

cmd_up() {
    local server=lighttpd pgbouncer=0
    while (($#)); do
        case $1 in
            --server) server=${2:?--server needs lighttpd or apache}; shift 2 ;;
            --server=*) server=${1#*=}; shift ;;
            --pgbouncer) pgbouncer=1; shift ;;
            *) die "up: unknown option $1" ;;
        esac
    done
    [[ $server == lighttpd || $server == apache ]] || die "unknown server '$server' (lighttpd or apache)"

    ensure_packages
    ensure_service_user
    functions_install_deno
    build
    cmd_down quiet
    prepare_dirs
    functions_prepare_dirs
    rotate_logs
    load_ports
    is_sanitizer_build && export_sanitizer_env

    pg_init
    pg_start
    pg_setup_database
    ensure_keys
    smtp_start
    oauth_provider_start
    storage_s3_install
    storage_s3_start
    rm -f "$DEV/override.conf"

    local db_port=$PG_PORT prepared=true
    if ((pgbouncer)); then
        pgbouncer_start
        db_port=$PGBOUNCER_PORT
        prepared=false
    fi
    write_worker_conf "$db_port" "$prepared"
    workers_start
    realtime_start
    web_start "$server"
    write_env_file "$server" "$pgbouncer"

    local url="http://127.0.0.1:$WEB_PORT"
    wait_healthy "$url" 60
    say "pgstack is up: $url ($server$( ((pgbouncer)) && echo ' + pgbouncer'))"
    say "  ANON_KEY=$ANON_KEY"
    say "  SERVICE_ROLE_KEY=$SERVICE_ROLE_KEY"
    say "  database (superuser): $(pg_super_url)"
    say "  environment: source .dev/env; logs: scripts/dev logs"
}

cmd_down() {
    local quiet=${1:-}
    [[ -d $DEV ]] || return 0
    load_ports >/dev/null 2>&1 || true
    web_stop
    realtime_stop
    workers_stop
    stop_pidfile "$RUN/pgbouncer.pid" pgbouncer 10
    smtp_stop
    oauth_provider_stop
    storage_s3_stop
    pg_stop || warn "PostgreSQL did not stop cleanly"
    [[ -n $quiet ]] || say "stopped"
}

cmd_status() {
    [[ -d $DEV ]] || { say "nothing set up yet (scripts/dev up)"; return 0; }
    load_ports
    local area pid n
    if pg_running; then
        say "postgresql  running  127.0.0.1:$PG_PORT  (socket dir .dev/run)"
    else
        say "postgresql  stopped"
    fi
    if pid_alive "$RUN/smtp.pid" aiosmtpd; then
        say "smtp        running  127.0.0.1:$SMTP_PORT  Maildir .dev/maildir"
    else
        say "smtp        stopped"
    fi
    if pid_alive "$RUN/oauth-provider.pid" oauth_provider.py; then
        say "oauth       running  http://127.0.0.1:$OAUTH_PORT  (test OAuth provider)"
    else
        say "oauth       stopped"
    fi
    if pid_alive "$RUN/pgbouncer.pid" pgbouncer; then
        say "pgbouncer   running  127.0.0.1:$PGBOUNCER_PORT  pid $(<"$RUN/pgbouncer.pid")"
    else
        say "pgbouncer   stopped"
    fi
    for area in "${AREAS[@]}"; do
        if pid_alive "$RUN/$area.pid" "pgstack-$area"; then
            pid=$(<"$RUN/$area.pid")
            n=$(pgrep -c -P "$pid" || true)
            say "$(printf '%-11s' "$area") running  .dev/run/$area.sock  supervisor $pid, $n workers"
        else
            say "$(printf '%-11s' "$area") stopped"
        fi
    done
    if pid_alive "$RUN/lighttpd.pid" lighttpd; then
        say "lighttpd    running  http://127.0.0.1:$WEB_PORT  pid $(<"$RUN/lighttpd.pid")"
    elif pid_alive "$RUN/apache.pid" apache2; then
        say "apache      running  http://127.0.0.1:$WEB_PORT  pid $(<"$RUN/apache.pid")"
    else
        say "web server  stopped"
    fi
}

cmd_logs() {
    local name=${1:-} files=()
    [[ -d $LOGS ]] || die "no logs yet"
    if [[ -n $name ]]; then
        files=("$LOGS/$name.log")
        [[ -f ${files[0]} ]] || die "no log $name; have: $(find "$LOGS" -maxdepth 1 -name '*.log' -printf '%f\n' | sed 's/\.log$//' | sort | tr '\n' ' ')"
    else
        files=("$LOGS"/*.log)
    fi
    if [[ -t 1 ]]; then
        exec tail -n 40 -F "${files[@]}"
    else
        tail -n 40 "${files[@]}"
    fi
}

cmd_pg() {
    load_ports
    case ${1:-} in
        stop) pg_stop ;;
        start) pg_start ;;
        restart) pg_stop; pg_start ;;
        *) die "usage: scripts/dev pg stop|start|restart" ;;
    esac
}

# Restart only PgBouncer (tests/faults restarts it under load).
cmd_pgbouncer() {
    load_ports
    [[ ${1:-} == restart ]] || die "usage: scripts/dev pgbouncer restart"
    [[ -f $DEV/pgbouncer/pgbouncer.ini ]] || die "the stack was not started with --pgbouncer"
    stop_pidfile "$RUN/pgbouncer.pid" pgbouncer 10
    pgbouncer_start
}

# Restart only the five areas, with KEY=VALUE settings on top of the usual
# configuration (.dev/override.conf); without any, back to the usual one.
# Used by tests/integration/run for suites that need other settings.
cmd_workers() {
    [[ ${1:-} == restart ]] || die "usage: scripts/dev workers restart [--no-wait] [KEY=VALUE...]"
    shift
    local wait=1
    if [[ ${1:-} == --no-wait ]]; then wait=0; shift; fi
    [[ -f $DEV/env ]] || die "the stack is not up (scripts/dev up)"
    # the web port the stack was started with (API_EXTERNAL_URL and
    # ALLOWED_ORIGINS name it), whatever PGSTACK_PORT says now
    local url
    url=$(conf_get "$DEV/env" PGSTACK_URL)
    WEB_PORT=${url##*:}
    local kv
    : >"$DEV/override.conf"
    for kv in "$@"; do
        [[ $kv =~ ^[A-Z][A-Z0-9_]*=.*$ ]] || die "not KEY=VALUE: $kv"
        echo "$kv" >>"$DEV/override.conf"
    done
    load_ports
    ensure_keys
    is_sanitizer_build && export_sanitizer_env
    local pgbouncer db_port=$PG_PORT prepared=true
    pgbouncer=$(conf_get "$DEV/env" PGSTACK_PGBOUNCER)
    if [[ $pgbouncer == 1 ]]; then db_port=$PGBOUNCER_PORT; prepared=false; fi
    workers_stop
    write_worker_conf "$db_port" "$prepared"
    workers_start
    realtime_restart
    ((wait)) && wait_healthy "$(conf_get "$DEV/env" PGSTACK_URL)" 60
    # secrets (keys naming SECRET or PASS, as `pgstack config list`) are shown as (set)
    say "workers restarted${*:+ with $(printf '%s\n' "$*" | sed -E 's/([A-Z0-9_]*(SECRET|PASS)[A-Z0-9_]*=)[^ ]*/\1(set)/g')}"
}
