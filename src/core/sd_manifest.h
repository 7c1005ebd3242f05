/* SPDX-License-Identifier: MIT */
/*
 * sd_manifest.h - the in-memory manifest: entries sorted by path bytes, each
 * with its checksum as lowercase hex. Paths live in the manifest's arena.
 */
#ifndef SD_MANIFEST_H
#define SD_MANIFEST_H

#include "snapdir.h"
#include "util/sd_arena.h"
#include "util/sd_str.h"

#include <stdint.h>

#define SD_HEX_MAX 64

/* File identity at walk time (lets a copy skip re-reading the source). */
typedef struct {
    uint64_t ino;
    int64_t mtime_ns;
    int64_t ctime_ns;
} sd_guard;

typedef struct {
    const char *path;
    uint32_t path_len;
    uint32_t mode;
    uint64_t size;
    char type;      /* 'F' or 'D' */
    uint8_t stored; /* the walk already stored its object */
    char checksum[SD_HEX_MAX + 1];
    uint32_t line;  /* source line when parsed, for messages */
    sd_guard guard; /* zero unless built by a walk of a real file */
} sd_entry;

struct snapdir_manifest {
    sd_entry *entries;
    size_t count;
    size_t cap;
    snapdir_hash_kind hash;
    size_t hex_len; /* 64 or 32 */
    int absolute;
    sd_arena arena;
};

int sd_manifest_new(snapdir_manifest **out, snapdir_hash_kind hash);
/* Append an entry; path is copied into the arena. */
int sd_manifest_push(snapdir_manifest *m,
                     char type,
                     uint32_t mode,
                     const char *checksum,
                     uint64_t size,
                     const char *path,
                     size_t path_len,
                     sd_entry **added);
void sd_manifest_free(snapdir_manifest *m);

/* Strict parser: every error names the line; see manifest-format.md. */
int sd_manifest_parse(snapdir_manifest **out, const char *text, size_t len);

/* Every line followed by "\n". */
int sd_manifest_render(sd_buf *out, const snapdir_manifest *m);

/* BLAKE3 of the rendering, as 64 hex chars + NUL (no full copy kept). */
void sd_manifest_id(char out[65], const snapdir_manifest *m);

/* Binary search by path; NULL when absent. */
const sd_entry *
sd_manifest_find(const snapdir_manifest *m, const char *path, size_t path_len);

/* Byte order of two paths (the manifest's sort order). */
int sd_path_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
