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
    char *uri;  /* as given, for messages and the catalog */
    char *root; /* filesystem root of local stores, else NULL */
} sd_store;

/* Open a store by URI; unknown schemes are SNAPDIR_EINVALID_STORE. */
int sd_store_open(sd_store **out, const char *uri);
/* A file store at a directory (the cache). */
int sd_store_open_dir(sd_store **out, const char *dir);
void sd_store_close(sd_store *s);

/* Backend constructors (one file each). */
int sd_store_file_new(snapdir_store **out, const char *root);
int sd_store_mem_new(snapdir_store **out);

/* The root directory a file:// URI names ("file:///a/b/" -> "/a/b"). */
char *sd_store_file_root(const char *uri);

/* ".objects/aaa/bbb/ccc/rest" or ".manifests/..." into out (>= 80 bytes). */
void sd_store_object_key(char *out, const char *hex);
void sd_store_manifest_key(char *out, const char *id);
#define SD_KEY_MAX 96

/* 1 when present, 0 when absent, or a negative code. */
int sd_store_has_object(sd_store *s, const char *hex);
int sd_store_has_manifest(sd_store *s, const char *id);

/*
 * Upload the file at src_path as object hex. Its bytes are hashed while
 * they stream; a mismatch (the file changed since it was hashed) fails
 * with SNAPDIR_EINFLUX and nothing becomes visible.
 */
int sd_store_put_object_file(sd_store *s,
                             const char *hex,
                             const char *src_path);

/*
 * Download object hex to dest_path (a temporary sibling, hashed while
 * written, renamed into place only when it matches). A missing object is
 * SNAPDIR_ESTORE "object not found", a mismatch SNAPDIR_EMISMATCH.
 */
int sd_store_get_object_file(sd_store *s,
                             const char *hex,
                             const char *dest_path,
                             unsigned int mode);

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

#endif
