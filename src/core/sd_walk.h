/* SPDX-License-Identifier: MIT */
/*
 * sd_walk.h - walk a directory into a manifest (manifest-format.md §1-§4):
 * parallel discovery and hashing, merkle directory checksums, and detection
 * of a tree that changes while it is walked (SNAPDIR_EINFLUX).
 */
#ifndef SD_WALK_H
#define SD_WALK_H

#include "core/sd_excludes.h"
#include "core/sd_manifest.h"
#include "hash/sd_hash.h"

typedef struct {
    int no_follow;
    int absolute;
    const sd_excludes *excludes; /* may be NULL */
    const sd_hash_spec *hash;
    unsigned int jobs; /* 0 = auto */
    volatile int *cancel;
    snapdir_progress_cb progress;
    void *progress_payload;
} sd_walk_options;

/*
 * root must be absolute and lexically normalised (sd_path_absolute).
 * Files' walk-time identities are kept in each entry's guard.
 */
int sd_walk(snapdir_manifest **out,
            const char *root,
            const sd_walk_options *opts);

#endif
