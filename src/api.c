/* SPDX-License-Identifier: MIT */
/*
 * api.c - every snapdir_* entry point: check arguments, normalise options
 * once, call the library, and turn the thread's error into a SnapdirError
 * (the one place that adds the per-code message prefix).
 */
#include "snapdir.h"
#include "api_internal.h"
#include "core/sd_config.h"
#include "core/sd_excludes.h"
#include "core/sd_manifest.h"
#include "core/sd_walk.h"
#include "hash/sd_hash.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SNAPDIR_VERSION_STRING
#define SNAPDIR_VERSION_STRING "0.0.0"
#endif

struct SnapdirError {
    int code;
    char *message;
};

static const struct {
    int code;
    const char *name;
    const char *prefix;
} codes[] = {
    { SNAPDIR_EIO, "IO_ERROR", "I/O error" },
    { SNAPDIR_EMISMATCH, "HASH_MISMATCH", "hash mismatch" },
    { SNAPDIR_ESTORE, "STORE_ERROR", "store error" },
    { SNAPDIR_EINFLUX, "IN_FLUX", "snapshot is in flux" },
    { SNAPDIR_ECATALOG, "CATALOG_ERROR", "catalog error" },
    { SNAPDIR_EINVALID_ID, "INVALID_ID", "invalid snapshot id" },
    { SNAPDIR_EINVALID_STORE, "INVALID_STORE", "invalid store URI" },
    { SNAPDIR_ECONFLICT, "CONFLICT", "conflict" },
    { SNAPDIR_EINTERNAL, "INTERNAL", "internal error" },
    { SNAPDIR_ECANCELLED, "CANCELLED", "cancelled" },
    { SNAPDIR_EINVALID_MANIFEST, "INVALID_MANIFEST", "invalid manifest" },
};

static size_t code_index(int code)
{
    size_t i;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (codes[i].code == code) {
            return i;
        }
    }
    return 8; /* anything unexpected is INTERNAL */
}

const char *snapdir_version(void)
{
    return SNAPDIR_VERSION_STRING;
}

const char *snapdir_error_code_name(int code)
{
    return code == 0 ? "OK" : codes[code_index(code)].name;
}

const char *snapdir_error_code(const SnapdirError *err)
{
    return err ? snapdir_error_code_name(err->code) : NULL;
}

int snapdir_error_value(const SnapdirError *err)
{
    return err ? err->code : 0;
}

const char *snapdir_error_message(const SnapdirError *err)
{
    return err ? err->message : NULL;
}

void snapdir_error_free(SnapdirError *err)
{
    if (err) {
        sd_free(err->message);
        sd_free(err);
    }
}

void snapdir_string_free(char *s)
{
    sd_free(s);
}

int sd_api_fail(int code, SnapdirError **err)
{
    const sd_error *last = sd_error_last();
    SnapdirError *e;
    size_t i;
    const char *msg;
    size_t len;

    if (code >= 0) {
        return code;
    }
    /* internal-only codes never leave the library */
    if (code == SD_ENOTFOUND) {
        code = SNAPDIR_ESTORE;
    } else if (code == SD_EUSER) {
        code = SNAPDIR_ECANCELLED;
    } else if (code <= SD_ENOTFOUND) {
        code = SNAPDIR_EINTERNAL;
    }
    if (!err) {
        return code;
    }
    i = code_index(code);
    msg = last->code && last->msg[0] ? last->msg : "unknown error";
    e = sd_malloc(sizeof(*e));
    len = strlen(codes[i].prefix) + 2 + strlen(msg) + 1;
    if (!e || !(e->message = sd_malloc(len))) {
        sd_free(e);
        *err = NULL;
        return code;
    }
    e->code = code;
    snprintf(e->message, len, "%s: %s", codes[i].prefix, msg);
    *err = e;
    return code;
}

/* ---- manifests ---------------------------------------------------------- */

int snapdir_manifest_options_init(snapdir_manifest_options *opts,
                                  unsigned int version)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = version ? version : SNAPDIR_MANIFEST_OPTIONS_VERSION;
    return 0;
}

int sd_api_build_manifest(snapdir_manifest **out,
                          const char *path,
                          const snapdir_manifest_options *opts,
                          sd_ops_inline *store_inline)
{
    snapdir_manifest_options defaults;
    sd_excludes *ex = NULL;
    sd_hash_spec spec;
    sd_walk_options wo;
    char *root = NULL, *cache = NULL;
    int no_follow, error;

    if (!opts) {
        snapdir_manifest_options_init(&defaults, 0);
        opts = &defaults;
    }
    if (!path) {
        return sd_error_set(SNAPDIR_EIO, "parameter `path` must not be NULL");
    }
    no_follow = opts->no_follow;
    if (opts->exclude_count) {
        const char *home = opts->home ? opts->home : getenv("HOME");

        cache = opts->cache_dir ? sd_strdup(opts->cache_dir)
                                : sd_default_cache_dir();
        if (!cache) {
            return SNAPDIR_EINTERNAL;
        }
        if ((error =
                 sd_excludes_compile(&ex, opts->exclude, opts->exclude_count,
                                     home, cache, &no_follow)) < 0) {
            goto cleanup;
        }
    }
    if (!(root = sd_path_absolute(path))) {
        error = sd_error_last()->code;
        goto cleanup;
    }
    /* NULL means "as configured": the CLI and the bindings agree on ids */
    sd_hash_spec_init(&spec, opts->hash,
                      opts->context ? opts->context
                                    : getenv("SNAPDIR_MANIFEST_CONTEXT"));
    memset(&wo, 0, sizeof(wo));
    wo.no_follow = no_follow;
    wo.absolute = opts->absolute;
    wo.excludes = ex;
    wo.hash = &spec;
    wo.jobs = opts->jobs;
    wo.cancel = opts->cancel;
    wo.progress = opts->progress;
    wo.progress_payload = opts->progress_payload;
    if (store_inline) {
        wo.on_content = sd_ops_inline_put;
        wo.on_content_payload = store_inline;
    }
    error = sd_walk(out, root, &wo);
    if (error < 0 && error != SNAPDIR_ECANCELLED) {
        sd_error_wrap(error, "walking %s", root);
    }
cleanup:
    sd_excludes_free(ex);
    sd_free(cache);
    sd_free(root);
    return error;
}

int snapdir_manifest_build(snapdir_manifest **out,
                           const char *path,
                           const snapdir_manifest_options *opts,
                           SnapdirError **err)
{
    if (!out) {
        return SNAPDIR_EINTERNAL;
    }
    *out = NULL;
    sd_error_clear();
    return sd_api_fail(sd_api_build_manifest(out, path, opts, NULL), err);
}

int snapdir_manifest_parse(snapdir_manifest **out,
                           const char *text,
                           size_t len,
                           SnapdirError **err)
{
    if (!out) {
        return SNAPDIR_EINTERNAL;
    }
    *out = NULL;
    sd_error_clear();
    if (!text && len) {
        return sd_api_fail(sd_error_set(SNAPDIR_EINVALID_MANIFEST,
                                        "parameter `text` must not be NULL"),
                           err);
    }
    return sd_api_fail(sd_manifest_parse(out, text ? text : "", len), err);
}

int snapdir_manifest_render(char **out,
                            size_t *out_len,
                            const snapdir_manifest *m,
                            SnapdirError **err)
{
    sd_buf b = SD_BUF_INIT;
    int error;

    *out = NULL;
    sd_error_clear();
    if (!m) {
        return sd_api_fail(
            sd_error_set(SNAPDIR_EINTERNAL, "parameter `m` must not be NULL"),
            err);
    }
    if ((error = sd_manifest_render(&b, m)) < 0) {
        sd_buf_dispose(&b);
        return sd_api_fail(error, err);
    }
    if (out_len) {
        *out_len = b.len;
    }
    *out = sd_buf_detach(&b);
    return *out ? 0 : sd_api_fail(SNAPDIR_EINTERNAL, err);
}

void snapdir_manifest_id(char out[SNAPDIR_ID_HEXLEN + 1],
                         const snapdir_manifest *m)
{
    if (!m) {
        out[0] = '\0'; /* no manifest, no id */
        return;
    }
    sd_manifest_id(out, m);
}

size_t snapdir_manifest_count(const snapdir_manifest *m)
{
    return m ? m->count : 0;
}

int snapdir_manifest_entry_at(snapdir_manifest_entry *out,
                              const snapdir_manifest *m,
                              size_t i)
{
    const sd_entry *e;

    if (!m || i >= m->count) {
        return SNAPDIR_EINTERNAL;
    }
    e = &m->entries[i];
    out->type = e->type == 'D' ? SNAPDIR_ENTRY_DIRECTORY : SNAPDIR_ENTRY_FILE;
    out->mode = e->mode;
    out->checksum = e->checksum;
    out->size = e->size;
    out->path = e->path;
    return 0;
}

snapdir_hash_kind snapdir_manifest_hash(const snapdir_manifest *m)
{
    return m ? m->hash : SNAPDIR_HASH_BLAKE3;
}

void snapdir_manifest_free(snapdir_manifest *m)
{
    sd_manifest_free(m);
}

int snapdir_id_from_text(char out[SNAPDIR_ID_HEXLEN + 1],
                         const char *text,
                         size_t len,
                         SnapdirError **err)
{
    snapdir_manifest *m = NULL;
    int error;

    out[0] = '\0';
    if ((error = snapdir_manifest_parse(&m, text, len, err)) < 0) {
        return error;
    }
    sd_manifest_id(out, m);
    sd_manifest_free(m);
    return 0;
}

int sd_api_parse_id(char out[SNAPDIR_ID_HEXLEN + 1], const char *text)
{
    size_t len, i;

    if (!text) {
        return sd_error_set(SNAPDIR_EINVALID_ID,
                            "parameter `id` must not be NULL");
    }
    len = strlen(text);
    if (len != SNAPDIR_ID_HEXLEN) {
        return sd_error_set(SNAPDIR_EINVALID_ID,
                            "snapshot id must be exactly 64 hex characters, "
                            "got %zu characters",
                            len);
    }
    for (i = 0; i < len; i++) {
        char c = text[i];

        if (c >= 'A' && c <= 'F') {
            c = (char)(c - 'A' + 'a');
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return sd_error_set(SNAPDIR_EINVALID_ID,
                                "non-hex character in snapshot id: \"%.64s\"",
                                text);
        }
        if (out) {
            out[i] = c;
        }
    }
    if (out) {
        out[len] = '\0';
    }
    return 0;
}

int snapdir_path_absolute(char **out, const char *path, SnapdirError **err)
{
    sd_error_clear();
    *out = path ? sd_path_absolute(path) : NULL;
    if (!*out) {
        return sd_api_fail(path ? sd_error_last()->code
                                : sd_error_set(SNAPDIR_EIO,
                                               "parameter `path` must not be "
                                               "NULL"),
                           err);
    }
    return 0;
}

int snapdir_id_parse(char out[SNAPDIR_ID_HEXLEN + 1],
                     const char *text,
                     SnapdirError **err)
{
    sd_error_clear();
    return sd_api_fail(sd_api_parse_id(out, text), err);
}
