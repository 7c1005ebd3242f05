/* SPDX-License-Identifier: MIT */
/*
 * http_pace.c - how the HTTP layer paces itself: token buckets (request
 * and byte rates) that go into debt instead of refusing a request larger
 * than one second's budget, and full-jitter exponential backoff. Also the
 * small pure helpers (percent-encoding, reasons, knobs from the env).
 */
#include "store/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sd_http_sleep_ms(uint64_t ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

uint64_t sd_http_env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    char *end;
    unsigned long long n;

    if (!v || !*v || *v == '-') {
        return dflt;
    }
    errno = 0;
    n = strtoull(v, &end, 10);
    return errno || *end || n == 0 ? dflt : (uint64_t)n;
}

void sd_http_config_init(sd_http_config *out,
                         const char *store_uri,
                         const sd_store_config *cfg,
                         double dflt_requests,
                         double dflt_rate)
{
    memset(out, 0, sizeof(*out));
    out->store_uri = store_uri;
    out->attempts = cfg && cfg->max_retries ? cfg->max_retries : 5;
    out->base_ms = cfg && cfg->retry_base_ms ? cfg->retry_base_ms : 250;
    out->cap_ms = cfg && cfg->retry_max_ms ? cfg->retry_max_ms : 30000;
    out->max_requests =
        cfg && cfg->max_requests ? (double)cfg->max_requests : dflt_requests;
    out->limit_rate =
        cfg && cfg->limit_rate ? (double)cfg->limit_rate : dflt_rate;
}

/* ---- token buckets ------------------------------------------------------ */

void sd_http_bucket_init(sd_http_bucket *b, double rate)
{
    pthread_mutex_init(&b->lock, NULL);
    b->rate = rate > 0 ? rate : 0;
    b->tokens = b->rate; /* starts full: one second's worth */
    b->last = now_s();
}

/*
 * Take n tokens. The balance may go negative (debt); the taker then sleeps
 * until its own debt is paid, so a request larger than the capacity is
 * delayed, never refused.
 */
void sd_http_bucket_take(sd_http_bucket *b, double n)
{
    double t, wait = 0;

    if (b->rate <= 0 || n <= 0) {
        return;
    }
    pthread_mutex_lock(&b->lock);
    t = now_s();
    b->tokens += (t - b->last) * b->rate;
    if (b->tokens > b->rate) {
        b->tokens = b->rate;
    }
    b->last = t;
    b->tokens -= n;
    if (b->tokens < 0) {
        wait = -b->tokens / b->rate;
    }
    pthread_mutex_unlock(&b->lock);
    if (wait > 0) {
        sd_http_sleep_ms((uint64_t)(wait * 1000.0 + 0.5));
    }
}

/* SplitMix64, seeded per thread from the clock and a process counter. */
static double jitter(void)
{
    static uint64_t counter;
    static _Thread_local uint64_t state;
    uint64_t z;

    if (state == 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
                (__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED) *
                 0x9e3779b97f4a7c15ULL);
    }
    z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0; /* [0, 1) */
}

uint64_t
sd_http_backoff_ms(const sd_http_config *cfg, unsigned int n, uint64_t hint_ms)
{
    double exp = (double)cfg->base_ms;
    uint64_t delay;
    unsigned int i;

    for (i = 0; i < n && exp < (double)cfg->cap_ms; i++) {
        exp *= 2;
    }
    if (exp > (double)cfg->cap_ms) {
        exp = (double)cfg->cap_ms;
    }
    delay = (uint64_t)(jitter() * exp);
    return hint_ms > delay ? hint_ms : delay;
}

void sd_http_bucket_dispose(sd_http_bucket *b)
{
    pthread_mutex_destroy(&b->lock);
}

/* ---- backoff and the rest ------------------------------------------------ */

const char *sd_http_reason(long status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

int sd_http_encode(sd_buf *out, const char *s, int keep_slash)
{
    static const char hexd[] = "0123456789ABCDEF";
    int error = 0;

    for (; *s && error == 0; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
            (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
            ch == '~' || (ch == '/' && keep_slash)) {
            error = sd_buf_putc(out, (char)ch);
        } else {
            char esc[3] = { '%', hexd[ch >> 4], hexd[ch & 15] };

            error = sd_buf_put(out, esc, 3);
        }
    }
    return error;
}
