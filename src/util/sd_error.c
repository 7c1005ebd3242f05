/* SPDX-License-Identifier: MIT */
/* sd_error.c - per-thread error state; see sd_error.h. */
#include "util/sd_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local sd_error tls_error;

int sd_error_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tls_error.msg, sizeof(tls_error.msg), fmt, ap);
    va_end(ap);
    tls_error.code = code;
    return code;
}

int sd_error_wrap(int code, const char *fmt, ...)
{
    char prefix[SD_ERROR_MSG_MAX];
    char old[SD_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix), olen;

    memcpy(old, tls_error.msg, sizeof(old));
    olen = strnlen(old, sizeof(old) - 1);
    /* prefix, ": ", then as much of the old message as fits */
    if (plen > sizeof(tls_error.msg) - 3) {
        plen = sizeof(tls_error.msg) - 3;
    }
    memcpy(tls_error.msg, prefix, plen);
    memcpy(tls_error.msg + plen, ": ", 2);
    if (olen > sizeof(tls_error.msg) - plen - 3) {
        olen = sizeof(tls_error.msg) - plen - 3;
    }
    memcpy(tls_error.msg + plen + 2, old, olen);
    tls_error.msg[plen + 2 + olen] = '\0';
    if (tls_error.code == 0) {
        tls_error.code = code;
    }
    return tls_error.code;
}

const sd_error *sd_error_last(void)
{
    return &tls_error;
}

void sd_error_clear(void)
{
    tls_error.code = 0;
    tls_error.msg[0] = '\0';
}

void sd_error_save(sd_error *out)
{
    *out = tls_error;
}

void sd_error_restore(const sd_error *in)
{
    tls_error = *in;
}

const char *sd_strerror(int errnum, char *buf, size_t len)
{
    /* GNU strerror_r may return a static string instead of filling buf. */
    return strerror_r(errnum, buf, len);
}
