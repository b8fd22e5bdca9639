# shellcheck shell=bash
# scripts/lib/web.sh — The web servers (lighttpd, Apache) rendered from web-config/ templates, and the health wait.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ------------------------------------------------------------- web server

# Fill a web-config template: every @NAME@ placeholder from the variables below.
render() {
    local src=$1 dst=$2
    local -A v=(
        [BIND]=127.0.0.1 [PORT]=$WEB_PORT [RUN_DIR]=$RUN [LOG_DIR]=$LOGS
        [TMP_DIR]=$DEV/tmp [STORAGE_ROOT]=$DEV/storage
        [STATIC_ROOT]=$ROOT/web-config/static [ERRORS_DIR]=$ROOT/web-config/static/errors
        [REALTIME_ADDR]=$REALTIME_ADDR [REALTIME_HOST]=${REALTIME_ADDR%:*} [REALTIME_PORT]=${REALTIME_ADDR##*:}
        [CONF_DIR]=$(dirname "$dst") [SERVER_ROOT]=$DEV/apache
    )
    local area limit
    for area in "${AREAS[@]}"; do
        limit=$(body_limit "$area")
        v[${area^^}_BODY_LIMIT]=$((limit + 65536))
        v[${area^^}_BODY_KB]=$(((limit + 65536 + 1023) / 1024))
    done
    local sed_args=() k
    for k in "${!v[@]}"; do sed_args+=(-e "s|@$k@|${v[$k]}|g"); done
    sed "${sed_args[@]}" "$src" >"$dst"
    if grep -q '@[A-Z_]*@' "$dst"; then
        die "unfilled placeholder in $dst: $(grep -o '@[A-Z_]*@' "$dst" | sort -u | tr '\n' ' ')"
    fi
}

# The workers' body limit of an area: the value in .dev/pgstack.conf, else
# the default the area declares (`pgstack config get`).
body_limit() {
    PGSTACK_CONFIG=$DEV/pgstack.conf "$BUILD/pgstack" config get "${1^^}_MAX_BODY"
}

web_start() {
    local server=$1
    port_busy "$WEB_PORT" && die "port $WEB_PORT is in use by another program; set PGSTACK_PORT"
    case $server in
        lighttpd)
            render "$ROOT/web-config/lighttpd/pgstack.conf.in" "$DEV/lighttpd/pgstack.conf"
            render "$ROOT/web-config/lighttpd/dev-server.conf.in" "$DEV/lighttpd/lighttpd.conf"
            lighttpd -tt -f "$DEV/lighttpd/lighttpd.conf" >"$LOGS/lighttpd-check.log" 2>&1 \
                || { cat "$LOGS/lighttpd-check.log" >&2; die "lighttpd rejects .dev/lighttpd/lighttpd.conf"; }
            detached as_svc lighttpd -f "$DEV/lighttpd/lighttpd.conf" \
                || { tail -n 20 "$LOGS/lighttpd-error.log" >&2; die "lighttpd did not start"; }
            ;;
        apache)
            render "$ROOT/web-config/apache/pgstack.conf.in" "$DEV/apache/pgstack.conf"
            render "$ROOT/web-config/apache/dev-server.conf.in" "$DEV/apache/apache2.conf"
            as_svc apache2 -f "$DEV/apache/apache2.conf" -t >"$LOGS/apache-check.log" 2>&1 \
                || { cat "$LOGS/apache-check.log" >&2; die "apache2 rejects .dev/apache/apache2.conf"; }
            detached as_svc apache2 -f "$DEV/apache/apache2.conf" -k start \
                || { tail -n 20 "$LOGS/apache-error.log" >&2; die "apache2 did not start"; }
            ;;
        *) die "unknown server '$server' (lighttpd or apache)" ;;
    esac
    echo "$server" >"$DEV/server"
}

web_stop() {
    stop_pidfile "$RUN/lighttpd.pid" lighttpd 10
    stop_pidfile "$RUN/apache.pid" apache2 10
}

# Wait until GET /health answers 200; on timeout show what the logs say.
wait_healthy() {
    local url=$1 timeout=${2:-60} i code=
    for ((i = 0; i < timeout * 4; i++)); do
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/health" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.25
    done
    warn "GET $url/health did not answer 200 within ${timeout}s (last status: ${code:-none})"
    local f
    for f in "$LOGS"/rest.log "$LOGS"/spawn-fcgi.log "$LOGS"/lighttpd-error.log "$LOGS"/apache-error.log \
        "$LOGS"/postgresql.log "$LOGS"/pgbouncer.log "$LOGS"/asan.* "$LOGS"/ubsan.*; do
        [[ -s $f ]] || continue
        printf -- '--- %s (last lines)\n' "${f#"$ROOT"/}" >&2
        tail -n 15 "$f" >&2
    done
    die "the stack is not healthy"
}

write_env_file() {
    local server=$1 pgbouncer=$2
    {
        echo "# written by scripts/dev up: source it to talk to the running stack"
        env_line PGSTACK_URL "http://127.0.0.1:$WEB_PORT"
        env_line ANON_KEY "$ANON_KEY"
        env_line SERVICE_ROLE_KEY "$SERVICE_ROLE_KEY"
        env_line JWT_SECRET "$JWT_SECRET"
        env_line DATABASE_URL "$(pg_super_url)"
        env_line PGSTACK_SERVER "$server"
        env_line PGSTACK_PGBOUNCER "$pgbouncer"
        env_line PGSTACK_DEV_DIR "$DEV"
        env_line PGSTACK_BUILD_DIR "$BUILD"
        env_line SMTP_MAILDIR "$DEV/maildir"
        env_line OAUTH_PROVIDER_URL "http://127.0.0.1:$OAUTH_PORT"
        env_line REALTIME_ADDR "$REALTIME_ADDR"
        storage_env_lines
    } >"$DEV/env"
    chmod 0600 "$DEV/env"
}
