/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `snapdir verify --store URI --id ID`: re-hash every object
 * of a snapshot in a store; report each missing or corrupt one.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <string.h>

static const cli_opt opts[] = {
    CLI_STORE_OPT,
    CLI_ID_OPT,
    { "objects-store", 0, OPT_VALUE, "URI", "SNAPDIR_OBJECTS_STORE",
      "The object pool, when objects live apart from manifests" },
    { "purge", 0, OPT_FLAG, NULL, NULL,
      "Not supported here (use verify-cache --purge)" },
    { "force", 0, OPT_FLAG, NULL, NULL, "Accepted for compatibility" },
    { "dryrun", 0, OPT_FLAG, NULL, NULL, "Accepted; verify changes nothing" },
    CLI_CACHE_DIR_OPT,
};

static const cli_command command = {
    "verify", "Re-hash every object of a snapshot in a store",
    NULL,     NULL,
    opts,     sizeof(opts) / sizeof(opts[0]),
    0,
};

static void
report(const char *action, const char *path, const char *sum, void *payload)
{
    (void)payload;
    if (strcmp(action, "missing") == 0) {
        fprintf(stderr, "Missing object %s for %s\n", sum, path);
    } else {
        fprintf(stderr, "Checksum mismatch for %s (%s)\n", sum,
                path ? path : "");
    }
}

int cmd_verify(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    cli_progress *progress = NULL;
    SnapdirError *err = NULL;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (cli_flag(&a, "purge")) {
        rc = cli_failf("`verify` does not support --purge; use `verify-cache "
                       "--purge` to remove corrupt objects from the local "
                       "cache");
        goto cleanup;
    }
    if ((rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (!t.id) {
        rc = cli_failf("missing --id option");
        goto cleanup;
    }
    t.o.dryrun = 0; /* verify writes nothing anyway */
    t.o.report = report;
    progress = cli_progress_start(&a, 0);
    t.o.progress = progress ? cli_progress_cb : NULL;
    t.o.progress_payload = progress;
    rc = snapdir_verify(t.id, &t.o, &err);
    cli_progress_end(progress);
    rc = rc < 0 ? cli_fail(err) : CLI_EXIT_OK;
cleanup:
    cli_args_dispose(&a);
    return rc;
}
