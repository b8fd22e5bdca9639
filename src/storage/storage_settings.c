/* Storage settings read from the worker's configuration; see
 * storage_settings.h. */
#include "storage/storage_settings.h"

const storage_settings *storage_settings_get(const app_ctx *app)
{
    static storage_settings s;
    static const app_ctx *filled_for;
    if (filled_for == app)
        return &s;
    const pgstack_config *c = &app->cfg;
    s.workers = app->workers;
    s.max_body = app->max_body;
    s.backend = c->storage_backend;
    s.root = c->storage_root;
    s.sendfile_header = c->storage_sendfile_header && *c->storage_sendfile_header
                            ? c->storage_sendfile_header
                            : NULL;
    s.strict_mime = c->storage_strict_mime;
    s.signed_upload_expiry_s = c->storage_signed_upload_expiry_s;
    s.jwt_secret = c->jwt_secret;
    s.jwt_algorithm = c->jwt_algorithm;
    s.txn_wait_ms = app_txn_wait_ms(app);
    s.statement_timeout_ms = c->db_statement_timeout_ms;
    filled_for = app;
    return &s;
}
