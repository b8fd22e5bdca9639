# shellcheck shell=bash
# scripts/lib/functions.sh — the edge functions part of scripts/dev (sourced).
#
# Deno comes from npm: the `deno` package ships the official binary for the
# platform (node_modules/.bin/deno), installed pinned under .dev/deno. The
# workers get DENO_PATH pointing at it, their runtime folder
# (FUNCTIONS_RUNTIME_DIR=.dev/functions: the runtime's socket, deployments,
# module cache) and pgstack's runtime scripts from the checkout
# (FUNCTIONS_BOOTSTRAP_DIR=src/functions/runtime).

FUNCTIONS_DENO_VERSION=2.9.6
FUNCTIONS_DENO=$DEV/deno/node_modules/.bin/deno

# Installs the pinned deno under .dev/deno unless it is there already.
functions_install_deno() {
    if [[ -x $FUNCTIONS_DENO ]] && [[ $("$FUNCTIONS_DENO" --version 2>/dev/null | head -n 1) == "deno $FUNCTIONS_DENO_VERSION "* ]]; then
        return 0
    fi
    ensure_node
    say "npm install deno@$FUNCTIONS_DENO_VERSION -> .dev/deno"
    mkdir -p "$DEV/deno"
    printf '{"private":true,"description":"deno for pgstack edge functions (scripts/lib/functions.sh)"}\n' \
        >"$DEV/deno/package.json"
    (cd "$DEV/deno" && npm install --no-audit --no-fund --loglevel=error --save-exact \
        "deno@$FUNCTIONS_DENO_VERSION") || die "could not install deno from npm"
    [[ -x $FUNCTIONS_DENO ]] || die "npm did not install $FUNCTIONS_DENO"
}

# The runtime folder, private to the service user.
functions_prepare_dirs() {
    mkdir -p "$DEV/functions"
    chmod 0700 "$DEV/functions"
    if is_root; then chown -R "$SVC_USER:$SVC_USER" "$DEV/functions"; fi
    return 0
}

# Lines of .dev/pgstack.conf for the functions area.
functions_worker_conf() {
    env_line DENO_PATH "$FUNCTIONS_DENO"
    env_line FUNCTIONS_RUNTIME_DIR "$DEV/functions"
    env_line FUNCTIONS_BOOTSTRAP_DIR "$ROOT/src/functions/runtime"
    env_line FUNCTIONS_SUPABASE_URL "http://127.0.0.1:$WEB_PORT"
}
