/* SPDX-License-Identifier: MIT */
/*
 * ops_verify.c - re-hash a snapshot's objects in a store, and scan the
 * cache for corrupt and missing objects. Every problem is reported (not
 * just the first); the result code summarises them.
 */
#include "ops/sd_ops.h"
#include "hash/sd_hash.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"
#include "util/sd_pool.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    int missing; /* else corrupt */
    char hex[65];
    char *path; /* may be NULL */
} problem;

typedef struct {
    sd_store *src;
    const sd_ops_options *o;
    pthread_mutex_t lock; /* guards problems */
    problem *problems;
    size_t nproblems, cap;
    size_t missing, corrupt; /* after deduplication */
    sd_ops_meter meter;
} verify_ctx;

/* Record a problem; they are reported sorted and deduplicated at the end
 * so the output does not depend on thread timing. */
static void
report(verify_ctx *c, const char *action, const char *path, const char *hex)
{
    pthread_mutex_lock(&c->lock);
    if (c->nproblems == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        problem *v = sd_reallocarray(c->problems, cap, sizeof(problem));

        if (!v) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
        c->problems = v;
        c->cap = cap;
    }
    c->problems[c->nproblems].missing = strcmp(action, "missing") == 0;
    memcpy(c->problems[c->nproblems].hex, hex, 64);
    c->problems[c->nproblems].hex[64] = '\0';
    c->problems[c->nproblems].path = path ? sd_strdup(path) : NULL;
    c->nproblems++;
    pthread_mutex_unlock(&c->lock);
}

static int problem_cmp(const void *a, const void *b)
{
    const problem *x = a, *y = b;

    if (x->missing != y->missing) {
        return x->missing - y->missing; /* corrupt first */
    }
    return strcmp(x->hex, y->hex);
}

/* Sort, drop repeats of one object, hand each to the report callback. */
static void flush_reports(verify_ctx *c)
{
    size_t i;

    if (c->nproblems > 1) {
        qsort(c->problems, c->nproblems, sizeof(problem), problem_cmp);
    }
    for (i = 0; i < c->nproblems; i++) {
        problem *p = &c->problems[i];

        if (i == 0 || problem_cmp(p, p - 1) != 0) {
            *(p->missing ? &c->missing : &c->corrupt) += 1;
            if (c->o->report) {
                c->o->report(p->missing ? "missing" : "corrupt", p->path,
                             p->hex, c->o->report_payload);
            }
        }
    }
    for (i = 0; i < c->nproblems; i++) {
        sd_free(c->problems[i].path);
    }
    sd_free(c->problems);
    c->problems = NULL;
    c->nproblems = c->cap = 0;
}

static int verify_one(sd_pool *pool, void *item, void *ctx)
{
    verify_ctx *c = ctx;
    sd_ops_object *obj = item;
    int rc;

    (void)pool;
    rc = sd_store_check_object(c->src, obj->hex);
    if (rc == SNAPDIR_ESTORE && strstr(sd_error_last()->msg, "not found")) {
        report(c, "missing", obj->path, obj->hex);
        rc = 0;
    } else if (rc == SNAPDIR_EMISMATCH) {
        report(c, "corrupt", obj->path, obj->hex);
        rc = 0;
    }
    sd_ops_meter_count(&c->meter, obj, 0);
    return rc;
}

static int summarise(const char *what, size_t missing, size_t corrupt)
{
    if (corrupt) {
        return sd_error_set(SNAPDIR_EMISMATCH,
                            "%s: %zu corrupt + %zu missing object(s)", what,
                            corrupt, missing);
    }
    if (missing) {
        return sd_error_set(SNAPDIR_ESTORE, "%s: %zu missing object(s)", what,
                            missing);
    }
    return 0;
}

int sd_ops_verify(const sd_ops_stores *src,
                  const char *id,
                  const sd_ops_options *o)
{
    snapdir_manifest *m = NULL;
    sd_ops_object *objs = NULL;
    verify_ctx c;
    size_t n = 0;
    char what[256];
    int error;

    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.lock, NULL);
    if ((error = sd_store_get_manifest(src->manifests, id, &m)) < 0 ||
        (error = sd_ops_unique_objects(&objs, &n, m, NULL)) < 0) {
        goto cleanup;
    }
    c.src = src->objects;
    c.o = o;
    error = sd_ops_run_objects(objs, n, verify_one, &c, &c.meter, o);
    sd_ops_meter_tick(&c.meter);
    flush_reports(&c);
    if (error == 0) {
        snprintf(what, sizeof(what), "snapshot %.64s in %s", id,
                 src->objects->uri);
        error = summarise(what, c.missing, c.corrupt);
    }
cleanup:
    pthread_mutex_destroy(&c.lock);
    sd_ops_objects_free(objs, n);
    sd_manifest_free(m);
    return error;
}

/* ---- the cache ---------------------------------------------------------- */

typedef struct {
    verify_ctx v;
    sd_store *cache;
    int purge;
} cache_ctx;

/* Re-hash one object file whose path spells its expected checksum. */
static int scan_object(cache_ctx *c, const char *path, const char *hex)
{
    sd_hash_spec spec;
    uint8_t digest[32];
    char got[65];

    sd_hash_spec_init(&spec, SNAPDIR_HASH_BLAKE3, NULL);
    if (sd_hash_path(digest, NULL, &spec, path, c->v.o->cancel) < 0) {
        if (sd_error_last()->code == SNAPDIR_ECANCELLED) {
            return SNAPDIR_ECANCELLED;
        }
        sd_error_clear();
        memset(got, 0, sizeof(got));
    } else {
        sd_hex_encode(got, digest, sizeof(digest));
    }
    if (memcmp(got, hex, 64) == 0) {
        return 0;
    }
    report(&c->v, "corrupt", NULL, hex);
    if (c->purge && !c->v.o->dryrun && unlink(path) != 0 && errno != ENOENT) {
        return sd_error_set(SNAPDIR_EIO, "cannot purge %s", path);
    }
    return 0;
}

/* Walk .objects/aaa/bbb/ccc/rest; temporary files are not objects. */
static int
scan_level(cache_ctx *c, const char *dir, char *hex, size_t hexlen, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int error = 0;

    if (!d) {
        return errno == ENOENT
                   ? 0
                   : sd_error_set(SNAPDIR_EIO, "cannot read %s", dir);
    }
    while (error == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        char *child;
        struct stat st;

        if (de->d_name[0] == '.') {
            continue;
        }
        /* temporary files are not objects; --purge clears dead writers' */
        if (len >= 4 && strcmp(de->d_name + len - 4, ".tmp") == 0) {
            if (c->purge && !c->v.o->dryrun && sd_fs_stale_tmp(de->d_name)) {
                unlinkat(dirfd(d), de->d_name, 0);
            }
            continue;
        }
        if (hexlen + len > 64 || !(child = sd_path_join(dir, de->d_name))) {
            continue;
        }
        memcpy(hex + hexlen, de->d_name, len);
        hex[hexlen + len] = '\0';
        if (stat(child, &st) == 0) {
            if (depth < 3 && S_ISDIR(st.st_mode) && len == 3) {
                error = scan_level(c, child, hex, hexlen + len, depth + 1);
            } else if (depth == 3 && S_ISREG(st.st_mode) &&
                       hexlen + len == 64) {
                error = scan_object(c, child, hex);
            }
        }
        sd_free(child);
    }
    closedir(d);
    return error;
}

/* Every object of manifest id is present (presence only). */
static int check_present(cache_ctx *c, const char *id)
{
    snapdir_manifest *m = NULL;
    sd_ops_object *objs = NULL;
    size_t n = 0, i;
    int error;

    if ((error = sd_store_get_manifest(c->cache, id, &m)) < 0) {
        sd_error_wrap(error, "reading cached manifest %s", id);
        return error;
    }
    if ((error = sd_ops_unique_objects(&objs, &n, m, NULL)) == 0) {
        for (i = 0; i < n && error >= 0; i++) {
            error = sd_store_has_object(c->cache, objs[i].hex);
            if (error == 0) {
                report(&c->v, "missing", objs[i].path, objs[i].hex);
            }
        }
        error = error < 0 ? error : 0;
    }
    sd_ops_objects_free(objs, n);
    sd_manifest_free(m);
    return error;
}

int sd_ops_verify_cache(sd_store *cache,
                        const char *id,
                        int purge,
                        const sd_ops_options *o)
{
    cache_ctx c;
    char hex[65], *objects = NULL;
    size_t i;
    int error;

    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.v.lock, NULL);
    c.v.o = o;
    c.cache = cache;
    c.purge = purge;
    if (!(objects = sd_path_join(cache->root, ".objects"))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    if ((error = scan_level(&c, objects, hex, 0, 0)) < 0) {
        goto cleanup;
    }
    if (id) {
        error = check_present(&c, id);
    } else {
        sd_ops_ids ids;

        if ((error = sd_ops_list_ids(&ids, cache, 0)) == 0) {
            for (i = 0; i < ids.n && error == 0; i++) {
                error = check_present(&c, ids.ids[i]);
            }
        }
        sd_ops_ids_dispose(&ids);
    }
    flush_reports(&c.v);
    if (error == 0 && (c.v.missing || c.v.corrupt)) {
        /* missing cached objects are damage too */
        error = sd_error_set(SNAPDIR_EMISMATCH,
                             "cache %s: %zu corrupt + %zu missing object(s)",
                             cache->root, c.v.corrupt, c.v.missing);
    }
cleanup:

    sd_free(objects);
    pthread_mutex_destroy(&c.v.lock);
    return error;
}
