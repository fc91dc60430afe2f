/* test_demo.c — unit tests of the demo community (src/domain/demo.c) on real stores.
 *
 * Every test loads the demo into a fresh, migrated store: a SQLite file in a temporary
 * directory, and a database of its own on PostgreSQL when SHOUWANG_PG_BASE holds a
 * conninfo without dbname (as tests/pg-cluster.sh sets it). Checked: the shape of the
 * community (zones, blocks, households, residents, age mix, flags), that ID numbers are
 * valid GB 11643 numbers stored only encrypted, the six logins and their scopes, that a
 * second load fails and changes nothing, and that two loads give the same people. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/demo.h"
#include "core/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "store/store.h"
#include <libpq-fe.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <inttypes.h>

/* 32 bytes 0x00..0x1f, base64: a fixed test key. */
#define TEST_FIELD_KEY "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static store_kind g_kind = STORE_SQLITE;   /* backend of the group being run */

typedef struct fx {
    store *s;
    char dir[256];
    char pg_db[64];
    store_kind kind;
} fx;

/* ---------------------------------------------------------------- PostgreSQL databases */

static const char *pg_base(void)
{
    const char *b = getenv("SHOUWANG_PG_BASE");
    return b && *b ? b : NULL;
}

/* Runs one command on the maintenance database; libpq quotes the database name. */
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

/* ---------------------------------------------------------------- fixtures */

static void fx_free(fx *f)
{
    if (!f) return;
    store_close(f->s);
    if (f->pg_db[0]) pg_admin("DROP DATABASE IF EXISTS", " WITH (FORCE)", f->pg_db);
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

/* A fresh store of the group's backend with every migration applied. */
static fx *fx_new(void)
{
    static int seq;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->kind = g_kind;
    snprintf(f->dir, sizeof f->dir, "%s/sw-demo-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    store_options opt = {.read_conns = 2, .writer_threads = 2, .batch_max = 64};
    char err[512] = "";
    if (f->kind == STORE_PG) {
        snprintf(f->pg_db, sizeof f->pg_db, "sw_demo_%ld_%d_%d", (long)getpid(), (int)(time(NULL) % 100000), ++seq);
        assert_int_equal(pg_admin("CREATE DATABASE", "", f->pg_db), 0);
        char conninfo[700];
        snprintf(conninfo, sizeof conninfo, "%s dbname=%s", pg_base(), f->pg_db);
        f->s = store_open(NULL, conninfo, &opt, err, sizeof err);
    } else {
        char path[400];
        snprintf(path, sizeof path, "%s/demo.db", f->dir);
        f->s = store_open(path, NULL, &opt, err, sizeof err);
    }
    if (!f->s) fprintf(stderr, "store_open: %s\n", err);
    assert_non_null(f->s);
    if (store_migrate(f->s, err, sizeof err) < 0) fprintf(stderr, "migrate: %s\n", err);
    assert_true(store_migration_level(f->s) >= 2);
    return f;
}

static config *test_config(int with_key)
{
    static config keyed, plain;
    config *c = with_key ? &keyed : &plain;
    char err[256];
    config_defaults(c);
    if (with_key) assert_int_equal(config_set(c, "field_key", TEST_FIELD_KEY, err, sizeof err), 0);
    return c;
}

/* Loads the demo; returns the load time in milliseconds. */
static int64_t load(fx *f, const config *cfg, FILE *out)
{
    char err[512] = "";
    int64_t t0 = clock_mono_us();
    int rc = demo_load(f->s, cfg, out, err, sizeof err);
    if (rc) fprintf(stderr, "demo_load: %s\n", err);
    assert_int_equal(rc, 0);
    return (clock_mono_us() - t0) / 1000;
}

static int64_t count(fx *f, const char *sql)
{
    store_conn *c = store_acquire(f->s);
    int64_t n = store_query_int(c, -1, sql, NULL);
    store_release(f->s, c);
    return n;
}

/* ---------------------------------------------------------------- tests */

/* demo-1: GB 11643 check characters, against numbers published as examples. */
static void test_check_digit(void **state)
{
    (void)state;
    assert_int_equal(demo_id_check_char("11010519491231002"), 'X');
    assert_int_equal(demo_id_check_char("44052418800101001"), '4');
    assert_true(demo_id_valid("11010519491231002X"));
    assert_false(demo_id_valid("110105194912310021"));
    assert_false(demo_id_valid("11010519491231002"));
    assert_false(demo_id_valid("1101051949123100AX"));
    assert_int_equal(demo_id_check_char("1101051949123100A"), 0);
    uint64_t rng = 42;
    for (int i = 0; i < 200; i++) {
        char id[19];
        demo_id_number(&rng, "310115", 1950 + i % 70, 1 + i % 12, 1 + i % 28, i & 1, id);
        assert_int_equal(strlen(id), 18);
        assert_true(demo_id_valid(id));
        assert_int_equal((id[16] - '0') % 2, i & 1);   /* odd for men */
        assert_memory_equal(id, "310115", 6);
    }
}

/* demo-2: the community's shape, and the summary printed. */
static void test_counts(void **state)
{
    (void)state;
    fx *f = fx_new();
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int64_t ms = load(f, test_config(1), out);
    fclose(out);
    printf("    demo load (%s): %" PRId64 " ms\n", store_backend_name(f->s), ms);

    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM communities WHERE name = '阳光绿园' AND timezone = 'Asia/Shanghai'"), 1);
    int64_t cid = count(f, "SELECT id FROM communities WHERE name = '阳光绿园'");
    assert_true(cid > 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM zones"), 6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM blocks"), 62);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT zone_id) FROM blocks"), 6);
    int64_t hh = count(f, "SELECT COUNT(*) FROM households");
    int64_t res = count(f, "SELECT COUNT(*) FROM residents");
    assert_in_range(hh, 950, 1050);
    assert_in_range(res, 2850, 3150);
    /* every row belongs to the community */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                              "JOIN blocks b ON b.id = h.block_id JOIN zones z ON z.id = b.zone_id "
                              "WHERE r.community_id <> h.community_id OR h.community_id <> b.community_id "
                              "OR b.community_id <> z.community_id"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households WHERE room NOT LIKE '%号楼%单元%'"), 0);

    /* statuses: mostly occupied, some of each other kind, no one in a vacant flat */
    int64_t occupied = count(f, "SELECT COUNT(*) FROM households WHERE status = 'occupied'");
    assert_true(occupied * 100 > hh * 75);
    assert_true(count(f, "SELECT COUNT(*) FROM households WHERE status = 'away'") > 5);
    assert_true(count(f, "SELECT COUNT(*) FROM households WHERE status = 'vacant'") > 5);
    assert_true(count(f, "SELECT COUNT(*) FROM households WHERE status = 'rented_out'") > 20);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                              "WHERE h.status = 'vacant'"), 0);

    /* about 30% over 60, both genders, plausible phones */
    int year;
    {
        time_t t = time(NULL) + 8 * 3600;
        struct tm tm;
        gmtime_r(&t, &tm);
        year = tm.tm_year + 1900;
    }
    store_conn *c = store_acquire(f->s);
    int64_t over60 = store_query_int(c, -1, "SELECT COUNT(*) FROM residents WHERE birth_year <= $1", "i",
                                     (int64_t)(year - 60));
    store_release(f->s, c);
    double share = (double)over60 / (double)res;
    printf("    %" PRId64 " households, %" PRId64 " residents, %.1f%% over 60\n", hh, res, share * 100);
    assert_true(share > 0.26 && share < 0.34);
    assert_true(count(f, "SELECT COUNT(*) FROM residents WHERE gender = 'f'") > res / 3);
    assert_true(count(f, "SELECT COUNT(*) FROM residents WHERE gender = 'm'") > res / 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE phone <> '' AND (LENGTH(phone) <> 11 "
                              "OR phone NOT LIKE '1%')"), 0);
    int64_t phones = count(f, "SELECT COUNT(*) FROM residents WHERE phone <> ''");
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT phone) FROM residents WHERE phone <> ''"), phones);
    assert_in_range(count(f, "SELECT COUNT(*) FROM residents WHERE party_member = 1"), 300, 600);
    assert_true(count(f, "SELECT COUNT(*) FROM residents WHERE floating = 1") > 50);
    assert_in_range(count(f, "SELECT COUNT(*) FROM residents WHERE id_kind = 'passport'"), 3, 20);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM residents WHERE id_kind = 'passport' AND "
                           "languages NOT LIKE '%en%' AND languages NOT LIKE '%ja%' AND languages NOT LIKE '%ko%'"),
                     0);

    /* flags, in proportions the stories give */
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'alone_elderly'"), 20, 120);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'disabled'"), 10, 150);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'pregnant'"), 3, 40);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'chronic_illness'"), 80, 400);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'bedridden'"), 3, 60);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'no_smartphone'"), 50, 400);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'home_isolation' "
                             "AND cleared_at IS NULL"), 1, 15);
    assert_true(count(f, "SELECT COUNT(*) FROM resident_flags WHERE cleared_at IS NOT NULL") > 0);
    /* an elderly person living alone is over 60 and alone in the flat */
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM resident_flags fl JOIN residents r ON r.id = fl.resident_id "
                           "WHERE fl.flag = 'alone_elderly' AND (r.birth_year > "
                           "(SELECT MAX(birth_year) FROM residents) - 60 "
                           "OR (SELECT COUNT(*) FROM residents o WHERE o.household_id = r.household_id) <> 1)"),
                     0);
    assert_int_equal(
        count(f,
              "SELECT COUNT(*) FROM resident_flags fl JOIN residents r ON r.id = fl.resident_id "
              "WHERE fl.flag = 'pregnant' AND (r.gender <> 'f' OR fl.detail NOT LIKE '%\"due_date\":\"20%')"),
        0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'chronic_illness' "
                              "AND detail NOT LIKE '%\"medicine\":%'"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resident_flags WHERE flag = 'no_smartphone' "
                              "AND detail NOT LIKE '%\"relay\":\"block_leader\"%'"), 0);
    assert_int_equal(
        count(f,
              "SELECT COUNT(*) FROM resident_flags WHERE flag = 'home_isolation' AND "
              "(detail NOT LIKE '%\"start\":%' OR detail NOT LIKE '%\"end\":%' OR detail NOT LIKE '%\"reason\":%')"),
        0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resident_flags WHERE set_by IS NULL OR community_id <> "
                              "(SELECT id FROM communities WHERE name = '阳光绿园')"), 0);

    /* the summary names the community, the password and every login */
    assert_non_null(text);
    assert_non_null(strstr(text, "阳光绿园"));
    assert_non_null(strstr(text, DEMO_PASSWORD));
    static const char *const logins[] = {"admin", "committee", "zone", "block", "volunteer", "resident"};
    for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) assert_non_null(strstr(text, logins[i]));
    fputs(text, stdout);
    free(text);
    fx_free(f);
}

/* True when s holds a run of at least n ASCII digits. */
static int has_digit_run(const char *s, int n)
{
    for (int run = 0; s && *s; s++) {
        run = isdigit((unsigned char)*s) ? run + 1 : 0;
        if (run >= n) return 1;
    }
    return 0;
}

/* demo-3: ID numbers valid, encrypted, hashed and masked; no plaintext anywhere. */
static void test_ids_encrypted(void **state)
{
    (void)state;
    fx *f = fx_new();
    const config *cfg = test_config(1);
    load(f, cfg, NULL);
    store_conn *c = store_acquire(f->s);
    store_stmt *st = store_prepare(c, "SELECT id_kind, id_cipher, id_hash, id_masked, birth_date, gender, "
                                      "birth_year FROM residents ORDER BY id");
    assert_non_null(st);
    int n = 0, passports = 0;
    size_t cap = 4096;
    char (*plain)[19] = calloc(cap, sizeof *plain);
    while (store_step(st) == STORE_ROW) {
        const char *kind = store_col_text(st, 0);
        assert_non_null(kind);
        assert_non_null(store_col_text(st, 1));
        char *id = secret_decrypt(cfg, store_col_text(st, 1));
        assert_non_null(id);
        char hash[65];
        secret_lookup_hash(cfg, id, hash);
        assert_string_equal(hash, store_col_text(st, 2));
        const char *masked = store_col_text(st, 3);
        assert_int_equal(strlen(masked), strlen(id));
        assert_null(strstr(store_col_text(st, 1), id));
        if (!strcmp(kind, "cn_id")) {
            assert_true(demo_id_valid(id));
            /* 3101**********123X: the first and last four, nothing else */
            assert_memory_equal(masked, id, 4);
            assert_string_equal(masked + 14, id + 14);
            assert_memory_equal(masked + 4, "**********", 10);
            /* birth date and gender agree with the number */
            const char *bd = store_col_text(st, 4);
            char digits[9];
            snprintf(digits, sizeof digits, "%.4s%.2s%.2s", bd, bd + 5, bd + 8);
            assert_memory_equal(id + 6, digits, 8);
            assert_int_equal(store_col_int(st, 6), (int)strtol(digits, NULL, 10) / 10000);
            assert_int_equal((id[16] - '0') % 2, !strcmp(store_col_text(st, 5), "m"));
            if ((size_t)n < cap) snprintf(plain[n], sizeof plain[n], "%s", id);
            n++;
        } else {
            assert_string_equal(kind, "passport");
            assert_int_equal(strlen(id), 9);
            assert_int_equal(masked[0], id[0]);
            assert_null(strstr(masked, id + 1));
            passports++;
        }
        free(id);
    }
    store_done(st);
    assert_true(n > 2800);
    assert_true(passports > 0);

    /* Every ID number is different. */
    int dup = 0;
    store_stmt *d = store_prepare(c, "SELECT COUNT(*) - COUNT(DISTINCT id_hash) FROM residents");
    if (store_step(d) == STORE_ROW) dup = (int)store_col_int(d, 0);
    store_done(d);
    assert_int_equal(dup, 0);

    /* No text column of any registry table holds a run of 15 digits or more: phones
     * have 11, an ID number 17 or 18. */
    static const char *const tables[] = {"SELECT * FROM residents", "SELECT * FROM households",
                                         "SELECT * FROM resident_flags", "SELECT * FROM users",
                                         "SELECT * FROM blocks", "SELECT * FROM zones"};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        store_stmt *q = store_prepare(c, tables[t]);
        assert_non_null(q);
        while (store_step(q) == STORE_ROW)
            for (int col = 0; col < store_col_count(q); col++) {
                /* times (*_at) and row ids are integers, not text; id_hash is hex and
                 * was checked above to be the keyed hash */
                const char *name = store_col_name(q, col);
                size_t nl = strlen(name);
                if (!strcmp(name, "id") || !strcmp(name, "id_hash") ||
                    (nl > 3 && (!strcmp(name + nl - 3, "_at") || !strcmp(name + nl - 3, "_id"))))
                    continue;
                const char *v = store_col_null(q, col) ? NULL : store_col_text(q, col);
                if (v && has_digit_run(v, 15)) fail_msg("%s: column %s holds %s", tables[t], store_col_name(q, col), v);
            }
        store_done(q);
    }
    /* And none holds one of the numbers in clear (spot check of every 50th). */
    store_stmt *q = store_prepare(c, "SELECT COUNT(*) FROM residents WHERE id_cipher LIKE $1 OR id_hash LIKE $1 "
                                     "OR id_masked LIKE $1 OR name LIKE $1 OR phone LIKE $1 OR birth_date LIKE $1");
    for (int i = 0; i < n && (size_t)i < cap; i += 50) {
        char pat[24];
        snprintf(pat, sizeof pat, "%%%s%%", plain[i]);
        store_bind_text(q, 1, pat);
        assert_int_equal(store_step(q), STORE_ROW);
        assert_int_equal(store_col_int(q, 0), 0);
        store_done(q);
    }
    free(plain);
    store_release(f->s, c);
    fx_free(f);
}

/* demo-4: without a field key the number is kept only as hash and mask. */
static void test_no_key(void **state)
{
    (void)state;
    fx *f = fx_new();
    load(f, test_config(0), NULL);
    int64_t res = count(f, "SELECT COUNT(*) FROM residents");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE id_cipher IS NULL"), res);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE LENGTH(id_hash) = 64 AND id_masked LIKE '%*%'"),
                     res);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE id_kind = 'cn_id' AND "
                              "(LENGTH(id_masked) <> 18 OR id_masked NOT LIKE '____**********____')"), 0);
    fx_free(f);
}

/* Role rows of one login, as "role/scope_kind" for a scope id the caller checks. */
static int64_t role_scope(fx *f, const char *user, const char *role, const char *scope_kind)
{
    store_conn *c = store_acquire(f->s);
    int64_t id = store_query_int(c, -1, "SELECT ra.scope_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id "
                                        "WHERE u.username = $1 AND ra.role = $2 AND ra.scope_kind = $3",
                                 "ttt", user, role, scope_kind);
    store_release(f->s, c);
    return id;
}

/* demo-5: six logins, their roles and scopes, the shared password. */
static void test_users(void **state)
{
    (void)state;
    fx *f = fx_new();
    load(f, test_config(1), NULL);
    int64_t cid = count(f, "SELECT id FROM communities WHERE name = '阳光绿园'");
    int64_t zone1 = count(f, "SELECT id FROM zones WHERE sort_order = 1");
    int64_t block1 = count(f, "SELECT id FROM blocks WHERE sort_order = 1");
    int64_t block2 = count(f, "SELECT id FROM blocks WHERE sort_order = 2");
    assert_true(cid > 0 && zone1 > 0 && block1 > 0 && block2 > 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE username IN "
                              "('admin','committee','zone','block','volunteer','resident')"), 6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE username = 'admin' AND community_id IS NULL"), 1);
    /* committee, zone, block, volunteer, resident, and the youth commando's teamlead */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE username <> 'admin' AND community_id = "
                              "(SELECT id FROM communities WHERE name = '阳光绿园')"), 6);

    assert_int_equal(role_scope(f, "admin", "superuser", "global"), 0);
    assert_int_equal(role_scope(f, "committee", "committee", "community"), cid);
    assert_int_equal(role_scope(f, "zone", "zone_leader", "zone"), zone1);
    assert_int_equal(role_scope(f, "block", "block_leader", "block"), block1);
    assert_int_equal(role_scope(f, "block", "volunteer", "community"), cid);
    assert_int_equal(role_scope(f, "volunteer", "volunteer", "community"), cid);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM role_assignments ra JOIN users u ON u.id = ra.user_id "
                              "WHERE u.username = 'block'"), 3);
    assert_int_equal(role_scope(f, "teamlead", "volunteer", "community"), cid);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM role_assignments"), 9);

    /* the block leader lives in block 1, the resident in block 2 */
    store_conn *c = store_acquire(f->s);
    int64_t home = role_scope(f, "block", "resident", "household");
    assert_int_equal(store_query_int(c, -1, "SELECT block_id FROM households WHERE id = $1", "i", home), block1);
    home = role_scope(f, "resident", "resident", "household");
    assert_int_equal(store_query_int(c, -1, "SELECT block_id FROM households WHERE id = $1", "i", home), block2);
    /* each person with a home login is one of the residents of that home */
    assert_int_equal(store_query_int(c, -1, "SELECT COUNT(*) FROM residents r JOIN users u ON u.display_name = r.name "
                                            "WHERE u.username = 'resident' AND r.household_id = $1", "i", home), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users u JOIN role_assignments ra ON ra.user_id = u.id "
                              "JOIN residents r ON r.household_id = ra.scope_id AND r.name = u.display_name "
                              "WHERE u.username = 'block' AND ra.scope_kind = 'household'"), 1);
    /* Chinese display names */
    store_stmt *st = store_prepare(c, "SELECT display_name FROM users");
    while (store_step(st) == STORE_ROW) assert_true((unsigned char)store_col_text(st, 0)[0] >= 0x80);
    store_done(st);
    /* the shared password opens one of them (argon2id: checking one is enough) */
    st = NULL;
    assert_int_equal(store_run(c, &st, "SELECT password_hash FROM users WHERE username = $1", "t", "committee"),
                     STORE_ROW);
    assert_int_equal(secret_password_verify(store_col_text(st, 0), DEMO_PASSWORD), 1);
    assert_int_equal(secret_password_verify(store_col_text(st, 0), "wrong-password"), 0);
    store_done(st);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT password_hash) FROM users"), 1);
    store_release(f->s, c);
    fx_free(f);
}

static const char *const all_tables[] = {"communities", "users", "role_assignments", "zones", "blocks",
                                         "households", "residents", "resident_flags"};

/* demo-6: a second load fails with DEMO_ALREADY_LOADED and changes nothing. */
static void test_twice(void **state)
{
    (void)state;
    fx *f = fx_new();
    load(f, test_config(1), NULL);
    int64_t before[8], after[8];
    char sql[128];
    for (int i = 0; i < 8; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", all_tables[i]);
        before[i] = count(f, sql);
    }
    char err[512] = "";
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(demo_load(f->s, test_config(1), out, err, sizeof err), DEMO_ALREADY_LOADED);
    fclose(out);
    assert_non_null(strstr(err, "already loaded"));
    assert_int_equal(len, 0);
    free(text);
    for (int i = 0; i < 8; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", all_tables[i]);
        after[i] = count(f, sql);
        assert_int_equal(after[i], before[i]);
    }
    fx_free(f);
}

/* Runs the SQL statements of ctx (NULL-terminated array) as one write job. */
static int exec_job(store_conn *c, void *ctx)
{
    for (const char *const *q = ctx; *q; q++)
        if (store_exec(c, *q) != STORE_OK) {
            fprintf(stderr, "exec: %s\n", store_errmsg(c));
            return STORE_ERR;
        }
    return 0;
}

static int create_user_job(store_conn *c, void *ctx)
{
    (void)ctx;
    return store_run(c, NULL, "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) "
                              "VALUES ('volunteer', '先来的人', 'x', 1, 1)", NULL) == STORE_DONE ? 0 : STORE_ERR;
}

static void assert_nothing_loaded(fx *f, int64_t users)
{
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users"), users);
    for (size_t i = 0; i < sizeof all_tables / sizeof all_tables[0]; i++) {
        if (!strcmp(all_tables[i], "users")) continue;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", all_tables[i]);
        assert_int_equal(count(f, sql), 0);
    }
}

/* demo-7: a taken login name fails the load before anything is written. */
static void test_login_taken(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(store_write_sync(f->s, create_user_job, NULL), 0);
    char err[512] = "";
    assert_int_equal(demo_load(f->s, test_config(1), NULL, err, sizeof err), DEMO_ERR);
    assert_non_null(strstr(err, "volunteer"));
    assert_nothing_loaded(f, 1);
    fx_free(f);
}

/* demo-8: a failure at the very end (the last flag row) rolls back every row before it:
 * the community, thousands of residents and the logins. The failure is injected with
 * a trigger, written per engine since trigger syntax differs. */
static void test_all_or_nothing(void **state)
{
    (void)state;
    fx *f = fx_new();
    static const char *const sqlite_trigger[] = {
        "CREATE TRIGGER demo_fail BEFORE INSERT ON resident_flags "
        "WHEN NEW.flag = 'home_isolation' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        NULL};
    static const char *const pg_trigger[] = {
        "CREATE FUNCTION demo_fail() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NEW.flag = 'home_isolation' THEN RAISE EXCEPTION 'injected failure'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER demo_fail BEFORE INSERT ON resident_flags FOR EACH ROW EXECUTE FUNCTION demo_fail()",
        NULL};
    assert_int_equal(store_write_sync(f->s, exec_job, (void *)(f->kind == STORE_PG ? pg_trigger : sqlite_trigger)), 0);
    char err[512] = "";
    assert_int_equal(demo_load(f->s, test_config(1), NULL, err, sizeof err), DEMO_ERR);
    assert_non_null(strstr(err, "injected failure"));
    assert_nothing_loaded(f, 0);
    fx_free(f);
}

/* Concatenates every resident's generated fields in id order. */
static char *people_text(fx *f)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    store_conn *c = store_acquire(f->s);
    store_stmt *st = store_prepare(c, "SELECT r.name, r.gender, r.birth_date, r.phone, r.id_hash, r.id_masked, "
                                      "r.languages, h.room, h.status, b.name, z.name FROM residents r "
                                      "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
                                      "JOIN zones z ON z.id = b.zone_id ORDER BY r.id");
    int rows = 0;
    while (store_step(st) == STORE_ROW) {
        for (int i = 0; i < 11; i++) fprintf(out, "%s|", store_col_null(st, i) ? "" : store_col_text(st, i));
        fputc('\n', out);
        rows++;
    }
    store_done(st);
    st = store_prepare(c, "SELECT h.room, h.status, h.phone, fl.flag FROM households h LEFT JOIN residents r "
                          "ON r.household_id = h.id LEFT JOIN resident_flags fl ON fl.resident_id = r.id "
                          "ORDER BY h.id, r.id, fl.id");
    while (store_step(st) == STORE_ROW) {
        for (int i = 0; i < 4; i++) fprintf(out, "%s|", store_col_null(st, i) ? "" : store_col_text(st, i));
        fputc('\n', out);
    }
    store_done(st);
    store_release(f->s, c);
    fclose(out);
    assert_true(rows > 2800);
    return text;
}

/* demo-9: two loads into two databases hold the same people in the same rooms. */
static void test_determinism(void **state)
{
    (void)state;
    fx *a = fx_new(), *b = fx_new();
    load(a, test_config(1), NULL);
    load(b, test_config(1), NULL);
    char *ta = people_text(a), *tb = people_text(b);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    fx_free(a);
    fx_free(b);
}

/* Loads one shape; returns the load time in milliseconds. */
static int64_t load_shape(fx *f, demo_shape shape, FILE *out)
{
    char err[512] = "";
    int64_t t0 = clock_mono_us();
    int rc = demo_load_shape(f->s, test_config(1), shape, out, err, sizeof err);
    if (rc) fprintf(stderr, "demo_load_shape: %s\n", err);
    assert_int_equal(rc, 0);
    return (clock_mono_us() - t0) / 1000;
}

static int this_year(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

#define DH "(SELECT id FROM communities WHERE name = '东环路')"

/* demo-10: 东环路 as the story tells it: 43 courtyards and no zones, 2,300 households,
 * 45% of residents over 60, 22 households in home isolation in 9 courtyards, courtyard
 * committees of 3-7 residents with block_leader logins, its own two logins. */
static void test_donghuan(void **state)
{
    (void)state;
    fx *f = fx_new();
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int64_t ms = load_shape(f, DEMO_DONGHUAN, out);
    fclose(out);
    printf("    donghuan load (%s): %" PRId64 " ms\n", store_backend_name(f->s), ms);

    assert_int_equal(count(f, "SELECT COUNT(*) FROM communities WHERE name = '东环路'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM zones WHERE community_id = " DH), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM blocks WHERE community_id = " DH), 43);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM blocks WHERE community_id = " DH
                              " AND (kind <> 'courtyard' OR zone_id IS NOT NULL)"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households WHERE community_id = " DH), 2300);
    /* 3巷22号: 28 households, 4 away, 2 let to tenants */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                              "WHERE b.name = '3巷22号'"), 28);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                              "WHERE b.name = '3巷22号' AND h.status = 'away'"), 4);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                              "WHERE b.name = '3巷22号' AND h.status = 'rented_out'"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                              "WHERE h.room NOT LIKE b.name || '%栋%'"), 0);

    int64_t res = count(f, "SELECT COUNT(*) FROM residents WHERE community_id = " DH);
    assert_in_range(res, 4500, 7500);
    store_conn *c = store_acquire(f->s);
    int64_t over60 = store_query_int(c, -1, "SELECT COUNT(*) FROM residents WHERE community_id = " DH
                                            " AND birth_year <= $1", "i", (int64_t)(this_year() - 60));
    store_release(f->s, c);
    double share = 100.0 * (double)over60 / (double)res;
    printf("    %" PRId64 " residents, %.1f%% over 60\n", res, share);
    assert_true(share >= 44.0 && share <= 46.0);

    /* 22 households in home isolation now, all of them back from Hubei, in 9 courtyards */
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT r.household_id) FROM resident_flags fl JOIN residents r "
                              "ON r.id = fl.resident_id WHERE fl.community_id = " DH " AND fl.flag = 'home_isolation' "
                              "AND fl.cleared_at IS NULL"), 22);
    assert_int_equal(count(f,
                           "SELECT COUNT(DISTINCT h.block_id) FROM resident_flags fl JOIN residents r "
                           "ON r.id = fl.resident_id JOIN households h ON h.id = r.household_id "
                           "WHERE fl.community_id = " DH " AND fl.flag = 'home_isolation' AND fl.cleared_at IS NULL"),
                     9);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = "
                           "'home_isolation' AND cleared_at IS NULL AND detail NOT LIKE '%\"reason\":\"returnee\"%'"),
                     0);
    assert_true(count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH
                         " AND flag = 'home_isolation' AND cleared_at IS NOT NULL") > 0);

    /* flags: more elderly alone and without phones than in 阳光绿园, each no-phone
     * resident with a named relay from their courtyard's committee */
    int64_t alone =
        count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'alone_elderly'");
    int64_t nophone =
        count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'no_smartphone'");
    assert_in_range(alone, 200, 600);
    assert_in_range(nophone, 400, 1500);
    assert_in_range(
        count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'chronic_illness'"), 300,
        1500);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'bedridden'"),
                    20, 250);
    assert_in_range(count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'pregnant'"),
                    3, 80);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM resident_flags WHERE community_id = " DH " AND flag = 'no_smartphone' "
                           "AND detail NOT LIKE '%\"relay_user_id\":%'"),
                     0);
    assert_true(count(f, "SELECT COUNT(*) FROM residents WHERE community_id = " DH " AND floating = 1") > 100);

    /* courtyard committees: 3-7 block_leader logins per courtyard, each a resident of it */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM blocks b WHERE b.community_id = " DH " AND (SELECT COUNT(*) "
                              "FROM role_assignments ra WHERE ra.role = 'block_leader' AND ra.scope_kind = 'block' "
                              "AND ra.scope_id = b.id) NOT BETWEEN 3 AND 7"), 0);
    int64_t members =
        count(f, "SELECT COUNT(*) FROM role_assignments WHERE community_id = " DH " AND role = 'block_leader'");
    assert_in_range(members, 43 * 3, 43 * 7);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM role_assignments ra JOIN users u ON u.id = ra.user_id "
                           "WHERE ra.community_id = " DH " AND ra.role = 'block_leader' AND NOT EXISTS (SELECT 1 "
                           "FROM role_assignments home JOIN households h ON h.id = home.scope_id JOIN residents r "
                           "ON r.household_id = h.id WHERE home.user_id = u.id AND home.role = 'resident' AND "
                           "home.scope_kind = 'household' AND h.block_id = ra.scope_id AND r.name = u.display_name)"),
                     0);
    /* at most one member per household */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM (SELECT scope_id FROM role_assignments WHERE community_id = " DH
                              " AND role = 'resident' GROUP BY scope_id HAVING COUNT(*) > 1) x"), 0);

    /* its logins */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM role_assignments ra JOIN users u ON u.id = ra.user_id WHERE "
                              "u.username = 'dh-committee' AND ra.role = 'committee' AND ra.scope_id = " DH), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM role_assignments ra JOIN users u ON u.id = ra.user_id "
                              "JOIN blocks b ON b.id = ra.scope_id WHERE u.username = 'dh-block' "
                              "AND ra.role = 'block_leader' AND b.name = '3巷22号'"), 1);
    /* the committee members' logins, dh-committee and dh-teamlead */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE community_id = " DH), members + 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE username IN ('admin', 'committee')"), 0);
    c = store_acquire(f->s);
    store_stmt *st = NULL;
    assert_int_equal(store_run(c, &st, "SELECT password_hash FROM users WHERE username = $1", "t", "dh-block"),
                     STORE_ROW);
    assert_int_equal(secret_password_verify(store_col_text(st, 0), DEMO_PASSWORD), 1);
    store_done(st);
    store_release(f->s, c);

    assert_non_null(text);
    assert_non_null(strstr(text, "东环路"));
    assert_non_null(strstr(text, "43 courtyards"));
    assert_non_null(strstr(text, "dh-committee"));
    assert_non_null(strstr(text, "dh-block"));
    fputs(text, stdout);
    free(text);
    fx_free(f);
}

/* Every resident's generated fields of one community, in id order. */
static char *community_text(fx *f, const char *community)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    store_conn *c = store_acquire(f->s);
    store_stmt *st = NULL;
    int rc = store_run(c, &st, "SELECT r.name, r.birth_date, r.phone, r.id_hash, h.room, h.status, b.name, "
                               "(SELECT COUNT(*) FROM resident_flags fl WHERE fl.resident_id = r.id) FROM residents r "
                               "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
                               "WHERE r.community_id = (SELECT id FROM communities WHERE name = $1) ORDER BY r.id",
                       "t", community);
    int rows = 0;
    for (; rc == STORE_ROW; rc = store_step(st), rows++) {
        for (int i = 0; i < 8; i++) fprintf(out, "%s|", store_col_null(st, i) ? "" : store_col_text(st, i));
        fputc('\n', out);
    }
    store_done(st);
    store_release(f->s, c);
    fclose(out);
    assert_true(rows > 1000);
    return text;
}

/* demo-11: several shapes in one database: each its own community, logins and
 * people, the same people as when loaded alone, and each loads once. */
static void test_shapes_together(void **state)
{
    (void)state;
    fx *a = fx_new(), *b = fx_new();
    load_shape(a, DEMO_YANGGUANG, NULL);
    load_shape(a, DEMO_DONGHUAN, NULL);
    load_shape(b, DEMO_DONGHUAN, NULL);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM communities"), 2);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM blocks WHERE community_id = (SELECT id FROM communities "
                              "WHERE name = '阳光绿园')"), 62);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM blocks WHERE community_id = " DH), 43);
    assert_int_equal(count(a,
                           "SELECT COUNT(*) FROM users WHERE username IN "
                           "('admin','committee','zone','block','volunteer','resident','dh-committee','dh-block')"),
                     8);
    /* nothing crosses communities */
    assert_int_equal(count(a, "SELECT COUNT(*) FROM role_assignments ra JOIN blocks b ON b.id = ra.scope_id "
                              "WHERE ra.scope_kind = 'block' AND ra.community_id <> b.community_id"), 0);
    assert_int_equal(count(a, "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                              "WHERE r.community_id <> h.community_id"), 0);
    char *ta = community_text(a, "东环路"), *tb = community_text(b, "东环路");
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);

    char err[512] = "";
    assert_int_equal(demo_load_shape(a->s, test_config(1), DEMO_DONGHUAN, NULL, err, sizeof err), DEMO_ALREADY_LOADED);
    assert_non_null(strstr(err, "东环路"));
    assert_int_equal(count(a, "SELECT COUNT(*) FROM communities"), 2);

    demo_shape sh;
    assert_int_equal(demo_shape_parse("donghuan", &sh), 0);
    assert_int_equal(sh, DEMO_DONGHUAN);
    assert_int_equal(demo_shape_parse("large", &sh), 0);
    assert_int_equal(sh, DEMO_LARGE);
    assert_int_equal(demo_shape_parse("yangguang", &sh), 0);
    assert_int_equal(sh, DEMO_YANGGUANG);
    assert_int_equal(demo_shape_parse("Donghuan", &sh), -1);
    assert_int_equal(demo_shape_parse("", &sh), -1);
    fx_free(a);
    fx_free(b);
}

#define LG "(SELECT id FROM communities WHERE name = '" DEMO_LARGE_NAME "')"

/* demo-12: the large estate for speed tests: exactly 40,000 residents in 20 zones and
 * 840 blocks, loaded in one write job; the load time is printed. */
static void test_large(void **state)
{
    (void)state;
    fx *f = fx_new();
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int64_t ms = load_shape(f, DEMO_LARGE, out);
    fclose(out);
    printf("    large load (%s, sanitizers on): %" PRId64 " ms\n", store_backend_name(f->s), ms);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE community_id = " LG), DEMO_LARGE_RESIDENTS);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM zones WHERE community_id = " LG), 20);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM blocks WHERE community_id = " LG), 840);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM households WHERE community_id = " LG), 13860);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT zone_id) FROM blocks WHERE community_id = " LG), 20);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM residents WHERE community_id = " LG " AND id_cipher IS NULL"), 0);
    assert_int_equal(count(f, "SELECT COUNT(DISTINCT id_hash) FROM residents WHERE community_id = " LG),
                     DEMO_LARGE_RESIDENTS);
    int64_t res = DEMO_LARGE_RESIDENTS;
    store_conn *c = store_acquire(f->s);
    int64_t over60 = store_query_int(c, -1, "SELECT COUNT(*) FROM residents WHERE community_id = " LG
                                            " AND birth_year <= $1", "i", (int64_t)(this_year() - 60));
    store_release(f->s, c);
    assert_true(over60 * 100 > res * 26 && over60 * 100 < res * 34);
    assert_in_range(count(f, "SELECT COUNT(DISTINCT r.household_id) FROM resident_flags fl JOIN residents r ON "
                             "r.id = fl.resident_id WHERE fl.community_id = " LG " AND fl.flag = 'home_isolation' "
                             "AND fl.cleared_at IS NULL"), 25, 25);
    assert_in_range(
        count(f, "SELECT COUNT(*) FROM resident_flags WHERE community_id = " LG " AND flag = 'no_smartphone'"), 2000,
        6000);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE username IN ('lg-committee', 'lg-block') "
                              "AND community_id = " LG), 2);
    assert_non_null(strstr(text, "40000 residents"));
    assert_non_null(strstr(text, "lg-committee"));
    fputs(text, stdout);
    free(text);
    fx_free(f);
}

int main(void)
{
    log_set_quiet(1);
    assert_int_equal(secret_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_ids_encrypted),
        cmocka_unit_test(test_no_key),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_twice),
        cmocka_unit_test(test_login_taken),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_donghuan),
        cmocka_unit_test(test_shapes_together),
        cmocka_unit_test(test_large),
    };
    g_kind = STORE_SQLITE;
    int failed = cmocka_run_group_tests_name("demo/sqlite", tests, NULL, NULL);
    if (pg_base()) {
        g_kind = STORE_PG;
        failed += cmocka_run_group_tests_name("demo/postgresql", tests, NULL, NULL);
    } else {
        const char *req = getenv("SHOUWANG_REQUIRE_PG");
        int required = req && !strcmp(req, "1");
        printf("demo/postgresql: skipped, SHOUWANG_PG_BASE is not set (run under "
               "tests/pg-cluster.sh)%s\n", required ? " but SHOUWANG_REQUIRE_PG=1" : "");
        if (required) failed++;
    }
    return failed ? 1 : 0;
}
