/* SPDX-License-Identifier: MIT */
/*
 * test_hash.c - BLAKE3's official test vectors (hash and derive-key modes)
 * through our hasher, plus MD5/SHA-256 known answers.
 */
#include "hash/sd_hash.h"
#include "sd_test.h"
#include "util/sd_str.h"

#include <json-c/json.h>

static unsigned char *vector_input(size_t len)
{
    unsigned char *buf = malloc(len ? len : 1);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (unsigned char)(i % 251);
    }
    return buf;
}

/* Check the first 32 bytes (our output length) of each extended output. */
static int
check_mode(json_object *cases, const char *field, const char *context)
{
    size_t i, n = json_object_array_length(cases);
    sd_hash_spec spec;

    sd_hash_spec_init(&spec, SNAPDIR_HASH_BLAKE3, context);
    for (i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(cases, i), *len, *want;
        uint8_t out[32];
        char hex[65];
        unsigned char *input;
        size_t inlen;

        json_object_object_get_ex(c, "input_len", &len);
        json_object_object_get_ex(c, field, &want);
        inlen = (size_t)json_object_get_int64(len);
        input = vector_input(inlen);
        sd_hash_buffer(out, &spec, input, inlen);
        free(input);
        sd_hex_encode(hex, out, 32);
        if (strncmp(hex, json_object_get_string(want), 64) != 0) {
            fprintf(stderr, "%s mismatch at input_len %zu\n", field, inlen);
            return -1;
        }
    }
    return (int)n;
}

SD_TEST(blake3_official_vectors)
{
    json_object *root = json_object_from_file(SD_TEST_BLAKE3_VECTORS);
    json_object *cases, *ctx;

    CHECK(root != NULL);
    CHECK(json_object_object_get_ex(root, "cases", &cases));
    CHECK(json_object_object_get_ex(root, "context_string", &ctx));
    CHECK(check_mode(cases, "hash", NULL) > 30);
    CHECK(check_mode(cases, "derive_key", json_object_get_string(ctx)) > 30);
    json_object_put(root);
}

SD_TEST(md5_and_sha256_known_answers)
{
    sd_hash_spec md5, sha;
    uint8_t out[32];
    char hex[65];

    sd_hash_spec_init(&md5, SNAPDIR_HASH_MD5, NULL);
    sd_hash_spec_init(&sha, SNAPDIR_HASH_SHA256, NULL);
    CHECK(sd_hash_len(SNAPDIR_HASH_MD5) == 16);
    sd_hash_buffer(out, &md5, "abc", 3);
    sd_hex_encode(hex, out, 16);
    CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");
    sd_hash_buffer(out, &sha, "abc", 3);
    sd_hex_encode(hex, out, 32);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
                   "f20015ad");
}

SD_TEST(blake3_of_empty_and_newline)
{
    char hex[65];

    sd_blake3_hex(hex, "", 0);
    CHECK_STR(
        hex,
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    sd_blake3_hex(hex, "\n", 1);
    CHECK_STR(
        hex,
        "295192ea1ec8566d563b1a7587e5f0198580cdbd043842f5090a4c197c20c67a");
}
