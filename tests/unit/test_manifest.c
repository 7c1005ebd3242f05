/* SPDX-License-Identifier: MIT */
/* test_manifest.c - the strict parser, the renderer and the id. */
#include "core/sd_manifest.h"
#include "sd_test.h"
#include "util/sd_error.h"

static const char worked[] =
    "D 700 dba5865c0d91b17958e4d2cac98c338f85cbbda07b71a020ab16c391b5e7af4b 0 "
    "./\n"
    "F 600 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 "
    "./bar.txt\n"
    "F 600 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 "
    "./foo.txt\n";

static int parse_fails(const char *text, const char *needle)
{
    snapdir_manifest *m = NULL;
    int rc = sd_manifest_parse(&m, text, strlen(text));

    sd_manifest_free(m);
    if (rc != SNAPDIR_EINVALID_MANIFEST) {
        fprintf(stderr, "expected a parse error for: %s\n", text);
        return 0;
    }
    if (needle && !strstr(sd_error_last()->msg, needle)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", sd_error_last()->msg,
                needle);
        return 0;
    }
    return 1;
}

SD_TEST(parse_render_round_trip)
{
    snapdir_manifest *m = NULL;
    sd_buf b = SD_BUF_INIT;

    CHECK(sd_manifest_parse(&m, worked, strlen(worked)) == 0);
    CHECK(m->count == 3);
    CHECK(sd_manifest_render(&b, m) == 0);
    CHECK_STR(b.ptr, worked);
    sd_buf_dispose(&b);
    sd_manifest_free(m);
}

SD_TEST(parse_sorts_skips_comments_and_crlf)
{
    const char *shuffled =
        "# a comment\r\n"
        "F 600 "
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 "
        "./foo.txt\r\n"
        "\n"
        "F 600 "
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 "
        "./bar.txt\n"
        "D 700 "
        "dba5865c0d91b17958e4d2cac98c338f85cbbda07b71a020ab16c391b5e7af4b 0 ./";
    snapdir_manifest *a = NULL, *b = NULL;
    char ida[65], idb[65];

    CHECK(sd_manifest_parse(&a, shuffled, strlen(shuffled)) == 0);
    CHECK(sd_manifest_parse(&b, worked, strlen(worked)) == 0);
    sd_manifest_id(ida, a);
    sd_manifest_id(idb, b);
    CHECK_STR(ida, idb);
    sd_manifest_free(a);
    sd_manifest_free(b);
}

SD_TEST(empty_manifest_id)
{
    snapdir_manifest *m = NULL;
    char id[65];

    CHECK(sd_manifest_parse(&m, "", 0) == 0);
    sd_manifest_id(id, m);
    CHECK_STR(
        id, "295192ea1ec8566d563b1a7587e5f0198580cdbd043842f5090a4c197c20c67a");
    sd_manifest_free(m);
}

SD_TEST(path_with_spaces_is_the_rest_of_the_line)
{
    const char *t = "F 644 "
                    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae4"
                    "1f3262 0 ./a b  c\n";
    snapdir_manifest *m = NULL;

    CHECK(sd_manifest_parse(&m, t, strlen(t)) == 0);
    CHECK_STR(m->entries[0].path, "./a b  c");
    sd_manifest_free(m);
}

#define SUM "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"

SD_TEST(parse_rejects_bad_lines)
{
    CHECK(parse_fails("F 644 " SUM " 0\n", "line 1"));
    CHECK(parse_fails("X 644 " SUM " 0 ./a\n", "invalid path type"));
    CHECK(parse_fails("F 648 " SUM " 0 ./a\n", "invalid permissions"));
    CHECK(parse_fails("F 0644 " SUM " 0 ./a\n", "invalid permissions"));
    CHECK(parse_fails("F 17777 " SUM " 0 ./a\n", "invalid permissions"));
    CHECK(parse_fails("F 644 " SUM "0 0 ./a\n", "invalid checksum"));
    CHECK(parse_fails("F 644 "
                      "AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CA"
                      "E41F3262 0 ./a\n",
                      "invalid checksum"));
    CHECK(parse_fails("F 644 " SUM " -1 ./a\n", "invalid size"));
    CHECK(parse_fails("F 644 " SUM " 99999999999999999999 ./a\n",
                      "invalid size"));
    CHECK(parse_fails("F 644 " SUM " 0 ./../etc/passwd\n", "'..'"));
    CHECK(parse_fails("F 644 " SUM " 0 ./a/../../b\n", "'..'"));
    CHECK(parse_fails("F 644 " SUM " 0 a\n", "must start with"));
    CHECK(parse_fails("F 644 " SUM " 0 ./a//b\n", "empty segment"));
    CHECK(parse_fails("D 755 " SUM " 0 ./d\n", "does not end with '/'"));
    CHECK(parse_fails("F 644 " SUM " 0 ./f/\n", "ends with '/'"));
    CHECK(parse_fails("D 755 " SUM " 0 ./\nF 644 " SUM " 0 /etc/passwd\n",
                      "mixes absolute"));
    CHECK(parse_fails("F 644 " SUM " 0 ./a\nF 644 " SUM " 0 ./a\n",
                      "line 2: duplicate path"));
    CHECK(parse_fails("F 644 " SUM " 0 ./\xff\n", "UTF-8"));
}

SD_TEST(parse_md5_manifest)
{
    const char *t = "F 644 900150983cd24fb0d6963f7d28e17f72 3 ./abc\n";
    snapdir_manifest *m = NULL;
    sd_buf b = SD_BUF_INIT;

    CHECK(sd_manifest_parse(&m, t, strlen(t)) == 0);
    CHECK(m->hash == SNAPDIR_HASH_MD5);
    CHECK(sd_manifest_render(&b, m) == 0);
    CHECK_STR(b.ptr, t);
    sd_buf_dispose(&b);
    sd_manifest_free(m);
}

SD_TEST(path_order_is_bytewise)
{
    const char *t = "F 644 " SUM " 0 ./a0\n"
                    "F 644 " SUM " 0 ./a/x\n"
                    "D 755 " SUM " 0 ./a/\n"
                    "F 644 " SUM " 0 ./a.txt\n";
    snapdir_manifest *m = NULL;

    CHECK(sd_manifest_parse(&m, t, strlen(t)) == 0);
    CHECK_STR(m->entries[0].path, "./a.txt");
    CHECK_STR(m->entries[1].path, "./a/");
    CHECK_STR(m->entries[2].path, "./a/x");
    CHECK_STR(m->entries[3].path, "./a0");
    CHECK(sd_manifest_find(m, "./a/x", 5) == &m->entries[2]);
    CHECK(sd_manifest_find(m, "./b", 3) == NULL);
    sd_manifest_free(m);
}
