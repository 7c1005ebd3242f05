/* SPDX-License-Identifier: MIT */
/* walkopt.h - the walk flags shared by manifest, id, stage and push. */
#ifndef CLI_WALKOPT_H
#define CLI_WALKOPT_H

#include "cli/opt.h"
#include "snapdir.h"

/* The option-table rows of the walk group (--exclude, --walk-jobs). */
#define CLI_WALK_OPTS                                                          \
    { "exclude",                                                               \
      0,                                                                       \
      OPT_LIST,                                                                \
      "PATTERN",                                                               \
      NULL,                                                                    \
      "Leave out entries whose absolute path matches this extended regular "   \
      "expression (repeatable; comma-separated lists; %system% and %common% "  \
      "macros)" },                                                             \
    {                                                                          \
        "walk-jobs", 0, OPT_VALUE, "N", "SNAPDIR_WALK_JOBS",                   \
            "Hashing threads (0 or unset: all cores, at most 16)"              \
    }

/*
 * Fill opts from the walk flags. Returns
 * CLI_CONTINUE, or an exit status after a usage error.
 */
int cli_walk_options(snapdir_manifest_options *opts, const cli_args *a);

/* The path argument, or "." when absent. */
const char *cli_path_arg(const cli_args *a);

#endif
