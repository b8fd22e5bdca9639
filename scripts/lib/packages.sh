# shellcheck shell=bash
# scripts/lib/packages.sh — Debian and npm packages the stack and its tests need, installed when missing.
# Sourced by scripts/dev; uses its variables (ROOT, DEV, RUN, LOGS, ...).

PACKAGES=(autoconf automake libtool pkg-config build-essential libfcgi-dev
    libpq-dev libjson-c-dev libjwt-dev libssl-dev libcurl4-openssl-dev
    libcrypt-dev libcunit1-dev spawn-fcgi lighttpd apache2
    libapache2-mod-xsendfile postgresql pgbouncer wrk curl jq python3
    python3-aiosmtpd openssl nodejs python3-swagger-spec-validator clang-format
    libwslay-dev libhttp-parser-dev libmagic-dev libqrencode-dev clang libclang-rt-14-dev
    libvips-dev)

# --------------------------------------------------------------- packages

ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Node.js and npm for the supabase-js compatibility tests (tests/compat):
# Debian's nodejs and npm when either command is missing. A Node.js that is
# already there (a newer one from elsewhere, with its own npm) is kept.
ensure_node() {
    command -v node >/dev/null && command -v npm >/dev/null && return 0
    say "installing Debian packages: nodejs npm"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
}

# The npm packages of tests/compat, exactly as package-lock.json lists them.
compat_install() {
    (cd "$ROOT/tests/compat" && npm ci --no-audit --no-fund --loglevel=error)
}

# The service user, and access for it to the repository (binaries, sql/,
# web-config/) when the checkout lies below a private home directory.
ensure_service_user() {
    is_root || return 0
    if ! id -u "$SVC_USER" >/dev/null 2>&1; then
        say "creating system user $SVC_USER"
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin "$SVC_USER"
    fi
    local d=$ROOT
    while [[ $d != / ]]; do
        if ! runuser -u "$SVC_USER" -- test -x "$d"; then
            say "granting $SVC_USER search permission on $d"
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
}
