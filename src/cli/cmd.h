/* SPDX-License-Identifier: MIT */
/* cmd.h - one entry point per subcommand: cmd_<name>(argc, argv). */
#ifndef CLI_CMD_H
#define CLI_CMD_H

int cmd_manifest(int argc, char **argv);
int cmd_id(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_stage(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_checkout(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_verify_cache(int argc, char **argv);
int cmd_flush_cache(int argc, char **argv);
int cmd_defaults(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_locations(int argc, char **argv);
int cmd_ancestors(int argc, char **argv);
int cmd_revisions(int argc, char **argv);

#endif
