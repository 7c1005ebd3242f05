/* SPDX-License-Identifier: MIT */
/*
 * store_s3.h - the S3 client shared by the s3 and b2 backends: one
 * constructor, told by a flavour which endpoint, signing region and
 * default limits to use.
 */
#ifndef SD_STORE_S3_H
#define SD_STORE_S3_H

#include "store/sd_store.h"

typedef struct {
    const char *scheme;   /* "s3" or "b2": the URI's, for messages */
    const char *endpoint; /* a custom endpoint (path style), or NULL */
    const char *region;   /* the signing region, or NULL: the AWS chain */
    double max_requests;  /* default requests per second */
    double limit_rate;    /* default bytes per second; 0 = unlimited */
} sd_s3_flavour;

int sd_store_s3_open(snapdir_store **out,
                     const char *uri,
                     const sd_store_config *cfg,
                     const sd_s3_flavour *f);

#endif
