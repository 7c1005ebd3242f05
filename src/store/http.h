/* SPDX-License-Identifier: MIT */
/*
 * http.h - the small HTTP layer of the network stores, over libcurl easy
 * handles kept in a per-store pool (so connections are reused across the
 * transfer threads). Bodies stream from a snapdir_store_reader and into a
 * snapdir_store_writer; transient failures are retried with full-jitter
 * exponential backoff; a request-rate and a byte-rate token bucket pace
 * the traffic. No message ever carries a credential.
 */
#ifndef SD_HTTP_H
#define SD_HTTP_H

#include "store/sd_store.h"
#include "util/sd_str.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>

typedef struct {
    const char *store_uri; /* named in every message */
    unsigned int attempts; /* per request, the first try included (>= 1) */
    unsigned int base_ms;  /* backoff base */
    unsigned int cap_ms;   /* backoff cap (a Retry-After may exceed it) */
    double max_requests;   /* requests per second; 0 = unlimited */
    double limit_rate;     /* bytes per second; 0 = unlimited */
} sd_http_config;

/* The store's knobs with the defaults filled in (and a backend's own). */
void sd_http_config_init(sd_http_config *out,
                         const char *store_uri,
                         const sd_store_config *cfg,
                         double dflt_requests,
                         double dflt_rate);

/*
 * A token bucket: rate tokens a second, starting full with one second's
 * worth. take() may leave it in debt; the taker then sleeps until its
 * own debt is paid. A rate of 0 is unlimited.
 */
typedef struct {
    pthread_mutex_t lock;
    double rate, tokens;
    double last; /* seconds, monotonic */
} sd_http_bucket;

void sd_http_bucket_init(sd_http_bucket *b, double rate);
void sd_http_bucket_take(sd_http_bucket *b, double n);
void sd_http_bucket_dispose(sd_http_bucket *b);

typedef struct sd_http sd_http;
typedef struct sd_http_req sd_http_req;

/* Add per-attempt headers (signatures, tokens) to *headers. */
typedef int (*sd_http_sign_fn)(struct curl_slist **headers,
                               const sd_http_req *req,
                               void *payload);

#define SD_HTTP_ERR_MAX 16384 /* bytes of an error body kept */

struct sd_http_req {
    /* ---- in ---- */
    const char *method; /* GET HEAD PUT POST DELETE */
    const char *url;
    const char *what;           /* the key or operation, for messages */
    const char *const *headers; /* NULL-terminated "Name: value" list */
    /* the body: body_len bytes of a reader from body_offset, or data */
    snapdir_store_reader *body;
    uint64_t body_offset, body_len;
    const char *data;
    size_t data_len;
    int has_data;
    /* a 2xx response body streams into sink, or collects into out */
    snapdir_store_writer *sink;
    sd_buf *out;
    unsigned int attempts; /* 0 = the client's */
    sd_http_sign_fn sign;
    void *sign_payload;
    /* ---- out ---- */
    long status;        /* final HTTP status, 0 when none */
    unsigned int tries; /* attempts made */
    sd_buf err;         /* a non-2xx body (at most SD_HTTP_ERR_MAX bytes) */
    char etag[256];
    char range[128];
    char *location;
};

int sd_http_new(sd_http **out, const sd_http_config *cfg);
void sd_http_free(sd_http *c);

/* The client's configuration (borrowed). */
const sd_http_config *sd_http_config_of(const sd_http *c);

/* A string masked as "***" in every message of this client. */
int sd_http_add_secret(sd_http *c, const char *secret);
/* The same for the current access token (replacing the last one). */
int sd_http_set_token(sd_http *c, const char *token);

/*
 * Run a request with retries. Returns 0 once a response arrived (any
 * status; see req->status), or a negative code with the error recorded:
 * a transport failure that outlived every attempt (SNAPDIR_ESTORE), or
 * the code of the reader or writer that stopped the transfer.
 */
int sd_http_do(sd_http *c, sd_http_req *req);

/* Release what a request collected (err, location); keeps the inputs. */
void sd_http_req_dispose(sd_http_req *req);

/* Record an error whose message has every secret masked; returns code. */
int sd_http_error(sd_http *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The sleep before retry n (0-based) in ms, at least hint_ms. */
uint64_t
sd_http_backoff_ms(const sd_http_config *cfg, unsigned int n, uint64_t hint_ms);

/* Sleep ms milliseconds. */
void sd_http_sleep_ms(uint64_t ms);

/* Percent-encode s (RFC 3986 unreserved kept; '/' kept when keep_slash). */
int sd_http_encode(sd_buf *out, const char *s, int keep_slash);

/* The "Reason" of a status code ("Forbidden"), or "". */
const char *sd_http_reason(long status);

/* A positive integer from the environment, or dflt. */
uint64_t sd_http_env_u64(const char *name, uint64_t dflt);

#endif
