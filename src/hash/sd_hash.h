/* SPDX-License-Identifier: MIT */
/*
 * sd_hash.h - one small hashing interface over upstream BLAKE3 (plain and
 * derive-key mode) and libcrypto's MD5 and SHA-256.
 */
#ifndef SD_HASH_H
#define SD_HASH_H

#include "snapdir.h"

#include <blake3.h>
#include <stddef.h>
#include <stdint.h>

#define SD_HASH_MAX_LEN 32

/* What to hash with; prepare once, use from many threads. */
typedef struct {
    snapdir_hash_kind kind;
    int keyed;                 /* BLAKE3 derive-key mode */
    blake3_hasher b3_template; /* initialised hasher to copy per use */
} sd_hash_spec;

typedef struct {
    const sd_hash_spec *spec;
    blake3_hasher b3;
    void *evp; /* EVP_MD_CTX for MD5 / SHA-256 */
} sd_hasher;

/* Run BLAKE3's one-time CPU detection; call before starting threads. */
void sd_hash_warm_up(void);

/* context: NULL or "" for plain BLAKE3; ignored for MD5/SHA-256. */
void sd_hash_spec_init(sd_hash_spec *spec,
                       snapdir_hash_kind kind,
                       const char *context);

/* Digest length in bytes: 32 (BLAKE3, SHA-256) or 16 (MD5). */
size_t sd_hash_len(snapdir_hash_kind kind);

int sd_hasher_init(sd_hasher *h, const sd_hash_spec *spec);
void sd_hasher_update(sd_hasher *h, const void *data, size_t len);
/* Writes sd_hash_len bytes and releases the hasher. */
void sd_hasher_final(sd_hasher *h, uint8_t *out);
/* Release without a digest (error paths). */
void sd_hasher_dispose(sd_hasher *h);

/* One-shot hashing of a buffer. */
int sd_hash_buffer(uint8_t *out,
                   const sd_hash_spec *spec,
                   const void *data,
                   size_t len);

/* Plain BLAKE3 of a buffer as 64 hex chars + NUL (the snapshot id). */
void sd_blake3_hex(char out[65], const void *data, size_t len);

/* Per-thread scratch for sd_hash_fd (a read buffer). */
typedef struct {
    uint8_t *buf;
    size_t len;
    int whole; /* after sd_hash_fd: the whole file is in buf (one read) */
} sd_hash_scratch;

int sd_hash_scratch_init(sd_hash_scratch *s);
void sd_hash_scratch_dispose(sd_hash_scratch *s);

/*
 * Hash everything in the open regular file fd, whose fstat size is
 * `size`. Big files are mapped; a file that is truncated, grows or is
 * rewritten meanwhile fails with SNAPDIR_EINFLUX naming `path`. I/O errors
 * are SNAPDIR_EIO. `cancel` (may be NULL) is polled between big blocks.
 */
int sd_hash_fd(uint8_t *out,
               const sd_hash_spec *spec,
               int fd,
               uint64_t size,
               const char *path,
               sd_hash_scratch *scratch,
               volatile int *cancel);

/* Hash the file at path (opens it); convenience for stores. */
int sd_hash_path(uint8_t *out,
                 uint64_t *size_out,
                 const sd_hash_spec *spec,
                 const char *path,
                 volatile int *cancel);

#endif
