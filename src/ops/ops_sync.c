/* SPDX-License-Identifier: MIT */
/*
 * ops_sync.c - copy one snapshot between two stores without the local
 * cache. Each distinct object the destination lacks is downloaded into a
 * private temporary directory (verified), uploaded (hashed again on the
 * way) and removed; the manifest goes last. With mirroring, destination
 * manifests that the source lacks are deleted afterwards (objects never).
 */
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"
#include "util/sd_pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const sd_ops_stores *src, *dst;
    const char *scratch;
    sd_ops_meter meter;
} sync_ctx;

static int sync_one(sd_pool *pool, void *item, void *ctx)
{
    sync_ctx *c = ctx;
    sd_ops_object *obj = item;
    char *tmp = NULL;
    int rc;

    (void)pool;
    rc = sd_store_has_object(c->dst->objects, obj->hex);
    if (rc == 0 && !c->meter.o->dryrun) {
        if (!(tmp = sd_path_join(c->scratch, obj->hex))) {
            return SNAPDIR_EINTERNAL;
        }
        rc = sd_store_get_object_file(c->src->objects, obj->hex, tmp, 0600);
        if (rc == 0) {
            rc = sd_store_put_object_file(c->dst->objects, obj->hex, tmp, 1);
        }
        unlink(tmp);
        sd_free(tmp);
        if (rc < 0) {
            sd_error_wrap(rc, "copying %s (%s)", obj->hex, obj->path);
        }
    }
    if (rc < 0) {
        return rc;
    }
    sd_ops_meter_count(&c->meter, obj, rc == 0);
    return 0;
}

static char *make_scratch(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = sd_malloc(4096);

    if (!dir) {
        return NULL;
    }
    snprintf(dir, 4096, "%s/snapdir-sync-XXXXXX",
             base && base[0] ? base : "/tmp");
    if (!mkdtemp(dir)) {
        sd_fs_error("cannot create a temporary directory in",
                    base && base[0] ? base : "/tmp", errno);
        sd_free(dir);
        return NULL;
    }
    return dir;
}

static int copy_objects(const sd_ops_stores *src,
                        const sd_ops_stores *dst,
                        const snapdir_manifest *m,
                        const sd_ops_options *o)
{
    sd_ops_object *objs = NULL;
    void **items = NULL;
    sync_ctx c;
    size_t n = 0, i;
    uint64_t bytes = 0;
    int error;

    memset(&c, 0, sizeof(c));
    if ((error = sd_ops_unique_objects(&objs, &n, m, NULL)) < 0) {
        return error;
    }
    if (n && !(items = sd_calloc(n, sizeof(void *)))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        items[i] = &objs[i];
        bytes += objs[i].size;
    }
    if (!o->dryrun && !(c.scratch = make_scratch())) {
        error =
            sd_error_last()->code ? sd_error_last()->code : SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    c.src = src;
    c.dst = dst;
    sd_ops_meter_init(&c.meter, o, n, bytes);
    error = sd_pool_run(items, n, o->jobs, sync_one, &c, o->cancel,
                        sd_ops_meter_tick, &c.meter);
    sd_ops_meter_finish(&c.meter);
cleanup:
    if (c.scratch) {
        sd_fs_rmtree(c.scratch);
        sd_free((char *)(uintptr_t)c.scratch);
    }
    sd_free(items);
    sd_ops_objects_free(objs, n);
    return error;
}

/* Delete destination manifests the source lacks (never id itself). */
static int prune_manifests(const sd_ops_stores *src,
                           const sd_ops_stores *dst,
                           const char *id,
                           const sd_ops_options *o)
{
    sd_ops_ids have, want;
    size_t i;
    int error;

    memset(&have, 0, sizeof(have));
    if ((error = sd_ops_list_ids(&want, src->manifests, 0)) < 0 ||
        (error = sd_ops_list_ids(&have, dst->manifests, 1)) < 0) {
        goto cleanup;
    }
    for (i = 0; i < have.n && error == 0; i++) {
        if (strcmp(have.ids[i], id) == 0 ||
            sd_ops_ids_has(&want, have.ids[i])) {
            continue;
        }
        if (o->report) {
            o->report("delete", NULL, have.ids[i], o->report_payload);
        }
        if (o->stats) {
            o->stats->entries_pruned++;
        }
        if (!o->dryrun) {
            error = sd_store_remove_manifest(dst->manifests, have.ids[i]);
        }
    }
cleanup:
    sd_ops_ids_dispose(&have);
    sd_ops_ids_dispose(&want);
    return error;
}

int sd_ops_sync(const sd_ops_stores *src,
                const sd_ops_stores *dst,
                const char *id,
                int mirror,
                const sd_ops_options *o)
{
    snapdir_manifest *m = NULL;
    int error = 0, present;

    if (mirror && (!dst->manifests->root || !dst->manifests->backend->remove)) {
        return sd_error_set(SNAPDIR_ESTORE,
                            "mirror unsupported: the destination store %s "
                            "cannot delete a manifest; --delete requires a "
                            "local file:// destination",
                            dst->manifests->uri);
    }
    /* present means a manifest that verifies: a damaged one is replaced */
    present = sd_store_has_manifest(dst->manifests, id);
    if (present == 1) {
        snapdir_manifest *there = NULL;

        if (sd_store_get_manifest(dst->manifests, id, &there) < 0) {
            sd_error_clear();
            present = 0;
        }
        sd_manifest_free(there);
    }
    if (present < 0) {
        return present;
    }
    if (!present) {
        if ((error = sd_store_get_manifest(src->manifests, id, &m)) < 0 ||
            (error = copy_objects(src, dst, m, o)) < 0) {
            goto cleanup;
        }
        if (!o->dryrun) {
            error = sd_store_put_manifest(dst->manifests, m);
        }
    }
    if (error == 0 && mirror) {
        error = prune_manifests(src, dst, id, o);
    }
cleanup:
    sd_manifest_free(m);
    return error;
}
