/* SPDX-License-Identifier: MIT */
/* mirror.c - the shared run of checkout and pull; see mirror.h. */
#include "cli/mirror.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/walkopt.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <string.h>

/* Dry-run reports: deletions are the payload (stdout), the rest notes. */
typedef struct {
    const cli_args *a;
    int dryrun;
} report_ctx;

static void
report(const char *action, const char *path, const char *sum, void *payload)
{
    const report_ctx *r = payload;
    const cli_args *a = r->a;

    (void)sum;
    if (strcmp(action, "delete") == 0 && r->dryrun) {
        printf("would delete: %s\n", path); /* the dry run's payload */
    } else if (a->verbose && !a->quiet) {
        fprintf(stderr, "%s%s: %s\n", r->dryrun ? "would " : "", action, path);
    }
}

static int is_remote(const char *uri)
{
    return uri && uri[0] && strncmp(uri, "file:", 5) != 0 &&
           strstr(uri, "://") != NULL;
}

int cli_materialise(cli_args *a, int pull)
{
    snapdir_checkout_options co;
    report_ctx rctx;
    cli_transfer t;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    const char *dest = cli_path_arg(a);
    int rc;

    if ((rc = cli_transfer_options(&t, a)) != CLI_CONTINUE) {
        return rc;
    }
    snapdir_checkout_options_init(&co, SNAPDIR_CHECKOUT_OPTIONS_VERSION);
    co.transfer = t.o;
    co.transfer.stats = &t.stats;
    co.linked = cli_flag(a, "linked");
    co.delete_extra = cli_flag(a, "delete");
    co.protect = cli_list(a, "exclude", &co.protect_count);
    if (!t.id) {
        return cli_failf("missing --id option");
    }
    if (co.linked && is_remote(t.o.store)) {
        return cli_failf("--linked cannot be used with the remote store %s: "
                         "symlinks point at LOCAL content-addressed objects, "
                         "which a remote store does not provide; drop "
                         "--linked (objects are copied) or use a local "
                         "file:// store",
                         t.o.store);
    }
    if (snapdir_id_parse(NULL, t.id, &err) < 0) {
        return cli_fail(err);
    }
    cli_banner(a, &t);
    if (t.o.dryrun && !co.delete_extra) {
        /* nothing to plan against without --delete: check the store only */
        rc = pull ? snapdir_fetch(t.id, &co.transfer, &err) : 0;
        if (rc < 0) {
            return cli_fail(err);
        }
        cli_notice(a,
                   "dry-run: would check out %s to %s (no writes "
                   "performed)",
                   t.id, dest);
        return CLI_EXIT_OK;
    }
    co.transfer.report = report;
    rctx.a = a;
    rctx.dryrun = t.o.dryrun;
    co.transfer.report_payload = &rctx;
    progress = cli_progress_start(a, 0);
    co.transfer.progress = progress ? cli_progress_cb : NULL;
    co.transfer.progress_payload = progress;
    rc = pull ? snapdir_pull(t.id, dest, &co, &err)
              : snapdir_checkout(t.id, dest, &co, &err);
    cli_progress_end(progress);
    fflush(stdout);
    if (rc < 0) {
        return cli_fail(err);
    }
    if (a->verbose && !t.o.dryrun) {
        cli_notice(a,
                   "checked out %s to %s: %llu file(s) written, %llu "
                   "pruned",
                   t.id, dest, (unsigned long long)t.stats.files_written,
                   (unsigned long long)t.stats.entries_pruned);
    }
    return CLI_EXIT_OK;
}
