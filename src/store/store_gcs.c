/* SPDX-License-Identifier: MIT */
/*
 * store_gcs.c - the gs:// (alias gcs://) backend over the GCS JSON API:
 * object metadata for existence, alt=media downloads, media uploads, and
 * resumable uploads above a threshold (an upload session commits only when
 * its last byte arrives, so an object is visible whole or not at all).
 * STORAGE_EMULATOR_HOST points it at an emulator, with no credentials.
 */
#include "store/sd_store.h"
#include "store/gcs_auth.h"
#include "store/http.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if SD_WITH_GCS

#define MIB     (1024ULL * 1024ULL)
#define QUANTUM (256ULL * 1024ULL) /* resumable chunks are multiples */

typedef struct {
    snapdir_store parent;
    sd_http *http;
    sd_gcs_auth *auth;
    char *bucket, *prefix;
    char *base; /* "https://storage.googleapis.com" */
    uint64_t resumable_threshold, chunk;
} gcs_store;

static const char *uri_of(const gcs_store *g)
{
    return sd_http_config_of(g->http)->store_uri;
}

/* ---- requests ----------------------------------------------------------- */

static int sign_cb(struct curl_slist **hdrs, const sd_http_req *req, void *p)
{
    gcs_store *g = p;
    sd_buf h = SD_BUF_INIT;
    struct curl_slist *n;
    int error;

    (void)req;
    if ((error = sd_gcs_auth_header(g->auth, &h)) < 0 || h.len == 0) {
        sd_buf_dispose(&h);
        return error;
    }
    n = curl_slist_append(*hdrs, h.ptr);
    memset(h.ptr, 0, h.len);
    sd_buf_dispose(&h);
    if (!n) {
        return sd_error_set(SNAPDIR_EINTERNAL, "out of memory");
    }
    *hdrs = n;
    return 0;
}

/* The object name of a store key: prefix + "/" + key. */
static int object_name(sd_buf *out, const gcs_store *g, const char *key)
{
    return sd_buf_printf(out, "%s%s%s", g->prefix, g->prefix[0] ? "/" : "",
                         key);
}

/* "{base}{api}/b/{bucket}/o[/{name}]" with name percent-encoded whole. */
static int
object_url(sd_buf *url, const gcs_store *g, const char *api, const char *key)
{
    sd_buf name = SD_BUF_INIT;
    int error = sd_buf_printf(url, "%s%s/b/", g->base, api);

    if (error == 0) {
        error = sd_http_encode(url, g->bucket, 0);
    }
    if (error == 0) {
        error = sd_buf_puts(url, "/o");
    }
    if (error == 0 && key && (error = object_name(&name, g, key)) == 0 &&
        (error = sd_buf_putc(url, '/')) == 0) {
        error = sd_http_encode(url, name.ptr, 0);
    }
    sd_buf_dispose(&name);
    return error;
}

/* Send; a 401 drops the cached token and tries once more. */
static int gcs_send(gcs_store *g, sd_http_req *req)
{
    int error;

    req->sign = sign_cb;
    req->sign_payload = g;
    error = sd_http_do(g->http, req);
    if (error == 0 && req->status == 401) {
        sd_gcs_auth_invalidate(g->auth);
        sd_http_req_dispose(req);
        error = sd_http_do(g->http, req);
    }
    return error;
}

/* The bucket's existence (1/0), for a clear message after a 404. */
static int bucket_exists(gcs_store *g)
{
    sd_buf url = SD_BUF_INIT;
    sd_http_req r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.what = "bucket";
    rc = sd_buf_printf(&url, "%s/storage/v1/b/", g->base);
    if (rc == 0) {
        rc = sd_http_encode(&url, g->bucket, 0);
    }
    r.url = url.ptr;
    if (rc == 0) {
        rc = gcs_send(g, &r);
    }
    rc = rc < 0 ? 1 : r.status != 404; /* unsure: assume it does */
    sd_error_clear();
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    return rc;
}

/* Describe an unexpected response; returns SNAPDIR_ESTORE. */
static int gcs_fail(gcs_store *g, const sd_http_req *r)
{
    json_object *j = json_tokener_parse(r->err.ptr ? r->err.ptr : ""), *e;
    const char *msg = NULL, *hint = "";
    int error;

    if (j && json_object_object_get_ex(j, "error", &e)) {
        json_object *m;

        if (json_object_object_get_ex(e, "message", &m)) {
            msg = json_object_get_string(m);
        }
    }
    if (r->status == 404 && !bucket_exists(g)) {
        hint = "; the bucket does not exist";
    } else if (r->status == 401 || r->status == 403) {
        hint = "; check the Google credentials "
               "(GOOGLE_APPLICATION_CREDENTIALS) and the bucket's "
               "permissions";
    }
    error = sd_http_error(
        g->http, SNAPDIR_ESTORE, "store %s: %s %s: HTTP %ld %s%s%.300s%s%s%s",
        uri_of(g), r->method, r->what, r->status, sd_http_reason(r->status),
        msg ? " (" : "", msg ? msg : "", msg ? ")" : "", hint,
        r->tries > 1 ? " (after retrying)" : "");
    if (j) {
        json_object_put(j);
    }
    return error;
}

/* ---- the vtable --------------------------------------------------------- */

static int gcs_exists(snapdir_store *base, const char *key)
{
    gcs_store *g = (gcs_store *)base;
    sd_buf url = SD_BUF_INIT, body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.what = key;
    r.out = &body;
    if ((error = object_url(&url, g, "/storage/v1", key)) == 0 &&
        (error = sd_buf_puts(&url, "?fields=name")) == 0) {
        r.url = url.ptr;
        error = gcs_send(g, &r);
    }
    if (error == 0) {
        error = r.status == 200 ? 1 : r.status == 404 ? 0 : gcs_fail(g, &r);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    sd_buf_dispose(&body);
    return error;
}

static int
gcs_get(snapdir_store *base, const char *key, snapdir_store_writer *w)
{
    gcs_store *g = (gcs_store *)base;
    sd_buf url = SD_BUF_INIT;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.what = key;
    r.sink = w;
    if ((error = object_url(&url, g, "/storage/v1", key)) == 0 &&
        (error = sd_buf_puts(&url, "?alt=media")) == 0) {
        r.url = url.ptr;
        error = gcs_send(g, &r);
    }
    if (error == 0 && r.status != 200) {
        error = r.status == 404 && bucket_exists(g) ? SNAPDIR_STORE_ENOTFOUND
                                                    : gcs_fail(g, &r);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    return error;
}

static const char *const octet_stream[] = {
    "Content-Type: application/octet-stream", NULL
};

/* The upload URL: "{base}/upload/storage/v1/b/{b}/o?uploadType=T&name=N". */
static int
upload_url(sd_buf *url, const gcs_store *g, const char *type, const char *key)
{
    sd_buf name = SD_BUF_INIT;
    int error = object_url(url, g, "/upload/storage/v1", NULL);

    if (error == 0) {
        error = sd_buf_printf(url, "?uploadType=%s&name=", type);
    }
    if (error == 0 && (error = object_name(&name, g, key)) == 0) {
        error = sd_http_encode(url, name.ptr, 0);
    }
    sd_buf_dispose(&name);
    return error;
}

static int put_media(gcs_store *g, const char *key, snapdir_store_reader *rd)
{
    sd_buf url = SD_BUF_INIT, body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.what = key;
    r.headers = octet_stream;
    r.body = rd;
    r.body_len = rd->size;
    r.out = &body;
    if ((error = upload_url(&url, g, "media", key)) == 0) {
        r.url = url.ptr;
        error = gcs_send(g, &r);
    }
    if (error == 0 && r.status != 200 && r.status != 201) {
        error = gcs_fail(g, &r);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    sd_buf_dispose(&body);
    return error;
}

/* Open a resumable session; its URL into *session. */
static int
open_session(gcs_store *g, const char *key, uint64_t size, char **session)
{
    char len_hdr[64];
    const char *hdrs[] = { "Content-Type: application/json; charset=UTF-8",
                           "X-Upload-Content-Type: application/octet-stream",
                           len_hdr, NULL };
    sd_buf url = SD_BUF_INIT, body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    snprintf(len_hdr, sizeof(len_hdr), "X-Upload-Content-Length: %llu",
             (unsigned long long)size);
    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.what = key;
    r.headers = hdrs;
    r.data = "{}";
    r.data_len = 2;
    r.has_data = 1;
    r.out = &body;
    if ((error = upload_url(&url, g, "resumable", key)) == 0) {
        r.url = url.ptr;
        error = gcs_send(g, &r);
    }
    if (error == 0 && r.status != 200 && r.status != 201) {
        error = gcs_fail(g, &r);
    } else if (error == 0 && !r.location) {
        error = sd_http_error(g->http, SNAPDIR_ESTORE,
                              "store %s: POST %s: no upload session in the "
                              "reply",
                              uri_of(g), key);
    }
    if (error == 0) {
        *session = r.location;
        r.location = NULL;
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    sd_buf_dispose(&body);
    return error;
}

/* What the session holds: "Range: bytes=0-N" says N + 1 bytes. */
static uint64_t persisted(const sd_http_req *r)
{
    const char *dash = strchr(r->range, '-');

    return dash ? strtoull(dash + 1, NULL, 10) + 1 : 0;
}

/* A resumable session's answer: 200/201 finished, 308 how far it got. */
static int session_reply(gcs_store *g, sd_http_req *r, uint64_t *off, int *done)
{
    if (r->status == 200 || r->status == 201) {
        *done = 1;
    } else if (r->status == 308) {
        *off = persisted(r);
    } else {
        return gcs_fail(g, r);
    }
    return 0;
}

static int transient(long status)
{
    return status == 408 || status == 429 || status >= 500;
}

/*
 * One chunk [*off, *off + len) of a session, without the client's
 * retries: after a failure the session says how much it kept, and the
 * upload goes on from there (*retry). *off becomes what the session holds;
 * *done is set when the object is complete.
 */
static int send_chunk(gcs_store *g,
                      snapdir_store_reader *rd,
                      const char *session,
                      const char *key,
                      uint64_t *off,
                      int *done,
                      int *retry)
{
    uint64_t size = rd->size,
             len = size - *off < g->chunk ? size - *off : g->chunk;
    char range[128];
    const char *hdrs[] = { range, NULL };
    sd_buf body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    if (size == 0) {
        snprintf(range, sizeof(range), "Content-Range: bytes */0");
    } else {
        snprintf(range, sizeof(range), "Content-Range: bytes %llu-%llu/%llu",
                 (unsigned long long)*off, (unsigned long long)(*off + len - 1),
                 (unsigned long long)size);
    }
    memset(&r, 0, sizeof(r));
    r.method = "PUT";
    r.url = session;
    r.what = key;
    r.headers = hdrs;
    r.body = rd;
    r.body_offset = *off;
    r.body_len = len;
    r.out = &body;
    r.attempts = 1;
    error = gcs_send(g, &r);
    *retry = error == SNAPDIR_ESTORE || (error == 0 && transient(r.status));
    if (error == 0) {
        error = session_reply(g, &r, off, done);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&body);
    return error;
}

/* Ask the session how much it holds (after a failed chunk). */
static int query_session(gcs_store *g,
                         const char *session,
                         const char *key,
                         uint64_t size,
                         uint64_t *off,
                         int *done)
{
    char range[128];
    const char *hdrs[] = { range, NULL };
    sd_buf body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    snprintf(range, sizeof(range), "Content-Range: bytes */%llu",
             (unsigned long long)size);
    memset(&r, 0, sizeof(r));
    r.method = "PUT";
    r.url = session;
    r.what = key;
    r.headers = hdrs;
    r.has_data = 1;
    r.data = "";
    r.out = &body;
    error = gcs_send(g, &r);
    if (error == 0) {
        error = session_reply(g, &r, off, done);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&body);
    return error;
}

/* Start the reader over and skip to byte to. */
static int seek_reader(snapdir_store_reader *rd, uint64_t to)
{
    char *buf;
    int error = 0;

    if (!rd->rewind || (error = rd->rewind(rd)) < 0) {
        return error < 0
                   ? error
                   : sd_error_set(SNAPDIR_ESTORE, "cannot resume: source not "
                                                  "rewindable");
    }
    if (!(buf = sd_malloc(65536))) {
        return SNAPDIR_EINTERNAL;
    }
    while (to > 0 && error == 0) {
        int64_t n = rd->read(rd, buf, to < 65536 ? to : 65536);

        if (n <= 0) {
            error = n < 0 ? (int)n
                          : sd_error_set(SNAPDIR_EIO, "upload source shrank");
        } else {
            to -= (uint64_t)n;
        }
    }
    sd_free(buf);
    return error;
}

static int
put_resumable(gcs_store *g, const char *key, snapdir_store_reader *rd)
{
    const sd_http_config *cfg = sd_http_config_of(g->http);
    char *session = NULL;
    uint64_t off = 0, at = 0; /* what the session holds; the reader's byte */
    unsigned int failures = 0;
    int done = 0, known = 1, retry = 0, error;

    if ((error = open_session(g, key, rd->size, &session)) < 0) {
        return error;
    }
    while (!done && error == 0) {
        uint64_t start = off;

        if ((!known || at != off) && (error = seek_reader(rd, off)) < 0) {
            break;
        }
        error = send_chunk(g, rd, session, key, &off, &done, &retry);
        if (error == 0) {
            at = start +
                 (rd->size - start < g->chunk ? rd->size - start : g->chunk);
            known = 1;
            continue;
        }
        if (!retry || ++failures >= cfg->attempts) {
            break;
        }
        sd_error_clear();
        sd_http_sleep_ms(sd_http_backoff_ms(cfg, failures - 1, 0));
        known = 0;
        error = query_session(g, session, key, rd->size, &off, &done);
    }
    sd_free(session);
    return error;
}

static int
gcs_put(snapdir_store *base, const char *key, snapdir_store_reader *r)
{
    gcs_store *g = (gcs_store *)base;

    /* an empty media upload trips gcp-storage-emulator; a session is
     * as good for one empty object */
    if (r->size >= g->resumable_threshold || r->size == 0) {
        return put_resumable(g, key, r);
    }
    return put_media(g, key, r);
}

/* Report one page's names; its nextPageToken into next. */
static int list_page(gcs_store *g,
                     const char *text,
                     snapdir_store_list_cb cb,
                     void *payload,
                     sd_buf *next)
{
    json_object *j = json_tokener_parse(text), *items, *tok;
    size_t skip = g->prefix[0] ? strlen(g->prefix) + 1 : 0, i, n;
    int error = 0;

    sd_buf_clear(next);
    if (!j) {
        return sd_http_error(g->http, SNAPDIR_ESTORE,
                             "store %s: the object listing is not JSON",
                             uri_of(g));
    }
    if (json_object_object_get_ex(j, "items", &items) &&
        json_object_is_type(items, json_type_array)) {
        n = json_object_array_length(items);
        for (i = 0; i < n && error == 0; i++) {
            json_object *it = json_object_array_get_idx(items, i), *nm;
            const char *name;

            if (json_object_object_get_ex(it, "name", &nm) &&
                (name = json_object_get_string(nm)) != NULL &&
                strlen(name) > skip && cb(name + skip, payload)) {
                error = 1;
            }
        }
    }
    if (error == 0 && json_object_object_get_ex(j, "nextPageToken", &tok) &&
        json_object_get_string(tok)) {
        error = sd_buf_puts(next, json_object_get_string(tok));
    }
    json_object_put(j);
    return error;
}

static int gcs_list(snapdir_store *base,
                    const char *prefix,
                    snapdir_store_list_cb cb,
                    void *payload)
{
    gcs_store *g = (gcs_store *)base;
    sd_buf full = SD_BUF_INIT, url = SD_BUF_INIT, token = SD_BUF_INIT;
    sd_buf body = SD_BUF_INIT;
    int error = object_name(&full, g, prefix);

    do {
        sd_http_req r;

        sd_buf_clear(&url);
        if (error == 0) {
            error = object_url(&url, g, "/storage/v1", NULL);
        }
        if (error == 0) {
            error = sd_buf_puts(&url, "?prefix=");
        }
        if (error == 0) {
            error = sd_http_encode(&url, full.ptr, 0);
        }
        if (error == 0 && token.len) {
            error = sd_buf_puts(&url, "&pageToken=");
            if (error == 0) {
                error = sd_http_encode(&url, token.ptr, 0);
            }
        }
        if (error < 0) {
            break;
        }
        memset(&r, 0, sizeof(r));
        r.method = "GET";
        r.what = prefix;
        r.url = url.ptr;
        sd_buf_clear(&body);
        r.out = &body;
        error = gcs_send(g, &r);
        if (error == 0 && r.status != 200) {
            error = gcs_fail(g, &r);
        }
        sd_http_req_dispose(&r);
        if (error == 0) {
            error = list_page(g, body.ptr ? body.ptr : "", cb, payload, &token);
        }
    } while (error == 0 && token.len > 0);
    sd_buf_dispose(&full);
    sd_buf_dispose(&url);
    sd_buf_dispose(&token);
    sd_buf_dispose(&body);
    return error > 0 ? 0 : error;
}

static int gcs_remove(snapdir_store *base, const char *key)
{
    gcs_store *g = (gcs_store *)base;
    sd_buf url = SD_BUF_INIT, body = SD_BUF_INIT;
    sd_http_req r;
    int error;

    memset(&r, 0, sizeof(r));
    r.method = "DELETE";
    r.what = key;
    r.out = &body;
    if ((error = object_url(&url, g, "/storage/v1", key)) == 0) {
        r.url = url.ptr;
        error = gcs_send(g, &r);
    }
    if (error == 0 && r.status != 200 && r.status != 204 && r.status != 404) {
        error = gcs_fail(g, &r);
    }
    sd_http_req_dispose(&r);
    sd_buf_dispose(&url);
    sd_buf_dispose(&body);
    return error;
}

static void gcs_free(snapdir_store *base)
{
    gcs_store *g = (gcs_store *)base;

    sd_gcs_auth_free(g->auth);
    sd_http_free(g->http);
    sd_free(g->bucket);
    sd_free(g->prefix);
    sd_free(g->base);
    sd_free(g);
}

/* ---- construction ------------------------------------------------------- */

/*
 * The API's base URL: STORAGE_EMULATOR_HOST (no credentials, as Google's
 * own clients do), SNAPDIR_GCS_ENDPOINT_URL (with credentials), else
 * Google's. A bare "host:port" means http.
 */
static int set_base(gcs_store *g, int *anonymous)
{
    const char *emu = getenv("STORAGE_EMULATOR_HOST");
    const char *ep = getenv("SNAPDIR_GCS_ENDPOINT_URL");
    const char *v = "https://storage.googleapis.com";
    sd_buf b = SD_BUF_INIT;
    int error;

    *anonymous = 0;
    if (emu && *emu) {
        v = emu;
        *anonymous = 1;
    } else if (ep && *ep) {
        v = ep;
    }
    error = sd_buf_printf(&b, "%s%s", strstr(v, "://") ? "" : "http://", v);
    while (error == 0 && b.len > 0 && b.ptr[b.len - 1] == '/') {
        b.ptr[--b.len] = '\0';
    }
    g->base = sd_buf_detach(&b);
    return error < 0 ? error : (g->base ? 0 : SNAPDIR_EINTERNAL);
}

int sd_store_gcs_new(snapdir_store **out,
                     const char *uri,
                     const sd_store_config *cfg)
{
    sd_http_config hc;
    gcs_store *g;
    int anonymous = 0, error;

    *out = NULL;
    if (!(g = sd_calloc(1, sizeof(*g)))) {
        return SNAPDIR_EINTERNAL;
    }
    g->resumable_threshold =
        sd_http_env_u64("SNAPDIR_GCS_RESUMABLE_THRESHOLD", 64 * MIB);
    g->chunk = sd_http_env_u64("SNAPDIR_GCS_CHUNK_SIZE", 16 * MIB);
    g->chunk = g->chunk < QUANTUM ? QUANTUM : g->chunk / QUANTUM * QUANTUM;
    /* GCS's published write rate per bucket */
    sd_http_config_init(&hc, uri, cfg, 1000, 0);
    if ((error = sd_store_split_uri(&g->bucket, &g->prefix, uri)) < 0 ||
        (error = set_base(g, &anonymous)) < 0 ||
        (error = sd_http_new(&g->http, &hc)) < 0 ||
        (error = sd_gcs_auth_new(&g->auth, g->http, anonymous)) < 0) {
        gcs_free(&g->parent);
        return error;
    }
    g->parent.version = SNAPDIR_STORE_VERSION;
    g->parent.scheme = "gs";
    g->parent.supports = SNAPDIR_STORE_SUPPORTS_REMOVE;
    g->parent.get = gcs_get;
    g->parent.put = gcs_put;
    g->parent.exists = gcs_exists;
    g->parent.list = gcs_list;
    g->parent.remove = gcs_remove;
    g->parent.free = gcs_free;
    *out = &g->parent;
    return 0;
}

#else

int sd_store_gcs_new(snapdir_store **out,
                     const char *uri,
                     const sd_store_config *cfg)
{
    (void)cfg;
    *out = NULL;
    return sd_error_set(SNAPDIR_EINVALID_STORE,
                        "store '%s': snapdir was built without gcs", uri);
}

#endif
