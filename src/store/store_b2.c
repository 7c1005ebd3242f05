/* SPDX-License-Identifier: MIT */
/*
 * store_b2.c - the b2:// backend: Backblaze B2 through its S3-compatible
 * API, i.e. the S3 client pointed at https://s3.<region>.backblazeb2.com
 * and signing for that same region (the reference signed for us-east-1).
 */
#include "store/store_s3.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdlib.h>
#include <string.h>

#if SD_WITH_B2

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

int sd_store_b2_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg)
{
    sd_buf endpoint = SD_BUF_INIT;
    sd_s3_flavour f;
    int error = 0;

    memset(&f, 0, sizeof(f));
    f.scheme = "b2";
    f.region = env("SNAPDIR_B2_REGION");
    if (!f.region) {
        f.region = env("AWS_REGION");
    }
    if (!f.region) {
        f.region = "us-west-004";
    }
    /* B2's published caps: 20 requests/s and 25 MiB/s for reads */
    f.max_requests = 20;
    f.limit_rate = 25.0 * 1024 * 1024;
    f.endpoint = env("SNAPDIR_S3_STORE_ENDPOINT_URL");
    if (!f.endpoint) {
        f.endpoint = env("SNAPDIR_B2_TEST_ENDPOINT");
    }
    if (!f.endpoint) {
        error =
            sd_buf_printf(&endpoint, "https://s3.%s.backblazeb2.com", f.region);
        f.endpoint = endpoint.ptr;
    }
    if (error == 0) {
        error = sd_store_s3_open(out, uri, cfg, &f);
    }
    sd_buf_dispose(&endpoint);
    return error;
}

#else

int sd_store_b2_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg)
{
    (void)cfg;
    *out = NULL;
    return sd_error_set(SNAPDIR_EINVALID_STORE,
                        "store '%s': snapdir was built without b2", uri);
}

#endif
