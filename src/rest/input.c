/* Building the parser input from an HTTP request; see input.h. */
#include "rest/input.h"

#include "rest/parse/parse.h"
#include "rest/rest_settings.h"
#include "worker/app.h"

static const char *const IGNORED_PARAMS[] = {"apikey"};

static rest_limits configured_limits(const rest_settings *s)
{
    rest_limits l = rest_limits_default();
    l.max_embed_depth = (size_t)s->max_embed_depth;
    l.max_logic_depth = (size_t)s->max_logic_depth;
    l.max_filters = (size_t)s->max_filters;
    return l;
}

bool rest_input_parse(request *req, bool is_rpc, rest_request *out, rest_error *err)
{
    const pgstack_config *cfg = &req->app->cfg;
    rest_method method;
    if (!rest_method_from_name(req->method, &method))
        return rest_error_set(err, req->arena, 405, "PGRST117", NULL, NULL,
                              "Unsupported HTTP method: %s", req->method);
    rest_parse_input in = {
        .method = method,
        .is_rpc = is_rpc,
        .query = &req->query,
        .prefer = request_header(req, "prefer"),
        .range = request_header(req, "range"),
        .range_unit = request_header(req, "range-unit"),
        .accept = request_header(req, "accept"),
        .accept_profile = request_header(req, "accept-profile"),
        .content_profile = request_header(req, "content-profile"),
        .schemas = (const char *const *)cfg->db_schemas.items,
        .schema_count = cfg->db_schemas.count,
        .ignored_params = IGNORED_PARAMS,
        .ignored_count = sizeof IGNORED_PARAMS / sizeof IGNORED_PARAMS[0],
    };
    rest_limits limits = configured_limits(rest_settings_of(req));
    rest_parse_error perr;
    if (rest_parse_request(req->arena, &in, &limits, out, &perr))
        return true;
    rest_error_from_parse(err, &perr);
    return false;
}
