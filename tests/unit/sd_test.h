/* SPDX-License-Identifier: MIT */
/*
 * sd_test.h - a tiny unit-test harness: each test_<area>.c lists its cases
 * with SD_TEST(); test_main.c runs them all (or those named on argv).
 */
#ifndef SD_TEST_H
#define SD_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*sd_test_fn)(void);

typedef struct {
    const char *name;
    sd_test_fn fn;
} sd_test_case;

void sd_test_register(const char *name, sd_test_fn fn);
extern int sd_test_failures;

#define SD_TEST(name)                                                          \
    static void name(void);                                                    \
    __attribute__((constructor)) static void register_##name(void)             \
    {                                                                          \
        sd_test_register(#name, name);                                         \
    }                                                                          \
    static void name(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            sd_test_failures++;                                                \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                               \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,   \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                   \
            sd_test_failures++;                                                \
            return;                                                            \
        }                                                                      \
    } while (0)

/* A fresh temporary directory (removed at exit); valid for 64 calls. */
const char *sd_test_tmpdir(void);
/* Write a file (mode applied with chmod). */
void sd_test_write(const char *dir,
                   const char *rel,
                   const char *content,
                   unsigned mode);

#endif
