# shellcheck shell=bash
# scripts/lib/storage.sh — the storage area's part of scripts/dev (sourced).
#
# storage_worker_conf   lines for .dev/pgstack.conf: the disk backend's root
#                       is .dev/storage, the directory the web-server
#                       templates allow X-Sendfile from (@STORAGE_ROOT@).

storage_worker_conf() {
    echo "STORAGE_ROOT=$DEV/storage"
}
