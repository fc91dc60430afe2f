/* search_terms.c — builds and keeps the residents' search terms (see search_terms.h).
 *
 * Why these terms: a search "q" matches when the name, room or phone contains q. If a
 * field contains q, the field's digits contain q's digits and its other characters
 * contain q's other characters, each as one unbroken run. So a query with four or
 * more digits is found through four of them in a row, one of exactly three digits
 * through those, any other query through one or two of its other characters, and an
 * ID tail through the ID's last characters. Four digits narrow 40,000 residents to a
 * few dozen candidates (three digits: several hundred, each of which costs a look).
 * The term picked for a query is only a filter: the full condition is checked after. */
#include "search_terms.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/clock.h"
#include "../../core/log.h"

#define TERM_MAX 12   /* "t:" + two UTF-8 characters of up to 4 bytes + NUL */
/* Terms per INSERT: one statement (and on PostgreSQL one round trip) per batch. The
 * table has no constraints, so SQLite needs no statement journal for it (008). */
#define BATCH 32

typedef struct { char s[TERM_MAX]; } term;

typedef struct term_set {
    term *v;
    size_t n, cap;
} term_set;

static void term_add(term_set *t, const char *prefix, const char *p, size_t len)
{
    if (len == 0 || len + 3 > TERM_MAX) return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        term *v = realloc(t->v, cap * sizeof *v);
        if (!v) return;
        t->v = v;
        t->cap = cap;
    }
    snprintf(t->v[t->n++].s, TERM_MAX, "%s%.*s", prefix, (int)len, p);
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* The field split in two: its ASCII digits, and everything else with ASCII letters
 * in lower case (as the search lowers the query). Both outputs hold strlen(s) + 1. */
static void split_field(const char *s, char *digits, char *rest)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isdigit(ch)) *digits++ = (char)ch;
        else *rest++ = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    *digits = *rest = 0;
}

static void text_terms(term_set *t, const char *rest)
{
    size_t n = strlen(rest);
    for (size_t i = 0; i < n;) {
        size_t one = utf8_len((unsigned char)rest[i]);
        if (i + one > n) break;
        term_add(t, "t:", rest + i, one);
        if (i + one < n) {
            size_t two = utf8_len((unsigned char)rest[i + one]);
            if (i + one + two <= n) term_add(t, "t:", rest + i, one + two);
        }
        i += one;
    }
}

static void digit_terms(term_set *t, const char *digits)
{
    size_t n = strlen(digits);
    for (size_t i = 0; i + 3 <= n; i++) {
        term_add(t, "d:", digits + i, 3);
        if (i + 4 <= n) term_add(t, "d:", digits + i, 4);
    }
}

static void field_terms(term_set *t, const char *s)
{
    if (!s || !*s) return;
    size_t n = strlen(s);
    char *digits = malloc(n + 1), *rest = malloc(n + 1);
    if (digits && rest) {
        split_field(s, digits, rest);
        text_terms(t, rest);
        digit_terms(t, digits);
    }
    free(digits);
    free(rest);
}

static int term_cmp(const void *a, const void *b)
{
    return strcmp(((const term *)a)->s, ((const term *)b)->s);
}

/* The distinct terms of one resident into t (emptied first). */
static void resident_terms(term_set *t, const char *name, const char *phone, const char *room,
                           const char *id_masked)
{
    t->n = 0;
    field_terms(t, name);
    field_terms(t, phone);
    field_terms(t, room);
    size_t n = id_masked ? strlen(id_masked) : 0;
    for (size_t k = 1; k <= 4 && k <= n; k++) {
        char tail[5];
        for (size_t i = 0; i < k; i++) tail[i] = (char)toupper((unsigned char)id_masked[n - k + i]);
        term_add(t, "i:", tail, k);
    }
    if (t->n < 2) return;
    qsort(t->v, t->n, sizeof *t->v, term_cmp);
    size_t w = 1;
    for (size_t i = 1; i < t->n; i++)
        if (strcmp(t->v[i].s, t->v[w - 1].s)) t->v[w++] = t->v[i];
    t->n = w;
}

/* ---------------------------------------------------------------- writing */

/* One term of one resident, waiting to be written. */
typedef struct term_row {
    int64_t resident_id;
    char term[TERM_MAX];
} term_row;

/* The terms of one community's residents, gathered and written at the end in term
 * order: consecutive inserts then land on the same index pages, which a large import
 * needs (10,000 residents, 280,000 terms) once the index no longer fits the cache. */
struct search_terms_writer {
    store_conn *c;
    int64_t community_id;
    int failed;
    term_set t;
    term_row *rows;
    size_t n, cap;
};

static int row_cmp(const void *a, const void *b)
{
    const term_row *x = a, *y = b;
    int c = strcmp(x->term, y->term);
    return c ? c : (x->resident_id > y->resident_id) - (x->resident_id < y->resident_id);
}

/* The batch statement as a literal: 32 rows of ($1 community, term, resident). */
#define R(t, r) "($1, $" #t ", $" #r ")"
static const char insert_batch_sql[] = "INSERT INTO resident_terms (community_id, term, resident_id) VALUES "
    R(2, 3) ", " R(4, 5) ", " R(6, 7) ", " R(8, 9) ", " R(10, 11) ", " R(12, 13) ", "
    R(14, 15) ", " R(16, 17) ", " R(18, 19) ", " R(20, 21) ", " R(22, 23) ", " R(24, 25) ", "
    R(26, 27) ", " R(28, 29) ", " R(30, 31) ", " R(32, 33) ", " R(34, 35) ", " R(36, 37) ", "
    R(38, 39) ", " R(40, 41) ", " R(42, 43) ", " R(44, 45) ", " R(46, 47) ", " R(48, 49) ", "
    R(50, 51) ", " R(52, 53) ", " R(54, 55) ", " R(56, 57) ", " R(58, 59) ", " R(60, 61) ", "
    R(62, 63) ", " R(64, 65);
#undef R
_Static_assert(BATCH == 32, "insert_batch_sql lists BATCH rows");
static const char insert_one_sql[] = "INSERT INTO resident_terms (community_id, term, resident_id) VALUES ($1, $2, $3)";

/* Writes rows[0..n), n being BATCH or 1. */
static int insert_rows(search_terms_writer *w, const term_row *rows, int n)
{
    store_stmt *st = store_prepare(w->c, n == BATCH ? insert_batch_sql : insert_one_sql);
    if (!st) return STORE_ERR;
    store_bind_int(st, 1, w->community_id);
    for (int i = 0; i < n; i++) {
        store_bind_text(st, 2 * i + 2, rows[i].term);
        store_bind_int(st, 2 * i + 3, rows[i].resident_id);
    }
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? STORE_OK : STORE_ERR;
}

static int writer_row(search_terms_writer *w, int64_t resident_id, const char *name, const char *phone,
                      const char *room, const char *id_masked)
{
    resident_terms(&w->t, name, phone, room, id_masked);
    if (w->n + w->t.n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->n + w->t.n) cap *= 2;
        term_row *rows = realloc(w->rows, cap * sizeof *rows);
        if (!rows) return w->failed = STORE_ERR;
        w->rows = rows;
        w->cap = cap;
    }
    for (size_t i = 0; i < w->t.n; i++) {
        w->rows[w->n].resident_id = resident_id;
        memcpy(w->rows[w->n++].term, w->t.v[i].s, TERM_MAX);
    }
    return STORE_OK;
}

search_terms_writer *search_terms_begin(store_conn *c, int64_t community_id)
{
    search_terms_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->c = c;
        w->community_id = community_id;
    }
    return w;
}

int search_terms_end(search_terms_writer *w)
{
    if (!w) return STORE_ERR;
    int rc = w->failed ? STORE_ERR : STORE_OK;
    if (rc == STORE_OK && w->n > 1) qsort(w->rows, w->n, sizeof *w->rows, row_cmp);
    /* Full batches, then the rest one row at a time: two fixed statements. */
    size_t i = 0;
    for (; rc == STORE_OK && i + BATCH <= w->n; i += BATCH) rc = insert_rows(w, w->rows + i, BATCH);
    for (; rc == STORE_OK && i < w->n; i++) rc = insert_rows(w, w->rows + i, 1);
    free(w->rows);
    free(w->t.v);
    free(w);
    return rc;
}

#define TERMS_SELECT "SELECT r.id, r.name, r.phone, r.id_masked, h.room FROM residents r " \
                     "JOIN households h ON h.id = r.household_id WHERE r.community_id = $1 AND "

/* Adds the terms of the residents the query (bound $1 community, $2 id) yields:
 * columns id, name, phone, id_masked, room; first removes their old terms if asked. */
static int writer_query(search_terms_writer *w, const char *sql, int64_t id, bool replace)
{
    if (!w || w->failed) return STORE_ERR;
    store_stmt *st = store_prepare(w->c, sql);
    if (!st) return w->failed = STORE_ERR;
    store_bind_int(st, 1, w->community_id);
    store_bind_int(st, 2, id);
    int step = STORE_DONE;
    while (!w->failed && (step = store_step(st)) == STORE_ROW) {
        int64_t rid = store_col_int(st, 0);
        if (replace &&
            store_run(w->c, NULL, "DELETE FROM resident_terms WHERE resident_id = $1", "i", rid) != STORE_DONE)
            w->failed = STORE_ERR;
        else
            writer_row(w, rid, store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 4),
                       store_col_text(st, 3));
    }
    if (!w->failed && step != STORE_DONE) w->failed = STORE_ERR;
    store_done(st);
    return w->failed ? STORE_ERR : STORE_OK;
}

int search_terms_add(search_terms_writer *w, int64_t resident_id, bool replace)
{
    return writer_query(w, TERMS_SELECT "r.id = $2", resident_id, replace);
}

int search_terms_created(search_terms_writer *w, int64_t created_at)
{
    return writer_query(w, TERMS_SELECT "r.created_at = $2 AND NOT EXISTS (SELECT 1 FROM resident_terms x "
                           "WHERE x.resident_id = r.id) ORDER BY r.id", created_at, false);
}

static int rebuild_one(store_conn *c, int64_t community_id, const char *sql, int64_t id, bool replace)
{
    search_terms_writer *w = search_terms_begin(c, community_id);
    writer_query(w, sql, id, replace);
    return search_terms_end(w);
}

int search_terms_resident(store_conn *c, int64_t community_id, int64_t resident_id)
{
    return rebuild_one(c, community_id, TERMS_SELECT "r.id = $2", resident_id, true);
}

int search_terms_household(store_conn *c, int64_t community_id, int64_t household_id)
{
    return rebuild_one(c, community_id, TERMS_SELECT "r.household_id = $2 ORDER BY r.id", household_id, true);
}

int search_terms_community(store_conn *c, int64_t community_id)
{
    if (store_run(c, NULL, "DELETE FROM resident_terms WHERE community_id = $1", "i", community_id) != STORE_DONE)
        return STORE_ERR;
    if (rebuild_one(c, community_id, TERMS_SELECT "$2 = 0 ORDER BY r.id", 0, false) != STORE_OK)
        return STORE_ERR;
    return store_run(c, NULL,
        "INSERT INTO resident_terms_state (community_id, version, built_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (community_id) DO UPDATE SET version = excluded.version, built_at = excluded.built_at",
        "iii", community_id, (int64_t)SEARCH_TERMS_VERSION, clock_now_us()) == STORE_DONE ? STORE_OK : STORE_ERR;
}

static int backfill_job(store_conn *c, void *p)
{
    return search_terms_community(c, *(int64_t *)p) == STORE_OK ? 0 : STORE_ERR;
}

int search_terms_backfill(store *s)
{
    int64_t ids[256];
    int n = 0, built = 0;
    do {
        store_conn *c = store_acquire(s);
        store_stmt *st = store_prepare(c,
            "SELECT c.id FROM communities c WHERE NOT EXISTS (SELECT 1 FROM resident_terms_state s "
            "WHERE s.community_id = c.id AND s.version = $1) ORDER BY c.id LIMIT 256");
        n = 0;
        if (st) {
            store_bind_int(st, 1, SEARCH_TERMS_VERSION);
            while (n < 256 && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
            store_done(st);
        }
        store_release(s, c);
        if (!st) return -1;
        for (int i = 0; i < n; i++) {
            if (store_write_sync(s, backfill_job, &ids[i]) != 0) {
                log_error("search terms: rebuilding community %lld failed", (long long)ids[i]);
                return -1;
            }
            built++;
        }
    } while (n == 256);
    return built;
}

/* ---------------------------------------------------------------- reading */

bool search_terms_phone_like(const char *q)
{
    bool digit = false;
    for (; q && *q; q++) {
        if (isdigit((unsigned char)*q)) digit = true;
        else if (!strchr(" -+()", *q)) return false;
    }
    return digit;
}

/* The first and the last n characters of s (UTF-8), as terms with the prefix. */
static const char *gram_at(arena *a, const char *prefix, const char *s, bool last, size_t chars)
{
    size_t n = strlen(s), from = 0, count = 0;
    for (size_t i = 0; i < n; i += utf8_len((unsigned char)s[i])) count++;
    if (count == 0) return NULL;
    if (chars > count) chars = count;
    size_t skip = last ? count - chars : 0, i = 0;
    for (size_t k = 0; k < skip; k++) i += utf8_len((unsigned char)s[i]);
    from = i;
    for (size_t k = 0; k < chars && i < n; k++) i += utf8_len((unsigned char)s[i]);
    if (i > n || i - from + 3 > TERM_MAX) return NULL;
    return arena_printf(a, "%s%.*s", prefix, (int)(i - from), s + from);
}

int search_terms_keys(arena *a, const char *q, const char *id_tail, const char *keys[SEARCH_KEYS])
{
    /* Candidates, the most telling first: the last digits of a number (tails are
     * spread evenly), the ID tail, the first digits, then the other characters; the
     * lookup then starts from whichever has the fewest residents. */
    const char *cand[6] = {0};
    if (q && *q) {
        size_t n = strlen(q);
        char *digits = arena_alloc(a, n + 1), *rest = arena_alloc(a, n + 1);
        split_field(q, digits, rest);
        size_t nd = strlen(digits);
        if (nd >= 4) {
            cand[0] = arena_printf(a, "d:%s", digits + nd - 4);
            cand[2] = arena_printf(a, "d:%.4s", digits);
            cand[5] = arena_printf(a, "d:%.4s", digits + (nd - 4) / 2);
        } else if (nd == 3) {
            cand[0] = arena_printf(a, "d:%s", digits);
        }
        /* A phone-like query may match the phone's digits alone, whatever its dashes. */
        if (!search_terms_phone_like(q)) {
            cand[3] = gram_at(a, "t:", rest, true, 2);
            cand[4] = gram_at(a, "t:", rest, false, 2);
        }
    }
    if (id_tail && *id_tail && strlen(id_tail) <= 4) {
        char *key = arena_printf(a, "i:%s", id_tail);
        for (char *p = key + 2; *p; p++) *p = (char)toupper((unsigned char)*p);
        cand[1] = key;
    }
    int k = 0;
    for (int i = 0; i < 6 && k < SEARCH_KEYS; i++) {
        if (!cand[i]) continue;
        bool dup = false;
        for (int j = 0; j < k; j++) dup |= !strcmp(keys[j], cand[i]);
        if (!dup) keys[k++] = cand[i];
    }
    for (int i = k; i < SEARCH_KEYS; i++) keys[i] = NULL;
    return k;
}

void search_terms_order(store_conn *c, int64_t community_id, const char *keys[SEARCH_KEYS], int n)
{
    if (n < 2) return;
    /* Capped: past a few hundred the exact number hardly changes the choice, and counting
     * costs as much as walking. */
    store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM (SELECT 1 FROM resident_terms "
                                      "WHERE community_id = $1 AND term = $2 LIMIT 500) x");
    if (!st) return;
    int64_t count[SEARCH_KEYS];
    for (int i = 0; i < n; i++) {
        store_bind_int(st, 1, community_id);
        store_bind_text(st, 2, keys[i]);
        count[i] = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 500;
        store_done(st);
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && count[j] < count[j - 1]; j--) {
            int64_t tc = count[j]; count[j] = count[j - 1]; count[j - 1] = tc;
            const char *tk = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = tk;
        }
}
