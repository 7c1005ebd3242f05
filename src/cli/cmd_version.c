/* SPDX-License-Identifier: MIT */
/* cmd_version.c - `snapdir version`: print "snapdir <semver>". */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/opt.h"

#include <stdio.h>

static const cli_command command = {
    "version", "Print the version", NULL, NULL, NULL, 0, 0,
};

int cmd_version(int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) == CLI_CONTINUE) {
        printf("snapdir %s\n", snapdir_version());
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
    cli_args_dispose(&a);
    return rc;
}
