/* SPDX-License-Identifier: MIT */
/* test_main.c - runs the registered unit tests; see sd_test.h. */
#include "sd_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static sd_test_case cases[512];
static size_t ncases;
int sd_test_failures;
static char tmpl[256];

void sd_test_register(const char *name, sd_test_fn fn)
{
    if (ncases < sizeof(cases) / sizeof(cases[0])) {
        cases[ncases].name = name;
        cases[ncases].fn = fn;
        ncases++;
    }
}

static void cleanup_tmp(void)
{
    char cmd[300];

    if (tmpl[0]) {
        snprintf(cmd, sizeof(cmd),
                 "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", tmpl, tmpl);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", tmpl);
        }
    }
}

const char *sd_test_tmpdir(void)
{
    static int counter;
    static char dirs[64][300]; /* a ring: earlier results stay valid */
    char *dir;

    if (!tmpl[0]) {
        const char *base = getenv("TMPDIR");

        snprintf(tmpl, sizeof(tmpl), "%s/sd-unit-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpl)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(cleanup_tmp);
    }
    dir = dirs[counter % 64];
    snprintf(dir, sizeof(dirs[0]), "%s/t%d", tmpl, ++counter);
    if (mkdir(dir, 0755) != 0) {
        perror("mkdir");
        exit(2);
    }
    return dir;
}

void sd_test_write(const char *dir,
                   const char *rel,
                   const char *content,
                   unsigned mode)
{
    char path[1024];
    int fd;
    size_t len = strlen(content);

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, content, len) != (ssize_t)len) {
        perror(path);
        exit(2);
    }
    close(fd);
    chmod(path, mode);
}

int main(int argc, char **argv)
{
    size_t i;
    int ran = 0;

    for (i = 0; i < ncases; i++) {
        int before = sd_test_failures, j, wanted = argc < 2;

        for (j = 1; j < argc; j++) {
            wanted |= strstr(cases[i].name, argv[j]) != NULL;
        }
        if (!wanted) {
            continue;
        }
        cases[i].fn();
        ran++;
        printf("%s %s\n", sd_test_failures == before ? "ok  " : "FAIL",
               cases[i].name);
    }
    printf("%d tests, %d failed\n", ran, sd_test_failures);
    return sd_test_failures ? 1 : 0;
}
