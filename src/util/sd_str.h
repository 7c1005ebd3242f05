/* SPDX-License-Identifier: MIT */
/*
 * sd_str.h - a growable byte buffer (always NUL-terminated) and hex helpers.
 */
#ifndef SD_STR_H
#define SD_STR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *ptr;
    size_t len;
    size_t cap;
} sd_buf;

#define SD_BUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

int sd_buf_grow(sd_buf *b, size_t extra);
int sd_buf_put(sd_buf *b, const void *data, size_t len);
int sd_buf_puts(sd_buf *b, const char *s);
int sd_buf_putc(sd_buf *b, char c);
int sd_buf_printf(sd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sd_buf_clear(sd_buf *b);
/* Hand the bytes to the caller (sd_free); the buffer becomes empty. */
char *sd_buf_detach(sd_buf *b);
void sd_buf_dispose(sd_buf *b);

/* Lowercase hex of n bytes into out (2n chars + NUL). */
void sd_hex_encode(char *out, const uint8_t *in, size_t n);
/* Parse exactly 2n lowercase hex chars; returns 0 or -1. */
int sd_hex_decode(uint8_t *out, const char *in, size_t n);
/* Non-zero when s[0..len) is all lowercase hex. */
int sd_is_lower_hex(const char *s, size_t len);

/* Append s to b as a JSON string literal (quotes and escapes). */
int sd_buf_put_json_string(sd_buf *b, const char *s);

#endif

/* Non-zero when s[0..len) is well-formed UTF-8 (no overlongs/surrogates). */
int sd_utf8_valid(const char *s, size_t len);
