/* SPDX-License-Identifier: MIT */
/* sd_arena.c - bump allocation in chained blocks; see sd_arena.h. */
#include "util/sd_arena.h"
#include "util/sd_alloc.h"

#include <string.h>

struct sd_arena_block {
    sd_arena_block *next;
    size_t used;
    size_t cap;
    /* data follows, 8-byte aligned because the header is 24 bytes */
};

void sd_arena_init(sd_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

void *sd_arena_alloc(sd_arena *a, size_t size)
{
    sd_arena_block *b = a->head;
    size_t cap;
    char *p;

    size = (size + 7) & ~(size_t)7;
    if (!b || b->cap - b->used < size) {
        cap = size > a->block_size ? size : a->block_size;
        b = sd_malloc(sizeof(*b) + cap);
        if (!b) {
            return NULL;
        }
        b->used = 0;
        b->cap = cap;
        if (a->head && size > a->block_size) {
            /* keep filling the current block; park the big one behind it */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = (char *)(b + 1) + b->used;
    b->used += size;
    return p;
}

char *sd_arena_strndup(sd_arena *a, const char *s, size_t n)
{
    char *p = sd_arena_alloc(a, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void sd_arena_adopt(sd_arena *dst, sd_arena *src)
{
    sd_arena_block *tail = src->head;

    if (!tail) {
        return;
    }
    while (tail->next) {
        tail = tail->next;
    }
    /* src's head stays the allocation head so dst keeps filling it */
    tail->next = dst->head;
    dst->head = src->head;
    src->head = NULL;
}

void sd_arena_dispose(sd_arena *a)
{
    sd_arena_block *b = a->head;

    while (b) {
        sd_arena_block *next = b->next;

        sd_free(b);
        b = next;
    }
    a->head = NULL;
}
