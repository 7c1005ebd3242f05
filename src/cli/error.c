/* SPDX-License-Identifier: MIT */
/* error.c - exit statuses and stdout writes; see error.h. */
#include "cli/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_fail(SnapdirError *err)
{
    fprintf(stderr, "snapdir: %s\n",
            err ? snapdir_error_message(err) : "unknown error");
    snapdir_error_free(err);
    return CLI_EXIT_FAILURE;
}

int cli_fail_in(const char *context, SnapdirError *err)
{
    fprintf(stderr, "snapdir: %s: %s\n", context,
            err ? snapdir_error_message(err) : "unknown error");
    snapdir_error_free(err);
    return CLI_EXIT_FAILURE;
}

int cli_failf(const char *fmt, ...)
{
    va_list ap;

    fputs("snapdir: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_FAILURE;
}

int cli_write_stdout(const char *buf, size_t len)
{
    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
        /* a closed pipe (EPIPE) is the reader's choice, not our failure */
        if (errno == EPIPE) {
            return CLI_EXIT_FAILURE;
        }
        return cli_failf("writing to stdout: %s", strerror(errno));
    }
    return CLI_EXIT_OK;
}
