/* SPDX-License-Identifier: MIT */
/* sd_str.c - growable buffers and hex; see sd_str.h. */
#include "util/sd_str.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sd_buf_grow(sd_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (sd_add_overflow(b->len, extra, &need) ||
        sd_add_overflow(need, 1, &need)) {
        return sd_error_set(SNAPDIR_EINTERNAL, "buffer size overflow");
    }
    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (sd_mul_overflow(cap, 2, &cap)) {
            cap = need;
            break;
        }
    }
    p = sd_realloc(b->ptr, cap);
    if (!p) {
        return SNAPDIR_EINTERNAL;
    }
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int sd_buf_put(sd_buf *b, const void *data, size_t len)
{
    int error;

    if ((error = sd_buf_grow(b, len)) < 0) {
        return error;
    }
    if (len) {
        memcpy(b->ptr + b->len, data, len);
    }
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int sd_buf_puts(sd_buf *b, const char *s)
{
    return sd_buf_put(b, s, strlen(s));
}

int sd_buf_putc(sd_buf *b, char c)
{
    return sd_buf_put(b, &c, 1);
}

int sd_buf_printf(sd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, error;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return sd_error_set(SNAPDIR_EINTERNAL, "bad format string");
    }
    if ((error = sd_buf_grow(b, (size_t)n)) < 0) {
        return error;
    }
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void sd_buf_clear(sd_buf *b)
{
    b->len = 0;
    if (b->ptr) {
        b->ptr[0] = '\0';
    }
}

char *sd_buf_detach(sd_buf *b)
{
    char *p = b->ptr;

    if (!p) {
        p = sd_strdup("");
    }
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void sd_buf_dispose(sd_buf *b)
{
    sd_free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

static const char hexdigits[] = "0123456789abcdef";

void sd_hex_encode(char *out, const uint8_t *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int sd_hex_decode(uint8_t *out, const char *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int sd_is_lower_hex(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (hexval(s[i]) < 0) {
            return 0;
        }
    }
    return 1;
}

int sd_buf_put_json_string(sd_buf *b, const char *s)
{
    int error = sd_buf_putc(b, '"');

    for (; error == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;

        switch (c) {
        case '"':
            error = sd_buf_puts(b, "\\\"");
            break;
        case '\\':
            error = sd_buf_puts(b, "\\\\");
            break;
        case '\n':
            error = sd_buf_puts(b, "\\n");
            break;
        case '\r':
            error = sd_buf_puts(b, "\\r");
            break;
        case '\t':
            error = sd_buf_puts(b, "\\t");
            break;
        case '\b':
            error = sd_buf_puts(b, "\\b");
            break;
        case '\f':
            error = sd_buf_puts(b, "\\f");
            break;
        default:
            if (c < 0x20) {
                error = sd_buf_printf(b, "\\u%04x", c);
            } else {
                error = sd_buf_putc(b, (char)c);
            }
        }
    }
    return error ? error : sd_buf_putc(b, '"');
}

int sd_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n, k;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + n >= len) {
            return 0;
        }
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        i += n + 1;
    }
    return 1;
}
