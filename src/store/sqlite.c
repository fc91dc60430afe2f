/* sqlite.c — the SQLite backend: WAL, synchronous=FULL, foreign keys, busy timeout.
 *
 * Statements are cached per connection by SQL text. Parameters are bound by name
 * ("$1"), so the same SQL text works here and on PostgreSQL, and a repeated $1 is
 * bound once. */
#include "store_int.h"
#include "../core/arena.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQ_BUCKETS 256

typedef struct sq_stmt {
    store_stmt base;
    sqlite3_stmt *st;
    char *sql;
    struct sq_stmt *next;      /* cache chain */
    int64_t changes;
    int *slot;                 /* slot[n]: SQLite's index of "$n", 0 when absent */
    int nslots;                /* highest n + 1 */
} sq_stmt;

typedef struct sq_conn {
    store_conn base;
    sqlite3 *db;
    sq_stmt *cache[SQ_BUCKETS];
} sq_conn;

static unsigned sq_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SQ_BUCKETS;
}

static int sq_map(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: return STORE_OK;
    case SQLITE_ROW: return STORE_ROW;
    case SQLITE_DONE: return STORE_DONE;
    case SQLITE_CONSTRAINT: return STORE_CONSTRAINT;
    case SQLITE_BUSY: case SQLITE_LOCKED: return STORE_BUSY;
    default: return STORE_ERR;
    }
}

/* SQLite counts every allocation under one process-wide mutex unless told not to:
 * with several readers at once that mutex is where they wait. Set before the first
 * connection opens (sqlite3_config must precede initialisation). */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;

static void sq_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static store_conn *sq_connect(store *s, int role, char *err, size_t errlen)
{
    pthread_once(&sq_once, sq_configure);
    sq_conn *c = xcalloc(1, sizeof *c);
    c->base.s = s;
    c->base.be = &store_sqlite_backend;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (role ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(s->sqlite_path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", s->sqlite_path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, 10000);
    /* A statement with "column LIKE $n" is otherwise prepared again each time $n is
     * bound anew (SQLite re-plans in case the pattern allows an index): a third of a
     * search's time. Plans stay as prepared. */
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    /* Readers map the database file instead of copying each page into their own cache
     * with a read(): a search that touches index pages all over a large community then
     * costs no system call per page (the pages are the kernel's, shared by every reader). */
    /* The writer keeps statement journals in memory: an INSERT ... RETURNING into a
     * table with constraints writes one for every row, a temporary file otherwise. */
    const char *setup = role
        ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
          "PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY;"
        : "PRAGMA foreign_keys=ON; PRAGMA query_only=1; PRAGMA mmap_size=1073741824;";
    char *msg = NULL;
    if (sqlite3_exec(c->db, setup, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", s->sqlite_path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    return &c->base;
}

static void sq_disconnect(store_conn *bc)
{
    sq_conn *c = (sq_conn *)bc;
    for (int i = 0; i < SQ_BUCKETS; i++)
        for (sq_stmt *st = c->cache[i]; st;) {
            sq_stmt *next = st->next;
            sqlite3_finalize(st->st);
            free(st->sql);
            free(st->slot);
            free(st);
            st = next;
        }
    sqlite3_close(c->db);
    free(c);
}

static store_stmt *sq_prepare(store_conn *bc, const char *sql)
{
    sq_conn *c = (sq_conn *)bc;
    unsigned h = sq_hash(sql);
    for (sq_stmt *st = c->cache[h]; st; st = st->next)
        if (!strcmp(st->sql, sql)) return &st->base;
    sqlite3_stmt *raw;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) != SQLITE_OK)
        return NULL;
    sq_stmt *st = xcalloc(1, sizeof *st);
    st->base.c = bc;
    st->st = raw;
    st->sql = xstrdup(sql);
    /* Binding looks "$n" up by name, which SQLite does by a linear search: a statement
     * of a hundred parameters would compare names thousands of times per use. The
     * names are read once here instead. */
    int count = sqlite3_bind_parameter_count(raw);
    for (int i = 1; i <= count; i++) {
        const char *name = sqlite3_bind_parameter_name(raw, i);
        int n = name && name[0] == '$' ? (int)strtol(name + 1, NULL, 10) : 0;
        if (n <= 0 || n > 100000) continue;
        if (n >= st->nslots) {
            int grow = n + 1 > 2 * st->nslots ? n + 1 : 2 * st->nslots;
            st->slot = xrealloc(st->slot, (size_t)grow * sizeof *st->slot);
            memset(st->slot + st->nslots, 0, (size_t)(grow - st->nslots) * sizeof *st->slot);
            st->nslots = grow;
        }
        st->slot[n] = i;
    }
    st->next = c->cache[h];
    c->cache[h] = st;
    return &st->base;
}

/* Index of "$n"; 0 when the statement has no such parameter. */
static int sq_index(sq_stmt *st, int idx)
{
    return idx > 0 && idx < st->nslots ? st->slot[idx] : 0;
}

static int sq_bind_int(store_stmt *b, int idx, int64_t v)
{
    sq_stmt *st = (sq_stmt *)b;
    int i = sq_index(st, idx);
    return i ? sq_map(sqlite3_bind_int64(st->st, i, v)) : STORE_OK;
}

static int sq_bind_text(store_stmt *b, int idx, const char *v)
{
    sq_stmt *st = (sq_stmt *)b;
    int i = sq_index(st, idx);
    return i ? sq_map(sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT)) : STORE_OK;
}

static int sq_bind_blob(store_stmt *b, int idx, const void *p, size_t n)
{
    sq_stmt *st = (sq_stmt *)b;
    int i = sq_index(st, idx);
    return i ? sq_map(sqlite3_bind_blob64(st->st, i, p, n, SQLITE_TRANSIENT)) : STORE_OK;
}

static int sq_bind_null(store_stmt *b, int idx)
{
    sq_stmt *st = (sq_stmt *)b;
    int i = sq_index(st, idx);
    return i ? sq_map(sqlite3_bind_null(st->st, i)) : STORE_OK;
}

static int sq_step(store_stmt *b)
{
    sq_stmt *st = (sq_stmt *)b;
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_DONE) st->changes = sqlite3_changes64(((sq_conn *)b->c)->db);
    return sq_map(rc);
}

static int sq_col_count(store_stmt *b) { return sqlite3_column_count(((sq_stmt *)b)->st); }
static const char *sq_col_name(store_stmt *b, int col) { return sqlite3_column_name(((sq_stmt *)b)->st, col); }
static bool sq_col_null(store_stmt *b, int col) { return sqlite3_column_type(((sq_stmt *)b)->st, col) == SQLITE_NULL; }
static int64_t sq_col_int(store_stmt *b, int col) { return sqlite3_column_int64(((sq_stmt *)b)->st, col); }
static const char *sq_col_text(store_stmt *b, int col)
{
    return (const char *)sqlite3_column_text(((sq_stmt *)b)->st, col);
}
static const void *sq_col_blob(store_stmt *b, int col, size_t *n)
{
    sq_stmt *st = (sq_stmt *)b;
    const void *p = sqlite3_column_blob(st->st, col);
    *n = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

static int64_t sq_changes(store_stmt *b)
{
    sq_stmt *st = (sq_stmt *)b;
    return st->changes;
}

static void sq_done(store_stmt *b)
{
    sq_stmt *st = (sq_stmt *)b;
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

static int sq_exec(store_conn *bc, const char *sql)
{
    return sq_map(sqlite3_exec(((sq_conn *)bc)->db, sql, NULL, NULL, NULL));
}

static const char *sq_errmsg(store_conn *bc) { return sqlite3_errmsg(((sq_conn *)bc)->db); }

static const char *sq_ddl_word(const char *w)
{
    if (!strcmp(w, "ID")) return "INTEGER PRIMARY KEY";
    if (!strcmp(w, "BLOB")) return "BLOB";
    return NULL;
}

/* Copies every page of `from` into `to` in one step: one consistent snapshot. */
static int sq_copy(const char *from_path, int from_flags, const char *to_path, int standalone, char *err, size_t errlen)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = -1;
    if (sqlite3_open_v2(from_path, &src, from_flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", from_path, sqlite3_errmsg(src));
        goto out;
    }
    if (sqlite3_open_v2(to_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", to_path, sqlite3_errmsg(dst));
        goto out;
    }
    sqlite3_busy_timeout(src, 10000);
    sqlite3_busy_timeout(dst, 10000);
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    if (!bk) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int step = sqlite3_backup_step(bk, -1);
    sqlite3_backup_finish(bk);
    /* A backup file is one self-contained file: no -wal/-shm beside it. */
    if (step == SQLITE_DONE && standalone)
        sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "backup: %s", sqlite3_errstr(step));
        goto out;
    }
    rc = 0;
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc;
}

static int sq_backup(store *s, const char *out_path, char *err, size_t errlen)
{
    remove(out_path);
    return sq_copy(s->sqlite_path, SQLITE_OPEN_READONLY, out_path, 1, err, errlen);
}

static int sq_restore(store *s, const char *in_path, char *err, size_t errlen)
{
    /* Check the file is a Shouwang database before overwriting anything. */
    sqlite3 *probe = NULL;
    int ok = 0;
    if (sqlite3_open_v2(in_path, &probe, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(probe, "SELECT COUNT(*) FROM schema_migrations", -1, &st, NULL) == SQLITE_OK) {
            ok = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(probe);
    if (!ok) {
        snprintf(err, errlen, "%s is not a Shouwang backup", in_path);
        return -1;
    }
    return sq_copy(in_path, SQLITE_OPEN_READONLY, s->sqlite_path, 0, err, errlen);
}

const store_backend store_sqlite_backend = {
    .name = "sqlite",
    .kind = STORE_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_null = sq_col_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .done = sq_done,
    .exec = sq_exec,
    .errmsg = sq_errmsg,
    .ddl_word = sq_ddl_word,
    .backup = sq_backup,
    .restore = sq_restore,
};
