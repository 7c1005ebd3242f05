/* SPDX-License-Identifier: MIT */
/*
 * manifest_fuzzer.c - any input the parser accepts must render and re-parse
 * to the same manifest with the same id; anything else must fail cleanly.
 */
#include "snapdir.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snapdir_manifest *m = NULL, *again = NULL;
    SnapdirError *err = NULL;
    char id1[65], id2[65];
    char *text = NULL, *text2 = NULL;
    size_t len = 0, len2 = 0;

    if (snapdir_manifest_parse(&m, (const char *)data, size, &err) < 0) {
        if (!err || !snapdir_error_message(err) ||
            snapdir_error_value(err) != SNAPDIR_EINVALID_MANIFEST) {
            abort();
        }
        snapdir_error_free(err);
        return 0;
    }
    if (snapdir_manifest_render(&text, &len, m, NULL) < 0 ||
        snapdir_manifest_parse(&again, text, len, NULL) < 0) {
        abort();
    }
    snapdir_manifest_id(id1, m);
    snapdir_manifest_id(id2, again);
    if (strcmp(id1, id2) != 0 ||
        snapdir_manifest_count(m) != snapdir_manifest_count(again) ||
        snapdir_manifest_render(&text2, &len2, again, NULL) < 0 ||
        len != len2 || memcmp(text, text2, len) != 0) {
        abort();
    }
    snapdir_string_free(text);
    snapdir_string_free(text2);
    snapdir_manifest_free(m);
    snapdir_manifest_free(again);
    return 0;
}
