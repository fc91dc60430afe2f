/* test_faults.c — a failed statement inside a write job fails the whole job, on both
 * backends: the store's fault injection (store_fault_set) makes one chosen statement
 * fail as a full disk or a lost connection would, and the tests check that nothing of
 * the job was committed — above all, that a write never commits without its audit row.
 *
 * SQLite always runs (a file in a fresh temporary directory); PostgreSQL runs when
 * SHOUWANG_PG_BASE holds a conninfo without dbname (tests/pg-cluster.sh sets it), each
 * store in a database of its own; SHOUWANG_REQUIRE_PG=1 fails the run without it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/store.h"
#include "core/secret.h"
#include "domain/accounts/accounts.h"
#include <libpq-fe.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fx {
    store *s;
    store_kind kind;
    char dir[256];
    char pg_db[64];
} fx;

static const char *pg_base(void)
{
    const char *b = getenv("SHOUWANG_PG_BASE");
    return b && *b ? b : NULL;
}

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

static int group_setup(void **state, store_kind kind)
{
    fx *f = calloc(1, sizeof *f);
    f->kind = kind;
    snprintf(f->dir, sizeof f->dir, "%s/sw-faults-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    char err[512] = "";
    static const store_options opts = {.read_conns = 2, .writer_threads = 2, .batch_max = 64};
    if (kind == STORE_PG) {
        static int seq;
        snprintf(f->pg_db, sizeof f->pg_db, "sw_faults_%ld_%d_%d", (long)getpid(), (int)(time(NULL) % 100000), ++seq);
        if (pg_admin("CREATE DATABASE", "", f->pg_db)) {
            rmdir(f->dir);
            free(f);
            return -1;
        }
        char conninfo[600];
        snprintf(conninfo, sizeof conninfo, "%s dbname=%s", pg_base(), f->pg_db);
        f->s = store_open(NULL, conninfo, &opts, err, sizeof err);
    } else {
        char path[400];
        snprintf(path, sizeof path, "%s/test.db", f->dir);
        f->s = store_open(path, NULL, &opts, err, sizeof err);
    }
    if (!f->s || store_migrate(f->s, err, sizeof err) < 0) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_sqlite(void **state) { return group_setup(state, STORE_SQLITE); }
static int setup_pg(void **state) { return group_setup(state, STORE_PG); }

static int teardown(void **state)
{
    fx *f = *state;
    store_fault_set(NULL, 0);
    store_close(f->s);
    if (f->kind == STORE_PG) pg_admin("DROP DATABASE IF EXISTS", " WITH (FORCE)", f->pg_db);
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
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static int64_t fx_int(fx *f, const char *sql, const char *fmt, ...)
{
    store_conn *c = store_acquire(f->s);
    store_stmt *st = store_prepare(c, sql);
    assert_non_null(st);
    va_list ap;
    va_start(ap, fmt);
    int idx = 1;
    for (const char *p = fmt; *p; p++, idx++) {
        if (*p == 'i') store_bind_int(st, idx, va_arg(ap, int64_t));
        else store_bind_text(st, idx, va_arg(ap, const char *));
    }
    va_end(ap);
    int rc = store_step(st);
    int64_t v = rc == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    store_release(f->s, c);
    return v;
}

static char *fx_text(fx *f, const char *sql, int64_t id)
{
    store_conn *c = store_acquire(f->s);
    store_stmt *st;
    char *out = NULL;
    if (store_run(c, &st, sql, "i", id) == STORE_ROW) {
        out = strdup(store_col_text(st, 0));
        store_done(st);
    }
    store_release(f->s, c);
    return out;
}

/* A community with its committee account, made by the command line's own job. */
static void make_community(fx *f, const char *username, int64_t *community, int64_t *user)
{
    char hash[128];
    assert_int_equal(secret_password_hash("first-password-1", hash), 0);
    accounts_community_add j = {.name = "测试社区", .username = username, .hash = hash, .address = "test"};
    assert_int_equal(store_write_sync(f->s, accounts_community_add_job, &j), 0);
    *community = j.community_id;
    *user = j.user_id;
}

typedef struct token_row {
    int64_t community, user;
    const char *hash;
} token_row;

static int insert_token(store_conn *c, void *p)
{
    token_row *t = p;
    return store_run(c, NULL,
        "INSERT INTO api_tokens (community_id, user_id, name, token_hash, created_at, expires_at, password_stamp) "
        "VALUES ($1, $2, 'tool', $3, 1, 9000000000000000, (SELECT password_hash FROM users WHERE id = $2))",
        "iit", t->community, t->user, t->hash) == STORE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- tests */

/* The knob itself: the nth step of a matching statement fails, once; others run. */
static void test_fault_knob(void **state)
{
    fx *f = *state;
    store_fault_set("SELECT 40 + 2", 2);
    assert_int_equal(fx_int(f, "SELECT 40 + 2", ""), 42);
    assert_int_equal(fx_int(f, "SELECT 1 + 1", ""), 2);
    assert_int_equal(fx_int(f, "SELECT 40 + 2", ""), -1);
    assert_int_equal(store_fault_hits(), 1);
    assert_int_equal(fx_int(f, "SELECT 40 + 2", ""), 42);
    store_fault_set(NULL, 0);
}

/* A password change whose audit row cannot be written changes nothing: not the
 * password, not the sessions, not the tokens. Then, without the fault, all of it. */
static void test_audit_failure_rolls_back_password(void **state)
{
    fx *f = *state;
    char username[64];
    snprintf(username, sizeof username, "pw-%d", rand() % 100000);
    int64_t community, user;
    make_community(f, username, &community, &user);
    token_row t = {.community = community, .user = user, .hash = "hash-of-a-token-for-the-fault-test"};
    assert_int_equal(store_write_sync(f->s, insert_token, &t), 0);
    char *before = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", user);
    int64_t audits = fx_int(f, "SELECT COUNT(*) FROM audit_log WHERE user_id IS NULL AND target_id = $1", "i", user);

    char hash[128];
    assert_int_equal(secret_password_hash("second-password-2", hash), 0);
    accounts_password_set j = {.username = username, .hash = hash, .address = "test"};
    store_fault_set("INSERT INTO audit_log", 1);
    assert_int_not_equal(store_write_sync(f->s, accounts_password_job, &j), 0);
    assert_int_equal(store_fault_hits(), 1);
    assert_string_equal(j.error, "cannot write the audit entry");
    char *after = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", user);
    assert_string_equal(after, before);
    free(after);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", "i", user),
                     1);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM audit_log WHERE user_id IS NULL AND target_id = $1", "i", user),
                     audits);

    accounts_password_set ok = {.username = username, .hash = hash, .address = "test"};
    store_fault_set(NULL, 0);
    assert_int_equal(store_write_sync(f->s, accounts_password_job, &ok), 0);
    assert_int_equal(ok.tokens_revoked, 1);
    after = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", user);
    assert_string_not_equal(after, before);
    free(after);
    free(before);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", "i", user),
                     0);
    assert_int_equal(
        fx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.password' AND target_id = $1", "i", user), 1);
}

/* The token revocation failing stops the password change too. */
static void test_revoke_failure_rolls_back_password(void **state)
{
    fx *f = *state;
    char username[64];
    snprintf(username, sizeof username, "rv-%d", rand() % 100000);
    int64_t community, user;
    make_community(f, username, &community, &user);
    char *before = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", user);
    char hash[128];
    assert_int_equal(secret_password_hash("third-password-3", hash), 0);
    accounts_password_set j = {.username = username, .hash = hash, .address = "test"};
    store_fault_set("UPDATE api_tokens SET revoked_at", 1);
    assert_int_not_equal(store_write_sync(f->s, accounts_password_job, &j), 0);
    assert_int_equal(store_fault_hits(), 1);
    store_fault_set(NULL, 0);
    char *after = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", user);
    assert_string_equal(after, before);
    free(after);
    free(before);
}

/* A community whose second audit row fails is not created at all: no community, no
 * account, no first audit row. */
static void test_audit_failure_rolls_back_community(void **state)
{
    fx *f = *state;
    int64_t communities = fx_int(f, "SELECT COUNT(*) FROM communities", "");
    int64_t users = fx_int(f, "SELECT COUNT(*) FROM users", "");
    int64_t audits = fx_int(f, "SELECT COUNT(*) FROM audit_log", "");
    char hash[128];
    assert_int_equal(secret_password_hash("first-password-1", hash), 0);
    accounts_community_add j = {.name = "失败社区", .username = "never-made", .hash = hash, .address = "test"};
    store_fault_set("INSERT INTO audit_log", 2);
    assert_int_not_equal(store_write_sync(f->s, accounts_community_add_job, &j), 0);
    assert_int_equal(store_fault_hits(), 1);
    store_fault_set(NULL, 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM communities", ""), communities);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM users", ""), users);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM audit_log", ""), audits);
}

/* On SQLite jobs share one transaction (group commit): the failing job rolls back
 * alone, and a job queued beside it still commits. On PostgreSQL the two run on two
 * writers, either may meet the fault: exactly one fails, and only that one is undone. */
typedef struct pair_ctx {
    const char *username;
    char hash[128];
    accounts_password_set job;
    int rc;
    int done;
} pair_ctx;

static void pair_done(int rc, void *p)
{
    pair_ctx *c = p;
    c->rc = rc;
    __atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
}

static void test_failed_job_alone_in_batch(void **state)
{
    fx *f = *state;
    int64_t c1, u1, c2, u2;
    char n1[64], n2[64];
    snprintf(n1, sizeof n1, "ba-%d", rand() % 100000);
    snprintf(n2, sizeof n2, "bb-%d", rand() % 100000);
    make_community(f, n1, &c1, &u1);
    make_community(f, n2, &c2, &u2);
    char *before1 = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", u1);
    char *before2 = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", u2);
    pair_ctx a = {.username = n1}, b = {.username = n2};
    assert_int_equal(secret_password_hash("fourth-password-4", a.hash), 0);
    assert_int_equal(secret_password_hash("fifth-password-5", b.hash), 0);
    a.job = (accounts_password_set){.username = n1, .hash = a.hash, .address = "test"};
    b.job = (accounts_password_set){.username = n2, .hash = b.hash, .address = "test"};
    /* The first audit insert to run fails. */
    store_fault_set("INSERT INTO audit_log", 1);
    assert_int_equal(store_write(f->s, accounts_password_job, &a.job, pair_done, &a), 0);
    assert_int_equal(store_write(f->s, accounts_password_job, &b.job, pair_done, &b), 0);
    while (!__atomic_load_n(&a.done, __ATOMIC_SEQ_CST) || !__atomic_load_n(&b.done, __ATOMIC_SEQ_CST)) usleep(1000);
    store_fault_set(NULL, 0);
    assert_true((a.rc != 0) != (b.rc != 0));
    char *after1 = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", u1);
    char *after2 = fx_text(f, "SELECT password_hash FROM users WHERE id = $1", u2);
    assert_int_equal(strcmp(after1, before1) == 0, a.rc != 0);
    assert_int_equal(strcmp(after2, before2) == 0, b.rc != 0);
    free(before1);
    free(before2);
    free(after1);
    free(after2);
}

/* Statements sent "later" (store_exec_later, store_step_later): on PostgreSQL their
 * answers come with the next statement's. They run in order, a job reads its own later
 * writes, and one that fails on the server fails its job's batch, nothing of it kept;
 * the connection then serves the next job as before. */
static int later_table_job(store_conn *c, void *p)
{
    (void)p;
    return store_exec(c, "CREATE TABLE IF NOT EXISTS later_probe (n INTEGER)") == STORE_OK ? 0 : -1;
}

static int later_ok_job(store_conn *c, void *p)
{
    int64_t *seen = p;
    for (int64_t n = 1; n <= 2; n++) {
        store_stmt *st = store_prepare(c, "INSERT INTO later_probe (n) VALUES ($1)");
        if (!st) return -1;
        store_bind_int(st, 1, n);
        int rc = store_step_later(st);
        store_done(st);
        if (rc != STORE_DONE) return -1;
    }
    *seen = store_query_int(c, -1, "SELECT COUNT(*) FROM later_probe", "");
    return 0;
}

static int later_failing_job(store_conn *c, void *p)
{
    (void)p;
    store_run(c, NULL, "INSERT INTO later_probe (n) VALUES (3)", "");
    store_exec_later(c, "INSERT INTO later_probe_missing (n) VALUES (1)");
    store_run(c, NULL, "INSERT INTO later_probe (n) VALUES (4)", "");
    return 0;   /* as a job that does not look at the later statement's fate */
}

static void test_later_statements(void **state)
{
    fx *f = *state;
    assert_int_equal(store_write_sync(f->s, later_table_job, NULL), 0);
    int64_t before = fx_int(f, "SELECT COUNT(*) FROM later_probe", ""), seen = -1;
    assert_int_equal(store_write_sync(f->s, later_ok_job, &seen), 0);
    assert_int_equal(seen, before + 2);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM later_probe", ""), before + 2);
    assert_int_not_equal(store_write_sync(f->s, later_failing_job, NULL), 0);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM later_probe", ""), before + 2);
    assert_int_equal(store_write_sync(f->s, later_ok_job, &seen), 0);
    assert_int_equal(seen, before + 4);
    assert_int_equal(fx_int(f, "SELECT COUNT(*) FROM later_probe WHERE n > 2", ""), 0);
}

int main(void)
{
    srand((unsigned)time(NULL));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_knob),
        cmocka_unit_test(test_audit_failure_rolls_back_password),
        cmocka_unit_test(test_revoke_failure_rolls_back_password),
        cmocka_unit_test(test_audit_failure_rolls_back_community),
        cmocka_unit_test(test_failed_job_alone_in_batch),
        cmocka_unit_test(test_later_statements),
    };
    int failed = cmocka_run_group_tests_name("faults/sqlite", tests, setup_sqlite, teardown);
    if (pg_base()) {
        failed += cmocka_run_group_tests_name("faults/postgresql", tests, setup_pg, teardown);
    } else {
        fprintf(stderr, "faults/postgresql: skipped (SHOUWANG_PG_BASE is not set)\n");
        const char *req = getenv("SHOUWANG_REQUIRE_PG");
        if (req && !strcmp(req, "1")) failed++;
    }
    return failed ? 1 : 0;
}
