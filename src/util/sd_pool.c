/* SPDX-License-Identifier: MIT */
/*
 * sd_pool.c - workers pull from a shared LIFO stack (depth-first order keeps
 * the walk's open descriptors and memory bounded). See sd_pool.h.
 */
#include "util/sd_pool.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct sd_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* items pushed or stopping */
    pthread_cond_t idle; /* everything finished */
    void **stack;
    size_t len, cap;
    unsigned int running; /* items being processed */
    unsigned int nthreads;
    int failed; /* first error code, 0 if none */
    int quit;
    sd_error first_error;
    volatile int *cancel;
    sd_pool_fn fn;
    void *ctx;
    pthread_t *threads;
    unsigned int started;
};

unsigned int sd_pool_auto_jobs(unsigned int requested)
{
    long n;

    if (requested > 0) {
        return requested;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) {
        n = 1;
    }
    return n > 16 ? 16 : (unsigned int)n;
}

static int cancelled(const sd_pool *p)
{
    return p->cancel && __atomic_load_n(p->cancel, __ATOMIC_RELAXED);
}

static void fail_locked(sd_pool *p, int code)
{
    if (!p->failed) {
        p->failed = code;
        sd_error_save(&p->first_error);
    }
    pthread_cond_broadcast(&p->work);
}

static void *worker(void *arg)
{
    sd_pool *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        void *item;
        int error;

        while (p->len == 0 && !p->quit && !p->failed) {
            pthread_cond_wait(&p->work, &p->lock);
        }
        if (p->failed || (p->quit && p->len == 0)) {
            break;
        }
        item = p->stack[--p->len];
        p->running++;
        pthread_mutex_unlock(&p->lock);

        if (cancelled(p)) {
            error = sd_error_set(SNAPDIR_ECANCELLED, "operation cancelled");
        } else {
            error = p->fn(p, item, p->ctx);
        }

        pthread_mutex_lock(&p->lock);
        p->running--;
        if (error < 0) {
            fail_locked(p, error);
        }
        if (p->running == 0 && (p->len == 0 || p->failed)) {
            pthread_cond_broadcast(&p->idle);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int sd_pool_new(sd_pool **out,
                unsigned int nthreads,
                sd_pool_fn fn,
                void *ctx,
                volatile int *cancel)
{
    sd_pool *p;
    unsigned int i;

    *out = NULL;
    p = sd_calloc(1, sizeof(*p));
    if (!p) {
        return SNAPDIR_EINTERNAL;
    }
    nthreads = sd_pool_auto_jobs(nthreads);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->fn = fn;
    p->ctx = ctx;
    p->cancel = cancel;
    p->nthreads = nthreads;
    p->threads = sd_calloc(nthreads, sizeof(pthread_t));
    if (!p->threads) {
        sd_pool_free(p);
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            break;
        }
        p->started++;
    }
    if (p->started == 0) {
        sd_pool_free(p);
        return sd_error_set(SNAPDIR_EINTERNAL, "cannot start worker threads");
    }
    *out = p;
    return 0;
}

int sd_pool_push(sd_pool *p, void *item)
{
    int error = 0;

    pthread_mutex_lock(&p->lock);
    if (p->len == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        void **s = sd_reallocarray(p->stack, cap, sizeof(void *));

        if (!s) {
            error = SNAPDIR_EINTERNAL;
            fail_locked(p, error);
            goto cleanup;
        }
        p->stack = s;
        p->cap = cap;
    }
    p->stack[p->len++] = item;
    pthread_cond_signal(&p->work);
cleanup:
    pthread_mutex_unlock(&p->lock);
    return error;
}

int sd_pool_stopping(const sd_pool *p)
{
    return __atomic_load_n(&p->failed, __ATOMIC_RELAXED) != 0 || cancelled(p);
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

int sd_pool_wait(sd_pool *p, sd_pool_tick_fn tick, void *payload)
{
    int error;
    unsigned int i;

    pthread_mutex_lock(&p->lock);
    while (!((p->len == 0 || p->failed) && p->running == 0)) {
        struct timespec ts;

        deadline_in(&ts, 100);
        pthread_cond_timedwait(&p->idle, &p->lock, &ts);
        if (cancelled(p) && !p->failed) {
            sd_error_set(SNAPDIR_ECANCELLED, "operation cancelled");
            fail_locked(p, SNAPDIR_ECANCELLED);
        }
        if (tick && !p->failed) {
            int stop;

            pthread_mutex_unlock(&p->lock);
            stop = tick(payload);
            pthread_mutex_lock(&p->lock);
            if (stop && !p->failed) {
                sd_error_set(SNAPDIR_ECANCELLED, "operation cancelled");
                fail_locked(p, SNAPDIR_ECANCELLED);
            }
        }
    }
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    error = p->failed;
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < p->started; i++) {
        pthread_join(p->threads[i], NULL);
    }
    p->started = 0;
    if (error) {
        sd_error_restore(&p->first_error);
    }
    return error;
}

void sd_pool_free(sd_pool *p)
{
    unsigned int i;

    if (!p) {
        return;
    }
    if (p->started) {
        pthread_mutex_lock(&p->lock);
        p->quit = 1;
        if (!p->failed) {
            p->failed = SNAPDIR_ECANCELLED;
        }
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->lock);
        for (i = 0; i < p->started; i++) {
            pthread_join(p->threads[i], NULL);
        }
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    sd_free(p->threads);
    sd_free(p->stack);
    sd_free(p);
}

int sd_pool_run(void **items,
                size_t n,
                unsigned int nthreads,
                sd_pool_fn fn,
                void *ctx,
                volatile int *cancel,
                sd_pool_tick_fn tick,
                void *payload)
{
    sd_pool *p = NULL;
    size_t i;
    int error;

    if (n == 0) {
        return 0;
    }
    if (nthreads > n) {
        nthreads = (unsigned int)n;
    }
    if ((error = sd_pool_new(&p, nthreads, fn, ctx, cancel)) < 0) {
        return error;
    }
    /* push in reverse so the LIFO stack runs items in their given order */
    for (i = n; i > 0; i--) {
        if ((error = sd_pool_push(p, items[i - 1])) < 0) {
            break;
        }
    }
    error = sd_pool_wait(p, tick, payload);
    sd_pool_free(p);
    return error;
}
