/* SPDX-License-Identifier: MIT */
/* cmd_checkout.c - `snapdir checkout --id ID [DIR]`: Materialise a cached
 * snapshot into a directory. */
#include "cli/cmd.h"
#include "cli/mirror.h"
#include "cli/xferopt.h"

static const cli_opt opts[] = {
    CLI_TRANSFER_OPTS,
    CLI_MIRROR_OPTS,
};

static const cli_command command = {
    "checkout", "Materialise a cached snapshot into a directory",
    "[DIR]",    "Destination directory [default: the current directory]",
    opts,       sizeof(opts) / sizeof(opts[0]),
    1,
};

int cmd_checkout(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        rc = cli_materialise(&a, 0);
    }
    cli_args_dispose(&a);
    return rc;
}
