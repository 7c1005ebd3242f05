/* SPDX-License-Identifier: MIT */
/*
 * error.h - outcomes to exit statuses: 0 success, 1 runtime error (message
 * on stderr naming what failed), 2 usage error.
 */
#ifndef CLI_ERROR_H
#define CLI_ERROR_H

#include "snapdir.h"

#define CLI_EXIT_OK      0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE   2

/* Print "snapdir: <message>" for err, free it, return 1. */
int cli_fail(SnapdirError *err);

/* Print "snapdir: <context>: <message>" for err, free it, return 1. */
int cli_fail_in(const char *context, SnapdirError *err);

/* Print "snapdir: <formatted>" and return 1. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write all of buf to stdout; on failure print why and return 1. */
int cli_write_stdout(const char *buf, size_t len);

#endif
