/* SPDX-License-Identifier: MIT */
/*
 * store_uri_fuzzer.c - the store-URI parsers (scheme check, file:// roots,
 * bucket/prefix splits) and snapshot-id parsing: any input must give a
 * clean result or a clean error, and a file:// root is always absolute,
 * normalised of trailing slashes, and free of the "file:" prefix.
 */
#include "snapdir.h"
#include "store/sd_store.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *uri = malloc(size + 1), *bucket = NULL, *prefix = NULL, *root;
    char id[SNAPDIR_ID_HEXLEN + 1];
    size_t len;

    if (!uri) {
        return 0;
    }
    memcpy(uri, data, size);
    uri[size] = '\0';
    if (strncmp(uri, "file:", 5) == 0 && (root = sd_store_file_root(uri))) {
        len = strlen(root);
        if (root[0] != '/' || (len > 1 && root[len - 1] == '/')) {
            abort();
        }
        sd_free(root);
    }
    if (sd_store_split_uri(&bucket, &prefix, uri) == 0) {
        if (!bucket || !prefix || !bucket[0] || prefix[0] == '/' ||
            (prefix[0] && prefix[strlen(prefix) - 1] == '/')) {
            abort();
        }
    } else if (sd_error_last()->code == 0) {
        abort(); /* a failure always says why */
    }
    sd_free(bucket);
    sd_free(prefix);
    if (snapdir_id_parse(id, uri, NULL) == 0 &&
        (strlen(id) != SNAPDIR_ID_HEXLEN ||
         strspn(id, "0123456789abcdef") != SNAPDIR_ID_HEXLEN)) {
        abort();
    }
    free(uri);
    return 0;
}
