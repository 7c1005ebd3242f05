/* SPDX-License-Identifier: MIT */
/*
 * sd_alloc.h - the library's only allocator entry points: one place to add
 * fault injection, and overflow-checked size arithmetic. Failures record an
 * SNAPDIR_EINTERNAL "out of memory" error.
 */
#ifndef SD_ALLOC_H
#define SD_ALLOC_H

#include <stddef.h>

void *sd_malloc(size_t size);
void *sd_calloc(size_t n, size_t size);
void *sd_realloc(void *ptr, size_t size);
void *sd_reallocarray(void *ptr, size_t n, size_t size);
char *sd_strdup(const char *s);
char *sd_strndup(const char *s, size_t n);
void sd_free(void *ptr);

/* Returns non-zero when a * b overflows; *out receives the product. */
static inline int sd_mul_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

static inline int sd_add_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

#endif
