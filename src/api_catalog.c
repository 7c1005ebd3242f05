/* SPDX-License-Identifier: MIT */
/*
 * api_catalog.c - the snapdir_catalog_* entry points: resolve a catalog
 * selection to its file (stores.md §7.1), log events and run the three
 * queries; each call opens and closes its own connection.
 */
#include "snapdir.h"
#include "api_internal.h"
#include "core/sd_catalog.h"
#include "core/sd_config.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_path.h"
#include "util/sd_str.h"

#include <string.h>

#define CATALOG_SUFFIX "-catalog.sqlite3"

static int required(const char *value, const char *name)
{
    if (value) {
        return 0;
    }
    return sd_error_set(SNAPDIR_ECATALOG, "parameter `%s` must not be NULL",
                        name);
}

/* <cache>/<name>-catalog.sqlite3 into *out. */
static int named_path(char **out, const char *name, const char *cache_dir)
{
    char *cache = NULL, *file = NULL;
    size_t len;
    int error = 0;

    if (!(cache = sd_resolve_cache_dir(cache_dir))) {
        error =
            sd_error_last()->code ? sd_error_last()->code : SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    len = strlen(name);
    if (sd_add_overflow(len, sizeof(CATALOG_SUFFIX), &len) ||
        !(file = sd_malloc(len))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    memcpy(file, name, strlen(name));
    memcpy(file + strlen(name), CATALOG_SUFFIX, sizeof(CATALOG_SUFFIX));
    if (!(*out = sd_path_join(cache, file))) {
        error = SNAPDIR_EINTERNAL;
    }
cleanup:
    sd_free(file);
    sd_free(cache);
    return error;
}

int snapdir_catalog_path(char **out,
                         const char *catalog,
                         const char *cache_dir,
                         SnapdirError **err)
{
    if (!out) {
        return SNAPDIR_EINTERNAL;
    }
    *out = NULL;
    sd_error_clear();
    if (catalog && (catalog[0] == '\0' || strcmp(catalog, "none") == 0)) {
        return 0; /* disabled */
    }
    if (catalog && strchr(catalog, '/')) {
        *out = sd_strdup(catalog);
        return *out ? 0 : sd_api_fail(SNAPDIR_EINTERNAL, err);
    }
    return sd_api_fail(
        named_path(out, catalog ? catalog : "default", cache_dir), err);
}

static int log_event(const char *db_path,
                     const char *event,
                     const char *id,
                     const char *location)
{
    char norm[SNAPDIR_ID_HEXLEN + 1];
    sd_catalog *cat = NULL;
    int error;

    if ((error = required(db_path, "db_path")) < 0 ||
        (error = required(event, "event")) < 0 ||
        (error = required(location, "location")) < 0 ||
        (error = sd_api_parse_id(norm, id)) < 0) {
        return error;
    }
    if ((error = sd_catalog_open(&cat, db_path)) == 0) {
        error = sd_catalog_log(cat, event, norm, location);
    }
    sd_catalog_close(cat);
    return error;
}

int snapdir_catalog_log(const char *db_path,
                        const char *event,
                        const char *id,
                        const char *location,
                        SnapdirError **err)
{
    sd_error_clear();
    return sd_api_fail(log_event(db_path, event, id, location), err);
}

static int run_query(sd_buf *b,
                     const char *db_path,
                     snapdir_catalog_query_kind kind,
                     const char *id,
                     const char *location)
{
    char norm[SNAPDIR_ID_HEXLEN + 1];
    sd_catalog *cat = NULL;
    int error;

    if ((error = required(db_path, "db_path")) < 0) {
        return error;
    }
    /* check the arguments before the database is created */
    switch (kind) {
    case SNAPDIR_CATALOG_LOCATIONS:
        break;
    case SNAPDIR_CATALOG_ANCESTORS:
        if ((error = sd_api_parse_id(norm, id)) < 0) {
            return error;
        }
        break;
    case SNAPDIR_CATALOG_REVISIONS:
        if ((error = required(location, "location")) < 0) {
            return error;
        }
        break;
    default:
        return sd_error_set(SNAPDIR_ECATALOG, "unknown catalog query %d",
                            (int)kind);
    }
    if ((error = sd_catalog_open(&cat, db_path)) < 0) {
        return error;
    }
    if (kind == SNAPDIR_CATALOG_LOCATIONS) {
        error = sd_catalog_locations(b, cat);
    } else if (kind == SNAPDIR_CATALOG_ANCESTORS) {
        error = sd_catalog_ancestors(b, cat, norm, location);
    } else {
        error = sd_catalog_revisions(b, cat, location);
    }
    sd_catalog_close(cat);
    return error;
}

int snapdir_catalog_query(char **out,
                          const char *db_path,
                          snapdir_catalog_query_kind kind,
                          const char *id,
                          const char *location,
                          SnapdirError **err)
{
    sd_buf b = SD_BUF_INIT;
    int error;

    if (!out) {
        return SNAPDIR_EINTERNAL;
    }
    *out = NULL;
    sd_error_clear();
    if ((error = run_query(&b, db_path, kind, id, location)) < 0) {
        sd_buf_dispose(&b);
        return sd_api_fail(error, err);
    }
    *out = sd_buf_detach(&b);
    return *out ? 0 : sd_api_fail(SNAPDIR_EINTERNAL, err);
}
