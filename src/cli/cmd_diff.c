/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `snapdir diff --from REF... --to REF...`: file-level changes
 * between two sets of snapshots, read from manifests only. A REF is a store
 * URI (every manifest in it) or URI@ID (one snapshot).
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/opt.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <string.h>

static const cli_opt opts[] = {
    CLI_ID_OPT,
    { "from", 0, OPT_MULTI, "REF", NULL,
      "The old side: a store URI or URI@ID (repeatable; unioned)" },
    { "to", 0, OPT_MULTI, "REF", NULL,
      "The new side: a store URI or URI@ID (repeatable; unioned)" },
    { "all", 0, OPT_FLAG, NULL, NULL, "Also list unchanged files (=)" },
    { "json", 0, OPT_FLAG, NULL, NULL,
      "Print a JSON array of {\"status\", \"path\"} objects" },
    { "exit-code", 0, OPT_FLAG, NULL, NULL,
      "Exit with status 1 when there are differences" },
    { "on-conflict", 0, OPT_VALUE, "POLICY", NULL,
      "When one side holds a path twice with different content: error "
      "(default) or last-wins (the last ref on the command line)" },
};

static const cli_command command = {
    "diff", "Compare two sets of snapshots by their manifests",
    NULL,   NULL,
    opts,   sizeof(opts) / sizeof(opts[0]),
    0,
};

static int print_rows(const snapdir_diff *d, int json, int *changed)
{
    size_t i, n = snapdir_diff_count(d);

    *changed = 0;
    if (json) {
        putchar('[');
    }
    for (i = 0; i < n; i++) {
        snapdir_diff_entry e;
        const char *p;

        snapdir_diff_entry_at(&e, d, i);
        *changed |= e.status != '=';
        if (!json) {
            printf("%c\t%s\n", e.status, e.path);
            continue;
        }
        printf("%s{\"status\":\"%c\",\"path\":\"", i ? "," : "", e.status);
        for (p = e.path; *p; p++) {
            unsigned char c = (unsigned char)*p;

            if (c == '"' || c == '\\') {
                printf("\\%c", c);
            } else if (c == '\n') {
                fputs("\\n", stdout);
            } else if (c == '\r') {
                fputs("\\r", stdout);
            } else if (c == '\t') {
                fputs("\\t", stdout);
            } else if (c < 0x20) {
                printf("\\u%04x", c);
            } else {
                putchar(c);
            }
        }
        fputs("\"}", stdout);
    }
    if (json) {
        puts("]");
    }
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

int cmd_diff(int argc, char **argv)
{
    cli_args a;
    snapdir_diff_options o;
    snapdir_diff *d = NULL;
    SnapdirError *err = NULL;
    const char *policy;
    int rc, changed = 0;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE) {
        goto cleanup;
    }
    snapdir_diff_options_init(&o, SNAPDIR_DIFF_OPTIONS_VERSION);
    policy = cli_get(&a, "on-conflict");
    if (policy && strcmp(policy, "error") && strcmp(policy, "last-wins")) {
        rc = cli_usage_error(&command,
                             "invalid value '%s' for '--on-conflict "
                             "<POLICY>'\n  [possible values: error, "
                             "last-wins]",
                             policy);
        goto cleanup;
    }
    o.on_conflict = policy && strcmp(policy, "last-wins") == 0
                        ? SNAPDIR_CONFLICT_LAST_WINS
                        : SNAPDIR_CONFLICT_ERROR;
    o.from = cli_list(&a, "from", &o.from_count);
    o.to = cli_list(&a, "to", &o.to_count);
    o.id = cli_get(&a, "id");
    o.all = cli_flag(&a, "all");
    if (snapdir_diff_run(&d, &o, &err) < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    rc = print_rows(d, cli_flag(&a, "json"), &changed);
    if (rc == CLI_EXIT_OK && changed && cli_flag(&a, "exit-code")) {
        rc = CLI_EXIT_FAILURE;
    }
cleanup:
    snapdir_diff_free(d);
    cli_args_dispose(&a);
    return rc;
}
