/* SPDX-License-Identifier: MIT */
/*
 * test_catalog.c - the catalog: head rules, the three queries' exact JSON
 * lines and orderings, escaping, concurrent writers, and the public API's
 * path resolution and error codes.
 */
#include "core/sd_catalog.h"
#include "sd_test.h"
#include "snapdir.h"
#include "util/sd_error.h"

#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T1 "2024-01-01 00:00:00.001"
#define T2 "2024-01-01 00:00:00.002"
#define T3 "2024-01-01 00:00:00.003"

static char db_path[512];

/* A fresh catalog in a new directory (a missing parent is created). */
static sd_catalog *fresh(void)
{
    sd_catalog *cat = NULL;

    snprintf(db_path, sizeof(db_path), "%s/sub/dir/cat.sqlite3",
             sd_test_tmpdir());
    if (sd_catalog_open(&cat, db_path) != 0) {
        fprintf(stderr, "open %s: %s\n", db_path, sd_error_last()->msg);
        return NULL;
    }
    return cat;
}

/* SELECT count(*) through a separate connection. */
static long count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static int revisions_are(sd_catalog *cat, const char *loc, const char *want)
{
    sd_buf b = SD_BUF_INIT;
    int ok = sd_catalog_revisions(&b, cat, loc) == 0 &&
             strcmp(b.ptr ? b.ptr : "", want) == 0;

    if (!ok) {
        fprintf(stderr, "revisions(%s):\n%s\nwanted:\n%s\n", loc,
                b.ptr ? b.ptr : "", want);
    }
    sd_buf_dispose(&b);
    return ok;
}

SD_TEST(catalog_head_rules)
{
    sd_catalog *cat = fresh();

    CHECK(cat);
    CHECK(sd_catalog_log_at(cat, "push", "A", "/l", T1) == 0);
    /* re-logging the head is an event but no history row */
    CHECK(sd_catalog_log_at(cat, "stage", "A", "/l", T2) == 0);
    CHECK(count_rows(db_path, "SELECT count(*) FROM history") == 1);
    CHECK(sd_catalog_log_at(cat, "push", "B", "/l", T2) == 0);
    /* going back to A is a change of head, so it is recorded */
    CHECK(sd_catalog_log_at(cat, "push", "A", "/l", T3) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "A", "/l", T3) == 0);
    CHECK(count_rows(db_path, "SELECT count(*) FROM event_log") == 5);
    CHECK(count_rows(db_path, "SELECT count(*) FROM history") == 3);
    CHECK(revisions_are(
        cat, "/l",
        "{\"created_at\":\"" T3 "\",\"id\":\"A\",\"previous_id\":\"B\"}\n"
        "{\"created_at\":\"" T2 "\",\"id\":\"B\",\"previous_id\":\"A\"}\n"
        "{\"created_at\":\"" T1 "\",\"id\":\"A\",\"previous_id\":null}\n"));
    /* another location has its own head */
    CHECK(sd_catalog_log_at(cat, "push", "A", "/m", T1) == 0);
    CHECK(revisions_are(cat, "/m",
                        "{\"created_at\":\"" T1
                        "\",\"id\":\"A\",\"previous_id\":null}\n"));
    CHECK(revisions_are(cat, "/nowhere", ""));
    CHECK(revisions_are(cat, "/l/", "")); /* exact string match */
    sd_catalog_close(cat);
}

SD_TEST(catalog_created_at_is_utc_millis)
{
    sd_catalog *cat = fresh();
    sd_buf b = SD_BUF_INIT;
    const char *ts;
    int i;

    CHECK(cat);
    CHECK(sd_catalog_log(cat, "push", "A", "/l") == 0);
    CHECK(sd_catalog_revisions(&b, cat, "/l") == 0);
    sd_catalog_close(cat);
    CHECK(strncmp(b.ptr, "{\"created_at\":\"", 15) == 0);
    ts = b.ptr + 15;
    for (i = 0; i < 23; i++) {
        const char *shape = "dddd-dd-dd dd:dd:dd.ddd";

        CHECK(shape[i] == 'd' ? (ts[i] >= '0' && ts[i] <= '9')
                              : ts[i] == shape[i]);
    }
    CHECK(strcmp(ts + 23, "\",\"id\":\"A\",\"previous_id\":null}\n") == 0);
    sd_buf_dispose(&b);
}

SD_TEST(catalog_ties_break_by_seq)
{
    sd_catalog *cat = fresh();

    CHECK(cat);
    CHECK(sd_catalog_log_at(cat, "push", "A", "/l", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "B", "/l", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "C", "/l", T1) == 0);
    CHECK(revisions_are(
        cat, "/l",
        "{\"created_at\":\"" T1 "\",\"id\":\"C\",\"previous_id\":\"B\"}\n"
        "{\"created_at\":\"" T1 "\",\"id\":\"B\",\"previous_id\":\"A\"}\n"
        "{\"created_at\":\"" T1 "\",\"id\":\"A\",\"previous_id\":null}\n"));
    /* the head is the newest row, so re-logging C adds nothing */
    CHECK(sd_catalog_log_at(cat, "push", "C", "/l", T1) == 0);
    CHECK(count_rows(db_path, "SELECT count(*) FROM history") == 3);
    sd_catalog_close(cat);
}

SD_TEST(catalog_locations_latest_in_byte_order)
{
    sd_catalog *cat = fresh();
    sd_buf b = SD_BUF_INIT;

    CHECK(cat);
    CHECK(sd_catalog_log_at(cat, "push", "X", "b", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "Y", "\xc3\xa9", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "X", "a/x", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "X", "a", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "Z", "A", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "Y", "a", T2) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "Z", "b", T1) == 0); /* tie */
    CHECK(sd_catalog_locations(&b, cat) == 0);
    sd_catalog_close(cat);
    CHECK_STR(b.ptr,
              "{\"created_at\":\"" T1 "\",\"id\":\"Z\",\"location\":\"A\"}\n"
              "{\"created_at\":\"" T2 "\",\"id\":\"Y\",\"location\":\"a\"}\n"
              "{\"created_at\":\"" T1 "\",\"id\":\"X\",\"location\":\"a/x\"}\n"
              "{\"created_at\":\"" T1 "\",\"id\":\"Z\",\"location\":\"b\"}\n"
              "{\"created_at\":\"" T1 "\",\"id\":\"Y\",\"location\":\"\xc3\xa9"
              "\"}\n");
    sd_buf_dispose(&b);
}

SD_TEST(catalog_ancestors_one_hop_newest_first)
{
    sd_catalog *cat = fresh();
    sd_buf b = SD_BUF_INIT;

    CHECK(cat);
    CHECK(sd_catalog_log_at(cat, "push", "P", "/one", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "Q", "/two", T1) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "X", "/three", T1) == 0); /* null */
    CHECK(sd_catalog_log_at(cat, "push", "X", "/one", T2) == 0);
    CHECK(sd_catalog_log_at(cat, "push", "X", "/two", T2) == 0); /* tie */
    CHECK(sd_catalog_log_at(cat, "push", "Y", "/one", T3) == 0);
    CHECK(sd_catalog_ancestors(&b, cat, "X", NULL) == 0);
    CHECK_STR(b.ptr,
              "{\"created_at\":\"" T2 "\",\"id\":\"Q\",\"location\":\"/two\"}\n"
              "{\"created_at\":\"" T2
              "\",\"id\":\"P\",\"location\":\"/one\"}\n");
    sd_buf_clear(&b);
    CHECK(sd_catalog_ancestors(&b, cat, "X", "/one") == 0);
    CHECK_STR(b.ptr, "{\"created_at\":\"" T2
                     "\",\"id\":\"P\",\"location\":\"/one\"}\n");
    sd_buf_clear(&b);
    /* one hop: Y's ancestor is X, not X's ancestors */
    CHECK(sd_catalog_ancestors(&b, cat, "Y", NULL) == 0);
    CHECK_STR(b.ptr, "{\"created_at\":\"" T3
                     "\",\"id\":\"X\",\"location\":\"/one\"}\n");
    sd_buf_clear(&b);
    CHECK(sd_catalog_ancestors(&b, cat, "P", NULL) == 0);
    CHECK(b.len == 0);
    sd_catalog_close(cat);
    sd_buf_dispose(&b);
}

SD_TEST(catalog_json_escaping)
{
    static const char odd[] = "/a\"b\\c\nd\te\x01"
                              "f\x7f/\xc3\xa9\r";
    sd_catalog *cat = fresh();
    sd_buf b = SD_BUF_INIT;

    CHECK(cat);
    CHECK(sd_catalog_log_at(cat, "stage", "A", odd, T1) == 0);
    CHECK(sd_catalog_locations(&b, cat) == 0);
    CHECK_STR(b.ptr, "{\"created_at\":\"" T1 "\",\"id\":\"A\",\"location\":"
                     "\"/a\\\"b\\\\c\\nd\\te\\u0001f\x7f/\xc3\xa9\\r\"}\n");
    CHECK(revisions_are(cat, odd,
                        "{\"created_at\":\"" T1
                        "\",\"id\":\"A\",\"previous_id\":null}\n"));
    sd_catalog_close(cat);
    sd_buf_dispose(&b);
}

/* ---- concurrent writers ------------------------------------------------ */

#define PER_WRITER 200

typedef struct {
    const char *path;
    int writer;
    int failures;
} writer_job;

/* PER_WRITER events with unique ids at one shared and one own location. */
static void write_events(writer_job *job)
{
    sd_catalog *cat = NULL;
    char id[32], own[32];
    int i;

    snprintf(own, sizeof(own), "/own/%d", job->writer);
    for (i = 0; i < PER_WRITER; i++) {
        /* a connection per event, like separate CLI invocations */
        if (sd_catalog_open(&cat, job->path) != 0) {
            fprintf(stderr, "writer %d: %s\n", job->writer,
                    sd_error_last()->msg);
            job->failures++;
            continue;
        }
        snprintf(id, sizeof(id), "w%d-%03d", job->writer, i);
        if (sd_catalog_log(cat, "push", id, i % 2 ? own : "/shared") != 0) {
            fprintf(stderr, "writer %d: %s\n", job->writer,
                    sd_error_last()->msg);
            job->failures++;
        }
        sd_catalog_close(cat);
    }
}

static void *writer_thread(void *arg)
{
    write_events(arg);
    return NULL;
}

/* Every history row at a location points at the row before it. */
static long broken_chains(const char *path)
{
    return count_rows(
        path, "SELECT count(*) FROM history AS h WHERE h.previous_id IS NOT "
              "(SELECT p.id FROM history AS p WHERE p.location = h.location "
              "AND p.seq < h.seq ORDER BY p.seq DESC LIMIT 1)");
}

static void check_all_recorded(const char *path)
{
    CHECK(count_rows(path, "SELECT count(*) FROM event_log") == 2 * PER_WRITER);
    CHECK(count_rows(path, "SELECT count(*) FROM history") == 2 * PER_WRITER);
    CHECK(count_rows(path, "SELECT count(*) FROM history WHERE "
                           "location = '/shared'") == PER_WRITER);
    CHECK(count_rows(path, "SELECT count(*) FROM history WHERE "
                           "previous_id IS NULL") == 3);
    CHECK(broken_chains(path) == 0);
}

SD_TEST(catalog_concurrent_threads)
{
    writer_job jobs[2];
    pthread_t th[2];
    int i;

    snprintf(db_path, sizeof(db_path), "%s/threads.sqlite3", sd_test_tmpdir());
    for (i = 0; i < 2; i++) {
        jobs[i].path = db_path;
        jobs[i].writer = i;
        jobs[i].failures = 0;
        CHECK(pthread_create(&th[i], NULL, writer_thread, &jobs[i]) == 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(jobs[0].failures == 0 && jobs[1].failures == 0);
    check_all_recorded(db_path);
}

SD_TEST(catalog_concurrent_processes)
{
    pid_t pids[2];
    int i, status;

    /* both processes also race to create the database */
    snprintf(db_path, sizeof(db_path), "%s/new/procs.sqlite3",
             sd_test_tmpdir());
    for (i = 0; i < 2; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0);
        if (pids[i] == 0) {
            writer_job job = { db_path, i, 0 };

            write_events(&job);
            _exit(job.failures ? 1 : 0);
        }
    }
    for (i = 0; i < 2; i++) {
        CHECK(waitpid(pids[i], &status, 0) == pids[i]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    check_all_recorded(db_path);
}

/* ---- the public API ---------------------------------------------------- */

static void make_id(char *out, char c)
{
    memset(out, c, SNAPDIR_ID_HEXLEN);
    out[SNAPDIR_ID_HEXLEN] = '\0';
}

SD_TEST(catalog_api_path)
{
    char *p = NULL;
    const char *saved = getenv("SNAPDIR_CACHE_DIR");
    char *saved_copy = saved ? strdup(saved) : NULL;

    CHECK(snapdir_catalog_path(&p, NULL, "/c", NULL) == 0);
    CHECK_STR(p, "/c/default-catalog.sqlite3");
    snapdir_string_free(p);
    CHECK(snapdir_catalog_path(&p, "foo", "/c/", NULL) == 0);
    CHECK_STR(p, "/c/foo-catalog.sqlite3");
    snapdir_string_free(p);
    CHECK(snapdir_catalog_path(&p, "rel/x.db", "/c", NULL) == 0);
    CHECK_STR(p, "rel/x.db");
    snapdir_string_free(p);
    p = (char *)1;
    CHECK(snapdir_catalog_path(&p, "none", "/c", NULL) == 0 && p == NULL);
    p = (char *)1;
    CHECK(snapdir_catalog_path(&p, "", "/c", NULL) == 0 && p == NULL);
    /* NULL cache_dir: SNAPDIR_CACHE_DIR, then the XDG default */
    setenv("SNAPDIR_CACHE_DIR", "/env/cache", 1);
    CHECK(snapdir_catalog_path(&p, "n", NULL, NULL) == 0);
    CHECK_STR(p, "/env/cache/n-catalog.sqlite3");
    snapdir_string_free(p);
    unsetenv("SNAPDIR_CACHE_DIR");
    CHECK(snapdir_catalog_path(&p, NULL, NULL, NULL) == 0);
    CHECK(p && strstr(p, "/snapdir/default-catalog.sqlite3"));
    snapdir_string_free(p);
    if (saved_copy) {
        setenv("SNAPDIR_CACHE_DIR", saved_copy, 1);
        free(saved_copy);
    }
}

SD_TEST(catalog_api_round_trip)
{
    char path[512], a[SNAPDIR_ID_HEXLEN + 1], b[SNAPDIR_ID_HEXLEN + 1];
    char want[512], *out = NULL;
    SnapdirError *err = NULL;
    struct stat st;

    snprintf(path, sizeof(path), "%s/x/api.sqlite3", sd_test_tmpdir());
    make_id(a, 'a');
    make_id(b, 'B'); /* ids are stored lowercased */
    /* a bad id is refused before the database is created */
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_ANCESTORS, "zz",
                                NULL, &err) == SNAPDIR_EINVALID_ID);
    CHECK(strcmp(snapdir_error_code(err), "INVALID_ID") == 0);
    snapdir_error_free(err);
    err = NULL;
    CHECK(out == NULL && stat(path, &st) != 0);
    CHECK(snapdir_catalog_log(path, "push", a, "s3://b/p", NULL) == 0);
    CHECK(snapdir_catalog_log(path, "push", b, "s3://b/p", NULL) == 0);
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_ANCESTORS, b, NULL,
                                &err) == 0);
    make_id(b, 'b');
    CHECK(strlen(out) > 40);
    snprintf(want, sizeof(want),
             "\",\"id\":\"%s\",\"location\":\"s3://b/p\"}\n", a);
    CHECK(strcmp(out + 38, want) == 0);
    snapdir_string_free(out);
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_REVISIONS, NULL,
                                "s3://b/p", NULL) == 0);
    snprintf(want, sizeof(want), "\",\"id\":\"%s\",\"previous_id\":\"%s\"}\n",
             b, a);
    CHECK(strncmp(out + 38, want, strlen(want)) == 0);
    snapdir_string_free(out);
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_REVISIONS, NULL,
                                "elsewhere", NULL) == 0);
    CHECK_STR(out, "");
    snapdir_string_free(out);
}

SD_TEST(catalog_api_errors_name_the_path)
{
    char path[512], id[SNAPDIR_ID_HEXLEN + 1];
    SnapdirError *err = NULL;
    char *out = NULL;

    make_id(id, '0');
    /* the parent "directory" is a regular file */
    snprintf(path, sizeof(path), "%s", sd_test_tmpdir());
    sd_test_write(path, "file", "x", 0644);
    snprintf(path + strlen(path), sizeof(path) - strlen(path),
             "/file/c.sqlite3");
    CHECK(snapdir_catalog_log(path, "push", id, "/l", &err) ==
          SNAPDIR_ECATALOG);
    CHECK(strncmp(snapdir_error_message(err), "catalog error: ", 15) == 0);
    CHECK(strstr(snapdir_error_message(err), "/file") != NULL);
    snapdir_error_free(err);
    err = NULL;
    /* a file that is not a database */
    snprintf(path, sizeof(path), "%s", sd_test_tmpdir());
    sd_test_write(path, "junk.sqlite3",
                  "this is not an sqlite database, not at all....", 0644);
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "/junk.sqlite3");
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_LOCATIONS, NULL,
                                NULL, &err) == SNAPDIR_ECATALOG);
    CHECK(strstr(snapdir_error_message(err), path) != NULL);
    snapdir_error_free(err);
    err = NULL;
    CHECK(snapdir_catalog_query(&out, path, SNAPDIR_CATALOG_REVISIONS, NULL,
                                NULL, &err) == SNAPDIR_ECATALOG);
    snapdir_error_free(err);
}
