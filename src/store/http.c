/* SPDX-License-Identifier: MIT */
/*
 * http.c - requests over pooled libcurl easy handles (see http.h). Each
 * attempt takes one token from the request bucket; bytes take tokens from
 * the byte bucket as they move. Buckets go into debt rather than refuse a
 * request larger than one second's budget, so nothing ever waits forever.
 */
#include "store/http.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define POOL_MAX           64 /* idle handles kept */
#define SECRETS_MAX        16
#define RETRY_AFTER_MAX_MS (600 * 1000ULL)

struct sd_http {
    sd_http_config cfg;
    char *store_uri;
    pthread_mutex_t lock;
    CURL *idle[POOL_MAX];
    size_t nidle;
    CURLSH *share;
    pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
    sd_http_bucket requests, bytes;
    char *secrets[SECRETS_MAX]; /* long-lived: keys, refresh tokens */
    size_t nsecrets;
    char *token; /* the current access token */
    long connect_ms, stall_s;
};

/* ---- process-wide init ------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- messages ----------------------------------------------------------- */

static void mask_one(char *msg, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *p;

    if (n < 4) {
        return;
    }
    while ((p = strstr(msg, s)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

int sd_http_error(sd_http *c, int code, const char *fmt, ...)
{
    char msg[SD_ERROR_MSG_MAX];
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->nsecrets; i++) {
        mask_one(msg, c->secrets[i]);
    }
    mask_one(msg, c->token);
    pthread_mutex_unlock(&c->lock);
    return sd_error_set(code, "%s", msg);
}

static void wipe(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        sd_free(s);
    }
}

int sd_http_add_secret(sd_http *c, const char *secret)
{
    char *copy;

    if (!secret || strlen(secret) < 4) {
        return 0;
    }
    if (!(copy = sd_strdup(secret))) {
        return SNAPDIR_EINTERNAL;
    }
    pthread_mutex_lock(&c->lock);
    if (c->nsecrets < SECRETS_MAX) {
        c->secrets[c->nsecrets++] = copy;
        copy = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    wipe(copy);
    return 0;
}

int sd_http_set_token(sd_http *c, const char *token)
{
    char *copy = token ? sd_strdup(token) : NULL;

    if (token && !copy) {
        return SNAPDIR_EINTERNAL;
    }
    pthread_mutex_lock(&c->lock);
    wipe(c->token);
    c->token = copy;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* ---- the client --------------------------------------------------------- */

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *p)
{
    sd_http *c = p;

    (void)h;
    (void)a;
    pthread_mutex_lock(&c->share_lock[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *p)
{
    sd_http *c = p;

    (void)h;
    pthread_mutex_unlock(&c->share_lock[d]);
}

int sd_http_new(sd_http **out, const sd_http_config *cfg)
{
    sd_http *c;
    int i;

    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        return sd_error_set(SNAPDIR_ESTORE, "cannot initialise libcurl: %s",
                            curl_easy_strerror(global_rc));
    }
    if (!(c = sd_calloc(1, sizeof(*c)))) {
        return SNAPDIR_EINTERNAL;
    }
    c->cfg = *cfg;
    if (!(c->store_uri = sd_strdup(cfg->store_uri ? cfg->store_uri : ""))) {
        sd_free(c);
        return SNAPDIR_EINTERNAL;
    }
    c->cfg.store_uri = c->store_uri;
    if (c->cfg.attempts == 0) {
        c->cfg.attempts = 1;
    }
    pthread_mutex_init(&c->lock, NULL);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_init(&c->share_lock[i], NULL);
    }
    sd_http_bucket_init(&c->requests, cfg->max_requests);
    sd_http_bucket_init(&c->bytes, cfg->limit_rate);
    c->connect_ms =
        (long)sd_http_env_u64("SNAPDIR_HTTP_CONNECT_TIMEOUT_MS", 10000);
    c->stall_s = (long)sd_http_env_u64("SNAPDIR_HTTP_STALL_TIMEOUT", 60);
    /* DNS answers and TLS sessions are shared by every handle */
    if ((c->share = curl_share_init()) != NULL) {
        curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
        curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
        curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(c->share, CURLSHOPT_SHARE,
                          CURL_LOCK_DATA_SSL_SESSION);
    }
    *out = c;
    return 0;
}

const sd_http_config *sd_http_config_of(const sd_http *c)
{
    return &c->cfg;
}

void sd_http_free(sd_http *c)
{
    size_t i;
    int k;

    if (!c) {
        return;
    }
    for (i = 0; i < c->nidle; i++) {
        curl_easy_cleanup(c->idle[i]);
    }
    if (c->share) {
        curl_share_cleanup(c->share);
    }
    for (i = 0; i < c->nsecrets; i++) {
        wipe(c->secrets[i]);
    }
    wipe(c->token);
    for (k = 0; k < CURL_LOCK_DATA_LAST; k++) {
        pthread_mutex_destroy(&c->share_lock[k]);
    }
    sd_http_bucket_dispose(&c->requests);
    sd_http_bucket_dispose(&c->bytes);
    pthread_mutex_destroy(&c->lock);
    sd_free(c->store_uri);
    sd_free(c);
}

/* A handle from the pool (its live connections come with it). */
static CURL *take_handle(sd_http *c)
{
    CURL *h = NULL;

    pthread_mutex_lock(&c->lock);
    if (c->nidle > 0) {
        h = c->idle[--c->nidle];
    }
    pthread_mutex_unlock(&c->lock);
    return h ? h : curl_easy_init();
}

static void give_handle(sd_http *c, CURL *h)
{
    pthread_mutex_lock(&c->lock);
    if (c->nidle < POOL_MAX) {
        c->idle[c->nidle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (h) {
        curl_easy_cleanup(h);
    }
}

void sd_http_req_dispose(sd_http_req *req)
{
    sd_buf_dispose(&req->err);
    sd_free(req->location);
    req->location = NULL;
}

/* ---- one request -------------------------------------------------------- */

typedef struct {
    snapdir_store_reader base;
    const char *data;
    size_t len, done;
} data_reader;

static int64_t data_read(snapdir_store_reader *base, void *buf, size_t len)
{
    data_reader *r = (data_reader *)base;

    if (len > r->len - r->done) {
        len = r->len - r->done;
    }
    memcpy(buf, r->data + r->done, len);
    r->done += len;
    return (int64_t)len;
}

static int data_rewind(snapdir_store_reader *base)
{
    ((data_reader *)base)->done = 0;
    return 0;
}

typedef struct {
    sd_http *c;
    sd_http_req *req;
    CURL *h;
    snapdir_store_reader *src;
    uint64_t sent, received;
    long status;
    int cb_error; /* a reader's or writer's code */
    sd_error saved;
    uint64_t retry_after_ms;
} attempt;

static void stop_with(attempt *a, int code)
{
    a->cb_error = code;
    if (sd_error_last()->code == 0) {
        sd_error_set(code, "transfer stopped");
    }
    sd_error_save(&a->saved);
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
    attempt *a = ud;
    uint64_t left = a->req->body_len - a->sent;
    size_t n = size * nmemb;
    int64_t got;

    if ((uint64_t)n > left) {
        n = (size_t)left;
    }
    if (n == 0) {
        return 0;
    }
    got = a->src->read(a->src, buf, n);
    if (got < 0) {
        stop_with(a, (int)got);
        return CURL_READFUNC_ABORT;
    }
    if (got == 0) {
        stop_with(a, sd_error_set(SNAPDIR_EIO,
                                  "the upload source ended %llu bytes early",
                                  (unsigned long long)left));
        return CURL_READFUNC_ABORT;
    }
    a->sent += (uint64_t)got;
    sd_http_bucket_take(&a->c->bytes, (double)got);
    return (size_t)got;
}

static int is_2xx(long status)
{
    return status >= 200 && status < 300;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    attempt *a = ud;
    sd_http_req *r = a->req;
    size_t n = size * nmemb;
    int rc = 0;

    if (!is_2xx(a->status)) {
        size_t room = SD_HTTP_ERR_MAX - r->err.len;

        if (room > 0 && sd_buf_put(&r->err, data, n < room ? n : room) < 0) {
            stop_with(a, SNAPDIR_EINTERNAL);
            return 0;
        }
        return n;
    }
    sd_http_bucket_take(&a->c->bytes, (double)n);
    if (r->sink) {
        rc = r->sink->write(r->sink, data, n);
    } else if (r->out) {
        rc = r->out->len + n > (size_t)64 << 20
                 ? sd_error_set(SNAPDIR_ESTORE, "response too large")
                 : sd_buf_put(r->out, data, n);
    }
    if (rc < 0) {
        stop_with(a, rc);
        return 0;
    }
    a->received += n;
    return n;
}

/* "Name: value\r\n" -> value when the name matches, else NULL. */
static const char *
header_value(const char *line, size_t len, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *v, *end = line + len;

    if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':') {
        return NULL;
    }
    v = line + nl + 1;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
        end--;
    }
    *vlen = (size_t)(end - v);
    return v;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    attempt *a = ud;
    sd_http_req *r = a->req;
    size_t len = size * nmemb, n;
    const char *v;

    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* a new response (after a 100 Continue, say): forget the last */
        const char *sp = memchr(line, ' ', len);

        a->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->etag[0] = r->range[0] = '\0';
        sd_free(r->location);
        r->location = NULL;
        a->retry_after_ms = 0;
    } else if ((v = header_value(line, len, "etag", &n)) != NULL) {
        copy_value(r->etag, sizeof(r->etag), v, n);
    } else if ((v = header_value(line, len, "range", &n)) != NULL) {
        copy_value(r->range, sizeof(r->range), v, n);
    } else if ((v = header_value(line, len, "location", &n)) != NULL) {
        sd_free(r->location);
        r->location = sd_strndup(v, n);
    } else if ((v = header_value(line, len, "retry-after", &n)) != NULL) {
        /* delta-seconds only; an HTTP-date gives no hint */
        char num[32];
        char *end;
        unsigned long long s;

        copy_value(num, sizeof(num), v, n);
        s = strtoull(num, &end, 10);
        if (end != num && *end == '\0') {
            a->retry_after_ms = s * 1000ULL > RETRY_AFTER_MAX_MS
                                    ? RETRY_AFTER_MAX_MS
                                    : s * 1000ULL;
        }
    }
    return len;
}

static int transient_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_SEND_FAIL_REWIND:
        return 1;
    default:
        return 0;
    }
}

static int transient_status(const sd_http_req *r)
{
    static const char *const codes[] = { "RequestTimeout", "SlowDown",
                                         "InternalError", "ServiceUnavailable",
                                         "Throttl" };
    size_t i;

    switch (r->status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
        return 1;
    default:
        break;
    }
    if (r->status >= 400 && r->err.ptr) {
        for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
            if (strstr(r->err.ptr, codes[i])) {
                return 1;
            }
        }
    }
    return 0;
}

static int add_header(struct curl_slist **list, const char *h)
{
    struct curl_slist *n = curl_slist_append(*list, h);

    if (!n) {
        return sd_error_set(SNAPDIR_EINTERNAL, "out of memory");
    }
    *list = n;
    return 0;
}

static int on_seek(void *ud, curl_off_t offset, int origin);

static void set_method(attempt *a)
{
    CURL *h = a->h;
    const sd_http_req *r = a->req;
    int body = r->body != NULL || r->has_data;

    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(r->method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)(body ? r->body_len : 0));
    } else if (strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body ? r->body_len : 0));
    } else {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    }
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, a);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, a);
}

static int setup(attempt *a, struct curl_slist **hdrs, char *errbuf)
{
    CURL *h = a->h;
    sd_http *c = a->c;
    sd_http_req *r = a->req;
    const char *const *p;
    int error;

    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (c->share) {
        curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    }
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                     (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->stall_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 131072L);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 262144L);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    set_method(a);
    /* no 100-continue round trip; we send what we mean to send */
    if ((error = add_header(hdrs, "Expect:")) < 0) {
        return error;
    }
    for (p = r->headers; p && *p; p++) {
        if ((error = add_header(hdrs, *p)) < 0) {
            return error;
        }
    }
    if (r->sign && (error = r->sign(hdrs, r, r->sign_payload)) < 0) {
        return error;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
    return 0;
}

/* Put the body source back where this request's bytes start. */
static int rewind_body(attempt *a)
{
    sd_http_req *r = a->req;
    uint64_t skip = r->body_offset;
    char *buf;
    int error = 0;

    if (!a->src->rewind) {
        return sd_error_set(SNAPDIR_ESTORE, "cannot retry: source not "
                                            "rewindable");
    }
    if ((error = a->src->rewind(a->src)) < 0 || skip == 0) {
        return error;
    }
    if (!(buf = sd_malloc(65536))) {
        return SNAPDIR_EINTERNAL;
    }
    while (skip > 0 && error == 0) {
        int64_t n = a->src->read(a->src, buf, skip < 65536 ? skip : 65536);

        if (n <= 0) {
            error = n < 0 ? (int)n
                          : sd_error_set(SNAPDIR_EIO, "upload source shrank");
        }
        skip -= n > 0 ? (uint64_t)n : 0;
    }
    sd_free(buf);
    return error;
}

/* curl rewinds the body itself when it resends on a fresh connection. */
static int on_seek(void *ud, curl_off_t offset, int origin)
{
    attempt *a = ud;

    if (offset != 0 || origin != SEEK_SET) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    if (a->sent == 0) {
        return CURL_SEEKFUNC_OK;
    }
    if (rewind_body(a) < 0) {
        sd_error_clear();
        return CURL_SEEKFUNC_FAIL;
    }
    a->sent = 0;
    return CURL_SEEKFUNC_OK;
}

/* Ready the body and the sink for another attempt. */
static int prepare_retry(attempt *a)
{
    sd_http_req *r = a->req;
    int error;

    if (a->sent > 0 && (error = rewind_body(a)) < 0) {
        return error;
    }
    if (a->received > 0 && r->sink) {
        if (!r->sink->reset) {
            return sd_error_set(SNAPDIR_ESTORE, "cannot retry: download "
                                                "cannot restart");
        }
        if ((error = r->sink->reset(r->sink)) < 0) {
            return error;
        }
    }
    if (r->out) {
        sd_buf_clear(r->out);
    }
    return 0;
}

/* One attempt: 0 with a->status, or a CURLcode in *rc. */
static int perform(attempt *a, CURLcode *rc, char *errbuf)
{
    struct curl_slist *hdrs = NULL;
    int error;

    a->sent = a->received = 0;
    a->status = 0;
    a->cb_error = 0;
    a->retry_after_ms = 0;
    a->req->status = 0;
    a->req->err.len = 0;
    if (a->req->err.ptr) {
        a->req->err.ptr[0] = '\0';
    }
    errbuf[0] = '\0';
    sd_http_bucket_take(&a->c->requests, 1);
    if ((error = setup(a, &hdrs, errbuf)) < 0) {
        curl_slist_free_all(hdrs);
        return error;
    }
    *rc = curl_easy_perform(a->h);
    curl_slist_free_all(hdrs);
    if (a->cb_error) {
        sd_error_restore(&a->saved);
        return a->cb_error;
    }
    if (*rc == CURLE_OK) {
        curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &a->req->status);
    }
    return 0;
}

int sd_http_do(sd_http *c, sd_http_req *req)
{
    char errbuf[CURL_ERROR_SIZE];
    data_reader mem;
    attempt a;
    unsigned int max = req->attempts ? req->attempts : c->cfg.attempts;
    CURLcode rc = CURLE_OK;
    int error = 0;

    memset(&a, 0, sizeof(a));
    a.c = c;
    a.req = req;
    a.src = req->body;
    if (req->has_data) {
        memset(&mem, 0, sizeof(mem));
        mem.base.read = data_read;
        mem.base.rewind = data_rewind;
        mem.base.size = req->data_len;
        mem.data = req->data;
        mem.len = req->data_len;
        a.src = &mem.base;
        req->body_offset = 0;
        req->body_len = req->data_len;
    }
    if (!(a.h = take_handle(c))) {
        return sd_error_set(SNAPDIR_EINTERNAL, "cannot create a curl handle");
    }
    for (req->tries = 0; req->tries < max;) {
        if (req->tries > 0) {
            sd_http_sleep_ms(
                sd_http_backoff_ms(&c->cfg, req->tries - 1, a.retry_after_ms));
            if ((error = prepare_retry(&a)) < 0) {
                break;
            }
        }
        req->tries++;
        if ((error = perform(&a, &rc, errbuf)) < 0) {
            break;
        }
        if (rc == CURLE_OK ? !transient_status(req) : !transient_curl(rc)) {
            break;
        }
    }
    if (error == 0 && rc != CURLE_OK) {
        error = sd_http_error(
            c, SNAPDIR_ESTORE, "store %s: %s %s: %s (%u %s)", c->cfg.store_uri,
            req->method, req->what, errbuf[0] ? errbuf : curl_easy_strerror(rc),
            req->tries, req->tries == 1 ? "attempt" : "attempts");
    }
    give_handle(c, a.h);
    return error;
}
