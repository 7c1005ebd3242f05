/* SPDX-License-Identifier: MIT */
/*
 * s3_auth.h - AWS credentials (environment, then the shared credentials
 * and config files) and Signature Version 4, shared by the s3 and b2
 * backends. Secrets live only here and in the signed headers.
 */
#ifndef SD_S3_AUTH_H
#define SD_S3_AUTH_H

#include "util/sd_str.h"

#include <stddef.h>
#include <time.h>

typedef struct {
    char *access_key; /* NULL: anonymous (unsigned requests) */
    char *secret_key;
    char *session_token; /* or NULL */
    char *region;        /* the signing region */
    char *source;        /* where the keys came from, for messages */
} sd_s3_creds;

/*
 * Resolve credentials and the region. The chain: AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the profile (AWS_PROFILE,
 * else "default") in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
 * AWS_CONFIG_FILE (~/.aws/config). Region: region if not NULL, else
 * AWS_REGION, AWS_DEFAULT_REGION, the profile's, else dflt_region.
 */
int sd_s3_creds_load(sd_s3_creds *out,
                     const char *region,
                     const char *dflt_region);
void sd_s3_creds_dispose(sd_s3_creds *c);

/* A header that takes part in the signature: lowercase name, value. */
typedef struct {
    const char *name;
    const char *value;
} sd_s3_header;

/*
 * The Authorization header value ("AWS4-HMAC-SHA256 Credential=...") of a
 * request, appended to out. headers must be sorted by name and include
 * host, x-amz-content-sha256 and x-amz-date; canon_uri and canon_query
 * are exactly as sent (percent-encoded, the query sorted).
 */
int sd_s3_sign(sd_buf *out,
               const sd_s3_creds *c,
               const char *service,
               const char *method,
               const char *canon_uri,
               const char *canon_query,
               const sd_s3_header *headers,
               size_t nheaders,
               const char *payload_hash,
               const char *amz_date);

/* "YYYYMMDDTHHMMSSZ" of t, into out (>= 17 bytes). */
void sd_s3_amz_date(char *out, time_t t);

/* Lowercase hex SHA-256 of data into out (65 bytes). */
int sd_s3_sha256_hex(char *out, const void *data, size_t len);

#endif
