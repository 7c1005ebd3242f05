/* SPDX-License-Identifier: MIT */
/*
 * cmd_locations.c - `snapdir locations`: each location's latest catalog
 * record, one JSON line per location in location byte order.
 */
#include "cli/cmd.h"
#include "cli/catalogq.h"
#include "cli/opt.h"

static const cli_opt opts[] = {
    { "catalog", 0, OPT_VALUE, "NAME", "SNAPDIR_CATALOG",
      "Catalog to query: NAME for <cache-dir>/NAME-catalog.sqlite3, a path "
      "containing '/', or none [default: default]" },
    { "location", 0, OPT_VALUE, "DIR|STORE", NULL, "Ignored by this command" },
    { "id", 0, OPT_VALUE, "ID", NULL, "Ignored by this command" },
    { "store", 0, OPT_VALUE, "URI", "SNAPDIR_STORE",
      "Ignored by this command" },
    { "cache-dir", 0, OPT_VALUE, "DIR", "SNAPDIR_CACHE_DIR",
      "Cache directory holding named catalogs "
      "[default: ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir]" },
};

static const cli_command command = {
    "locations",
    "List every recorded location with its latest snapshot, as JSON lines",
    NULL,
    NULL,
    opts,
    sizeof(opts) / sizeof(opts[0]),
    0,
};

int cmd_locations(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        rc =
            cli_catalog_query(&a, SNAPDIR_CATALOG_LOCATIONS, CLI_NEEDS_NOTHING);
    }
    cli_args_dispose(&a);
    return rc;
}
