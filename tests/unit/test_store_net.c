/* SPDX-License-Identifier: MIT */
/*
 * test_store_net.c - the pure parts of the network stores: SigV4 against
 * AWS's published examples (cross-checked with botocore), URI splitting,
 * percent-encoding, base64url and the backoff schedule.
 */
#include "sd_test.h"
#include "store/gcs_auth.h"
#include "store/http.h"
#include "store/s3_auth.h"
#include "store/sd_store.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdint.h>
#include <time.h>

#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static sd_s3_creds example_creds(char *region)
{
    sd_s3_creds c;

    memset(&c, 0, sizeof(c));
    c.access_key = (char *)(uintptr_t) "AKIAIOSFODNN7EXAMPLE";
    c.secret_key =
        (char *)(uintptr_t) "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    c.region = region;
    return c;
}

static int signature_is(const sd_buf *auth, const char *sig)
{
    const char *p = auth->ptr ? strstr(auth->ptr, "Signature=") : NULL;

    return p && strcmp(p + 10, sig) == 0;
}

/* AWS's "GET Object" example of Signature Version 4 for S3. */
SD_TEST(sigv4_get_object_example)
{
    char region[] = "us-east-1";
    sd_s3_creds c = example_creds(region);
    sd_s3_header h[] = { { "host", "examplebucket.s3.amazonaws.com" },
                         { "range", "bytes=0-9" },
                         { "x-amz-content-sha256", EMPTY },
                         { "x-amz-date", "20130524T000000Z" } };
    sd_buf auth = SD_BUF_INIT;

    CHECK(sd_s3_sign(&auth, &c, "s3", "GET", "/test.txt", "", h, 4, EMPTY,
                     "20130524T000000Z") == 0);
    CHECK(strncmp(auth.ptr,
                  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                  "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
                  "x-amz-content-sha256;x-amz-date, ",
                  120) == 0);
    CHECK(signature_is(&auth, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba4"
                              "8dd91039c6036bdb41"));
    sd_buf_dispose(&auth);
}

/* AWS's "GET Bucket (List Objects)" example: a sorted query string. */
SD_TEST(sigv4_list_example)
{
    char region[] = "us-east-1";
    sd_s3_creds c = example_creds(region);
    sd_s3_header h[] = { { "host", "examplebucket.s3.amazonaws.com" },
                         { "x-amz-content-sha256", EMPTY },
                         { "x-amz-date", "20130524T000000Z" } };
    sd_buf auth = SD_BUF_INIT;

    CHECK(sd_s3_sign(&auth, &c, "s3", "GET", "/", "max-keys=2&prefix=J", h, 3,
                     EMPTY, "20130524T000000Z") == 0);
    CHECK(signature_is(&auth, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6"
                              "670ed5711ef69dc6f7"));
    sd_buf_dispose(&auth);
}

/* A path-style part upload with a session token (value from botocore). */
SD_TEST(sigv4_part_upload_with_token)
{
    char region[] = "us-east-1";
    sd_s3_creds c = example_creds(region);
    sd_s3_header h[] = { { "host", "127.0.0.1:9000" },
                         { "x-amz-content-sha256", "UNSIGNED-PAYLOAD" },
                         { "x-amz-date", "20130524T000000Z" },
                         { "x-amz-security-token", "tok/en+==" } };
    sd_buf auth = SD_BUF_INIT;

    CHECK(sd_s3_sign(&auth, &c, "s3", "PUT", "/bkt/p%20q/.objects/abc",
                     "partNumber=2&uploadId=a%2Fb", h, 4, "UNSIGNED-PAYLOAD",
                     "20130524T000000Z") == 0);
    CHECK(signature_is(&auth, "62bb69f397ca5da65cb61733771c1141909b8d146ae005"
                              "95dfbcfd032bda1843"));
    sd_buf_dispose(&auth);
}

SD_TEST(amz_date_format)
{
    char d[17];

    sd_s3_amz_date(d, (time_t)1369353600); /* 2013-05-24 00:00:00 UTC */
    CHECK_STR(d, "20130524T000000Z");
}

static int split_is(const char *uri, const char *bucket, const char *prefix)
{
    char *b = NULL, *p = NULL;
    int ok = sd_store_split_uri(&b, &p, uri) == 0 && strcmp(b, bucket) == 0 &&
             strcmp(p, prefix) == 0;

    sd_free(b);
    sd_free(p);
    return ok;
}

SD_TEST(store_uri_split)
{
    char *b = NULL, *p = NULL;

    CHECK(split_is("s3://bucket", "bucket", ""));
    CHECK(split_is("s3://bucket/", "bucket", ""));
    CHECK(split_is("gs://b/a/b/", "b", "a/b"));
    CHECK(split_is("b2://b//x//", "b", "x"));
    CHECK(split_is("gcs://b/p q", "b", "p q"));
    CHECK(split_is("s3:bucket/x/", "bucket", "x"));
    CHECK(sd_store_split_uri(&b, &p, "s3://") == SNAPDIR_EINVALID_STORE);
    CHECK(sd_store_split_uri(&b, &p, "s3:///x") == SNAPDIR_EINVALID_STORE);
    CHECK(b == NULL && p == NULL);
}

SD_TEST(percent_encoding)
{
    sd_buf b = SD_BUF_INIT;

    CHECK(sd_http_encode(&b, "a b/c+d~e_f.g-h", 1) == 0);
    CHECK_STR(b.ptr, "a%20b/c%2Bd~e_f.g-h");
    sd_buf_clear(&b);
    CHECK(sd_http_encode(&b, "x/y=z&\xc3\xa9", 0) == 0);
    CHECK_STR(b.ptr, "x%2Fy%3Dz%26%C3%A9");
    sd_buf_dispose(&b);
}

SD_TEST(base64url_unpadded)
{
    sd_buf b = SD_BUF_INIT;

    CHECK(sd_gcs_base64url(&b, (const unsigned char *)"{\"a\":1}", 7) == 0);
    CHECK_STR(b.ptr, "eyJhIjoxfQ");
    sd_buf_clear(&b);
    CHECK(sd_gcs_base64url(&b, (const unsigned char *)"\xfb\xff", 2) == 0);
    CHECK_STR(b.ptr, "-_8");
    sd_buf_dispose(&b);
}

/* Full jitter under min(cap, base * 2^n); a Retry-After is a floor. */
SD_TEST(backoff_schedule)
{
    sd_http_config cfg;
    unsigned int n, i;

    sd_http_config_init(&cfg, "s3://b", NULL, 0, 0);
    CHECK(cfg.attempts == 5 && cfg.base_ms == 250 && cfg.cap_ms == 30000);
    for (n = 0; n < 12; n++) {
        uint64_t bound = 250ULL << n;

        if (bound > 30000) {
            bound = 30000;
        }
        for (i = 0; i < 50; i++) {
            CHECK(sd_http_backoff_ms(&cfg, n, 0) < bound);
        }
    }
    CHECK(sd_http_backoff_ms(&cfg, 0, 45000) == 45000);
}

SD_TEST(store_config_overrides)
{
    sd_store_config sc;
    sd_http_config cfg;

    memset(&sc, 0, sizeof(sc));
    sd_http_config_init(&cfg, "b2://b", &sc, 20, 25.0 * 1024 * 1024);
    CHECK(cfg.max_requests == 20 && cfg.limit_rate == 25.0 * 1024 * 1024);
    sc.max_retries = 2;
    sc.retry_base_ms = 10;
    sc.retry_max_ms = 20;
    sc.max_requests = 7;
    sc.limit_rate = 1024;
    sd_http_config_init(&cfg, "b2://b", &sc, 20, 25.0 * 1024 * 1024);
    CHECK(cfg.attempts == 2 && cfg.base_ms == 10 && cfg.cap_ms == 20);
    CHECK(cfg.max_requests == 7 && cfg.limit_rate == 1024);
}

SD_TEST(unknown_scheme_lists_forms)
{
    sd_store *s = NULL;

    CHECK(sd_store_open(&s, "ftp://x/y") == SNAPDIR_EINVALID_STORE);
    CHECK(s == NULL);
    CHECK(strstr(sd_error_last()->msg, "gs://bucket/prefix") != NULL);
    CHECK(strstr(sd_error_last()->msg, "s3://bucket/prefix") != NULL);
}

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* More than one second's budget is granted after a wait, never refused. */
SD_TEST(token_bucket_goes_into_debt)
{
    sd_http_bucket b;
    double t0, t1;

    sd_http_bucket_init(&b, 1000);
    t0 = mono();
    sd_http_bucket_take(&b, 900); /* within the initial budget */
    CHECK(mono() - t0 < 0.05);
    sd_http_bucket_take(&b, 1100); /* 1000 in debt: about a second */
    t1 = mono();
    CHECK(t1 - t0 >= 0.9 && t1 - t0 < 2.0);
    sd_http_bucket_take(&b, 100); /* the debt was paid: 0.1 s */
    CHECK(mono() - t1 >= 0.08 && mono() - t1 < 1.0);
    sd_http_bucket_dispose(&b);
    sd_http_bucket_init(&b, 0); /* unlimited */
    t0 = mono();
    sd_http_bucket_take(&b, 1e12);
    CHECK(mono() - t0 < 0.05);
    sd_http_bucket_dispose(&b);
}
