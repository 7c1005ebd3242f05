/* SPDX-License-Identifier: MIT */
/*
 * snapdir.h - the public C API of libsnapdir: content-addressable directory
 * snapshots. Every function is thread-safe and re-entrant. Errors are
 * returned as negative SNAPDIR_E* codes, with details in a SnapdirError.
 */
#ifndef SNAPDIR_H
#define SNAPDIR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SNAPDIR_EXTERN(type) __declspec(dllexport) type
#else
#define SNAPDIR_EXTERN(type) __attribute__((visibility("default"))) type
#endif

/** Bumped only on breaking ABI changes. */
#define SNAPDIR_ABI_VERSION 1

/** Length of a snapshot id or BLAKE3 checksum in hex, without the NUL. */
#define SNAPDIR_ID_HEXLEN 64

/** Error codes. Each maps to a stable code string (snapdir_error_code). */
typedef enum {
    SNAPDIR_OK = 0,
    SNAPDIR_EIO = -1,               /* IO_ERROR */
    SNAPDIR_EMISMATCH = -2,         /* HASH_MISMATCH */
    SNAPDIR_ESTORE = -3,            /* STORE_ERROR */
    SNAPDIR_EINFLUX = -4,           /* IN_FLUX */
    SNAPDIR_ECATALOG = -5,          /* CATALOG_ERROR */
    SNAPDIR_EINVALID_ID = -6,       /* INVALID_ID */
    SNAPDIR_EINVALID_STORE = -7,    /* INVALID_STORE */
    SNAPDIR_ECONFLICT = -8,         /* CONFLICT */
    SNAPDIR_EINTERNAL = -9,         /* INTERNAL */
    SNAPDIR_ECANCELLED = -10,       /* CANCELLED */
    SNAPDIR_EINVALID_MANIFEST = -11 /* INVALID_MANIFEST */
} snapdir_error_t;

/** An error: a code and a message naming the path, key or URI involved. */
typedef struct SnapdirError SnapdirError;

/** The library version, e.g. "1.11.0"; a static string. */
SNAPDIR_EXTERN(const char *) snapdir_version(void);

/**
 * The stable code string of an error ("IO_ERROR", "IN_FLUX", ...).
 * @return a static string, or NULL when err is NULL
 */
SNAPDIR_EXTERN(const char *) snapdir_error_code(const SnapdirError *err);

/** The numeric code (a negative SNAPDIR_E* value), 0 when err is NULL. */
SNAPDIR_EXTERN(int) snapdir_error_value(const SnapdirError *err);

/**
 * The message, prefixed per code ("i/o error: ...").
 * @return a string borrowed from err, or NULL when err is NULL
 */
SNAPDIR_EXTERN(const char *) snapdir_error_message(const SnapdirError *err);

/** The stable code string for a SNAPDIR_E* value; a static string. */
SNAPDIR_EXTERN(const char *) snapdir_error_code_name(int code);

/** Free an error; NULL is a no-op. */
SNAPDIR_EXTERN(void) snapdir_error_free(SnapdirError *err);

/** Free a string returned by the library; NULL is a no-op. */
SNAPDIR_EXTERN(void) snapdir_string_free(char *s);

/* ------------------------------------------------------------------ */
/* Progress and cancellation                                           */

/** What a long operation is doing. */
typedef enum {
    SNAPDIR_PHASE_DISCOVERING = 0, /* walking the tree */
    SNAPDIR_PHASE_HASHING = 1,     /* hashing file contents */
    SNAPDIR_PHASE_TRANSFER = 2,    /* moving objects */
    SNAPDIR_PHASE_DONE = 3
} snapdir_phase;

/** A snapshot of an operation's progress. */
typedef struct {
    snapdir_phase phase;
    uint64_t files_done;  /* files hashed or objects moved so far */
    uint64_t files_total; /* 0 while unknown */
    uint64_t bytes_done;
    uint64_t bytes_total; /* 0 while unknown */
} snapdir_progress;

/**
 * Called on the calling thread about ten times a second and once at the end.
 * Return non-zero to cancel the operation (it then fails with
 * SNAPDIR_ECANCELLED).
 */
typedef int (*snapdir_progress_cb)(const snapdir_progress *progress,
                                   void *payload);

/* ------------------------------------------------------------------ */
/* Manifests                                                           */

/** A parsed or built manifest: entries sorted by path bytes. Opaque. */
typedef struct snapdir_manifest snapdir_manifest;

/** The checksum algorithm of a manifest's entries. */
typedef enum {
    SNAPDIR_HASH_BLAKE3 = 0, /* default; keyed when a context is given */
    SNAPDIR_HASH_MD5 = 1,
    SNAPDIR_HASH_SHA256 = 2
} snapdir_hash_kind;

/** Entry types. */
typedef enum {
    SNAPDIR_ENTRY_FILE = 'F',
    SNAPDIR_ENTRY_DIRECTORY = 'D'
} snapdir_entry_type;

/** One manifest line. Pointers are borrowed from the manifest. */
typedef struct {
    snapdir_entry_type type;
    uint32_t mode;        /* st_mode & 07777 */
    const char *checksum; /* lowercase hex, NUL-terminated */
    uint64_t size;
    const char *path; /* "./x", "./d/" or absolute; NUL-terminated */
} snapdir_manifest_entry;

#define SNAPDIR_MANIFEST_OPTIONS_VERSION 1

/** Options for snapdir_manifest_build. Zeroed fields mean defaults. */
typedef struct {
    unsigned int version;
    int no_follow; /* leave symbolic links out instead of following them */
    int absolute;  /* render absolute paths instead of "./" ones */
    const char *const *exclude; /* POSIX ERE patterns, OR-ed */
    size_t exclude_count;
    snapdir_hash_kind hash;
    const char *context;   /* non-empty: keyed BLAKE3 (derive-key mode); NULL:
                          $SNAPDIR_MANIFEST_CONTEXT; "": plain BLAKE3 */
    unsigned int jobs;     /* hashing threads; 0 = all cores (max 16) */
    const char *home;      /* for %system%; NULL = $HOME */
    const char *cache_dir; /* for %system%; NULL = the default cache */
    volatile int *cancel;  /* set non-zero from any thread to cancel */
    snapdir_progress_cb progress;
    void *progress_payload;
} snapdir_manifest_options;

#define SNAPDIR_MANIFEST_OPTIONS_INIT                                          \
    {                                                                          \
        SNAPDIR_MANIFEST_OPTIONS_VERSION                                       \
    }

/** Initialise options to their defaults. @return 0 */
SNAPDIR_EXTERN(int)
snapdir_manifest_options_init(snapdir_manifest_options *opts,
                              unsigned int version);

/**
 * Walk a directory and build its manifest.
 *
 * @param[out] out the manifest, owned by the caller (snapdir_manifest_free)
 * @param path the directory; relative paths are resolved against the cwd
 *        and normalised lexically
 * @param opts options, or NULL for defaults
 * @param[out] err on failure, an error owned by the caller; may be NULL
 * @return 0, SNAPDIR_EIO (missing, unreadable, bad exclude pattern),
 *         SNAPDIR_EINFLUX (the tree changed during the walk) or
 *         SNAPDIR_ECANCELLED
 */
SNAPDIR_EXTERN(int)
snapdir_manifest_build(snapdir_manifest **out,
                       const char *path,
                       const snapdir_manifest_options *opts,
                       SnapdirError **err);

/**
 * Parse manifest text (strict: errors name the line). Comment and empty
 * lines are ignored; lines are re-sorted.
 *
 * @param[out] out the manifest, owned by the caller (snapdir_manifest_free)
 * @return 0 or SNAPDIR_EINVALID_MANIFEST
 */
SNAPDIR_EXTERN(int)
snapdir_manifest_parse(snapdir_manifest **out,
                       const char *text,
                       size_t len,
                       SnapdirError **err);

/**
 * Render a manifest: every line followed by "\n".
 *
 * @param[out] out the text, owned by the caller (snapdir_string_free)
 * @param[out] out_len its length in bytes; may be NULL
 * @return 0 or SNAPDIR_EINTERNAL (out of memory)
 */
SNAPDIR_EXTERN(int)
snapdir_manifest_render(char **out,
                        size_t *out_len,
                        const snapdir_manifest *m,
                        SnapdirError **err);

/**
 * The snapshot id: BLAKE3 of the rendered text, as lowercase hex.
 * @param[out] out 65 bytes, NUL-terminated on return
 */
SNAPDIR_EXTERN(void)
snapdir_manifest_id(char out[SNAPDIR_ID_HEXLEN + 1], const snapdir_manifest *m);

/** The number of entries. */
SNAPDIR_EXTERN(size_t) snapdir_manifest_count(const snapdir_manifest *m);

/**
 * Entry i (0-based) in path order.
 * @param[out] out pointers borrowed from m, valid until it is freed
 * @return 0, or SNAPDIR_EINTERNAL when i is out of range
 */
SNAPDIR_EXTERN(int)
snapdir_manifest_entry_at(snapdir_manifest_entry *out,
                          const snapdir_manifest *m,
                          size_t i);

/** The checksum algorithm of the manifest's entries. */
SNAPDIR_EXTERN(snapdir_hash_kind)
snapdir_manifest_hash(const snapdir_manifest *m);

/** Free a manifest; NULL is a no-op. */
SNAPDIR_EXTERN(void) snapdir_manifest_free(snapdir_manifest *m);

/**
 * The snapshot id of manifest text: parse, re-render, hash.
 * @param[out] out 65 bytes, NUL-terminated on return
 * @return 0 or SNAPDIR_EINVALID_MANIFEST
 */
SNAPDIR_EXTERN(int)
snapdir_id_from_text(char out[SNAPDIR_ID_HEXLEN + 1],
                     const char *text,
                     size_t len,
                     SnapdirError **err);

/**
 * Make a path absolute against the cwd and normalise it lexically (drop
 * "." and empty components and trailing '/', keep ".."), as the walk does.
 * @param[out] out owned by the caller (snapdir_string_free)
 * @return 0 or SNAPDIR_EIO (the cwd is unreadable)
 */
SNAPDIR_EXTERN(int)
snapdir_path_absolute(char **out, const char *path, SnapdirError **err);

/**
 * Check that a string is a snapshot id (64 hex digits; upper case is folded).
 * @param[out] out the lowercase id, 65 bytes; may be NULL
 * @return 0 or SNAPDIR_EINVALID_ID
 */
SNAPDIR_EXTERN(int)
snapdir_id_parse(char out[SNAPDIR_ID_HEXLEN + 1],
                 const char *text,
                 SnapdirError **err);

/* ------------------------------------------------------------------ */
/* Cache and stores                                                    */

/** Counters filled by transfers (optional). */
typedef struct {
    uint64_t objects_copied;  /* objects written to the destination */
    uint64_t objects_skipped; /* already present */
    uint64_t bytes_copied;
    uint64_t files_written;  /* checkout: files (re)written */
    uint64_t entries_pruned; /* checkout --delete: paths removed */
    int fully_cached;        /* fetch/pull: the cache already had everything */
} snapdir_stats;

/**
 * Called for each planned change under dryrun (action "delete", "write",
 * "mkdir") and for each problem found by verify (action "missing",
 * "corrupt"; path may be NULL for objects not named by a manifest).
 */
typedef void (*snapdir_report_cb)(const char *action,
                                  const char *path,
                                  const char *checksum,
                                  void *payload);

#define SNAPDIR_TRANSFER_OPTIONS_VERSION 1

/** Options of stage, push, fetch, pull, checkout and verify. */
typedef struct {
    unsigned int version;
    const char *store;         /* store URI */
    const char *objects_store; /* objects apart from manifests; or NULL */
    const char *cache_dir;     /* NULL: $SNAPDIR_CACHE_DIR, else the XDG one */
    const char *catalog; /* NULL: the default; "none": off; NAME or a path */
    unsigned int jobs;   /* parallel transfers; 0 = auto */
    int dryrun;          /* change nothing; report through `report` */
    snapdir_manifest_options walk; /* how stage and push walk a path */
    volatile int *cancel;
    snapdir_progress_cb progress;
    void *progress_payload;
    snapdir_report_cb report;
    void *report_payload;
    snapdir_stats *stats; /* filled when not NULL */
    /* network stores */
    unsigned int max_retries;   /* attempts per request; 0 = 5 */
    unsigned int retry_base_ms; /* 0 = 250 */
    unsigned int retry_max_ms;  /* 0 = 30000 */
    uint64_t max_requests;      /* per second; 0 = the backend's default */
    uint64_t limit_rate;        /* bytes per second; 0 = unlimited */
} snapdir_transfer_options;

#define SNAPDIR_TRANSFER_OPTIONS_INIT                                          \
    {                                                                          \
        SNAPDIR_TRANSFER_OPTIONS_VERSION                                       \
    }

/** Initialise options to their defaults. @return 0 */
SNAPDIR_EXTERN(int)
snapdir_transfer_options_init(snapdir_transfer_options *opts,
                              unsigned int version);

#define SNAPDIR_CHECKOUT_OPTIONS_VERSION 1

/** Options of checkout and pull. */
typedef struct {
    unsigned int version;
    snapdir_transfer_options transfer;
    int linked;       /* read-only symbolic links into the cache */
    int delete_extra; /* prune what the manifest lacks (an exact mirror) */
    const char *const *protect; /* EREs on "./rel" paths never pruned */
    size_t protect_count;
} snapdir_checkout_options;

/** Initialise options to their defaults. @return 0 */
SNAPDIR_EXTERN(int)
snapdir_checkout_options_init(snapdir_checkout_options *opts,
                              unsigned int version);

/**
 * Snapshot a directory into the local cache.
 * @param[out] id_out the snapshot id, 65 bytes
 * @return 0, SNAPDIR_EIO, SNAPDIR_EINFLUX or SNAPDIR_ECANCELLED
 */
SNAPDIR_EXTERN(int)
snapdir_stage(char id_out[SNAPDIR_ID_HEXLEN + 1],
              const char *path,
              const snapdir_transfer_options *opts,
              SnapdirError **err);

/**
 * Upload a snapshot to opts->store: the tree at path, or (path NULL) the
 * snapshot id already in the local cache. Objects first, manifest last;
 * what the store has is skipped.
 * @param[out] id_out the snapshot id, 65 bytes
 * @return 0, SNAPDIR_EIO, SNAPDIR_EINFLUX, SNAPDIR_ESTORE or
 *         SNAPDIR_EINVALID_STORE
 */
SNAPDIR_EXTERN(int)
snapdir_push(char id_out[SNAPDIR_ID_HEXLEN + 1],
             const char *path,
             const char *id,
             const snapdir_transfer_options *opts,
             SnapdirError **err);

/**
 * Download a snapshot from opts->store into the local cache, verifying
 * every object.
 * @return 0, SNAPDIR_ESTORE, SNAPDIR_EMISMATCH or SNAPDIR_EINVALID_ID
 */
SNAPDIR_EXTERN(int)
snapdir_fetch(const char *id,
              const snapdir_transfer_options *opts,
              SnapdirError **err);

/**
 * Materialise a cached snapshot into dest; `snapdir id dest` then equals
 * id for trees without symbolic links.
 * @return 0, SNAPDIR_EIO, SNAPDIR_ESTORE or SNAPDIR_EMISMATCH
 */
SNAPDIR_EXTERN(int)
snapdir_checkout(const char *id,
                 const char *dest,
                 const snapdir_checkout_options *opts,
                 SnapdirError **err);

/** snapdir_fetch, then snapdir_checkout. */
SNAPDIR_EXTERN(int)
snapdir_pull(const char *id,
             const char *dest,
             const snapdir_checkout_options *opts,
             SnapdirError **err);

/**
 * Re-hash every object of a snapshot in opts->store. Each missing or
 * corrupt object is reported through opts->report.
 * @return 0 when all is well, SNAPDIR_EMISMATCH or SNAPDIR_ESTORE
 */
SNAPDIR_EXTERN(int)
snapdir_verify(const char *id,
               const snapdir_transfer_options *opts,
               SnapdirError **err);

/**
 * Re-hash every object in the cache and check that the objects of id (or
 * of every cached manifest when id is NULL) are present. Problems go to
 * opts->report; purge deletes corrupt objects.
 * @return 0 when clean, SNAPDIR_EMISMATCH when not
 */
SNAPDIR_EXTERN(int)
snapdir_verify_cache(const char *id,
                     int purge,
                     const snapdir_transfer_options *opts,
                     SnapdirError **err);

/** Delete everything inside the cache directory. @return 0 or SNAPDIR_EIO */
SNAPDIR_EXTERN(int)
snapdir_flush_cache(const snapdir_transfer_options *opts, SnapdirError **err);

/**
 * The cache directory that opts (or NULL) resolves to.
 * @param[out] out owned by the caller (snapdir_string_free)
 */
SNAPDIR_EXTERN(int)
snapdir_cache_dir(char **out,
                  const snapdir_transfer_options *opts,
                  SnapdirError **err);

/* ------------------------------------------------------------------ */
/* Sync and diff across stores                                         */

#define SNAPDIR_SYNC_OPTIONS_VERSION 1

/** Options of snapdir_sync. */
typedef struct {
    unsigned int version;
    const char *from;         /* source store URI (required) */
    const char *to;           /* destination store URI (required) */
    const char *from_objects; /* source object pool, or NULL */
    const char *to_objects;   /* destination object pool, or NULL */
    int delete_extra;         /* prune destination manifests the source lacks
                                 (file:// destinations only; never objects) */
    snapdir_transfer_options transfer; /* jobs, dryrun, cancel, progress,
                                          report, stats, network knobs */
} snapdir_sync_options;

/** Initialise options to their defaults. @return 0 */
SNAPDIR_EXTERN(int)
snapdir_sync_options_init(snapdir_sync_options *opts, unsigned int version);

/**
 * Copy one snapshot (manifest and objects) between two stores without the
 * local cache: objects the destination has are skipped, each distinct
 * object is copied once and verified, the manifest is written last.
 * Counters go to opts->transfer.stats.
 * @return 0, SNAPDIR_ESTORE, SNAPDIR_EMISMATCH, SNAPDIR_EINVALID_STORE or
 *         SNAPDIR_EINVALID_ID
 */
SNAPDIR_EXTERN(int)
snapdir_sync(const char *id,
             const snapdir_sync_options *opts,
             SnapdirError **err);

/** How diff resolves one path that differs between two refs of a side. */
typedef enum {
    SNAPDIR_CONFLICT_ERROR = 0,    /* fail with SNAPDIR_ECONFLICT */
    SNAPDIR_CONFLICT_LAST_WINS = 1 /* the last ref in the list wins */
} snapdir_conflict_policy;

#define SNAPDIR_DIFF_OPTIONS_VERSION 1

/** Options of snapdir_diff. A ref is "URI" (every manifest) or "URI@ID". */
typedef struct {
    unsigned int version;
    const char *const *from;
    size_t from_count;
    const char *const *to;
    size_t to_count;
    const char *id; /* pin this snapshot in every plain-URI ref; or NULL */
    int all;        /* also report unchanged files ("=") */
    snapdir_conflict_policy on_conflict;
    volatile int *cancel;
} snapdir_diff_options;

/** Initialise options to their defaults. @return 0 */
SNAPDIR_EXTERN(int)
snapdir_diff_options_init(snapdir_diff_options *opts, unsigned int version);

/** The result of a diff: rows sorted by path bytes. Opaque. */
typedef struct snapdir_diff snapdir_diff;

/** One row: status 'A' added, 'D' deleted, 'M' modified, '=' unchanged. */
typedef struct {
    char status;
    const char *path; /* "./x"; borrowed from the diff */
} snapdir_diff_entry;

/**
 * Compare two sides of snapshot refs by their manifests alone (no object
 * is read). A missing store or id is an error, never an empty side.
 * @param[out] out owned by the caller (snapdir_diff_free)
 * @return 0, SNAPDIR_ESTORE, SNAPDIR_ECONFLICT, SNAPDIR_EINVALID_STORE or
 *         SNAPDIR_EINVALID_ID
 */
SNAPDIR_EXTERN(int)
snapdir_diff_run(snapdir_diff **out,
                 const snapdir_diff_options *opts,
                 SnapdirError **err);

/** The number of rows. */
SNAPDIR_EXTERN(size_t) snapdir_diff_count(const snapdir_diff *d);

/** Row i; pointers borrowed from d. @return 0 or SNAPDIR_EINTERNAL */
SNAPDIR_EXTERN(int)
snapdir_diff_entry_at(snapdir_diff_entry *out, const snapdir_diff *d, size_t i);

/** Free a diff; NULL is a no-op. */
SNAPDIR_EXTERN(void) snapdir_diff_free(snapdir_diff *d);

/* ------------------------------------------------------------------ */
/* The catalog: which snapshot was staged or pushed from/to where      */

/** The catalog queries of the CLI. */
typedef enum {
    SNAPDIR_CATALOG_LOCATIONS = 0, /* each location's latest record */
    SNAPDIR_CATALOG_ANCESTORS = 1, /* the direct predecessors of an id */
    SNAPDIR_CATALOG_REVISIONS = 2  /* the history of one location */
} snapdir_catalog_query_kind;

/**
 * Resolve a catalog selection to its database file.
 *
 * @param[out] out the path, owned by the caller (snapdir_string_free), or
 *        NULL when the catalog is disabled ("none" or "")
 * @param catalog NULL for the default catalog, "none"/"" to disable, a value
 *        containing '/' for that file, else NAME for
 *        <cache_dir>/NAME-catalog.sqlite3
 * @param cache_dir the cache directory, or NULL for the default one
 * @return 0 or SNAPDIR_EINTERNAL
 */
SNAPDIR_EXTERN(int)
snapdir_catalog_path(char **out,
                     const char *catalog,
                     const char *cache_dir,
                     SnapdirError **err);

/**
 * Record an event ("stage", "push", "manifest") of snapshot id at location.
 * Creates the database (and its directory) when missing. Safe under
 * concurrent writers.
 * @return 0 or SNAPDIR_ECATALOG
 */
SNAPDIR_EXTERN(int)
snapdir_catalog_log(const char *db_path,
                    const char *event,
                    const char *id,
                    const char *location,
                    SnapdirError **err);

/**
 * Run a catalog query; the answer is JSON lines (one object per line, each
 * ending in "\n"; empty when nothing matches).
 *
 * @param[out] out the text, owned by the caller (snapdir_string_free)
 * @param id required for ANCESTORS, ignored otherwise
 * @param location required for REVISIONS, optional filter for ANCESTORS
 * @return 0, SNAPDIR_EINVALID_ID or SNAPDIR_ECATALOG
 */
SNAPDIR_EXTERN(int)
snapdir_catalog_query(char **out,
                      const char *db_path,
                      snapdir_catalog_query_kind kind,
                      const char *id,
                      const char *location,
                      SnapdirError **err);

#ifdef __cplusplus
}
#endif

#endif /* SNAPDIR_H */
