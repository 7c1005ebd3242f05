/* SPDX-License-Identifier: MIT */
/* cmd.h - one entry point per subcommand: cmd_<name>(argc, argv). */
#ifndef CLI_CMD_H
#define CLI_CMD_H

int cmd_manifest(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
