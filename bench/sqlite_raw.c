/* sqlite_raw.c — the durable-write floor: one row INSERT per transaction, nothing else.
 *
 * WAL with synchronous=FULL makes every COMMIT wait for one flush of the disk, so the
 * commits per second this loop reaches are what a server doing one transaction per
 * write request could at best sustain on this machine. The real server groups many
 * requests into one commit; its durable writes/s are compared with this figure.
 *
 * Usage: sqlite_raw DB_PATH SECONDS
 * Prints one line, read by bench/run.sh:
 *   commits_per_s=N p50_ms=X p99_ms=Y commits=C seconds=S */
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

int main(int argc, char **argv)
{
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
