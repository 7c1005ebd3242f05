/* SPDX-License-Identifier: MIT */
/* catalogq.h - the shared run of locations, ancestors and revisions. */
#ifndef CLI_CATALOGQ_H
#define CLI_CATALOGQ_H

#include "cli/opt.h"
#include "snapdir.h"

/* Which option the query needs once the catalog is known to be enabled. */
typedef enum {
    CLI_NEEDS_NOTHING,
    CLI_NEEDS_ID,      /* --id */
    CLI_NEEDS_LOCATION /* --location, else --store / SNAPDIR_STORE */
} cli_catalog_need;

/*
 * Resolve the catalog (a disabled one prints its notice and succeeds),
 * check the needed option, run the query and print its JSON lines.
 * Returns the exit status.
 */
int cli_catalog_query(const cli_args *a,
                      snapdir_catalog_query_kind kind,
                      cli_catalog_need need);

#endif
