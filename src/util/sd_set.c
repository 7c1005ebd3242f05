/* SPDX-License-Identifier: MIT */
/* sd_set.c - a mutex-guarded open-addressing set of digests; see sd_set.h. */
#include "util/sd_set.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <string.h>

static const uint8_t zero[32];

void sd_set_init(sd_set *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
}

void sd_set_dispose(sd_set *s)
{
    sd_free(s->slots);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof(*s));
}

/* Digests are uniformly random: their first bytes are a fine hash. */
static size_t slot_of(const uint8_t *d, size_t cap)
{
    uint64_t h;

    memcpy(&h, d, sizeof(h));
    return (size_t)(h & (cap - 1));
}

static int insert(uint8_t (*slots)[32], size_t cap, const uint8_t *d)
{
    size_t i = slot_of(d, cap);

    while (memcmp(slots[i], zero, 32) != 0) {
        if (memcmp(slots[i], d, 32) == 0) {
            return 0;
        }
        i = (i + 1) & (cap - 1);
    }
    memcpy(slots[i], d, 32);
    return 1;
}

static int grow(sd_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024, i;
    uint8_t(*slots)[32] = sd_calloc(cap, 32);

    if (!slots) {
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < s->cap; i++) {
        if (memcmp(s->slots[i], zero, 32) != 0) {
            insert(slots, cap, s->slots[i]);
        }
    }
    sd_free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

int sd_set_claim(sd_set *s, const uint8_t digest[32])
{
    int rc = 0;

    pthread_mutex_lock(&s->lock);
    if (memcmp(digest, zero, 32) == 0) {
        rc = !s->has_zero;
        s->has_zero = 1;
    } else if (2 * (s->count + 1) > s->cap && (rc = grow(s)) < 0) {
        /* out of memory: rc carries the error */
    } else if ((rc = insert(s->slots, s->cap, digest)) == 1) {
        s->count++;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
