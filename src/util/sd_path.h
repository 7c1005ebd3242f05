/* SPDX-License-Identifier: MIT */
/*
 * sd_path.h - lexical path handling: no symlink resolution, ".." kept.
 */
#ifndef SD_PATH_H
#define SD_PATH_H

#include <stddef.h>

/*
 * Make path absolute against the cwd, then normalise lexically: drop "."
 * components, empty components and trailing "/", keep "..". "/" stays "/".
 * Returns a string owned by the caller (sd_free), or NULL (error recorded).
 */
char *sd_path_absolute(const char *path);

/* Normalise an absolute path in place (as above). */
void sd_path_normalize(char *path);

/* Join dir and name with one "/"; owned by the caller. */
char *sd_path_join(const char *dir, const char *name);

/* Copy s into a buffer with non-printable bytes escaped, for messages. */
const char *sd_path_display(char *buf, size_t len, const char *s);

#endif
