#!/bin/bash
# packaging/verify/inside.sh — runs inside the clean Debian root that
# `scripts/dev package --verify` prepared (chroot; the serving steps in a
# private network namespace with only loopback). One step per call:
#
#   inside.sh deps                 Debian packages the test needs besides ours (network)
#   inside.sh snapshot             record every file before our packages come
#   inside.sh install DEB...       apt-get install of our .deb files (network)
#   inside.sh check-install        user, config, directories, snippets as promised
#   inside.sh database             PostgreSQL, createdb, pgstack migrate, the
#                                  authenticator's password, a table under RLS
#   inside.sh serve lighttpd|apache   the units' commands as systemd runs them,
#                                  the web server with the enabled snippet, then
#                                  /health, sign-up, REST insert and read
#   inside.sh serve-shared cgi|fcgid   shared hosting: Apache runs the programs
#                                  itself (mod_cgid per request, or mod_fcgid),
#                                  from the templates in /usr/share/pgstack
#   inside.sh upgrade DEB          an edited config and storage data survive an upgrade
#   inside.sh purge                apt-get purge: only what Debian policy keeps stays
#   inside.sh boot-smoke           under a real systemd (PID 1 in systemd-nspawn):
#                                  database, `systemctl enable --now pgstack.target`,
#                                  lighttpd, the smoke test, the hardening in force,
#                                  restart and stop of the target; then poweroff
#
# Every check prints "ok: ..." or "FAIL: ..." (and exits non-zero).
set -euo pipefail

CONF=/etc/pgstack/pgstack.conf
UNITS=/lib/systemd/system
LOGDIR=/var/log/pgstack-verify
mkdir -p "$LOGDIR"

ok() { printf 'ok: %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
check() { # description command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# ------------------------------------------------------------ packages

step_deps() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # our packages' dependencies come with them; these are the test's own
    # and the web servers, installed first so that the purge test sees only
    # what our packages add
    apt-get install -y -q --no-install-recommends postgresql curl ca-certificates procps \
        lighttpd apache2 libapache2-mod-xsendfile libapache2-mod-fcgid spawn-fcgi adduser >"$LOGDIR/apt-deps.log" 2>&1 \
        || { tail -n 30 "$LOGDIR/apt-deps.log" >&2; fail "apt-get install of the test's dependencies"; }
    ok "PostgreSQL, lighttpd, Apache, spawn-fcgi and curl from Debian"
}

# Every file of the root except the volatile places: the purge test compares.
file_list() {
    find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
        -o -path /var/log -o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg \
        -o -path /var/lib/postgresql -o -path /verify \) -prune -o -print | sort
}

step_snapshot() {
    file_list >/verify/files.before
    ok "snapshot of $(wc -l </verify/files.before) files"
}

step_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "$@" >"$LOGDIR/apt-install.log" 2>&1 \
        || { tail -n 30 "$LOGDIR/apt-install.log" >&2; fail "apt-get install $*"; }
    ok "apt-get install ${*##*/}"
}

step_check_install() {
    check "system user and group pgstack" sh -c "getent passwd pgstack >/dev/null && getent group pgstack >/dev/null"
    check "config written: $CONF" test -s "$CONF"
    check "config mode 0640 root:pgstack" test "$(stat -c '%a %U:%G' "$CONF")" = "640 root:pgstack"
    check "config has fresh keys" grep -q '^JWT_SECRET=.\{32,\}' "$CONF"
    check "config has ANON_KEY and SERVICE_ROLE_KEY" \
        sh -c "grep -q '^ANON_KEY=ey' $CONF && grep -q '^SERVICE_ROLE_KEY=ey' $CONF"
    check "/var/lib/pgstack owned by pgstack" test "$(stat -c %U /var/lib/pgstack)" = pgstack
    check "storage dir group www-data, setgid" test "$(stat -c '%a %G' /var/lib/pgstack/storage)" = "2750 www-data"
    check "mail spool /var/spool/pgstack/mail" test "$(stat -c %U /var/spool/pgstack/mail)" = pgstack
    check "pgstack config list reads the installed config" sh -c "pgstack config list >/dev/null"
    check "migrations in /usr/share/pgstack/sql" test -s /usr/share/pgstack/sql/0001_roles_and_auth.sql
    if dpkg -s pgstack-lighttpd >/dev/null 2>&1; then
        check "lighttpd snippet enabled" test -L /etc/lighttpd/conf-enabled/50-pgstack.conf
        check "lighty-enable-mod pgstack again is harmless" sh -c 'lighty-enable-mod pgstack >/dev/null 2>&1; test -L /etc/lighttpd/conf-enabled/50-pgstack.conf'
        check "lighttpd -tt accepts the configuration" lighttpd -tt -f /etc/lighttpd/lighttpd.conf
    fi
    if dpkg -s pgstack-apache2 >/dev/null 2>&1; then
        check "apache conf enabled" test -L /etc/apache2/conf-enabled/pgstack.conf
        local m
        for m in proxy_fcgi proxy_wstunnel rewrite xsendfile; do
            check "apache module $m enabled" test -L "/etc/apache2/mods-enabled/$m.load"
        done
        check "a2enconf pgstack again is harmless" sh -c 'a2enconf -q pgstack >/dev/null; test -L /etc/apache2/conf-enabled/pgstack.conf'
        check "apache2ctl configtest" sh -c 'apache2ctl configtest >/dev/null 2>&1'
    fi
}

# ------------------------------------------------------------ database

pg_start() {
    pg_ctlcluster 15 main start >/dev/null 2>&1 || pg_ctlcluster 15 main status >/dev/null \
        || fail "PostgreSQL did not start"
}
pg_stop() { pg_ctlcluster 15 main stop -m fast >/dev/null 2>&1 || true; }
psql_su() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d pgstack "$@"; }

step_database() {
    pg_start
    runuser -u postgres -- createdb pgstack
    ok "createdb pgstack"
    check "pgstack migrate (as the README says)" \
        runuser -u postgres -- pgstack migrate --database-url 'postgresql:///pgstack?host=/var/run/postgresql'
    local pw
    pw=$(sed -n 's|^DATABASE_URL=postgresql://authenticator:\([^@]*\)@.*|\1|p' "$CONF")
    [[ -n $pw ]] || fail "no authenticator password in DATABASE_URL"
    psql_su -c "ALTER ROLE authenticator PASSWORD '$pw'"
    ok "authenticator password from DATABASE_URL"
    psql_su <<'SQL'
CREATE TABLE public.notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner uuid NOT NULL DEFAULT auth.uid(),
    body text NOT NULL
);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_own ON public.notes USING (owner = auth.uid()) WITH CHECK (owner = auth.uid());
GRANT SELECT, INSERT ON public.notes TO authenticated;
SQL
    ok "table public.notes under RLS"
    pg_stop
}

# ------------------------------------------------------------ the units

# The value of KEY in a unit file, continuation lines joined, every
# occurrence (one per line).
unit_values() {
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" | sed -n "s/^$2=//p"
}

# Start one unit the way systemd would: RuntimeDirectory, EnvironmentFile,
# Environment, UMask, ExecStartPre, then ExecStart in the background (a
# fresh session, its output to a log file), the pid in $LOGDIR/<unit>.pid.
# The file of a unit (a template's for an instance) and the instance name.
unit_file() { if [[ $1 == *@*.service ]]; then echo "$UNITS/${1%%@*}@.service"; else echo "$UNITS/$1"; fi; }
unit_instance() { if [[ $1 == *@*.service ]]; then local i=${1#*@}; echo "${i%.service}"; fi; }

unit_start() {
    local unit=$1 file instance
    file=$(unit_file "$unit")
    instance=$(unit_instance "$unit")
    [[ -f $file ]] || fail "no unit file for $unit"
    local expand="s/%i/$instance/g"
    local dir envfile umask_value line
    while read -r dir; do
        [[ -n $dir ]] && install -d -m "$(unit_values "$file" RuntimeDirectoryMode | tail -n1 || echo 0755)" "/run/$dir"
    done < <(unit_values "$file" RuntimeDirectory)
    local -a env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin)
    while read -r envfile; do
        [[ -z $envfile ]] && continue
        envfile=${envfile#-}
        while IFS= read -r line; do
            [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && env+=("$line")
        done <"$envfile"
    done < <(unit_values "$file" EnvironmentFile)
    while read -r line; do
        [[ -n $line ]] && env+=("$line")
    done < <(unit_values "$file" Environment)
    umask_value=$(unit_values "$file" UMask | tail -n1)
    while read -r line; do
        [[ -z $line ]] && continue
        # shellcheck disable=SC2086
        env -i "${env[@]}" ${line//%i/$instance} || fail "$unit: ExecStartPre $line"
    done < <(unit_values "$file" ExecStartPre | sed "$expand")
    line=$(unit_values "$file" ExecStart | sed "$expand")
    (
        umask "${umask_value:-0022}"
        # shellcheck disable=SC2086
        exec setsid env -i "${env[@]}" $line
    ) </dev/null >>"$LOGDIR/$unit.log" 2>&1 &
    echo $! >"$LOGDIR/$unit.pid"
}

unit_stop() {
    local unit=$1 pid i
    pid=$(cat "$LOGDIR/$unit.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "$unit did not stop within 10 s of SIGTERM"
    rm -f "$LOGDIR/$unit.pid"
    local instance line
    instance=$(unit_instance "$unit")
    while read -r line; do
        # shellcheck disable=SC2086
        [[ -n $line ]] && { ${line//%i/$instance} || true; }
    done < <(unit_values "$(unit_file "$unit")" ExecStopPost)
}

# The units pgstack.target wants.
target_units() { unit_values "$UNITS/pgstack.target" Wants | tr ' ' '\n' | sed '/^$/d'; }

units_start() {
    local u
    for u in $(target_units); do unit_start "$u"; done
    local i
    for u in $(target_units); do
        [[ $u == pgstack@*.service ]] || continue
        local area=${u#pgstack@}
        area=${area%.service}
        for ((i = 0; i < 50; i++)); do
            [[ -S /run/pgstack/$area.sock ]] && break
            sleep 0.1
        done
        [[ -S /run/pgstack/$area.sock ]] || { cat "$LOGDIR/$u.log" >&2; fail "$u: no socket /run/pgstack/$area.sock"; }
        check "$u: socket $(stat -c '%U:%G %a' "/run/pgstack/$area.sock")" \
            test "$(stat -c '%U:%G %a' "/run/pgstack/$area.sock")" = "pgstack:www-data 660"
    done
    check "workers run as pgstack" sh -c "ps -o user= -C pgstack-rest | grep -qx pgstack"
}

units_stop() {
    local u
    for u in $(target_units); do unit_stop "$u"; done
    ok "units stopped by SIGTERM"
}

# ------------------------------------------------------------ serving

web_start() {
    case $1 in
        lighttpd)
            lighttpd -f /etc/lighttpd/lighttpd.conf || fail "lighttpd did not start"
            ;;
        apache)
            # apache2ctl reads /etc/apache2/envvars, as the service does
            apache2ctl start || fail "apache2 did not start"
            ;;
    esac
}

web_stop() {
    case $1 in
        lighttpd) [[ -f /run/lighttpd.pid ]] && kill "$(cat /run/lighttpd.pid)" 2>/dev/null || true ;;
        apache) apache2ctl stop >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
}

conf_get() { sed -n "s/^$1=//p" "$CONF" | tail -n1; }

# /health, sign-up, a REST insert and read under RLS, through the web
# server on port 80 of the namespace's loopback.
smoke() {
    local server=$1 base=http://127.0.0.1 anon code i body token email
    anon=$(conf_get ANON_KEY)
    for ((i = 0; i < 40; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$base/health" || true)
        [[ $code == 200 ]] && break
        sleep 0.25
    done
    body=$(curl -s "$base/health")
    check "$server: GET /health -> 200 $body" test "$code" = 200
    email="verify-$server-$RANDOM@example.com"
    body=$(curl -s -X POST "$base/auth/v1/signup" -H "apikey: $anon" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct-horse-battery\"}")
    token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$body")
    [[ -n $token ]] || fail "$server: sign-up gave no access_token: $body"
    ok "$server: POST /auth/v1/signup -> session for $email"
    code=$(curl -s -o "$LOGDIR/insert.json" -w '%{http_code}' -X POST "$base/rest/v1/notes" \
        -H "apikey: $anon" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -H 'Prefer: return=representation' -d "{\"body\":\"hello from $server\"}")
    check "$server: POST /rest/v1/notes -> 201 $(cat "$LOGDIR/insert.json")" test "$code" = 201
    body=$(curl -s "$base/rest/v1/notes?select=body" -H "apikey: $anon" -H "Authorization: Bearer $token")
    check "$server: GET /rest/v1/notes as the user -> $body" test "$body" = "[{\"body\":\"hello from $server\"}]"
    body=$(curl -s "$base/rest/v1/notes?select=body" -H "apikey: $anon")
    check "$server: GET /rest/v1/notes as anon -> $body (RLS)" test "$body" = "[]"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/no/such/area")
    check "$server: unknown path -> 404 from the web server's JSON error document" test "$code" = 404
}

# Mean time of 20 sequential anonymous REST reads, in ms (a figure for the
# report, not a check).
latency() {
    local anon
    anon=$(conf_get ANON_KEY)
    for _ in $(seq 20); do
        curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1/rest/v1/notes?select=body" -H "apikey: $anon"
    done | awk -v what="$1" '{s += $1} END {printf "figure: %s: mean GET /rest/v1/notes %.1f ms (20 sequential requests)\n", what, s / NR * 1000}'
}

step_serve() {
    local server=$1
    pg_start
    units_start
    web_start "$server"
    local rc=0
    (smoke "$server") || rc=$?
    latency "$server + spawn-fcgi"
    web_stop "$server"
    units_stop
    pg_stop
    if ((rc != 0)); then
        tail -n 20 "$LOGDIR"/*.log /var/log/lighttpd/error.log /var/log/apache2/error.log 2>/dev/null >&2 || true
        fail "$server smoke test"
    fi
}

# ------------------------------------------------------------ shared hosting

# The shared-hosting templates as a hosting account would use them: the
# programs copied to a directory of their own, a configuration readable by
# the user Apache runs CGI programs as, no spawn-fcgi and no unit running.
step_serve_shared() {
    # (outside /etc/pgstack, which only root and pgstack may enter)
    local mode=$1 bin=/srv/pgstack-shared/cgi-bin shared=/srv/pgstack-shared/pgstack.conf a
    local conf=/etc/apache2/conf-available/pgstack-shared.conf module=cgid
    [[ $mode == fcgid ]] && module=fcgid
    install -d "$bin"
    for a in rest auth storage functions api; do cp "/usr/bin/pgstack-$a" "$bin/"; done
    install -m 0640 -o root -g www-data "$CONF" "$shared"
    /verify/render-web-config "/usr/share/pgstack/web-config/apache/shared-$mode.conf.in" "$conf" /usr/bin/pgstack \
        BIN_DIR="$bin" CONFIG="$shared" ERRORS_DIR=/usr/share/pgstack/errors
    a2disconf -q pgstack >/dev/null
    a2enconf -q pgstack-shared >/dev/null
    a2enmod -q "$module" >/dev/null
    check "apache2ctl configtest ($mode)" sh -c 'apache2ctl configtest >/dev/null 2>&1'
    pg_start
    web_start apache
    local rc=0
    (smoke "apache-$mode") || rc=$?
    latency "apache + $mode"
    if [[ $mode == cgi ]]; then
        check "CGI: no pgstack process stays after the requests" sh -c '! ps -C pgstack-rest -o pid= | grep -q .'
    else
        check "mod_fcgid: the programs stay between requests" sh -c 'ps -C pgstack-rest -o pid= | grep -q .'
    fi
    web_stop apache
    pg_stop
    a2disconf -q pgstack-shared >/dev/null
    a2dismod -q -f "$module" >/dev/null
    a2enconf -q pgstack >/dev/null
    rm -rf /srv/pgstack-shared "$conf"
    if ((rc != 0)); then
        tail -n 20 /var/log/apache2/error.log >&2 || true
        fail "apache-$mode smoke test"
    fi
}

# ------------------------------------------------------------ upgrade, purge

step_upgrade() {
    local deb=$1 secret before
    secret=$(conf_get JWT_SECRET)
    printf '\n# edited by the admin before the upgrade\nALLOWED_ORIGINS=https://app.example.com\n' >>"$CONF"
    echo "stored before the upgrade" >/var/lib/pgstack/storage/verify-marker
    before=$(dpkg-query -W -f='${Version}' pgstack)
    step_install "$deb"
    check "version $before -> $(dpkg-query -W -f='${Version}' pgstack)" \
        test "$(dpkg-query -W -f='${Version}' pgstack)" != "$before"
    check "upgrade kept the admin's edit" grep -qx 'ALLOWED_ORIGINS=https://app.example.com' "$CONF"
    check "upgrade kept the secrets" test "$(conf_get JWT_SECRET)" = "$secret"
    check "upgrade kept the config's mode" test "$(stat -c '%a %U:%G' "$CONF")" = "640 root:pgstack"
    check "upgrade kept the storage data" test -s /var/lib/pgstack/storage/verify-marker
}

step_purge() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get purge -y -q pgstack-apache2 pgstack-lighttpd pgstack >"$LOGDIR/apt-purge.log" 2>&1 \
        || { cat "$LOGDIR/apt-purge.log" >&2; fail "apt-get purge"; }
    ok "apt-get purge pgstack pgstack-lighttpd pgstack-apache2"
    # the libraries that came only for pgstack go as an admin would remove them
    apt-get autoremove --purge -y -q >>"$LOGDIR/apt-purge.log" 2>&1 || fail "apt-get autoremove --purge"
    check "postrm says what it keeps" grep -q 'kept /var/lib/pgstack' "$LOGDIR/apt-purge.log"
    check "no package installed or half-removed" \
        sh -c "! dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\\n' 'pgstack*' 2>/dev/null | grep -E '^(ii|rc|i[UFH]|h)'"
    check "/etc/pgstack removed" test ! -e /etc/pgstack
    check "data kept: /var/lib/pgstack/storage/verify-marker" test -s /var/lib/pgstack/storage/verify-marker
    check "web-server snippets disabled" sh -c '! ls /etc/lighttpd/conf-enabled/*pgstack* /etc/apache2/conf-enabled/*pgstack* 2>/dev/null | grep -q .'
    # What is left that was not there before: only what policy keeps (the
    # data directories) and the Apache modules the snippet enabled (they stay
    # enabled: other sites may use them).
    file_list >/verify/files.after
    comm -13 /verify/files.before /verify/files.after \
        | grep -v -e '^/var/lib/pgstack' -e '^/var/spool/pgstack' -e '^/etc/apache2/mods-enabled/' \
            -e '^/var/lib/apache2/' -e '^/etc/.*-$' -e '^/etc/.pwd.lock$' -e '^/var/www' \
            >/verify/files.left || true
    if [[ -s /verify/files.left ]]; then
        cat /verify/files.left >&2
        fail "files left after purge (above)"
    fi
    ok "purge left only /var/lib/pgstack, /var/spool/pgstack and Apache's enabled modules"
}

# ------------------------------------------------------------ under systemd

step_boot_smoke() {
    local u pid
    step_database
    check "PostgreSQL started by systemd" systemctl start postgresql@15-main.service
    check "systemctl enable --now pgstack.target" systemctl enable --now pgstack.target
    for u in $(target_units); do
        check "$u active under systemd" systemctl is-active --quiet "$u"
    done
    # (the root has Apache too, for the other test: it must not hold port 80)
    systemctl disable --now apache2.service >/dev/null 2>&1 || true
    check "lighttpd started by systemd" systemctl restart lighttpd
    smoke lighttpd-systemd
    pid=$(systemctl show -p MainPID --value pgstack@rest.service)
    check "pgstack@rest main process runs as pgstack" test "$(stat -c %U "/proc/$pid")" = pgstack
    check "NoNewPrivileges in force" grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status"
    check "ProtectSystem=strict in force (/usr read-only for the worker)" \
        sh -c "! nsenter -t $pid -m sh -c 'touch /usr/pgstack-write-test' 2>/dev/null"
    check "/var/lib/pgstack writable for the worker (ReadWritePaths)" \
        nsenter -t "$pid" -m -S "$(id -u pgstack)" -G "$(id -g pgstack)" sh -c 'touch /var/lib/pgstack/storage/.w && rm /var/lib/pgstack/storage/.w'
    check "systemctl restart pgstack.target restarts the areas (PartOf)" sh -c \
        "systemctl restart pgstack.target && test \$(systemctl show -p MainPID --value pgstack@rest.service) != $pid"
    smoke lighttpd-restarted
    check "killed supervisor is restarted (Restart=always)" sh -c \
        'p=$(systemctl show -p MainPID --value pgstack@auth.service); kill -9 $p; sleep 2.5; q=$(systemctl show -p MainPID --value pgstack@auth.service); [ "$q" != 0 ] && [ "$q" != "$p" ]'
    check "systemctl stop pgstack.target" systemctl stop pgstack.target
    # the areas' stop jobs (PartOf) finish after the target's: wait for them
    local active i
    for ((i = 0; i < 60; i++)); do
        active=$(systemctl list-units --state=active,deactivating --no-legend 'pgstack@*' | awk '{print $1}' | xargs)
        [[ -z $active ]] && break
        sleep 0.5
    done
    check "every area stopped with the target (PartOf): active: ${active:-none}" test -z "$active"
    if ls /run/pgstack/*.sock >/dev/null 2>&1; then
        journalctl -u pgstack@rest.service --no-pager | tail -n 15
        ls -la /run/pgstack
        fail "sockets removed (ExecStopPost): $(ls /run/pgstack 2>&1 | xargs)"
    fi
    ok "sockets removed (ExecStopPost)"
}

step=${1:?step}
shift
case $step in
    deps) step_deps ;;
    snapshot) step_snapshot ;;
    install) step_install "$@" ;;
    check-install) step_check_install ;;
    database) step_database ;;
    serve) step_serve "$1" ;;
    serve-shared) step_serve_shared "$1" ;;
    upgrade) step_upgrade "$1" ;;
    purge) step_purge ;;
    boot-smoke)
        rc=0
        (step_boot_smoke) >/verify/boot.log 2>&1 || rc=$?
        echo "boot-smoke done rc=$rc" >>/verify/boot.log
        systemctl poweroff
        ;;
    *) fail "unknown step $step" ;;
esac
