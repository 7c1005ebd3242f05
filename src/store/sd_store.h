/* SPDX-License-Identifier: MIT */
/*
 * sd_store.h - stores as the rest of the library sees them: open by URI,
 * the one key layout (manifest-format.md §7), and verified transfers: every
 * object read is re-hashed before it becomes visible, every object written
 * is hashed on the way and committed only when it matches its address.
 */
#ifndef SD_STORE_H
#define SD_STORE_H

#include "core/sd_manifest.h"
#include "snapdir/sys/store.h"

typedef struct {
    snapdir_store *backend;
    char *uri;             /* as given, for messages and the catalog */
    char *root;            /* filesystem root of local stores, else NULL */
    unsigned int attempts; /* downloads of a body that fails its hash */
    int remote;            /* reached over the network */
    struct sd_presence *presence; /* a listing of .objects/ (remote) */
    unsigned long lookups;        /* has_object calls so far */
    int surveyed;                 /* the listing was tried */
} sd_store;

/*
 * Object presence from one listing of a remote store's .objects/, taken
 * once a push or sync has asked about enough objects that a listing is
 * cheaper than a HEAD each: 1 present, 0 absent, -1 not known (ask).
 */
int sd_presence_lookup(sd_store *s, const char *hex);
void sd_presence_free(struct sd_presence *p);

/* How network stores pace and retry; zeros mean the defaults. */
typedef struct {
    unsigned int max_retries;   /* attempts per request; 0 = 5 */
    unsigned int retry_base_ms; /* 0 = 250 */
    unsigned int retry_max_ms;  /* 0 = 30000 */
    uint64_t max_requests;      /* per second; 0 = the backend's default */
    uint64_t limit_rate; /* bytes per second; 0 = the backend's default */
} sd_store_config;

/* Open a store by URI; unknown schemes are SNAPDIR_EINVALID_STORE. */
int sd_store_open(sd_store **out, const char *uri);
/* The same, with the network knobs (cfg may be NULL). */
int sd_store_open_cfg(sd_store **out,
                      const char *uri,
                      const sd_store_config *cfg);
/* A file store at a directory (the cache). */
int sd_store_open_dir(sd_store **out, const char *dir);
void sd_store_close(sd_store *s);

/* Backend constructors (one file each). */
int sd_store_file_new(snapdir_store **out, const char *root);
int sd_store_mem_new(snapdir_store **out);
/* Network backends; each is EINVALID_STORE when built without it. */
int sd_store_s3_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg);
int sd_store_b2_new(snapdir_store **out,
                    const char *uri,
                    const sd_store_config *cfg);
int sd_store_gcs_new(snapdir_store **out,
                     const char *uri,
                     const sd_store_config *cfg);

/*
 * "scheme://bucket/prefix/" -> bucket and prefix (outer slashes trimmed;
 * "" when none), both owned by the caller. No bucket is EINVALID_STORE.
 */
int sd_store_split_uri(char **bucket, char **prefix, const char *uri);

/* The root directory a file:// URI names ("file:///a/b/" -> "/a/b"). */
char *sd_store_file_root(const char *uri);

/* ".objects/aaa/bbb/ccc/rest" or ".manifests/..." into out (>= 80 bytes). */
void sd_store_object_key(char *out, const char *hex);
void sd_store_manifest_key(char *out, const char *id);
#define SD_KEY_MAX 96

/* 1 when s is a local store that holds no object at all yet (its
 * .objects directory does not exist): then no existence check can
 * succeed, and writers may skip them. */
int sd_store_is_fresh(sd_store *s);

/* 1 when present, 0 when absent, or a negative code. */
int sd_store_has_object(sd_store *s, const char *hex);
int sd_store_has_manifest(sd_store *s, const char *id);

/*
 * Upload the file at src_path as object hex. Its bytes are hashed while
 * they stream; a mismatch fails and nothing becomes visible: with
 * SNAPDIR_EINFLUX for a user's file (it changed since it was hashed), with
 * SNAPDIR_EMISMATCH when src_is_object (a damaged stored object).
 */
int sd_store_put_object_file(sd_store *s,
                             const char *hex,
                             const char *src_path,
                             int src_is_object);

/*
 * Copy the file at src_path into a local store as object hex without
 * reading it in user space (a reflink where the filesystem can, else
 * copy_file_range), trusting the hash taken when the file had identity
 * guard: the file must still have that inode, size, mtime and ctime before
 * and after the copy, or nothing is stored (SNAPDIR_EINFLUX). Returns
 * SD_EPASSTHROUGH when this fast path does not apply (a remote store, no
 * guard, another filesystem): the caller then streams and hashes.
 */
int sd_store_put_object_guarded(sd_store *s,
                                const char *hex,
                                const char *src_path,
                                const sd_guard *guard,
                                uint64_t size);

/* Upload bytes already in memory as object hex (verified first). */
int sd_store_put_object_mem(sd_store *s,
                            const char *hex,
                            const void *data,
                            size_t len);

/*
 * Download object hex to dest_path (a temporary sibling, hashed while
 * written, renamed into place only when it matches). A missing object is
 * SNAPDIR_ESTORE "object not found", a mismatch SNAPDIR_EMISMATCH.
 */
int sd_store_get_object_file(sd_store *s,
                             const char *hex,
                             const char *dest_path,
                             unsigned int mode);

/*
 * Verify object hex in src, then hard-link it into dst when both are local
 * directories on one filesystem (objects are immutable: every writer
 * renames a new file into place). SD_EPASSTHROUGH when a link is not
 * possible, so the caller copies instead.
 */
int sd_store_link_object(sd_store *src, sd_store *dst, const char *hex);

/* Hash object hex in place without keeping it (verify). */
int sd_store_check_object(sd_store *s, const char *hex);

/* Read and verify a manifest: parse, re-render, hash, compare to id. */
int sd_store_get_manifest(sd_store *s, const char *id, snapdir_manifest **out);
/* Write a manifest under its id (render + "\n" per line). */
int sd_store_put_manifest(sd_store *s, const snapdir_manifest *m);
int sd_store_remove_manifest(sd_store *s, const char *id);

/* Every manifest id in the store (64-hex names only). A file store whose
 * root does not exist is an error, never an empty store. */
int sd_store_list_manifests(sd_store *s,
                            int (*cb)(const char *id, void *p),
                            void *payload);

/* The same, but a store location that does not exist lists as empty (a
 * destination that a copy would create). */
int sd_store_list_manifests_or_none(sd_store *s,
                                    int (*cb)(const char *id, void *p),
                                    void *payload);

#endif
