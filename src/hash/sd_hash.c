/* SPDX-License-Identifier: MIT */
/* sd_hash.c - BLAKE3 / MD5 / SHA-256 behind one interface; see sd_hash.h. */
#include "hash/sd_hash.h"
#include "util/sd_error.h"
#include "util/sd_str.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

/*
 * Upstream BLAKE3 (1.3) detects CPU features lazily into a plain global;
 * hash once here, before any worker thread exists, so the detection never
 * races.
 */
static void warm_up(void)
{
    uint8_t block[2 * BLAKE3_CHUNK_LEN] = { 0 };
    uint8_t out[BLAKE3_OUT_LEN];
    blake3_hasher h;

    blake3_hasher_init(&h);
    blake3_hasher_update(&h, block, sizeof(block));
    blake3_hasher_finalize(&h, out, sizeof(out));
}

void sd_hash_warm_up(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, warm_up);
}

void sd_hash_spec_init(sd_hash_spec *spec,
                       snapdir_hash_kind kind,
                       const char *context)
{
    sd_hash_warm_up();
    memset(spec, 0, sizeof(*spec));
    spec->kind = kind;
    if (kind == SNAPDIR_HASH_BLAKE3 && context && context[0]) {
        spec->keyed = 1;
        blake3_hasher_init_derive_key(&spec->b3_template, context);
    } else {
        blake3_hasher_init(&spec->b3_template);
    }
}

size_t sd_hash_len(snapdir_hash_kind kind)
{
    return kind == SNAPDIR_HASH_MD5 ? 16 : 32;
}

int sd_hasher_init(sd_hasher *h, const sd_hash_spec *spec)
{
    const EVP_MD *md;
    EVP_MD_CTX *ctx;

    h->spec = spec;
    h->evp = NULL;
    if (spec->kind == SNAPDIR_HASH_BLAKE3) {
        memcpy(&h->b3, &spec->b3_template, sizeof(h->b3));
        return 0;
    }
    md = spec->kind == SNAPDIR_HASH_MD5 ? EVP_md5() : EVP_sha256();
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return sd_error_set(SNAPDIR_EINTERNAL, "cannot initialise %s",
                            spec->kind == SNAPDIR_HASH_MD5 ? "md5" : "sha256");
    }
    h->evp = ctx;
    return 0;
}

void sd_hasher_update(sd_hasher *h, const void *data, size_t len)
{
    if (h->evp) {
        EVP_DigestUpdate(h->evp, data, len);
    } else {
        blake3_hasher_update(&h->b3, data, len);
    }
}

void sd_hasher_final(sd_hasher *h, uint8_t *out)
{
    if (h->evp) {
        unsigned int n = 0;

        EVP_DigestFinal_ex(h->evp, out, &n);
        EVP_MD_CTX_free(h->evp);
        h->evp = NULL;
    } else {
        blake3_hasher_finalize(&h->b3, out, BLAKE3_OUT_LEN);
    }
}

void sd_hasher_dispose(sd_hasher *h)
{
    EVP_MD_CTX_free(h->evp);
    h->evp = NULL;
}

int sd_hash_buffer(uint8_t *out,
                   const sd_hash_spec *spec,
                   const void *data,
                   size_t len)
{
    sd_hasher h;
    int error;

    if ((error = sd_hasher_init(&h, spec)) < 0) {
        return error;
    }
    sd_hasher_update(&h, data, len);
    sd_hasher_final(&h, out);
    return 0;
}

void sd_blake3_hex(char out[65], const void *data, size_t len)
{
    blake3_hasher h;
    uint8_t digest[BLAKE3_OUT_LEN];

    blake3_hasher_init(&h);
    blake3_hasher_update(&h, data, len);
    blake3_hasher_finalize(&h, digest, sizeof(digest));
    sd_hex_encode(out, digest, sizeof(digest));
}
