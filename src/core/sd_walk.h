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
    /*
     * Optional: called on a worker thread with a small file's content
     * while it is still in memory after hashing (stage and push store the
     * object right there instead of reading the file again). Return 1 when
     * the object is stored, 0 when not, or a negative error.
     */
    int (*on_content)(void *payload,
                      const uint8_t *digest,
                      const void *data,
                      size_t len,
                      const char *path);
    void *on_content_payload;
} sd_walk_options;

/*
 * root must be absolute and lexically normalised (sd_path_absolute).
 * Files' walk-time identities are kept in each entry's guard.
 */
int sd_walk(snapdir_manifest **out,
            const char *root,
            const sd_walk_options *opts);

#endif
