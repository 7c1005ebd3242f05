/* SPDX-License-Identifier: MIT */
/*
 * store_mem.c - an in-memory backend (mem://), for tests of the store
 * layer and as the smallest complete example of a backend. Not shared
 * between opens: each open starts empty.
 */
#include "store/sd_store.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <pthread.h>
#include <string.h>

typedef struct {
    char *key;
    sd_buf data;
} mem_object;

typedef struct {
    snapdir_store parent;
    pthread_mutex_t lock;
    mem_object *objects;
    size_t count, cap;
} mem_store;

static mem_object *find(mem_store *m, const char *key)
{
    size_t i;

    for (i = 0; i < m->count; i++) {
        if (strcmp(m->objects[i].key, key) == 0) {
            return &m->objects[i];
        }
    }
    return NULL;
}

static int mem_exists(snapdir_store *s, const char *key)
{
    mem_store *m = (mem_store *)s;
    int rc;

    pthread_mutex_lock(&m->lock);
    rc = find(m, key) != NULL;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mem_get(snapdir_store *s, const char *key, snapdir_store_writer *w)
{
    mem_store *m = (mem_store *)s;
    sd_buf copy = SD_BUF_INIT;
    mem_object *o;
    int error;

    pthread_mutex_lock(&m->lock);
    o = find(m, key);
    error = o ? sd_buf_put(&copy, o->data.ptr, o->data.len)
              : SNAPDIR_STORE_ENOTFOUND;
    pthread_mutex_unlock(&m->lock);
    if (error == 0) {
        error = w->write(w, copy.ptr, copy.len);
    }
    sd_buf_dispose(&copy);
    return error;
}

static int mem_put(snapdir_store *s, const char *key, snapdir_store_reader *r)
{
    mem_store *m = (mem_store *)s;
    sd_buf data = SD_BUF_INIT;
    char buf[65536];
    mem_object *o;
    int error = 0;

    for (;;) {
        int64_t n = r->read(r, buf, sizeof(buf));

        if (n <= 0) {
            error = (int)n;
            break;
        }
        if ((error = sd_buf_put(&data, buf, (size_t)n)) < 0) {
            break;
        }
    }
    if (error < 0) {
        sd_buf_dispose(&data);
        return error; /* nothing becomes visible */
    }
    pthread_mutex_lock(&m->lock);
    if ((o = find(m, key)) != NULL) {
        sd_buf_dispose(&o->data);
        o->data = data;
    } else if (m->count == m->cap &&
               !(m->objects = sd_reallocarray(m->objects,
                                              m->cap = m->cap ? m->cap * 2 : 16,
                                              sizeof(mem_object)))) {
        error = SNAPDIR_EINTERNAL;
    } else if (!(m->objects[m->count].key = sd_strdup(key))) {
        error = SNAPDIR_EINTERNAL;
    } else {
        m->objects[m->count++].data = data;
    }
    pthread_mutex_unlock(&m->lock);
    if (error < 0) {
        sd_buf_dispose(&data);
    }
    return error;
}

static int mem_list(snapdir_store *s,
                    const char *prefix,
                    snapdir_store_list_cb cb,
                    void *payload)
{
    mem_store *m = (mem_store *)s;
    size_t i, n = strlen(prefix);
    int stop = 0;

    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->count && !stop; i++) {
        if (strncmp(m->objects[i].key, prefix, n) == 0) {
            stop = cb(m->objects[i].key, payload);
        }
    }
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int mem_remove(snapdir_store *s, const char *key)
{
    mem_store *m = (mem_store *)s;
    mem_object *o;

    pthread_mutex_lock(&m->lock);
    if ((o = find(m, key)) != NULL) {
        sd_free(o->key);
        sd_buf_dispose(&o->data);
        *o = m->objects[--m->count];
    }
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static void mem_free(snapdir_store *s)
{
    mem_store *m = (mem_store *)s;
    size_t i;

    for (i = 0; i < m->count; i++) {
        sd_free(m->objects[i].key);
        sd_buf_dispose(&m->objects[i].data);
    }
    sd_free(m->objects);
    pthread_mutex_destroy(&m->lock);
    sd_free(m);
}

int sd_store_mem_new(snapdir_store **out)
{
    mem_store *m = sd_calloc(1, sizeof(*m));

    *out = NULL;
    if (!m) {
        return SNAPDIR_EINTERNAL;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->parent.version = SNAPDIR_STORE_VERSION;
    m->parent.scheme = "mem";
    m->parent.supports = SNAPDIR_STORE_SUPPORTS_REMOVE;
    m->parent.get = mem_get;
    m->parent.put = mem_put;
    m->parent.exists = mem_exists;
    m->parent.list = mem_list;
    m->parent.remove = mem_remove;
    m->parent.free = mem_free;
    *out = &m->parent;
    return 0;
}
