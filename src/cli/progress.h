/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the live progress line on stderr (cli-surface.md §8): drawn
 * only when stderr is a terminal, not --quiet / --no-progress, and TERM is
 * not "dumb". The only code that writes to the terminal.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "cli/opt.h"
#include "snapdir.h"

typedef struct cli_progress cli_progress;

/* NULL when the line should not be drawn; free with cli_progress_end. */
cli_progress *cli_progress_start(const cli_args *a, int no_progress_flag);

/* A snapdir_progress_cb; payload is the cli_progress (may be NULL). */
int cli_progress_cb(const snapdir_progress *p, void *payload);

/* Clear the line (before anything goes to stdout) and free. */
void cli_progress_end(cli_progress *p);

#endif
