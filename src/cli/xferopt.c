/* SPDX-License-Identifier: MIT */
/* xferopt.c - transfer flags to library options; see xferopt.h. */
#include "cli/xferopt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_has_opt(const cli_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->cmd->nopts; i++) {
        if (strcmp(a->cmd->opts[i].name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

void cli_notice(const cli_args *a, const char *fmt, ...)
{
    va_list ap;

    if (a->quiet) {
        return;
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_rate(const char *s, unsigned long long *out)
{
    char *end;
    double v, mult = 1;
    const char *p = s;

    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (!isdigit((unsigned char)*p) && *p != '.') {
        return -1;
    }
    errno = 0;
    v = strtod(p, &end);
    if (errno || end == p || v < 0 || !isfinite(v)) {
        return -1;
    }
    p = end;
    switch (tolower((unsigned char)*p)) {
    case 'k':
        mult = 1024.0;
        p++;
        break;
    case 'm':
        mult = 1024.0 * 1024;
        p++;
        break;
    case 'g':
        mult = 1024.0 * 1024 * 1024;
        p++;
        break;
    default:
        break;
    }
    if (mult > 1 && tolower((unsigned char)*p) == 'i') {
        p++;
    }
    if (mult > 1 && tolower((unsigned char)*p) == 'b') {
        p++;
    }
    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (*p) {
        return -1;
    }
    *out = (unsigned long long)(v * mult);
    return 0;
}

/* Unsigned env knobs read by hand: unparsable values are ignored. */
static unsigned long long env_uint(const char *name, unsigned long long dflt)
{
    const char *v = getenv(name);
    char *end;
    unsigned long long n;

    if (!v || !*v) {
        return dflt;
    }
    errno = 0;
    n = strtoull(v, &end, 10);
    return errno || *end || v[0] == '-' ? dflt : n;
}

static int uint_opt(const cli_args *a,
                    const char *name,
                    const char *env,
                    unsigned long long *out)
{
    int set, rc;

    if (!cli_has_opt(a, name)) {
        return CLI_CONTINUE;
    }
    if ((rc = cli_get_uint(a, name, out, &set)) != 0) {
        return rc;
    }
    if (!set && env) {
        *out = env_uint(env, *out);
    }
    return CLI_CONTINUE;
}

int cli_transfer_options(cli_transfer *t, const cli_args *a)
{
    unsigned long long jobs = 0, retries = 0, base = 0, cap = 0, reqs = 0;
    const char *rate;
    int rc;

    memset(t, 0, sizeof(*t));
    snapdir_transfer_options_init(&t->o, SNAPDIR_TRANSFER_OPTIONS_VERSION);
    t->o.stats = &t->stats;
    if (cli_has_opt(a, "store")) {
        t->o.store = cli_get(a, "store");
    }
    if (cli_has_opt(a, "objects-store")) {
        t->o.objects_store = cli_get(a, "objects-store");
    }
    if (cli_has_opt(a, "cache-dir")) {
        t->o.cache_dir = cli_get(a, "cache-dir");
    }
    if (cli_has_opt(a, "catalog")) {
        t->o.catalog = cli_get(a, "catalog");
    }
    if (cli_has_opt(a, "id")) {
        t->id = cli_get(a, "id");
    }
    if (cli_has_opt(a, "dryrun")) {
        t->o.dryrun = cli_flag(a, "dryrun");
    }
    if ((rc = uint_opt(a, "jobs", NULL, &jobs)) != CLI_CONTINUE ||
        (rc = uint_opt(a, "max-retries", "SNAPDIR_MAX_RETRIES", &retries)) !=
            CLI_CONTINUE ||
        (rc = uint_opt(a, "retry-base-ms", "SNAPDIR_RETRY_BASE_MS", &base)) !=
            CLI_CONTINUE ||
        (rc = uint_opt(a, "retry-max-ms", "SNAPDIR_RETRY_MAX_MS", &cap)) !=
            CLI_CONTINUE ||
        (rc = uint_opt(a, "max-requests", "SNAPDIR_MAX_REQUESTS", &reqs)) !=
            CLI_CONTINUE) {
        return rc;
    }
    t->o.jobs = jobs > 1024 ? 1024 : (unsigned int)jobs;
    t->o.max_retries = retries > 100 ? 100 : (unsigned int)retries;
    t->o.retry_base_ms = base > 3600000 ? 3600000 : (unsigned int)base;
    t->o.retry_max_ms = cap > 3600000 ? 3600000 : (unsigned int)cap;
    t->o.max_requests = reqs;
    if (cli_has_opt(a, "limit-rate") && (rate = cli_get(a, "limit-rate"))) {
        unsigned long long n;

        if (cli_parse_rate(rate, &n) < 0) {
            return cli_usage_error(a->cmd,
                                   "invalid value '%s' for '--limit-rate "
                                   "<RATE>': invalid --limit-rate '%s': "
                                   "expected a wget-style byte rate, e.g. "
                                   "10M, 512K, or 1G",
                                   rate, rate);
        }
        t->o.limit_rate = n;
    }
    return CLI_CONTINUE;
}

static int is_network(const char *uri)
{
    return uri && uri[0] && strncmp(uri, "file:", 5) != 0;
}

void cli_banner(const cli_args *a, const cli_transfer *t)
{
    const char *rate =
        cli_has_opt(a, "limit-rate") ? cli_get(a, "limit-rate") : NULL;
    unsigned int jobs = t->o.jobs;

    if (!a->verbose || a->quiet) {
        return;
    }
    if (jobs == 0 &&
        (is_network(t->o.store) || is_network(t->o.objects_store))) {
        jobs = 16; /* what the library uses for network stores */
    } else if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        jobs = n < 1 ? 1 : n > 16 ? 16 : (unsigned int)n;
    }
    if (rate) {
        fprintf(stderr, "transfers: %u concurrent, limit %s\n", jobs, rate);
    } else {
        fprintf(stderr, "transfers: %u concurrent\n", jobs);
    }
}
