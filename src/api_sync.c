/* SPDX-License-Identifier: MIT */
/* api_sync.c - the sync and diff entry points. */
#include "snapdir.h"
#include "api_internal.h"
#include "hash/sd_hash.h"
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_pool.h"

#include <string.h>

int snapdir_sync_options_init(snapdir_sync_options *opts, unsigned int version)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = version ? version : SNAPDIR_SYNC_OPTIONS_VERSION;
    snapdir_transfer_options_init(&opts->transfer, 0);
    return 0;
}

int snapdir_diff_options_init(snapdir_diff_options *opts, unsigned int version)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = version ? version : SNAPDIR_DIFF_OPTIONS_VERSION;
    return 0;
}

/* A side of a sync: manifests in uri, objects in pool (or uri). */
static int open_pair(sd_ops_stores *out,
                     const char *uri,
                     const char *pool,
                     const char *flag,
                     const snapdir_transfer_options *t)
{
    int error;

    memset(out, 0, sizeof(*out));
    if (!uri || !uri[0]) {
        return sd_error_set(SNAPDIR_EINVALID_STORE, "missing --%s store", flag);
    }
    if ((error = sd_api_open_store(&out->manifests, uri, t)) < 0) {
        return sd_error_wrap(error, "resolving --%s", flag);
    }
    out->objects = out->manifests;
    if (pool && pool[0] &&
        (error = sd_api_open_store(&out->objects, pool, t)) < 0) {
        out->objects = out->manifests;
        return sd_error_wrap(error, "resolving --%s-objects", flag);
    }
    return 0;
}

static void close_pair(sd_ops_stores *p)
{
    if (p->objects != p->manifests) {
        sd_store_close(p->objects);
    }
    sd_store_close(p->manifests);
}

int snapdir_sync(const char *id,
                 const snapdir_sync_options *opts,
                 SnapdirError **err)
{
    snapdir_sync_options defaults;
    sd_ops_stores src, dst;
    sd_ops_options o;
    char hex[65];
    int error;

    sd_error_clear();
    sd_hash_warm_up(); /* before any worker thread hashes */
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    if (!opts) {
        snapdir_sync_options_init(&defaults, 0);
        opts = &defaults;
    }
    if ((error = sd_api_parse_id(hex, id)) < 0) {
        return sd_api_fail(error, err);
    }
    if (opts->from && opts->to && strcmp(opts->from, opts->to) == 0) {
        return sd_api_fail(sd_error_set(SNAPDIR_EINVALID_STORE,
                                        "sync --from and --to must differ "
                                        "(both are %s)",
                                        opts->from),
                           err);
    }
    if ((error = open_pair(&src, opts->from, opts->from_objects, "from",
                           &opts->transfer)) < 0 ||
        (error = open_pair(&dst, opts->to, opts->to_objects, "to",
                           &opts->transfer)) < 0) {
        goto cleanup;
    }
    sd_api_ops_options(&o, &opts->transfer);
    /* network transfers wait on latency, not on the CPU */
    if (opts->transfer.jobs == 0 &&
        (src.manifests->remote || src.objects->remote ||
         dst.manifests->remote || dst.objects->remote)) {
        o.jobs = 16;
    }
    error = sd_ops_sync(&src, &dst, hex, opts->delete_extra, &o);
    if (error < 0) {
        sd_error_wrap(error, "syncing snapshot %s from %s to %s", hex,
                      opts->from, opts->to);
    }
cleanup:
    close_pair(&src);
    close_pair(&dst);
    return sd_api_fail(error, err);
}

int snapdir_diff_run(snapdir_diff **out,
                     const snapdir_diff_options *opts,
                     SnapdirError **err)
{
    snapdir_diff_options defaults;
    sd_diff_side from, to;
    char pin[65];
    int error;

    sd_error_clear();
    *out = NULL;
    if (!opts) {
        snapdir_diff_options_init(&defaults, 0);
        opts = &defaults;
    }
    if (opts->id && (error = sd_api_parse_id(pin, opts->id)) < 0) {
        return sd_api_fail(error, err);
    }
    from.refs = opts->from;
    from.count = opts->from ? opts->from_count : 0;
    to.refs = opts->to;
    to.count = opts->to ? opts->to_count : 0;
    error = sd_ops_diff(out, &from, &to, opts->id ? pin : NULL, opts->all,
                        opts->on_conflict == SNAPDIR_CONFLICT_LAST_WINS,
                        opts->cancel);
    return sd_api_fail(error, err);
}

size_t snapdir_diff_count(const snapdir_diff *d)
{
    return d ? d->count : 0;
}

int snapdir_diff_entry_at(snapdir_diff_entry *out,
                          const snapdir_diff *d,
                          size_t i)
{
    if (!d || i >= d->count) {
        return SNAPDIR_EINTERNAL;
    }
    out->status = d->rows[i].status;
    out->path = d->rows[i].path;
    return 0;
}

void snapdir_diff_free(snapdir_diff *d)
{
    sd_ops_diff_free(d);
}
