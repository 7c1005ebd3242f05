/* SPDX-License-Identifier: MIT */
/*
 * ops_checkout.c - materialise a cached snapshot into a directory.
 *
 * The manifest is untrusted: it must describe a tree (every entry's parent
 * is a directory entry; no "..", no absolute paths, which the parser
 * already refuses) and no directory it names may be a symbolic link in the
 * destination, so nothing is ever written outside it. Files are copied
 * from verified objects into temporary siblings and renamed into place
 * with their modes; directory modes are applied last, deepest first.
 */
#include "ops/sd_ops.h"
#include "core/sd_excludes.h"
#include "hash/sd_hash.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"
#include "util/sd_pool.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    sd_store *cache;
    const char *dest;
    const sd_ops_checkout_options *co;
    sd_ops_meter meter;
    uint64_t written; /* atomic */
    int fresh;        /* dest was absent or empty: nothing to compare */
} co_ctx;

/* dest + "/" + the entry path without "./" (and without a trailing '/'). */
static char *dest_path(const char *dest, const sd_entry *e)
{
    size_t dl = strlen(dest), pl = e->path_len - 2;
    char *p;

    if (pl > 0 && e->path[e->path_len - 1] == '/') {
        pl--;
    }
    p = sd_malloc(dl + pl + 2);
    if (!p) {
        return NULL;
    }
    memcpy(p, dest, dl);
    if (pl == 0) {
        p[dl] = '\0';
        return p;
    }
    p[dl] = '/';
    memcpy(p + dl + 1, e->path + 2, pl);
    p[dl + 1 + pl] = '\0';
    return p;
}

static int refuse(const char *id, const char *why, const char *path)
{
    return sd_error_set(SNAPDIR_EIO, "refusing to check out %s: %s: %s", id,
                        why, path);
}

/* The manifest must be a relative tree rooted at "./". */
static int validate_tree(const snapdir_manifest *m, const char *id)
{
    size_t i;

    if (m->absolute) {
        return refuse(id, "the manifest has absolute paths",
                      m->entries[0].path);
    }
    if (m->count == 0 || strcmp(m->entries[0].path, "./") != 0 ||
        m->entries[0].type != 'D') {
        return refuse(id, "the manifest has no root entry", "./");
    }
    for (i = 1; i < m->count; i++) {
        const sd_entry *e = &m->entries[i];
        size_t end = e->path_len - (e->type == 'D' ? 1 : 0);
        const sd_entry *parent;

        while (end > 0 && e->path[end - 1] != '/') {
            end--;
        }
        parent = sd_manifest_find(m, e->path, end);
        if (!parent || parent->type != 'D') {
            return refuse(id,
                          "an entry's parent directory is not in the "
                          "manifest",
                          e->path);
        }
    }
    return 0;
}

/* No directory of the snapshot may be a symbolic link in dest. */
static int
validate_dest(const snapdir_manifest *m, const char *id, const char *dest)
{
    size_t i;
    int error = 0;

    for (i = 1; i < m->count && error == 0; i++) {
        struct stat st;
        char *p;

        if (m->entries[i].type != 'D') {
            continue;
        }
        if (!(p = dest_path(dest, &m->entries[i]))) {
            return SNAPDIR_EINTERNAL;
        }
        if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
            error = refuse(id,
                           "the destination has a symbolic link where the "
                           "snapshot has a directory",
                           p);
        }
        sd_free(p);
    }
    return error;
}

static int preflight(sd_store *cache, const snapdir_manifest *m, const char *id)
{
    size_t i, missing = 0;
    const sd_entry *first = NULL;

    for (i = 0; i < m->count; i++) {
        const sd_entry *e = &m->entries[i];
        int rc;

        if (e->type != 'F') {
            continue;
        }
        if ((rc = sd_store_has_object(cache, e->checksum)) < 0) {
            return rc;
        }
        if (rc == 0) {
            missing++;
            first = first ? first : e;
        }
    }
    if (missing) {
        return sd_error_set(SNAPDIR_ESTORE,
                            "cannot check out %s: object %s for %s is missing "
                            "from the cache (%zu object(s) absent); re-run "
                            "`fetch`/`pull` to restore it",
                            id, first->checksum, first->path, missing);
    }
    return 0;
}

/* A regular file at path whose content hashes to hex? */
static int same_content(const char *path, const char *hex)
{
    sd_hash_spec spec;
    uint8_t digest[32];
    char got[65];

    sd_hash_spec_init(&spec, SNAPDIR_HASH_BLAKE3, NULL);
    if (sd_hash_path(digest, NULL, &spec, path, NULL) < 0) {
        sd_error_clear();
        return 0;
    }
    sd_hex_encode(got, digest, sizeof(digest));
    return memcmp(got, hex, 64) == 0;
}

/* 1 when dest already holds this file exactly (mode fixed if needed). */
static int
up_to_date(const char *path, const sd_entry *e, int linked, int dryrun)
{
    struct stat st;

    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || linked) {
        return 0;
    }
    if (!same_content(path, e->checksum)) {
        return 0;
    }
    if ((st.st_mode & 07777) != e->mode && !dryrun) {
        chmod(path, e->mode);
    }
    return 1;
}

static int link_object(co_ctx *c, const sd_entry *e, const char *path)
{
    char key[SD_KEY_MAX], *target = NULL, *tmp = NULL;
    int error;

    /* a link must never point at an unverified object */
    if ((error = sd_store_check_object(c->cache, e->checksum)) < 0) {
        return error;
    }
    sd_store_object_key(key, e->checksum);
    if ((error = c->cache->backend->local_path(c->cache->backend, key,
                                               &target)) < 0) {
        return error;
    }
    chmod(target, 0444); /* shared objects stay read-only */
    if (!(tmp = sd_fs_tmpname(path))) {
        error = SNAPDIR_EINTERNAL;
    } else if (symlink(target, tmp) != 0) {
        error = sd_fs_error("cannot create link", tmp, errno);
    } else if (rename(tmp, path) != 0) {
        error = sd_fs_error("cannot rename into", path, errno);
        unlink(tmp);
    }
    sd_free(tmp);
    sd_free(target);
    return error;
}

static int checkout_file(sd_pool *pool, void *item, void *ctx)
{
    co_ctx *c = ctx;
    const sd_entry *e = item;
    char *path = dest_path(c->dest, e);
    struct stat st;
    int error = 0;

    (void)pool;
    if (!path) {
        return SNAPDIR_EINTERNAL;
    }
    if (c->fresh || !up_to_date(path, e, c->co->linked, 0)) {
        /* a directory where the snapshot has a file goes away first */
        if (!c->fresh && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            error = sd_fs_rmtree(path);
        }
        if (error == 0) {
            error = c->co->linked ? link_object(c, e, path)
                                  : sd_store_get_object_file(
                                        c->cache, e->checksum, path, e->mode);
        }
        if (error == 0) {
            __atomic_add_fetch(&c->written, 1, __ATOMIC_RELAXED);
        }
    }
    __atomic_add_fetch(&c->meter.done, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->meter.bytes_done, e->size, __ATOMIC_RELAXED);
    sd_free(path);
    return error;
}

/*
 * Remove temporary files that a killed earlier checkout left next to the
 * files of this snapshot (only names of our own form, from dead processes).
 */
static int sweep_stale(const snapdir_manifest *m, const char *dest)
{
    sd_buf key = SD_BUF_INIT;
    size_t i;
    int error = 0;

    for (i = 0; i < m->count && error == 0; i++) {
        const sd_entry *e = &m->entries[i];
        struct dirent *de;
        char *dir;
        DIR *d;

        if (e->type != 'D' || !(dir = dest_path(dest, e))) {
            continue;
        }
        if ((d = opendir(dir)) != NULL) {
            while ((de = readdir(d)) != NULL) {
                size_t base = sd_fs_stale_tmp(de->d_name);

                sd_buf_clear(&key);
                if (base == 0 || sd_buf_put(&key, e->path, e->path_len) < 0 ||
                    sd_buf_put(&key, de->d_name, base) < 0) {
                    continue;
                }
                if (sd_manifest_find(m, key.ptr, key.len)) {
                    unlinkat(dirfd(d), de->d_name, 0);
                }
            }
            closedir(d);
        }
        sd_free(dir);
    }
    sd_buf_dispose(&key);
    return error;
}

/* dest absent or an empty directory: every file will be new. */
static int is_empty_dir(const char *dest)
{
    DIR *d = opendir(dest);
    struct dirent *de;
    int empty = 1;

    if (!d) {
        return errno == ENOENT;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

static int make_dirs(const snapdir_manifest *m, const char *dest)
{
    size_t i;
    int error;

    if ((error = sd_fs_mkdirs(dest, 0777)) < 0) {
        return error;
    }
    for (i = 1; i < m->count; i++) {
        struct stat st;
        char *p;

        if (m->entries[i].type != 'D') {
            continue;
        }
        if (!(p = dest_path(dest, &m->entries[i]))) {
            return SNAPDIR_EINTERNAL;
        }
        if (mkdir(p, 0700) != 0) {
            if (errno != EEXIST || lstat(p, &st) != 0) {
                error = sd_fs_error("cannot create directory", p, errno);
            } else if (!S_ISDIR(st.st_mode)) {
                /* a file where the snapshot has a directory */
                if (unlink(p) != 0 || mkdir(p, 0700) != 0) {
                    error = sd_fs_error("cannot replace with a directory", p,
                                        errno);
                }
            } else if ((st.st_mode & 0700) != 0700) {
                chmod(p, st.st_mode | 0700); /* writable until modes apply */
            }
        }
        sd_free(p);
        if (error < 0) {
            return error;
        }
    }
    return 0;
}

/* Directory modes, deepest first (reverse byte order), root last. */
static int apply_dir_modes(const snapdir_manifest *m, const char *dest)
{
    size_t i = m->count;

    while (i-- > 0) {
        const sd_entry *e = &m->entries[i];
        char *p;
        int rc;

        if (e->type != 'D') {
            continue;
        }
        if (!(p = dest_path(dest, e))) {
            return SNAPDIR_EINTERNAL;
        }
        rc = chmod(p, e->mode);
        if (rc != 0) {
            rc = sd_fs_error("cannot set the mode of", p, errno);
        }
        sd_free(p);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- pruning (--delete) ------------------------------------------------- */

typedef struct {
    const snapdir_manifest *m;
    const sd_ops_checkout_options *co;
    const sd_ops_options *o;
    regex_t *protect;
    size_t nprotect;
    uint64_t pruned;
} prune_ctx;

static int is_protected(const prune_ctx *p, const char *key)
{
    size_t i;

    for (i = 0; i < p->nprotect; i++) {
        if (regexec(&p->protect[i], key, 0, NULL, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
remove_entry(prune_ctx *p, const char *path, const char *key, int is_dir)
{
    if (p->o->report) {
        p->o->report("delete", key, NULL, p->o->report_payload);
    }
    p->pruned++;
    if (p->o->dryrun) {
        return 0;
    }
    if (is_dir ? rmdir(path) != 0 : unlink(path) != 0) {
        /* a protected file keeps its directory: that is not an error */
        if (is_dir && (errno == ENOTEMPTY || errno == EEXIST)) {
            return 0;
        }
        return sd_fs_error("cannot remove", path, errno);
    }
    return 0;
}

/* Prune dir (whose manifest key is key, ending in '/'); never follows. */
static int prune_dir(prune_ctx *p, const char *dir, sd_buf *key, int keep_all)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int error = 0;

    if (!d) {
        return errno == ENOENT
                   ? 0
                   : sd_fs_error("cannot read directory", dir, errno);
    }
    while (error == 0 && (de = readdir(d)) != NULL) {
        size_t keylen = key->len;
        struct stat st;
        char *child;
        int is_dir, known;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (!(child = sd_path_join(dir, de->d_name))) {
            error = SNAPDIR_EINTERNAL;
            break;
        }
        if (lstat(child, &st) != 0) {
            sd_free(child);
            continue;
        }
        is_dir = S_ISDIR(st.st_mode);
        if ((error = sd_buf_puts(key, de->d_name)) < 0 ||
            (is_dir && (error = sd_buf_putc(key, '/')) < 0)) {
            sd_free(child);
            break;
        }
        known =
            keep_all ? 0 : sd_manifest_find(p->m, key->ptr, key->len) != NULL;
        if (!is_protected(p, key->ptr)) {
            if (is_dir) {
                error = prune_dir(p, child, key, !known);
            }
            if (error == 0 && !known) {
                error = remove_entry(p, child, key->ptr, is_dir);
            }
        }
        key->len = keylen;
        key->ptr[keylen] = '\0';
        sd_free(child);
    }
    closedir(d);
    return error;
}

static int prune(const snapdir_manifest *m,
                 const char *dest,
                 const sd_ops_checkout_options *co,
                 const sd_ops_options *o)
{
    prune_ctx p;
    sd_buf key = SD_BUF_INIT;
    size_t i;
    int error;

    memset(&p, 0, sizeof(p));
    p.m = m;
    p.co = co;
    p.o = o;
    if (co->protect_count &&
        !(p.protect = sd_calloc(co->protect_count, sizeof(regex_t)))) {
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < co->protect_count; i++) {
        if (regcomp(&p.protect[p.nprotect], co->protect[i],
                    REG_EXTENDED | REG_NOSUB) == 0) {
            p.nprotect++;
        } else {
            error = sd_error_set(SNAPDIR_EIO, "invalid --exclude pattern '%s'",
                                 co->protect[i]);
            goto cleanup;
        }
    }
    error = sd_buf_puts(&key, "./");
    if (error == 0) {
        error = prune_dir(&p, dest, &key, 0);
    }
    if (o->stats) {
        o->stats->entries_pruned += p.pruned;
    }
cleanup:
    for (i = 0; i < p.nprotect; i++) {
        regfree(&p.protect[i]);
    }
    sd_free(p.protect);
    sd_buf_dispose(&key);
    return error;
}

/* ---- the whole checkout ------------------------------------------------ */

static int
write_files(co_ctx *c, const snapdir_manifest *m, const sd_ops_options *o)
{
    void **items = NULL;
    size_t i, n = 0;
    uint64_t bytes = 0;
    int error;

    if (m->count && !(items = sd_calloc(m->count, sizeof(void *)))) {
        return SNAPDIR_EINTERNAL;
    }
    for (i = 0; i < m->count; i++) {
        if (m->entries[i].type == 'F') {
            items[n++] = &m->entries[i];
            bytes += m->entries[i].size;
        }
    }
    sd_ops_meter_init(&c->meter, o, n, bytes);
    error = sd_pool_run(items, n, o->jobs, checkout_file, c, o->cancel,
                        sd_ops_meter_tick, &c->meter);
    sd_ops_meter_tick(&c->meter);
    sd_free(items);
    if (o->stats) {
        o->stats->files_written += c->written;
    }
    return error;
}

/* Dry run: report what would be written. */
static int plan(const snapdir_manifest *m,
                const char *dest,
                const sd_ops_checkout_options *co,
                const sd_ops_options *o)
{
    size_t i;

    for (i = 0; i < m->count && o->report; i++) {
        const sd_entry *e = &m->entries[i];
        char *p = dest_path(dest, e);
        struct stat st;

        if (!p) {
            return SNAPDIR_EINTERNAL;
        }
        if (e->type == 'D' && lstat(p, &st) != 0) {
            o->report("mkdir", e->path, NULL, o->report_payload);
        } else if (e->type == 'F' && !up_to_date(p, e, co->linked, 1)) {
            o->report("write", e->path, e->checksum, o->report_payload);
        }
        sd_free(p);
    }
    return co->delete_extra ? prune(m, dest, co, o) : 0;
}

int sd_ops_checkout(sd_store *cache,
                    const char *id,
                    const char *dest,
                    const sd_ops_checkout_options *co,
                    const sd_ops_options *o)
{
    snapdir_manifest *m = NULL;
    co_ctx c;
    int error;

    if ((error = sd_store_get_manifest(cache, id, &m)) < 0) {
        if (error == SNAPDIR_ESTORE) {
            sd_error_set(SNAPDIR_ESTORE,
                         "manifest %s not found locally (cache %s); did you "
                         "forget to fetch it?",
                         id, cache->root ? cache->root : cache->uri);
        }
        return error;
    }
    if ((error = validate_tree(m, id)) < 0 ||
        (error = validate_dest(m, id, dest)) < 0 ||
        (error = preflight(cache, m, id)) < 0) {
        goto cleanup;
    }
    if (o->dryrun) {
        error = plan(m, dest, co, o);
        goto cleanup;
    }
    memset(&c, 0, sizeof(c));
    c.cache = cache;
    c.dest = dest;
    c.co = co;
    c.fresh = is_empty_dir(dest);
    if ((error = make_dirs(m, dest)) < 0 ||
        (!c.fresh && (error = sweep_stale(m, dest)) < 0) ||
        (error = write_files(&c, m, o)) < 0) {
        goto cleanup;
    }
    if (co->delete_extra && (error = prune(m, dest, co, o)) < 0) {
        goto cleanup;
    }
    error = apply_dir_modes(m, dest);
cleanup:
    sd_manifest_free(m);
    return error;
}
