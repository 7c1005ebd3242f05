/* SPDX-License-Identifier: MIT */
/*
 * sd_excludes.c - each pattern is compiled on its own (so back-references
 * keep their numbering) and the matches are OR-ed. Paths substituted into
 * %system% are escaped so a '+' or '.' in $HOME matches only itself.
 */
#include "core/sd_excludes.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_str.h"

#include <regex.h>
#include <string.h>

struct sd_excludes {
    regex_t *res;
    size_t n;
};

static const char system_head[] =
    "(^(/vscode/|/dev/|/proc/|/sys/|/tmp/|/var/run/|/run/|/mnt/|/media/|"
    "/lost+found/|/var/snap/lxd/common/ns/shmounts/|"
    "/var/snap/lxd/common/ns/mntns/|/var/lib/lxcfs/|";

static const char common_macro[] =
    "(/(.cache|.git|.DS_Store|.vscode-server|.dbus|.gvfs|"
    ".local/share/gvfs-metadata|.local/share/Trash|.Trash|node_modules|"
    "Trash-1000)($|/))";

static int put_escaped(sd_buf *b, const char *s)
{
    int error = 0;

    for (; *s && error == 0; s++) {
        if (strchr("\\^$.|?*+()[]{}", *s)) {
            error = sd_buf_putc(b, '\\');
        }
        if (error == 0) {
            error = sd_buf_putc(b, *s);
        }
    }
    return error;
}

static int put_system(sd_buf *b, const char *home, const char *cache_dir)
{
    int error;

    if ((error = sd_buf_puts(b, system_head)) < 0 ||
        (error = put_escaped(b, home ? home : "")) < 0 ||
        (error = sd_buf_puts(b, "/.cache/|")) < 0 ||
        (error = put_escaped(b, cache_dir ? cache_dir : "")) < 0) {
        return error;
    }
    return sd_buf_puts(b, "))");
}

/* Expand the macros of one pattern into b. */
static int expand(sd_buf *b,
                  const char *pat,
                  const char *home,
                  const char *cache_dir,
                  int *force_no_follow)
{
    int error = 0;

    while (*pat && error == 0) {
        if (strncmp(pat, "%system%", 8) == 0) {
            error = put_system(b, home, cache_dir);
            *force_no_follow = 1;
            pat += 8;
        } else if (strncmp(pat, "%common%", 8) == 0) {
            error = sd_buf_puts(b, common_macro);
            pat += 8;
        } else {
            error = sd_buf_putc(b, *pat++);
        }
    }
    return error;
}

int sd_excludes_compile(sd_excludes **out,
                        const char *const *patterns,
                        size_t n,
                        const char *home,
                        const char *cache_dir,
                        int *force_no_follow)
{
    sd_excludes *ex = NULL;
    sd_buf b = SD_BUF_INIT;
    size_t i;
    int error = 0;

    *out = NULL;
    if (n == 0) {
        return 0;
    }
    ex = sd_calloc(1, sizeof(*ex));
    if (!ex || !(ex->res = sd_calloc(n, sizeof(regex_t)))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        int rc;

        sd_buf_clear(&b);
        if ((error = expand(&b, patterns[i], home, cache_dir,
                            force_no_follow)) < 0 ||
            (error = sd_buf_putc(&b, '\0')) < 0) {
            goto cleanup;
        }
        rc = regcomp(&ex->res[i], b.ptr, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[256];

            regerror(rc, &ex->res[i], why, sizeof(why));
            error =
                sd_error_set(SNAPDIR_EIO, "invalid exclude pattern '%s': %s",
                             patterns[i], why);
            goto cleanup;
        }
        ex->n++;
    }
    *out = ex;
    ex = NULL;
cleanup:
    sd_buf_dispose(&b);
    sd_excludes_free(ex);
    return error;
}

int sd_excludes_match(const sd_excludes *ex, const char *path)
{
    size_t i;

    if (!ex) {
        return 0;
    }
    for (i = 0; i < ex->n; i++) {
        if (regexec(&ex->res[i], path, 0, NULL, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

void sd_excludes_free(sd_excludes *ex)
{
    size_t i;

    if (!ex) {
        return;
    }
    for (i = 0; i < ex->n; i++) {
        regfree(&ex->res[i]);
    }
    sd_free(ex->res);
    sd_free(ex);
}
