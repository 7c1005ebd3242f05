/* SPDX-License-Identifier: MIT */
/*
 * sd_arena.h - a bump allocator for many small, same-lifetime objects (path
 * strings, tree nodes). Not thread-safe: give each thread its own arena.
 */
#ifndef SD_ARENA_H
#define SD_ARENA_H

#include <stddef.h>

typedef struct sd_arena_block sd_arena_block;

typedef struct {
    sd_arena_block *head;
    size_t block_size;
} sd_arena;

void sd_arena_init(sd_arena *a, size_t block_size);
/* 8-byte aligned memory, or NULL (error recorded). */
void *sd_arena_alloc(sd_arena *a, size_t size);
char *sd_arena_strndup(sd_arena *a, const char *s, size_t n);
/* Move every block of src into dst (src becomes empty). */
void sd_arena_adopt(sd_arena *dst, sd_arena *src);
void sd_arena_dispose(sd_arena *a);

#endif
