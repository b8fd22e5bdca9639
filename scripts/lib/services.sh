# shellcheck shell=bash
# scripts/lib/services.sh — The loopback services the tests talk to (SMTP, OAuth provider), the keys, and the FastCGI workers under spawn-fcgi.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ------------------------------------------------------------------- SMTP

# A real SMTP server on loopback for the mail the stack sends (sign-up
# confirmations, recovery, magic links): aiosmtpd from Debian's
# python3-aiosmtpd, storing every message in the Maildir .dev/maildir.
smtp_start() {
    mkdir -p "$DEV/maildir/cur" "$DEV/maildir/new" "$DEV/maildir/tmp"
    is_root && chown -R "$SVC_USER:$SVC_USER" "$DEV/maildir"
    port_busy "$SMTP_PORT" && die "port $SMTP_PORT (SMTP) is in use by another program; remove .dev/ports.env to pick another"
    local smtpd=(/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT"
        -c aiosmtpd.handlers.Mailbox "$DEV/maildir")
    is_root && smtpd=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- "${smtpd[@]}")
    (
        close_extra_fds
        exec setsid "${smtpd[@]}"
    ) </dev/null >>"$LOGS/smtp.log" 2>&1 &
    echo $! >"$RUN/smtp.pid"
    local i
    for ((i = 0; i < 50; i++)); do port_busy "$SMTP_PORT" && return 0; sleep 0.1; done
    tail -n 20 "$LOGS/smtp.log" >&2
    die "the SMTP server (aiosmtpd) is not listening on $SMTP_PORT"
}

smtp_stop() { stop_pidfile "$RUN/smtp.pid" aiosmtpd 5; }

# ---------------------------------------------------------- OAuth provider

# A small OAuth 2.0 / OpenID Connect provider on loopback for the OAuth
# integration suite (tests/integration/oauth_provider.py; its signing keys
# in .dev/oauth-provider). The workers only use it when a suite configures
# the providers to point at it (tests/integration/suites.conf).
oauth_provider_start() {
    mkdir -p "$DEV/oauth-provider"
    is_root && chown "$SVC_USER:$SVC_USER" "$DEV/oauth-provider"
    port_busy "$OAUTH_PORT" && die "port $OAUTH_PORT (test OAuth provider) is in use by another program; remove .dev/ports.env to pick another"
    local cmd=(/usr/bin/python3 "$ROOT/tests/integration/oauth_provider.py" --port "$OAUTH_PORT"
        --dir "$DEV/oauth-provider")
    is_root && cmd=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- "${cmd[@]}")
    (
        close_extra_fds
        exec setsid "${cmd[@]}"
    ) </dev/null >>"$LOGS/oauth-provider.log" 2>&1 &
    echo $! >"$RUN/oauth-provider.pid"
    local i
    for ((i = 0; i < 100; i++)); do port_busy "$OAUTH_PORT" && return 0; sleep 0.1; done
    tail -n 20 "$LOGS/oauth-provider.log" >&2
    die "the test OAuth provider is not listening on $OAUTH_PORT"
}

oauth_provider_stop() { stop_pidfile "$RUN/oauth-provider.pid" oauth_provider.py 5; }

# ------------------------------------------------------------------ keys

ensure_keys() {
    if [[ ! -s $DEV/keys.env ]]; then
        say "pgstack keygen -> .dev/keys.env"
        "$BUILD/pgstack" keygen >"$DEV/keys.env.tmp" || die "pgstack keygen failed"
        local k
        for k in JWT_SECRET ANON_KEY SERVICE_ROLE_KEY; do
            [[ -n $(conf_get "$DEV/keys.env.tmp" "$k") ]] || die "pgstack keygen did not print $k"
        done
        mv "$DEV/keys.env.tmp" "$DEV/keys.env"
        chmod 0600 "$DEV/keys.env"
    fi
    JWT_SECRET=$(conf_get "$DEV/keys.env" JWT_SECRET)
    ANON_KEY=$(conf_get "$DEV/keys.env" ANON_KEY)
    SERVICE_ROLE_KEY=$(conf_get "$DEV/keys.env" SERVICE_ROLE_KEY)
}

# ---------------------------------------------------------------- workers

# .dev/pgstack.conf: the workers' configuration (PGSTACK_CONFIG).
write_worker_conf() {
    local db_port=$1 prepared=$2 conf=$DEV/pgstack.conf
    {
        echo "# written by scripts/dev — regenerated on every start; put your own"
        echo "# settings in .dev/local.conf (appended below; the last value of a key wins)"
        env_line DATABASE_URL "postgresql://authenticator:$(cat "$DEV/authenticator.password")@127.0.0.1:$db_port/pgstack"
        env_line JWT_SECRET "$JWT_SECRET"
        env_line ANON_KEY "$ANON_KEY"
        env_line SERVICE_ROLE_KEY "$SERVICE_ROLE_KEY"
        env_line ALLOWED_ORIGINS "${PGSTACK_ALLOWED_ORIGINS:-http://allowed.example,http://localhost:3000,http://127.0.0.1:$WEB_PORT}"
        # local clients may name their address in X-Forwarded-For: the test
        # suites give each simulated client its own (rate limits per address)
        echo "TRUSTED_PROXIES=127.0.0.1"
        echo "SMTP_URL=smtp://127.0.0.1:$SMTP_PORT"
        echo "API_EXTERNAL_URL=http://127.0.0.1:$WEB_PORT"
        echo "DB_PREPARED_STATEMENTS=$prepared"
        if [[ -f $DEV/local.conf ]]; then
            echo "# --- .dev/local.conf"
            cat "$DEV/local.conf"
        fi
        if [[ -s $DEV/override.conf ]]; then
            echo "# --- scripts/dev workers restart KEY=VALUE..."
            cat "$DEV/override.conf"
        fi
    } >"$conf.tmp"
    mv "$conf.tmp" "$conf"
    if is_root; then
        chown "root:$SVC_USER" "$conf"
        chmod 0640 "$conf"
    else
        chmod 0600 "$conf"
    fi
}

# Start every area under spawn-fcgi. spawn-fcgi runs in the foreground (-n)
# as a background job of ours: it binds the socket, drops to the service user
# and execs the program, so the pid we record is the area's supervisor and its
# stderr (one line per request) goes to .dev/logs/<area>.log. (Forking
# spawn-fcgi would point the program's stderr at /dev/null.)
workers_start() {
    local area args pid i
    export PGSTACK_CONFIG=$DEV/pgstack.conf
    for area in "${AREAS[@]}"; do
        args=(-n -s "$RUN/$area.sock" -M 0660)
        is_root && args+=(-u "$SVC_USER" -g "$SVC_USER" -U "$SVC_USER" -G "$SVC_USER")
        rm -f "$RUN/$area.sock"
        (
            close_extra_fds
            exec setsid spawn-fcgi "${args[@]}" -- "$BUILD/pgstack-$area"
        ) </dev/null >>"$LOGS/$area.log" 2>&1 &
        pid=$!
        echo "$pid" >"$RUN/$area.pid"
        for ((i = 0; i < 50; i++)); do
            [[ -S $RUN/$area.sock ]] && break
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        sleep 0.2
        if ! pid_alive "$RUN/$area.pid" "pgstack-$area" || [[ ! -S $RUN/$area.sock ]]; then
            tail -n 20 "$LOGS/$area.log" >&2
            die "pgstack-$area did not start (log: .dev/logs/$area.log)"
        fi
    done
}

workers_stop() {
    local area
    for area in "${AREAS[@]}"; do
        stop_pidfile "$RUN/$area.pid" "pgstack-$area" 15
        rm -f "$RUN/$area.sock"
    done
}
