/* SPDX-License-Identifier: MIT */
/*
 * sd_set.h - a thread-safe set of 32-byte digests: claim() tells exactly
 * one of several racing threads that it is the first with a digest.
 */
#ifndef SD_SET_H
#define SD_SET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    pthread_mutex_t lock;
    uint8_t (*slots)[32]; /* open addressing; all-zero means empty */
    size_t cap, count;
    int has_zero; /* the all-zero digest, which marks empty slots */
} sd_set;

void sd_set_init(sd_set *s);
void sd_set_dispose(sd_set *s);

/* 1 when digest was absent (now present), 0 when present, <0 on OOM. */
int sd_set_claim(sd_set *s, const uint8_t digest[32]);

#endif
