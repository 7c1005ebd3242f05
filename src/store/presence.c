/* SPDX-License-Identifier: MIT */
/*
 * presence.c - which objects a remote store holds, from one listing of
 * its .objects/ (see sd_store.h). A push of many objects would otherwise
 * pay a HEAD per object; a listing page answers a thousand at once. The
 * listing is bounded: keys sort like their hex, so a listing cut short
 * still answers for every object up to the last key it saw. Objects are
 * never deleted by snapdir, so a "present" stays true; a stale "absent"
 * costs one idempotent upload. Workers asking while the listing runs
 * wait for it rather than spend the HEADs it is there to save.
 */
#include "store/sd_store.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_str.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SURVEY_AFTER 64    /* lookups before a listing pays off */
#define SURVEY_MAX   20000 /* keys listed at most (about 20 pages) */

struct sd_presence {
    char (*hex)[65];
    size_t n, cap;
    char upto[65]; /* the last hex listed when cut short, "" when whole */
    int complete;
};

void sd_presence_free(struct sd_presence *p)
{
    if (p) {
        sd_free(p->hex);
        sd_free(p);
    }
}

/* ".objects/aaa/bbb/ccc/rest" -> the hex, when the parts are 64 hex */
static int collect(const char *key, void *payload)
{
    struct sd_presence *p = payload;
    const char *k = key + strlen(".objects/");
    char hex[65];
    size_t o = 0;

    if (strncmp(key, ".objects/", 9) != 0) {
        return 0;
    }
    for (; *k && o < 64; k++) {
        if (*k != '/') {
            hex[o++] = *k;
        }
    }
    hex[o] = '\0';
    if (o != 64 || *k || !sd_is_lower_hex(hex, 64)) {
        return 0; /* temporary uploads and strays are not objects */
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        char(*grown)[65] = sd_reallocarray(p->hex, cap, sizeof(*p->hex));

        if (!grown) {
            return -1;
        }
        p->hex = grown;
        p->cap = cap;
    }
    memcpy(p->hex[p->n++], hex, 65);
    if (p->n >= SURVEY_MAX) {
        memcpy(p->upto, hex, 65);
        return 1; /* enough: answer up to here */
    }
    return 0;
}

static int by_hex(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

static struct sd_presence *survey(sd_store *s)
{
    struct sd_presence *p = sd_calloc(1, sizeof(*p));
    sd_error saved;
    int rc;

    if (!p) {
        sd_error_clear();
        return NULL;
    }
    sd_error_save(&saved);
    rc = s->backend->list(s->backend, ".objects/", collect, p);
    sd_error_restore(&saved); /* a failed listing just means HEADs */
    if (rc != 0 || (p->n >= SURVEY_MAX && !p->upto[0])) {
        sd_presence_free(p);
        return NULL;
    }
    p->complete = p->upto[0] == '\0';
    if (p->n > 1) {
        qsort(p->hex, p->n, sizeof(*p->hex), by_hex);
        if (!p->complete) {
            memcpy(p->upto, p->hex[p->n - 1], 65);
        }
    }
    return p;
}

static int answer(const struct sd_presence *p, const char *hex)
{
    if (bsearch(hex, p->hex, p->n, sizeof(*p->hex), by_hex)) {
        return 1;
    }
    return p->complete || memcmp(hex, p->upto, 64) <= 0 ? 0 : -1;
}

/* One survey per store; workers that ask meanwhile wait for it. */
static pthread_mutex_t survey_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t survey_done = PTHREAD_COND_INITIALIZER;

int sd_presence_lookup(sd_store *s, const char *hex)
{
    struct sd_presence *p = __atomic_load_n(&s->presence, __ATOMIC_ACQUIRE);
    unsigned long n;

    if (p) {
        return answer(p, hex);
    }
    n = __atomic_add_fetch(&s->lookups, 1, __ATOMIC_RELAXED);
    if (n < SURVEY_AFTER) {
        return -1;
    }
    pthread_mutex_lock(&survey_lock);
    if (n == SURVEY_AFTER) {
        pthread_mutex_unlock(&survey_lock);
        p = survey(s);
        pthread_mutex_lock(&survey_lock);
        __atomic_store_n(&s->presence, p, __ATOMIC_RELEASE);
        s->surveyed = 1;
        pthread_cond_broadcast(&survey_done);
    }
    while (!s->surveyed) {
        pthread_cond_wait(&survey_done, &survey_lock);
    }
    pthread_mutex_unlock(&survey_lock);
    p = __atomic_load_n(&s->presence, __ATOMIC_ACQUIRE);
    return p ? answer(p, hex) : -1;
}
