/* SPDX-License-Identifier: MIT */
/*
 * cmd_ancestors.c - `snapdir ancestors --id ID [--location L]`: the
 * snapshots that ID directly replaced (one hop, not a chain), newest first,
 * as JSON lines whose "id" is the previous id.
 */
#include "cli/cmd.h"
#include "cli/catalogq.h"
#include "cli/opt.h"

static const cli_opt opts[] = {
    { "catalog", 0, OPT_VALUE, "NAME", "SNAPDIR_CATALOG",
      "Catalog to query: NAME for <cache-dir>/NAME-catalog.sqlite3, a path "
      "containing '/', or none [default: default]" },
    { "location", 0, OPT_VALUE, "DIR|STORE", NULL,
      "Only the records at this directory or store" },
    { "id", 0, OPT_VALUE, "ID", NULL, "Snapshot whose predecessors to list" },
    { "store", 0, OPT_VALUE, "URI", "SNAPDIR_STORE",
      "Ignored by this command" },
    { "cache-dir", 0, OPT_VALUE, "DIR", "SNAPDIR_CACHE_DIR",
      "Cache directory holding named catalogs "
      "[default: ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir]" },
};

static const cli_command command = {
    "ancestors", "Print the snapshots an id replaced, as JSON lines",
    NULL,        NULL,
    opts,        sizeof(opts) / sizeof(opts[0]),
    0,
};

int cmd_ancestors(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        rc = cli_catalog_query(&a, SNAPDIR_CATALOG_ANCESTORS, CLI_NEEDS_ID);
    }
    cli_args_dispose(&a);
    return rc;
}
