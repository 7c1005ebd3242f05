/* SPDX-License-Identifier: MIT */
/*
 * api_transfer.c - the cache and store entry points: resolve options once
 * (cache dir, stores, split pools, jobs), run the op, record the catalog
 * event, and map errors.
 */
#include "snapdir.h"
#include "api_internal.h"
#include "core/sd_config.h"
#include "hash/sd_hash.h"
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"
#include "util/sd_pool.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int snapdir_transfer_options_init(snapdir_transfer_options *opts,
                                  unsigned int version)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = version ? version : SNAPDIR_TRANSFER_OPTIONS_VERSION;
    snapdir_manifest_options_init(&opts->walk, 0);
    return 0;
}

int snapdir_checkout_options_init(snapdir_checkout_options *opts,
                                  unsigned int version)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = version ? version : SNAPDIR_CHECKOUT_OPTIONS_VERSION;
    snapdir_transfer_options_init(&opts->transfer, 0);
    return 0;
}

/* Everything an entry point needs, resolved from the options once. */
typedef struct {
    snapdir_transfer_options o;
    char *cache_dir;
    sd_store *cache;
    sd_store *store, *objects;
    sd_ops_stores stores;
    sd_ops_options ops;
} session;

static void session_close(session *s)
{
    if (s->objects != s->store) {
        sd_store_close(s->objects);
    }
    sd_store_close(s->store);
    sd_store_close(s->cache);
    sd_free(s->cache_dir);
}

/* The network knobs of the transfer options, for store constructors. */
static void store_config(sd_store_config *cfg,
                         const snapdir_transfer_options *t)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_retries = t->max_retries;
    cfg->retry_base_ms = t->retry_base_ms;
    cfg->retry_max_ms = t->retry_max_ms;
    cfg->max_requests = t->max_requests;
    cfg->limit_rate = t->limit_rate;
}

static int open_stores(session *s)
{
    sd_store_config cfg;
    int error;

    if (!s->o.store || !s->o.store[0]) {
        if (s->o.objects_store) {
            return sd_error_set(SNAPDIR_EINVALID_STORE,
                                "missing store: the objects store sets the "
                                "object pool, but the manifest location "
                                "(--store / SNAPDIR_STORE) is still required");
        }
        return sd_error_set(SNAPDIR_EINVALID_STORE,
                            "no store configured: pass --store <uri> or set "
                            "the SNAPDIR_STORE environment variable");
    }
    store_config(&cfg, &s->o);
    if ((error = sd_store_open_cfg(&s->store, s->o.store, &cfg)) < 0) {
        return error;
    }
    s->objects = s->store;
    if (s->o.objects_store && s->o.objects_store[0] &&
        (error = sd_store_open_cfg(&s->objects, s->o.objects_store, &cfg)) <
            0) {
        s->objects = s->store;
        return error;
    }
    s->stores.manifests = s->store;
    s->stores.objects = s->objects;
    /* network transfers wait on latency, not on the CPU */
    if (s->o.jobs == 0 && (s->store->remote || s->objects->remote)) {
        s->ops.jobs = 16;
    }
    return 0;
}

static int
session_open(session *s, const snapdir_transfer_options *o, int need_store)
{
    int error;

    memset(s, 0, sizeof(*s));
    sd_hash_warm_up(); /* before any worker thread hashes */
    if (o) {
        s->o = *o;
    } else {
        snapdir_transfer_options_init(&s->o, 0);
    }
    if (!(s->cache_dir = sd_resolve_cache_dir(s->o.cache_dir))) {
        return SNAPDIR_EINTERNAL;
    }
    if ((error = sd_store_open_dir(&s->cache, s->cache_dir)) < 0) {
        return error;
    }
    s->ops.jobs = sd_pool_auto_jobs(s->o.jobs);
    if (need_store && (error = open_stores(s)) < 0) {
        return error;
    }
    s->ops.dryrun = s->o.dryrun;
    s->ops.cancel = s->o.cancel;
    s->ops.progress = s->o.progress;
    s->ops.progress_payload = s->o.progress_payload;
    s->ops.report = s->o.report;
    s->ops.report_payload = s->o.report_payload;
    s->ops.stats = s->o.stats;
    return 0;
}

/* Record a catalog event; a failure here is an error after the fact. */
static int log_event(const session *s,
                     const char *event,
                     const char *id,
                     const char *location)
{
    char *db = NULL;
    SnapdirError *err = NULL;
    int error;

    if (s->o.dryrun) {
        return 0;
    }
    if (snapdir_catalog_path(&db, s->o.catalog, s->cache_dir, &err) < 0) {
        error = snapdir_error_value(err);
        sd_error_set(error, "%s", snapdir_error_message(err));
        snapdir_error_free(err);
        return error;
    }
    if (!db) {
        return 0; /* disabled */
    }
    error = snapdir_catalog_log(db, event, id, location, &err);
    if (error < 0) {
        sd_error_set(error, "%s", snapdir_error_message(err));
        snapdir_error_free(err);
    }
    snapdir_string_free(db);
    return error;
}

/* Walk path for a store: objects are addressed by plain BLAKE3. */
static int walk_for_store(snapdir_manifest **m,
                          const char *path,
                          const session *s,
                          sd_ops_inline *store_inline)
{
    snapdir_manifest_options w = s->o.walk;
    const char *context =
        w.context ? w.context : getenv("SNAPDIR_MANIFEST_CONTEXT");

    if (w.hash != SNAPDIR_HASH_BLAKE3 || (context && context[0])) {
        return sd_error_set(SNAPDIR_EIO,
                            "cannot store %s: objects are addressed by plain "
                            "BLAKE3, so stage and push need the default "
                            "checksum (unset SNAPDIR_MANIFEST_CONTEXT)",
                            path);
    }
    if (!w.cache_dir) {
        w.cache_dir = s->cache_dir;
    }
    w.absolute = 0;
    w.cancel = s->o.cancel;
    w.progress = s->o.progress;
    w.progress_payload = s->o.progress_payload;
    return sd_api_build_manifest(m, path, &w, store_inline);
}

int snapdir_stage(char id_out[SNAPDIR_ID_HEXLEN + 1],
                  const char *path,
                  const snapdir_transfer_options *opts,
                  SnapdirError **err)
{
    session s;
    snapdir_manifest *m = NULL;
    sd_ops_stores cache;
    sd_ops_inline in;
    char *root = NULL;
    int error;

    id_out[0] = '\0';
    sd_error_clear();
    sd_ops_inline_init(&in, NULL);
    if ((error = session_open(&s, opts, 0)) < 0) {
        goto cleanup;
    }
    in.dst = s.cache;
    in.fresh = sd_store_is_fresh(s.cache);
    if ((error = walk_for_store(&m, path, &s, s.o.dryrun ? NULL : &in)) < 0) {
        goto cleanup;
    }
    sd_manifest_id(id_out, m);
    cache.manifests = cache.objects = s.cache;
    if (!(root = sd_path_absolute(path))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    if ((error = sd_ops_push(&cache, m, root, s.o.dryrun ? NULL : &in,
                             &s.ops)) < 0) {
        sd_error_wrap(error, "staging %s", root);
        goto cleanup;
    }
    error = log_event(&s, "stage", id_out, root);
cleanup:
    sd_ops_inline_dispose(&in);
    sd_free(root);
    sd_manifest_free(m);
    session_close(&s);
    return sd_api_fail(error, err);
}

static int push_cached(session *s, const char *id, char id_out[65])
{
    snapdir_manifest *m = NULL;
    int error;

    if ((error = sd_api_parse_id(id_out, id)) < 0) {
        return error;
    }
    if ((error = sd_store_get_manifest(s->cache, id_out, &m)) < 0) {
        return sd_error_wrap(error,
                             "manifest %s not found in the local cache; "
                             "stage or fetch it first",
                             id_out);
    }
    if ((error = open_stores(s)) == 0) {
        error = sd_ops_push_cached(&s->stores, s->cache, m, &s->ops);
    }
    sd_manifest_free(m);
    return error;
}

/* Close whatever open_stores opened (after a failure, or to retry). */
static void close_stores(session *s)
{
    if (s->objects && s->objects != s->store) {
        sd_store_close(s->objects);
    }
    sd_store_close(s->store);
    s->store = s->objects = NULL;
    memset(&s->stores, 0, sizeof(s->stores));
}

static int push_tree(session *s,
                     const char *path,
                     snapdir_manifest **m,
                     char **root,
                     char id_out[65])
{
    sd_ops_inline in, *inline_dst = NULL;
    int error;

    /* a local object store takes small files while the walk has them in
     * memory (one read per file instead of two) */
    sd_ops_inline_init(&in, NULL);
    if (open_stores(s) < 0) {
        close_stores(s);
        sd_error_clear();
    } else if (!s->o.dryrun && s->objects->root) {
        in.dst = s->objects;
        in.fresh = sd_store_is_fresh(s->objects);
        inline_dst = &in;
    }
    error = walk_for_store(m, path, s, inline_dst);
    /* walk errors come before a missing store (as in the reference) */
    if (error == 0) {
        sd_manifest_id(id_out, *m);
        if (!s->store) {
            error = open_stores(s);
        }
    }
    if (error == 0 && !(*root = sd_path_absolute(path))) {
        error = SNAPDIR_EINTERNAL;
    }
    if (error == 0) {
        error = sd_ops_push(&s->stores, *m, *root, inline_dst, &s->ops);
    }
    sd_ops_inline_dispose(&in);
    return error;
}

int snapdir_push(char id_out[SNAPDIR_ID_HEXLEN + 1],
                 const char *path,
                 const char *id,
                 const snapdir_transfer_options *opts,
                 SnapdirError **err)
{
    session s;
    snapdir_manifest *m = NULL;
    char *root = NULL;
    int error;

    id_out[0] = '\0';
    sd_error_clear();
    if ((error = session_open(&s, opts, 0)) < 0) {
        goto cleanup;
    }
    if (!path) {
        error = push_cached(&s, id, id_out);
    } else {
        error = push_tree(&s, path, &m, &root, id_out);
    }
    if (error == 0) {
        error = log_event(&s, "push", id_out, s.o.store);
    } else if (s.store) {
        sd_error_wrap(error, "pushing to %s", s.o.store);
    }
cleanup:
    sd_free(root);
    sd_manifest_free(m);
    session_close(&s);
    return sd_api_fail(error, err);
}

/* A fully cached snapshot needs no store at all. */
static int fetch_into_cache(session *s, const char *hex)
{
    int error = sd_ops_fully_cached(s->cache, hex);

    if (error != 0) {
        if (error > 0 && s->o.stats) {
            s->o.stats->fully_cached = 1;
        }
        return error < 0 ? error : 0;
    }
    if (!s->store && (error = open_stores(s)) < 0) {
        return error;
    }
    error = sd_ops_fetch(s->cache, &s->stores, hex, &s->ops);
    if (error < 0) {
        sd_error_wrap(error, "fetching %s from %s", hex, s->o.store);
    }
    return error;
}

int snapdir_fetch(const char *id,
                  const snapdir_transfer_options *opts,
                  SnapdirError **err)
{
    session s;
    char hex[65];
    int error;

    sd_error_clear();
    if ((error = sd_api_parse_id(hex, id)) < 0) {
        return sd_api_fail(error, err);
    }
    if ((error = session_open(&s, opts, 0)) == 0) {
        error = fetch_into_cache(&s, hex);
    }
    session_close(&s);
    return sd_api_fail(error, err);
}

/* realpath when it exists, else the lexical form. */
static char *canonical(const char *path)
{
    char buf[PATH_MAX];

    if (realpath(path, buf)) {
        return sd_strdup(buf);
    }
    return sd_path_absolute(path);
}

/* --delete never prunes /, $HOME, the cache or a local store root. */
static int mirror_guard(const session *s, const char *dest)
{
    const char *home = getenv("HOME");
    char *d = canonical(dest);
    const char *labels[] = {
        "the filesystem root",        "your home directory",
        "the object cache directory", "the object cache directory",
        "the snapshot store",         "the snapshot store"
    };
    const char *guarded[6];
    char *default_cache = sd_default_cache_dir();
    size_t i;
    int error = 0;

    if (!d) {
        return SNAPDIR_EINTERNAL;
    }
    guarded[0] = "/";
    guarded[1] = home && home[0] ? home : NULL;
    guarded[2] = s->cache_dir;
    guarded[3] = default_cache;
    guarded[4] = s->store && s->store->root ? s->store->root : NULL;
    guarded[5] = s->objects && s->objects->root ? s->objects->root : NULL;
    for (i = 0; i < 6 && error == 0; i++) {
        char *g = guarded[i] ? canonical(guarded[i]) : NULL;

        if (g && strcmp(g, d) == 0) {
            error = sd_error_set(SNAPDIR_EIO,
                                 "refusing to mirror-delete %s: it is %s; "
                                 "--delete only prunes a checkout destination "
                                 "(this guard is not bypassed by --force)",
                                 dest, labels[i]);
        }
        sd_free(g);
    }
    sd_free(d);
    sd_free(default_cache);
    return error;
}

/* --delete never prunes /, $HOME, a cache or a local store root. */
static int guard_dest(const session *s, const char *dest)
{
    char *root = sd_path_absolute(dest);
    int error;

    if (!root) {
        return SNAPDIR_EINTERNAL;
    }
    error = mirror_guard(s, root);
    sd_free(root);
    return error;
}

static int do_checkout(session *s,
                       const char *hex,
                       const char *dest,
                       const snapdir_checkout_options *co)
{
    sd_ops_checkout_options c;
    char *root = sd_path_absolute(dest);
    int error;

    if (!root) {
        return SNAPDIR_EINTERNAL;
    }
    c.linked = co->linked;
    c.delete_extra = co->delete_extra;
    c.protect = co->protect;
    c.protect_count = co->protect_count;
    error = sd_ops_checkout(s->cache, hex, root, &c, &s->ops);
    sd_free(root);
    return error;
}

static int checkout_or_pull(const char *id,
                            const char *dest,
                            const snapdir_checkout_options *opts,
                            int pull,
                            SnapdirError **err)
{
    snapdir_checkout_options defaults;
    session s;
    char hex[65];
    int error;

    sd_error_clear();
    if (!opts) {
        snapdir_checkout_options_init(&defaults, 0);
        opts = &defaults;
    }
    if ((error = sd_api_parse_id(hex, id)) < 0) {
        return sd_api_fail(error, err);
    }
    if (!dest) {
        return sd_api_fail(
            sd_error_set(SNAPDIR_EIO, "parameter `dest` must not be NULL"),
            err);
    }
    error = session_open(&s, &opts->transfer, 0);
    /* the mirror guard runs first, before anything is fetched or written;
     * it needs the store roots, which pull needs anyway */
    if (error == 0 && (pull || (opts->delete_extra && opts->transfer.store &&
                                opts->transfer.store[0]))) {
        error = open_stores(&s);
    }
    if (error == 0 && opts->delete_extra) {
        error = guard_dest(&s, dest);
    }
    if (error == 0 && pull) {
        error = fetch_into_cache(&s, hex);
    }
    if (error == 0) {
        error = do_checkout(&s, hex, dest, opts);
    }
    session_close(&s);
    return sd_api_fail(error, err);
}

int snapdir_checkout(const char *id,
                     const char *dest,
                     const snapdir_checkout_options *opts,
                     SnapdirError **err)
{
    return checkout_or_pull(id, dest, opts, 0, err);
}

int snapdir_pull(const char *id,
                 const char *dest,
                 const snapdir_checkout_options *opts,
                 SnapdirError **err)
{
    return checkout_or_pull(id, dest, opts, 1, err);
}

int snapdir_verify(const char *id,
                   const snapdir_transfer_options *opts,
                   SnapdirError **err)
{
    session s;
    char hex[65];
    int error;

    sd_error_clear();
    if ((error = sd_api_parse_id(hex, id)) < 0) {
        return sd_api_fail(error, err);
    }
    if ((error = session_open(&s, opts, 1)) == 0) {
        error = sd_ops_verify(&s.stores, hex, &s.ops);
    }
    session_close(&s);
    return sd_api_fail(error, err);
}

int snapdir_verify_cache(const char *id,
                         int purge,
                         const snapdir_transfer_options *opts,
                         SnapdirError **err)
{
    session s;
    char hex[65];
    int error = 0;

    sd_error_clear();
    if (id && (error = sd_api_parse_id(hex, id)) < 0) {
        return sd_api_fail(error, err);
    }
    if ((error = session_open(&s, opts, 0)) == 0) {
        error = sd_ops_verify_cache(s.cache, id ? hex : NULL, purge, &s.ops);
    }
    session_close(&s);
    return sd_api_fail(error, err);
}

int snapdir_flush_cache(const snapdir_transfer_options *opts,
                        SnapdirError **err)
{
    char *dir;
    int error;

    sd_error_clear();
    dir = sd_resolve_cache_dir(opts ? opts->cache_dir : NULL);
    if (!dir) {
        return sd_api_fail(SNAPDIR_EINTERNAL, err);
    }
    error = opts && opts->dryrun ? 0 : sd_fs_empty_dir(dir);
    sd_free(dir);
    return sd_api_fail(error, err);
}

int snapdir_cache_dir(char **out,
                      const snapdir_transfer_options *opts,
                      SnapdirError **err)
{
    sd_error_clear();
    *out = sd_resolve_cache_dir(opts ? opts->cache_dir : NULL);
    return *out ? 0 : sd_api_fail(SNAPDIR_EINTERNAL, err);
}

int sd_api_open_store(sd_store **out,
                      const char *uri,
                      const snapdir_transfer_options *t)
{
    sd_store_config cfg;

    store_config(&cfg, t);
    return sd_store_open_cfg(out, uri, &cfg);
}

void sd_api_ops_options(sd_ops_options *o, const snapdir_transfer_options *t)
{
    memset(o, 0, sizeof(*o));
    o->jobs = sd_pool_auto_jobs(t->jobs);
    o->dryrun = t->dryrun;
    o->cancel = t->cancel;
    o->progress = t->progress;
    o->progress_payload = t->progress_payload;
    o->report = t->report;
    o->report_payload = t->report_payload;
    o->stats = t->stats;
}
