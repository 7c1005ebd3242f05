/* SPDX-License-Identifier: MIT */
/*
 * cmd_sync.c - `snapdir sync --id ID --from URI --to URI`: copy a snapshot
 * between stores without the local cache; --delete mirrors manifests.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <stdlib.h>

static const cli_opt opts[] = {
    CLI_TRANSFER_OPTS,
    { "from", 0, OPT_VALUE, "STORE", "SNAPDIR_STORE", "Source store URI" },
    { "to", 0, OPT_VALUE, "STORE", NULL, "Destination store URI" },
    { "from-objects", 0, OPT_VALUE, "URI", NULL,
      "Source object pool (objects apart from manifests)" },
    { "to-objects", 0, OPT_VALUE, "URI", NULL,
      "Destination object pool (objects apart from manifests)" },
    { "delete", 0, OPT_FLAG, NULL, NULL,
      "Also delete destination manifests the source lacks (file:// only; "
      "objects are never deleted)" },
};

static const cli_command command = {
    "sync", "Copy a snapshot from one store to another",
    NULL,   NULL,
    opts,   sizeof(opts) / sizeof(opts[0]),
    0,
};

static void
report(const char *action, const char *path, const char *sum, void *payload)
{
    const cli_args *a = payload;

    (void)path;
    if (a->verbose && !a->quiet) {
        fprintf(stderr, "%s manifest %s\n", action, sum);
    }
}

static int summary(const cli_args *a, const cli_transfer *t, int mirror)
{
    const snapdir_stats *s = &t->stats;

    if (t->o.dryrun) {
        if (mirror) {
            cli_notice(a,
                       "dry-run: would copy %llu object(s) and prune %llu "
                       "manifest(s) for %s",
                       (unsigned long long)s->objects_copied,
                       (unsigned long long)s->entries_pruned, t->id);
        } else {
            cli_notice(a, "dry-run: would copy %llu object(s) for %s",
                       (unsigned long long)s->objects_copied, t->id);
        }
        return CLI_EXIT_OK;
    }
    printf("%s\n", t->id);
    if (mirror) {
        cli_notice(a,
                   "mirrored %s: %llu copied, %llu skipped (%llu bytes), %llu "
                   "manifest(s) pruned",
                   t->id, (unsigned long long)s->objects_copied,
                   (unsigned long long)s->objects_skipped,
                   (unsigned long long)s->bytes_copied,
                   (unsigned long long)s->entries_pruned);
    } else {
        cli_notice(a, "synced %s: %llu copied, %llu skipped (%llu bytes)",
                   t->id, (unsigned long long)s->objects_copied,
                   (unsigned long long)s->objects_skipped,
                   (unsigned long long)s->bytes_copied);
    }
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

int cmd_sync(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    snapdir_sync_options so;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (!cli_get(&a, "from") || !cli_get(&a, "to")) {
        rc = cli_usage_error(&command,
                             "the following required arguments were not "
                             "provided:\n  %s",
                             !cli_get(&a, "from") ? "--from <STORE>"
                                                  : "--to <STORE>");
        goto cleanup;
    }
    if (!t.id) {
        rc = cli_failf("missing --id option");
        goto cleanup;
    }
    snapdir_sync_options_init(&so, SNAPDIR_SYNC_OPTIONS_VERSION);
    so.from = cli_get(&a, "from");
    so.to = cli_get(&a, "to");
    so.from_objects = cli_get(&a, "from-objects");
    so.to_objects = cli_get(&a, "to-objects");
    so.delete_extra = cli_flag(&a, "delete");
    so.transfer = t.o;
    so.transfer.stats = &t.stats;
    so.transfer.report = report;
    so.transfer.report_payload = &a;
    cli_banner(&a, &t);
    progress = cli_progress_start(&a, 0);
    so.transfer.progress = progress ? cli_progress_cb : NULL;
    so.transfer.progress_payload = progress;
    rc = snapdir_sync(t.id, &so, &err);
    cli_progress_end(progress);
    rc = rc < 0 ? cli_fail(err) : summary(&a, &t, so.delete_extra);
cleanup:
    cli_args_dispose(&a);
    return rc;
}
