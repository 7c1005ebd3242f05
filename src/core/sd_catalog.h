/* SPDX-License-Identifier: MIT */
/*
 * sd_catalog.h - the catalog (stores.md §7): an SQLite file holding an
 * append-only event log and per-location history rows, and the three
 * queries whose JSON lines are frozen (stores.md §7.2).
 */
#ifndef SD_CATALOG_H
#define SD_CATALOG_H

#include "util/sd_str.h"

typedef struct sd_catalog sd_catalog;

/*
 * Open the database at path, creating it (and its parent directory) and the
 * schema when missing. *out is closed with sd_catalog_close.
 * Errors: SNAPDIR_ECATALOG, naming the path.
 */
int sd_catalog_open(sd_catalog **out, const char *path);

/* Close a catalog; NULL is fine. */
void sd_catalog_close(sd_catalog *cat);

/*
 * Record event for id at location, in one write transaction: append to the
 * event log, then add a history row (previous id = the head, or NULL)
 * unless the location's head already is id. The head is the location's
 * most recently added history row. created_at is UTC now.
 */
int sd_catalog_log(sd_catalog *cat,
                   const char *event,
                   const char *id,
                   const char *location);

/*
 * sd_catalog_log with an explicit created_at ("YYYY-MM-DD HH:MM:SS.mmm"),
 * or NULL for now; for replays and for tests of tie-breaking.
 */
int sd_catalog_log_at(sd_catalog *cat,
                      const char *event,
                      const char *id,
                      const char *location,
                      const char *created_at);

/* Each location's head, by location bytes ascending. */
int sd_catalog_locations(sd_buf *out, sd_catalog *cat);

/*
 * The direct predecessors of id (rows with that id and a previous id),
 * newest first, optionally only at location (NULL: everywhere). Each line's
 * "id" carries the previous id.
 */
int sd_catalog_ancestors(sd_buf *out,
                         sd_catalog *cat,
                         const char *id,
                         const char *location);

/* The history of exactly location, newest first. */
int sd_catalog_revisions(sd_buf *out, sd_catalog *cat, const char *location);

#endif
