/* SPDX-License-Identifier: MIT */
/* cmd_manifest.c - `snapdir manifest [PATH]`: print a directory's manifest. */
#include "cli/cmd.h"
#include "cli/error.h"
#include "cli/progress.h"
#include "cli/walkopt.h"
#include "cli/xferopt.h"

#include <stdio.h>
#include <string.h>

static const cli_opt opts[] = {
    { "absolute", 0, OPT_FLAG, NULL, NULL,
      "Print absolute paths instead of ./-relative ones" },
    { "no-follow", 0, OPT_FLAG, NULL, NULL,
      "Leave symbolic links out instead of following them" },
    { "checksum-bin", 0, OPT_VALUE, "NAME", NULL,
      "Checksum algorithm: b3sum (default), md5sum or sha256sum" },
    CLI_WALK_OPTS,
    CLI_CATALOG_OPT,
};

static const cli_command command = {
    "manifest", "Print the manifest of a directory",
    "[PATH]",   "Directory to walk [default: the current directory]",
    opts,       sizeof(opts) / sizeof(opts[0]),
    1,
};

/* manifest records to the catalog only when one is chosen explicitly */
static int log_manifest(const cli_args *a, const snapdir_manifest *m)
{
    const char *catalog = cli_get(a, "catalog");
    SnapdirError *err = NULL;
    char *db = NULL, *dir = NULL, id[SNAPDIR_ID_HEXLEN + 1];
    int rc = CLI_EXIT_OK;

    if (!catalog) {
        return CLI_EXIT_OK;
    }
    snapdir_manifest_id(id, m);
    if (snapdir_catalog_path(&db, catalog, NULL, &err) < 0 ||
        snapdir_path_absolute(&dir, cli_path_arg(a), &err) < 0 ||
        (db && snapdir_catalog_log(db, "manifest", id, dir, &err) < 0)) {
        rc = cli_fail(err);
    }
    snapdir_string_free(db);
    snapdir_string_free(dir);
    return rc;
}

static int hash_kind(const char *name, snapdir_hash_kind *out)
{
    if (!name || strcmp(name, "b3sum") == 0) {
        *out = SNAPDIR_HASH_BLAKE3;
    } else if (strcmp(name, "md5sum") == 0) {
        *out = SNAPDIR_HASH_MD5;
    } else if (strcmp(name, "sha256sum") == 0) {
        *out = SNAPDIR_HASH_SHA256;
    } else {
        return -1;
    }
    return 0;
}

int cmd_manifest(int argc, char **argv)
{
    cli_args a;
    snapdir_manifest_options o;
    snapdir_manifest *m = NULL;
    SnapdirError *err = NULL;
    cli_progress *progress;
    char *text = NULL;
    size_t len = 0;
    int rc;

    if ((rc = cli_parse(&a, &command, argc, argv)) != CLI_CONTINUE ||
        (rc = cli_walk_options(&o, &a)) != CLI_CONTINUE) {
        goto cleanup;
    }
    o.absolute = cli_flag(&a, "absolute");
    o.no_follow = cli_flag(&a, "no-follow");
    if (hash_kind(cli_get(&a, "checksum-bin"), &o.hash) < 0) {
        rc = cli_failf("unsupported --checksum-bin '%s'",
                       cli_get(&a, "checksum-bin"));
        goto cleanup;
    }
    progress = cli_progress_start(&a, 0);
    o.progress = progress ? cli_progress_cb : NULL;
    o.progress_payload = progress;
    rc = snapdir_manifest_build(&m, cli_path_arg(&a), &o, &err);
    cli_progress_end(progress);
    if (rc < 0 || snapdir_manifest_render(&text, &len, m, &err) < 0) {
        rc = cli_fail(err);
        goto cleanup;
    }
    if ((rc = cli_write_stdout(text, len)) == CLI_EXIT_OK) {
        rc = log_manifest(&a, m);
    }
cleanup:
    snapdir_string_free(text);
    snapdir_manifest_free(m);
    cli_args_dispose(&a);
    return rc;
}
