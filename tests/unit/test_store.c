/* SPDX-License-Identifier: MIT */
/*
 * test_store.c - one conformance suite run against every in-process
 * backend that needs no server (mem:// and file://): keys, streaming
 * get/put, verification on both paths, manifests and listing.
 */
#include "hash/sd_hash.h"
#include "sd_test.h"
#include "store/sd_store.h"
#include "util/sd_error.h"
#include "util/sd_fs.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define HELLO_B3                                                               \
    "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"

static sd_store *open_backend(int which)
{
    sd_store *s = NULL;
    char uri[512];

    if (which == 0) {
        if (sd_store_open(&s, "mem://") < 0) {
            return NULL;
        }
        return s;
    }
    snprintf(uri, sizeof(uri), "file://%s/store", sd_test_tmpdir());
    return sd_store_open(&s, uri) < 0 ? NULL : s;
}

static const char *write_src(const char *content)
{
    static char path[600];
    const char *dir = sd_test_tmpdir();

    sd_test_write(dir, "src", content, 0644);
    snprintf(path, sizeof(path), "%s/src", dir);
    return path;
}

static void object_round_trip(int which)
{
    sd_store *s = open_backend(which);
    char dest[600];
    sd_buf got = SD_BUF_INIT;

    CHECK(s != NULL);
    CHECK(sd_store_has_object(s, HELLO_B3) == 0);
    CHECK(sd_store_put_object_file(s, HELLO_B3, write_src("hello"), 0) == 0);
    CHECK(sd_store_has_object(s, HELLO_B3) == 1);
    CHECK(sd_store_check_object(s, HELLO_B3) == 0);
    snprintf(dest, sizeof(dest), "%s/out/a/b", sd_test_tmpdir());
    CHECK(sd_store_get_object_file(s, HELLO_B3, dest, 0640) == 0);
    CHECK(sd_fs_read_file(&got, dest) == 0);
    CHECK_STR(got.ptr, "hello");
    sd_buf_dispose(&got);
    sd_store_close(s);
}

SD_TEST(store_mem_object_round_trip)
{
    object_round_trip(0);
}

SD_TEST(store_file_object_round_trip)
{
    object_round_trip(1);
}

/* A source whose bytes do not match the address is never stored. */
static void put_refuses_wrong_bytes(int which)
{
    sd_store *s = open_backend(which);

    CHECK(s != NULL);
    CHECK(sd_store_put_object_file(s, HELLO_B3, write_src("hellx"), 0) ==
          SNAPDIR_EINFLUX);
    CHECK(sd_store_has_object(s, HELLO_B3) == 0);
    CHECK(sd_store_put_object_mem(s, HELLO_B3, "help!", 5) == SNAPDIR_EINFLUX);
    CHECK(sd_store_has_object(s, HELLO_B3) == 0);
    sd_store_close(s);
}

SD_TEST(store_mem_put_refuses_wrong_bytes)
{
    put_refuses_wrong_bytes(0);
}

SD_TEST(store_file_put_refuses_wrong_bytes)
{
    put_refuses_wrong_bytes(1);
}

SD_TEST(store_file_get_detects_corruption_and_keeps_dest_clean)
{
    char uri[512], obj[700], dest[600];
    const char *dir = sd_test_tmpdir();
    sd_store *s = NULL;
    struct stat st;

    snprintf(uri, sizeof(uri), "file://%s/store", dir);
    CHECK(sd_store_open(&s, uri) == 0);
    CHECK(sd_store_put_object_file(s, HELLO_B3, write_src("hello"), 0) == 0);
    snprintf(obj, sizeof(obj), "%s/store/.objects/ea8/f16/3db/%s", dir,
             HELLO_B3 + 9);
    CHECK(access(obj, F_OK) == 0);
    CHECK(sd_fs_write_atomic(obj, "HELLO", 5, 0644) == 0);
    snprintf(dest, sizeof(dest), "%s/dest", dir);
    CHECK(sd_store_get_object_file(s, HELLO_B3, dest, 0644) ==
          SNAPDIR_EMISMATCH);
    CHECK(strstr(sd_error_last()->msg, "integrity check failed") != NULL);
    CHECK(stat(dest, &st) != 0); /* nothing unverified under the name */
    CHECK(sd_store_check_object(s, HELLO_B3) == SNAPDIR_EMISMATCH);
    sd_store_close(s);
}

static int count_id(const char *id, void *payload)
{
    (void)id;
    (*(int *)payload)++;
    return 0;
}

static void manifests(int which)
{
    static const char text[] =
        "D 755 " HELLO_B3 " 5 ./\nF 644 " HELLO_B3 " 5 ./a.txt\n";
    snapdir_manifest *m = NULL, *back = NULL;
    sd_store *s = open_backend(which);
    char id[65];
    int n = 0;

    CHECK(s != NULL);
    CHECK(sd_manifest_parse(&m, text, sizeof(text) - 1) == 0);
    sd_manifest_id(id, m);
    CHECK(sd_store_get_manifest(s, id, &back) == SNAPDIR_ESTORE);
    CHECK(sd_store_put_manifest(s, m) == 0);
    CHECK(sd_store_has_manifest(s, id) == 1);
    CHECK(sd_store_get_manifest(s, id, &back) == 0);
    CHECK(back->count == 2);
    CHECK(sd_store_list_manifests(s, count_id, &n) == 0);
    CHECK(n == 1);
    CHECK(sd_store_remove_manifest(s, id) == 0);
    CHECK(sd_store_has_manifest(s, id) == 0);
    sd_manifest_free(back);
    sd_manifest_free(m);
    sd_store_close(s);
}

SD_TEST(store_mem_manifests)
{
    manifests(0);
}

SD_TEST(store_file_manifests)
{
    manifests(1);
}

SD_TEST(store_keys_and_roots)
{
    char key[SD_KEY_MAX];
    char *root;

    sd_store_object_key(key, HELLO_B3);
    CHECK_STR(key, ".objects/ea8/f16/3db/38682925e4491c5e58d4bb3506ef8c14eb7"
                   "8a86e908c5624a67200f");
    sd_store_manifest_key(key, HELLO_B3);
    CHECK(strncmp(key, ".manifests/ea8/f16/3db/", 23) == 0);
    root = sd_store_file_root("file:///a/b/");
    CHECK_STR(root, "/a/b");
    free(root);
    root = sd_store_file_root("file://tmp/x");
    CHECK_STR(root, "/tmp/x");
    free(root);
    root = sd_store_file_root("file://localhost/srv");
    CHECK_STR(root, "/srv");
    free(root);
}

SD_TEST(store_open_rejects_unknown_and_bare_paths)
{
    sd_store *s = NULL;

    CHECK(sd_store_open(&s, "/just/a/path") == SNAPDIR_EINVALID_STORE);
    CHECK(strstr(sd_error_last()->msg, "file://") != NULL);
    CHECK(sd_store_open(&s, "ftp://x/y") == SNAPDIR_EINVALID_STORE);
    CHECK(sd_store_open(&s, "FILE:///x") == SNAPDIR_EINVALID_STORE);
}

SD_TEST(store_file_listing_of_a_missing_root_is_an_error)
{
    char uri[512];
    sd_store *s = NULL;
    int n = 0;

    snprintf(uri, sizeof(uri), "file://%s/nope", sd_test_tmpdir());
    CHECK(sd_store_open(&s, uri) == 0);
    CHECK(sd_store_list_manifests(s, count_id, &n) == SNAPDIR_ESTORE);
    CHECK(strstr(sd_error_last()->msg, "does not exist") != NULL);
    CHECK(sd_store_list_manifests_or_none(s, count_id, &n) == 0);
    CHECK(n == 0);
    sd_store_close(s);
}

SD_TEST(stale_tmp_names)
{
    CHECK(sd_fs_stale_tmp("file.4000000.3.tmp") == 4);
    CHECK(sd_fs_stale_tmp("file.1.3.tmp") == 0); /* pid 1 is alive */
    CHECK(sd_fs_stale_tmp("file.tmp") == 0);
    CHECK(sd_fs_stale_tmp("file.x.3.tmp") == 0);
    CHECK(sd_fs_stale_tmp(".4000000.3.tmp") == 0);
}
