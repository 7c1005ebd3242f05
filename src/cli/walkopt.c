/* SPDX-License-Identifier: MIT */
/* walkopt.c - walk flags to manifest options; see walkopt.h. */
#include "cli/walkopt.h"

int cli_walk_options(snapdir_manifest_options *opts, const cli_args *a)
{
    unsigned long long jobs = 0;
    int set, rc;

    snapdir_manifest_options_init(opts, SNAPDIR_MANIFEST_OPTIONS_VERSION);
    opts->exclude = cli_list(a, "exclude", &opts->exclude_count);
    if ((rc = cli_get_uint(a, "walk-jobs", &jobs, &set)) != 0) {
        return rc;
    }
    opts->jobs = jobs > 1024 ? 1024 : (unsigned int)jobs;
    /* context stays NULL: the library reads SNAPDIR_MANIFEST_CONTEXT */
    return CLI_CONTINUE;
}

const char *cli_path_arg(const cli_args *a)
{
    return a->npositional ? a->positional[0] : ".";
}
