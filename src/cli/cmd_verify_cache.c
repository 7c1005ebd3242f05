/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify_cache.c - `snapdir verify-cache [--purge] [--id ID]`: re-hash
 * every cached object and check that cached snapshots are complete.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <string.h>

static const cli_opt opts[] = {
    CLI_STORE_OPT,
    CLI_ID_OPT,
    { "purge", 0, OPT_FLAG, NULL, NULL, "Delete corrupt objects" },
    { "force", 0, OPT_FLAG, NULL, NULL, "Accepted for compatibility" },
    { "dryrun", 0, OPT_FLAG, NULL, NULL, "With --purge: delete nothing" },
    CLI_CACHE_DIR_OPT,
};

static const cli_command command = {
    "verify-cache",
    "Re-hash every object in the local cache and find missing ones",
    NULL,
    NULL,
    opts,
    sizeof(opts) / sizeof(opts[0]),
    0,
};

typedef struct {
    const cli_args *a;
    int purge;
    unsigned long corrupt, missing;
} tally;

static void
report(const char *action, const char *path, const char *sum, void *payload)
{
    tally *t = payload;

    if (strcmp(action, "missing") == 0) {
        t->missing++;
        fprintf(stderr, "Missing object %s for %s\n", sum, path);
    } else {
        t->corrupt++;
        fprintf(stderr, "Checksum mismatch for %s\n", sum);
        if (t->purge && t->a->verbose) {
            fprintf(stderr, "purged %s\n", sum);
        }
    }
}

int cmd_verify_cache(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    tally counts = { NULL, 0, 0, 0 };
    SnapdirError *err = NULL;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    counts.a = &a;
    counts.purge = cli_flag(&a, "purge") && !t.o.dryrun;
    if (cli_flag(&a, "purge") && t.o.dryrun) {
        fprintf(stderr, "dry-run: would purge corrupt objects from the cache "
                        "(no writes performed)\n");
    }
    t.o.report = report;
    t.o.report_payload = &counts;
    rc = snapdir_verify_cache(t.id, counts.purge, &t.o, &err);
    if (rc == SNAPDIR_EMISMATCH) {
        snapdir_error_free(err);
        rc = cli_failf("%lu corrupt + %lu missing object(s) in the cache",
                       counts.corrupt, counts.missing);
    } else if (rc < 0) {
        rc = cli_fail(err);
    } else {
        rc = CLI_EXIT_OK;
    }
cleanup:
    cli_args_dispose(&a);
    return rc;
}
