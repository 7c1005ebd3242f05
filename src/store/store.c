/* SPDX-License-Identifier: MIT */
/*
 * store.c - the registry of backends, the key layout, and verified
 * transfers (see sd_store.h). Readers hash what they hand to a backend and
 * hold back the last bytes until they match; writers hash what a backend
 * hands them and rename into place only on a match.
 */
#include "store/sd_store.h"
#include "hash/sd_hash.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char valid_forms[] =
    "expected a URI like file:///path/to/dir for a local store, "
    "s3://bucket/prefix, b2://bucket/prefix, gs://bucket/prefix or "
    "gcs://bucket/prefix";

/* ---- opening ------------------------------------------------------------ */

char *sd_store_file_root(const char *uri)
{
    const char *p = uri + 5; /* after "file:" */
    char *root;
    size_t len;

    while (*p == '/') {
        p++;
    }
    if (strncmp(p, "localhost", 9) == 0 && (p[9] == '/' || p[9] == '\0')) {
        p += 9;
        while (*p == '/') {
            p++;
        }
    }
    len = strlen(p);
    root = sd_malloc(len + 2);
    if (!root) {
        return NULL;
    }
    root[0] = '/';
    memcpy(root + 1, p, len + 1);
    len++;
    while (len > 1 && root[len - 1] == '/') {
        root[--len] = '\0';
    }
    return root;
}

static int scheme_of(char *out, size_t cap, const char *uri)
{
    const char *colon = strchr(uri, ':');
    size_t n = colon ? (size_t)(colon - uri) : strlen(uri), i;

    if (n == 0 || n >= cap) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        char c = uri[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return -1;
        }
    }
    memcpy(out, uri, n);
    out[n] = '\0';
    return colon ? 0 : -1;
}

static int
wrap(sd_store **out, snapdir_store *backend, const char *uri, const char *root)
{
    sd_store *s = sd_calloc(1, sizeof(*s));

    if (!s || !(s->uri = sd_strdup(uri)) ||
        (root && !(s->root = sd_strdup(root)))) {
        if (s) {
            sd_free(s->uri);
        }
        sd_free(s);
        backend->free(backend);
        return SNAPDIR_EINTERNAL;
    }
    s->backend = backend;
    s->attempts = 1;
    *out = s;
    return 0;
}

int sd_store_open_dir(sd_store **out, const char *dir)
{
    snapdir_store *b = NULL;
    char *uri = NULL;
    int error;

    *out = NULL;
    if ((error = sd_store_file_new(&b, dir)) < 0) {
        return error;
    }
    uri = sd_malloc(strlen(dir) + 8);
    if (!uri) {
        b->free(b);
        return SNAPDIR_EINTERNAL;
    }
    memcpy(uri, "file://", 7);
    memcpy(uri + 7, dir, strlen(dir) + 1);
    error = wrap(out, b, uri, dir);
    sd_free(uri);
    return error;
}

int sd_store_split_uri(char **bucket, char **prefix, const char *uri)
{
    const char *p = strstr(uri, "://"), *slash, *end;
    size_t n;

    *bucket = *prefix = NULL;
    if (p) {
        p += 3;
    } else {
        p = strchr(uri, ':'); /* "s3:bucket/x" */
        p = p ? p + 1 : uri;
        while (*p == '/') {
            p++;
        }
    }
    slash = strchr(p, '/');
    n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0) {
        return sd_error_set(SNAPDIR_EINVALID_STORE,
                            "invalid store URI '%s': no bucket; %s", uri,
                            valid_forms);
    }
    p = slash ? slash : p + n;
    while (*p == '/') {
        p++;
    }
    end = p + strlen(p);
    while (end > p && end[-1] == '/') {
        end--;
    }
    *bucket = sd_strndup(slash ? slash - n : p - n, n);
    *prefix = sd_strndup(p, (size_t)(end - p));
    if (!*bucket || !*prefix) {
        sd_free(*bucket);
        sd_free(*prefix);
        *bucket = *prefix = NULL;
        return SNAPDIR_EINTERNAL;
    }
    return 0;
}

/* The network backends, by scheme (gcs is an alias of gs). */
static const struct {
    const char *scheme;
    int (*open)(snapdir_store **, const char *, const sd_store_config *);
} network[] = {
    { "s3", sd_store_s3_new },
    { "b2", sd_store_b2_new },
    { "gs", sd_store_gcs_new },
    { "gcs", sd_store_gcs_new },
};

int sd_store_open_cfg(sd_store **out,
                      const char *uri,
                      const sd_store_config *cfg)
{
    char scheme[32];
    snapdir_store *b = NULL;
    char *root;
    size_t i;
    int error;

    *out = NULL;
    if (!uri || scheme_of(scheme, sizeof(scheme), uri) < 0) {
        return sd_error_set(SNAPDIR_EINVALID_STORE,
                            "invalid store URI '%s': %s", uri ? uri : "",
                            valid_forms);
    }
    if (strcmp(scheme, "file") == 0) {
        if (!(root = sd_store_file_root(uri))) {
            return SNAPDIR_EINTERNAL;
        }
        if ((error = sd_store_file_new(&b, root)) == 0) {
            error = wrap(out, b, uri, root);
        }
        sd_free(root);
        return error;
    }
    if (strcmp(scheme, "mem") == 0) {
        if ((error = sd_store_mem_new(&b)) < 0) {
            return error;
        }
        return wrap(out, b, uri, NULL);
    }
    for (i = 0; i < sizeof(network) / sizeof(network[0]); i++) {
        if (strcmp(scheme, network[i].scheme) == 0) {
            if ((error = network[i].open(&b, uri, cfg)) < 0 ||
                (error = wrap(out, b, uri, NULL)) < 0) {
                return error;
            }
            (*out)->remote = 1;
            (*out)->attempts = cfg && cfg->max_retries ? cfg->max_retries : 5;
            return 0;
        }
    }
    return sd_error_set(SNAPDIR_EINVALID_STORE,
                        "unknown store scheme '%s' in '%s': %s", scheme, uri,
                        valid_forms);
}

int sd_store_open(sd_store **out, const char *uri)
{
    return sd_store_open_cfg(out, uri, NULL);
}

void sd_store_close(sd_store *s)
{
    if (!s) {
        return;
    }
    s->backend->free(s->backend);
    sd_presence_free(s->presence);
    sd_free(s->uri);
    sd_free(s->root);
    sd_free(s);
}

/* ---- keys --------------------------------------------------------------- */

static void shard(char *out, const char *family, const char *hex)
{
    size_t f = strlen(family);

    memcpy(out, family, f);
    out[f] = '/';
    memcpy(out + f + 1, hex, 3);
    out[f + 4] = '/';
    memcpy(out + f + 5, hex + 3, 3);
    out[f + 8] = '/';
    memcpy(out + f + 9, hex + 6, 3);
    out[f + 12] = '/';
    memcpy(out + f + 13, hex + 9, 55);
    out[f + 68] = '\0';
}

void sd_store_object_key(char *out, const char *hex)
{
    shard(out, ".objects", hex);
}

void sd_store_manifest_key(char *out, const char *id)
{
    shard(out, ".manifests", id);
}

static int exists(sd_store *s, const char *key)
{
    int rc = s->backend->exists(s->backend, key);

    if (rc < 0 && sd_error_last()->code == 0) {
        sd_error_set(rc, "store %s: cannot check %s", s->uri, key);
    }
    return rc;
}

int sd_store_is_fresh(sd_store *s)
{
    struct stat st;
    char *objects;
    int fresh;

    if (!s->root || !(objects = sd_path_join(s->root, ".objects"))) {
        return 0;
    }
    fresh = stat(objects, &st) != 0 && errno == ENOENT;
    sd_free(objects);
    return fresh;
}

int sd_store_has_object(sd_store *s, const char *hex)
{
    char key[SD_KEY_MAX];
    int rc;

    if (s->remote && (rc = sd_presence_lookup(s, hex)) >= 0) {
        return rc;
    }
    sd_store_object_key(key, hex);
    return exists(s, key);
}

int sd_store_has_manifest(sd_store *s, const char *id)
{
    char key[SD_KEY_MAX];

    sd_store_manifest_key(key, id);
    return exists(s, key);
}

/* ---- verifying reader over a source file ------------------------------ */

typedef struct {
    snapdir_store_reader base;
    int fd;
    const char *path;
    const char *hex;
    blake3_hasher h;
    uint64_t done;
    int verified;  /* the whole file matched; further reads return 0 */
    int is_object; /* the source is a stored object, not a user's file */
} file_reader;

static int file_reader_mismatch(file_reader *r, const char *why)
{
    char shown[1024];

    if (r->is_object) {
        return sd_error_set(SNAPDIR_EMISMATCH,
                            "integrity check failed for %s: expected %.64s "
                            "(%s)",
                            sd_path_display(shown, sizeof(shown), r->path),
                            r->hex, why);
    }
    return sd_error_set(SNAPDIR_EINFLUX,
                        "file changed since it was hashed (%s): %s; re-run on "
                        "a quiescent tree",
                        why, sd_path_display(shown, sizeof(shown), r->path));
}

static int64_t
file_reader_read(snapdir_store_reader *base, void *buf, size_t len)
{
    file_reader *r = (file_reader *)base;
    uint8_t digest[32];
    char hex[65];
    ssize_t n;

    if (r->verified) {
        return 0;
    }
    if (r->done + len > r->base.size) {
        len = (size_t)(r->base.size - r->done);
    }
    n = 0;
    if (len > 0) {
        do {
            n = read(r->fd, buf, len);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            return sd_fs_error("cannot read", r->path, errno);
        }
        if (n == 0) {
            return file_reader_mismatch(r, "it shrank");
        }
        blake3_hasher_update(&r->h, buf, (size_t)n);
        r->done += (uint64_t)n;
    }
    if (r->done < r->base.size) {
        return n;
    }
    /*
     * The last bytes: only hand them over once they match. A file that grew
     * meanwhile is fine: its first `size` bytes are the snapshot's content.
     */
    blake3_hasher_finalize(&r->h, digest, sizeof(digest));
    sd_hex_encode(hex, digest, sizeof(digest));
    if (memcmp(hex, r->hex, 64) != 0) {
        return file_reader_mismatch(r, "its content differs");
    }
    r->verified = 1;
    return n;
}

static int file_reader_rewind(snapdir_store_reader *base)
{
    file_reader *r = (file_reader *)base;

    if (lseek(r->fd, 0, SEEK_SET) != 0) {
        return sd_fs_error("cannot rewind", r->path, errno);
    }
    blake3_hasher_init(&r->h);
    r->done = 0;
    r->verified = 0;
    return 0;
}

int sd_store_put_object_file(sd_store *s,
                             const char *hex,
                             const char *src_path,
                             int src_is_object)
{
    file_reader r;
    struct stat st;
    char key[SD_KEY_MAX];
    int error;

    memset(&r, 0, sizeof(r));
    r.fd = open(src_path, O_RDONLY | O_CLOEXEC);
    if (r.fd < 0) {
        return errno == ENOENT && !src_is_object
                   ? sd_error_set(SNAPDIR_EINFLUX,
                                  "file vanished since it was hashed: %s",
                                  src_path)
                   : sd_fs_error("cannot read", src_path, errno);
    }
    if (fstat(r.fd, &st) != 0) {
        error = sd_fs_error("cannot stat", src_path, errno);
        goto cleanup;
    }
    r.base.read = file_reader_read;
    r.base.rewind = file_reader_rewind;
    r.base.size = (uint64_t)st.st_size;
    r.path = src_path;
    r.hex = hex;
    r.is_object = src_is_object;
    blake3_hasher_init(&r.h);
    sd_store_object_key(key, hex);
    sd_error_clear();
    error = s->backend->put(s->backend, key, &r.base);
    if (error < 0 && sd_error_last()->code == 0) {
        sd_error_set(error, "store %s: cannot write %s", s->uri, key);
    }
cleanup:
    close(r.fd);
    return error;
}

/* ---- verifying writer into a temporary file ----------------------------- */

typedef struct {
    snapdir_store_writer base;
    int fd;           /* -1 when only hashing */
    const char *path; /* the temporary file */
    sd_buf *mem;      /* or collect into memory */
    blake3_hasher h;
    uint64_t written;
} hash_writer;

static int
hash_writer_write(snapdir_store_writer *base, const void *data, size_t len)
{
    hash_writer *w = (hash_writer *)base;
    int error = 0;

    blake3_hasher_update(&w->h, data, len);
    w->written += len;
    if (w->fd >= 0) {
        error = sd_fs_write_all(w->fd, data, len, w->path);
    } else if (w->mem) {
        error = sd_buf_put(w->mem, data, len);
    }
    return error;
}

static int hash_writer_reset(snapdir_store_writer *base)
{
    hash_writer *w = (hash_writer *)base;

    blake3_hasher_init(&w->h);
    w->written = 0;
    if (w->fd >= 0 &&
        (ftruncate(w->fd, 0) != 0 || lseek(w->fd, 0, SEEK_SET) != 0)) {
        return sd_fs_error("cannot rewind", w->path, errno);
    }
    if (w->mem) {
        sd_buf_clear(w->mem);
    }
    return 0;
}

static void
hash_writer_init(hash_writer *w, int fd, const char *path, sd_buf *mem)
{
    memset(w, 0, sizeof(*w));
    w->base.write = hash_writer_write;
    w->base.reset = hash_writer_reset;
    w->fd = fd;
    w->path = path;
    w->mem = mem;
    blake3_hasher_init(&w->h);
}

/*
 * Fetch key into w and compare its hash with hex. A network store's body
 * that does not match is downloaded again (it may have been damaged on
 * the way) until the attempts run out; then it is SNAPDIR_EMISMATCH.
 */
static int get_verified(sd_store *s,
                        const char *key,
                        const char *hex,
                        hash_writer *w,
                        const char *what)
{
    uint8_t digest[32];
    char got[65];
    unsigned int attempt;
    int error;

    for (attempt = 1;; attempt++) {
        sd_error_clear();
        error = s->backend->get(s->backend, key, &w->base);
        if (error == SNAPDIR_STORE_ENOTFOUND) {
            return sd_error_set(SNAPDIR_ESTORE, "%s not found: %s (store %s)",
                                what, hex, s->uri);
        }
        if (error < 0) {
            if (sd_error_last()->code == 0) {
                sd_error_set(error, "store %s: cannot read %s", s->uri, key);
            }
            return error;
        }
        blake3_hasher_finalize(&w->h, digest, sizeof(digest));
        sd_hex_encode(got, digest, sizeof(digest));
        if (memcmp(got, hex, 64) == 0) {
            return 0;
        }
        if (attempt >= s->attempts) {
            break;
        }
        if ((error = hash_writer_reset(&w->base)) < 0) {
            return error;
        }
    }
    return sd_error_set(SNAPDIR_EMISMATCH,
                        "integrity check failed for %s in %s: expected "
                        "%.64s, got %s%s",
                        key, s->uri, hex, got,
                        attempt > 1 ? " (downloaded again, same result)" : "");
}

int sd_store_get_object_file(sd_store *s,
                             const char *hex,
                             const char *dest_path,
                             unsigned int mode)
{
    hash_writer w;
    char key[SD_KEY_MAX];
    char *tmp = NULL;
    int fd, error;

    sd_store_object_key(key, hex);
    if ((error = sd_fs_create_tmp(&fd, &tmp, dest_path, mode & 0777)) < 0) {
        return error;
    }
    hash_writer_init(&w, fd, tmp, NULL);
    error = get_verified(s, key, hex, &w, "object");
    /* the umask may have taken bits the file needs */
    if (error == 0 && ((mode & sd_fs_umask()) != 0 || (mode & 07000)) &&
        fchmod(fd, mode) != 0) {
        error = sd_fs_error("cannot set the mode of", tmp, errno);
    }
    if (close(fd) != 0 && error == 0) {
        error = sd_fs_error("cannot write", tmp, errno);
    }
    if (error == 0 && rename(tmp, dest_path) != 0) {
        error = sd_fs_error("cannot rename into", dest_path, errno);
    }
    if (error < 0) {
        unlink(tmp);
    }
    sd_free(tmp);
    return error;
}

int sd_store_link_object(sd_store *src, sd_store *dst, const char *hex)
{
    char key[SD_KEY_MAX], *from = NULL, *to = NULL;
    int error;

    if (!src->backend->local_path || !dst->backend->local_path) {
        return SD_EPASSTHROUGH;
    }
    sd_store_object_key(key, hex);
    if ((error = sd_store_check_object(src, hex)) < 0 ||
        (error = src->backend->local_path(src->backend, key, &from)) < 0 ||
        (error = dst->backend->local_path(dst->backend, key, &to)) < 0) {
        goto cleanup;
    }
    if ((error = sd_fs_mkdir_parent_fresh(to)) < 0) {
        goto cleanup;
    }
    if (link(from, to) != 0 && errno != EEXIST) {
        error = SD_EPASSTHROUGH; /* another filesystem, no links: copy */
    }
cleanup:
    sd_free(from);
    sd_free(to);
    return error;
}

int sd_store_check_object(sd_store *s, const char *hex)
{
    hash_writer w;
    char key[SD_KEY_MAX];

    sd_store_object_key(key, hex);
    hash_writer_init(&w, -1, NULL, NULL);
    return get_verified(s, key, hex, &w, "object");
}

/* ---- manifests ---------------------------------------------------------- */

/* One download of manifest id, parsed and checked against its id. */
static int get_manifest_once(sd_store *s,
                             const char *id,
                             const char *key,
                             hash_writer *w,
                             snapdir_manifest **out)
{
    sd_buf *text = w->mem;
    snapdir_manifest *m = NULL;
    char got[65];
    int error;

    sd_error_clear();
    error = s->backend->get(s->backend, key, &w->base);
    if (error == SNAPDIR_STORE_ENOTFOUND) {
        return sd_error_set(SNAPDIR_ESTORE, "manifest not found: %s (store %s)",
                            id, s->uri);
    }
    if (error < 0) {
        if (sd_error_last()->code == 0) {
            sd_error_set(error, "store %s: cannot read %s", s->uri, key);
        }
        return error;
    }
    /* stored text may carry comments; the id is of the canonical text */
    if ((error = sd_manifest_parse(&m, text->ptr ? text->ptr : "", text->len)) <
        0) {
        return sd_error_wrap(error, "manifest %s in %s", id, s->uri);
    }
    sd_manifest_id(got, m);
    if (memcmp(got, id, 64) != 0) {
        sd_manifest_free(m);
        return sd_error_set(SNAPDIR_EMISMATCH,
                            "integrity check failed for %s in %s: expected "
                            "%.64s, got %s",
                            key, s->uri, id, got);
    }
    *out = m;
    return 0;
}

int sd_store_get_manifest(sd_store *s, const char *id, snapdir_manifest **out)
{
    hash_writer w;
    sd_buf text = SD_BUF_INIT;
    char key[SD_KEY_MAX];
    unsigned int attempt;
    int error;

    *out = NULL;
    sd_store_manifest_key(key, id);
    hash_writer_init(&w, -1, NULL, &text);
    for (attempt = 1;; attempt++) {
        error = get_manifest_once(s, id, key, &w, out);
        /* a body damaged on the way is downloaded again */
        if (error == 0 || attempt >= s->attempts ||
            (error != SNAPDIR_EMISMATCH && error != SNAPDIR_EIO &&
             error != SNAPDIR_EINVALID_MANIFEST)) {
            break;
        }
        hash_writer_reset(&w.base);
    }
    sd_buf_dispose(&text);
    return error;
}

typedef struct {
    snapdir_store_reader base;
    const char *data;
    size_t done;
} mem_reader;

static int64_t
mem_reader_read(snapdir_store_reader *base, void *buf, size_t len)
{
    mem_reader *r = (mem_reader *)base;
    size_t left = (size_t)r->base.size - r->done;

    if (len > left) {
        len = left;
    }
    memcpy(buf, r->data + r->done, len);
    r->done += len;
    return (int64_t)len;
}

static int mem_reader_rewind(snapdir_store_reader *base)
{
    ((mem_reader *)base)->done = 0;
    return 0;
}

int sd_store_put_manifest(sd_store *s, const snapdir_manifest *m)
{
    sd_buf text = SD_BUF_INIT;
    mem_reader r;
    char id[65], key[SD_KEY_MAX];
    int error;

    sd_manifest_id(id, m);
    sd_store_manifest_key(key, id);
    if ((error = sd_manifest_render(&text, m)) < 0) {
        goto cleanup;
    }
    memset(&r, 0, sizeof(r));
    r.base.read = mem_reader_read;
    r.base.rewind = mem_reader_rewind;
    r.base.size = text.len;
    r.data = text.ptr;
    sd_error_clear();
    error = s->backend->put(s->backend, key, &r.base);
    if (error < 0 && sd_error_last()->code == 0) {
        sd_error_set(error, "store %s: cannot write %s", s->uri, key);
    }
cleanup:
    sd_buf_dispose(&text);
    return error;
}

/* SNAPDIR_VERIFY_COPIES=1: always re-hash copies (no guard trust). */
static int getenv_copy_check(void)
{
    const char *v = getenv("SNAPDIR_VERIFY_COPIES");

    return v && strcmp(v, "1") == 0;
}

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static int
same_identity(const struct stat *st, const sd_guard *g, uint64_t size)
{
    return (uint64_t)st->st_ino == g->ino && (uint64_t)st->st_size == size &&
           ns_of(&st->st_mtim) == g->mtime_ns &&
           ns_of(&st->st_ctim) == g->ctime_ns;
}

/* Reflink, else in-kernel copy; SD_EPASSTHROUGH when neither works. */
static int kernel_copy(int out, int in, uint64_t size, const char *tmp)
{
    uint64_t done = 0;

    if (ioctl(out, FICLONE, in) == 0) {
        return 0;
    }
    while (done < size) {
        ssize_t n =
            copy_file_range(in, NULL, out, NULL, (size_t)(size - done), 0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && done == 0 &&
            (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
             errno == EOPNOTSUPP || errno == EBADF)) {
            return SD_EPASSTHROUGH;
        }
        if (n < 0) {
            return sd_fs_error("cannot copy into", tmp, errno);
        }
        if (n == 0) {
            return SNAPDIR_EINFLUX; /* the source shrank */
        }
        done += (uint64_t)n;
    }
    return 0;
}

int sd_store_put_object_guarded(sd_store *s,
                                const char *hex,
                                const char *src_path,
                                const sd_guard *guard,
                                uint64_t size)
{
    char key[SD_KEY_MAX], *dest = NULL, *tmp = NULL;
    struct stat st;
    int in = -1, out = -1, error;

    if (!guard->ino || !s->backend->local_path || getenv_copy_check()) {
        return SD_EPASSTHROUGH;
    }
    sd_store_object_key(key, hex);
    in = open(src_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0 || fstat(in, &st) != 0 || !same_identity(&st, guard, size)) {
        error = SD_EPASSTHROUGH; /* changed or unreadable: hash it instead */
        goto cleanup;
    }
    if ((error = s->backend->local_path(s->backend, key, &dest)) < 0 ||
        (error = sd_fs_create_tmp_fresh(&out, &tmp, dest, 0666)) < 0) {
        goto cleanup;
    }
    error = kernel_copy(out, in, size, tmp);
    if (error == 0 &&
        (fstat(in, &st) != 0 || !same_identity(&st, guard, size))) {
        error = SNAPDIR_EINFLUX;
    }
    if (error == SNAPDIR_EINFLUX) {
        sd_error_set(SNAPDIR_EINFLUX,
                     "file changed while it was stored: %s; re-run on a "
                     "quiescent tree",
                     src_path);
    }
    if (close(out) != 0 && error == 0) {
        error = sd_fs_error("cannot write", tmp, errno);
    }
    out = -1;
    if (error == 0 && rename(tmp, dest) != 0) {
        error = sd_fs_error("cannot rename into", dest, errno);
    }
    if (error < 0 && tmp) {
        unlink(tmp);
    }
cleanup:
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
    }
    sd_free(tmp);
    sd_free(dest);
    return error;
}

int sd_store_put_object_mem(sd_store *s,
                            const char *hex,
                            const void *data,
                            size_t len)
{
    mem_reader r;
    char key[SD_KEY_MAX], got[65];
    int error;

    sd_blake3_hex(got, data, len);
    if (memcmp(got, hex, 64) != 0) {
        return sd_error_set(SNAPDIR_EINFLUX,
                            "content of object %.64s changed before it was "
                            "stored; re-run on a quiescent tree",
                            hex);
    }
    memset(&r, 0, sizeof(r));
    r.base.read = mem_reader_read;
    r.base.rewind = mem_reader_rewind;
    r.base.size = len;
    r.data = data;
    sd_store_object_key(key, hex);
    sd_error_clear();
    error = s->backend->put(s->backend, key, &r.base);
    if (error < 0 && sd_error_last()->code == 0) {
        sd_error_set(error, "store %s: cannot write %s", s->uri, key);
    }
    return error;
}

int sd_store_remove_manifest(sd_store *s, const char *id)
{
    char key[SD_KEY_MAX];

    if (!s->backend->remove) {
        return sd_error_set(SNAPDIR_ESTORE, "store %s cannot delete manifests",
                            s->uri);
    }
    sd_store_manifest_key(key, id);
    return s->backend->remove(s->backend, key);
}

typedef struct {
    int (*cb)(const char *id, void *p);
    void *payload;
} list_ctx;

/* ".manifests/aaa/bbb/ccc/rest" -> the id, when the parts are 64 hex */
static int manifest_key_cb(const char *key, void *payload)
{
    list_ctx *c = payload;
    char id[65];
    size_t o = 0;
    const char *p = key + strlen(".manifests/");

    for (; *p && o < 64; p++) {
        if (*p != '/') {
            id[o++] = *p;
        }
    }
    id[o] = '\0';
    if (o != 64 || *p || !sd_is_lower_hex(id, 64)) {
        return 0; /* temporary files and strays are not manifests */
    }
    return c->cb(id, c->payload);
}

static int list_manifests(sd_store *s,
                          int (*cb)(const char *id, void *p),
                          void *payload,
                          int missing_ok)
{
    list_ctx c = { cb, payload };
    int error;

    sd_error_clear();
    error = s->backend->list(s->backend, ".manifests/", manifest_key_cb, &c);
    if (error == SNAPDIR_STORE_ENOTFOUND) {
        /* a mistyped path must not look like an empty store */
        return missing_ok ? 0
                          : sd_error_set(SNAPDIR_ESTORE,
                                         "store location does not exist: %s",
                                         s->root ? s->root : s->uri);
    }
    if (error < 0 && sd_error_last()->code == 0) {
        sd_error_set(error, "store %s: cannot list manifests", s->uri);
    }
    return error;
}

int sd_store_list_manifests(sd_store *s,
                            int (*cb)(const char *id, void *p),
                            void *payload)
{
    return list_manifests(s, cb, payload, 0);
}

int sd_store_list_manifests_or_none(sd_store *s,
                                    int (*cb)(const char *id, void *p),
                                    void *payload)
{
    return list_manifests(s, cb, payload, 1);
}
