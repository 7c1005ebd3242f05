/* SPDX-License-Identifier: MIT */
/*
 * s3_auth.c - AWS credentials and Signature Version 4 (see s3_auth.h),
 * with libcrypto's SHA-256 and HMAC. The shared credentials and config
 * files are read as plain INI: "[name]" or "[profile name]" sections of
 * "key = value" lines.
 */
#include "store/s3_auth.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- credentials -------------------------------------------------------- */

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

static int set_str(char **dst, const char *v)
{
    char *copy = v ? sd_strdup(v) : NULL;

    if (v && !copy) {
        return SNAPDIR_EINTERNAL;
    }
    sd_free(*dst);
    *dst = copy;
    return 0;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

/* The file's path: the variable's value, else ~/.aws/<leaf>. */
static char *aws_file(const char *var, const char *leaf)
{
    const char *v = env(var), *home = env("HOME");
    sd_buf b = SD_BUF_INIT;

    if (v) {
        return sd_strdup(v);
    }
    if (!home || sd_buf_printf(&b, "%s/.aws/%s", home, leaf) < 0) {
        sd_buf_dispose(&b);
        return NULL;
    }
    return sd_buf_detach(&b);
}

typedef struct {
    char *key, *secret, *token, *region;
} profile_values;

/*
 * Read the keys of one section. In the config file a named profile is
 * "[profile NAME]" (the default one is "[default]").
 */
static void read_profile(profile_values *pv,
                         const char *path,
                         const char *profile,
                         int config)
{
    sd_buf text = SD_BUF_INIT;
    char *line, *next;
    int in = 0;

    if (!path || sd_fs_read_file(&text, path) < 0 || !text.ptr) {
        sd_error_clear(); /* a missing file is simply no profile */
        sd_buf_dispose(&text);
        return;
    }
    for (line = text.ptr; line; line = next) {
        char *l, *eq;

        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        l = trim(line);
        if (*l == '#' || *l == ';' || *l == '\0') {
            continue;
        }
        if (*l == '[') {
            char *end = strchr(l, ']'), *name;

            if (!end) {
                in = 0;
                continue;
            }
            *end = '\0';
            name = trim(l + 1);
            if (config && strncmp(name, "profile ", 8) == 0) {
                name = trim(name + 8);
            }
            in = strcmp(name, profile) == 0;
            continue;
        }
        if (!in || !(eq = strchr(l, '='))) {
            continue;
        }
        *eq = '\0';
        l = trim(l);
        eq = trim(eq + 1);
        if (strcmp(l, "aws_access_key_id") == 0 && !pv->key) {
            pv->key = sd_strdup(eq);
        } else if (strcmp(l, "aws_secret_access_key") == 0 && !pv->secret) {
            pv->secret = sd_strdup(eq);
        } else if (strcmp(l, "aws_session_token") == 0 && !pv->token) {
            pv->token = sd_strdup(eq);
        } else if (strcmp(l, "region") == 0 && !pv->region) {
            pv->region = sd_strdup(eq);
        }
    }
    if (text.ptr) {
        memset(text.ptr, 0, text.len); /* it held secrets */
    }
    sd_buf_dispose(&text);
}

static void wipe(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        sd_free(s);
    }
}

int sd_s3_creds_load(sd_s3_creds *out,
                     const char *region,
                     const char *dflt_region)
{
    const char *profile = env("AWS_PROFILE");
    char *cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    char *conf_path = aws_file("AWS_CONFIG_FILE", "config");
    profile_values pv = { NULL, NULL, NULL, NULL };
    sd_buf src = SD_BUF_INIT;
    int error = 0;

    memset(out, 0, sizeof(*out));
    if (!profile) {
        profile = env("AWS_DEFAULT_PROFILE");
    }
    if (!profile) {
        profile = "default";
    }
    read_profile(&pv, cred_path, profile, 0);
    read_profile(&pv, conf_path, profile, 1);
    if (env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
        error = set_str(&out->access_key, env("AWS_ACCESS_KEY_ID"));
        if (error == 0) {
            error = set_str(&out->secret_key, env("AWS_SECRET_ACCESS_KEY"));
        }
        if (error == 0) {
            error = set_str(&out->session_token, env("AWS_SESSION_TOKEN"));
        }
        if (error == 0) {
            error = set_str(&out->source, "the AWS_ACCESS_KEY_ID and "
                                          "AWS_SECRET_ACCESS_KEY variables");
        }
    } else if (pv.key && pv.secret) {
        out->access_key = pv.key;
        out->secret_key = pv.secret;
        out->session_token = pv.token;
        pv.key = pv.secret = pv.token = NULL;
        if (sd_buf_printf(&src, "profile '%s' of %s", profile,
                          cred_path ? cred_path : "~/.aws/credentials") < 0) {
            error = SNAPDIR_EINTERNAL;
        } else {
            out->source = sd_buf_detach(&src);
        }
    }
    if (error == 0) {
        if (!region) {
            region = env("AWS_REGION");
        }
        if (!region) {
            region = env("AWS_DEFAULT_REGION");
        }
        if (!region) {
            region = pv.region;
        }
        error = set_str(&out->region, region ? region : dflt_region);
    }
    wipe(pv.key);
    wipe(pv.secret);
    wipe(pv.token);
    sd_free(pv.region);
    sd_free(cred_path);
    sd_free(conf_path);
    sd_buf_dispose(&src);
    if (error < 0) {
        sd_s3_creds_dispose(out);
    }
    return error;
}

void sd_s3_creds_dispose(sd_s3_creds *c)
{
    wipe(c->access_key);
    wipe(c->secret_key);
    wipe(c->session_token);
    sd_free(c->region);
    sd_free(c->source);
    memset(c, 0, sizeof(*c));
}

/* ---- Signature Version 4 ------------------------------------------------ */

void sd_s3_amz_date(char *out, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

int sd_s3_sha256_hex(char *out, const void *data, size_t len)
{
    unsigned char md[32];
    unsigned int n = 0;

    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
        return sd_error_set(SNAPDIR_EINTERNAL, "SHA-256 failed");
    }
    sd_hex_encode(out, md, 32);
    return 0;
}

static int
hmac(unsigned char out[32], const void *key, size_t klen, const char *msg)
{
    unsigned int n = 0;

    if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
              strlen(msg), out, &n) ||
        n != 32) {
        return sd_error_set(SNAPDIR_EINTERNAL, "HMAC-SHA256 failed");
    }
    return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
 * service), "aws4_request") */
static int signing_key(unsigned char key[32],
                       const sd_s3_creds *c,
                       const char *date,
                       const char *service)
{
    sd_buf k = SD_BUF_INIT;
    int error;

    if ((error = sd_buf_printf(&k, "AWS4%s", c->secret_key)) == 0 &&
        (error = hmac(key, k.ptr, k.len, date)) == 0 &&
        (error = hmac(key, key, 32, c->region)) == 0 &&
        (error = hmac(key, key, 32, service)) == 0) {
        error = hmac(key, key, 32, "aws4_request");
    }
    if (k.ptr) {
        memset(k.ptr, 0, k.len);
    }
    sd_buf_dispose(&k);
    return error;
}

int sd_s3_sign(sd_buf *out,
               const sd_s3_creds *c,
               const char *service,
               const char *method,
               const char *canon_uri,
               const char *canon_query,
               const sd_s3_header *headers,
               size_t nheaders,
               const char *payload_hash,
               const char *amz_date)
{
    sd_buf creq = SD_BUF_INIT, names = SD_BUF_INIT, sts = SD_BUF_INIT;
    unsigned char key[32], sig[32];
    char date[9], creq_hash[65], sig_hex[65];
    size_t i;
    int error = 0;

    memcpy(date, amz_date, 8);
    date[8] = '\0';
    error =
        sd_buf_printf(&creq, "%s\n%s\n%s\n", method, canon_uri, canon_query);
    for (i = 0; i < nheaders && error == 0; i++) {
        error =
            sd_buf_printf(&creq, "%s:%s\n", headers[i].name, headers[i].value);
        if (error == 0) {
            error =
                sd_buf_printf(&names, "%s%s", i ? ";" : "", headers[i].name);
        }
    }
    if (error == 0) {
        error = sd_buf_printf(&creq, "\n%s\n%s", names.ptr, payload_hash);
    }
    if (error == 0) {
        error = sd_s3_sha256_hex(creq_hash, creq.ptr, creq.len);
    }
    if (error == 0) {
        error = sd_buf_printf(&sts,
                              "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
                              amz_date, date, c->region, service, creq_hash);
    }
    if (error == 0 && (error = signing_key(key, c, date, service)) == 0 &&
        (error = hmac(sig, key, 32, sts.ptr)) == 0) {
        sd_hex_encode(sig_hex, sig, 32);
        error = sd_buf_printf(out,
                              "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/"
                              "aws4_request, SignedHeaders=%s, Signature=%s",
                              c->access_key, date, c->region, service,
                              names.ptr, sig_hex);
    }
    memset(key, 0, sizeof(key));
    sd_buf_dispose(&creq);
    sd_buf_dispose(&names);
    sd_buf_dispose(&sts);
    return error;
}
