/* SPDX-License-Identifier: MIT */
/* test_walk.c - the merkle rule, excludes and hash modes of the walk. */
#include "core/sd_excludes.h"
#include "core/sd_walk.h"
#include "hash/sd_hash.h"
#include "sd_test.h"
#include "util/sd_error.h"

#include <sys/stat.h>

#define EMPTY_B3                                                               \
    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"

static snapdir_manifest *walk(const char *root,
                              snapdir_hash_kind kind,
                              const char *context,
                              const sd_excludes *ex)
{
    sd_hash_spec spec;
    sd_walk_options o;
    snapdir_manifest *m = NULL;

    sd_hash_spec_init(&spec, kind, context);
    memset(&o, 0, sizeof(o));
    o.hash = &spec;
    o.excludes = ex;
    o.jobs = 2;
    return sd_walk(&m, root, &o) == 0 ? m : NULL;
}

static const sd_entry *find(const snapdir_manifest *m, const char *path)
{
    return sd_manifest_find(m, path, strlen(path));
}

/* Two empty files: the directory hashes "af13..3262" once (format §2). */
SD_TEST(merkle_dedupes_children)
{
    const char *d = sd_test_tmpdir();
    snapdir_manifest *m;
    char expect[65];

    sd_test_write(d, "bar.txt", "", 0600);
    sd_test_write(d, "foo.txt", "", 0600);
    chmod(d, 0700);
    CHECK((m = walk(d, SNAPDIR_HASH_BLAKE3, NULL, NULL)) != NULL);
    sd_blake3_hex(expect, EMPTY_B3, 64);
    CHECK_STR(find(m, "./")->checksum, expect);
    CHECK_STR(
        find(m, "./")->checksum,
        "dba5865c0d91b17958e4d2cac98c338f85cbbda07b71a020ab16c391b5e7af4b");
    CHECK(find(m, "./")->mode == 0700);
    sd_manifest_free(m);
}

/* A directory's checksum: its children's sorted hex sums, concatenated;
 * its size: the sum of theirs. */
SD_TEST(merkle_sorts_and_sums)
{
    const char *d = sd_test_tmpdir();
    char sub[600], cat[200], expect[65], hz[65], ha[65];
    snapdir_manifest *m;

    snprintf(sub, sizeof(sub), "%s/sub", d);
    CHECK(mkdir(sub, 0755) == 0);
    sd_test_write(sub, "z", "z", 0644);
    sd_test_write(sub, "a", "aa", 0644);
    CHECK((m = walk(d, SNAPDIR_HASH_BLAKE3, NULL, NULL)) != NULL);
    sd_blake3_hex(hz, "z", 1);
    sd_blake3_hex(ha, "aa", 2);
    snprintf(cat, sizeof(cat), "%s%s", strcmp(hz, ha) < 0 ? hz : ha,
             strcmp(hz, ha) < 0 ? ha : hz);
    sd_blake3_hex(expect, cat, 128);
    CHECK_STR(find(m, "./sub/")->checksum, expect);
    CHECK(find(m, "./sub/")->size == 3);
    CHECK(find(m, "./")->size == 3);
    sd_manifest_free(m);
}

SD_TEST(hash_modes_apply_to_files_and_directories)
{
    const char *d = sd_test_tmpdir();
    snapdir_manifest *md5, *sha, *keyed;
    uint8_t digest[32];
    char hex[65];
    sd_hash_spec spec;

    sd_test_write(d, "abc", "abc", 0644);
    CHECK((md5 = walk(d, SNAPDIR_HASH_MD5, NULL, NULL)) != NULL);
    CHECK_STR(find(md5, "./abc")->checksum, "900150983cd24fb0d6963f7d28e17f72");
    sd_hash_spec_init(&spec, SNAPDIR_HASH_MD5, NULL);
    sd_hash_buffer(digest, &spec, "900150983cd24fb0d6963f7d28e17f72", 32);
    sd_hex_encode(hex, digest, 16);
    CHECK_STR(find(md5, "./")->checksum, hex);
    CHECK((sha = walk(d, SNAPDIR_HASH_SHA256, NULL, NULL)) != NULL);
    CHECK(strlen(find(sha, "./")->checksum) == 64);
    CHECK((keyed = walk(d, SNAPDIR_HASH_BLAKE3, "ctx", NULL)) != NULL);
    sd_hash_spec_init(&spec, SNAPDIR_HASH_BLAKE3, "ctx");
    sd_hash_buffer(digest, &spec, "abc", 3);
    sd_hex_encode(hex, digest, 32);
    CHECK_STR(find(keyed, "./abc")->checksum, hex);
    sd_manifest_free(md5);
    sd_manifest_free(sha);
    sd_manifest_free(keyed);
}

SD_TEST(excludes_match_absolute_paths_and_skip_subtrees)
{
    const char *d = sd_test_tmpdir();
    const char *pats[] = { "\\.tmp$", "/skip$" };
    char skip[600];
    sd_excludes *ex = NULL;
    snapdir_manifest *m;
    int nf = 0;

    snprintf(skip, sizeof(skip), "%s/skip", d);
    CHECK(mkdir(skip, 0755) == 0);
    sd_test_write(skip, "inside", "x", 0644);
    sd_test_write(d, "keep.txt", "k", 0644);
    sd_test_write(d, "drop.tmp", "d", 0644);
    CHECK(sd_excludes_compile(&ex, pats, 2, "/home/u", "/c", &nf) == 0);
    CHECK(nf == 0);
    CHECK((m = walk(d, SNAPDIR_HASH_BLAKE3, NULL, ex)) != NULL);
    CHECK(m->count == 2); /* ./ and ./keep.txt */
    CHECK(find(m, "./keep.txt") != NULL);
    sd_manifest_free(m);
    sd_excludes_free(ex);
}

SD_TEST(exclude_macros_and_errors)
{
    const char *common[] = { "%common%" }, *system[] = { "%system%" };
    const char *bad[] = { "(" };
    sd_excludes *ex = NULL;
    int nf = 0;

    CHECK(sd_excludes_compile(&ex, common, 1, "/h", "/c", &nf) == 0);
    CHECK(sd_excludes_match(ex, "/x/.git"));
    CHECK(sd_excludes_match(ex, "/x/node_modules/y"));
    CHECK(!sd_excludes_match(ex, "/x/src/main.c"));
    CHECK(nf == 0);
    sd_excludes_free(ex);
    CHECK(sd_excludes_compile(&ex, system, 1, "/home/u+1", "/var/c", &nf) == 0);
    CHECK(nf == 1); /* %system% also leaves links out */
    CHECK(sd_excludes_match(ex, "/proc/1"));
    CHECK(sd_excludes_match(ex, "/home/u+1/.cache/x"));
    CHECK(!sd_excludes_match(ex, "/home/uu1/.cache/x")); /* '+' escaped */
    CHECK(sd_excludes_match(ex, "/var/c/.objects"));
    sd_excludes_free(ex);
    CHECK(sd_excludes_compile(&ex, bad, 1, "/h", "/c", &nf) == SNAPDIR_EIO);
    CHECK(strstr(sd_error_last()->msg, "invalid exclude pattern '('"));
}

SD_TEST(walk_root_errors)
{
    snapdir_manifest *m = NULL;
    sd_hash_spec spec;
    sd_walk_options o;
    char file[600];
    const char *d = sd_test_tmpdir();

    sd_hash_spec_init(&spec, SNAPDIR_HASH_BLAKE3, NULL);
    memset(&o, 0, sizeof(o));
    o.hash = &spec;
    CHECK(sd_walk(&m, "/nonexistent/snapdir-x", &o) == SNAPDIR_EIO);
    sd_test_write(d, "f", "x", 0644);
    snprintf(file, sizeof(file), "%s/f", d);
    CHECK(sd_walk(&m, file, &o) == SNAPDIR_EIO);
    CHECK(strstr(sd_error_last()->msg, "not a directory") != NULL);
}
