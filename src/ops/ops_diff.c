/* SPDX-License-Identifier: MIT */
/*
 * ops_diff.c - compare two sets of snapshots by their manifests alone.
 * Each side is the union of its refs ("URI": every manifest in the store,
 * in sorted id order; "URI@ID": that snapshot). A path present twice on
 * one side with different content is a conflict (or the later ref wins).
 * Rows: A only in "to", D only in "from", M both but different, = same;
 * paths that are directories on every side they appear are not rows.
 */
#include "ops/sd_ops.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const sd_entry *e;
    size_t ref; /* index of the ref that supplied it (command-line order) */
    size_t seq; /* insertion order, for stable sorting */
    const snapdir_manifest *m; /* the manifest it came from */
} item;

typedef struct {
    item *v;
    size_t n, cap;
    snapdir_manifest **manifests; /* kept alive for the entries */
    size_t nm, capm;
} side;

static int
push_item(side *s, const snapdir_manifest *m, const sd_entry *e, size_t ref)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        item *v = sd_reallocarray(s->v, cap, sizeof(item));

        if (!v) {
            return SNAPDIR_EINTERNAL;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].e = e;
    s->v[s->n].ref = ref;
    s->v[s->n].seq = s->n;
    s->v[s->n].m = m;
    s->n++;
    return 0;
}

static int keep_manifest(side *s, snapdir_manifest *m, size_t ref)
{
    size_t i;
    int error;

    if (s->nm == s->capm) {
        size_t cap = s->capm ? s->capm * 2 : 8;
        snapdir_manifest **v = sd_reallocarray(s->manifests, cap, sizeof(*v));

        if (!v) {
            sd_manifest_free(m);
            return SNAPDIR_EINTERNAL;
        }
        s->manifests = v;
        s->capm = cap;
    }
    s->manifests[s->nm++] = m;
    for (i = 0; i < m->count; i++) {
        if ((error = push_item(s, m, &m->entries[i], ref)) < 0) {
            return error;
        }
    }
    return 0;
}

static void side_dispose(side *s)
{
    size_t i;

    for (i = 0; i < s->nm; i++) {
        sd_manifest_free(s->manifests[i]);
    }
    sd_free(s->manifests);
    sd_free(s->v);
}

/* "URI@<64 hex>" splits; anything else is a plain URI. */
static char *split_ref(const char *ref, char id[65])
{
    const char *at = strrchr(ref, '@');
    size_t i;

    id[0] = '\0';
    if (at && strlen(at + 1) == 64) {
        for (i = 0; i < 64; i++) {
            char c = at[1 + i];

            if (c >= 'A' && c <= 'F') {
                c = (char)(c - 'A' + 'a');
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                break;
            }
            id[i] = c;
        }
        if (i == 64) {
            id[64] = '\0';
            return sd_strndup(ref, (size_t)(at - ref));
        }
        id[0] = '\0';
    }
    return sd_strdup(ref);
}

static int load_ref(side *s, const char *ref, size_t index, const char *pin)
{
    char id[65], *uri = split_ref(ref, id);
    sd_ops_ids list = { NULL, 0, 0 };
    sd_store *store = NULL;
    snapdir_manifest *m = NULL;
    size_t i;
    int error;

    if (!uri) {
        return SNAPDIR_EINTERNAL;
    }
    if ((error = sd_store_open(&store, uri)) < 0) {
        goto cleanup;
    }
    if (!id[0] && pin && sd_store_has_manifest(store, pin) == 1) {
        memcpy(id, pin, 65);
    }
    if (id[0]) {
        if ((error = sd_store_get_manifest(store, id, &m)) == 0) {
            error = keep_manifest(s, m, index);
        }
        goto cleanup;
    }
    /* sorted ids make "last wins" within one store deterministic */
    if ((error = sd_ops_list_ids(&list, store, 0)) < 0) {
        goto cleanup;
    }
    for (i = 0; i < list.n && error == 0; i++) {
        if ((error = sd_store_get_manifest(store, list.ids[i], &m)) == 0) {
            error = keep_manifest(s, m, index);
        }
    }
cleanup:
    sd_ops_ids_dispose(&list);
    sd_store_close(store);
    sd_free(uri);
    return error;
}

static int same_content(const sd_entry *a, const sd_entry *b)
{
    if (a->type != b->type || a->mode != b->mode) {
        return 0;
    }
    return a->type == 'D' ||
           (a->size == b->size && strcmp(a->checksum, b->checksum) == 0);
}

static int by_path_then_seq(const void *x, const void *y)
{
    const item *a = x, *b = y;
    int c = sd_path_cmp(a->e->path, a->e->path_len, b->e->path, b->e->path_len);

    return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

/* Sort and fold duplicates: one item per path, conflicts resolved. */
static int
fold(side *s, const char *name, const sd_diff_side *refs, int last_wins)
{
    size_t i, k = 0;

    if (s->n > 1) {
        qsort(s->v, s->n, sizeof(item), by_path_then_seq);
    }
    for (i = 0; i < s->n; i++) {
        item *prev = k ? &s->v[k - 1] : NULL;

        if (prev && sd_path_cmp(prev->e->path, prev->e->path_len,
                                s->v[i].e->path, s->v[i].e->path_len) == 0) {
            if (!same_content(prev->e, s->v[i].e)) {
                if (!last_wins) {
                    char id1[65], id2[65];

                    sd_manifest_id(id1, prev->m);
                    sd_manifest_id(id2, s->v[i].m);
                    return sd_error_set(
                        SNAPDIR_ECONFLICT,
                        "intra-side conflict on --%s: the path \"%s\" has "
                        "differing content in %s (snapshot %s) and %s "
                        "(snapshot %s); pass --on-conflict last-wins to let "
                        "the last ref win",
                        name, s->v[i].e->path, refs->refs[prev->ref], id1,
                        refs->refs[s->v[i].ref], id2);
                }
                if (s->v[i].ref >= prev->ref) {
                    *prev = s->v[i];
                }
            }
            continue;
        }
        s->v[k++] = s->v[i];
    }
    s->n = k;
    return 0;
}

static int load_side(side *s,
                     const sd_diff_side *refs,
                     const char *name,
                     const char *pin,
                     int last_wins,
                     volatile int *cancel)
{
    size_t i;
    int error;

    for (i = 0; i < refs->count; i++) {
        if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
            return sd_error_set(SNAPDIR_ECANCELLED, "operation cancelled");
        }
        if ((error = load_ref(s, refs->refs[i], i, pin)) < 0) {
            return sd_error_wrap(error, "resolving --%s side (%s)", name,
                                 refs->refs[i]);
        }
    }
    return fold(s, name, refs, last_wins);
}

static int
add_row(struct snapdir_diff *d, char status, const sd_entry *e, size_t *cap)
{
    if (d->count == *cap) {
        size_t n = *cap ? *cap * 2 : 256;
        sd_diff_row *v = sd_reallocarray(d->rows, n, sizeof(sd_diff_row));

        if (!v) {
            return SNAPDIR_EINTERNAL;
        }
        d->rows = v;
        *cap = n;
    }
    d->rows[d->count].status = status;
    d->rows[d->count].path = sd_arena_strndup(&d->arena, e->path, e->path_len);
    if (!d->rows[d->count].path) {
        return SNAPDIR_EINTERNAL;
    }
    d->count++;
    return 0;
}

/* Merge the two sorted sides into rows. */
static int
classify(struct snapdir_diff *d, const side *from, const side *to, int all)
{
    size_t i = 0, j = 0, cap = 0;
    int error = 0;

    while (error == 0 && (i < from->n || j < to->n)) {
        const sd_entry *a = i < from->n ? from->v[i].e : NULL;
        const sd_entry *b = j < to->n ? to->v[j].e : NULL;

        if (!b || (a && sd_path_cmp(a->path, a->path_len, b->path,
                                    b->path_len) < 0)) {
            i++;
            error = a->type == 'D' ? 0 : add_row(d, 'D', a, &cap);
        } else if (!a || sd_path_cmp(a->path, a->path_len, b->path,
                                     b->path_len) > 0) {
            j++;
            error = b->type == 'D' ? 0 : add_row(d, 'A', b, &cap);
        } else {
            i++;
            j++;
            if (a->type == 'D' && b->type == 'D') {
                continue; /* directory rows never appear */
            }
            if (!same_content(a, b)) {
                error = add_row(d, 'M', b, &cap);
            } else if (all) {
                error = add_row(d, '=', b, &cap);
            }
        }
    }
    return error;
}

int sd_ops_diff(struct snapdir_diff **out,
                const sd_diff_side *from,
                const sd_diff_side *to,
                const char *pin,
                int all,
                int last_wins,
                volatile int *cancel)
{
    side f, t;
    struct snapdir_diff *d = NULL;
    int error;

    *out = NULL;
    memset(&f, 0, sizeof(f));
    memset(&t, 0, sizeof(t));
    if ((error = load_side(&f, from, "from", pin, last_wins, cancel)) < 0 ||
        (error = load_side(&t, to, "to", pin, last_wins, cancel)) < 0) {
        goto cleanup;
    }
    if (!(d = sd_calloc(1, sizeof(*d)))) {
        error = SNAPDIR_EINTERNAL;
        goto cleanup;
    }
    sd_arena_init(&d->arena, 64 * 1024);
    if ((error = classify(d, &f, &t, all)) < 0) {
        sd_ops_diff_free(d);
        goto cleanup;
    }
    *out = d;
cleanup:
    side_dispose(&f);
    side_dispose(&t);
    return error;
}

void sd_ops_diff_free(struct snapdir_diff *d)
{
    if (!d) {
        return;
    }
    sd_arena_dispose(&d->arena);
    sd_free(d->rows);
    sd_free(d);
}
