/* SPDX-License-Identifier: MIT */
/*
 * snapdir/sys/store.h - the store vtable, for backend authors only.
 *
 * A backend moves opaque keys ("<prefix-free relative path>") as streams;
 * the key layout, hashing and verification live above it, in one place,
 * so every backend agrees on them. Backends return 0 or a negative code;
 * a missing key is SNAPDIR_STORE_ENOTFOUND, without an error message.
 */
#ifndef SNAPDIR_SYS_STORE_H
#define SNAPDIR_SYS_STORE_H

#include "snapdir.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SNAPDIR_STORE_VERSION 1

/** A backend's "no such key" (not an error to report by itself). */
#define SNAPDIR_STORE_ENOTFOUND (-100)

/** Capability bits of snapdir_store.supports. */
#define SNAPDIR_STORE_SUPPORTS_REMOVE     0x1u /* remove() works */
#define SNAPDIR_STORE_SUPPORTS_LOCAL_PATH 0x2u /* local_path() works */

/** Where get() writes an object's bytes. */
typedef struct snapdir_store_writer {
    /** Consume len bytes; return 0 or a negative code to stop the get. */
    int (*write)(struct snapdir_store_writer *w, const void *data, size_t len);
    /** Called before a retried download starts over; may be NULL. */
    int (*reset)(struct snapdir_store_writer *w);
} snapdir_store_writer;

/**
 * Where put() reads an object's bytes from. read() returns the number of
 * bytes produced (0 at the end) or a negative code; it returns the last
 * bytes only once they are verified, so a backend that stops at an error
 * never makes unverified bytes visible.
 */
typedef struct snapdir_store_reader {
    int64_t (*read)(struct snapdir_store_reader *r, void *buf, size_t len);
    /** Start over from the first byte (for retries); may be NULL. */
    int (*rewind)(struct snapdir_store_reader *r);
    uint64_t size; /* total bytes */
} snapdir_store_reader;

/** Called by list() for each key under the prefix. Non-zero stops. */
typedef int (*snapdir_store_list_cb)(const char *key, void *payload);

typedef struct snapdir_store snapdir_store;

struct snapdir_store {
    unsigned int version; /* SNAPDIR_STORE_VERSION */
    const char *scheme;   /* "file", "s3", ... */
    unsigned int supports;

    /** Stream the object at key into w. */
    int (*get)(snapdir_store *s, const char *key, snapdir_store_writer *w);
    /** Store r's bytes under key, atomically: all or nothing. */
    int (*put)(snapdir_store *s, const char *key, snapdir_store_reader *r);
    /** 1 when key exists, 0 when not, or a negative code. */
    int (*exists)(snapdir_store *s, const char *key);
    /** Every key starting with prefix (a directory-like "x/y/"). */
    int (*list)(snapdir_store *s,
                const char *prefix,
                snapdir_store_list_cb cb,
                void *payload);
    /** Remove key; absent is success. Optional (NULL). */
    int (*remove)(snapdir_store *s, const char *key);
    /** The filesystem path of key, owned by the caller. Optional. */
    int (*local_path)(snapdir_store *s, const char *key, char **out);
    /** Release the backend. Required. */
    void (*free)(snapdir_store *s);
};

#ifdef __cplusplus
}
#endif

#endif /* SNAPDIR_SYS_STORE_H */
