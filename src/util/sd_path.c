/* SPDX-License-Identifier: MIT */
/* sd_path.c - lexical path normalisation; see sd_path.h. */
#include "util/sd_path.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void sd_path_normalize(char *path)
{
    char *out = path, *in = path;

    /* path is absolute: copy components, skipping "" and "." */
    while (*in) {
        char *start, *end;
        size_t n;

        while (*in == '/') {
            in++;
        }
        start = in;
        while (*in && *in != '/') {
            in++;
        }
        end = in;
        n = (size_t)(end - start);
        if (n == 0 || (n == 1 && start[0] == '.')) {
            continue;
        }
        *out++ = '/';
        memmove(out, start, n);
        out += n;
    }
    if (out == path) {
        *out++ = '/';
    }
    *out = '\0';
}

char *sd_path_absolute(const char *path)
{
    char *cwd = NULL, *joined;

    if (path[0] == '/') {
        joined = sd_strdup(path);
    } else {
        cwd = getcwd(NULL, 0);
        if (!cwd) {
            char eb[128];

            sd_error_set(SNAPDIR_EIO, "cannot read the current directory: %s",
                         sd_strerror(errno, eb, sizeof(eb)));
            return NULL;
        }
        joined = sd_path_join(cwd, path);
        sd_free(cwd);
    }
    if (joined) {
        sd_path_normalize(joined);
    }
    return joined;
}

char *sd_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name), total;
    char *p;

    while (dl > 1 && dir[dl - 1] == '/') {
        dl--;
    }
    if (sd_add_overflow(dl, nl, &total) || sd_add_overflow(total, 2, &total)) {
        sd_error_set(SNAPDIR_EINTERNAL, "path too long");
        return NULL;
    }
    p = sd_malloc(total);
    if (!p) {
        return NULL;
    }
    memcpy(p, dir, dl);
    if (!(dl == 1 && dir[0] == '/')) {
        p[dl++] = '/';
    }
    memcpy(p + dl, name, nl + 1);
    return p;
}

const char *sd_path_display(char *buf, size_t len, const char *s)
{
    size_t o = 0;

    for (; *s && o + 5 < len; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    return buf;
}
