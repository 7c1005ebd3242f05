/* SPDX-License-Identifier: MIT */
/*
 * sd_catalog.c - the catalog on SQLite; see sd_catalog.h. WAL mode and a
 * busy timeout let concurrent writers (other processes or threads, each
 * with its own connection) wait for each other instead of failing; every
 * log is one BEGIN IMMEDIATE transaction, so the head check and the insert
 * never interleave with another writer's. The schema is private: only the
 * query output is frozen.
 */
#include "core/sd_catalog.h"
#include "util/sd_alloc.h"
#include "util/sd_error.h"
#include "util/sd_path.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SD_CATALOG_BUSY_MS 10000
#define SD_CATALOG_SCHEMA  1

struct sd_catalog {
    sqlite3 *db;
    char *path;
};

/*
 * history holds one row per change of a location's head. seq (the rowid)
 * is the insertion order: a location's head is its row with the largest
 * seq (the reference's loc_head), and seq breaks created_at ties. An index
 * on (location) is ordered by (location, rowid), which serves both.
 */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS event_log ("
    " seq INTEGER PRIMARY KEY,"
    " created_at TEXT NOT NULL,"
    " event TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " location TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS history ("
    " seq INTEGER PRIMARY KEY,"
    " location TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " previous_id TEXT,"
    " created_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS history_by_location ON history (location);"
    "CREATE INDEX IF NOT EXISTS history_by_id ON history (id);"
    "PRAGMA user_version = 1;";

static const char head_sql[] =
    "SELECT id FROM history WHERE location = ?1 ORDER BY seq DESC LIMIT 1";

/* ORDER BY uses the BINARY collation (memcmp): location byte order */
static const char locations_sql[] =
    "SELECT created_at, id, location FROM history"
    " WHERE seq IN (SELECT max(seq) FROM history GROUP BY location)"
    " ORDER BY location";

static const char ancestors_sql[] =
    "SELECT created_at, previous_id, location FROM history"
    " WHERE id = ?1 AND previous_id IS NOT NULL"
    " AND (?2 IS NULL OR location = ?2)"
    " ORDER BY created_at DESC, seq DESC";

static const char revisions_sql[] =
    "SELECT created_at, id, previous_id FROM history WHERE location = ?1"
    " ORDER BY created_at DESC, seq DESC";

/* "<what> catalog <path>: <sqlite's message>" */
static int db_error(const sd_catalog *cat, const char *what)
{
    char shown[1024];

    return sd_error_set(SNAPDIR_ECATALOG, "%s catalog %s: %s", what,
                        sd_path_display(shown, sizeof(shown), cat->path),
                        cat->db ? sqlite3_errmsg(cat->db) : "out of memory");
}

static int mkdir_error(const char *dir, int errnum)
{
    char shown[1024], eb[128];

    return sd_error_set(SNAPDIR_ECATALOG, "creating catalog directory %s: %s",
                        sd_path_display(shown, sizeof(shown), dir),
                        sd_strerror(errnum, eb, sizeof(eb)));
}

/* mkdir -p of the directory holding path. */
static int make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir, *s;
    int error = 0;

    if (!slash || slash == path) {
        return 0;
    }
    if (!(dir = sd_strndup(path, (size_t)(slash - path)))) {
        return SNAPDIR_EINTERNAL;
    }
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        goto cleanup;
    }
    for (s = dir + 1; *s; s++) {
        if (*s != '/') {
            continue;
        }
        *s = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            error = mkdir_error(dir, errno);
            goto cleanup;
        }
        *s = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        error = mkdir_error(dir, errno);
    }
cleanup:
    sd_free(dir);
    return error;
}

static int exec(sd_catalog *cat, const char *sql, const char *what)
{
    if (sqlite3_exec(cat->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return db_error(cat, what);
    }
    return 0;
}

/*
 * Switching to WAL can answer SQLITE_BUSY without consulting the busy
 * handler (seen while another connection's close checkpoints and removes
 * the WAL file), so it gets its own retry, bounded like the handler.
 */
static int set_wal(sd_catalog *cat)
{
    int waited = 0, rc;

    while ((rc = sqlite3_exec(cat->db, "PRAGMA journal_mode = WAL", NULL, NULL,
                              NULL)) == SQLITE_BUSY &&
           waited < SD_CATALOG_BUSY_MS) {
        sqlite3_sleep(5);
        waited += 5;
    }
    return rc == SQLITE_OK ? 0 : db_error(cat, "opening");
}

static int user_version(int *out, sd_catalog *cat)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(cat->db, "PRAGMA user_version", -1, &st, NULL) !=
        SQLITE_OK) {
        return db_error(cat, "opening");
    }
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_error(cat, "opening");
}

/* Create the tables once; a concurrent creator makes this a no-op. */
static int init_schema(sd_catalog *cat)
{
    int version, error;

    if ((error = user_version(&version, cat)) < 0) {
        return error;
    }
    if (version > SD_CATALOG_SCHEMA) {
        char shown[1024];

        return sd_error_set(SNAPDIR_ECATALOG,
                            "opening catalog %s: schema version %d is newer "
                            "than this snapdir understands (%d)",
                            sd_path_display(shown, sizeof(shown), cat->path),
                            version, SD_CATALOG_SCHEMA);
    }
    if (version == SD_CATALOG_SCHEMA) {
        return 0;
    }
    if ((error = exec(cat, "BEGIN IMMEDIATE", "opening")) < 0) {
        return error;
    }
    if ((error = exec(cat, schema_sql, "creating")) < 0 ||
        (error = exec(cat, "COMMIT", "creating")) < 0) {
        sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return error;
}

int sd_catalog_open(sd_catalog **out, const char *path)
{
    sd_catalog *cat;
    int error;

    *out = NULL;
    if (!(cat = sd_calloc(1, sizeof(*cat))) || !(cat->path = sd_strdup(path))) {
        sd_free(cat);
        return SNAPDIR_EINTERNAL;
    }
    if ((error = make_parent(path)) < 0) {
        goto cleanup;
    }
    if (sqlite3_open_v2(path, &cat->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        error = db_error(cat, "opening");
        goto cleanup;
    }
    sqlite3_busy_timeout(cat->db, SD_CATALOG_BUSY_MS);
    /* WAL is persistent in the file; synchronous=NORMAL is safe with it */
    if ((error = set_wal(cat)) < 0 ||
        (error = exec(cat, "PRAGMA synchronous = NORMAL", "opening")) < 0 ||
        (error = init_schema(cat)) < 0) {
        goto cleanup;
    }
    *out = cat;
    return 0;
cleanup:
    sd_catalog_close(cat);
    return error;
}

void sd_catalog_close(sd_catalog *cat)
{
    if (cat) {
        sqlite3_close(cat->db);
        sd_free(cat->path);
        sd_free(cat);
    }
}

/* UTC now as "YYYY-MM-DD HH:MM:SS.mmm". */
static void now_utc(char *out, size_t len)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d:%02d.%03ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ts.tv_nsec / 1000000L);
}

/* Prepare sql and bind up to four text parameters (NULL binds NULL). */
static int prepare(sqlite3_stmt **st,
                   sd_catalog *cat,
                   const char *sql,
                   const char *const *params,
                   int nparams,
                   const char *what)
{
    int i;

    if (sqlite3_prepare_v2(cat->db, sql, -1, st, NULL) != SQLITE_OK) {
        return db_error(cat, what);
    }
    for (i = 0; i < nparams; i++) {
        int rc = params[i] ? sqlite3_bind_text(*st, i + 1, params[i], -1,
                                               SQLITE_STATIC)
                           : sqlite3_bind_null(*st, i + 1);

        if (rc != SQLITE_OK) {
            return db_error(cat, what);
        }
    }
    return 0;
}

/* Run a statement that returns no rows. */
static int
run(sd_catalog *cat, const char *sql, const char *const *params, int nparams)
{
    sqlite3_stmt *st = NULL;
    int error;

    if ((error = prepare(&st, cat, sql, params, nparams, "logging to")) == 0 &&
        sqlite3_step(st) != SQLITE_DONE) {
        error = db_error(cat, "logging to");
    }
    sqlite3_finalize(st);
    return error;
}

/* The id of location's head into *out (NULL when none). */
static int head_of(char **out, sd_catalog *cat, const char *location)
{
    sqlite3_stmt *st = NULL;
    int error, rc;

    *out = NULL;
    if ((error = prepare(&st, cat, head_sql, &location, 1, "logging to")) < 0) {
        goto cleanup;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);

        if (id && !(*out = sd_strdup(id))) {
            error = SNAPDIR_EINTERNAL;
        }
    } else if (rc != SQLITE_DONE) {
        error = db_error(cat, "logging to");
    }
cleanup:
    sqlite3_finalize(st);
    return error;
}

int sd_catalog_log_at(sd_catalog *cat,
                      const char *event,
                      const char *id,
                      const char *location,
                      const char *created_at)
{
    static const char event_sql[] =
        "INSERT INTO event_log (created_at, event, id, location)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char history_sql[] =
        "INSERT INTO history (location, id, previous_id, created_at)"
        " VALUES (?1, ?2, ?3, ?4)";
    char now[64], *head = NULL;
    const char *params[4];
    int error;

    if ((error = exec(cat, "BEGIN IMMEDIATE", "logging to")) < 0) {
        return error;
    }
    /* read the clock holding the write lock, so created_at follows seq */
    if (!created_at) {
        now_utc(now, sizeof(now));
        created_at = now;
    }
    params[0] = created_at;
    params[1] = event;
    params[2] = id;
    params[3] = location;
    if ((error = run(cat, event_sql, params, 4)) < 0 ||
        (error = head_of(&head, cat, location)) < 0) {
        goto cleanup;
    }
    if (!head || strcmp(head, id) != 0) {
        params[0] = location;
        params[1] = id;
        params[2] = head;
        params[3] = created_at;
        if ((error = run(cat, history_sql, params, 4)) < 0) {
            goto cleanup;
        }
    }
    error = exec(cat, "COMMIT", "logging to");
cleanup:
    if (error < 0) {
        sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sd_free(head);
    return error;
}

int sd_catalog_log(sd_catalog *cat,
                   const char *event,
                   const char *id,
                   const char *location)
{
    return sd_catalog_log_at(cat, event, id, location, NULL);
}

/* One compact JSON object of the row's three columns under keys. */
static int put_row(sd_buf *out, sqlite3_stmt *st, const char *const keys[3])
{
    int i, error = 0;

    for (i = 0; error == 0 && i < 3; i++) {
        const char *v = sqlite3_column_type(st, i) == SQLITE_NULL
                            ? NULL
                            : (const char *)sqlite3_column_text(st, i);

        error = sd_buf_printf(out, "%s\"%s\":", i ? "," : "{", keys[i]);
        if (error == 0) {
            error =
                v ? sd_buf_put_json_string(out, v) : sd_buf_puts(out, "null");
        }
    }
    return error ? error : sd_buf_puts(out, "}\n");
}

static int query(sd_buf *out,
                 sd_catalog *cat,
                 const char *sql,
                 const char *const *params,
                 int nparams,
                 const char *const keys[3])
{
    sqlite3_stmt *st = NULL;
    int error, rc;

    if ((error = prepare(&st, cat, sql, params, nparams, "querying")) < 0) {
        goto cleanup;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((error = put_row(out, st, keys)) < 0) {
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE) {
        error = db_error(cat, "querying");
    }
cleanup:
    sqlite3_finalize(st);
    return error;
}

static const char *const location_keys[3] = { "created_at", "id", "location" };

int sd_catalog_locations(sd_buf *out, sd_catalog *cat)
{
    return query(out, cat, locations_sql, NULL, 0, location_keys);
}

int sd_catalog_ancestors(sd_buf *out,
                         sd_catalog *cat,
                         const char *id,
                         const char *location)
{
    const char *params[2];

    params[0] = id;
    params[1] = location;
    return query(out, cat, ancestors_sql, params, 2, location_keys);
}

int sd_catalog_revisions(sd_buf *out, sd_catalog *cat, const char *location)
{
    static const char *const keys[3] = { "created_at", "id", "previous_id" };

    return query(out, cat, revisions_sql, &location, 1, keys);
}
