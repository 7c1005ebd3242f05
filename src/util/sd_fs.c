/* SPDX-License-Identifier: MIT */
/* sd_fs.c - filesystem helpers; see sd_fs.h. */
#include "util/sd_fs.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long tmp_counter; /* atomic */
static long cached_pid;           /* atomic; 0 until first use */
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
    __atomic_store_n(&cached_pid, 0, __ATOMIC_RELAXED);
}

static void register_fork_handler(void)
{
    pthread_atfork(NULL, NULL, forget_pid);
}

/* getpid() once per process, not once per temporary file */
static long my_pid(void)
{
    long pid = __atomic_load_n(&cached_pid, __ATOMIC_RELAXED);

    if (pid == 0) {
        pthread_once(&pid_once, register_fork_handler);
        pid = (long)getpid();
        __atomic_store_n(&cached_pid, pid, __ATOMIC_RELAXED);
    }
    return pid;
}

static int mkdir_up(char *dir, mode_t mode);

static unsigned int umask_value;
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;

/* umask() both reads and sets, which races with other threads' creates:
 * read it from /proc instead (Linux 4.7+), else assume the common 022. */
static void read_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned int m = 022;

    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "Umask: %o", &m) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    umask_value = m;
}

size_t sd_fs_stale_tmp(const char *name)
{
    size_t len = strlen(name), i, dots[2], k = 0;
    long pid = 0;

    if (len < 9 || strcmp(name + len - 4, ".tmp") != 0) {
        return 0;
    }
    /* walk back over ".<n>" and ".<pid>" */
    i = len - 4;
    while (k < 2) {
        size_t end = i;

        while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') {
            i--;
        }
        if (i == end || i == 0 || name[i - 1] != '.') {
            return 0;
        }
        dots[k++] = --i;
    }
    pid = strtol(name + dots[1] + 1, NULL, 10);
    if (pid <= 0 || dots[1] == 0 ||
        (kill((pid_t)pid, 0) != 0 ? errno != ESRCH : 1)) {
        return 0; /* still running (or not ours to judge) */
    }
    return dots[1];
}

unsigned int sd_fs_umask(void)
{
    pthread_once(&umask_once, read_umask);
    return umask_value;
}

int sd_fs_error(const char *what, const char *path, int errnum)
{
    char shown[1024], eb[128];

    return sd_error_set(SNAPDIR_EIO, "%s %s: %s", what,
                        sd_path_display(shown, sizeof(shown), path),
                        sd_strerror(errnum, eb, sizeof(eb)));
}

int sd_fs_mkdirs(const char *path, mode_t mode)
{
    char *p = sd_strdup(path);
    size_t len;
    int error;

    if (!p) {
        return SNAPDIR_EINTERNAL;
    }
    len = strlen(p);
    while (len > 1 && p[len - 1] == '/') {
        p[--len] = '\0';
    }
    error = mkdir_up(p, mode);
    sd_free(p);
    return error;
}

char *sd_fs_tmpname(const char *final)
{
    unsigned long n = __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
    size_t len = strlen(final) + 64;
    char *t = sd_malloc(len);

    if (t) {
        snprintf(t, len, "%s.%ld.%lu.tmp", final, my_pid(), n);
    }
    return t;
}

/*
 * mkdir dir, creating missing ancestors bottom-up: in the sharded layout
 * usually only the last one or two levels are new, so this costs two or
 * three calls where a top-down walk would try every component.
 */
static int mkdir_up(char *dir, mode_t mode)
{
    char *slash;
    int error;

    if (mkdir(dir, mode) == 0 || errno == EEXIST) {
        return 0;
    }
    if (errno != ENOENT || !(slash = strrchr(dir, '/')) || slash == dir) {
        return sd_fs_error("cannot create directory", dir, errno);
    }
    *slash = '\0';
    error = mkdir_up(dir, mode);
    *slash = '/';
    if (error < 0) {
        return error;
    }
    if (mkdir(dir, mode) != 0 && errno != EEXIST) {
        return sd_fs_error("cannot create directory", dir, errno);
    }
    return 0;
}

int sd_fs_mkdir_parent(const char *path)
{
    char *dir = sd_strdup(path);
    char *slash;
    int error = 0;

    if (!dir) {
        return SNAPDIR_EINTERNAL;
    }
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        error = mkdir_up(dir, 0777);
    }
    sd_free(dir);
    return error;
}

/*
 * Make the directory that will hold path, guessing that its parent exists
 * but it does not (true for a new key of the sharded layout, whose last
 * level is practically unique per object): mkdir(parent), mkdir(dir), and
 * only on ENOENT the full bottom-up walk.
 */
int sd_fs_mkdir_parent_fresh(const char *path)
{
    char *dir = sd_strdup(path);
    char *last, *prev;
    int error = 0;

    if (!dir) {
        return SNAPDIR_EINTERNAL;
    }
    last = strrchr(dir, '/');
    if (last && last != dir) {
        *last = '\0';
        prev = strrchr(dir, '/');
        if (prev && prev != dir) {
            *prev = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                *prev = '/';
                error = mkdir_up(dir, 0777);
            }
            *prev = '/';
        }
        if (error == 0 && mkdir(dir, 0777) != 0 && errno != EEXIST) {
            error = mkdir_up(dir, 0777);
        }
    }
    sd_free(dir);
    return error;
}

static int create_tmp(
    int *fd_out, char **tmp_out, const char *final, mode_t mode, int fresh)
{
    char *tmp = sd_fs_tmpname(final);
    int fd, error;

    *fd_out = -1;
    *tmp_out = NULL;
    if (!tmp) {
        return SNAPDIR_EINTERNAL;
    }
    if (fresh && (error = sd_fs_mkdir_parent_fresh(final)) < 0) {
        sd_free(tmp);
        return error;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno == ENOENT) {
        /* create directories only when an open says they are missing */
        if ((error = sd_fs_mkdir_parent(final)) < 0) {
            sd_free(tmp);
            return error;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    }
    if (fd < 0) {
        error = sd_fs_error("cannot create", tmp, errno);
        sd_free(tmp);
        return error;
    }
    *fd_out = fd;
    *tmp_out = tmp;
    return 0;
}

int sd_fs_create_tmp(int *fd_out,
                     char **tmp_out,
                     const char *final,
                     mode_t mode)
{
    return create_tmp(fd_out, tmp_out, final, mode, 0);
}

int sd_fs_create_tmp_fresh(int *fd_out,
                           char **tmp_out,
                           const char *final,
                           mode_t mode)
{
    return create_tmp(fd_out, tmp_out, final, mode, 1);
}

int sd_fs_write_all(int fd, const void *buf, size_t len, const char *path)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return sd_fs_error("cannot write", path, errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int sd_fs_read_file(sd_buf *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int error = 0;

    if (fd < 0) {
        return sd_fs_error("cannot open", path, errno);
    }
    for (;;) {
        ssize_t n;

        if ((error = sd_buf_grow(b, 65536)) < 0) {
            break;
        }
        n = read(fd, b->ptr + b->len, 65536);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = sd_fs_error("cannot read", path, errno);
            break;
        }
        if (n == 0) {
            break;
        }
        b->len += (size_t)n;
        b->ptr[b->len] = '\0';
    }
    close(fd);
    return error;
}

int sd_fs_write_atomic(const char *path,
                       const void *data,
                       size_t len,
                       mode_t mode)
{
    char *tmp = NULL;
    int fd, error;

    if ((error = sd_fs_create_tmp(&fd, &tmp, path, mode)) < 0) {
        return error;
    }
    error = sd_fs_write_all(fd, data, len, tmp);
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
    return error;
}

/* Remove the contents of the directory open as fd (never following). */
static int empty_at(int fd, const char *path)
{
    DIR *d = fdopendir(fd);
    struct dirent *de;
    int error = 0;

    if (!d) {
        close(fd);
        return sd_fs_error("cannot read directory", path, errno);
    }
    while (error == 0 && (de = readdir(d)) != NULL) {
        struct stat st;
        int child;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
                error = sd_fs_error("cannot remove", de->d_name, errno);
            }
            continue;
        }
        child = openat(dirfd(d), de->d_name,
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
            /* an unreadable directory: try to make it ours, then retry */
            fchmodat(dirfd(d), de->d_name, 0700, 0);
            child = openat(dirfd(d), de->d_name,
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (child < 0) {
            error = sd_fs_error("cannot open directory", de->d_name, errno);
            continue;
        }
        if ((error = empty_at(child, de->d_name)) == 0 &&
            unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) != 0 &&
            errno != ENOENT) {
            error = sd_fs_error("cannot remove", de->d_name, errno);
        }
    }
    closedir(d);
    return error;
}

int sd_fs_empty_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        return errno == ENOENT
                   ? 0
                   : sd_fs_error("cannot open directory", dir, errno);
    }
    return empty_at(fd, dir);
}

int sd_fs_rmtree(const char *path)
{
    struct stat st;
    int error;

    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : sd_fs_error("cannot stat", path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path) == 0 || errno == ENOENT
                   ? 0
                   : sd_fs_error("cannot remove", path, errno);
    }
    if ((error = sd_fs_empty_dir(path)) < 0) {
        return error;
    }
    return rmdir(path) == 0 || errno == ENOENT
               ? 0
               : sd_fs_error("cannot remove", path, errno);
}
