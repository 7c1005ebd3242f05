/* SPDX-License-Identifier: MIT */
/*
 * store_s3.c - the s3:// backend, and the S3 client that b2:// reuses.
 * Requests are signed with SigV4 over an unsigned (streamed) payload;
 * objects above a threshold go up as a multipart upload that is aborted
 * when any part fails, so an object is visible whole or not at all.
 */
#include "store/store_s3.h"
#include "store/http.h"
#include "store/s3_auth.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if SD_WITH_S3 || SD_WITH_B2

#define MIB (1024ULL * 1024ULL)
#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

typedef struct {
    snapdir_store parent;
    sd_http *http;
    sd_s3_creds creds;
    const char *flavour; /* "s3" or "b2" */
    char *bucket, *prefix;
    char *origin;    /* "https://host[:port]" requests go to */
    char *host;      /* the Host header */
    char *base_path; /* "" or "/path" of a custom endpoint */
    int path_style;
    uint64_t multipart_threshold, part_size;
} s3_store;

/* ---- requests ----------------------------------------------------------- */

typedef struct {
    s3_store *s;
    const char *method;
    const char *canon_path;
    const char *query;
    const char *payload_hash;
} sign_ctx;

static int push_header(struct curl_slist **h, const char *name, const char *v)
{
    sd_buf line = SD_BUF_INIT;
    struct curl_slist *n = NULL;

    if (sd_buf_printf(&line, "%s: %s", name, v) == 0) {
        n = curl_slist_append(*h, line.ptr);
    }
    if (line.ptr) {
        memset(line.ptr, 0, line.len);
    }
    sd_buf_dispose(&line);
    if (!n) {
        return sd_error_set(SNAPDIR_EINTERNAL, "out of memory");
    }
    *h = n;
    return 0;
}

static int sign_cb(struct curl_slist **hdrs, const sd_http_req *req, void *p)
{
    sign_ctx *x = p;
    const sd_s3_creds *c = &x->s->creds;
    sd_s3_header signed_h[4];
    sd_buf auth = SD_BUF_INIT;
    char date[17];
    size_t n = 0;
    int error;

    (void)req;
    sd_s3_amz_date(date, time(NULL));
    signed_h[n++] = (sd_s3_header){ "host", x->s->host };
    signed_h[n++] = (sd_s3_header){ "x-amz-content-sha256", x->payload_hash };
    signed_h[n++] = (sd_s3_header){ "x-amz-date", date };
    if (c->session_token) {
        signed_h[n++] =
            (sd_s3_header){ "x-amz-security-token", c->session_token };
    }
    if ((error = push_header(hdrs, "Host", x->s->host)) < 0 ||
        (error = push_header(hdrs, "x-amz-content-sha256", x->payload_hash)) <
            0 ||
        (error = push_header(hdrs, "x-amz-date", date)) < 0) {
        return error;
    }
    if (c->session_token && (error = push_header(hdrs, "x-amz-security-token",
                                                 c->session_token)) < 0) {
        return error;
    }
    if (!c->access_key) {
        return 0; /* anonymous */
    }
    error = sd_s3_sign(&auth, c, "s3", x->method, x->canon_path, x->query,
                       signed_h, n, x->payload_hash, date);
    if (error == 0) {
        error = push_header(hdrs, "Authorization", auth.ptr);
    }
    if (auth.ptr) {
        memset(auth.ptr, 0, auth.len);
    }
    sd_buf_dispose(&auth);
    return error;
}

/* The encoded path of an object key (or of the bucket when key is NULL). */
static int object_path(sd_buf *path, const s3_store *s, const char *key)
{
    int error = sd_buf_puts(path, s->base_path);

    if (error == 0 && s->path_style) {
        error = sd_buf_putc(path, '/');
        if (error == 0) {
            error = sd_http_encode(path, s->bucket, 0);
        }
    }
    if (error == 0) {
        error = sd_buf_putc(path, '/');
    }
    if (error == 0 && key) {
        if (s->prefix[0]) {
            error = sd_http_encode(path, s->prefix, 1);
            if (error == 0) {
                error = sd_buf_putc(path, '/');
            }
        }
        if (error == 0) {
            error = sd_http_encode(path, key, 1);
        }
    }
    if (error == 0 && !key && s->path_style && path->len > 1) {
        path->ptr[--path->len] = '\0'; /* "/bucket", as the SDKs sign it */
    }
    return error;
}

/*
 * Send req to key (NULL: the bucket) with a query that is already sorted
 * and encoded ("" for none).
 */
static int s3_send(s3_store *s,
                   sd_http_req *req,
                   const char *key,
                   const char *query,
                   const char *payload_hash)
{
    sd_buf path = SD_BUF_INIT, url = SD_BUF_INIT;
    sign_ctx x;
    int error;

    if ((error = object_path(&path, s, key)) < 0 ||
        (error = sd_buf_printf(&url, "%s%s%s%s", s->origin, path.ptr,
                               query[0] ? "?" : "", query)) < 0) {
        goto cleanup;
    }
    x.s = s;
    x.method = req->method;
    x.canon_path = path.ptr;
    x.query = query;
    x.payload_hash = payload_hash;
    req->url = url.ptr;
    req->sign = sign_cb;
    req->sign_payload = &x;
    error = sd_http_do(s->http, req);
    req->url = NULL;
    req->sign = NULL;
cleanup:
    sd_buf_dispose(&path);
    sd_buf_dispose(&url);
    return error;
}

/* ---- responses ---------------------------------------------------------- */

/* The text of the first <tag>...</tag> at or after from, or NULL. */
static const char *
xml_tag(const char *xml, const char *tag, size_t *len, const char **after)
{
    char open[64], close[64];
    const char *b, *e;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    if (!xml || !(b = strstr(xml, open))) {
        return NULL;
    }
    b += strlen(open);
    if (!(e = strstr(b, close))) {
        return NULL;
    }
    *len = (size_t)(e - b);
    if (after) {
        *after = e + strlen(close);
    }
    return b;
}

/* Append XML text with its entities decoded. */
static int xml_text(sd_buf *out, const char *p, size_t n)
{
    static const struct {
        const char *ent;
        char ch;
    } ents[] = { { "&amp;", '&' },
                 { "&lt;", '<' },
                 { "&gt;", '>' },
                 { "&quot;", '"' },
                 { "&apos;", '\'' } };
    const char *end = p + n;
    int error = 0;

    while (p < end && error == 0) {
        size_t i, k = 0;

        if (*p == '&') {
            for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
                size_t el = strlen(ents[i].ent);

                if ((size_t)(end - p) >= el &&
                    memcmp(p, ents[i].ent, el) == 0) {
                    error = sd_buf_putc(out, ents[i].ch);
                    k = el;
                    break;
                }
            }
            if (k == 0 && end - p > 3 && p[1] == '#') {
                char *stop;
                long cp = p[2] == 'x' ? strtol(p + 3, &stop, 16)
                                      : strtol(p + 2, &stop, 10);

                if (stop < end && *stop == ';' && cp > 0 && cp < 128) {
                    error = sd_buf_putc(out, (char)cp);
                    k = (size_t)(stop + 1 - p);
                }
            }
        }
        if (k == 0) {
            error = sd_buf_putc(out, *p);
            k = 1;
        }
        p += k;
    }
    return error;
}

static int has_code(const sd_http_req *r, const char *code)
{
    size_t n;
    const char *c = xml_tag(r->err.ptr, "Code", &n, NULL);

    return c && n == strlen(code) && memcmp(c, code, n) == 0;
}

/* Describe an unexpected response; returns SNAPDIR_ESTORE. */
static int s3_fail(const s3_store *s, const sd_http_req *r)
{
    sd_buf detail = SD_BUF_INIT;
    const char *code, *msg, *hint = "";
    size_t cn = 0, mn = 0;
    int error;

    code = xml_tag(r->err.ptr, "Code", &cn, NULL);
    msg = xml_tag(r->err.ptr, "Message", &mn, NULL);
    if (code) {
        sd_buf_puts(&detail, " (");
        xml_text(&detail, code, cn);
        if (msg) {
            sd_buf_puts(&detail, ": ");
            xml_text(&detail, msg, mn < 300 ? mn : 300);
        }
        sd_buf_putc(&detail, ')');
    }
    if (has_code(r, "NoSuchBucket")) {
        hint = "; the bucket does not exist";
    } else if (r->status == 401 || r->status == 403) {
        hint = s->creds.access_key
                   ? "; check the credentials and the bucket's permissions"
                   : "; no AWS credentials found (set AWS_ACCESS_KEY_ID and "
                     "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)";
    }
    error = sd_http_error(
        s->http, SNAPDIR_ESTORE, "store %s: %s %s: HTTP %ld %s%s%s%s",
        sd_http_config_of(s->http)->store_uri, r->method, r->what, r->status,
        sd_http_reason(r->status), detail.ptr ? detail.ptr : "", hint,
        r->tries > 1 ? " (after retrying)" : "");
    sd_buf_dispose(&detail);
    return error;
}

/* ---- the vtable --------------------------------------------------------- */

static int s3_exists(snapdir_store *base, const char *key)
{
    s3_store *s = (s3_store *)base;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "HEAD";
    r.what = key;
    error = s3_send(s, &r, key, "", EMPTY_SHA256);
    if (error == 0) {
        error = r.status == 200 ? 1 : r.status == 404 ? 0 : s3_fail(s, &r);
    }
    sd_http_req_dispose(&r);
    return error;
}

static int s3_get(snapdir_store *base, const char *key, snapdir_store_writer *w)
{
    s3_store *s = (s3_store *)base;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.what = key;
    r.sink = w;
    error = s3_send(s, &r, key, "", EMPTY_SHA256);
    if (error == 0 && r.status != 200) {
        error = r.status == 404 && !has_code(&r, "NoSuchBucket")
                    ? SNAPDIR_STORE_ENOTFOUND
                    : s3_fail(s, &r);
    }
    sd_http_req_dispose(&r);
    return error;
}

static const char *const octet_stream[] = {
    "Content-Type: application/octet-stream", NULL
};

/* PUT body_len bytes of r (from its current position) under key. */
static int put_bytes(s3_store *s,
                     snapdir_store_reader *rd,
                     const char *key,
                     const char *query,
                     uint64_t offset,
                     uint64_t len,
                     char *etag,
                     size_t etag_cap)
{
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "PUT";
    r.what = key;
    r.headers = octet_stream;
    r.body = rd;
    r.body_offset = offset;
    r.body_len = len;
    error = s3_send(s, &r, key, query, UNSIGNED_PAYLOAD);
    if (error == 0 && r.status != 200) {
        error = s3_fail(s, &r);
    }
    if (error == 0 && etag) {
        snprintf(etag, etag_cap, "%s", r.etag);
    }
    sd_http_req_dispose(&r);
    return error;
}

/* POST with an in-memory body; the response body into out. */
static int post(s3_store *s,
                const char *key,
                const char *query,
                const char *data,
                sd_buf *out)
{
    static const char *const xml[] = { "Content-Type: application/xml", NULL };
    char hash[65];
    sd_http_req r;
    int error;

    if ((error = sd_s3_sha256_hex(hash, data, strlen(data))) < 0) {
        return error;
    }
    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.what = key;
    r.headers = xml;
    r.data = data;
    r.data_len = strlen(data);
    r.has_data = 1;
    r.out = out;
    error = s3_send(s, &r, key, query, hash);
    /* CompleteMultipartUpload may fail with a 200 and an <Error> body */
    if (error == 0 && r.status == 200 && out->ptr &&
        strstr(out->ptr, "<Error>")) {
        sd_buf_clear(&r.err);
        sd_buf_put(&r.err, out->ptr, out->len);
        r.status = 500;
    }
    if (error == 0 && r.status != 200) {
        error = s3_fail(s, &r);
    }
    sd_http_req_dispose(&r);
    return error;
}

static void abort_upload(s3_store *s, const char *key, const char *query)
{
    sd_http_req r;
    sd_error saved;

    sd_error_save(&saved);
    memset(&r, 0, sizeof(r));
    r.method = "DELETE";
    r.what = key;
    if (s3_send(s, &r, key, query, EMPTY_SHA256) < 0) {
        sd_error_clear(); /* best effort: the lifecycle rules reap it */
    }
    sd_http_req_dispose(&r);
    sd_error_restore(&saved);
}

/* Upload the parts, then commit them in one CompleteMultipartUpload. */
static int put_parts(s3_store *s,
                     snapdir_store_reader *rd,
                     const char *key,
                     const char *id_enc,
                     sd_buf *xml)
{
    uint64_t part = s->part_size, off = 0, size = rd->size;
    unsigned int n;
    int error = 0;

    if (size / part >= 10000) {
        part = size / 9999 + 1; /* S3 takes at most 10,000 parts */
    }
    error = sd_buf_puts(xml, "<CompleteMultipartUpload>");
    for (n = 1; error == 0 && off < size; n++) {
        uint64_t len = size - off < part ? size - off : part;
        char query[1200], etag[256];

        snprintf(query, sizeof(query), "partNumber=%u&uploadId=%s", n, id_enc);
        if ((error = put_bytes(s, rd, key, query, off, len, etag,
                               sizeof(etag))) < 0) {
            break;
        }
        error = sd_buf_printf(xml,
                              "<Part><PartNumber>%u</PartNumber>"
                              "<ETag>%s</ETag></Part>",
                              n, etag);
        off += len;
    }
    if (error == 0) {
        error = sd_buf_puts(xml, "</CompleteMultipartUpload>");
    }
    return error;
}

static int put_multipart(s3_store *s, const char *key, snapdir_store_reader *rd)
{
    sd_buf resp = SD_BUF_INIT, id = SD_BUF_INIT, id_enc = SD_BUF_INIT;
    sd_buf xml = SD_BUF_INIT, query = SD_BUF_INIT;
    const char *p;
    size_t n;
    int error;

    if ((error = post(s, key, "uploads=", "", &resp)) < 0) {
        goto cleanup;
    }
    if (!(p = xml_tag(resp.ptr, "UploadId", &n, NULL))) {
        error = sd_http_error(s->http, SNAPDIR_ESTORE,
                              "store %s: POST %s: no UploadId in the reply",
                              sd_http_config_of(s->http)->store_uri, key);
        goto cleanup;
    }
    if ((error = xml_text(&id, p, n)) < 0 ||
        (error = sd_http_encode(&id_enc, id.ptr, 0)) < 0 ||
        (error = sd_buf_printf(&query, "uploadId=%s", id_enc.ptr)) < 0) {
        goto cleanup;
    }
    if ((error = put_parts(s, rd, key, id_enc.ptr, &xml)) == 0) {
        sd_buf_clear(&resp);
        error = post(s, key, query.ptr, xml.ptr, &resp);
    }
    if (error < 0) {
        abort_upload(s, key, query.ptr);
    }
cleanup:
    sd_buf_dispose(&resp);
    sd_buf_dispose(&id);
    sd_buf_dispose(&id_enc);
    sd_buf_dispose(&xml);
    sd_buf_dispose(&query);
    return error;
}

static int s3_put(snapdir_store *base, const char *key, snapdir_store_reader *r)
{
    s3_store *s = (s3_store *)base;

    if (r->size >= s->multipart_threshold) {
        return put_multipart(s, key, r);
    }
    return put_bytes(s, r, key, "", 0, r->size, NULL, 0);
}

/* Report the keys of one ListObjectsV2 page; the next token into next. */
static int list_page(s3_store *s,
                     const char *xml,
                     snapdir_store_list_cb cb,
                     void *payload,
                     sd_buf *next)
{
    size_t skip = s->prefix[0] ? strlen(s->prefix) + 1 : 0, n;
    sd_buf key = SD_BUF_INIT;
    const char *p, *after = xml;
    int error = 0;

    while (error == 0 && (p = xml_tag(after, "Key", &n, &after)) != NULL) {
        sd_buf_clear(&key);
        if ((error = xml_text(&key, p, n)) == 0 && key.len > skip &&
            cb(key.ptr + skip, payload)) {
            error = 1; /* the callback stopped the listing */
        }
    }
    sd_buf_clear(next);
    p = xml_tag(xml, "IsTruncated", &n, NULL);
    if (error == 0 && p && n == 4 && memcmp(p, "true", 4) == 0 &&
        (p = xml_tag(xml, "NextContinuationToken", &n, NULL)) != NULL) {
        error = xml_text(next, p, n);
    }
    sd_buf_dispose(&key);
    return error;
}

static int s3_list(snapdir_store *base,
                   const char *prefix,
                   snapdir_store_list_cb cb,
                   void *payload)
{
    s3_store *s = (s3_store *)base;
    sd_buf full = SD_BUF_INIT, query = SD_BUF_INIT, token = SD_BUF_INIT;
    sd_buf body = SD_BUF_INIT;
    int error;

    error = sd_buf_printf(&full, "%s%s%s", s->prefix, s->prefix[0] ? "/" : "",
                          prefix);
    do {
        sd_http_req r;

        sd_buf_clear(&query);
        if (error == 0 && token.len) {
            error = sd_buf_puts(&query, "continuation-token=");
            if (error == 0) {
                error = sd_http_encode(&query, token.ptr, 0);
            }
            if (error == 0) {
                error = sd_buf_putc(&query, '&');
            }
        }
        if (error == 0) {
            error = sd_buf_puts(&query, "list-type=2&prefix=");
        }
        if (error == 0) {
            error = sd_http_encode(&query, full.ptr, 0);
        }
        if (error < 0) {
            break;
        }
        memset(&r, 0, sizeof(r));
        r.method = "GET";
        r.what = prefix;
        sd_buf_clear(&body);
        r.out = &body;
        error = s3_send(s, &r, NULL, query.ptr, EMPTY_SHA256);
        if (error == 0 && r.status != 200) {
            error = s3_fail(s, &r);
        }
        sd_http_req_dispose(&r);
        if (error == 0) {
            error = list_page(s, body.ptr ? body.ptr : "", cb, payload, &token);
        }
    } while (error == 0 && token.len > 0);
    sd_buf_dispose(&full);
    sd_buf_dispose(&query);
    sd_buf_dispose(&token);
    sd_buf_dispose(&body);
    return error > 0 ? 0 : error;
}

static int s3_remove(snapdir_store *base, const char *key)
{
    s3_store *s = (s3_store *)base;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "DELETE";
    r.what = key;
    error = s3_send(s, &r, key, "", EMPTY_SHA256);
    if (error == 0 && r.status != 200 && r.status != 204 && r.status != 404) {
        error = s3_fail(s, &r);
    }
    sd_http_req_dispose(&r);
    return error;
}

static void s3_free(snapdir_store *base)
{
    s3_store *s = (s3_store *)base;

    sd_http_free(s->http);
    sd_s3_creds_dispose(&s->creds);
    sd_free(s->bucket);
    sd_free(s->prefix);
    sd_free(s->origin);
    sd_free(s->host);
    sd_free(s->base_path);
    sd_free(s);
}

/* ---- construction ------------------------------------------------------- */

/* A bucket name that can be a DNS label of a virtual host. */
static int dns_bucket(const char *b)
{
    size_t n = strlen(b), i;

    if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-') {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') ||
              b[i] == '-')) {
            return 0;
        }
    }
    return 1;
}

/* Split "http[s]://host[:port][/base]" into origin, Host and base path. */
static int set_endpoint(s3_store *s, const char *url, const char *vhost)
{
    const char *scheme = "https", *p = url, *slash;
    sd_buf host = SD_BUF_INIT, origin = SD_BUF_INIT;
    size_t hl;
    int error;

    if (strncmp(p, "http://", 7) == 0) {
        scheme = "http";
        p += 7;
    } else if (strncmp(p, "https://", 8) == 0) {
        p += 8;
    }
    slash = strchr(p, '/');
    hl = slash ? (size_t)(slash - p) : strlen(p);
    if (hl == 0) {
        return sd_error_set(SNAPDIR_EINVALID_STORE,
                            "invalid S3 endpoint URL '%s'", url);
    }
    /* the default port is not part of the Host header */
    if (strcmp(scheme, "https") == 0 && hl > 4 &&
        memcmp(p + hl - 4, ":443", 4) == 0) {
        hl -= 4;
    } else if (strcmp(scheme, "http") == 0 && hl > 3 &&
               memcmp(p + hl - 3, ":80", 3) == 0) {
        hl -= 3;
    }
    error = sd_buf_printf(&host, "%s%s%.*s", vhost ? vhost : "",
                          vhost ? "." : "", (int)hl, p);
    if (error == 0) {
        error = sd_buf_printf(&origin, "%s://%s", scheme, host.ptr);
    }
    s->host = sd_buf_detach(&host);
    s->origin = sd_buf_detach(&origin);
    s->base_path = sd_strdup(slash ? slash : "");
    if (error < 0 || !s->host || !s->origin || !s->base_path) {
        return error < 0 ? error : SNAPDIR_EINTERNAL;
    }
    hl = strlen(s->base_path);
    while (hl > 0 && s->base_path[hl - 1] == '/') {
        s->base_path[--hl] = '\0';
    }
    return 0;
}

static int configure(s3_store *s, const sd_s3_flavour *f)
{
    sd_buf aws = SD_BUF_INIT;
    int error;

    s->multipart_threshold =
        sd_http_env_u64("SNAPDIR_S3_MULTIPART_THRESHOLD", 64 * MIB);
    s->part_size = sd_http_env_u64("SNAPDIR_S3_PART_SIZE", 16 * MIB);
    if (s->part_size < 5 * MIB) {
        s->part_size = 5 * MIB; /* S3's minimum (but for the last part) */
    }
    if (f->endpoint) {
        s->path_style = 1;
        return set_endpoint(s, f->endpoint, NULL);
    }
    s->path_style = !dns_bucket(s->bucket);
    if ((error = sd_buf_printf(&aws, "https://s3.%s.amazonaws.com",
                               s->creds.region)) == 0) {
        error = set_endpoint(s, aws.ptr, s->path_style ? NULL : s->bucket);
    }
    sd_buf_dispose(&aws);
    return error;
}

int sd_store_s3_open(snapdir_store **out,
                     const char *uri,
                     const sd_store_config *cfg,
                     const sd_s3_flavour *f)
{
    sd_http_config hc;
    s3_store *s;
    int error;

    *out = NULL;
    if (!(s = sd_calloc(1, sizeof(*s)))) {
        return SNAPDIR_EINTERNAL;
    }
    s->flavour = f->scheme;
    sd_http_config_init(&hc, uri, cfg, f->max_requests, f->limit_rate);
    if ((error = sd_store_split_uri(&s->bucket, &s->prefix, uri)) < 0 ||
        (error = sd_s3_creds_load(&s->creds, f->region, "us-east-1")) < 0 ||
        (error = configure(s, f)) < 0 ||
        (error = sd_http_new(&s->http, &hc)) < 0 ||
        (error = sd_http_add_secret(s->http, s->creds.secret_key)) < 0 ||
        (error = sd_http_add_secret(s->http, s->creds.session_token)) < 0) {
        s3_free(&s->parent);
        return error;
    }
    s->parent.version = SNAPDIR_STORE_VERSION;
    s->parent.scheme = f->scheme;
    s->parent.supports = SNAPDIR_STORE_SUPPORTS_REMOVE;
    s->parent.get = s3_get;
    s->parent.put = s3_put;
    s->parent.exists = s3_exists;
    s->parent.list = s3_list;
    s->parent.remove = s3_remove;
    s->parent.free = s3_free;
    *out = &s->parent;
    return 0;
}

#endif /* SD_WITH_S3 || SD_WITH_B2 */

#if SD_WITH_S3

/* The endpoint override: snapdir's own variable, then the AWS SDKs'. */
static const char *s3_endpoint(void)
{
    static const char *const vars[] = { "SNAPDIR_S3_STORE_ENDPOINT_URL",
                                        "AWS_ENDPOINT_URL_S3",
                                        "AWS_ENDPOINT_URL" };
    size_t i;

    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);

        if (v && *v) {
            return v;
        }
    }
    return NULL;
}

int sd_store_s3_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg)
{
    sd_s3_flavour f;

    memset(&f, 0, sizeof(f));
    f.scheme = "s3";
    f.endpoint = s3_endpoint();
    f.max_requests = 3500;
    return sd_store_s3_open(out, uri, cfg, &f);
}

#else

int sd_store_s3_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg)
{
    (void)cfg;
    *out = NULL;
    return sd_error_set(SNAPDIR_EINVALID_STORE,
                        "store '%s': snapdir was built without s3", uri);
}

#endif
