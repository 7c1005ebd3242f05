/* SPDX-License-Identifier: MIT */
/* opt.c - command-line parsing and help; see opt.h. */
#include "cli/opt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const cli_opt cli_universal_opts[] = {
    { "quiet", 'q', OPT_FLAG, NULL, NULL,
      "Suppress progress, banners and notices (errors still print)" },
    { "color", 0, OPT_VALUE, "WHEN", NULL,
      "When to colour the progress line: auto, always or never "
      "[default: auto]" },
    { "no-progress", 0, OPT_FLAG, NULL, "SNAPDIR_NO_PROGRESS",
      "Never draw the live progress line" },
    { "verbose", 0, OPT_FLAG, NULL, NULL, "Print more detail on stderr" },
};
const size_t cli_universal_count =
    sizeof(cli_universal_opts) / sizeof(cli_universal_opts[0]);

static void print_usage_line(FILE *f, const cli_command *cmd)
{
    fprintf(f, "Usage: snapdir %s [OPTIONS]%s%s\n", cmd->name,
            cmd->args_usage ? " " : "", cmd->args_usage ? cmd->args_usage : "");
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    if (cmd) {
        print_usage_line(stderr, cmd);
        fprintf(stderr, "\nFor more information, try 'snapdir %s --help'.\n",
                cmd->name);
    } else {
        fputs("Usage: snapdir [OPTIONS] <COMMAND>\n\nFor more information, "
              "try 'snapdir --help'.\n",
              stderr);
    }
    return 2;
}

static void print_opt(const cli_opt *o)
{
    char head[96];
    const char *env;

    if (o->short_name) {
        snprintf(head, sizeof(head), "  -%c, --%s", o->short_name, o->name);
    } else {
        snprintf(head, sizeof(head), "      --%s", o->name);
    }
    printf("%s", head);
    if (o->kind == OPT_OPTIONAL_EQ) {
        printf("[=<%s>]", o->value_name);
    } else if (o->kind != OPT_FLAG) {
        printf(" <%s>", o->value_name);
    }
    printf("\n          %s\n", o->help);
    if (o->env) {
        env = getenv(o->env);
        /* values may hold secrets or paths; show only whether it is set */
        printf("          [env: %s%s]\n", o->env, env ? " (set)" : "");
    }
    printf("\n");
}

void cli_print_help(const cli_command *cmd)
{
    size_t i;

    printf("%s\n\n", cmd->about);
    print_usage_line(stdout, cmd);
    printf("\n");
    if (cmd->args_usage) {
        printf("Arguments:\n  %s\n          %s\n\n", cmd->args_usage,
               cmd->args_help ? cmd->args_help : "");
    }
    printf("Options:\n");
    for (i = 0; i < cli_universal_count; i++) {
        print_opt(&cli_universal_opts[i]);
    }
    for (i = 0; i < cmd->nopts; i++) {
        print_opt(&cmd->opts[i]);
    }
    printf("  -h, --help\n          Print help\n");
}

static int find_opt(const cli_command *cmd,
                    const char *name,
                    size_t len,
                    char short_name,
                    int *universal)
{
    size_t i;

    for (i = 0; i < cli_universal_count; i++) {
        const cli_opt *o = &cli_universal_opts[i];

        if ((short_name && o->short_name == short_name) ||
            (!short_name && strlen(o->name) == len &&
             strncmp(o->name, name, len) == 0)) {
            *universal = 1;
            return (int)i;
        }
    }
    for (i = 0; i < cmd->nopts; i++) {
        const cli_opt *o = &cmd->opts[i];

        if ((short_name && o->short_name == short_name) ||
            (!short_name && strlen(o->name) == len &&
             strncmp(o->name, name, len) == 0)) {
            *universal = 0;
            return (int)i;
        }
    }
    return -1;
}

static int add_list(cli_args *a, int idx, const char *v, int split)
{
    const char **grown;
    char *copy, *p, *q;

    if (!split) {
        grown = realloc(a->list[idx], (a->nlist[idx] + 1) * sizeof(char *));
        if (!grown) {
            return -1;
        }
        a->list[idx] = grown;
        grown[a->nlist[idx]++] = v;
        return 0;
    }
    copy = strdup(v);
    if (!copy) {
        return -1;
    }
    {
        char **owned = realloc(a->owned, (a->nowned + 1) * sizeof(char *));

        if (!owned) {
            free(copy);
            return -1;
        }
        a->owned = owned;
        a->owned[a->nowned++] = copy;
    }
    for (p = copy; p; p = q) {
        q = strchr(p, ',');
        if (q) {
            *q++ = '\0';
        }
        if (*p == '\0') {
            continue; /* "a,,b" and a trailing comma add no empty pattern */
        }
        grown = realloc(a->list[idx], (a->nlist[idx] + 1) * sizeof(char *));
        if (!grown) {
            return -1;
        }
        a->list[idx] = grown;
        grown[a->nlist[idx]++] = p;
    }
    return 0;
}

static int set_universal(cli_args *a, int idx, const char *value)
{
    switch (idx) {
    case 0:
        a->quiet = 1;
        break;
    case 1:
        if (strcmp(value, "auto") && strcmp(value, "always") &&
            strcmp(value, "never")) {
            return cli_usage_error(
                a->cmd,
                "invalid value '%s' for '--color <WHEN>'\n  [possible "
                "values: auto, always, never]",
                value);
        }
        a->color = value;
        break;
    case 2:
        a->no_progress = 1;
        break;
    default:
        a->verbose = 1;
    }
    return CLI_CONTINUE;
}

/* Handle one option at argv[*i]; returns CLI_CONTINUE or an exit status. */
static int parse_option(cli_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *name, *eq, *value = NULL;
    char short_name = 0;
    int universal = 0, idx;
    size_t len;
    const cli_opt *o;

    if (arg[1] != '-') {
        if (arg[2] != '\0') {
            return cli_usage_error(a->cmd, "unexpected argument '%s' found",
                                   arg);
        }
        short_name = arg[1];
        name = arg + 1;
        len = 1;
        eq = NULL;
    } else {
        name = arg + 2;
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
    }
    if (short_name == 'h' ||
        (!short_name && len == 4 && strncmp(name, "help", 4) == 0)) {
        cli_print_help(a->cmd);
        return 0;
    }
    idx = find_opt(a->cmd, name, len, short_name, &universal);
    if (idx < 0) {
        return cli_usage_error(a->cmd, "unexpected argument '%s' found", arg);
    }
    o = universal ? &cli_universal_opts[idx] : &a->cmd->opts[idx];
    if (o->kind == OPT_FLAG) {
        if (eq) {
            return cli_usage_error(a->cmd,
                                   "unexpected value '%s' for '--%s' found; "
                                   "no more were expected",
                                   eq + 1, o->name);
        }
        value = "";
    } else if (eq) {
        value = eq + 1;
    } else if (o->kind != OPT_OPTIONAL_EQ) {
        if (*i + 1 >= argc) {
            return cli_usage_error(a->cmd,
                                   "a value is required for '--%s <%s>' but "
                                   "none was supplied",
                                   o->name, o->value_name);
        }
        value = argv[++*i];
    } else {
        value = "";
    }
    if (universal) {
        return set_universal(a, idx, value);
    }
    a->value[idx] = value;
    a->from_flag[idx] = 1;
    if (o->kind == OPT_LIST || o->kind == OPT_MULTI) {
        if (add_list(a, idx, value, o->kind == OPT_LIST) < 0) {
            fputs("snapdir: out of memory\n", stderr);
            return 1;
        }
    }
    return CLI_CONTINUE;
}

int cli_parse(cli_args *a, const cli_command *cmd, int argc, char **argv)
{
    int i, only_positionals = 0, rc;

    memset(a, 0, sizeof(*a));
    a->cmd = cmd;
    a->color = "auto";
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (!only_positionals && strcmp(arg, "--") == 0) {
            only_positionals = 1;
            continue;
        }
        if (!only_positionals && arg[0] == '-' && arg[1] != '\0') {
            if ((rc = parse_option(a, argc, argv, &i)) != CLI_CONTINUE) {
                return rc;
            }
            continue;
        }
        if (a->npositional >= cmd->max_positionals ||
            a->npositional >= sizeof(a->positional) / sizeof(char *)) {
            return cli_usage_error(cmd, "unexpected argument '%s' found", arg);
        }
        a->positional[a->npositional++] = arg;
    }
    return CLI_CONTINUE;
}

void cli_args_dispose(cli_args *a)
{
    size_t i;

    for (i = 0; i < CLI_MAX_OPTS; i++) {
        free(a->list[i]);
        a->list[i] = NULL;
    }
    for (i = 0; i < a->nowned; i++) {
        free(a->owned[i]);
    }
    free(a->owned);
    a->owned = NULL;
}

static int index_of(const cli_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->cmd->nopts; i++) {
        if (strcmp(a->cmd->opts[i].name, name) == 0) {
            return (int)i;
        }
    }
    fprintf(stderr, "snapdir: internal error: unknown option --%s\n", name);
    abort();
}

const char *cli_get(const cli_args *a, const char *name)
{
    int i = index_of(a, name);
    const cli_opt *o = &a->cmd->opts[i];

    if (a->value[i]) {
        return a->value[i];
    }
    return o->env ? getenv(o->env) : NULL;
}

static int falsey(const char *v)
{
    static const char *const no[] = { "", "0", "n", "no", "f", "false", "off" };
    size_t i;

    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (strcasecmp(v, no[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int cli_env_flag(const char *name)
{
    const char *v = getenv(name);

    return v && !falsey(v);
}

int cli_flag(const cli_args *a, const char *name)
{
    const char *v;
    int i = index_of(a, name);

    if (a->from_flag[i]) {
        return 1;
    }
    v = a->cmd->opts[i].env ? getenv(a->cmd->opts[i].env) : NULL;
    return v && !falsey(v);
}

const char *const *cli_list(const cli_args *a, const char *name, size_t *n)
{
    int i = index_of(a, name);

    *n = a->nlist[i];
    return a->list[i];
}

const char *cli_source(const cli_args *a, const char *name)
{
    int i = index_of(a, name);

    if (a->from_flag[i]) {
        return "flag";
    }
    if (a->cmd->opts[i].env && getenv(a->cmd->opts[i].env)) {
        return "env";
    }
    return "default";
}

int cli_get_uint(const cli_args *a,
                 const char *name,
                 unsigned long long *out,
                 int *set)
{
    const char *v = cli_get(a, name);
    const cli_opt *o = &a->cmd->opts[index_of(a, name)];
    char *end;

    *set = 0;
    if (!v) {
        return 0;
    }
    errno = 0;
    *out = strtoull(v, &end, 10);
    if (v[0] == '\0' || v[0] == '-' || v[0] == '+' || *end != '\0' ||
        errno == ERANGE) {
        return cli_usage_error(a->cmd,
                               "invalid value '%s' for '--%s <%s>': expected "
                               "an unsigned integer",
                               v, o->name, o->value_name);
    }
    *set = 1;
    return 0;
}
