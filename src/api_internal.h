/* SPDX-License-Identifier: MIT */
/* api_internal.h - helpers shared by the api_*.c entry points. */
#ifndef SD_API_INTERNAL_H
#define SD_API_INTERNAL_H

#include "snapdir.h"
#include "ops/sd_ops.h"
#include "store/sd_store.h"

/* Turn a negative code and the thread's error into *err; returns code. */
int sd_api_fail(int code, SnapdirError **err);

/* Build a manifest (no SnapdirError); errors are on the thread. */
int sd_api_build_manifest(snapdir_manifest **out,
                          const char *path,
                          const snapdir_manifest_options *opts,
                          sd_ops_inline *store_inline);

/* Validate and lowercase a snapshot id. */
int sd_api_parse_id(char out[SNAPDIR_ID_HEXLEN + 1], const char *text);

/* Open a store by URI with the transfer options' network knobs. */
int sd_api_open_store(sd_store **out,
                      const char *uri,
                      const snapdir_transfer_options *t);

/* The ops' view of transfer options (jobs resolved). */
void sd_api_ops_options(sd_ops_options *o, const snapdir_transfer_options *t);

#endif
