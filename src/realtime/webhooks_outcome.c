/* The webhook delivery state machine; see webhooks_outcome.h. */
#include "realtime/webhooks_outcome.h"

#include <stddef.h>

/* What each outcome means: success, worth another attempt, or final. */
static const struct {
    wh_outcome outcome;
    bool success;
    bool retry;
    const char *label;
} WH_OUTCOMES[] = {
    {WH_OUT_DELIVERED, true, false, "delivered"},
    {WH_OUT_HTTP_ERROR, false, true, "non-2xx status"},
    {WH_OUT_REDIRECT, false, true, "redirect not followed"},
    {WH_OUT_TIMEOUT, false, true, "timeout"},
    {WH_OUT_NETWORK, false, true, "network error"},
    {WH_OUT_REFUSED, false, false, "address not allowed"},
    {WH_OUT_BAD_SECRET, false, false, "secret cannot be opened"},
};

/* The delay before attempt n + 1 after attempt n failed (spec: 1 s, 4 s). */
static const long WH_RETRY_MS[WH_MAX_ATTEMPTS] = {1000, 4000, 0};

wh_outcome wh_outcome_of(bool refused, bool timed_out, bool transport_error, long http_status)
{
    if (refused)
        return WH_OUT_REFUSED;
    if (timed_out)
        return WH_OUT_TIMEOUT;
    if (transport_error)
        return WH_OUT_NETWORK;
    if (http_status >= 200 && http_status < 300)
        return WH_OUT_DELIVERED;
    return http_status >= 300 && http_status < 400 ? WH_OUT_REDIRECT : WH_OUT_HTTP_ERROR;
}

static size_t wh_row(wh_outcome outcome)
{
    for (size_t i = 0; i < sizeof WH_OUTCOMES / sizeof WH_OUTCOMES[0]; i++)
        if (WH_OUTCOMES[i].outcome == outcome)
            return i;
    return 1; /* unknown: a failure worth retrying */
}

wh_next wh_step(wh_outcome outcome, int attempt)
{
    size_t row = wh_row(outcome);
    if (WH_OUTCOMES[row].success)
        return (wh_next){WH_NEXT_DELIVERED, 0};
    if (!WH_OUTCOMES[row].retry || attempt < 1 || attempt >= WH_MAX_ATTEMPTS)
        return (wh_next){WH_NEXT_DEAD, 0};
    return (wh_next){WH_NEXT_RETRY, WH_RETRY_MS[attempt - 1]};
}

const char *wh_next_name(wh_next_kind kind)
{
    return kind == WH_NEXT_DELIVERED ? "delivered" : kind == WH_NEXT_RETRY ? "retry" : "dead";
}

const char *wh_outcome_label(wh_outcome outcome)
{
    return WH_OUTCOMES[wh_row(outcome)].label;
}
