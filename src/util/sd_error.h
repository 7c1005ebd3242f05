/* SPDX-License-Identifier: MIT */
/*
 * sd_error.h - per-thread error state (the libgit2 model): a failing function
 * records a code and a message naming what failed, and returns the code.
 */
#ifndef SD_ERROR_H
#define SD_ERROR_H

#include "snapdir.h"

/* Internal-only codes, never returned through the public API. */
#define SD_ENOTFOUND    (-100) /* a store has no such key */
#define SD_EPASSTHROUGH (-101) /* a backend cannot do this natively */
#define SD_EUSER        (-102) /* a callback asked to stop */

#define SD_ERROR_MSG_MAX 2048

typedef struct {
    int code;
    char msg[SD_ERROR_MSG_MAX];
} sd_error;

/* Record an error for this thread; returns code so callers can return it. */
int sd_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the current message with "what: " (context, outermost first). */
int sd_error_wrap(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last error of this thread; code 0 when none. */
const sd_error *sd_error_last(void);

void sd_error_clear(void);

/* Copy the thread's error out and back in (the pool's hand-off). */
void sd_error_save(sd_error *out);
void sd_error_restore(const sd_error *in);

/* A strerror that is thread-safe. */
const char *sd_strerror(int errnum, char *buf, size_t len);

#endif
