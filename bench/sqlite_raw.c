/* sqlite_raw.c — the durable-write floor: one row INSERT per transaction, nothing else.
 *
 * WAL with synchronous=FULL makes every COMMIT wait for one flush of the disk, so the
 * commits per second this loop reaches are what a server doing one transaction per
 * write request could at best sustain on this machine. The real server groups many
 * requests into one commit; its durable writes/s are compared with this figure.
 *
 * Usage: sqlite_raw DB_PATH SECONDS
 * Prints one line, read by bench/run.sh:
 *   commits_per_s=N p50_ms=X p99_ms=Y commits=C seconds=S
 *
 * Two more modes give the registry's baselines on the same data as the server:
 *   sqlite_raw lookup DB_PATH SECONDS — indexed lookups in a loaded demo database,
 *     alternately by phone and by name (residents_phone, residents_name), over 1,000
 *     residents sampled across the table: lookups_per_s=N p50_ms=X p99_ms=Y lookups=C
 *   sqlite_raw bulk DB_PATH CSV — the rows of a UTF-8 CSV (header skipped) inserted as
 *     households and residents in one transaction, WAL + synchronous=FULL, prepared
 *     statements: rows=N ms=X */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Value at quantile q of sorted v[0..n): nearest rank, as wrk reports its own. */
static double quantile(const double *v, size_t n, double q)
{
    size_t i = (size_t)(q * (double)n);
    return v[i < n ? i : n - 1];
}

static int cmp_ms(const void *a, const void *b) { return cmp_double(a, b); }

static int mode_lookup(const char *path, double seconds)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: open %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    enum { SAMPLE = 1000 };
    static char phone[SAMPLE][32], name[SAMPLE][64];
    static sqlite3_int64 community[SAMPLE];
    sqlite3_stmt *st = NULL;
    int n = 0;
    /* every k-th resident with a phone, so the sample spans the whole table */
    if (sqlite3_prepare_v2(db, "SELECT community_id, phone, name FROM residents WHERE phone <> '' AND "
                               "id % (1 + (SELECT COUNT(*) FROM residents) / 1000) = 0 LIMIT 1000",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: sample: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    while (n < SAMPLE && sqlite3_step(st) == SQLITE_ROW) {
        community[n] = sqlite3_column_int64(st, 0);
        snprintf(phone[n], sizeof phone[n], "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(name[n], sizeof name[n], "%s", (const char *)sqlite3_column_text(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    if (n == 0) { fprintf(stderr, "sqlite_raw: no residents in %s\n", path); return 1; }
    sqlite3_stmt *by_phone = NULL, *by_name = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, name, phone, household_id FROM residents WHERE community_id = ?1 "
                               "AND phone = ?2 ORDER BY id LIMIT 50", -1, &by_phone, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT id, name, phone, household_id FROM residents WHERE community_id = ?1 "
                               "AND name = ?2 ORDER BY id LIMIT 50", -1, &by_name, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: prepare: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    size_t cap = 1 << 16, done = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat) return 1;
    double start = now_s(), stop = start + seconds, t0 = start;
    while (t0 < stop) {
        int i = (int)(done % (size_t)n);
        sqlite3_stmt *q = done & 1 ? by_name : by_phone;
        sqlite3_bind_int64(q, 1, community[i]);
        sqlite3_bind_text(q, 2, done & 1 ? name[i] : phone[i], -1, SQLITE_STATIC);
        int rows = 0, rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) rows++;
        sqlite3_reset(q);
        if (rc != SQLITE_DONE || rows == 0) {
            fprintf(stderr, "sqlite_raw: lookup found nothing: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        double t1 = now_s();
        if (done == cap) {
            cap *= 2;
            double *grown = realloc(lat, cap * sizeof *lat);
            if (!grown) return 1;
            lat = grown;
        }
        lat[done++] = t1 - t0;
        t0 = t1;
    }
    qsort(lat, done, sizeof *lat, cmp_ms);
    printf("lookups_per_s=%.0f p50_ms=%.4f p99_ms=%.4f lookups=%zu\n", (double)done / (t0 - start),
           quantile(lat, done, 0.50) * 1e3, quantile(lat, done, 0.99) * 1e3, done);
    free(lat);
    sqlite3_finalize(by_phone);
    sqlite3_finalize(by_name);
    sqlite3_close(db);
    return 0;
}

/* Splits one unquoted CSV line in place; returns the number of fields. */
static int split_csv(char *line, char **field, int max)
{
    int n = 0;
    field[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') { *p = 0; field[n++] = p + 1; }
    return n;
}

static int mode_bulk(const char *path, const char *csv)
{
    FILE *in = fopen(csv, "r");
    if (!in) { perror(csv); return 1; }
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: open %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    /* The registry's two tables, their indexes and the unique household key. */
    if (exec(db, "PRAGMA journal_mode=WAL") || exec(db, "PRAGMA synchronous=FULL") ||
        exec(db,
             "CREATE TABLE households (id INTEGER PRIMARY KEY, block TEXT NOT NULL, room TEXT NOT NULL, "
             "status TEXT NOT NULL, UNIQUE (block, room))") ||
        exec(db,
             "CREATE TABLE residents (id INTEGER PRIMARY KEY, household_id INTEGER NOT NULL "
             "REFERENCES households(id), name TEXT NOT NULL, gender TEXT, birth TEXT, phone TEXT, id_number TEXT)") ||
        exec(db, "CREATE INDEX residents_household ON residents(household_id)") ||
        exec(db, "CREATE INDEX residents_phone ON residents(phone)") ||
        exec(db, "CREATE INDEX residents_name ON residents(name)") ||
        exec(db, "CREATE UNIQUE INDEX residents_id ON residents(id_number)"))
        return 1;
    sqlite3_stmt *find = NULL, *hh = NULL, *res = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id FROM households WHERE block = ?1 AND room = ?2", -1, &find, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO households (block, room, status) VALUES (?1, ?2, ?3)", -1, &hh, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO residents (household_id, name, gender, birth, phone, id_number) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &res, NULL)) {
        fprintf(stderr, "sqlite_raw: prepare: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    char line[1024];
    char *f[16];
    int rows = 0;
    double t0 = now_s();
    if (exec(db, "BEGIN IMMEDIATE")) return 1;
    /* columns as bench/run.sh writes them: 楼组,房号,户状态,姓名,性别,出生日期,手机,身份证号 */
    for (int first = 1; fgets(line, sizeof line, in); first = 0) {
        line[strcspn(line, "\r\n")] = 0;
        if (first || !*line) continue;
        if (split_csv(line, f, 16) < 8) { fprintf(stderr, "sqlite_raw: short line\n"); return 1; }
        sqlite3_int64 hid = 0;
        sqlite3_bind_text(find, 1, f[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(find, 2, f[1], -1, SQLITE_STATIC);
        if (sqlite3_step(find) == SQLITE_ROW) hid = sqlite3_column_int64(find, 0);
        sqlite3_reset(find);
        if (!hid) {
            sqlite3_bind_text(hh, 1, f[0], -1, SQLITE_STATIC);
            sqlite3_bind_text(hh, 2, f[1], -1, SQLITE_STATIC);
            sqlite3_bind_text(hh, 3, f[2], -1, SQLITE_STATIC);
            if (sqlite3_step(hh) != SQLITE_DONE) { fprintf(stderr, "sqlite_raw: %s\n", sqlite3_errmsg(db)); return 1; }
            sqlite3_reset(hh);
            hid = sqlite3_last_insert_rowid(db);
        }
        sqlite3_bind_int64(res, 1, hid);
        for (int k = 0; k < 5; k++) sqlite3_bind_text(res, k + 2, f[k + 3], -1, SQLITE_STATIC);
        if (sqlite3_step(res) != SQLITE_DONE) { fprintf(stderr, "sqlite_raw: %s\n", sqlite3_errmsg(db)); return 1; }
        sqlite3_reset(res);
        rows++;
    }
    if (exec(db, "COMMIT")) return 1;
    printf("rows=%d ms=%.1f\n", rows, (now_s() - t0) * 1e3);
    fclose(in);
    sqlite3_finalize(find);
    sqlite3_finalize(hh);
    sqlite3_finalize(res);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "lookup")) {
        double secs = atof(argv[3]);
        if (secs <= 0 || secs > 600) { fprintf(stderr, "sqlite_raw: SECONDS must be in (0, 600]\n"); return 2; }
        return mode_lookup(argv[2], secs);
    }
    if (argc == 4 && !strcmp(argv[1], "bulk")) return mode_bulk(argv[2], argv[3]);
    if (argc != 3) {
        fprintf(stderr, "usage: %s DB_PATH SECONDS\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    if (seconds <= 0 || seconds > 600) {
        fprintf(stderr, "sqlite_raw: SECONDS must be in (0, 600]\n");
        return 2;
    }

    sqlite3 *db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    /* journal_mode returns a row; sqlite3_exec discards it, which is all we need. */
    if (exec(db, "PRAGMA journal_mode=WAL") || exec(db, "PRAGMA synchronous=FULL") ||
        exec(db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT NOT NULL,"
                 " at INTEGER NOT NULL)"))
        return 1;

    sqlite3_stmt *begin = NULL, *insert = NULL, *commit = NULL;
    if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t(v, at) VALUES(?1, ?2)", -1, &insert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_raw: prepare: %s\n", sqlite3_errmsg(db));
        return 1;
    }

    size_t cap = 1 << 16, n = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (lat == NULL) return 1;

    /* A value the size of a short display name, so the row resembles a real write. */
    static const char value[] = "display name of a resident, 40 bytes...";
    double start = now_s(), stop = start + seconds, t0 = start;
    while (t0 < stop) {
        sqlite3_bind_text(insert, 1, value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 2, (sqlite3_int64)n);
        if (sqlite3_step(begin) != SQLITE_DONE || sqlite3_step(insert) != SQLITE_DONE ||
            sqlite3_step(commit) != SQLITE_DONE) {
            fprintf(stderr, "sqlite_raw: write: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_reset(begin);
        sqlite3_reset(insert);
        sqlite3_reset(commit);
        double t1 = now_s();
        if (n == cap) {
            cap *= 2;
            double *grown = realloc(lat, cap * sizeof *lat);
            if (grown == NULL) return 1;
            lat = grown;
        }
        lat[n++] = t1 - t0;
        t0 = t1;
    }
    double elapsed = t0 - start;

    qsort(lat, n, sizeof *lat, cmp_double);
    printf("commits_per_s=%.0f p50_ms=%.3f p99_ms=%.3f commits=%zu seconds=%.2f\n",
           (double)n / elapsed, quantile(lat, n, 0.50) * 1e3, quantile(lat, n, 0.99) * 1e3,
           n, elapsed);

    free(lat);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return 0;
}
