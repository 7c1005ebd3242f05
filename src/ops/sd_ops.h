/* SPDX-License-Identifier: MIT */
/*
 * sd_ops.h - orchestration of transfers over stores: push a tree or a
 * cached snapshot, fetch into the cache, check out, verify. No policy about
 * options or the catalog lives here (that is api_*.c's job).
 */
#ifndef SD_OPS_H
#define SD_OPS_H

#include "core/sd_manifest.h"
#include "store/sd_store.h"
#include "util/sd_pool.h"
#include "util/sd_set.h"

typedef struct {
    unsigned int jobs; /* resolved, >= 1 */
    int dryrun;
    volatile int *cancel;
    snapdir_progress_cb progress;
    void *progress_payload;
    snapdir_report_cb report;
    void *report_payload;
    snapdir_stats *stats; /* may be NULL */
} sd_ops_options;

/* Manifests and objects may live in different stores (split pools). */
typedef struct {
    sd_store *manifests;
    sd_store *objects;
} sd_ops_stores;

/* One object to move: its checksum and where its bytes are. */
typedef struct {
    const char *hex;
    int stored; /* already stored during the walk */
    char *src;  /* a source file path (push), or NULL */
    uint64_t size;
    const char *path; /* the first manifest path holding it */
    sd_guard guard;   /* src's identity when it was hashed (ino 0: none) */
} sd_ops_object;

/*
 * The distinct file objects of a manifest, in manifest order of first
 * appearance. When root is not NULL, src is root + "/" + the entry path.
 */
int sd_ops_unique_objects(sd_ops_object **out,
                          size_t *n,
                          const snapdir_manifest *m,
                          const char *root);
void sd_ops_objects_free(sd_ops_object *objs, size_t n);

/* Objects stored while a tree is walked (see sd_walk_options). */
typedef struct {
    sd_store *dst;
    sd_set claimed; /* digests some thread has taken on */
    int fresh;      /* dst held no objects when we started: skip checks */
    uint64_t copied, skipped, bytes; /* atomics */
} sd_ops_inline;

void sd_ops_inline_init(sd_ops_inline *in, sd_store *dst);
void sd_ops_inline_dispose(sd_ops_inline *in);

/* An on_content callback for sd_walk; payload is an sd_ops_inline. */
int sd_ops_inline_put(void *payload,
                      const uint8_t *digest,
                      const void *data,
                      size_t len,
                      const char *path);

/* Copy what dst lacks from the source files, then the manifest (last). */
int sd_ops_push(const sd_ops_stores *dst,
                const snapdir_manifest *m,
                const char *root,
                const sd_ops_inline *done,
                const sd_ops_options *o);

/* Upload a snapshot whose objects are in the (local) cache store. */
int sd_ops_push_cached(const sd_ops_stores *dst,
                       sd_store *cache,
                       const snapdir_manifest *m,
                       const sd_ops_options *o);

/* 1 when the cache has manifest id and every object it names. */
int sd_ops_fully_cached(sd_store *cache, const char *id);

/* Download id from src into the cache (verified), manifest last. */
int sd_ops_fetch(sd_store *cache,
                 const sd_ops_stores *src,
                 const char *id,
                 const sd_ops_options *o);

typedef struct {
    int linked;
    int delete_extra;
    const char *const *protect;
    size_t protect_count;
} sd_ops_checkout_options;

/* Materialise id from the cache into dest (absolute, normalised). */
int sd_ops_checkout(sd_store *cache,
                    const char *id,
                    const char *dest,
                    const sd_ops_checkout_options *co,
                    const sd_ops_options *o);

/* Re-hash every object of id in src; problems go to o->report. */
int sd_ops_verify(const sd_ops_stores *src,
                  const char *id,
                  const sd_ops_options *o);

/* Scan the cache for corrupt objects and missing ones. */
int sd_ops_verify_cache(sd_store *cache,
                        const char *id,
                        int purge,
                        const sd_ops_options *o);

/* Copy snapshot id from src to dst; mirror prunes dst's other manifests. */
int sd_ops_sync(const sd_ops_stores *src,
                const sd_ops_stores *dst,
                const char *id,
                int mirror,
                const sd_ops_options *o);

/* One side of a diff: store refs, each "URI" or "URI@ID". */
typedef struct {
    const char *const *refs;
    size_t count;
} sd_diff_side;

typedef struct {
    char status; /* 'A', 'D', 'M', '=' */
    const char *path;
} sd_diff_row;

struct snapdir_diff {
    sd_diff_row *rows;
    size_t count;
    sd_arena arena;
};

/* pin: an id to select in plain-URI refs that hold it (may be NULL). */
int sd_ops_diff(struct snapdir_diff **out,
                const sd_diff_side *from,
                const sd_diff_side *to,
                const char *pin,
                int all,
                int last_wins,
                volatile int *cancel);
void sd_ops_diff_free(struct snapdir_diff *d);

/* ---- shared progress/counters for parallel jobs ---- */
typedef struct {
    const sd_ops_options *o;
    uint64_t done, total, bytes_done, bytes_total; /* atomics */
    uint64_t copied, skipped, bytes_copied;        /* atomics */
    int finished;                                  /* report DONE */
} sd_ops_meter;

/* Count one object done: copied (1) or skipped (0). Thread-safe. */
void sd_ops_meter_count(sd_ops_meter *m, const sd_ops_object *obj, int copied);

/* Run fn(pool, object, ctx) over every object on o->jobs workers; m is
 * initialised here and ticks the progress callback. */
int sd_ops_run_objects(sd_ops_object *objs,
                       size_t n,
                       sd_pool_fn fn,
                       void *ctx,
                       sd_ops_meter *m,
                       const sd_ops_options *o);

/* The manifest ids of a store, sorted; missing_ok: an absent store root
 * lists as empty. Free with sd_ops_ids_dispose. */
typedef struct {
    char **ids;
    size_t n, cap;
} sd_ops_ids;

int sd_ops_list_ids(sd_ops_ids *out, sd_store *s, int missing_ok);
int sd_ops_ids_has(const sd_ops_ids *l, const char *id);
void sd_ops_ids_dispose(sd_ops_ids *l);

void sd_ops_meter_init(sd_ops_meter *m,
                       const sd_ops_options *o,
                       uint64_t total,
                       uint64_t bytes_total);
int sd_ops_meter_tick(void *payload); /* an sd_pool_tick_fn */
void sd_ops_meter_finish(sd_ops_meter *m);

#endif
