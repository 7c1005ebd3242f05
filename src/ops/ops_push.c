/* SPDX-License-Identifier: MIT */
/*
 * ops_push.c - upload a snapshot: every distinct object the destination
 * lacks (in parallel, each hashed while it streams), then the manifest,
 * last, so a manifest that exists always has all its objects.
 */
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_pool.h"
#include "util/sd_str.h"

#include <string.h>

typedef struct {
    sd_store *dst;
    int from_objects; /* sources are stored objects (push --id) */
    sd_ops_meter meter;
} push_ctx;

static int push_one(sd_pool *pool, void *item, void *ctx)
{
    push_ctx *c = ctx;
    sd_ops_object *obj = item;
    int rc;

    (void)pool;
    if (obj->stored) {
        return 0; /* counted when the walk stored it */
    }
    rc = sd_store_has_object(c->dst, obj->hex);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0 && !c->meter.o->dryrun) {
        rc = c->from_objects
                 ? SD_EPASSTHROUGH
                 : sd_store_put_object_guarded(c->dst, obj->hex, obj->src,
                                               &obj->guard, obj->size);
        if (rc == SD_EPASSTHROUGH) {
            rc = sd_store_put_object_file(c->dst, obj->hex, obj->src,
                                          c->from_objects);
        }
        if (rc < 0) {
            return rc;
        }
    }
    sd_ops_meter_count(&c->meter, obj, rc == 0);
    return 0;
}

void sd_ops_inline_init(sd_ops_inline *in, sd_store *dst)
{
    memset(in, 0, sizeof(*in));
    in->dst = dst;
    in->fresh = dst && sd_store_is_fresh(dst);
    sd_set_init(&in->claimed);
}

void sd_ops_inline_dispose(sd_ops_inline *in)
{
    sd_set_dispose(&in->claimed);
}

int sd_ops_inline_put(void *payload,
                      const uint8_t *digest,
                      const void *data,
                      size_t len,
                      const char *path)
{
    sd_ops_inline *in = payload;
    char hex[65];
    int rc;

    /* of several files with one content, only the first thread stores it */
    if ((rc = sd_set_claim(&in->claimed, digest)) <= 0) {
        if (rc == 0) {
            __atomic_add_fetch(&in->skipped, 1, __ATOMIC_RELAXED);
        }
        return rc < 0 ? rc : 1;
    }
    sd_hex_encode(hex, digest, 32);
    /* in a store that was empty, only our own writes can exist, and the
     * claim set already rules those out */
    rc = in->fresh ? 0 : sd_store_has_object(in->dst, hex);
    if (rc == 0 &&
        (rc = sd_store_put_object_mem(in->dst, hex, data, len)) < 0) {
        return sd_error_wrap(rc, "storing %s", path);
    }
    if (rc < 0) {
        return rc;
    }
    __atomic_add_fetch(rc == 0 ? &in->copied : &in->skipped, 1,
                       __ATOMIC_RELAXED);
    if (rc == 0) {
        __atomic_add_fetch(&in->bytes, len, __ATOMIC_RELAXED);
    }
    return 1;
}

static int push_objects(const sd_ops_stores *dst,
                        const snapdir_manifest *m,
                        sd_ops_object *objs,
                        size_t n,
                        int from_objects,
                        const sd_ops_options *o)
{
    push_ctx c;
    int error;

    c.dst = dst->objects;
    c.from_objects = from_objects;
    error = sd_ops_run_objects(objs, n, push_one, &c, &c.meter, o);
    sd_ops_meter_finish(&c.meter);
    if (error == 0 && !o->dryrun) {
        error = sd_store_put_manifest(dst->manifests, m);
    }
    return error;
}

/* A present manifest means a complete snapshot: nothing to do. */
static int already_there(const sd_ops_stores *dst,
                         const snapdir_manifest *m,
                         const sd_ops_options *o)
{
    char id[65];
    int rc;

    sd_manifest_id(id, m);
    rc = sd_store_has_manifest(dst->manifests, id);
    if (rc == 1 && o && o->stats) {
        size_t i;

        for (i = 0; i < m->count; i++) {
            o->stats->objects_skipped += m->entries[i].type == 'F';
        }
    }
    return rc;
}

int sd_ops_push(const sd_ops_stores *dst,
                const snapdir_manifest *m,
                const char *root,
                const sd_ops_inline *done,
                const sd_ops_options *o)
{
    sd_ops_object *objs = NULL;
    size_t n = 0;
    int error;

    if (done && o->stats) {
        o->stats->objects_copied += done->copied;
        o->stats->objects_skipped += done->skipped;
        o->stats->bytes_copied += done->bytes;
    }
    if ((error = already_there(dst, m, done ? NULL : o)) != 0) {
        return error < 0 ? error : 0;
    }
    if ((error = sd_ops_unique_objects(&objs, &n, m, root)) < 0) {
        return error;
    }
    error = push_objects(dst, m, objs, n, 0, o);
    sd_ops_objects_free(objs, n);
    return error;
}

int sd_ops_push_cached(const sd_ops_stores *dst,
                       sd_store *cache,
                       const snapdir_manifest *m,
                       const sd_ops_options *o)
{
    sd_ops_object *objs = NULL;
    size_t n = 0, i;
    int error;

    if ((error = already_there(dst, m, o)) != 0) {
        return error < 0 ? error : 0;
    }
    if ((error = sd_ops_unique_objects(&objs, &n, m, NULL)) < 0) {
        return error;
    }
    for (i = 0; i < n && error == 0; i++) {
        char key[SD_KEY_MAX];
        int rc = sd_store_has_object(cache, objs[i].hex);

        if (rc == 0) {
            error = sd_error_set(SNAPDIR_ESTORE,
                                 "object %s for %s is missing from the cache "
                                 "%s; re-run fetch or stage",
                                 objs[i].hex, objs[i].path, cache->uri);
            break;
        }
        sd_store_object_key(key, objs[i].hex);
        error = rc < 0 ? rc
                       : cache->backend->local_path(cache->backend, key,
                                                    &objs[i].src);
    }
    if (error == 0) {
        error = push_objects(dst, m, objs, n, 1, o);
    }
    sd_ops_objects_free(objs, n);
    return error;
}
