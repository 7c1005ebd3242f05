/* SPDX-License-Identifier: MIT */
/*
 * cmd_defaults.c - `snapdir defaults`: every effective setting, one per
 * line as "<knob> <value> source=<flag|env|default>", then the SNAPDIR_*
 * environment.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/walkopt.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const cli_opt opts[] = {
    CLI_STORE_OPT,
    CLI_CATALOG_OPT,
    { "objects-store", 0, OPT_VALUE, "URI", "SNAPDIR_OBJECTS_STORE",
      "Keep objects in this store and manifests in --store" },
    CLI_CACHE_DIR_OPT,
    { "walk-jobs", 0, OPT_VALUE, "N", "SNAPDIR_WALK_JOBS",
      "Hashing threads (0 or unset: all cores, at most 16)" },
    { "jobs", 'j', OPT_VALUE, "N", "SNAPDIR_JOBS",
      "Parallel transfers (0 or unset: all cores, at most 16)" },
    { "limit-rate", 0, OPT_VALUE, "RATE", "SNAPDIR_LIMIT_RATE",
      "Byte-rate cap for network stores" },
    { "adaptive", 0, OPT_OPTIONAL_EQ, "FRACTION", "SNAPDIR_ADAPTIVE",
      "Accepted for compatibility" },
    { "max-jobs", 0, OPT_VALUE, "N", "SNAPDIR_MAX_JOBS",
      "Accepted for compatibility" },
    { "max-retries", 0, OPT_VALUE, "N", "SNAPDIR_MAX_RETRIES",
      "Attempts per network request" },
    { "retry-base-ms", 0, OPT_VALUE, "MS", "SNAPDIR_RETRY_BASE_MS",
      "First retry backoff" },
    { "retry-max-ms", 0, OPT_VALUE, "MS", "SNAPDIR_RETRY_MAX_MS",
      "Backoff cap" },
    { "max-requests", 0, OPT_VALUE, "N", "SNAPDIR_MAX_REQUESTS",
      "Requests per second" },
};

static const cli_command command = {
    "defaults", "Print every effective setting and where it comes from",
    NULL,       NULL,
    opts,       sizeof(opts) / sizeof(opts[0]),
    0,
};

static void knob(const cli_args *a, const char *name, const char *value)
{
    printf("%s %s source=%s\n", name, value, cli_source(a, name));
}

static void knob_or(const cli_args *a, const char *name, const char *dflt)
{
    const char *v = cli_get(a, name);

    knob(a, name, v && v[0] ? v : dflt);
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void other_env(void)
{
    const char *vars[256];
    size_t n = 0, i;
    char **e;

    for (e = environ; *e && n < 256; e++) {
        if (strncmp(*e, "SNAPDIR", 7) == 0 && !strstr(*e, "VERSION")) {
            vars[n++] = *e;
        }
    }
    if (n == 0) {
        return;
    }
    qsort(vars, n, sizeof(vars[0]), by_name);
    printf("other-env:\n");
    for (i = 0; i < n; i++) {
        int legacy = strncmp(vars[i], "SNAPDIR_MANIFEST_CONTEXT=", 25) == 0 ||
                     strncmp(vars[i], "SNAPDIR_MANIFEST_EXCLUDE=", 25) == 0;

        printf("  %s%s\n", vars[i], legacy ? " (legacy)" : "");
    }
}

int cmd_defaults(int argc, char **argv)
{
    cli_args a;
    cli_transfer t;
    SnapdirError *err = NULL;
    char *cache = NULL, *catalog = NULL, num[32];
    const char *env;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long long walk = 0;
    int rc, set;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_transfer_options(&t, &a)) != CLI_CONTINUE ||
        (rc = cli_get_uint(&a, "walk-jobs", &walk, &set)) != 0) {
        goto cleanup;
    }
    cpus = cpus < 1 ? 1 : cpus > 16 ? 16 : cpus;
    if (snapdir_cache_dir(&cache, &t.o, &err) < 0 ||
        snapdir_catalog_path(&catalog, t.o.catalog, cache, &err) < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    knob(&a, "cache-dir", cache);
    knob_or(&a, "store", "none");
    knob_or(&a, "objects-store", "none");
    knob(&a, "catalog", catalog ? catalog : "none");
    snprintf(num, sizeof(num), "%u", t.o.jobs ? t.o.jobs : (unsigned)cpus);
    knob(&a, "jobs", num);
    snprintf(num, sizeof(num), "%llu", walk ? walk : (unsigned long long)cpus);
    knob(&a, "walk-jobs", num);
    knob_or(&a, "limit-rate", "none");
    knob_or(&a, "adaptive", "off");
    knob_or(&a, "max-jobs", "none");
    snprintf(num, sizeof(num), "%u", t.o.max_retries ? t.o.max_retries : 5);
    knob(&a, "max-retries", num);
    snprintf(num, sizeof(num), "%u",
             t.o.retry_base_ms ? t.o.retry_base_ms : 250);
    knob(&a, "retry-base-ms", num);
    snprintf(num, sizeof(num), "%u",
             t.o.retry_max_ms ? t.o.retry_max_ms : 30000);
    knob(&a, "retry-max-ms", num);
    knob_or(&a, "max-requests", "none");
    env = getenv("SNAPDIR_NO_PROGRESS");
    printf("no-progress %s source=%s\n",
           a.no_progress || cli_env_flag("SNAPDIR_NO_PROGRESS") ? "true"
                                                                : "false",
           a.no_progress ? "flag"
           : env         ? "env"
                         : "default");
    printf("color %s source=%s\n", a.color,
           strcmp(a.color, "auto") ? "flag" : "default");
    env = getenv("SNAPDIR_FSYNC");
    printf("fsync %s source=%s\n", env && !strcmp(env, "off") ? "off" : "batch",
           env ? "env" : "default");
    env = getenv("SNAPDIR_CLONEFILE");
    printf("clonefile %s source=%s\n",
           env && !strcmp(env, "0") ? "disabled" : "enabled",
           env ? "env" : "default");
    env = getenv("SNAPDIR_VERIFY_COPIES");
    printf("verify-copies %s source=%s\n",
           env && !strcmp(env, "1") ? "enabled" : "disabled",
           env ? "env" : "default");
    other_env();
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
cleanup:
    snapdir_string_free(cache);
    snapdir_string_free(catalog);
    cli_args_dispose(&a);
    return rc;
}
