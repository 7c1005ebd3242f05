/* SPDX-License-Identifier: MIT */
/* catalogq.c - catalog queries for the CLI; see catalogq.h. */
#include "cli/catalogq.h"
#include "cli/error.h"

#include <stdio.h>
#include <string.h>

int cli_catalog_query(const cli_args *a,
                      snapdir_catalog_query_kind kind,
                      cli_catalog_need need)
{
    SnapdirError *err = NULL;
    char *db = NULL, *out = NULL;
    const char *id = cli_get(a, "id"), *location = cli_get(a, "location");
    int rc;

    if (snapdir_catalog_path(&db, cli_get(a, "catalog"),
                             cli_get(a, "cache-dir"), &err) < 0) {
        return cli_fail(err);
    }
    /* a disabled catalog is checked before any requirement (reference) */
    if (!db) {
        fputs("catalog disabled (--catalog none): nothing to query\n", stderr);
        return CLI_EXIT_OK;
    }
    if (need == CLI_NEEDS_LOCATION && !location) {
        location = cli_get(a, "store");
    }
    if (need == CLI_NEEDS_ID && !id) {
        rc = cli_failf("missing --id option");
    } else if (need == CLI_NEEDS_LOCATION && !location) {
        rc = cli_failf("missing --location option");
    } else if (snapdir_catalog_query(
                   &out, db, kind, need == CLI_NEEDS_ID ? id : NULL,
                   need == CLI_NEEDS_NOTHING ? NULL : location, &err) < 0) {
        rc = cli_fail(err);
    } else {
        rc = cli_write_stdout(out, strlen(out));
    }
    snapdir_string_free(out);
    snapdir_string_free(db);
    return rc;
}
