/* SMTP and Maildir delivery; see mail_transport.h. */
#include "auth/auth_settings.h"
#include "auth/mail_transport.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t read_upload(char *buf, size_t size, size_t count, void *ctx)
{
    upload *u = ctx;
    size_t room = size * count, left = u->len - u->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->pos, n);
    u->pos += n;
    return n;
}

static bool loopback_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool loopback = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        loopback = strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
                   strcmp(host, "[::1]") == 0;
    curl_free(host);
    curl_url_cleanup(u);
    return loopback;
}

static long tls_policy(const auth_settings *cfg)
{
    bool credentials = cfg->smtp_user && *cfg->smtp_user;
    if (credentials && !loopback_host(cfg->smtp_url))
        return (long)CURLUSESSL_ALL;
    return (long)CURLUSESSL_TRY;
}

static bool smtp_send(const auth_settings *cfg, const char *from_address, const char *to,
                      const char *text, char *why, size_t whylen)
{
    static bool curl_ready;
    if (!curl_ready)
        curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    CURL *c = curl_ready ? curl_easy_init() : NULL;
    if (!c) {
        snprintf(why, whylen, "SMTP: libcurl is not available");
        return false;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    char from[300], rcpt[300];
    snprintf(from, sizeof from, "<%s>", from_address);
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    upload u = {text, strlen(text), 0};
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, tls_policy(cfg));
    if (cfg->smtp_user && *cfg->smtp_user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_pass ? cfg->smtp_pass : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->smtp_timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->smtp_timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        snprintf(why, whylen, "SMTP: %s", *errbuf ? errbuf : curl_easy_strerror(rc));
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    return rc == CURLE_OK;
}

/* mkdir -p (mode 0700 for what it creates). */
static bool ensure_dir(const char *path, char *why, size_t whylen)
{
    char partial[4096];
    size_t n = strlen(path);
    if (n >= sizeof partial) {
        snprintf(why, whylen, "mail spool: path too long");
        return false;
    }
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(partial, path, i);
        partial[i] = '\0';
        if (mkdir(partial, 0700) != 0 && errno != EEXIST) {
            snprintf(why, whylen, "mail spool: cannot create %s: %s", partial, strerror(errno));
            return false;
        }
    }
    return true;
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* A Maildir file name: time, pid and random bits, unique across workers. */
static bool spool_name(char *out, size_t n)
{
    unsigned char r[8];
    if (RAND_bytes(r, sizeof r) != 1)
        return false;
    snprintf(out, n, "%lld.P%ldR%02x%02x%02x%02x%02x%02x%02x%02x.pgstack", (long long)time(NULL),
             (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
    return true;
}

static bool spool_write(const char *dir, const char *text, char *why, size_t whylen)
{
    char tmp_dir[4096], new_dir[4096], name[96], tmp_path[4300], new_path[4300];
    if (!dir || !*dir) {
        snprintf(why, whylen, "mail spool: MAIL_SPOOL_DIR is empty");
        return false;
    }
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tmp", dir);
    snprintf(new_dir, sizeof new_dir, "%s/new", dir);
    if (!ensure_dir(dir, why, whylen) || !ensure_dir(tmp_dir, why, whylen) ||
        !ensure_dir(new_dir, why, whylen))
        return false;
    if (!spool_name(name, sizeof name)) {
        snprintf(why, whylen, "mail spool: no randomness for a file name");
        return false;
    }
    snprintf(tmp_path, sizeof tmp_path, "%s/%s", tmp_dir, name);
    snprintf(new_path, sizeof new_path, "%s/%s", new_dir, name);
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, whylen, "mail spool: cannot create %s: %s", tmp_path, strerror(errno));
        return false;
    }
    bool ok = write_all(fd, text, strlen(text)) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp_path, new_path) == 0)
        return true;
    snprintf(why, whylen, "mail spool: cannot write %s: %s", tmp_path, strerror(errno));
    unlink(tmp_path);
    return false;
}

bool auth_mail_transport_send(const auth_settings *cfg, const char *from_address, const char *to,
                              const char *text, char *why, size_t whylen)
{
    if (cfg->smtp_url && *cfg->smtp_url)
        return smtp_send(cfg, from_address, to, text, why, whylen);
    return spool_write(cfg->mail_spool_dir, text, why, whylen);
}
