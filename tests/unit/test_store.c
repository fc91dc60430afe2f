/* test_store.c — unit tests of the storage interface (store.h), run on both backends.
 *
 * The SQLite half always runs, on a file in a fresh temporary directory. The
 * PostgreSQL half runs when SHOUWANG_PG_BASE holds a conninfo without dbname (as
 * tests/pg-cluster.sh sets it): each store gets a database of its own, created here and
 * dropped at the end. Without it the PostgreSQL half is reported as skipped, and the
 * run fails when SHOUWANG_REQUIRE_PG=1 asks for both. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/store.h"
#include "store/store_int.h"
#include "core/log.h"
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct fx {
    store *s;
    store_kind kind;
    char dir[256];     /* temporary directory: SQLite file, backups */
    char pg_db[64];    /* PostgreSQL database made for this store */
} fx;

static const store_options fx_opts = {.read_conns = 4, .writer_threads = 4, .batch_max = 64};

/* ---------------------------------------------------------------- PostgreSQL databases */

static const char *pg_base(void)
{
    const char *b = getenv("SHOUWANG_PG_BASE");
    return b && *b ? b : NULL;
}

/* Runs one command on the maintenance database; the database name is quoted as an
 * identifier by libpq. */
static int pg_admin(const char *verb, const char *tail, const char *db)
{
    char conninfo[600];
    snprintf(conninfo, sizeof conninfo, "%s dbname=postgres", pg_base());
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    char *ident = PQescapeIdentifier(pg, db, strlen(db));
    char sql[256];
    snprintf(sql, sizeof sql, "%s %s%s", verb, ident, tail);
    PQfreemem(ident);
    PGresult *r = PQexec(pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc) fprintf(stderr, "postgres: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(pg);
    return rc;
}

static int pg_create_db(char *name, size_t len)
{
    static int seq;
    snprintf(name, len, "sw_unit_%ld_%d_%d", (long)getpid(), (int)(time(NULL) % 100000), ++seq);
    return pg_admin("CREATE DATABASE", "", name);
}

static void pg_drop_db(const char *name)
{
    pg_admin("DROP DATABASE IF EXISTS", " WITH (FORCE)", name);
}

/* ---------------------------------------------------------------- fixtures */

static store *fx_open(fx *f)
{
    char err[512] = "";
    store *s;
    if (f->kind == STORE_PG) {
        char conninfo[600];
        snprintf(conninfo, sizeof conninfo, "%s dbname=%s", pg_base(), f->pg_db);
        s = store_open(NULL, conninfo, &fx_opts, err, sizeof err);
    } else {
        char path[400];
        snprintf(path, sizeof path, "%s/test.db", f->dir);
        s = store_open(path, NULL, &fx_opts, err, sizeof err);
    }
    if (!s) fprintf(stderr, "store_open: %s\n", err);
    return s;
}

static fx *fx_new(store_kind kind)
{
    fx *f = calloc(1, sizeof *f);
    f->kind = kind;
    snprintf(f->dir, sizeof f->dir, "%s/sw-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->dir)) { free(f); return NULL; }
    if (kind == STORE_PG && pg_create_db(f->pg_db, sizeof f->pg_db) != 0) {
        rmdir(f->dir);
        free(f);
        return NULL;
    }
    return f;
}

static void fx_free(fx *f)
{
    if (!f) return;
    store_close(f->s);
    if (f->kind == STORE_PG) pg_drop_db(f->pg_db);
    /* The directory is this fixture's own (mkdtemp): the database, its WAL files, the
     * backups and whatever SQLite left beside them. */
    DIR *d = opendir(f->dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(f->dir);
    free(f);
}

static int group_setup(void **state, store_kind kind)
{
    fx *f = fx_new(kind);
    if (!f) return -1;
    f->s = fx_open(f);
    char err[512] = "";
    if (!f->s || store_migrate(f->s, err, sizeof err) < 0) {
        fprintf(stderr, "setup: %s\n", err);
        fx_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_sqlite(void **state) { return group_setup(state, STORE_SQLITE); }
static int setup_pg(void **state) { return group_setup(state, STORE_PG); }
static int teardown(void **state) { fx_free(*state); return 0; }

/* ---------------------------------------------------------------- helpers */

static int exec_job(store_conn *c, void *p)
{
    return store_exec(c, p) == STORE_OK ? 0 : -1;
}

/* Creates a table: {{ID}} and {{BLOB}} are expanded for the backend. */
static void fx_ddl(fx *f, const char *sql)
{
    char *x = store_expand_ddl(f->s->be, sql);
    int rc = store_write_sync(f->s, exec_job, x);
    free(x);
    assert_int_equal(rc, 0);
}

static int64_t fx_int(fx *f, const char *sql, const char *fmt, ...)
{
    store_conn *c = store_acquire(f->s);
    store_stmt *st = store_prepare(c, sql);
    if (!st) fprintf(stderr, "prepare: %s\n", store_errmsg(c));
    assert_non_null(st);
    va_list ap;
    va_start(ap, fmt);
    int idx = 1;
    for (const char *p = fmt; *p; p++, idx++) {
        if (*p == 'i') assert_int_equal(store_bind_int(st, idx, va_arg(ap, int64_t)), STORE_OK);
        else assert_int_equal(store_bind_text(st, idx, va_arg(ap, const char *)), STORE_OK);
    }
    va_end(ap);
    int rc = store_step(st);
    if (rc != STORE_ROW) fprintf(stderr, "step %d: %s\n", rc, store_errmsg(c));
    assert_int_equal(rc, STORE_ROW);
    int64_t v = store_col_int(st, 0);
    store_done(st);
    store_release(f->s, c);
    return v;
}

typedef struct sql_job {
    const char *sql;
    const char *fmt;
    int64_t a, b;
    const char *t;
} sql_job;

/* Runs one statement whose arguments are ints a, b then text t, as fmt lists them. */
static int run_sql(store_conn *c, const sql_job *j)
{
    if (!strcmp(j->fmt, "t")) return store_run(c, NULL, j->sql, "t", j->t);
    if (!strcmp(j->fmt, "i")) return store_run(c, NULL, j->sql, "i", j->a);
    if (!strcmp(j->fmt, "it")) return store_run(c, NULL, j->sql, "it", j->a, j->t);
    if (!strcmp(j->fmt, "ii")) return store_run(c, NULL, j->sql, "ii", j->a, j->b);
    return STORE_ERR;
}

static int sql_job_fn(store_conn *c, void *p)
{
    int rc = run_sql(c, p);
    return rc == STORE_DONE || rc == STORE_ROW ? 0 : rc;
}

/* ---------------------------------------------------------------- tests */

static void test_migrate(void **state)
{
    fx *shared = *state;
    fx *f = fx_new(shared->kind);
    assert_non_null(f);
    f->s = fx_open(f);
    assert_non_null(f->s);
    assert_int_equal(store_kind_of(f->s), f->kind);
    assert_string_equal(store_backend_name(f->s), f->kind == STORE_PG ? "postgresql" : "sqlite");

    char err[512] = "";
    int level = store_migrate(f->s, err, sizeof err);
    if (level < 0) fprintf(stderr, "migrate: %s\n", err);
    assert_true(store_migrations_count > 0);
    assert_int_equal(level, store_migrations[store_migrations_count - 1].level);
    assert_int_equal(store_migration_level(f->s), level);
    assert_int_equal(store_migrate(f->s, err, sizeof err), level);   /* nothing left to do */
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM schema_migrations", ""), store_migrations_count);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM users", ""), 0);

    /* The level survives a reopen, and migrating again still does nothing. */
    store_close(f->s);
    f->s = fx_open(f);
    assert_non_null(f->s);
    assert_int_equal(store_migration_level(f->s), level);
    assert_int_equal(store_migrate(f->s, err, sizeof err), level);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM schema_migrations", ""), store_migrations_count);

    /* The identity column hands out ids without being given one. */
    sql_job ins = {.sql = "INSERT INTO communities (name, created_at) VALUES ($2, $1)",
                   .fmt = "it", .a = 7, .t = "Test"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &ins), 0);
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &ins), 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(DISTINCT id) FROM communities WHERE id > $1", "i",
                            (int64_t)0), 2);
    fx_free(f);
}

static const unsigned char blob_bytes[] = {0, 1, 2, 0xff, 0xfe, '\\', 'x', 0, '\'', 0x80};

typedef struct cols_ctx {
    int rc[6];
} cols_ctx;

static int cols_job(store_conn *c, void *p)
{
    cols_ctx *x = p;
    const char *ins = "INSERT INTO t_cols (id, n, s, b) VALUES ($1, $2, $3, $4)";
    store_stmt *st = store_prepare(c, ins);
    if (!st) return -1;
    store_bind_int(st, 1, 1);
    store_bind_int(st, 2, 42);
    store_bind_text(st, 3, "hello, 世界 'quoted' \"double\" \\ end");
    store_bind_blob(st, 4, blob_bytes, sizeof blob_bytes);
    x->rc[0] = store_step(st);
    store_done(st);

    st = store_prepare(c, ins);                 /* cached: same statement again */
    store_bind_int(st, 1, 2);
    store_bind_null(st, 2);
    store_bind_text(st, 3, NULL);
    store_bind_null(st, 4);
    x->rc[1] = store_step(st);
    store_done(st);

    st = store_prepare(c, ins);
    store_bind_int(st, 1, 3);
    store_bind_int(st, 2, INT64_MIN + 1);
    store_bind_text(st, 3, "");
    store_bind_blob(st, 4, "", 0);
    x->rc[2] = store_step(st);
    store_done(st);

    st = store_prepare(c, ins);
    store_bind_int(st, 1, 4);
    store_bind_int(st, 2, INT64_MAX);
    store_bind_text(st, 3, "x");
    /* $4 left unbound: NULL */
    x->rc[3] = store_step(st);
    store_done(st);

    /* One parameter used twice. */
    x->rc[4] = store_run(c, NULL, "INSERT INTO t_cols (id, n, s) VALUES ($1, $1, $2)", "it",
                         (int64_t)5, "five");
    /* An argument the text does not use is ignored. */
    x->rc[5] = store_run(c, NULL, "INSERT INTO t_cols (id, n) VALUES ($1, $2)", "iit",
                         (int64_t)6, (int64_t)-6, "unused");
    return 0;
}

static void test_columns(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_cols (id BIGINT PRIMARY KEY, n BIGINT, s TEXT, b {{BLOB}})");
    cols_ctx x = {{0}};
    assert_int_equal(store_write_sync(f->s, cols_job, &x), 0);
    for (int i = 0; i < 6; i++) assert_int_equal(x.rc[i], STORE_DONE);

    store_conn *c = store_acquire(f->s);
    assert_int_equal(store_conn_kind(c), f->kind);
    store_stmt *st = store_prepare(c, "SELECT id, n, s, b FROM t_cols WHERE id <= $1 ORDER BY id");
    assert_non_null(st);
    assert_int_equal(store_bind_int(st, 1, 4), STORE_OK);

    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_count(st), 4);
    assert_string_equal(store_col_name(st, 0), "id");
    assert_string_equal(store_col_name(st, 3), "b");
    assert_int_equal(store_col_int(st, 0), 1);
    assert_int_equal(store_col_int(st, 1), 42);
    assert_false(store_col_null(st, 1));
    assert_string_equal(store_col_text(st, 2), "hello, 世界 'quoted' \"double\" \\ end");
    size_t n = 0;
    const void *b = store_col_blob(st, 3, &n);
    assert_int_equal(n, sizeof blob_bytes);
    assert_memory_equal(b, blob_bytes, sizeof blob_bytes);
    /* Reading the blob twice gives the same bytes. */
    b = store_col_blob(st, 3, &n);
    assert_int_equal(n, sizeof blob_bytes);
    assert_memory_equal(b, blob_bytes, sizeof blob_bytes);

    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 2);
    assert_true(store_col_null(st, 1));
    assert_int_equal(store_col_int(st, 1), 0);
    assert_true(store_col_null(st, 2));
    assert_null(store_col_text(st, 2));
    assert_true(store_col_null(st, 3));
    assert_null(store_col_blob(st, 3, &n));

    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 1), INT64_MIN + 1);
    assert_false(store_col_null(st, 2));
    assert_string_equal(store_col_text(st, 2), "");
    assert_false(store_col_null(st, 3));
    store_col_blob(st, 3, &n);
    assert_int_equal(n, 0);

    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_col_int(st, 1), INT64_MAX);
    assert_true(store_col_null(st, 3));

    assert_int_equal(store_step(st), STORE_DONE);
    store_done(st);

    assert_int_equal(fx_int(f, "SELECT n FROM t_cols WHERE id = $1", "i", (int64_t)5), 5);
    assert_int_equal(fx_int(f, "SELECT n FROM t_cols WHERE id = $1", "i", (int64_t)6), -6);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_cols WHERE id = $1 AND n = $1", "i",
                            (int64_t)5), 1);

    /* Comparisons read as 1/0 on both backends. */
    store_stmt *bs = NULL;
    assert_int_equal(store_run(c, &bs, "SELECT n = $1, n <> $1 FROM t_cols WHERE id = 1", "i",
                               (int64_t)42), STORE_ROW);
    assert_int_equal(store_col_int(bs, 0), 1);
    assert_int_equal(store_col_int(bs, 1), 0);
    assert_string_equal(store_col_text(bs, 0), "1");
    store_done(bs);

    /* A statement is reused many times with new bindings. */
    for (int64_t i = 1; i <= 200; i++) {
        store_stmt *r = NULL;
        int id = (int)(i % 6) + 1;
        assert_int_equal(store_run(c, &r, "SELECT id FROM t_cols WHERE id = $1", "i", (int64_t)id),
                         STORE_ROW);
        assert_int_equal(store_col_int(r, 0), id);
        store_done(r);
    }

    /* store_run with no row and no out; a bad statement fails with a message and leaves
     * the connection usable. */
    assert_int_equal(store_run(c, NULL, "SELECT id FROM t_cols WHERE id = $1", "i", (int64_t)99),
                     STORE_DONE);
    assert_null(store_prepare(c, "SELECT no_such_column FROM t_cols"));
    assert_true(strlen(store_errmsg(c)) > 0);
    assert_int_equal(store_run(c, NULL, "SELECT id FROM t_cols WHERE id = $1", "i", (int64_t)1),
                     STORE_ROW);
    store_release(f->s, c);
}

typedef struct changes_ctx {
    int64_t updated, deleted, none, returned_id;
    int rc_ret;
} changes_ctx;

static int changes_job(store_conn *c, void *p)
{
    changes_ctx *x = p;
    for (int64_t i = 1; i <= 3; i++)
        if (store_run(c, NULL, "INSERT INTO t_chg (v) VALUES ($1)", "i", i * 10) != STORE_DONE)
            return -1;
    store_stmt *st = store_prepare(c, "UPDATE t_chg SET v = v + 1 WHERE v <= $1");
    store_bind_int(st, 1, 20);
    if (store_step(st) != STORE_DONE) return -1;
    x->updated = store_changes(st);
    store_done(st);
    st = store_prepare(c, "DELETE FROM t_chg WHERE v = $1");
    store_bind_int(st, 1, 30);
    if (store_step(st) != STORE_DONE) return -1;
    x->deleted = store_changes(st);
    store_done(st);
    st = store_prepare(c, "DELETE FROM t_chg WHERE v = $1");
    store_bind_int(st, 1, 30);
    if (store_step(st) != STORE_DONE) return -1;
    x->none = store_changes(st);
    store_done(st);
    store_stmt *r = NULL;
    x->rc_ret = store_run(c, &r, "INSERT INTO t_chg (v) VALUES ($1) RETURNING id", "i", (int64_t)7);
    if (x->rc_ret == STORE_ROW) {
        x->returned_id = store_col_int(r, 0);
        store_done(r);
    }
    return 0;
}

static void test_changes_returning(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_chg (id {{ID}}, v BIGINT NOT NULL)");
    changes_ctx x = {0};
    assert_int_equal(store_write_sync(f->s, changes_job, &x), 0);
    assert_int_equal(x.updated, 2);
    assert_int_equal(x.deleted, 1);
    assert_int_equal(x.none, 0);
    assert_int_equal(x.rc_ret, STORE_ROW);
    assert_true(x.returned_id > 0);
    assert_int_equal(fx_int(f, "SELECT v FROM t_chg WHERE id = $1", "i", x.returned_id), 7);
    assert_int_equal(fx_int(f, "SELECT SUM(v) FROM t_chg", ""), 11 + 21 + 7);
}

typedef struct cons_ctx {
    int dup, notnull, fk, after;
    char msg[256];
} cons_ctx;

static int cons_job(store_conn *c, void *p)
{
    cons_ctx *x = p;
    x->dup = store_run(c, NULL, "INSERT INTO t_parent (id, name) VALUES ($1, $2)", "it",
                       (int64_t)1, "again");
    snprintf(x->msg, sizeof x->msg, "%s", store_errmsg(c));
    return x->dup;
}

static int notnull_job(store_conn *c, void *p)
{
    cons_ctx *x = p;
    x->notnull = store_run(c, NULL, "INSERT INTO t_parent (id, name) VALUES ($1, $2)", "in",
                           (int64_t)2);
    return x->notnull;
}

static int fk_job(store_conn *c, void *p)
{
    cons_ctx *x = p;
    x->fk = store_run(c, NULL, "INSERT INTO t_child (id, parent_id) VALUES ($1, $2)", "ii",
                      (int64_t)1, (int64_t)999);
    return x->fk;
}

static void test_constraint(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_parent (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
    fx_ddl(f, "CREATE TABLE t_child (id BIGINT PRIMARY KEY, "
              "parent_id BIGINT NOT NULL REFERENCES t_parent(id))");
    sql_job ins = {.sql = "INSERT INTO t_parent (id, name) VALUES ($1, $2)", .fmt = "it", .a = 1,
                   .t = "one"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &ins), 0);

    cons_ctx x = {0};
    assert_int_equal(store_write_sync(f->s, cons_job, &x), STORE_CONSTRAINT);
    assert_int_equal(x.dup, STORE_CONSTRAINT);
    assert_true(strlen(x.msg) > 0);
    assert_int_equal(store_write_sync(f->s, notnull_job, &x), STORE_CONSTRAINT);
    assert_int_equal(store_write_sync(f->s, fk_job, &x), STORE_CONSTRAINT);

    /* Unique on another column, through a second id. */
    sql_job dup_name = {.sql = "INSERT INTO t_parent (id, name) VALUES ($1, $2)", .fmt = "it",
                        .a = 3, .t = "one"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &dup_name), STORE_CONSTRAINT);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_parent", ""), 1);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_child", ""), 0);
}

typedef struct two_ctx {
    int64_t first, second;
    int ret;
    int rc_second;
} two_ctx;

/* Inserts two rows, then returns what the caller asked for. */
static int two_job(store_conn *c, void *p)
{
    two_ctx *x = p;
    if (store_run(c, NULL, "INSERT INTO t_tx (id) VALUES ($1)", "i", x->first) != STORE_DONE)
        return -1;
    x->rc_second = store_run(c, NULL, "INSERT INTO t_tx (id) VALUES ($1)", "i", x->second);
    if (x->ret == 99) return x->rc_second == STORE_DONE ? 0 : x->rc_second;
    return x->ret;
}

static void test_write_commit_rollback(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_tx (id BIGINT PRIMARY KEY)");

    two_ctx ok = {.first = 1, .second = 2, .ret = 0};
    assert_int_equal(store_write_sync(f->s, two_job, &ok), 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_tx", ""), 2);

    /* A job that returns non-zero leaves nothing behind, and its rc comes back. */
    two_ctx no = {.first = 3, .second = 4, .ret = 5};
    assert_int_equal(store_write_sync(f->s, two_job, &no), 5);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_tx", ""), 2);

    /* A constraint failure in the second statement undoes the first one too. */
    two_ctx clash = {.first = 10, .second = 1, .ret = 99};
    assert_int_equal(store_write_sync(f->s, two_job, &clash), STORE_CONSTRAINT);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_tx WHERE id = $1", "i", (int64_t)10), 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_tx", ""), 2);

    /* On PostgreSQL a failed statement aborts the transaction: a job that goes on and
     * returns 0 anyway must not be reported as committed. */
    if (f->kind == STORE_PG) {
        two_ctx ignore = {.first = 11, .second = 1, .ret = 0};
        assert_int_equal(store_write_sync(f->s, two_job, &ignore), STORE_ERR);
        assert_int_equal(ignore.rc_second, STORE_CONSTRAINT);
        assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_tx WHERE id = $1", "i", (int64_t)11), 0);
    }
}

/* ---- many writers */

enum { CONC_THREADS = 8, CONC_JOBS = 50 };

typedef struct conc_state {
    store *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished, failed, refused;
} conc_state;

typedef struct conc_job {
    conc_state *cs;
    int64_t thread, seq;
} conc_job;

static int conc_fn(store_conn *c, void *p)
{
    conc_job *j = p;
    if (store_run(c, NULL, "INSERT INTO t_conc (thread, seq) VALUES ($1, $2)", "ii", j->thread,
                  j->seq) != STORE_DONE)
        return -1;
    return store_run(c, NULL, "UPDATE t_counter SET n = n + 1 WHERE id = 1", "") == STORE_DONE
               ? 0 : -1;
}

static void conc_done(int rc, void *p)
{
    conc_job *j = p;
    conc_state *cs = j->cs;
    pthread_mutex_lock(&cs->mu);
    cs->finished++;
    if (rc != 0) cs->failed++;
    pthread_cond_broadcast(&cs->cv);
    pthread_mutex_unlock(&cs->mu);
    free(j);
}

typedef struct conc_thread {
    conc_state *cs;
    int64_t id;
} conc_thread;

static void *conc_main(void *p)
{
    conc_thread *t = p;
    for (int64_t i = 0; i < CONC_JOBS; i++) {
        conc_job *j = malloc(sizeof *j);
        *j = (conc_job){.cs = t->cs, .thread = t->id, .seq = i};
        if (store_write(t->cs->s, conc_fn, j, conc_done, j) != 0) {
            free(j);
            pthread_mutex_lock(&t->cs->mu);
            t->cs->refused++;
            pthread_mutex_unlock(&t->cs->mu);
        }
    }
    return NULL;
}

static void test_concurrent_writes(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_conc (thread BIGINT NOT NULL, seq BIGINT NOT NULL, "
              "PRIMARY KEY (thread, seq))");
    fx_ddl(f, "CREATE TABLE t_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
    fx_ddl(f, "INSERT INTO t_counter (id, n) VALUES (1, 0)");

    conc_state cs = {.s = f->s};
    pthread_mutex_init(&cs.mu, NULL);
    pthread_cond_init(&cs.cv, NULL);
    pthread_t th[CONC_THREADS];
    conc_thread args[CONC_THREADS];
    for (int i = 0; i < CONC_THREADS; i++) {
        args[i] = (conc_thread){.cs = &cs, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, conc_main, &args[i]), 0);
    }
    for (int i = 0; i < CONC_THREADS; i++) pthread_join(th[i], NULL);
    pthread_mutex_lock(&cs.mu);
    while (cs.finished + cs.refused < CONC_THREADS * CONC_JOBS)
        pthread_cond_wait(&cs.cv, &cs.mu);
    pthread_mutex_unlock(&cs.mu);
    pthread_mutex_destroy(&cs.mu);
    pthread_cond_destroy(&cs.cv);

    assert_int_equal(cs.refused, 0);
    assert_int_equal(cs.failed, 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_conc", ""), CONC_THREADS * CONC_JOBS);
    assert_int_equal(fx_int(f, "SELECT n FROM t_counter WHERE id = 1", ""),
                     CONC_THREADS * CONC_JOBS);
    for (int64_t t = 0; t < CONC_THREADS; t++)
        assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_conc WHERE thread = $1", "i", t),
                         CONC_JOBS);
}

/* ---- one failing job among many queued together */

enum { BATCH_JOBS = 40 };

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open, entered;
} gate;

static int gate_fn(store_conn *c, void *p)
{
    (void)c;
    gate *g = p;
    pthread_mutex_lock(&g->mu);
    g->entered = 1;
    pthread_cond_broadcast(&g->cv);
    while (!g->open) pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return 0;
}

typedef struct batch_job {
    int64_t id;
    int kind;          /* 0 commits, 1 returns 1 after inserting, 2 hits a constraint */
    int rc;
    int finished;
    gate *g;
} batch_job;

static int batch_fn(store_conn *c, void *p)
{
    batch_job *j = p;
    int rc = store_run(c, NULL, "INSERT INTO t_batch (id) VALUES ($1)", "i",
                       j->kind == 2 ? (int64_t)1000 : j->id);
    if (rc != STORE_DONE) return rc;
    return j->kind == 1 ? 1 : 0;
}

static void batch_done(int rc, void *p)
{
    batch_job *j = p;
    pthread_mutex_lock(&j->g->mu);
    j->rc = rc;
    j->finished = 1;
    pthread_cond_broadcast(&j->g->cv);
    pthread_mutex_unlock(&j->g->mu);
}

static void test_batch_isolation(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_batch (id BIGINT PRIMARY KEY)");
    fx_ddl(f, "INSERT INTO t_batch (id) VALUES (1000)");

    /* Hold a writer so the jobs below queue up and (on SQLite) commit as one batch. */
    gate g = {.open = 0};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    assert_int_equal(store_write(f->s, gate_fn, &g, NULL, NULL), 0);
    pthread_mutex_lock(&g.mu);
    while (!g.entered) pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);

    batch_job jobs[BATCH_JOBS];
    for (int i = 0; i < BATCH_JOBS; i++) {
        jobs[i] = (batch_job){.id = i + 1, .kind = i % 7 == 3 ? 1 : i % 11 == 5 ? 2 : 0, .g = &g};
        assert_int_equal(store_write(f->s, batch_fn, &jobs[i], batch_done, &jobs[i]), 0);
    }
    pthread_mutex_lock(&g.mu);
    g.open = 1;
    pthread_cond_broadcast(&g.cv);
    for (int i = 0; i < BATCH_JOBS; i++)
        while (!jobs[i].finished) pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);

    int committed = 0;
    for (int i = 0; i < BATCH_JOBS; i++) {
        int present = (int)fx_int(f, "SELECT COUNT(*) FROM t_batch WHERE id = $1", "i", jobs[i].id);
        switch (jobs[i].kind) {
        case 0: assert_int_equal(jobs[i].rc, 0); assert_int_equal(present, 1); committed++; break;
        case 1: assert_int_equal(jobs[i].rc, 1); assert_int_equal(present, 0); break;
        default: assert_int_equal(jobs[i].rc, STORE_CONSTRAINT); assert_int_equal(present, 0);
        }
    }
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_batch", ""), committed + 1);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

/* ---- backup and restore */

static int64_t count_label(fx *f, const char *label)
{
    return fx_int(f, "SELECT COUNT(*) FROM t_bk WHERE label = $1", "t", label);
}

static void test_backup_restore(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_bk (id {{ID}}, label TEXT NOT NULL, data {{BLOB}})");
    sql_job before = {.sql = "INSERT INTO t_bk (label) VALUES ($1)", .fmt = "t", .t = "before"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &before), 0);
    /* Warm the statement cache of a reader, to use it again across the restore. */
    assert_int_equal(count_label(f, "before"), 1);

    char path[400], err[512] = "";
    snprintf(path, sizeof path, "%s/backup", f->dir);
    int rc = store_backup(f->s, path, err, sizeof err);
    if (rc) fprintf(stderr, "backup: %s\n", err);
    assert_int_equal(rc, 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 0);

    sql_job after = {.sql = "INSERT INTO t_bk (label) VALUES ($1)", .fmt = "t", .t = "after"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &after), 0);
    sql_job del = {.sql = "DELETE FROM t_bk WHERE label = $1", .fmt = "t", .t = "before"};
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &del), 0);
    assert_int_equal(count_label(f, "after"), 1);
    assert_int_equal(count_label(f, "before"), 0);

    rc = store_restore(f->s, path, err, sizeof err);
    if (rc) fprintf(stderr, "restore: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(count_label(f, "before"), 1);
    assert_int_equal(count_label(f, "after"), 0);
    assert_int_equal(store_migration_level(f->s), store_migrations[store_migrations_count - 1].level);

    /* The store keeps working: writes go on, and identity ids continue past the
     * restored rows. */
    assert_int_equal(store_write_sync(f->s, sql_job_fn, &after), 0);
    assert_int_equal(count_label(f, "after"), 1);
    assert_int_equal(fx_int(f, "SELECT COUNT(DISTINCT id) FROM t_bk", ""), 2);

    /* A file that is no backup is refused and changes nothing. */
    char junk[400];
    snprintf(junk, sizeof junk, "%s/garbage", f->dir);
    FILE *j = fopen(junk, "w");
    assert_non_null(j);
    fputs("this is not a database backup\n", j);
    fclose(j);
    assert_int_not_equal(store_restore(f->s, junk, err, sizeof err), 0);
    assert_true(strlen(err) > 0);
    assert_int_equal(count_label(f, "before"), 1);
    assert_int_equal(count_label(f, "after"), 1);
}

static void test_query_int(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_qi (id BIGINT PRIMARY KEY, v BIGINT)");
    fx_ddl(f, "INSERT INTO t_qi (id, v) VALUES (1, 123456789012), (2, NULL)");
    store_conn *c = store_acquire(f->s);
    assert_int_equal(store_query_int(c, -1, "SELECT v FROM t_qi WHERE id = $1", "i", (int64_t)1),
                     123456789012);
    assert_int_equal(store_query_int(c, -1, "SELECT v FROM t_qi WHERE id = $1", "i", (int64_t)3),
                     -1);
    assert_int_equal(store_query_int(c, -7, "SELECT v FROM t_qi WHERE id = $1", "i", (int64_t)2),
                     -7);
    assert_int_equal(store_query_int(c, -1, "SELECT COUNT(*) FROM t_qi", NULL), 2);
    assert_int_equal(store_query_int(c, -1, "SELECT MAX(v) FROM t_qi WHERE id > $1", "i",
                                     (int64_t)5), -1);
    assert_int_equal(store_query_int(c, -5, "SELECT nonsense FROM t_qi", NULL), -5);
    store_release(f->s, c);
}

/* ---- watched tables */

typedef struct watch_job {
    const char *sql;
    bool quiet;
    int ret;
} watch_job;

static int watch_job_run(store_conn *c, void *p)
{
    watch_job *j = p;
    if (j->quiet) store_quiet(c, true);
    int rc = store_run(c, NULL, j->sql, "");
    return rc == STORE_DONE || rc == STORE_ROW ? j->ret : -1;
}

static int64_t db_epoch(fx *f)
{
    store_conn *c = store_acquire(f->s);
    int64_t v = -1;
    assert_int_equal(store_epoch_read(c, &v), 0);
    store_release(f->s, c);
    return v;
}

/* Writes to a watched table advance the epoch in memory and in the database, once per
 * committed batch; reads, other tables, quiet writes and rolled-back jobs do not. */
static void test_watched_epoch(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_watch (id BIGINT PRIMARY KEY, v BIGINT)");
    fx_ddl(f, "CREATE TABLE t_watch_other (id BIGINT PRIMARY KEY)");
    store_watch(f->s, "t_watch");
    uint64_t e = store_epoch(f->s);
    int64_t d = db_epoch(f);

    watch_job ins = {.sql = "INSERT INTO t_watch (id, v) VALUES (1, 1)"};
    assert_int_equal(store_write_sync(f->s, watch_job_run, &ins), 0);
    assert_true(store_epoch(f->s) == e + 1);
    assert_int_equal(db_epoch(f), d + 1);

    watch_job other = {.sql = "INSERT INTO t_watch_other (id) VALUES (1)"};
    watch_job read = {.sql = "SELECT v FROM t_watch WHERE id = 1"};
    watch_job quiet = {.sql = "UPDATE t_watch SET v = 2 WHERE id = 1", .quiet = true};
    watch_job undone = {.sql = "DELETE FROM t_watch WHERE id = 1", .ret = 3};
    assert_int_equal(store_write_sync(f->s, watch_job_run, &other), 0);
    assert_int_equal(store_write_sync(f->s, watch_job_run, &read), 0);
    assert_int_equal(store_write_sync(f->s, watch_job_run, &quiet), 0);
    assert_int_equal(store_write_sync(f->s, watch_job_run, &undone), 3);
    assert_true(store_epoch(f->s) == e + 1);
    assert_int_equal(db_epoch(f), d + 1);
    assert_int_equal(fx_int(f, "SELECT v FROM t_watch WHERE id = 1", ""), 2);

    /* Statement text as written in the code: leading space and lower case count too. */
    watch_job lower = {.sql = "\n    update t_watch set v = 3 where id = 1"};
    assert_int_equal(store_write_sync(f->s, watch_job_run, &lower), 0);
    assert_true(store_epoch(f->s) == e + 2);
    assert_int_equal(db_epoch(f), d + 2);
}

/* A cached statement still works after its table changed shape. */
static void test_schema_change(void **state)
{
    fx *f = *state;
    fx_ddl(f, "CREATE TABLE t_shape (id BIGINT PRIMARY KEY)");
    fx_ddl(f, "INSERT INTO t_shape (id) VALUES (1)");
    const char *q = "SELECT * FROM t_shape WHERE id = $1";
    store_conn *c = store_acquire(f->s);
    store_stmt *st = NULL;
    assert_int_equal(store_run(c, &st, q, "i", (int64_t)1), STORE_ROW);
    assert_int_equal(store_col_count(st), 1);
    store_done(st);
    fx_ddl(f, "ALTER TABLE t_shape ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'");
    int rc = store_run(c, &st, q, "i", (int64_t)1);
    if (rc != STORE_ROW) fprintf(stderr, "after ALTER: %s\n", store_errmsg(c));
    assert_int_equal(rc, STORE_ROW);
    assert_int_equal(store_col_count(st), 2);
    assert_string_equal(store_col_text(st, 1), "x");
    store_done(st);
    store_release(f->s, c);
}

/* ---- PostgreSQL only: lock timeouts and lost connections */

typedef struct lock_ctx {
    gate g;
    int rc;
} lock_ctx;

static int lock_hold_fn(store_conn *c, void *p)
{
    lock_ctx *x = p;
    if (store_run(c, NULL, "UPDATE t_lock SET n = n + 1 WHERE id = 1", "") != STORE_DONE)
        return -1;
    return gate_fn(c, &x->g);
}

static int lock_try_fn(store_conn *c, void *p)
{
    lock_ctx *x = p;
    if (store_exec(c, "SET LOCAL lock_timeout = '100ms'") != STORE_OK) return -1;
    x->rc = store_run(c, NULL, "UPDATE t_lock SET n = n + 10 WHERE id = 1", "");
    return x->rc == STORE_DONE ? 0 : x->rc;
}

static void test_pg_busy(void **state)
{
    fx *f = *state;
    if (f->kind != STORE_PG) skip();
    fx_ddl(f, "CREATE TABLE t_lock (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
    fx_ddl(f, "INSERT INTO t_lock (id, n) VALUES (1, 0)");
    lock_ctx x = {.rc = 0};
    pthread_mutex_init(&x.g.mu, NULL);
    pthread_cond_init(&x.g.cv, NULL);
    assert_int_equal(store_write(f->s, lock_hold_fn, &x, NULL, NULL), 0);
    pthread_mutex_lock(&x.g.mu);
    while (!x.g.entered) pthread_cond_wait(&x.g.cv, &x.g.mu);
    pthread_mutex_unlock(&x.g.mu);

    /* Another writer thread meets the row lock and gives up: retryable. */
    assert_int_equal(store_write_sync(f->s, lock_try_fn, &x), STORE_BUSY);
    assert_int_equal(x.rc, STORE_BUSY);

    pthread_mutex_lock(&x.g.mu);
    x.g.open = 1;
    pthread_cond_broadcast(&x.g.cv);
    pthread_mutex_unlock(&x.g.mu);
    /* Writes are ordered per thread only; wait for the holder's commit. */
    for (int i = 0; i < 500 && fx_int(f, "SELECT n FROM t_lock WHERE id = 1", "") != 1; i++)
        usleep(10000);
    assert_int_equal(fx_int(f, "SELECT n FROM t_lock WHERE id = 1", ""), 1);
    pthread_mutex_destroy(&x.g.mu);
    pthread_cond_destroy(&x.g.cv);
}

static int kill_self_fn(store_conn *c, void *p)
{
    int *rc = p;
    if (store_run(c, NULL, "INSERT INTO t_lost (id) VALUES ($1)", "i", (int64_t)1) != STORE_DONE)
        return -1;
    /* The connection may die before or after answering; either way the job returns 0, as a
     * careless job would, and the commit must still fail. */
    rc[0] = store_run(c, NULL, "SELECT pg_terminate_backend(pg_backend_pid())", "");
    return 0;
}

static int kill_other_fn(store_conn *c, void *p)
{
    int64_t *pid = p;
    return store_run(c, NULL, "SELECT pg_terminate_backend($1)", "i", *pid) == STORE_ROW ? 0 : -1;
}

static void test_pg_lost_connection(void **state)
{
    fx *f = *state;
    if (f->kind != STORE_PG) skip();
    fx_ddl(f, "CREATE TABLE t_lost (id BIGINT PRIMARY KEY)");

    /* A writer's connection dies inside a job: nothing is committed, the job fails, and
     * every writer goes on working afterwards. */
    int rc[1] = {0};
    assert_int_not_equal(store_write_sync(f->s, kill_self_fn, rc), 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_lost", ""), 0);
    for (int64_t i = 10; i < 30; i++) {
        sql_job ins = {.sql = "INSERT INTO t_lost (id) VALUES ($1)", .fmt = "i", .a = i};
        assert_int_equal(store_write_sync(f->s, sql_job_fn, &ins), 0);
    }
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM t_lost", ""), 20);

    /* A reader's connection dies while idle: the next use fails at most once, then the
     * connection is back with its statements prepared again. */
    store_conn *c = store_acquire(f->s);
    int64_t pid = store_query_int(c, 0, "SELECT pg_backend_pid()", NULL);
    assert_true(pid > 0);
    assert_int_equal(store_query_int(c, -1, "SELECT COUNT(*) FROM t_lost", NULL), 20);
    assert_int_equal(store_write_sync(f->s, kill_other_fn, &pid), 0);
    for (int i = 0; i < 500; i++) {
        store_conn *o = store_acquire(f->s);
        int64_t left = -1;
        if (o != c)
            left = store_query_int(o, -1, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1",
                                   "i", pid);
        store_release(f->s, o);
        if (left == 0) break;
        usleep(10000);
    }
    int64_t first = store_query_int(c, -1, "SELECT COUNT(*) FROM t_lost", NULL);
    assert_true(first == -1 || first == 20);
    assert_int_equal(store_query_int(c, -1, "SELECT COUNT(*) FROM t_lost", NULL), 20);
    assert_int_not_equal(store_query_int(c, 0, "SELECT pg_backend_pid()", NULL), pid);
    store_release(f->s, c);
}

/* A statement prepared again while an earlier use of the same SQL is still open
 * (a nested loop) gets a copy of its own on PostgreSQL. */
static void test_pg_nested_same_sql(void **state)
{
    fx *f = *state;
    if (f->kind != STORE_PG) skip();
    fx_ddl(f, "CREATE TABLE t_nest (id BIGINT PRIMARY KEY)");
    fx_ddl(f, "INSERT INTO t_nest (id) VALUES (1), (2), (3)");
    store_conn *c = store_acquire(f->s);
    const char *q = "SELECT id FROM t_nest WHERE id >= $1 ORDER BY id";
    store_stmt *outer = store_prepare(c, q);
    assert_non_null(outer);
    store_bind_int(outer, 1, 1);
    int64_t sum = 0;
    while (store_step(outer) == STORE_ROW) {
        int64_t id = store_col_int(outer, 0);
        store_stmt *inner = store_prepare(c, q);
        assert_non_null(inner);
        assert_ptr_not_equal(inner, outer);
        store_bind_int(inner, 1, id);
        while (store_step(inner) == STORE_ROW) sum += store_col_int(inner, 0);
        store_done(inner);
    }
    store_done(outer);
    assert_int_equal(sum, (1 + 2 + 3) + (2 + 3) + 3);
    store_release(f->s, c);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_changes_returning),
        cmocka_unit_test(test_constraint),
        cmocka_unit_test(test_write_commit_rollback),
        cmocka_unit_test(test_concurrent_writes),
        cmocka_unit_test(test_batch_isolation),
        cmocka_unit_test(test_query_int),
        cmocka_unit_test(test_watched_epoch),
        cmocka_unit_test(test_backup_restore),
        cmocka_unit_test(test_schema_change),
        cmocka_unit_test(test_pg_busy),
        cmocka_unit_test(test_pg_lost_connection),
        cmocka_unit_test(test_pg_nested_same_sql),
    };
    int failed = cmocka_run_group_tests_name("store/sqlite", tests, setup_sqlite, teardown);
    if (pg_base()) {
        failed += cmocka_run_group_tests_name("store/postgresql", tests, setup_pg, teardown);
    } else {
        const char *req = getenv("SHOUWANG_REQUIRE_PG");
        int required = req && !strcmp(req, "1");
        printf("store/postgresql: skipped, SHOUWANG_PG_BASE is not set (run under "
               "tests/pg-cluster.sh)%s\n", required ? " but SHOUWANG_REQUIRE_PG=1" : "");
        if (required) failed++;
    }
    return failed ? 1 : 0;
}
