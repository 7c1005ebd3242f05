/* SPDX-License-Identifier: MIT */
/*
 * store_file.c - the file:// backend (also the local cache). Keys are paths
 * under the root. Writes go to a temporary sibling that is renamed into
 * place, so a reader sees no file or the whole file; directories of the
 * sharded layout are created only when an open says they are missing.
 */
#include "store/sd_store.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"
#include "util/sd_path.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IO_CHUNK (256 * 1024)

typedef struct {
    snapdir_store parent;
    char *root;
} file_store;

static char *path_of(const file_store *fs, const char *key)
{
    return sd_path_join(fs->root, key);
}

static int file_exists(snapdir_store *s, const char *key)
{
    char *path = path_of((file_store *)s, key);
    struct stat st;
    int rc;

    if (!path) {
        return SNAPDIR_EINTERNAL;
    }
    if (stat(path, &st) == 0) {
        rc = S_ISREG(st.st_mode) ? 1 : 0;
    } else if (errno == ENOENT || errno == ENOTDIR) {
        rc = 0;
    } else {
        rc = sd_fs_error("cannot stat", path, errno);
    }
    sd_free(path);
    return rc;
}

/*
 * Objects are immutable and every caller verifies what it reads, so a short
 * read is taken as the end of the file: it saves the read() that would
 * only confirm EOF, and a file that was not really complete fails its hash.
 */
static int read_all(int fd, const char *path, snapdir_store_writer *w)
{
    char small[16384], *buf = small;
    size_t cap = sizeof(small);
    int error = 0;

    for (;;) {
        ssize_t n = read(fd, buf, cap);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = sd_fs_error("cannot read", path, errno);
            break;
        }
        if (n == 0 || (error = w->write(w, buf, (size_t)n)) < 0 ||
            (size_t)n < cap) {
            break;
        }
        if (buf == small) {
            /* a big object: switch to large reads */
            if (!(buf = sd_malloc(IO_CHUNK))) {
                return SNAPDIR_EINTERNAL;
            }
            cap = IO_CHUNK;
        }
    }
    if (buf != small) {
        sd_free(buf);
    }
    return error;
}

static int file_get(snapdir_store *s, const char *key, snapdir_store_writer *w)
{
    char *path = path_of((file_store *)s, key);
    int fd, error;

    if (!path) {
        return SNAPDIR_EINTERNAL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = (errno == ENOENT || errno == ENOTDIR)
                    ? SNAPDIR_STORE_ENOTFOUND
                    : sd_fs_error("cannot open", path, errno);
    } else {
        error = read_all(fd, path, w);
        close(fd);
    }
    sd_free(path);
    return error;
}

static int copy_in(int fd, const char *tmp, snapdir_store_reader *r)
{
    char small[16384], *buf = small;
    size_t cap = sizeof(small);
    int error = 0;

    if (r->size >= cap && (buf = sd_malloc(IO_CHUNK)) != NULL) {
        cap = IO_CHUNK;
    } else if (!buf) {
        return SNAPDIR_EINTERNAL;
    }
    for (;;) {
        int64_t n = r->read(r, buf, cap);

        if (n < 0) {
            error = (int)n;
            break;
        }
        if (n == 0 || (error = sd_fs_write_all(fd, buf, (size_t)n, tmp)) < 0) {
            break;
        }
    }
    if (buf != small) {
        sd_free(buf);
    }
    return error;
}

static int file_put(snapdir_store *s, const char *key, snapdir_store_reader *r)
{
    char *path = path_of((file_store *)s, key);
    char *tmp = NULL;
    int fd, error;

    if (!path) {
        return SNAPDIR_EINTERNAL;
    }
    if ((error = sd_fs_create_tmp_fresh(&fd, &tmp, path, 0666)) < 0) {
        sd_free(path);
        return error;
    }
    error = copy_in(fd, tmp, r);
    if (close(fd) != 0 && error == 0) {
        error = sd_fs_error("cannot write", tmp, errno);
    }
    if (error == 0 && rename(tmp, path) != 0) {
        error = sd_fs_error("cannot rename into", path, errno);
    }
    if (error < 0) {
        unlink(tmp);
    }
    sd_free(tmp);
    sd_free(path);
    return error;
}

/* Recursively report regular files under dir (relative key in key). */
static int list_dir(const char *dir,
                    sd_buf *key,
                    snapdir_store_list_cb cb,
                    void *payload,
                    int depth)
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

        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0)) {
            continue;
        }
        if (!(child = sd_path_join(dir, de->d_name))) {
            error = SNAPDIR_EINTERNAL;
            break;
        }
        if ((error = sd_buf_puts(key, de->d_name)) == 0 &&
            stat(child, &st) == 0) {
            if (S_ISREG(st.st_mode)) {
                error = cb(key->ptr, payload) ? 1 : 0;
            } else if (S_ISDIR(st.st_mode) && depth < 8 &&
                       (error = sd_buf_putc(key, '/')) == 0) {
                error = list_dir(child, key, cb, payload, depth + 1);
            }
        }
        key->len = keylen;
        key->ptr[keylen] = '\0';
        sd_free(child);
    }
    closedir(d);
    return error;
}

static int file_list(snapdir_store *s,
                     const char *prefix,
                     snapdir_store_list_cb cb,
                     void *payload)
{
    file_store *fs = (file_store *)s;
    sd_buf key = SD_BUF_INIT;
    struct stat st;
    char *dir;
    int error;

    /* a mistyped path must not look like an empty store */
    if (stat(fs->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return SNAPDIR_STORE_ENOTFOUND;
    }
    if (!(dir = path_of(fs, prefix))) {
        return SNAPDIR_EINTERNAL;
    }
    error = sd_buf_puts(&key, prefix);
    if (error == 0) {
        error = list_dir(dir, &key, cb, payload, 0);
    }
    sd_buf_dispose(&key);
    sd_free(dir);
    return error > 0 ? 0 : error;
}

static int file_remove(snapdir_store *s, const char *key)
{
    char *path = path_of((file_store *)s, key);
    int error = 0;

    if (!path) {
        return SNAPDIR_EINTERNAL;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        error = sd_fs_error("cannot remove", path, errno);
    }
    sd_free(path);
    return error;
}

static int file_local_path(snapdir_store *s, const char *key, char **out)
{
    *out = path_of((file_store *)s, key);
    return *out ? 0 : SNAPDIR_EINTERNAL;
}

static void file_free(snapdir_store *s)
{
    file_store *fs = (file_store *)s;

    sd_free(fs->root);
    sd_free(fs);
}

int sd_store_file_new(snapdir_store **out, const char *root)
{
    file_store *fs = sd_calloc(1, sizeof(*fs));

    *out = NULL;
    if (!fs || !(fs->root = sd_strdup(root))) {
        sd_free(fs);
        return SNAPDIR_EINTERNAL;
    }
    fs->parent.version = SNAPDIR_STORE_VERSION;
    fs->parent.scheme = "file";
    fs->parent.supports =
        SNAPDIR_STORE_SUPPORTS_REMOVE | SNAPDIR_STORE_SUPPORTS_LOCAL_PATH;
    fs->parent.get = file_get;
    fs->parent.put = file_put;
    fs->parent.exists = file_exists;
    fs->parent.list = file_list;
    fs->parent.remove = file_remove;
    fs->parent.local_path = file_local_path;
    fs->parent.free = file_free;
    *out = &fs->parent;
    return 0;
}
