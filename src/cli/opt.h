/* SPDX-License-Identifier: MIT */
/*
 * opt.h - the command-line grammar of cli-surface.md §2: long options with
 * "--opt value" or "--opt=value", a few short ones, comma-split lists,
 * env fallbacks (flag > env > default), universal flags anywhere, usage
 * errors with exit status 2, and help generated from the option tables.
 */
#ifndef CLI_OPT_H
#define CLI_OPT_H

#include <stddef.h>

typedef enum {
    OPT_FLAG,       /* boolean, never takes a value */
    OPT_VALUE,      /* one value; the last one wins */
    OPT_LIST,       /* repeatable, each value split on ',' */
    OPT_MULTI,      /* repeatable, not split */
    OPT_OPTIONAL_EQ /* a value only when attached with '=' */
} cli_opt_kind;

typedef struct {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 when none */
    cli_opt_kind kind;
    const char *value_name; /* "PATTERN" */
    const char *env;        /* env fallback, or NULL */
    const char *help;
} cli_opt;

typedef struct {
    const char *name;
    const char *about;      /* one line */
    const char *args_usage; /* e.g. "[PATH]" or NULL */
    const char *args_help;  /* text for the Arguments block, or NULL */
    const cli_opt *opts;
    size_t nopts;
    size_t max_positionals;
} cli_command;

#define CLI_MAX_OPTS 48

typedef struct {
    const cli_command *cmd;
    const char *value[CLI_MAX_OPTS]; /* last value, or "" for flags */
    int from_flag[CLI_MAX_OPTS];     /* given on the command line */
    const char **list[CLI_MAX_OPTS]; /* OPT_LIST / OPT_MULTI values */
    size_t nlist[CLI_MAX_OPTS];
    const char *positional[8];
    size_t npositional;
    /* universal flags */
    int quiet, verbose, no_progress;
    const char *color; /* auto | always | never */
    char **owned;      /* split list strings, freed by cli_args_dispose */
    size_t nowned;
} cli_args;

/* cli_parse's "go on and run the command" result. */
#define CLI_CONTINUE (-1)

/*
 * Parse argv (argv[0] is the command name). Returns CLI_CONTINUE to run the
 * command, or an exit status to stop with (0 after --help, 2 after a usage
 * error).
 */
int cli_parse(cli_args *a, const cli_command *cmd, int argc, char **argv);
void cli_args_dispose(cli_args *a);

/* The value of an option: flag, then env, else NULL. */
const char *cli_get(const cli_args *a, const char *name);
/* Whether a boolean is on (flag given, or env set and not falsey). */
int cli_flag(const cli_args *a, const char *name);
/* List values (flag only). */
const char *const *cli_list(const cli_args *a, const char *name, size_t *n);
/* A boolean environment variable, clap-style: unset, "", 0, n, no, f,
 * false, off (any case) are false; anything else is true. */
int cli_env_flag(const char *name);

/* Where a value came from: "flag", "env" or "default". */
const char *cli_source(const cli_args *a, const char *name);

/* Parse an unsigned number option; prints a usage error and returns 2. */
int cli_get_uint(const cli_args *a,
                 const char *name,
                 unsigned long long *out,
                 int *set);

/* Print a clap-style usage error for cmd and return 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void cli_print_help(const cli_command *cmd);

/* Universal flags, shared with main.c's pre-subcommand scan. */
extern const cli_opt cli_universal_opts[];
extern const size_t cli_universal_count;

#endif
