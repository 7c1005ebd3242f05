/* SPDX-License-Identifier: MIT */
/*
 * sd_walk.c - the directory walk.
 *
 * A pool of workers pulls tasks from a LIFO stack. A directory task reads
 * the directory, stats every entry relative to the directory descriptor,
 * sorts the children, queues its subdirectories, big files and chunks of
 * small files, and hashes its first chunk itself. Children are sorted with
 * directories keyed as "name/", so a pre-order traversal yields the
 * manifest's global byte order without a global sort. Checksums of
 * directories are computed bottom-up once every file is hashed.
 *
 * Every file is re-checked when it is opened for hashing (same inode, same
 * size, still a regular file), and sd_hash_fd checks the bytes it read, so
 * a tree that changes during the walk fails with SNAPDIR_EINFLUX.
 */
#include "core/sd_walk.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_path.h"
#include "util/sd_pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_FILES 64            /* small files per hashing task */
#define BIG_FILE    (1024 * 1024) /* files at least this big hash alone */

typedef struct node node;

struct node {
    const char *name;
    node *parent;
    node *children;
    void *block;    /* owns children and their names */
    uint64_t size;  /* manifest SIZE: lstat size (link length if followed) */
    uint64_t csize; /* content size seen at discovery */
    uint64_t dev, ino;
    int64_t mtime_ns, ctime_ns;
    uint32_t nchildren;
    uint32_t name_len;
    uint32_t mode;
    char type;
    uint8_t followed;
    uint8_t stored; /* on_content stored the object */
    uint8_t digest[SD_HASH_MAX_LEN];
};

/* A range of a directory's children whose small files one task hashes. */
typedef struct {
    node *dir;
    uint32_t start, end;
} chunk;

typedef struct worker_state worker_state;

typedef struct {
    const sd_walk_options *o;
    const char *root;
    size_t root_len;
    node root_node;
    pthread_mutex_t lock; /* guards states */
    worker_state *states;
    uint64_t files_found, files_done, bytes_found, bytes_done; /* atomics */
    uint64_t dirs_pending;     /* atomic: directories not read yet */
    snapdir_phase final_phase; /* set once the walk is over */
} walk_ctx;

struct worker_state {
    walk_ctx *owner;
    worker_state *next;
    sd_hash_scratch scratch;
    sd_buf path;
};

static _Thread_local worker_state *tls_state;

static worker_state *state_for(walk_ctx *c)
{
    worker_state *ws = tls_state;

    if (ws && ws->owner == c) {
        return ws;
    }
    ws = sd_calloc(1, sizeof(*ws));
    if (!ws) {
        return NULL;
    }
    if (sd_hash_scratch_init(&ws->scratch) < 0) {
        sd_free(ws);
        return NULL;
    }
    ws->owner = c;
    pthread_mutex_lock(&c->lock);
    ws->next = c->states;
    c->states = ws;
    pthread_mutex_unlock(&c->lock);
    tls_state = ws;
    return ws;
}

static void free_states(walk_ctx *c)
{
    worker_state *ws = c->states;

    while (ws) {
        worker_state *next = ws->next;

        sd_hash_scratch_dispose(&ws->scratch);
        sd_buf_dispose(&ws->path);
        sd_free(ws);
        ws = next;
    }
    c->states = NULL;
}

/* ---- paths and errors ------------------------------------------------- */

/* The absolute path of n into b (root + "/" + names). */
static int node_path(sd_buf *b, const walk_ctx *c, const node *n)
{
    const node *chain[256];
    size_t depth = 0;
    int error;

    if (n->parent == NULL) {
        sd_buf_clear(b);
        return sd_buf_put(b, c->root, c->root_len);
    }
    /* deep trees: recurse once per 256 levels instead of per level */
    while (n->parent && depth < 256) {
        chain[depth++] = n;
        n = n->parent;
    }
    if ((error = node_path(b, c, n)) < 0) {
        return error;
    }
    while (depth > 0) {
        const node *x = chain[--depth];

        if (!(b->len == 1 && b->ptr[0] == '/')) {
            if ((error = sd_buf_putc(b, '/')) < 0) {
                return error;
            }
        }
        if ((error = sd_buf_put(b, x->name, x->name_len)) < 0) {
            return error;
        }
    }
    return 0;
}

static int path_error(int code, const char *what, const char *path, int errnum)
{
    char shown[1024], eb[128];

    sd_path_display(shown, sizeof(shown), path);
    if (errnum) {
        return sd_error_set(code, "%s %s: %s", what, shown,
                            sd_strerror(errnum, eb, sizeof(eb)));
    }
    return sd_error_set(code, "%s: %s", what, shown);
}

static int vanished(const char *path)
{
    return path_error(SNAPDIR_EINFLUX,
                      "file vanished during walk (tree changed under snapdir; "
                      "re-run on a quiescent tree)",
                      path, 0);
}

static int changed(const char *path)
{
    return path_error(SNAPDIR_EINFLUX,
                      "file changed during walk (tree changed under snapdir; "
                      "re-run on a quiescent tree)",
                      path, 0);
}

static int structure_changed(const char *path)
{
    return path_error(SNAPDIR_EINFLUX,
                      "tree structure changed during walk (re-run on a "
                      "quiescent tree)",
                      path, 0);
}

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* ---- hashing files ---------------------------------------------------- */

static int hash_file(walk_ctx *c, worker_state *ws, int dirfd, node *f)
{
    const char *path;
    struct stat st;
    int fd, error = 0;

    if ((error = node_path(&ws->path, c, f)) < 0) {
        return error;
    }
    path = ws->path.ptr;
    fd =
        dirfd >= 0
            ? openat(dirfd, f->name,
                     O_RDONLY | O_CLOEXEC | (f->followed ? 0 : O_NOFOLLOW))
            : open(path, O_RDONLY | O_CLOEXEC | (f->followed ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
            return vanished(path);
        }
        return path_error(SNAPDIR_EIO, "cannot read", path, errno);
    }
    if (fstat(fd, &st) != 0) {
        error = path_error(SNAPDIR_EIO, "cannot stat", path, errno);
    } else if (!S_ISREG(st.st_mode) || st.st_ino != f->ino ||
               st.st_dev != f->dev || (uint64_t)st.st_size != f->csize) {
        error = changed(path);
    } else {
        error = sd_hash_fd(f->digest, c->o->hash, fd, (uint64_t)st.st_size,
                           path, &ws->scratch, c->o->cancel);
    }
    if (error == 0 && c->o->on_content && ws->scratch.whole) {
        int rc = c->o->on_content(c->o->on_content_payload, f->digest,
                                  ws->scratch.buf, (size_t)f->csize, path);

        if (rc < 0) {
            error = rc;
        } else {
            f->stored = (uint8_t)rc;
        }
    }
    close(fd);
    if (error == 0) {
        __atomic_add_fetch(&c->files_done, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c->bytes_done, f->csize, __ATOMIC_RELAXED);
    }
    return error;
}

static int is_small_file(const node *n)
{
    return n->type == 'F' && n->csize < BIG_FILE;
}

static int hash_chunk(walk_ctx *c, worker_state *ws, int dirfd, const chunk *k)
{
    uint32_t i;
    int error, own_fd = -1;

    if (dirfd < 0) {
        if ((error = node_path(&ws->path, c, k->dir)) < 0) {
            return error;
        }
        own_fd = open(ws->path.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (own_fd < 0) {
            return structure_changed(ws->path.ptr);
        }
        dirfd = own_fd;
    }
    error = 0;
    for (i = k->start; i < k->end && error == 0; i++) {
        node *f = &k->dir->children[i];

        if (is_small_file(f)) {
            error = hash_file(c, ws, dirfd, f);
        }
    }
    if (own_fd >= 0) {
        close(own_fd);
    }
    return error;
}

/* ---- reading directories ---------------------------------------------- */

/* Directory children sort as "name/" so pre-order is byte order. */
static int child_cmp(const void *x, const void *y)
{
    const node *a = x, *b = y;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    unsigned char ca, cb;

    if (c) {
        return c;
    }
    ca = n < a->name_len ? (unsigned char)a->name[n]
                         : (a->type == 'D' ? '/' : 0);
    cb = n < b->name_len ? (unsigned char)b->name[n]
                         : (b->type == 'D' ? '/' : 0);
    return (int)ca - (int)cb;
}

/* A followed directory link whose target is one of its ancestors. */
static int is_loop(const node *dir, const struct stat *st)
{
    for (; dir; dir = dir->parent) {
        if (dir->dev == (uint64_t)st->st_dev &&
            dir->ino == (uint64_t)st->st_ino) {
            return 1;
        }
    }
    return 0;
}

static int check_name(const char *dirpath, const char *name, size_t len)
{
    char shown[1024], nm[512];

    if (!sd_utf8_valid(name, len) || memchr(name, '\n', len) ||
        memchr(name, '\r', len)) {
        sd_path_display(shown, sizeof(shown), dirpath);
        sd_path_display(nm, sizeof(nm), name);
        return sd_error_set(SNAPDIR_EIO,
                            "cannot record the file name \"%s\" in %s: "
                            "manifests need UTF-8 names without line breaks",
                            nm, shown);
    }
    return 0;
}

/* Names of a directory, NUL-separated in names, count in *n. */
static int read_names(DIR *d, const char *dirpath, sd_buf *names, size_t *n)
{
    struct dirent *de;
    int error;

    *n = 0;
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno) {
                return path_error(SNAPDIR_EIO, "cannot read directory", dirpath,
                                  errno);
            }
            return 0;
        }
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' ||
             (de->d_name[1] == '.' && de->d_name[2] == '\0'))) {
            continue;
        }
        if ((error = sd_buf_put(names, de->d_name, strlen(de->d_name) + 1)) <
            0) {
            return error;
        }
        (*n)++;
    }
}

/* The absolute path of a child of dirpath into ws->path. */
static int child_path(worker_state *ws, const char *dirpath, const node *n)
{
    int error;

    sd_buf_clear(&ws->path);
    if ((error = sd_buf_puts(&ws->path, dirpath)) < 0) {
        return error;
    }
    if (ws->path.len != 1 && (error = sd_buf_putc(&ws->path, '/')) < 0) {
        return error;
    }
    return sd_buf_put(&ws->path, n->name, n->name_len);
}

/*
 * Stat one directory entry and fill n; returns 1 to keep it, 0 to leave it
 * out (excluded, dangling or looping link, special file), or an error.
 */
static int classify(walk_ctx *c,
                    worker_state *ws,
                    node *dir,
                    int dirfd,
                    const char *dirpath,
                    node *n)
{
    struct stat lst, st;
    const struct stat *target = &lst;
    int error;

    if (c->o->excludes) {
        if ((error = child_path(ws, dirpath, n)) < 0) {
            return error;
        }
        if (sd_excludes_match(c->o->excludes, ws->path.ptr)) {
            return 0;
        }
    }
    if (fstatat(dirfd, n->name, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
        int errnum = errno;

        if ((error = child_path(ws, dirpath, n)) < 0) {
            return error;
        }
        return errnum == ENOENT ? vanished(ws->path.ptr)
                                : path_error(SNAPDIR_EIO, "cannot stat",
                                             ws->path.ptr, errnum);
    }
    if (S_ISLNK(lst.st_mode)) {
        if (c->o->no_follow) {
            return 0;
        }
        if (fstatat(dirfd, n->name, &st, 0) != 0) {
            int errnum = errno;

            if (errnum == ENOENT || errnum == ELOOP || errnum == ENOTDIR) {
                return 0; /* dangling links and loops are left out */
            }
            if ((error = child_path(ws, dirpath, n)) < 0) {
                return error;
            }
            return path_error(SNAPDIR_EIO, "cannot follow link", ws->path.ptr,
                              errnum);
        }
        if (S_ISDIR(st.st_mode) && is_loop(dir, &st)) {
            return 0;
        }
        target = &st;
        n->followed = 1;
    }
    if (S_ISDIR(target->st_mode)) {
        n->type = 'D';
    } else if (S_ISREG(target->st_mode)) {
        n->type = 'F';
        n->csize = (uint64_t)target->st_size;
    } else {
        return 0; /* sockets, FIFOs and devices are skipped */
    }
    /* PERMISSIONS and SIZE come from the entry itself (lstat) */
    n->mode = lst.st_mode & 07777;
    n->size = n->type == 'F' ? (uint64_t)lst.st_size : 0;
    n->dev = (uint64_t)target->st_dev;
    n->ino = (uint64_t)target->st_ino;
    if (!n->followed) {
        n->mtime_ns = ns_of(&lst.st_mtim);
        n->ctime_ns = ns_of(&lst.st_ctim);
    }
    return 1;
}

/*
 * Allocate one block for a directory: its chunk slots, then its children,
 * then their names. Chunk slots live as long as the tree, so queued chunk
 * tasks may point at them.
 */
static int make_children(node *dir, const sd_buf *names, size_t count)
{
    size_t nchunks = count / CHUNK_FILES + 1;
    size_t chunks_bytes = nchunks * sizeof(chunk), nodes_bytes, bytes;
    char *block, *p;
    size_t i;

    if (sd_mul_overflow(count, sizeof(node), &nodes_bytes) ||
        sd_add_overflow(nodes_bytes, chunks_bytes, &bytes) ||
        sd_add_overflow(bytes, names->len, &bytes)) {
        return sd_error_set(SNAPDIR_EINTERNAL, "directory too large");
    }
    block = sd_calloc(1, bytes);
    if (!block) {
        return SNAPDIR_EINTERNAL;
    }
    dir->block = block;
    dir->children = (node *)(void *)(block + chunks_bytes);
    p = block + chunks_bytes + nodes_bytes;
    if (names->len) {
        memcpy(p, names->ptr, names->len);
    }
    for (i = 0; i < count; i++) {
        size_t len = strlen(p);

        dir->children[i].name = p;
        dir->children[i].name_len = (uint32_t)len;
        dir->children[i].parent = dir;
        p += len + 1;
    }
    dir->nchildren = (uint32_t)count;
    return 0;
}

/*
 * Queue subdirectories, big files and all chunks of small files but the
 * first, which the caller hashes itself while it has the directory open.
 */
static int dispatch(walk_ctx *c, sd_pool *pool, node *dir, chunk **first)
{
    chunk *slots = (chunk *)dir->block;
    uint32_t i, k = 0, seen = 0, start = 0;
    int error;

    for (i = 0; i < dir->nchildren; i++) {
        node *n = &dir->children[i];

        if (n->type == 'D') {
            __atomic_add_fetch(&c->dirs_pending, 1, __ATOMIC_RELAXED);
            error = sd_pool_push(pool, n);
        } else if (!is_small_file(n)) {
            error = sd_pool_push(pool, n);
        } else {
            error = 0;
            if (++seen == CHUNK_FILES || i + 1 == dir->nchildren) {
                slots[k].dir = dir;
                slots[k].start = start;
                slots[k].end = i + 1;
                k++;
                start = i + 1;
                seen = 0;
            }
        }
        if (error < 0) {
            return error;
        }
    }
    if (seen) {
        slots[k].dir = dir;
        slots[k].start = start;
        slots[k].end = dir->nchildren;
        k++;
    }
    *first = k ? &slots[0] : NULL;
    for (i = 1; i < k; i++) {
        /* chunk pointers carry a low tag bit (nodes are 8-aligned) */
        if ((error = sd_pool_push(pool, (void *)((uintptr_t)&slots[i] | 1))) <
            0) {
            return error;
        }
    }
    return 0;
}

static int walk_dir(walk_ctx *c, sd_pool *pool, worker_state *ws, node *dir)
{
    sd_buf names = SD_BUF_INIT;
    char *dirpath = NULL;
    DIR *d = NULL;
    struct stat st;
    size_t count = 0, i, kept = 0;
    chunk *first = NULL;
    int fd, error;

    if ((error = node_path(&ws->path, c, dir)) < 0) {
        return error;
    }
    dirpath = sd_strndup(ws->path.ptr, ws->path.len);
    if (!dirpath) {
        return SNAPDIR_EINTERNAL;
    }
    fd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = (errno == ENOENT || errno == ENOTDIR)
                    ? structure_changed(dirpath)
                    : path_error(SNAPDIR_EIO, "cannot open directory", dirpath,
                                 errno);
        goto cleanup;
    }
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != dir->ino ||
        (uint64_t)st.st_dev != dir->dev) {
        close(fd);
        error = structure_changed(dirpath);
        goto cleanup;
    }
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        error =
            path_error(SNAPDIR_EIO, "cannot read directory", dirpath, errno);
        goto cleanup;
    }
    if ((error = read_names(d, dirpath, &names, &count)) < 0 ||
        (error = make_children(dir, &names, count)) < 0) {
        goto cleanup;
    }
    for (i = 0; i < count; i++) {
        node *n = &dir->children[i];
        int keep;

        if ((error = check_name(dirpath, n->name, n->name_len)) < 0) {
            goto cleanup;
        }
        if ((keep = classify(c, ws, dir, dirfd(d), dirpath, n)) < 0) {
            error = keep;
            goto cleanup;
        }
        if (keep) {
            if (n->type == 'F') {
                __atomic_add_fetch(&c->files_found, 1, __ATOMIC_RELAXED);
                __atomic_add_fetch(&c->bytes_found, n->csize, __ATOMIC_RELAXED);
            }
            dir->children[kept++] = *n;
        }
    }
    dir->nchildren = (uint32_t)kept;
    if (kept > 1) {
        qsort(dir->children, kept, sizeof(node), child_cmp);
    }
    if ((error = dispatch(c, pool, dir, &first)) < 0) {
        goto cleanup;
    }
    if (first) {
        error = hash_chunk(c, ws, dirfd(d), first);
    }
cleanup:
    if (d) {
        closedir(d);
    }
    sd_buf_dispose(&names);
    sd_free(dirpath);
    return error;
}

static int run_task(sd_pool *pool, void *item, void *ctx)
{
    walk_ctx *c = ctx;
    worker_state *ws = state_for(c);

    if (!ws) {
        return SNAPDIR_EINTERNAL;
    }
    if ((uintptr_t)item & 1) {
        return hash_chunk(c, ws, -1,
                          (chunk *)((uintptr_t)item & ~(uintptr_t)1));
    }
    if (((node *)item)->type == 'D') {
        int error = walk_dir(c, pool, ws, item);

        __atomic_sub_fetch(&c->dirs_pending, 1, __ATOMIC_RELAXED);
        return error;
    }
    return hash_file(c, ws, -1, item);
}

static int tick(void *payload)
{
    walk_ctx *c = payload;
    snapdir_progress p;

    if (!c->o->progress) {
        return 0;
    }
    p.phase = c->final_phase ? c->final_phase
              : __atomic_load_n(&c->dirs_pending, __ATOMIC_RELAXED)
                  ? SNAPDIR_PHASE_DISCOVERING
                  : SNAPDIR_PHASE_HASHING;
    p.files_done = __atomic_load_n(&c->files_done, __ATOMIC_RELAXED);
    p.files_total = __atomic_load_n(&c->files_found, __ATOMIC_RELAXED);
    p.bytes_done = __atomic_load_n(&c->bytes_done, __ATOMIC_RELAXED);
    p.bytes_total = __atomic_load_n(&c->bytes_found, __ATOMIC_RELAXED);
    return c->o->progress(&p, c->o->progress_payload);
}

/* ---- after the walk: merkle sums, then the flat manifest --------------- */

static size_t digest_len(const walk_ctx *c)
{
    return sd_hash_len(c->o->hash->kind);
}

static int digest_cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int digest_cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* A directory's checksum: hash of its children's sorted unique hex sums. */
static int sum_dir(const walk_ctx *c, node *dir, uint8_t *scratch)
{
    size_t dl = digest_len(c), i, n = dir->nchildren;
    char hex[2 * SD_HASH_MAX_LEN + 1];
    sd_hasher h;
    int error;

    dir->size = 0;
    for (i = 0; i < n; i++) {
        memcpy(scratch + i * dl, dir->children[i].digest, dl);
        dir->size += dir->children[i].size;
    }
    /* hex preserves byte order, so sorting digests sorts their hex */
    if (n > 1) {
        qsort(scratch, n, dl, dl == 32 ? digest_cmp32 : digest_cmp16);
    }
    if ((error = sd_hasher_init(&h, c->o->hash)) < 0) {
        return error;
    }
    for (i = 0; i < n; i++) {
        if (i > 0 &&
            memcmp(scratch + i * dl, scratch + (i - 1) * dl, dl) == 0) {
            continue;
        }
        sd_hex_encode(hex, scratch + i * dl, dl);
        sd_hasher_update(&h, hex, 2 * dl);
    }
    sd_hasher_final(&h, dir->digest);
    return 0;
}

typedef struct {
    node *n;
    uint32_t next;    /* next child to visit */
    uint32_t pathlen; /* length of the path buffer at this node */
} frame;

typedef struct {
    frame *v;
    size_t len, cap;
} frame_stack;

static int frame_push(frame_stack *s, node *n, size_t pathlen)
{
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        frame *v = sd_reallocarray(s->v, cap, sizeof(frame));

        if (!v) {
            return SNAPDIR_EINTERNAL;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->len].n = n;
    s->v[s->len].next = 0;
    s->v[s->len].pathlen = (uint32_t)pathlen;
    s->len++;
    return 0;
}

/* Post-order pass: every directory's size and checksum. */
static int sum_tree(const walk_ctx *c, node *root)
{
    frame_stack s = { NULL, 0, 0 };
    uint8_t *scratch = NULL;
    size_t scratch_cap = 0;
    int error;

    if ((error = frame_push(&s, root, 0)) < 0) {
        return error;
    }
    while (s.len) {
        frame *f = &s.v[s.len - 1];

        if (f->next < f->n->nchildren) {
            node *child = &f->n->children[f->next++];

            if (child->type == 'D' && (error = frame_push(&s, child, 0)) < 0) {
                goto cleanup;
            }
            continue;
        }
        if (f->n->nchildren > scratch_cap) {
            uint8_t *p = sd_reallocarray(scratch, f->n->nchildren, 32);

            if (!p) {
                error = SNAPDIR_EINTERNAL;
                goto cleanup;
            }
            scratch = p;
            scratch_cap = f->n->nchildren;
        }
        if ((error = sum_dir(c, f->n, scratch)) < 0) {
            goto cleanup;
        }
        s.len--;
    }
cleanup:
    sd_free(scratch);
    sd_free(s.v);
    return error;
}

static int
emit(const walk_ctx *c, snapdir_manifest *m, const node *n, const sd_buf *path)
{
    char hex[2 * SD_HASH_MAX_LEN + 1];
    sd_entry *e;
    int error;

    sd_hex_encode(hex, n->digest, digest_len(c));
    if ((error = sd_manifest_push(m, n->type, n->mode, hex, n->size, path->ptr,
                                  path->len, &e)) < 0) {
        return error;
    }
    e->stored = n->stored;
    if (n->type == 'F' && !n->followed) {
        e->guard.ino = n->ino;
        e->guard.mtime_ns = n->mtime_ns;
        e->guard.ctime_ns = n->ctime_ns;
    }
    return 0;
}

/* Pre-order pass: entries in byte order of their paths. */
static int flatten(const walk_ctx *c, snapdir_manifest *m, node *root)
{
    frame_stack s = { NULL, 0, 0 };
    sd_buf path = SD_BUF_INIT;
    int error;

    if (c->o->absolute) {
        error = sd_buf_put(&path, c->root, c->root_len);
        if (error == 0 && !(c->root_len == 1)) {
            error = sd_buf_putc(&path, '/');
        }
    } else {
        error = sd_buf_puts(&path, "./");
    }
    if (error < 0 || (error = emit(c, m, root, &path)) < 0 ||
        (error = frame_push(&s, root, path.len)) < 0) {
        goto cleanup;
    }
    while (s.len) {
        frame *f = &s.v[s.len - 1];
        node *child;

        if (f->next >= f->n->nchildren) {
            s.len--;
            continue;
        }
        child = &f->n->children[f->next++];
        path.len = f->pathlen;
        if ((error = sd_buf_put(&path, child->name, child->name_len)) < 0 ||
            (child->type == 'D' && (error = sd_buf_putc(&path, '/')) < 0) ||
            (error = emit(c, m, child, &path)) < 0) {
            goto cleanup;
        }
        if (child->type == 'D' &&
            (error = frame_push(&s, child, path.len)) < 0) {
            goto cleanup;
        }
    }
cleanup:
    sd_buf_dispose(&path);
    sd_free(s.v);
    return error;
}

static void free_tree(node *root)
{
    frame_stack s = { NULL, 0, 0 };

    if (frame_push(&s, root, 0) < 0) {
        return; /* out of memory: leak rather than crash */
    }
    while (s.len) {
        frame *f = &s.v[s.len - 1];

        if (f->next < f->n->nchildren) {
            node *child = &f->n->children[f->next++];

            if (child->type == 'D' && child->block &&
                frame_push(&s, child, 0) < 0) {
                break;
            }
            continue;
        }
        sd_free(f->n->block);
        f->n->block = NULL;
        s.len--;
    }
    sd_free(s.v);
}

static int open_root(walk_ctx *c)
{
    struct stat lst, st;
    char eb[128];

    /* the caller prefixes "walking <root>: " */
    if (lstat(c->root, &lst) != 0 || stat(c->root, &st) != 0) {
        return sd_error_set(SNAPDIR_EIO, "%s",
                            sd_strerror(errno, eb, sizeof(eb)));
    }
    if (!S_ISDIR(st.st_mode)) {
        return sd_error_set(SNAPDIR_EIO, "walk root is not a directory");
    }
    memset(&c->root_node, 0, sizeof(c->root_node));
    c->root_node.name = "";
    c->root_node.type = 'D';
    c->root_node.mode = lst.st_mode & 07777;
    c->root_node.dev = (uint64_t)st.st_dev;
    c->root_node.ino = (uint64_t)st.st_ino;
    return 0;
}

int sd_walk(snapdir_manifest **out, const char *root, const sd_walk_options *o)
{
    walk_ctx c;
    snapdir_manifest *m = NULL;
    sd_pool *pool = NULL;
    int error;

    *out = NULL;
    memset(&c, 0, sizeof(c));
    c.o = o;
    c.root = root;
    c.root_len = strlen(root);
    pthread_mutex_init(&c.lock, NULL);
    if ((error = open_root(&c)) < 0 ||
        (error = sd_pool_new(&pool, o->jobs, run_task, &c, o->cancel)) < 0) {
        goto cleanup;
    }
    c.dirs_pending = 1;
    if ((error = sd_pool_push(pool, &c.root_node)) < 0) {
        goto cleanup;
    }
    error = sd_pool_wait(pool, tick, &c);
    if (error < 0) {
        goto cleanup;
    }
    c.final_phase = SNAPDIR_PHASE_DONE;
    tick(&c);
    if ((error = sum_tree(&c, &c.root_node)) < 0 ||
        (error = sd_manifest_new(&m, o->hash->kind)) < 0) {
        goto cleanup;
    }
    m->absolute = o->absolute;
    if ((error = flatten(&c, m, &c.root_node)) < 0) {
        goto cleanup;
    }
    *out = m;
    m = NULL;
cleanup:
    sd_pool_free(pool);
    free_tree(&c.root_node);
    free_states(&c);
    pthread_mutex_destroy(&c.lock);
    sd_manifest_free(m);
    return error;
}
