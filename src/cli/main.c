/* SPDX-License-Identifier: MIT */
/*
 * main.c - the command table and dispatch. Universal flags may come before
 * the subcommand; they are moved behind it so each command parses them.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/opt.h"
#include "snapdir.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "manifest", cmd_manifest, "Print the manifest of a directory" },
    { "id", cmd_id,
      "Print the snapshot id of a directory, or of a manifest on stdin" },
    { "stage", cmd_stage, "Snapshot a directory into the local cache" },
    { "push", cmd_push, "Upload a snapshot to a store" },
    { "fetch", cmd_fetch, "Download a snapshot into the local cache" },
    { "pull", cmd_pull, "Fetch a snapshot, then check it out" },
    { "checkout", cmd_checkout,
      "Materialise a cached snapshot into a directory" },
    { "verify", cmd_verify, "Re-hash every object of a snapshot in a store" },
    { "verify-cache", cmd_verify_cache,
      "Re-hash the local cache and find missing objects" },
    { "flush-cache", cmd_flush_cache, "Delete everything in the local cache" },
    { "locations", cmd_locations,
      "List every recorded location with its latest snapshot, as JSON lines" },
    { "ancestors", cmd_ancestors,
      "Print the snapshots an id replaced, as JSON lines" },
    { "revisions", cmd_revisions,
      "Print the snapshot history of a location, as JSON lines" },
    { "defaults", cmd_defaults,
      "Print every effective setting and where it comes from" },
    { "sync", cmd_sync, "Copy a snapshot from one store to another" },
    { "diff", cmd_diff, "Compare two sets of snapshots by their manifests" },
    { "version", cmd_version, "Print the version" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
    size_t i;

    fprintf(f, "Content-addressable directory snapshots.\n\n"
               "Usage: snapdir [OPTIONS] <COMMAND>\n\nCommands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "  %-13s %s\n", "help",
            "Print this message or the help of the "
            "given subcommand(s)");
    fprintf(f, "\nOptions:\n");
    for (i = 0; i < cli_universal_count; i++) {
        const cli_opt *o = &cli_universal_opts[i];

        if (o->short_name) {
            fprintf(f, "  -%c, --%s", o->short_name, o->name);
        } else {
            fprintf(f, "      --%s", o->name);
        }
        fprintf(f, o->value_name ? " <%s>\n" : "%s\n",
                o->value_name ? o->value_name : "");
        fprintf(f, "          %s\n", o->help);
    }
    fprintf(f, "  -h, --help\n          Print help\n"
               "  -V, --version\n          Print version\n");
}

static const command *find(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

/* Is argv[i] a universal flag? Sets *takes_value for --color. */
static int is_universal(const char *arg, int *takes_value)
{
    size_t i;

    *takes_value = 0;
    if (strcmp(arg, "-q") == 0) {
        return 1;
    }
    if (strncmp(arg, "--", 2) != 0) {
        return 0;
    }
    for (i = 0; i < cli_universal_count; i++) {
        const cli_opt *o = &cli_universal_opts[i];
        size_t n = strlen(o->name);

        if (strncmp(arg + 2, o->name, n) == 0 &&
            (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
            *takes_value = o->kind == OPT_VALUE && arg[2 + n] == '\0';
            return 1;
        }
    }
    return 0;
}

/* argv for the subcommand: its name, the early flags, then its own args. */
static char **reorder(int argc, char **argv, int cmd_at, int *out_argc)
{
    char **v = calloc((size_t)argc + 1, sizeof(char *));
    int i, n = 0;

    if (!v) {
        return NULL;
    }
    v[n++] = argv[cmd_at];
    for (i = 1; i < cmd_at; i++) {
        v[n++] = argv[i];
    }
    for (i = cmd_at + 1; i < argc; i++) {
        v[n++] = argv[i];
    }
    *out_argc = n;
    return v;
}

int main(int argc, char **argv)
{
    const command *cmd;
    char **sub;
    int i, takes_value, sub_argc, rc;

    /* a reader that closes the pipe early ends us quietly (EPIPE) */
    signal(SIGPIPE, SIG_IGN);
    for (i = 1; i < argc; i++) {
        if (!is_universal(argv[i], &takes_value)) {
            break;
        }
        i += takes_value;
    }
    if (i >= argc) {
        /* like clap: a missing subcommand is a usage error */
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
        printf("snapdir %s\n", snapdir_version());
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc && (cmd = find(argv[i + 1])) != NULL) {
            static char help_flag[] = "--help";
            char *help_argv[] = { argv[i + 1], help_flag, NULL };

            return cmd->fn(2, help_argv);
        }
        if (i + 1 < argc) {
            return cli_usage_error(NULL, "unrecognized subcommand '%s'",
                                   argv[i + 1]);
        }
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (argv[i][0] == '-') {
        return cli_usage_error(NULL, "unexpected argument '%s' found", argv[i]);
    }
    cmd = find(argv[i]);
    if (!cmd) {
        return cli_usage_error(NULL, "unrecognized subcommand '%s'", argv[i]);
    }
    sub = reorder(argc, argv, i, &sub_argc);
    if (!sub) {
        return cli_failf("out of memory");
    }
    rc = cmd->fn(sub_argc, sub);
    free(sub);
    return rc;
}
