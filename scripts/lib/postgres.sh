# shellcheck shell=bash
# scripts/lib/postgres.sh — The private PostgreSQL cluster under .dev/pg, and PgBouncer in front of it.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ------------------------------------------------------------ PostgreSQL

pg_superuser_password() { cat "$DEV/pg.password"; }
pg_super_url() { # pg_super_url [dbname]
    printf 'postgresql://postgres:%s@127.0.0.1:%s/%s' "$(pg_superuser_password)" "$PG_PORT" "${1:-pgstack}"
}
psql_super() { # psql_super DB args...
    local db=$1
    shift
    PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 "$(pg_super_url "$db")" "$@"
}

pg_init() {
    [[ -f $PGDATA/PG_VERSION ]] && return 0
    say "creating PostgreSQL 15 cluster in .dev/pg (port $PG_PORT)"
    [[ -x $PGBIN/initdb ]] || die "$PGBIN/initdb not found (Debian package postgresql-15)"
    [[ -s $DEV/pg.password ]] || { gen_secret 16 >"$DEV/pg.password"; chmod 0600 "$DEV/pg.password"; }
    mkdir -p "$PGDATA"
    chmod 0700 "$PGDATA"
    local pwfile=$DEV/tmp/initdb.pw
    cp "$DEV/pg.password" "$pwfile"
    if is_root; then chown -R "$SVC_USER:$SVC_USER" "$PGDATA" "$pwfile"; fi
    as_svc "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-instructions \
        >"$LOGS/initdb.log" 2>&1 || { rm -f "$pwfile"; cat "$LOGS/initdb.log"; die "initdb failed"; }
    rm -f "$pwfile"
    echo "include_if_exists = 'pgstack-dev.conf'" >>"$PGDATA/postgresql.conf"
}

pg_write_conf() {
    cat >"$PGDATA/pgstack-dev.conf" <<EOF
# written by scripts/dev on every start
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$RUN'
max_connections = 100
shared_buffers = 64MB
# a throw-away development cluster: durability is not needed, speed is
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
    is_root && chown "$SVC_USER:$SVC_USER" "$PGDATA/pgstack-dev.conf"
    return 0
}

pg_running() { as_svc "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_start() {
    pg_running && return 0
    pg_write_conf
    detached as_svc "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGS/postgresql.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$LOGS/postgresql.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
    [[ -f $PGDATA/PG_VERSION ]] || return 0
    pg_running || return 0
    as_svc "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
}

# Database, migrations, and the authenticator role's password.
pg_setup_database() {
    if [[ -z $(psql_super postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'pgstack'") ]]; then
        say "creating database pgstack"
        psql_super postgres -c "CREATE DATABASE pgstack"
    fi
    say "pgstack migrate"
    "$BUILD/pgstack" migrate --database-url "$(pg_super_url)" --dir "$ROOT/sql" 2>&1 | sed 's/^/[migrate] /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "pgstack migrate failed"
    [[ -s $DEV/authenticator.password ]] || { gen_secret 16 >"$DEV/authenticator.password"; chmod 0600 "$DEV/authenticator.password"; }
    psql_super pgstack -c "ALTER ROLE authenticator PASSWORD '$(cat "$DEV/authenticator.password")'" \
        || die "could not set the authenticator password (did the first migration create the role?)"
}

# -------------------------------------------------------------- PgBouncer

pgbouncer_start() {
    local pw
    pw=$(cat "$DEV/authenticator.password")
    printf '"authenticator" "%s"\n' "$pw" >"$DEV/pgbouncer/userlist.txt"
    cat >"$DEV/pgbouncer/pgbouncer.ini" <<EOF
; written by scripts/dev: PgBouncer in transaction mode in front of .dev/pg
[databases]
pgstack = host=127.0.0.1 port=$PG_PORT dbname=pgstack

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $DEV/pgbouncer/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
; report a database that is down quickly (the workers answer 503)
server_connect_timeout = 2
query_wait_timeout = 2
server_login_retry = 1
logfile = $LOGS/pgbouncer.log
pidfile = $RUN/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
EOF
    if is_root; then
        chown -R "$SVC_USER:$SVC_USER" "$DEV/pgbouncer"
        chmod 0600 "$DEV/pgbouncer/userlist.txt"
    fi
    detached as_svc pgbouncer -d -q "$DEV/pgbouncer/pgbouncer.ini" \
        || { tail -n 20 "$LOGS/pgbouncer.log" >&2; die "pgbouncer did not start"; }
    local i
    for ((i = 0; i < 50; i++)); do port_busy "$PGBOUNCER_PORT" && return 0; sleep 0.1; done
    die "pgbouncer is not listening on $PGBOUNCER_PORT"
}
