/* SPDX-License-Identifier: MIT */
/*
 * xferopt.h - the transfer flags (cli-surface.md §3, "Transfer") shared by
 * stage, push, fetch, pull, checkout and sync, and the mirror flags of
 * pull and checkout.
 */
#ifndef CLI_XFEROPT_H
#define CLI_XFEROPT_H

#include "cli/opt.h"
#include "snapdir.h"

#define CLI_STORE_OPT                                                          \
    {                                                                          \
        "store", 0, OPT_VALUE, "URI", "SNAPDIR_STORE",                         \
            "Store URI: file:///path, s3://bucket/prefix, "                    \
            "b2://bucket/prefix, "                                             \
            "gs://bucket/prefix"                                               \
    }
#define CLI_CACHE_DIR_OPT                                                      \
    {                                                                          \
        "cache-dir", 0, OPT_VALUE, "DIR", "SNAPDIR_CACHE_DIR",                 \
            "Local cache [default: ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir]"   \
    }
#define CLI_CATALOG_OPT                                                        \
    {                                                                          \
        "catalog", 0, OPT_VALUE, "NAME", "SNAPDIR_CATALOG",                    \
            "Catalog: a name, a file path, or none to disable"                 \
    }
#define CLI_ID_OPT                                                             \
    {                                                                          \
        "id", 0, OPT_VALUE, "ID", NULL, "Snapshot id (64 hex digits)"          \
    }

#define CLI_TRANSFER_OPTS                                                          \
    CLI_STORE_OPT, CLI_CATALOG_OPT,                                                \
        { "objects-store",                                                         \
          0,                                                                       \
          OPT_VALUE,                                                               \
          "URI",                                                                   \
          "SNAPDIR_OBJECTS_STORE",                                                 \
          "Keep objects in this store and manifests in --store" },                 \
        CLI_CACHE_DIR_OPT, CLI_ID_OPT,                                             \
        { "jobs",                                                                  \
          'j',                                                                     \
          OPT_VALUE,                                                               \
          "N",                                                                     \
          "SNAPDIR_JOBS",                                                          \
          "Parallel transfers (0 or unset: all cores, at most 16)" },              \
        { "limit-rate",                                                            \
          0,                                                                       \
          OPT_VALUE,                                                               \
          "RATE",                                                                  \
          "SNAPDIR_LIMIT_RATE",                                                    \
          "Byte-rate cap for network stores, e.g. 10M, 512K, 1G" },                \
        { "adaptive",                                                              \
          0,                                                                       \
          OPT_OPTIONAL_EQ,                                                         \
          "FRACTION",                                                              \
          "SNAPDIR_ADAPTIVE",                                                      \
          "Accepted for compatibility; concurrency is fixed by --jobs" },          \
        { "max-jobs",                                                              \
          0,                                                                       \
          OPT_VALUE,                                                               \
          "N",                                                                     \
          "SNAPDIR_MAX_JOBS",                                                      \
          "Accepted for compatibility (ceiling for --adaptive)" },                 \
        { "max-retries", 0,    OPT_VALUE,                                          \
          "N",           NULL, "Attempts per network request [default: 5]" },      \
        { "retry-base-ms",                                                         \
          0,                                                                       \
          OPT_VALUE,                                                               \
          "MS",                                                                    \
          NULL,                                                                    \
          "First retry backoff [default: 250]" },                                  \
        { "retry-max-ms", 0,    OPT_VALUE,                                         \
          "MS",           NULL, "Backoff cap [default: 30000]" },                  \
        { "max-requests",                                                          \
          0,                                                                       \
          OPT_VALUE,                                                               \
          "N",                                                                     \
          NULL,                                                                    \
          "Requests per second [default: the backend's published limit]" },        \
        { "linked", 0,    OPT_FLAG,                                                \
          NULL,     NULL, "Check out read-only symbolic links into the cache" },   \
        { "force",  0,                                                             \
          OPT_FLAG, NULL,                                                          \
          NULL,     "Accepted for compatibility; never bypasses a safety check" }, \
        { "keep", 0, OPT_FLAG, NULL, NULL, "Accepted for compatibility" },         \
    {                                                                              \
        "dryrun", 0, OPT_FLAG, NULL, NULL,                                         \
            "Print what would change; change nothing"                              \
    }

#define CLI_MIRROR_OPTS                                                        \
    {                                                                          \
        "delete", 0,                                                           \
        OPT_FLAG, NULL,                                                        \
        NULL,     "Make DIR an exact mirror: prune what the snapshot lacks"    \
    },                                                                         \
    {                                                                          \
        "exclude", 0, OPT_LIST, "PATTERN", NULL,                               \
            "With --delete: never prune paths (./rel) matching this ERE"       \
    }

/* Everything a transfer command resolved from its flags. */
typedef struct {
    snapdir_transfer_options o;
    snapdir_stats stats;
    const char *id; /* --id, validated later by the library */
} cli_transfer;

/*
 * Fill t from the transfer flags present in a's command (and their env
 * fallbacks). Returns CLI_CONTINUE, or an exit status after a usage error.
 */
int cli_transfer_options(cli_transfer *t, const cli_args *a);

/* Parse a wget-style rate ("10M", "512K", "1.5G", "1000"); -1 if bad. */
int cli_parse_rate(const char *s, unsigned long long *out);

/* Print "dry-run: ..." style notices unless --quiet. */
void cli_notice(const cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Does the command carry this option? */
int cli_has_opt(const cli_args *a, const char *name);

/* With --verbose (and not --quiet): "transfers: N concurrent[, limit R]". */
void cli_banner(const cli_args *a, const cli_transfer *t);

#endif
