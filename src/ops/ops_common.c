/* SPDX-License-Identifier: MIT */
/* ops_common.c - unique objects and progress counters for the ops. */
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdlib.h>
#include <string.h>

static int by_checksum(const void *a, const void *b)
{
    const sd_entry *x = *(const sd_entry *const *)a;
    const sd_entry *y = *(const sd_entry *const *)b;
    int c = strcmp(x->checksum, y->checksum);

    /* ties keep manifest order, so the first path of an object wins */
    return c ? c : (x < y ? -1 : x > y);
}

static int by_position(const void *a, const void *b)
{
    const sd_entry *x = *(const sd_entry *const *)a;
    const sd_entry *y = *(const sd_entry *const *)b;

    return x < y ? -1 : x > y;
}

static char *source_path(const char *root, const sd_entry *e)
{
    size_t rl = strlen(root), pl = e->path_len - 2; /* drop "./" */
    char *p = sd_malloc(rl + pl + 2);

    if (p) {
        memcpy(p, root, rl);
        p[rl] = '/';
        memcpy(p + rl + 1, e->path + 2, pl + 1);
    }
    return p;
}

int sd_ops_unique_objects(sd_ops_object **out,
                          size_t *n,
                          const snapdir_manifest *m,
                          const char *root)
{
    const sd_entry **files = NULL;
    sd_ops_object *objs = NULL;
    size_t i, nf = 0, k = 0;
    int error = 0;

    *out = NULL;
    *n = 0;
    files = sd_calloc(m->count, sizeof(*files));
    if (!files) {
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < m->count; i++) {
        if (m->entries[i].type == 'F') {
            files[nf++] = &m->entries[i];
        }
    }
    if (nf > 1) {
        qsort(files, nf, sizeof(*files), by_checksum);
    }
    for (i = 0; i < nf; i++) {
        if (i == 0 || strcmp(files[i]->checksum, files[k - 1]->checksum)) {
            files[k++] = files[i];
        } else if (files[i]->stored) {
            files[k - 1] = files[i]; /* keep the flag of a stored copy */
        }
    }
    if (k > 1) {
        qsort(files, k, sizeof(*files), by_position);
    }
    objs = sd_calloc(k, sizeof(*objs));
    if (!objs) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    for (i = 0; i < k; i++) {
        objs[i].hex = files[i]->checksum;
        objs[i].stored = files[i]->stored;
        objs[i].guard = files[i]->guard;
        objs[i].size = files[i]->size;
        objs[i].path = files[i]->path;
        if (root && !(objs[i].src = source_path(root, files[i]))) {
            error = SNAPDIR_EINTERNAL;
            sd_ops_objects_free(objs, i);
            objs = NULL;
            goto cleanup;
        }
    }
    *out = objs;
    *n = k;
cleanup:
    sd_free(files);
    return error;
}

void sd_ops_objects_free(sd_ops_object *objs, size_t n)
{
    size_t i;

    if (!objs) {
        return;
    }
    for (i = 0; i < n; i++) {
        sd_free(objs[i].src);
    }
    sd_free(objs);
}

void sd_ops_meter_init(sd_ops_meter *m,
                       const sd_ops_options *o,
                       uint64_t total,
                       uint64_t bytes_total)
{
    memset(m, 0, sizeof(*m));
    m->o = o;
    m->total = total;
    m->bytes_total = bytes_total;
}

int sd_ops_meter_tick(void *payload)
{
    sd_ops_meter *m = payload;
    snapdir_progress p;

    if (!m->o->progress) {
        return 0;
    }
    p.phase = m->finished ? SNAPDIR_PHASE_DONE : SNAPDIR_PHASE_TRANSFER;
    p.files_done = __atomic_load_n(&m->done, __ATOMIC_RELAXED);
    p.files_total = m->total;
    p.bytes_done = __atomic_load_n(&m->bytes_done, __ATOMIC_RELAXED);
    p.bytes_total = m->bytes_total;
    return m->o->progress(&p, m->o->progress_payload);
}

void sd_ops_meter_finish(sd_ops_meter *m)
{
    snapdir_stats *s = m->o->stats;

    m->finished = 1;
    sd_ops_meter_tick(m);
    if (s) {
        s->objects_copied += m->copied;
        s->objects_skipped += m->skipped;
        s->bytes_copied += m->bytes_copied;
    }
}

void sd_ops_meter_count(sd_ops_meter *m, const sd_ops_object *obj, int copied)
{
    __atomic_add_fetch(copied ? &m->copied : &m->skipped, 1, __ATOMIC_RELAXED);
    if (copied) {
        __atomic_add_fetch(&m->bytes_copied, obj->size, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&m->done, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->bytes_done, obj->size, __ATOMIC_RELAXED);
}

int sd_ops_run_objects(sd_ops_object *objs,
                       size_t n,
                       sd_pool_fn fn,
                       void *ctx,
                       sd_ops_meter *m,
                       const sd_ops_options *o)
{
    void **items = NULL;
    uint64_t bytes = 0;
    size_t i;
    int error;

    if (n && !(items = sd_calloc(n, sizeof(void *)))) {
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < n; i++) {
        items[i] = &objs[i];
        bytes += objs[i].size;
    }
    sd_ops_meter_init(m, o, n, bytes);
    error = sd_pool_run(items, n, o->jobs, fn, ctx, o->cancel,
                        sd_ops_meter_tick, m);
    sd_free(items);
    return error;
}

static int collect_id(const char *id, void *payload)
{
    sd_ops_ids *l = payload;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **v = sd_reallocarray(l->ids, cap, sizeof(char *));

        if (!v) {
            return 1;
        }
        l->ids = v;
        l->cap = cap;
    }
    return (l->ids[l->n++] = sd_strdup(id)) == NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sd_ops_list_ids(sd_ops_ids *out, sd_store *s, int missing_ok)
{
    int error;

    memset(out, 0, sizeof(*out));
    error = missing_ok ? sd_store_list_manifests_or_none(s, collect_id, out)
                       : sd_store_list_manifests(s, collect_id, out);
    if (error == 0 && out->n > 1) {
        qsort(out->ids, out->n, sizeof(char *), cmp_str);
    }
    return error;
}

int sd_ops_ids_has(const sd_ops_ids *l, const char *id)
{
    return l->n && bsearch(&id, l->ids, l->n, sizeof(char *), cmp_str);
}

void sd_ops_ids_dispose(sd_ops_ids *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        sd_free(l->ids[i]);
    }
    sd_free(l->ids);
    memset(l, 0, sizeof(*l));
}
