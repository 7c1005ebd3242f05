/* SPDX-License-Identifier: MIT */
/*
 * cmd_id.c - `snapdir id [PATH]`: the snapshot id of a directory, or of a
 * manifest piped on stdin when PATH is absent.
 */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/walkopt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_opt opts[] = {
    { "absolute", 0, OPT_FLAG, NULL, NULL,
      "Hash the manifest with absolute paths" },
    { "no-follow", 0, OPT_FLAG, NULL, NULL,
      "Leave symbolic links out instead of following them" },
    CLI_WALK_OPTS,
};

static const cli_command command = {
    "id",     "Print the snapshot id of a directory, or of a manifest on stdin",
    "[PATH]", "Directory to walk; without it a manifest is read from stdin",
    opts,     sizeof(opts) / sizeof(opts[0]),
    1,
};

static int read_stdin(char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);

    while (buf) {
        ssize_t r;

        if (n == cap) {
            char *grown = realloc(buf, cap * 2);

            if (!grown) {
                break;
            }
            buf = grown;
            cap *= 2;
        }
        r = read(0, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            free(buf);
            return cli_failf("reading manifest from stdin: %s",
                             strerror(errno));
        }
        if (r == 0) {
            *out = buf;
            *len = n;
            return 0;
        }
        n += (size_t)r;
    }
    free(buf);
    return cli_failf("reading manifest from stdin: out of memory");
}

static int id_of_stdin(void)
{
    char id[SNAPDIR_ID_HEXLEN + 2];
    SnapdirError *err = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (isatty(0)) {
        return cli_failf("no directory given and no manifest on stdin; pass "
                         "a PATH (or `.`), or pipe a manifest");
    }
    if ((rc = read_stdin(&text, &len)) != 0) {
        return rc;
    }
    rc = snapdir_id_from_text(id, text, len, &err);
    free(text);
    if (rc < 0) {
        return cli_fail_in("reading manifest from stdin", err);
    }
    id[SNAPDIR_ID_HEXLEN] = '\n';
    return cli_write_stdout(id, SNAPDIR_ID_HEXLEN + 1);
}

int cmd_id(int argc, char **argv)
{
    cli_args a;
    snapdir_manifest_options o;
    snapdir_manifest *m = NULL;
    SnapdirError *err = NULL;
    cli_progress *progress;
    char id[SNAPDIR_ID_HEXLEN + 2];
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE) {
        goto cleanup;
    }
    if (a.npositional == 0) {
        rc = id_of_stdin();
        goto cleanup;
    }
    if ((rc = cli_walk_options(&o, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    o.absolute = cli_flag(&a, "absolute");
    o.no_follow = cli_flag(&a, "no-follow");
    progress = cli_progress_start(&a, 0);
    o.progress = progress ? cli_progress_cb : NULL;
    o.progress_payload = progress;
    rc = snapdir_manifest_build(&m, cli_path_arg(&a), &o, &err);
    cli_progress_end(progress);
    if (rc < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    snapdir_manifest_id(id, m);
    id[SNAPDIR_ID_HEXLEN] = '\n';
    rc = cli_write_stdout(id, SNAPDIR_ID_HEXLEN + 1);
cleanup:
    snapdir_manifest_free(m);
    cli_args_dispose(&a);
    return rc;
}
