/* SPDX-License-Identifier: MIT */
/*
 * sd_manifest.c - parse, render and hash manifests (manifest-format.md §1,
 * §5). Parsing is strict because manifests from stores are untrusted input:
 * canonical fields only, no path that escapes the root, no duplicates.
 */
#include "core/sd_manifest.h"
#include "hash/sd_hash.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sd_manifest_new(snapdir_manifest **out, snapdir_hash_kind hash)
{
    snapdir_manifest *m = sd_calloc(1, sizeof(*m));

    *out = NULL;
    if (!m) {
        return SNAPDIR_EINTERNAL;
    }
    m->hash = hash;
    m->hex_len = 2 * sd_hash_len(hash);
    sd_arena_init(&m->arena, 256 * 1024);
    *out = m;
    return 0;
}

int sd_manifest_push(snapdir_manifest *m,
                     char type,
                     uint32_t mode,
                     const char *checksum,
                     uint64_t size,
                     const char *path,
                     size_t path_len,
                     sd_entry **added)
{
    sd_entry *e;

    if (path_len > UINT32_MAX) {
        return sd_error_set(SNAPDIR_EINTERNAL, "path too long");
    }
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        sd_entry *n = sd_reallocarray(m->entries, cap, sizeof(*n));

        if (!n) {
            return SNAPDIR_EINTERNAL;
        }
        m->entries = n;
        m->cap = cap;
    }
    e = &m->entries[m->count];
    memset(e, 0, sizeof(*e));
    e->path = sd_arena_strndup(&m->arena, path, path_len);
    if (!e->path) {
        return SNAPDIR_EINTERNAL;
    }
    e->path_len = (uint32_t)path_len;
    e->type = type;
    e->mode = mode;
    e->size = size;
    memcpy(e->checksum, checksum, m->hex_len);
    e->checksum[m->hex_len] = '\0';
    m->count++;
    if (added) {
        *added = e;
    }
    return 0;
}

void sd_manifest_free(snapdir_manifest *m)
{
    if (!m) {
        return;
    }
    sd_arena_dispose(&m->arena);
    sd_free(m->entries);
    sd_free(m);
}

int sd_path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c) {
        return c;
    }
    return alen < blen ? -1 : alen > blen;
}

static int entry_cmp(const void *x, const void *y)
{
    const sd_entry *a = x, *b = y;

    return sd_path_cmp(a->path, a->path_len, b->path, b->path_len);
}

const sd_entry *
sd_manifest_find(const snapdir_manifest *m, const char *path, size_t path_len)
{
    size_t lo = 0, hi = m->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sd_entry *e = &m->entries[mid];
        int c = sd_path_cmp(e->path, e->path_len, path, path_len);

        if (c == 0) {
            return e;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct {
    const char *p;
    size_t len;
} span;

static int bad_line(size_t lineno, const char *what, span s)
{
    char shown[256];
    size_t n = s.len < 200 ? s.len : 200;
    size_t i, o = 0;

    for (i = 0; i < n && o + 5 < sizeof(shown); i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            o += (size_t)snprintf(shown + o, sizeof(shown) - o, "\\x%02x", c);
        } else {
            shown[o++] = (char)c;
        }
    }
    shown[o] = '\0';
    return sd_error_set(SNAPDIR_EINVALID_MANIFEST,
                        "manifest line %zu: %s: \"%s%s\"", lineno, what, shown,
                        s.len > n ? "..." : "");
}

/* Canonical unsigned decimal or octal: digits only, no leading zero. */
static int parse_uint(span s, unsigned base, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (s.len == 0 || (s.len > 1 && s.p[0] == '0')) {
        return -1;
    }
    for (i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');

        if (s.p[i] < '0' || d >= base) {
            return -1;
        }
        if (v > (max - d) / base) {
            return -1;
        }
        v = v * base + d;
    }
    *out = v;
    return 0;
}

/* Check the path's shape; returns NULL when fine, else why not. */
static const char *path_problem(span p, char type, int absolute)
{
    size_t i = absolute ? 1 : 2, start;
    int is_dir = p.len > 0 && p.p[p.len - 1] == '/';

    if (type == 'D' && !is_dir) {
        return "directory path does not end with '/'";
    }
    if (type == 'F' && is_dir) {
        return "file path ends with '/'";
    }
    if (memchr(p.p, '\0', p.len)) {
        return "path contains a NUL byte";
    }
    /* walk segments after the "./" or "/" prefix */
    while (i < p.len) {
        start = i;
        while (i < p.len && p.p[i] != '/') {
            i++;
        }
        if (i - start == 0) {
            return "path has an empty segment";
        }
        if ((i - start == 1 && p.p[start] == '.') ||
            (i - start == 2 && p.p[start] == '.' && p.p[start + 1] == '.')) {
            return "path has a '.' or '..' segment";
        }
        i++; /* skip '/' */
    }
    return NULL;
}

/* Split "T PERM SUM SIZE PATH" on the first four spaces. */
static int split_fields(span line, span f[5])
{
    size_t i = 0, k;

    for (k = 0; k < 4; k++) {
        const char *sp = memchr(line.p + i, ' ', line.len - i);

        if (!sp) {
            return -1;
        }
        f[k].p = line.p + i;
        f[k].len = (size_t)(sp - f[k].p);
        i = (size_t)(sp - line.p) + 1;
    }
    f[4].p = line.p + i;
    f[4].len = line.len - i;
    return f[4].len ? 0 : -1;
}

static int
parse_line(snapdir_manifest *m, span line, size_t lineno, int *absolute)
{
    span f[5];
    uint64_t mode, size;
    const char *problem;
    sd_entry *e;
    int abs, error;

    if (split_fields(line, f) < 0) {
        return bad_line(lineno,
                        "malformed manifest line (expected 'TYPE PERM "
                        "CHECKSUM SIZE PATH')",
                        line);
    }
    if (f[0].len != 1 || (f[0].p[0] != 'F' && f[0].p[0] != 'D')) {
        return bad_line(lineno, "invalid path type (expected 'F' or 'D')",
                        f[0]);
    }
    if (parse_uint(f[1], 8, 07777, &mode) < 0) {
        return bad_line(lineno, "invalid permissions (expected octal 0-7777)",
                        f[1]);
    }
    if (m->count == 0 && f[2].len == 32) {
        /* the first entry tells the algorithm: 32 hex digits are MD5 */
        m->hash = SNAPDIR_HASH_MD5;
        m->hex_len = 32;
    }
    if (f[2].len != m->hex_len || !sd_is_lower_hex(f[2].p, f[2].len)) {
        return bad_line(lineno, "invalid checksum (expected lowercase hex)",
                        f[2]);
    }
    if (parse_uint(f[3], 10, UINT64_MAX, &size) < 0) {
        return bad_line(lineno, "invalid size field", f[3]);
    }
    abs = f[4].p[0] == '/';
    if (!abs && (f[4].len < 2 || f[4].p[0] != '.' || f[4].p[1] != '/')) {
        return bad_line(lineno, "path must start with './' or '/'", f[4]);
    }
    if (*absolute >= 0 && abs != *absolute) {
        return bad_line(lineno, "path mixes absolute and relative forms", f[4]);
    }
    *absolute = abs;
    if ((problem = path_problem(f[4], f[0].p[0], abs)) != NULL) {
        return bad_line(lineno, problem, f[4]);
    }
    if ((error = sd_manifest_push(m, f[0].p[0], (uint32_t)mode, f[2].p, size,
                                  f[4].p, f[4].len, &e)) < 0) {
        return error;
    }
    e->line = lineno > UINT32_MAX ? UINT32_MAX : (uint32_t)lineno;
    return 0;
}

/* After sorting: report the first duplicate path. */
static int check_duplicates(const snapdir_manifest *m)
{
    size_t i;

    for (i = 1; i < m->count; i++) {
        const sd_entry *a = &m->entries[i - 1], *b = &m->entries[i];

        if (a->path_len == b->path_len &&
            memcmp(a->path, b->path, a->path_len) == 0) {
            span s = { b->path, b->path_len };

            return bad_line(a->line > b->line ? a->line : b->line,
                            "duplicate path", s);
        }
    }
    /* "./x" (a file) and "./x/" (a directory) name one filesystem path */
    for (i = 1; i < m->count; i++) {
        const sd_entry *d = &m->entries[i], *f;

        if (d->type == 'D' &&
            (f = sd_manifest_find(m, d->path, d->path_len - 1)) != NULL) {
            span s = { d->path, d->path_len };

            return bad_line(f->line > d->line ? f->line : d->line,
                            "a file and a directory share the path", s);
        }
    }
    return 0;
}

int sd_manifest_parse(snapdir_manifest **out, const char *text, size_t len)
{
    snapdir_manifest *m = NULL;
    size_t pos = 0, lineno = 0;
    int absolute = -1, error;

    *out = NULL;
    if ((error = sd_manifest_new(&m, SNAPDIR_HASH_BLAKE3)) < 0) {
        return error;
    }
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        span line = { text + pos, nl ? (size_t)(nl - text) - pos : len - pos };

        pos += line.len + (nl ? 1 : 0);
        lineno++;
        if (line.len && line.p[line.len - 1] == '\r') {
            line.len--;
        }
        if (line.len == 0 || line.p[0] == '#') {
            continue;
        }
        if (!sd_utf8_valid(line.p, line.len)) {
            error = bad_line(lineno, "line is not valid UTF-8", line);
            goto cleanup;
        }
        if ((error = parse_line(m, line, lineno, &absolute)) < 0) {
            goto cleanup;
        }
    }
    m->absolute = absolute > 0;
    if (m->count > 1) {
        qsort(m->entries, m->count, sizeof(sd_entry), entry_cmp);
    }
    if ((error = check_duplicates(m)) < 0) {
        goto cleanup;
    }
    *out = m;
    m = NULL;
cleanup:
    sd_manifest_free(m);
    return error;
}

/* ---- rendering and the id --------------------------------------------- */

static size_t render_line(char *buf, const sd_entry *e, size_t hex_len)
{
    size_t o = 0;
    char num[24];
    int n;

    buf[o++] = e->type;
    buf[o++] = ' ';
    n = snprintf(num, sizeof(num), "%o", e->mode);
    memcpy(buf + o, num, (size_t)n);
    o += (size_t)n;
    buf[o++] = ' ';
    memcpy(buf + o, e->checksum, hex_len);
    o += hex_len;
    buf[o++] = ' ';
    n = snprintf(num, sizeof(num), "%llu", (unsigned long long)e->size);
    memcpy(buf + o, num, (size_t)n);
    o += (size_t)n;
    buf[o++] = ' ';
    return o;
}

/* The fixed fields of a line are at most 1+1+4+1+64+1+20+1 bytes. */
#define FIXED_MAX 96

int sd_manifest_render(sd_buf *out, const snapdir_manifest *m)
{
    size_t i;
    int error;

    if (m->count == 0) {
        return sd_buf_putc(out, '\n'); /* the empty manifest (format §5) */
    }
    for (i = 0; i < m->count; i++) {
        const sd_entry *e = &m->entries[i];
        char fixed[FIXED_MAX];
        size_t n = render_line(fixed, e, m->hex_len);

        if ((error = sd_buf_put(out, fixed, n)) < 0 ||
            (error = sd_buf_put(out, e->path, e->path_len)) < 0 ||
            (error = sd_buf_putc(out, '\n')) < 0) {
            return error;
        }
    }
    return 0;
}

void sd_manifest_id(char out[65], const snapdir_manifest *m)
{
    blake3_hasher h;
    uint8_t digest[BLAKE3_OUT_LEN];
    size_t i;

    blake3_hasher_init(&h);
    if (m->count == 0) {
        /* the empty manifest renders as one empty line (format §5) */
        blake3_hasher_update(&h, "\n", 1);
    }
    for (i = 0; i < m->count; i++) {
        const sd_entry *e = &m->entries[i];
        char fixed[FIXED_MAX];
        size_t n = render_line(fixed, e, m->hex_len);

        blake3_hasher_update(&h, fixed, n);
        blake3_hasher_update(&h, e->path, e->path_len);
        blake3_hasher_update(&h, "\n", 1);
    }
    blake3_hasher_finalize(&h, digest, sizeof(digest));
    sd_hex_encode(out, digest, sizeof(digest));
}
