/* SPDX-License-Identifier: MIT */
/* walkopt.c - walk flags to manifest options; see walkopt.h. */
#include "cli/walkopt.h"

#include <stdlib.h>

int cli_walk_options(snapdir_manifest_options *opts, const cli_args *a)
{
    unsigned long long jobs = 0;
    const char *context = getenv("SNAPDIR_MANIFEST_CONTEXT");
    int set, rc;

    snapdir_manifest_options_init(opts, SNAPDIR_MANIFEST_OPTIONS_VERSION);
    opts->exclude = cli_list(a, "exclude", &opts->exclude_count);
    if ((rc = cli_get_uint(a, "walk-jobs", &jobs, &set)) != 0) {
        return rc;
    }
    opts->jobs = jobs > 1024 ? 1024 : (unsigned int)jobs;
    opts->context = context && context[0] ? context : NULL;
    return CLI_CONTINUE;
}

const char *cli_path_arg(const cli_args *a)
{
    return a->npositional ? a->positional[0] : ".";
}
