/* A webhook delivery attempt with libcurl; see webhooks_job.h. */
#include "realtime/webhooks_job.h"

#include "core/log.h"
#include "webhooks/webhook_secret.h"
#include "webhooks/webhook_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define WH_USER_AGENT "pgstack-webhooks/1.0"

/* Checks the address curl is about to connect to. */
static curl_socket_t wh_job_open_socket(void *clientp, curlsocktype purpose,
                                        struct curl_sockaddr *address)
{
    (void)purpose;
    wh_job *job = clientp;
    if (!webhook_addr_allowed(&address->addr, job->deny_private, job->why, sizeof job->why)) {
        job->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

/* Replies are read and dropped. */
static size_t wh_job_discard(char *ptr, size_t size, size_t n, void *data)
{
    (void)ptr;
    (void)data;
    return size * n;
}

static struct curl_slist *wh_job_headers(const wh_job *job, const char *secret)
{
    char line[128];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "X-Webhook-Id: %s", job->id);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Expect:");
    if (secret) {
        char sig[80];
        webhook_signature(secret, job->body, strlen(job->body), sig, sizeof sig);
        snprintf(line, sizeof line, "X-Webhook-Signature: %s", sig);
        h = curl_slist_append(h, line);
    }
    return h;
}

static void wh_job_options(wh_job *job, const char *url, long timeout_s)
{
    CURL *e = job->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, job);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, job->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(job->body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, WH_USER_AGENT);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_s * 1000L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, wh_job_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, job);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wh_job_discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->errbuf);
}

wh_job *wh_job_new(const char *id, int attempt, const char *url, const char *body,
                   const char *secret, long timeout_s, bool deny_private)
{
    wh_job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->id = strdup(id);
    job->body = strdup(body);
    job->attempt = attempt;
    job->deny_private = deny_private;
    job->easy = curl_easy_init();
    if (!job->id || !job->body || !job->easy) {
        wh_job_free(job);
        return NULL;
    }
    job->headers = wh_job_headers(job, secret);
    wh_job_options(job, url, timeout_s);
    return job;
}

void wh_job_free(wh_job *job)
{
    if (!job)
        return;
    if (job->easy)
        curl_easy_cleanup(job->easy);
    curl_slist_free_all(job->headers);
    free(job->id);
    free(job->body);
    free(job);
}

wh_outcome wh_job_result(wh_job *job, CURLcode code, long *status, const char **error)
{
    *status = 0;
    if (code == CURLE_OK)
        curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, status);
    wh_outcome out =
        wh_outcome_of(job->refused, code == CURLE_OPERATION_TIMEDOUT, code != CURLE_OK, *status);
    if (out == WH_OUT_DELIVERED)
        *error = NULL;
    else if (job->refused)
        *error = job->why;
    else if (code != CURLE_OK)
        *error = job->errbuf[0] ? job->errbuf : curl_easy_strerror(code);
    else
        *error = wh_outcome_label(out);
    return out;
}
