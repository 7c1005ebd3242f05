/* SPDX-License-Identifier: MIT */
/* cmd_fetch.c - `snapdir fetch --store URI --id ID`: into the cache. */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/xferopt.h"

#include <stdio.h>

static const cli_opt opts[] = {
    CLI_TRANSFER_OPTS,
};

static const cli_command command = {
    "fetch", "Download a snapshot into the local cache, verifying every object",
    NULL,    NULL,
    opts,    sizeof(opts) / sizeof(opts[0]),
    0,
};

int cmd_fetch(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (!t.id) {
        rc = cli_failf("missing --id option");
        goto cleanup;
    }
    cli_banner(&a, &t);
    progress = cli_progress_start(&a, 0);
    t.o.progress = progress ? cli_progress_cb : NULL;
    t.o.progress_payload = progress;
    rc = snapdir_fetch(t.id, &t.o, &err);
    cli_progress_end(progress);
    if (rc < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    if (t.o.dryrun) {
        cli_notice(&a,
                   "dry-run: would fetch %s into the local cache (no writes "
                   "performed)",
                   t.id);
    } else if (a.verbose && t.stats.fully_cached) {
        cli_notice(&a, "CACHED: %s", t.id);
    } else if (a.verbose) {
        cli_notice(&a, "SAVED: %s (%llu copied, %llu already cached)", t.id,
                   (unsigned long long)t.stats.objects_copied,
                   (unsigned long long)t.stats.objects_skipped);
    }
    rc = CLI_EXIT_OK;
cleanup:
    cli_args_dispose(&a);
    return rc;
}
