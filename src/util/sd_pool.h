/* SPDX-License-Identifier: MIT */
/*
 * sd_pool.h - a per-operation worker pool over a LIFO work stack. Workers may
 * push more work while running (the directory walk does). The first failing
 * item stops the pool; its error is restored on the waiting thread.
 */
#ifndef SD_POOL_H
#define SD_POOL_H

#include <stddef.h>

typedef struct sd_pool sd_pool;

/* Process one item; return 0 or a negative code (with sd_error_set). */
typedef int (*sd_pool_fn)(sd_pool *pool, void *item, void *ctx);

/* Called on the waiting thread every interval; non-zero cancels. */
typedef int (*sd_pool_tick_fn)(void *payload);

/* Worker count for "auto" (0): the CPU count clamped to [1, 16]. */
unsigned int sd_pool_auto_jobs(unsigned int requested);

int sd_pool_new(sd_pool **out,
                unsigned int nthreads,
                sd_pool_fn fn,
                void *ctx,
                volatile int *cancel);

/* Thread-safe. Fails only when out of memory. */
int sd_pool_push(sd_pool *pool, void *item);

/* Non-zero once an item failed or the operation was cancelled. */
int sd_pool_stopping(const sd_pool *pool);

/*
 * Wait until the stack is empty and no item runs, then join the workers.
 * Returns 0 or the first failure (its error restored on this thread).
 */
int sd_pool_wait(sd_pool *pool, sd_pool_tick_fn tick, void *payload);

void sd_pool_free(sd_pool *pool);

/* Run fn over n items on nthreads workers (a convenience for fixed lists). */
int sd_pool_run(void **items,
                size_t n,
                unsigned int nthreads,
                sd_pool_fn fn,
                void *ctx,
                volatile int *cancel,
                sd_pool_tick_fn tick,
                void *payload);

#endif
