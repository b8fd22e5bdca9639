# shellcheck shell=bash
# tests/bench/storage_bound.sh — sourced by tests/bench/storage: the bound of
# any FastCGI download design. tests/bench/storage_bound.c (a no-op libfcgi
# responder that only answers X-Sendfile) is built into .dev/bench and run
# under spawn-fcgi -n with as many processes as the storage workers, behind a
# second instance of the stack's web server: the stack's rendered main
# configuration (.dev/lighttpd/lighttpd.conf or .dev/apache/apache2.conf)
# with its own port, pid file and logs, and the stack's FastCGI and
# X-Sendfile settings for one route, /bound/. bound_stop removes it all.
#
# Uses ROOT, SERVER, WEB_PID, STATIC and WORK of the bench script; sets
# BOUND_URL, BOUND_WEB_PID and BOUND_FCGI_PIDS.

# shellcheck disable=SC2034 # BOUND_URL, BOUND_*_PID(S) are read by tests/bench/storage
BOUND=$ROOT/.dev/bench
WEB_USER=
AS_WEB=() # the stack's web-server user runs the bound's processes too

detached() { # runs "$@" in the background without our descriptors above 2
    (
        for fd in "/proc/$BASHPID/fd"/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$@" </dev/null >/dev/null
    ) &
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bound_stop() {
    local f pid
    [[ -d $BOUND ]] || return 0
    for f in "$BOUND/lighttpd.pid" "$BOUND/apache.pid" "$BOUND/fcgi.pid"; do
        [[ -f $f ]] || continue
        while read -r pid; do
            if [[ $pid =~ ^[0-9]+$ ]]; then kill "$pid" 2>/dev/null || true; fi
        done <"$f"
    done
    rm -rf "$BOUND"
}

bound_lighttpd_conf() { # PORT
    sed -e "s#^server\.port[[:space:]]*=.*#server.port = $1#" \
        -e "s#^server\.pid-file[[:space:]]*=.*#server.pid-file = \"$BOUND/lighttpd.pid\"#" \
        -e "s#^server\.errorlog[[:space:]]*=.*#server.errorlog = \"$BOUND/error.log\"#" \
        -e "s#^accesslog\.filename[[:space:]]*=.*#accesslog.filename = \"$BOUND/access.log\"#" \
        -e "s#^include .*#include \"$BOUND/bound.conf\"#" \
        "$ROOT/.dev/lighttpd/lighttpd.conf" >"$BOUND/lighttpd.conf"
    cat >"$BOUND/bound.conf" <<EOF
## the FastCGI settings of web-config/lighttpd/pgstack.conf.in, for one route
server.modules += ( "mod_fastcgi" )
server.stream-response-body = 2
server.stream-request-body = 0
fastcgi.server += ( "/bound/" => ((
    "socket" => "$BOUND/bound.sock", "check-local" => "disable", "disable-time" => 1,
    "x-sendfile" => "enable", "x-sendfile-docroot" => ( "$(dirname "$STATIC")" ),
)) )
EOF
}

bound_apache_conf() { # PORT
    mkdir -p "$BOUND/apache/runtime"
    sed -e "s#$ROOT/.dev/apache#$BOUND/apache#g" \
        -e "s#^Listen .*#Listen 127.0.0.1:$1#" \
        -e "s#^PidFile .*#PidFile \"$BOUND/apache.pid\"#" \
        -e "s#^ErrorLog .*#ErrorLog \"$BOUND/error.log\"#" \
        -e "s#^CustomLog \"[^\"]*\"#CustomLog \"$BOUND/access.log\"#" \
        "$ROOT/.dev/apache/apache2.conf" >"$BOUND/apache/apache2.conf"
    cat >"$BOUND/apache/pgstack.conf" <<EOF
# the FastCGI settings of web-config/apache/pgstack.conf.in, for one route
ProxyFCGIBackendType GENERIC
<Location "/bound/">
    XSendFile On
    XSendFilePath "$(dirname "$STATIC")"
</Location>
ProxyPass "/bound/" "unix:$BOUND/bound.sock|fcgi://localhost/bound/" enablereuse=off
EOF
}

bound_start() {
    local port i workers
    WEB_USER=$(ps -o user= -p "$WEB_PID" 2>/dev/null | tr -d ' ')
    if [[ $(id -u) == 0 && -n $WEB_USER && $WEB_USER != root ]]; then
        AS_WEB=(runuser -u "$WEB_USER" --)
    fi
    bound_stop
    mkdir -p "$BOUND"
    cc -O2 -std=gnu11 -Wall "$ROOT/tests/bench/storage_bound.c" -lfcgi -o "$BOUND/storage_bound" \
        || { echo "could not build tests/bench/storage_bound.c (libfcgi-dev)" >&2; exit 1; }
    workers=$(sed -n 's/^STORAGE_WORKERS=//p' "$ROOT/.dev/pgstack.conf" 2>/dev/null | tail -n 1)
    port=$(free_port)
    case $SERVER in
        lighttpd) bound_lighttpd_conf "$port" ;;
        apache) bound_apache_conf "$port" ;;
        *) echo "unknown web server '$SERVER'" >&2; exit 1 ;;
    esac
    local user=()
    if ((${#AS_WEB[@]})); then
        chown -R "$WEB_USER:" "$BOUND"
        user=(-u "$WEB_USER" -U "$WEB_USER")
    fi
    BENCH_SENDFILE_PATH=$STATIC BENCH_WORKERS=${workers:-2} \
        detached spawn-fcgi -n "${user[@]}" -s "$BOUND/bound.sock" -- "$BOUND/storage_bound"
    echo $! >"$BOUND/fcgi.pid"
    for ((i = 0; i < 50; i++)); do [[ -S $BOUND/bound.sock ]] && break; sleep 0.1; done
    case $SERVER in
        lighttpd) detached "${AS_WEB[@]}" lighttpd -f "$BOUND/lighttpd.conf" ;;
        apache) detached "${AS_WEB[@]}" apache2 -f "$BOUND/apache/apache2.conf" -k start ;;
    esac
    wait $!
    BOUND_URL=http://127.0.0.1:$port
    for ((i = 0; i < 50; i++)); do
        [[ -s $BOUND/$SERVER.pid ]] && curl -s -o /dev/null "$BOUND_URL/" && break
        sleep 0.1
    done
    BOUND_WEB_PID=$(cat "$BOUND/$SERVER.pid" 2>/dev/null || echo 0)
    BOUND_FCGI_PIDS=$(cat "$BOUND/fcgi.pid")
    cmp -s <(curl -s "$BOUND_URL/bound/1mb.bin") "$WORK/1mb.bin" \
        || { echo "the bound responder does not serve the file at $BOUND_URL/bound/1mb.bin" >&2; exit 1; }
}
