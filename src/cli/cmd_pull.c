/* SPDX-License-Identifier: MIT */
/* cmd_pull.c - `snapdir pull --id ID [DIR]`: Fetch a snapshot from a store,
 * then check it out into a directory. */
#include "cli/cmd.h"
#include "cli/mirror.h"
#include "cli/xferopt.h"

static const cli_opt opts[] = {
    CLI_TRANSFER_OPTS,
    CLI_MIRROR_OPTS,
};

static const cli_command command = {
    "pull",
    "Fetch a snapshot from a store, then check it out into a directory",
    "[DIR]",
    "Destination directory [default: the current directory]",
    opts,
    sizeof(opts) / sizeof(opts[0]),
    1,
};

int cmd_pull(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        rc = cli_materialise(&a, 1);
    }
    cli_args_dispose(&a);
    return rc;
}
