/* SPDX-License-Identifier: MIT */
/* cmd_stage.c - `snapdir stage [DIR]`: snapshot into the local cache. */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/walkopt.h"
#include "cli/xferopt.h"

#include <stdio.h>

static const cli_opt opts[] = {
    CLI_WALK_OPTS,
    CLI_TRANSFER_OPTS,
};

static const cli_command command = {
    "stage", "Snapshot a directory into the local cache and print its id",
    "[DIR]", "Directory to snapshot [default: the current directory]",
    opts,    sizeof(opts) / sizeof(opts[0]),
    1,
};

int cmd_stage(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    char id[SNAPDIR_ID_HEXLEN + 2];
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE ||
        (rc = cli_walk_options(&t.o.walk, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    cli_banner(&a, &t);
    progress = cli_progress_start(&a, 0);
    t.o.progress = progress ? cli_progress_cb : NULL;
    t.o.progress_payload = progress;
    rc = snapdir_stage(id, cli_path_arg(&a), &t.o, &err);
    cli_progress_end(progress);
    if (rc < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    id[SNAPDIR_ID_HEXLEN] = '\n';
    rc = cli_write_stdout(id, SNAPDIR_ID_HEXLEN + 1);
    if (t.o.dryrun) {
        cli_notice(&a,
                   "dry-run: would stage %.64s into the local cache (no "
                   "writes performed)",
                   id);
    }
cleanup:
    cli_args_dispose(&a);
    return rc;
}
