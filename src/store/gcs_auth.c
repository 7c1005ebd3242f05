/* SPDX-License-Identifier: MIT */
/*
 * gcs_auth.c - Google OAuth 2 access tokens (see gcs_auth.h). The JWT is
 * signed with libcrypto (RSA PKCS#1 v1.5 over SHA-256); JSON is json-c.
 * One mutex guards the cached token, so concurrent transfers fetch it once.
 */
#include "store/gcs_auth.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCOPE         "https://www.googleapis.com/auth/devstorage.read_write"
#define DEFAULT_TOKEN "https://oauth2.googleapis.com/token"
#define EARLY_S       60 /* refresh this long before the expiry */

typedef enum { AUTH_NONE, AUTH_SERVICE, AUTH_USER, AUTH_METADATA } auth_kind;

struct sd_gcs_auth {
    sd_http *http;
    auth_kind kind;
    char *email, *private_key, *token_uri;           /* service account */
    char *client_id, *client_secret, *refresh_token; /* authorized user */
    char *metadata_url;
    char *source; /* for messages */
    pthread_mutex_t lock;
    char *token;
    time_t expires;
};

int sd_gcs_base64url(sd_buf *out, const unsigned char *data, size_t len)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i;
    int error = 0;

    for (i = 0; i < len && error == 0; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        char q[4];
        size_t n = 2;

        if (i + 1 < len) {
            v |= (uint32_t)data[i + 1] << 8;
            n = 3;
        }
        if (i + 2 < len) {
            v |= data[i + 2];
            n = 4;
        }
        q[0] = tab[(v >> 18) & 63];
        q[1] = tab[(v >> 12) & 63];
        q[2] = tab[(v >> 6) & 63];
        q[3] = tab[v & 63];
        error = sd_buf_put(out, q, n);
    }
    return error;
}

static void wipe(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        sd_free(s);
    }
}

void sd_gcs_auth_free(sd_gcs_auth *a)
{
    if (!a) {
        return;
    }
    sd_free(a->email);
    wipe(a->private_key);
    sd_free(a->token_uri);
    sd_free(a->client_id);
    wipe(a->client_secret);
    wipe(a->refresh_token);
    sd_free(a->metadata_url);
    sd_free(a->source);
    wipe(a->token);
    pthread_mutex_destroy(&a->lock);
    sd_free(a);
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;

    if (!o || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

static int dup_field(char **dst, json_object *o, const char *key)
{
    const char *v = jstr(o, key);

    *dst = v ? sd_strdup(v) : NULL;
    return v && !*dst ? SNAPDIR_EINTERNAL : 0;
}

/* Read a credentials file (service_account or authorized_user). */
static int load_file(sd_gcs_auth *a, const char *path)
{
    sd_buf text = SD_BUF_INIT;
    json_object *j = NULL;
    const char *type;
    int error;

    if ((error = sd_fs_read_file(&text, path)) < 0) {
        sd_error_wrap(error, "reading Google credentials");
        goto cleanup;
    }
    j = json_tokener_parse(text.ptr ? text.ptr : "");
    type = jstr(j, "type");
    if (type && strcmp(type, "service_account") == 0) {
        a->kind = AUTH_SERVICE;
        if ((error = dup_field(&a->email, j, "client_email")) < 0 ||
            (error = dup_field(&a->private_key, j, "private_key")) < 0 ||
            (error = dup_field(&a->token_uri, j, "token_uri")) < 0) {
            goto cleanup;
        }
        if (!a->email || !a->private_key) {
            type = NULL;
        }
    } else if (type && strcmp(type, "authorized_user") == 0) {
        a->kind = AUTH_USER;
        if ((error = dup_field(&a->client_id, j, "client_id")) < 0 ||
            (error = dup_field(&a->client_secret, j, "client_secret")) < 0 ||
            (error = dup_field(&a->refresh_token, j, "refresh_token")) < 0 ||
            (error = dup_field(&a->token_uri, j, "token_uri")) < 0) {
            goto cleanup;
        }
        if (!a->client_id || !a->client_secret || !a->refresh_token) {
            type = NULL;
        }
    } else {
        type = NULL;
    }
    if (!type) {
        error = sd_error_set(SNAPDIR_ESTORE,
                             "Google credentials %s: expected a "
                             "service_account or authorized_user JSON file",
                             path);
        goto cleanup;
    }
    if (!a->token_uri && !(a->token_uri = sd_strdup(DEFAULT_TOKEN))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    if (!(a->source = sd_strdup(path))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    error = sd_http_add_secret(a->http, a->client_secret);
    if (error == 0) {
        error = sd_http_add_secret(a->http, a->refresh_token);
    }
cleanup:
    if (j) {
        json_object_put(j);
    }
    if (text.ptr) {
        memset(text.ptr, 0, text.len);
    }
    sd_buf_dispose(&text);
    return error;
}

static int file_exists(const char *path)
{
    sd_buf b = SD_BUF_INIT;
    int ok = sd_fs_read_file(&b, path) == 0;

    sd_error_clear();
    if (b.ptr) {
        memset(b.ptr, 0, b.len);
    }
    sd_buf_dispose(&b);
    return ok;
}

int sd_gcs_auth_new(sd_gcs_auth **out, sd_http *http, int anonymous)
{
    const char *v = getenv("GOOGLE_APPLICATION_CREDENTIALS");
    const char *home = getenv("HOME"), *conf = getenv("CLOUDSDK_CONFIG");
    sd_buf adc = SD_BUF_INIT, md = SD_BUF_INIT;
    sd_gcs_auth *a;
    int error = 0;

    *out = NULL;
    if (!(a = sd_calloc(1, sizeof(*a)))) {
        return SNAPDIR_EINTERNAL;
    }
    a->http = http;
    pthread_mutex_init(&a->lock, NULL);
    a->kind = AUTH_NONE;
    if (conf && *conf) {
        error = sd_buf_printf(&adc, "%s/application_default_credentials.json",
                              conf);
    } else if (home && *home) {
        error = sd_buf_printf(&adc,
                              "%s/.config/gcloud/"
                              "application_default_credentials.json",
                              home);
    }
    if (anonymous || error < 0) {
        /* an emulator: no credentials at all */
    } else if (v && *v) {
        error = load_file(a, v);
    } else if (adc.ptr && file_exists(adc.ptr)) {
        error = load_file(a, adc.ptr);
    } else {
        const char *host = getenv("GCE_METADATA_HOST");

        a->kind = AUTH_METADATA;
        error =
            sd_buf_printf(&md,
                          "http://%s/computeMetadata/v1/instance/"
                          "service-accounts/default/token",
                          host && *host ? host : "metadata.google.internal");
        a->metadata_url = sd_buf_detach(&md);
    }
    sd_buf_dispose(&adc);
    sd_buf_dispose(&md);
    if (error < 0) {
        sd_gcs_auth_free(a);
        return error;
    }
    *out = a;
    return 0;
}

/* ---- the JWT of a service account --------------------------------------- */

static int rs256(sd_buf *out, const char *pem, const char *msg)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *sig = NULL;
    size_t n = 0;
    int error = 0;

    if (!key || !ctx ||
        EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(ctx, NULL, &n, (const unsigned char *)msg,
                       strlen(msg)) != 1 ||
        !(sig = sd_malloc(n)) ||
        EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, strlen(msg)) !=
            1) {
        error = sd_error_set(SNAPDIR_ESTORE,
                             "cannot sign with the service account's "
                             "private key (not an RSA key in PEM form?)");
    } else {
        error = sd_gcs_base64url(out, sig, n);
    }
    sd_free(sig);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    BIO_free(bio);
    return error;
}

static int jwt(sd_buf *out, const sd_gcs_auth *a, time_t now)
{
    static const char header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    json_object *claims = json_object_new_object();
    const char *cj;
    int error = 0;

    if (!claims) {
        return SNAPDIR_EINTERNAL;
    }
    json_object_object_add(claims, "iss", json_object_new_string(a->email));
    json_object_object_add(claims, "scope", json_object_new_string(SCOPE));
    json_object_object_add(claims, "aud", json_object_new_string(a->token_uri));
    json_object_object_add(claims, "iat", json_object_new_int64(now));
    json_object_object_add(claims, "exp", json_object_new_int64(now + 3600));
    cj = json_object_to_json_string_ext(
        claims, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if ((error = sd_gcs_base64url(out, (const unsigned char *)header,
                                  strlen(header))) == 0 &&
        (error = sd_buf_putc(out, '.')) == 0 &&
        (error = sd_gcs_base64url(out, (const unsigned char *)cj,
                                  strlen(cj))) == 0) {
        char *signing_input = sd_strdup(out->ptr);

        error = signing_input ? sd_buf_putc(out, '.') : SNAPDIR_EINTERNAL;
        if (error == 0) {
            error = rs256(out, a->private_key, signing_input);
        }
        sd_free(signing_input);
    }
    json_object_put(claims);
    return error;
}

/* ---- fetching a token -----------------------------------------------------
 */

static int form_field(sd_buf *b, const char *name, const char *value)
{
    int error = sd_buf_printf(b, "%s%s=", b->len ? "&" : "", name);

    return error < 0 ? error : sd_http_encode(b, value, 0);
}

static int token_body(sd_buf *body, const sd_gcs_auth *a)
{
    sd_buf assertion = SD_BUF_INIT;
    int error;

    if (a->kind == AUTH_SERVICE) {
        error = jwt(&assertion, a, time(NULL));
        if (error == 0) {
            error = form_field(body, "grant_type",
                               "urn:ietf:params:oauth:grant-type:jwt-bearer");
        }
        if (error == 0) {
            error = form_field(body, "assertion", assertion.ptr);
        }
    } else {
        error = form_field(body, "grant_type", "refresh_token");
        if (error == 0) {
            error = form_field(body, "client_id", a->client_id);
        }
        if (error == 0) {
            error = form_field(body, "client_secret", a->client_secret);
        }
        if (error == 0) {
            error = form_field(body, "refresh_token", a->refresh_token);
        }
    }
    sd_buf_dispose(&assertion);
    return error;
}

static int token_failed(const sd_gcs_auth *a, const sd_http_req *r)
{
    json_object *j = json_tokener_parse(r->err.ptr ? r->err.ptr : "");
    const char *code = jstr(j, "error"), *desc = jstr(j, "error_description");
    int error;

    error = sd_http_error(
        a->http, SNAPDIR_ESTORE,
        "store %s: cannot get a Google access token (%s): HTTP %ld "
        "%s%s%s%s%s%s",
        sd_http_config_of(a->http)->store_uri,
        a->kind == AUTH_METADATA ? "metadata server" : a->source, r->status,
        sd_http_reason(r->status), code ? " (" : "", code ? code : "",
        desc ? ": " : "", desc ? desc : "", code ? ")" : "");
    if (j) {
        json_object_put(j);
    }
    return error;
}

/* Ask for a new token; the caller holds the lock. */
static int refresh(sd_gcs_auth *a)
{
    static const char *const form[] = {
        "Content-Type: application/x-www-form-urlencoded", NULL
    };
    static const char *const flavor[] = { "Metadata-Flavor: Google", NULL };
    sd_buf body = SD_BUF_INIT, resp = SD_BUF_INIT;
    json_object *j = NULL, *exp;
    sd_http_req r;
    const char *tok;
    int error = 0;

    memset(&r, 0, sizeof(r));
    r.out = &resp;
    r.what = "token";
    if (a->kind == AUTH_METADATA) {
        r.method = "GET";
        r.url = a->metadata_url;
        r.headers = flavor;
    } else if ((error = token_body(&body, a)) == 0) {
        r.method = "POST";
        r.url = a->token_uri;
        r.headers = form;
        r.data = body.ptr;
        r.data_len = body.len;
        r.has_data = 1;
    }
    if (error == 0 && (error = sd_http_do(a->http, &r)) < 0 &&
        a->kind == AUTH_METADATA) {
        error = sd_http_error(a->http, SNAPDIR_ESTORE,
                              "store %s: no Google Cloud credentials: set "
                              "GOOGLE_APPLICATION_CREDENTIALS to a "
                              "service-account key or authorized-user file "
                              "(the metadata server is unreachable)",
                              sd_http_config_of(a->http)->store_uri);
    }
    if (error == 0 && r.status != 200) {
        error = token_failed(a, &r);
    }
    if (error == 0) {
        j = json_tokener_parse(resp.ptr ? resp.ptr : "");
        if (!(tok = jstr(j, "access_token"))) {
            error = sd_http_error(a->http, SNAPDIR_ESTORE,
                                  "store %s: the token endpoint sent no "
                                  "access_token",
                                  sd_http_config_of(a->http)->store_uri);
        } else if ((error = sd_http_set_token(a->http, tok)) == 0) {
            wipe(a->token);
            a->token = sd_strdup(tok);
            a->expires = time(NULL) + 3600;
            if (json_object_object_get_ex(j, "expires_in", &exp)) {
                a->expires = time(NULL) + json_object_get_int64(exp);
            }
            error = a->token ? 0 : SNAPDIR_EINTERNAL;
        }
    }
    if (j) {
        json_object_put(j);
    }
    if (body.ptr) {
        memset(body.ptr, 0, body.len);
    }
    if (resp.ptr) {
        memset(resp.ptr, 0, resp.len);
    }
    sd_buf_dispose(&body);
    sd_buf_dispose(&resp);
    sd_http_req_dispose(&r);
    return error;
}

int sd_gcs_auth_header(sd_gcs_auth *a, sd_buf *out)
{
    int error = 0;

    if (a->kind == AUTH_NONE) {
        return 0;
    }
    pthread_mutex_lock(&a->lock);
    if (!a->token || time(NULL) + EARLY_S >= a->expires) {
        error = refresh(a);
    }
    if (error == 0) {
        error = sd_buf_printf(out, "Authorization: Bearer %s", a->token);
    }
    pthread_mutex_unlock(&a->lock);
    return error;
}

void sd_gcs_auth_invalidate(sd_gcs_auth *a)
{
    pthread_mutex_lock(&a->lock);
    a->expires = 0;
    pthread_mutex_unlock(&a->lock);
}
