/* SPDX-License-Identifier: MIT */
/* api_internal.h - helpers shared by the api_*.c entry points. */
#ifndef SD_API_INTERNAL_H
#define SD_API_INTERNAL_H

#include "snapdir.h"

/* Turn a negative code and the thread's error into *err; returns code. */
int sd_api_fail(int code, SnapdirError **err);

/* Build a manifest (no SnapdirError); errors are on the thread. */
int sd_api_build_manifest(snapdir_manifest **out,
                          const char *path,
                          const snapdir_manifest_options *opts);

/* Validate and lowercase a snapshot id. */
int sd_api_parse_id(char out[SNAPDIR_ID_HEXLEN + 1], const char *text);

#endif
