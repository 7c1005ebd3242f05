/* SPDX-License-Identifier: MIT */
/*
 * cmd_push.c - `snapdir push --store URI [PATH]` (or `--id ID` of a staged
 * snapshot): upload what the store lacks, objects first, manifest last.
 */
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
    "push",
    "Upload a snapshot of a directory (or a staged --id) to a store",
    "[PATH]",
    "Directory to snapshot [default: the current directory, unless --id]",
    opts,
    sizeof(opts) / sizeof(opts[0]),
    1,
};

int cmd_push(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    const char *path;
    char id[SNAPDIR_ID_HEXLEN + 2];
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE ||
        (rc = cli_walk_options(&t.o.walk, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    /* an explicit PATH wins over --id; without either, the cwd */
    path = a.npositional || !t.id ? cli_path_arg(&a) : NULL;
    cli_banner(&a, &t);
    progress = cli_progress_start(&a, 0);
    t.o.progress = progress ? cli_progress_cb : NULL;
    t.o.progress_payload = progress;
    rc = snapdir_push(id, path, t.id, &t.o, &err);
    cli_progress_end(progress);
    if (rc < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    id[SNAPDIR_ID_HEXLEN] = '\n';
    rc = cli_write_stdout(id, SNAPDIR_ID_HEXLEN + 1);
    if (t.o.dryrun) {
        cli_notice(&a, "dry-run: would push %.64s to %s (no writes performed)",
                   id, t.o.store);
    } else if (a.verbose) {
        cli_notice(&a, "pushed %.64s: %llu copied, %llu skipped (%llu bytes)",
                   id, (unsigned long long)t.stats.objects_copied,
                   (unsigned long long)t.stats.objects_skipped,
                   (unsigned long long)t.stats.bytes_copied);
    }
cleanup:
    cli_args_dispose(&a);
    return rc;
}
