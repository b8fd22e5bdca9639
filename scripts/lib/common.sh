# shellcheck shell=bash
# scripts/lib/common.sh — Shared helpers of scripts/dev: messages, running as the service user, the lock, pid files, ports, config lines, the .dev layout.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

# ---------------------------------------------------------------- helpers

say()  { printf '[dev] %s\n' "$*"; }
warn() { printf '[dev] warning: %s\n' "$*" >&2; }
die()  { printf '[dev] error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command as the unprivileged service user (as ourselves when not root).
as_svc() {
    if is_root; then
        runuser -u "$SVC_USER" -- "$@"
    else
        "$@"
    fi
}

# Run a privileged command: directly as root, else through sudo.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root for: $* (no sudo here; run it as root)"
    fi
}

# Take the .dev lock so two scripts/dev runs do not collide. A nested
# scripts/dev started by the one holding the lock (tests stopping PostgreSQL)
# inherits PGSTACK_DEV_LOCKED and does not wait for itself.
take_lock() {
    mkdir -p "$DEV"
    [[ ${PGSTACK_DEV_LOCKED:-} == "$DEV" ]] && return 0
    exec 9>"$DEV/lock"
    if ! flock -n 9; then
        say "another scripts/dev is running; waiting for it"
        flock 9
    fi
    export PGSTACK_DEV_LOCKED=$DEV
}

# Close every file descriptor above 2 of the current (sub)shell: a daemon
# must not keep our lock, or a pipe of whoever runs us (a CI harness waiting
# for the end of our output), open for its whole life.
close_extra_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd"/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

# Run "$@" (a command that daemonizes itself) with stdin from /dev/null and
# no file descriptor of ours above 2.
detached() {
    (
        close_extra_fds
        "$@" </dev/null
    )
}

# Random alphanumeric secret (safe in URLs, config files and SQL literals).
gen_secret() { openssl rand -hex "${1:-24}"; }

# Is something listening on 127.0.0.1:$1?
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port from $1 upward that nothing listens on.
free_port() {
    local p=$1
    while port_busy "$p"; do p=$((p + 1)); done
    echo "$p"
}

# Read KEY from a KEY=VALUE file (quotes stripped); empty if absent.
conf_get() {
    local file=$1 key=$2 line
    [[ -f $file ]] || return 0
    line=$(grep -E "^[[:space:]]*$key=" "$file" | tail -n 1) || true
    line=${line#*=}
    line=${line%$'\r'}
    if [[ $line == \"*\" || $line == \'*\' ]]; then line=${line:1:${#line}-2}; fi
    printf '%s' "$line"
}

# Print KEY=VALUE, single-quoting VALUE when the shell would need it.
env_line() {
    local key=$1 val=$2
    if [[ $val =~ ^[A-Za-z0-9._~:/@%+=,-]*$ ]]; then
        printf '%s=%s\n' "$key" "$val"
    else
        printf "%s='%s'\n" "$key" "${val//\'/\'\\\'\'}"
    fi
}

# Is the process in pidfile $1 alive and running a command matching $2?
pid_alive() {
    local pidfile=$1 pattern=$2 pid
    [[ -s $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$pattern"
}

# Stop the process of pidfile $1 (if it still runs $2): SIGTERM, wait up to
# $3 seconds, then SIGKILL it and the children it leaves behind.
stop_pidfile() {
    local pidfile=$1 pattern=$2 wait_s=${3:-10} pid i children
    if pid_alive "$pidfile" "$pattern"; then
        pid=$(<"$pidfile")
        children=$(pgrep -P "$pid" || true)
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < wait_s * 10; i++)); do
            [[ -d /proc/$pid ]] || break
            # a zombie has exited; its parent (not us) will reap it
            [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
            sleep 0.1
        done
        if [[ -d /proc/$pid ]] && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
            warn "$(basename "$pidfile" .pid) did not stop in ${wait_s}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        for c in $children; do # only if that pid still runs the same program
            if { tr '\0' ' ' <"/proc/$c/cmdline"; } 2>/dev/null | grep -q -- "$pattern"; then
                kill -KILL "$c" 2>/dev/null || true
            fi
        done
    fi
    rm -f "$pidfile"
}

# -------------------------------------------------------------- layout

prepare_dirs() {
    mkdir -p "$DEV" "$RUN" "$LOGS" "$DEV/storage" "$DEV/tmp" "$DEV/lighttpd" "$DEV/apache/runtime" "$DEV/pgbouncer"
    # unix socket paths are limited to 107 bytes
    ((${#RUN} <= 80)) || die "$RUN is too long for unix sockets; clone the repository to a shorter path"
    if is_root; then
        chown "$SVC_USER:$SVC_USER" "$RUN" "$LOGS" "$DEV/storage" "$DEV/tmp" "$DEV/apache" "$DEV/apache/runtime"
        chmod 0755 "$DEV"
    fi
}

# Keep the previous run's logs in .dev/logs/previous; start with empty ones.
rotate_logs() {
    mkdir -p "$LOGS/previous"
    find "$LOGS/previous" -maxdepth 1 -type f -delete
    find "$LOGS" -maxdepth 1 -type f -exec mv -t "$LOGS/previous" {} +
    is_root && chown "$SVC_USER:$SVC_USER" "$LOGS/previous"
    return 0
}

# Ports kept in .dev/ports.env: found free at first use, reused afterwards.
load_ports() {
    PG_PORT=$(conf_get "$DEV/ports.env" PG_PORT)
    PGBOUNCER_PORT=$(conf_get "$DEV/ports.env" PGBOUNCER_PORT)
    if [[ -z $PG_PORT ]]; then PG_PORT=$(free_port 54329); fi
    SMTP_PORT=$(conf_get "$DEV/ports.env" SMTP_PORT)
    OAUTH_PORT=$(conf_get "$DEV/ports.env" OAUTH_PORT)
    if [[ -z $PGBOUNCER_PORT ]]; then PGBOUNCER_PORT=$(free_port $((PG_PORT + 10000))); fi
    if [[ -z $SMTP_PORT ]]; then SMTP_PORT=$(free_port 2525); fi
    if [[ -z $OAUTH_PORT ]]; then OAUTH_PORT=$(free_port 9555); fi
    # a kept port that another program took while our service was down
    # (another checkout's stack) is given up for a free one
    if port_busy "$PG_PORT" && ! pg_running; then PG_PORT=$(free_port 54329); fi
    if port_busy "$PGBOUNCER_PORT" && ! pid_alive "$RUN/pgbouncer.pid" pgbouncer; then
        PGBOUNCER_PORT=$(free_port $((PG_PORT + 10000)))
    fi
    if port_busy "$SMTP_PORT" && ! pid_alive "$RUN/smtp.pid" aiosmtpd; then SMTP_PORT=$(free_port 2525); fi
    if port_busy "$OAUTH_PORT" && ! pid_alive "$RUN/oauth-provider.pid" oauth_provider.py; then
        OAUTH_PORT=$(free_port 9555)
    fi
    printf 'PG_PORT=%s\nPGBOUNCER_PORT=%s\nSMTP_PORT=%s\nOAUTH_PORT=%s\n' "$PG_PORT" "$PGBOUNCER_PORT" \
        "$SMTP_PORT" "$OAUTH_PORT" >"$DEV/ports.env"
}
