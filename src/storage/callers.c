/* The storage area's database callers; see callers.h. */
#include "storage/callers.h"

#include "worker/caller.h"

db_caller storage_caller(const request *req, const storage_settings *s)
{
    return db_caller_from_request(req, s->statement_timeout_ms);
}

db_caller storage_service_caller(const request *req, const storage_settings *s)
{
    return (db_caller){
        .db_role = "service_role",
        .claim_role = "service_role",
        .claims_json = "{\"role\":\"service_role\"}",
        .sub = "",
        .method = req->method,
        .path = req->full_path,
        .headers_json = "{}",
        .statement_timeout_ms = s->statement_timeout_ms,
    };
}
