/* SPDX-License-Identifier: MIT */
/* progress.c - the live progress line; see progress.h. */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct cli_progress {
    int color;
    unsigned int frame;
    double started;
    int drawn;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

cli_progress *cli_progress_start(const cli_args *a, int no_progress_flag)
{
    const char *term = getenv("TERM");
    cli_progress *p;

    if (a->quiet || a->no_progress || no_progress_flag ||
        cli_env_flag("SNAPDIR_NO_PROGRESS") || !isatty(2) ||
        (term && strcmp(term, "dumb") == 0)) {
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (!p) {
        return NULL;
    }
    if (strcmp(a->color, "always") == 0) {
        p->color = 1;
    } else if (strcmp(a->color, "auto") == 0) {
        p->color = getenv("NO_COLOR") == NULL;
    }
    p->started = now();
    return p;
}

static void human_bytes(char *out, size_t len, double v)
{
    static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
    size_t u = 0;

    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    snprintf(out, len, v < 10 && u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static int width(void)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");

    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return ws.ws_col;
    }
    long n = cols ? strtol(cols, NULL, 10) : 0;

    return n > 0 && n < 10000 ? (int)n : 80;
}

int cli_progress_cb(const snapdir_progress *s, void *payload)
{
    static const char *const spin[] = { "⠋", "⠙", "⠹", "⠸", "⠼",
                                        "⠴", "⠦", "⠧", "⠇", "⠏" };
    static const char *const phases[] = { "discovering", "hashing", "transfer",
                                          "done" };
    cli_progress *p = payload;
    char line[512], done[32], total[32], rate[32], eta[32] = "eta --";
    double elapsed;
    int n, w;

    if (!p) {
        return 0;
    }
    elapsed = now() - p->started;
    human_bytes(done, sizeof(done), (double)s->bytes_done);
    human_bytes(total, sizeof(total), (double)s->bytes_total);
    human_bytes(rate, sizeof(rate),
                elapsed > 0 ? (double)s->bytes_done / elapsed : 0);
    if (elapsed > 0 && s->bytes_done > 0 && s->bytes_total > s->bytes_done) {
        double left = (double)(s->bytes_total - s->bytes_done) /
                      ((double)s->bytes_done / elapsed);

        snprintf(eta, sizeof(eta), "eta %.0fs", left);
    }
    n = snprintf(line, sizeof(line),
                 "%s%s%s %s%s%s %llu/%llu files %s/%s %s/s %s",
                 p->color ? "\x1b[36m" : "", spin[p->frame++ % 10],
                 p->color ? "\x1b[0m" : "", p->color ? "\x1b[1m" : "",
                 phases[s->phase & 3], p->color ? "\x1b[0m" : "",
                 (unsigned long long)s->files_done,
                 (unsigned long long)s->files_total, done, total, rate, eta);
    w = width();
    if (n > 0 && !p->color && n >= w) {
        line[w > 1 ? w - 1 : 0] = '\0';
    }
    fprintf(stderr, "\r\x1b[K%s", line);
    fflush(stderr);
    p->drawn = 1;
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (!p) {
        return;
    }
    if (p->drawn) {
        fputs("\r\x1b[K", stderr);
        fflush(stderr);
    }
    free(p);
}
