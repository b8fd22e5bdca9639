/* HTTP calls to OAuth providers; see auth_oauth_http.h. */
#include "auth/oauth_http.h"

#include "auth/urls.h"
#include "core/json_text.h"
#include "core/sbuf.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define USER_AGENT "pgstack (+https://github.com/pgstack)"

typedef struct download {
    sbuf body;
    bool too_large;
} download;

static size_t collect(char *data, size_t size, size_t count, void *ctx)
{
    download *d = ctx;
    size_t n = size * count;
    if (d->body.len + n > OAUTH_HTTP_MAX_BODY) {
        d->too_large = true;
        return 0; /* aborts the transfer */
    }
    sbuf_append(&d->body, data, n);
    return n;
}

/* "Basic base64(urlencode(user):urlencode(password))", RFC 6749 2.3.1. */
static const char *basic_header(arena *a, const char *user, const char *password)
{
    const char *pair = arena_printf(a, "%s:%s", query_encode(a, user), query_encode(a, password));
    size_t n = strlen(pair);
    unsigned char *b64 = arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)pair, (int)n);
    return arena_printf(a, "Authorization: Basic %s", (char *)b64);
}

static struct curl_slist *call_headers(arena *a, const oauth_http_call *call)
{
    struct curl_slist *h = NULL;
    h = curl_slist_append(
        h, arena_printf(a, "Accept: %s", call->accept ? call->accept : "application/json"));
    if (call->bearer)
        h = curl_slist_append(h, arena_printf(a, "Authorization: Bearer %s", call->bearer));
    else if (call->basic_user)
        h = curl_slist_append(
            h, basic_header(a, call->basic_user, call->basic_password ? call->basic_password : ""));
    if (call->form)
        h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
    return h;
}

static CURL *new_handle(void)
{
    static bool curl_ready;
    if (!curl_ready)
        curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return curl_ready ? curl_easy_init() : NULL;
}

bool auth_oauth_http(arena *a, const oauth_http_call *call, oauth_http_reply *out, char *why,
                     size_t whylen)
{
    CURL *c = new_handle();
    out->status = 0;
    out->json = NULL;
    if (!c) {
        snprintf(why, whylen, "libcurl is not available");
        return false;
    }
    download d = {.too_large = false};
    sbuf_init(&d.body, a, 4096);
    struct curl_slist *headers = call_headers(a, call);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, call->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, call->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, call->timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (call->form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->form);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (d.too_large) {
        snprintf(why, whylen, "%s: reply larger than %d bytes", call->url, OAUTH_HTTP_MAX_BODY);
        return false;
    }
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s: %s", call->url, *errbuf ? errbuf : curl_easy_strerror(rc));
        return false;
    }
    out->json = json_arena_owned(a, json_parse_exact(d.body.data, d.body.len));
    return true;
}

char *auth_oauth_form_add(arena *a, const char *form, const char *key, const char *value)
{
    return arena_printf(a, "%s%s%s=%s", form, *form ? "&" : "", query_encode(a, key),
                        query_encode(a, value));
}
