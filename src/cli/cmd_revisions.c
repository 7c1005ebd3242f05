/* SPDX-License-Identifier: MIT */
/*
 * cmd_revisions.c - `snapdir revisions --location L`: the snapshot history
 * of exactly L (no path normalisation), newest first, as JSON lines. L
 * falls back to --store / SNAPDIR_STORE.
 */
#include "cli/cmd.h"
#include "cli/catalogq.h"
#include "cli/opt.h"

static const cli_opt opts[] = {
    { "catalog", 0, OPT_VALUE, "NAME", "SNAPDIR_CATALOG",
      "Catalog to query: NAME for <cache-dir>/NAME-catalog.sqlite3, a path "
      "containing '/', or none [default: default]" },
    { "location", 0, OPT_VALUE, "DIR|STORE", NULL,
      "Directory or store whose history to list (exact string)" },
    { "id", 0, OPT_VALUE, "ID", NULL, "Ignored by this command" },
    { "store", 0, OPT_VALUE, "URI", "SNAPDIR_STORE",
      "Store whose history to list when --location is absent" },
    { "cache-dir", 0, OPT_VALUE, "DIR", "SNAPDIR_CACHE_DIR",
      "Cache directory holding named catalogs "
      "[default: ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir]" },
};

static const cli_command command = {
    "revisions", "Print the snapshot history of a location, as JSON lines",
    NULL,        NULL,
    opts,        sizeof(opts) / sizeof(opts[0]),
    0,
};

int cmd_revisions(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        rc = cli_catalog_query(&a, SNAPDIR_CATALOG_REVISIONS,
                               CLI_NEEDS_LOCATION);
    }
    cli_args_dispose(&a);
    return rc;
}
