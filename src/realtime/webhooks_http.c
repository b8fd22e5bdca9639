/* libcurl multi driven by the ae loop; see webhooks_http.h. */
#include "realtime/webhooks_http.h"

#include <stdlib.h>

struct wh_http {
    ae_loop *loop;
    CURLM *multi;
    long long timer; /* 0: none armed */
    wh_http_done_fn *done;
    void *data;
};

static void wh_http_reap(wh_http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        curl_multi_remove_handle(h->multi, easy);
        h->done(h->data, easy, code);
    }
}

static void wh_http_on_fd(ae_loop *loop, int fd, void *data, int mask)
{
    (void)loop;
    wh_http *h = data;
    int flags =
        (mask & AE_READABLE ? CURL_CSELECT_IN : 0) | (mask & AE_WRITABLE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    wh_http_reap(h);
}

static int wh_http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    wh_http *h = userp;
    if (what == CURL_POLL_REMOVE) {
        ae_file_del(h->loop, fd, AE_READABLE | AE_WRITABLE);
        return 0;
    }
    int want = (what == CURL_POLL_IN || what == CURL_POLL_INOUT ? AE_READABLE : 0) |
               (what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? AE_WRITABLE : 0);
    int drop = (AE_READABLE | AE_WRITABLE) & ~want & ae_file_mask(h->loop, fd);
    if (drop)
        ae_file_del(h->loop, fd, drop);
    if (want && !ae_file_add(h->loop, fd, want, wh_http_on_fd, h))
        return -1;
    return 0;
}

static long wh_http_on_timer(ae_loop *loop, long long id, void *data)
{
    (void)loop;
    (void)id;
    wh_http *h = data;
    h->timer = 0; /* this one is done; curl may arm the next below */
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    wh_http_reap(h);
    return AE_TIMER_DONE;
}

static int wh_http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    wh_http *h = userp;
    if (h->timer) {
        ae_timer_del(h->loop, h->timer);
        h->timer = 0;
    }
    if (timeout_ms >= 0)
        h->timer = ae_timer_add(h->loop, timeout_ms, wh_http_on_timer, h);
    return 0;
}

wh_http *wh_http_new(ae_loop *loop, wh_http_done_fn *done, void *data)
{
    wh_http *h = calloc(1, sizeof *h);
    if (!h || !(h->multi = curl_multi_init())) {
        free(h);
        return NULL;
    }
    h->loop = loop;
    h->done = done;
    h->data = data;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, wh_http_socket_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, wh_http_timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

bool wh_http_add(wh_http *h, CURL *easy)
{
    return curl_multi_add_handle(h->multi, easy) == CURLM_OK;
}

void wh_http_remove(wh_http *h, CURL *easy)
{
    curl_multi_remove_handle(h->multi, easy);
}

void wh_http_free(wh_http *h)
{
    if (!h)
        return;
    if (h->timer)
        ae_timer_del(h->loop, h->timer);
    curl_multi_cleanup(h->multi);
    free(h);
}
