/* SPDX-License-Identifier: MIT */
/* sd_alloc.c - allocation wrappers; see sd_alloc.h. */
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdlib.h>
#include <string.h>

static void *oom(size_t size)
{
    sd_error_set(SNAPDIR_EINTERNAL, "out of memory allocating %zu bytes", size);
    return NULL;
}

void *sd_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    return p ? p : oom(size);
}

void *sd_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    return p ? p : oom(n * size);
}

void *sd_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    return p ? p : oom(size);
}

void *sd_reallocarray(void *ptr, size_t n, size_t size)
{
    size_t total;

    if (sd_mul_overflow(n, size, &total)) {
        return oom(SIZE_MAX);
    }
    return sd_realloc(ptr, total);
}

char *sd_strndup(const char *s, size_t n)
{
    char *p = sd_malloc(n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *sd_strdup(const char *s)
{
    return sd_strndup(s, strlen(s));
}

void sd_free(void *ptr)
{
    free(ptr);
}
