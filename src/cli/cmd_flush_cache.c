/* SPDX-License-Identifier: MIT */
/* cmd_flush_cache.c - `snapdir flush-cache`: empty the local cache. */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/xferopt.h"

#include <stdio.h>

static const cli_opt opts[] = {
    CLI_STORE_OPT,
    CLI_ID_OPT,
    { "purge", 0, OPT_FLAG, NULL, NULL, "Accepted for compatibility" },
    { "force", 0, OPT_FLAG, NULL, NULL, "Accepted for compatibility" },
    { "dryrun", 0, OPT_FLAG, NULL, NULL,
      "Print what would go; delete nothing" },
    CLI_CACHE_DIR_OPT,
};

static const cli_command command = {
    "flush-cache",
    "Delete everything in the local cache (objects, manifests, catalogs)",
    NULL,
    NULL,
    opts,
    sizeof(opts) / sizeof(opts[0]),
    0,
};

int cmd_flush_cache(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    SnapdirError *err = NULL;
    char *dir = NULL;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (snapdir_cache_dir(&dir, &t.o, &err) < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    if (t.o.dryrun) {
        fprintf(stderr,
                "dry-run: would flush the cache at %s (no writes performed)\n",
                dir);
    }
    rc = snapdir_flush_cache(&t.o, &err) < 0 ? cli_fail(err) : CLI_EXIT_OK;
cleanup:
    snapdir_string_free(dir);
    cli_args_dispose(&a);
    return rc;
}
