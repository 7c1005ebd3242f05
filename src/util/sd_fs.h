/* SPDX-License-Identifier: MIT */
/*
 * sd_fs.h - filesystem helpers: recursive mkdir, temporary siblings for
 * atomic writes, whole-file reads, and tree removal that never follows
 * symbolic links.
 */
#ifndef SD_FS_H
#define SD_FS_H

#include "util/sd_str.h"

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p; existing directories are fine. Errors name the path. */
int sd_fs_mkdirs(const char *path, mode_t mode);

/*
 * A temporary sibling of final: "<final>.<pid>.<counter>.tmp" (the
 * reference's naming), unique within the process. Owned by the caller.
 */
char *sd_fs_tmpname(const char *final);

/* Create the directory that will hold path (and its missing parents). */
int sd_fs_mkdir_parent_fresh(const char *path); /* see sd_fs_create_tmp_fresh */
int sd_fs_mkdir_parent(const char *path);

/* Create the temporary sibling of final (O_EXCL), making the parent
 * directory when it is missing. *tmp_out is owned by the caller. */
int sd_fs_create_tmp(int *fd_out,
                     char **tmp_out,
                     const char *final,
                     mode_t mode);

/* The same for a final name whose directory is probably new (a new key of
 * the sharded layout): directories are made first, not after a failed
 * open. */
int sd_fs_create_tmp_fresh(int *fd_out,
                           char **tmp_out,
                           const char *final,
                           mode_t mode);

int sd_fs_write_all(int fd, const void *buf, size_t len, const char *path);

/* Read a whole file into b (appending). */
int sd_fs_read_file(sd_buf *b, const char *path);

/* Write data to path atomically (temporary sibling, then rename). */
int sd_fs_write_atomic(const char *path,
                       const void *data,
                       size_t len,
                       mode_t mode);

/* Remove path and everything below it; symbolic links are unlinked, never
 * followed. A missing path is success. */
int sd_fs_rmtree(const char *path);

/* Remove everything inside dir but keep dir. Missing dir is success. */
int sd_fs_empty_dir(const char *dir);

/*
 * If name is "<base>.<pid>.<n>.tmp" (sd_fs_tmpname's form) written by a
 * process that no longer runs, return the length of <base>; else 0.
 */
size_t sd_fs_stale_tmp(const char *name);

/* The process umask (read once, without changing it). */
unsigned int sd_fs_umask(void);

/* An I/O error naming path, from errno. */
int sd_fs_error(const char *what, const char *path, int errnum);

#endif
