/* SPDX-License-Identifier: MIT */
/*
 * sd_excludes.h - walk-side exclude patterns: POSIX EREs, OR-ed, matched
 * anywhere in an entry's absolute path, with the %system% and %common%
 * macros of manifest-format.md §6.
 */
#ifndef SD_EXCLUDES_H
#define SD_EXCLUDES_H

#include <stddef.h>

typedef struct sd_excludes sd_excludes;

/*
 * Compile the patterns. home and cache_dir fill %system%; when a pattern
 * uses %system%, *force_no_follow is set. An invalid pattern is
 * SNAPDIR_EIO naming it. *out is NULL when there are no patterns.
 */
int sd_excludes_compile(sd_excludes **out,
                        const char *const *patterns,
                        size_t n,
                        const char *home,
                        const char *cache_dir,
                        int *force_no_follow);

/* Non-zero when any pattern matches path (NUL-terminated). */
int sd_excludes_match(const sd_excludes *ex, const char *path);

void sd_excludes_free(sd_excludes *ex);

#endif
