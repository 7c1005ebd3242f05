/* SPDX-License-Identifier: MIT */
/*
 * ops_fetch.c - download a snapshot into the local cache: the manifest is
 * read and verified first, every missing object is downloaded to a
 * temporary file, hashed, and renamed into the cache only on a match; the
 * manifest is written last.
 */
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_pool.h"

#include <string.h>

typedef struct {
    sd_store *src, *cache;
    sd_ops_meter meter;
} fetch_ctx;

/* Link (same filesystem) or copy one verified object into the cache. */
static int fetch_into(fetch_ctx *c, const sd_ops_object *obj)
{
    char key[SD_KEY_MAX], *dest = NULL;
    int rc = sd_store_link_object(c->src, c->cache, obj->hex);

    if (rc == SD_EPASSTHROUGH) {
        sd_store_object_key(key, obj->hex);
        rc = c->cache->backend->local_path(c->cache->backend, key, &dest);
        if (rc == 0) {
            rc = sd_store_get_object_file(c->src, obj->hex, dest, 0644);
        }
        sd_free(dest);
    }
    return rc < 0 ? sd_error_wrap(rc, "fetching %s", obj->path) : 0;
}

static int fetch_one(sd_pool *pool, void *item, void *ctx)
{
    fetch_ctx *c = ctx;
    sd_ops_object *obj = item;
    int rc;

    (void)pool;
    rc = sd_store_has_object(c->cache, obj->hex);
    if (rc == 0 && !c->meter.o->dryrun) {
        rc = fetch_into(c, obj);
    }
    if (rc < 0) {
        return rc;
    }
    sd_ops_meter_count(&c->meter, obj, rc == 0);
    return 0;
}

/* Everything cached already? (presence only: objects are verified on use) */
int sd_ops_fully_cached(sd_store *cache, const char *id)
{
    snapdir_manifest *m = NULL;
    size_t i;
    int rc, all;

    rc = sd_store_has_manifest(cache, id);
    if (rc != 1) {
        return rc;
    }
    if ((rc = sd_store_get_manifest(cache, id, &m)) < 0) {
        sd_error_clear();
        return 0; /* an unreadable cached manifest is fetched again */
    }
    for (i = 0; i < m->count && rc >= 0; i++) {
        if (m->entries[i].type == 'F') {
            rc = sd_store_has_object(cache, m->entries[i].checksum);
            if (rc == 0) {
                break;
            }
        }
    }
    all = rc >= 0 && i == m->count;
    sd_manifest_free(m);
    return rc < 0 ? rc : all;
}

int sd_ops_fetch(sd_store *cache,
                 const sd_ops_stores *src,
                 const char *id,
                 const sd_ops_options *o)
{
    snapdir_manifest *m = NULL;
    sd_ops_object *objs = NULL;
    fetch_ctx c;
    size_t n = 0;
    int error;

    if ((error = sd_ops_fully_cached(cache, id)) != 0) {
        return error < 0 ? error : 0;
    }
    if ((error = sd_store_get_manifest(src->manifests, id, &m)) < 0 ||
        (error = sd_ops_unique_objects(&objs, &n, m, NULL)) < 0) {
        goto cleanup;
    }
    c.src = src->objects;
    c.cache = cache;
    error = sd_ops_run_objects(objs, n, fetch_one, &c, &c.meter, o);
    sd_ops_meter_finish(&c.meter);
    if (error == 0 && !o->dryrun) {
        error = sd_store_put_manifest(cache, m);
    }
cleanup:
    sd_ops_objects_free(objs, n);
    sd_manifest_free(m);
    return error;
}
