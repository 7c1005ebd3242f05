/* SPDX-License-Identifier: MIT */
/* mirror.h - checkout and pull share their flags and their run. */
#ifndef CLI_MIRROR_H
#define CLI_MIRROR_H

#include "cli/opt.h"

/* Run checkout (pull = 0) or pull (pull = 1) for the parsed args. */
int cli_materialise(cli_args *a, int pull);

#endif
