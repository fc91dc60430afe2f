/* store.c — the backend-independent part of the storage layer: opening, the read pool,
 * the writer queue with group commit, migrations and small conveniences. */
#include "store_int.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/log.h"
#include <assert.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *store_writer_main(void *arg);

typedef struct writer_arg {
    store *s;
    store_conn *c;
} writer_arg;

store *store_open(const char *sqlite_path, const char *pg_conninfo, const store_options *opt,
                  char *err, size_t errlen)
{
    store *s = xcalloc(1, sizeof *s);
    if (pg_conninfo && *pg_conninfo) {
        s->be = &store_pg_backend;
        snprintf(s->pg_conninfo, sizeof s->pg_conninfo, "%s", pg_conninfo);
    } else {
        s->be = &store_sqlite_backend;
        snprintf(s->sqlite_path, sizeof s->sqlite_path, "%s", sqlite_path ? sqlite_path : "");
    }
    store_options o = {.read_conns = 4, .writer_threads = 1, .batch_max = 256};
    if (opt) {
        if (opt->read_conns > 0) o.read_conns = opt->read_conns;
        if (opt->writer_threads > 0) o.writer_threads = opt->writer_threads;
        if (opt->batch_max > 0) o.batch_max = opt->batch_max;
    }
    s->opt = o;
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_cond_init(&s->pool_cv, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cv, NULL);

    /* The writer connects first: for SQLite it sets WAL mode, which readers rely on. */
    s->n_writers = s->be->kind == STORE_SQLITE ? 1 : o.writer_threads;
    s->writers = xcalloc((size_t)s->n_writers, sizeof(pthread_t));
    s->writer_conns = xcalloc((size_t)s->n_writers, sizeof(store_conn *));
    for (int i = 0; i < s->n_writers; i++) {
        s->writer_conns[i] = s->be->connect(s, 1, err, errlen);
        if (s->writer_conns[i]) s->writer_conns[i]->writer = true;
        if (!s->writer_conns[i]) {
            for (int j = 0; j < i; j++) s->be->disconnect(s->writer_conns[j]);
            free(s->writers);
            free(s->writer_conns);
            free(s);
            return NULL;
        }
    }
    s->all_readers = xcalloc((size_t)o.read_conns, sizeof(store_conn *));
    for (int i = 0; i < o.read_conns; i++) {
        store_conn *c = s->be->connect(s, 0, err, errlen);
        if (!c) {
            s->n_writers = 0;   /* threads not started yet */
            for (int j = 0; j < i; j++) s->be->disconnect(s->all_readers[j]);
            free(s->all_readers);
            free(s->writers);
            free(s->writer_conns);
            free(s);
            return NULL;
        }
        s->all_readers[s->n_readers++] = c;
        c->next_free = s->free_readers;
        s->free_readers = c;
    }
    for (int i = 0; i < s->n_writers; i++) {
        writer_arg *wa = xmalloc(sizeof *wa);
        wa->s = s;
        wa->c = s->writer_conns[i];
        pthread_create(&s->writers[i], NULL, store_writer_main, wa);
    }
    return s;
}

void store_close(store *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->q_mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    for (int i = 0; i < s->n_writers; i++) pthread_join(s->writers[i], NULL);
    for (int i = 0; i < s->n_writers; i++) s->be->disconnect(s->writer_conns[i]);
    for (int i = 0; i < s->n_readers; i++) s->be->disconnect(s->all_readers[i]);
    free(s->writers);
    free(s->writer_conns);
    free(s->all_readers);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_cond_destroy(&s->pool_cv);
    pthread_mutex_destroy(&s->q_mu);
    pthread_cond_destroy(&s->q_cv);
    free(s);
}

store_kind store_kind_of(const store *s) { return s->be->kind; }
const char *store_backend_name(const store *s) { return s->be->name; }
store_kind store_conn_kind(const store_conn *c) { return c->be->kind; }

store_conn *store_acquire(store *s)
{
    pthread_mutex_lock(&s->pool_mu);
    while (!s->free_readers) pthread_cond_wait(&s->pool_cv, &s->pool_mu);
    store_conn *c = s->free_readers;
    s->free_readers = c->next_free;
    pthread_mutex_unlock(&s->pool_mu);
    return c;
}

/* A reader's transaction starts at its first statement: a request answered from
 * memory (a cached session, a page of the web app) takes a connection and never
 * touches the database file or its locks. */
void store_read_begin(store_conn *c)
{
    c->broken = false;
    if (c->be->kind == STORE_SQLITE) c->read_pending = true;
}

/* Runs a prepared BEGIN or COMMIT (prepared once per connection, not parsed each time). */
static void run_cached(store_conn *c, store_stmt **slot, const char *sql)
{
    if (!*slot) *slot = c->be->prepare(c, sql);
    if (!*slot) {
        c->be->exec(c, sql);
        return;
    }
    c->be->step(*slot);
    c->be->done(*slot);
}

static void read_start_if_pending(store_conn *c)
{
    if (!c->read_pending) return;
    c->read_pending = false;
    run_cached(c, &c->begin, "BEGIN");
    c->in_read = true;
}

void store_read_end(store_conn *c)
{
    c->read_pending = false;
    if (!c->in_read) return;
    c->in_read = false;
    run_cached(c, &c->commit, "COMMIT");
}

void store_release(store *s, store_conn *c)
{
    if (!c) return;
    pthread_mutex_lock(&s->pool_mu);
    c->next_free = s->free_readers;
    s->free_readers = c;
    pthread_cond_signal(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
}

/* ---- fault injection (tests only) ----
 * The filter is set before the statements under test are prepared and read on every
 * prepare; the countdown is atomic because readers and writers step concurrently. */
static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static char fault_text[256];
static atomic_int fault_armed, fault_countdown, fault_hits;

void store_fault_set(const char *sql_contains, int nth)
{
    pthread_mutex_lock(&fault_mu);
    snprintf(fault_text, sizeof fault_text, "%s", sql_contains ? sql_contains : "");
    atomic_store(&fault_countdown, nth);
    atomic_store(&fault_hits, 0);
    atomic_store(&fault_armed, nth > 0);
    pthread_mutex_unlock(&fault_mu);
}

int store_fault_hits(void) { return atomic_load(&fault_hits); }

static bool fault_matches(const char *sql)
{
    if (!atomic_load(&fault_armed)) return false;
    pthread_mutex_lock(&fault_mu);
    bool m = !fault_text[0] || strstr(sql, fault_text);
    pthread_mutex_unlock(&fault_mu);
    return m;
}

/* True when this step is the one chosen to fail. */
static bool fault_fires(store_stmt *st)
{
    if (!st->fault_armed || !atomic_load(&fault_armed)) return false;
    if (atomic_fetch_sub(&fault_countdown, 1) != 1) return false;
    atomic_store(&fault_armed, 0);
    atomic_fetch_add(&fault_hits, 1);
    return true;
}

/* ---- watched tables ---- */
void store_watch(store *s, const char *table)
{
    assert(s->n_watch < STORE_MAX_WATCH && strlen(table) < sizeof s->watch[0]);
    snprintf(s->watch[s->n_watch++], sizeof s->watch[0], "%s", table);
}

uint64_t store_epoch(store *s) { return atomic_load(&s->epoch); }

int store_epoch_read(store_conn *c, int64_t *out)
{
    return store_query_int_checked(c, out, 0, "SELECT n FROM store_epochs WHERE name = 'watched'", "");
}

void store_quiet(store_conn *c, bool on) { c->quiet = on; }

/* The table an INSERT INTO, UPDATE or DELETE FROM statement writes, compared with the
 * watched ones. Other statements (SELECT, DDL, SAVEPOINT) write none. */
static bool writes_watched(const store *s, const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t') sql++;
    static const char *const verbs[] = {"INSERT INTO ", "UPDATE ", "DELETE FROM "};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs && !name; i++)
        if (!strncasecmp(sql, verbs[i], strlen(verbs[i]))) name = sql + strlen(verbs[i]);
    if (!name) return false;
    size_t len = strcspn(name, " (\n\t");
    for (int i = 0; i < s->n_watch; i++)
        if (strlen(s->watch[i]) == len && !strncasecmp(name, s->watch[i], len)) return true;
    return false;
}

/* ---- thin dispatch to the backend ---- */
store_stmt *store_prepare(store_conn *c, const char *sql)
{
    if (c->writer && !c->quiet && !c->watched_write && c->s->n_watch && writes_watched(c->s, sql))
        c->watched_write = true;
    read_start_if_pending(c);
    store_stmt *st = c->be->prepare(c, sql);
    if (st) st->fault_armed = fault_matches(sql);
    return st;
}
int store_bind_int(store_stmt *st, int i, int64_t v) { return st->c->be->bind_int(st, i, v); }
int store_bind_text(store_stmt *st, int i, const char *v)
{
    return v ? st->c->be->bind_text(st, i, v) : st->c->be->bind_null(st, i);
}
int store_bind_blob(store_stmt *st, int i, const void *p, size_t n) { return st->c->be->bind_blob(st, i, p, n); }
int store_bind_null(store_stmt *st, int i) { return st->c->be->bind_null(st, i); }
int store_step(store_stmt *st) { return fault_fires(st) ? STORE_ERR : st->c->be->step(st); }
int store_col_count(store_stmt *st) { return st->c->be->col_count(st); }
const char *store_col_name(store_stmt *st, int col) { return st->c->be->col_name(st, col); }
bool store_col_null(store_stmt *st, int col) { return st->c->be->col_null(st, col); }
int64_t store_col_int(store_stmt *st, int col) { return st->c->be->col_int(st, col); }
const char *store_col_text(store_stmt *st, int col) { return st->c->be->col_text(st, col); }
const void *store_col_blob(store_stmt *st, int col, size_t *n) { return st->c->be->col_blob(st, col, n); }
int64_t store_changes(store_stmt *st) { return st->c->be->changes(st); }
void store_done(store_stmt *st) { if (st) st->c->be->done(st); }
int store_exec(store_conn *c, const char *sql)
{
    read_start_if_pending(c);
    return c->be->exec(c, sql);
}
/* Where the backend runs a later statement at once, its failure fails the batch all
 * the same, so that both backends keep one rule. */
int store_exec_later(store_conn *c, const char *sql)
{
    if (c->be->exec_later) return c->be->exec_later(c, sql);
    int rc = store_exec(c, sql);
    if (rc != STORE_OK) {
        log_error("store: a statement sent ahead failed: %s", store_errmsg(c));
        c->later_failed = true;
    }
    return rc;
}
int store_step_later(store_stmt *st)
{
    if (fault_fires(st)) return STORE_ERR;      /* as a statement refused before it was sent */
    if (st->c->be->step_later) return st->c->be->step_later(st);
    int rc = st->c->be->step(st);
    if (rc == STORE_ROW) rc = STORE_DONE;
    if (rc != STORE_DONE) {
        log_error("store: a statement sent ahead failed: %s", store_errmsg(st->c));
        st->c->later_failed = true;
    }
    return rc;
}
const char *store_errmsg(store_conn *c) { return c->be->errmsg(c); }

static int bind_fmt(store_stmt *st, const char *fmt, va_list ap)
{
    int idx = 1;
    for (const char *f = fmt ? fmt : ""; *f; f++, idx++) {
        int rc;
        switch (*f) {
        case 'i': rc = store_bind_int(st, idx, va_arg(ap, int64_t)); break;
        case 't': rc = store_bind_text(st, idx, va_arg(ap, const char *)); break;
        case 'n': rc = store_bind_null(st, idx); break;
        default: return STORE_ERR;
        }
        if (rc != STORE_OK) return rc;
    }
    return STORE_OK;
}

/* Prepares sql and binds the arguments fmt describes: STORE_OK with *st, or an error
 * (*st NULL when it could not be prepared, else still to be done with). */
static int prepare_bound(store_conn *c, store_stmt **st, const char *sql, const char *fmt, va_list ap)
{
    *st = store_prepare(c, sql);
    return *st ? bind_fmt(*st, fmt, ap) : STORE_ERR;
}

int store_run(store_conn *c, store_stmt **out, const char *sql, const char *fmt, ...)
{
    if (out) *out = NULL;
    store_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bound(c, &st, sql, fmt, ap);
    va_end(ap);
    if (rc == STORE_OK) rc = store_step(st);
    if (out && rc == STORE_ROW) *out = st;
    else store_done(st);
    return rc;
}

int store_run_later(store_conn *c, const char *sql, const char *fmt, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bound(c, &st, sql, fmt, ap);
    va_end(ap);
    if (rc == STORE_OK) rc = store_step_later(st);
    store_done(st);
    return rc;
}

int64_t store_query_int(store_conn *c, int64_t dflt, const char *sql, const char *fmt, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bound(c, &st, sql, fmt, ap);
    va_end(ap);
    int64_t v = dflt;
    if (rc == STORE_OK && store_step(st) == STORE_ROW && !store_col_null(st, 0)) v = store_col_int(st, 0);
    store_done(st);
    return v;
}

int store_query_int_checked(store_conn *c, int64_t *out, int64_t dflt, const char *sql, const char *fmt, ...)
{
    *out = dflt;
    store_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_bound(c, &st, sql, fmt, ap);
    va_end(ap);
    if (rc == STORE_OK) rc = store_step(st);
    if (rc == STORE_ROW && !store_col_null(st, 0)) *out = store_col_int(st, 0);
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? 0 : rc;
}

/* ---- writes ---- */
static int store_enqueue(store *s, store_job_fn fn, void *ctx, store_done_fn done, void *done_ctx, bool rerunnable)
{
    store_job *j = xcalloc(1, sizeof *j);
    j->fn = fn;
    j->ctx = ctx;
    j->done = done;
    j->done_ctx = done_ctx;
    j->rerunnable = rerunnable;
    pthread_mutex_lock(&s->q_mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->q_mu);
        free(j);
        return -1;
    }
    if (s->q_tail) s->q_tail->next = j;
    else s->q_head = j;
    s->q_tail = j;
    s->q_len++;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    return 0;
}

int store_write(store *s, store_job_fn fn, void *ctx, store_done_fn done, void *done_ctx)
{
    return store_enqueue(s, fn, ctx, done, done_ctx, false);
}

int store_write_rerunnable(store *s, store_job_fn fn, void *ctx, store_done_fn done, void *done_ctx)
{
    return store_enqueue(s, fn, ctx, done, done_ctx, true);
}

/* Puts jobs that met a deadlock back at the head of the queue, in their order: the
 * next batch runs them first, after this batch's commit let go of its row locks. */
static void store_requeue(store *s, store_job *list)
{
    if (!list) return;
    store_job *last = list;
    int n = 1;
    while (last->next) { last = last->next; n++; }
    pthread_mutex_lock(&s->q_mu);
    last->next = s->q_head;
    s->q_head = list;
    if (!s->q_tail) s->q_tail = last;
    s->q_len += n;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
}

typedef struct sync_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished, rc;
} sync_wait;

static void sync_done(int rc, void *p)
{
    sync_wait *w = p;
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    w->finished = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int store_write_sync(store *s, store_job_fn fn, void *ctx)
{
    sync_wait w = {.finished = 0};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    if (store_write(s, fn, ctx, sync_done, &w)) return STORE_ERR;
    pthread_mutex_lock(&w.mu);
    while (!w.finished) pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    return w.rc;
}

/* Runs one batch: BEGIN, each job inside its own savepoint (a failing job rolls back
 * alone), one COMMIT — one durable flush for the whole batch. When the commit itself
 * fails (disk full, I/O error, a lost connection), every job of the batch reports
 * failure: nothing of it was written, and each client is told so and may retry with its
 * idempotency key. Jobs that met a deadlock and may run again are moved to *rerun.
 *
 * One savepoint name serves every job: it is released and set again between two jobs
 * that committed, kept as it is after a ROLLBACK TO (which leaves it in place), and the
 * last one is committed with the transaction. On PostgreSQL a failed statement aborts
 * everything after it until the ROLLBACK TO, which also lets go of the rows the job
 * locked; a job that goes on and returns 0 anyway is failed.
 *
 * BEGIN, the savepoints and the ROLLBACK TO are sent "later" (store_exec_later): on
 * PostgreSQL they travel with the job's first statement, and cost no round trip of
 * their own. A later statement that failed (it cannot be told apart from the job it
 * belonged to) fails the whole batch. */
static void run_batch(store_conn *c, store_job *batch, store_job **rerun)
{
    const bool sqlite = c->be->kind == STORE_SQLITE;
    c->later_failed = false;
    bool ok = sqlite ? store_exec(c, "BEGIN IMMEDIATE; SAVEPOINT job") == STORE_OK
                     : store_exec_later(c, "BEGIN") == STORE_OK && store_exec_later(c, "SAVEPOINT job") == STORE_OK;
    bool released = false;          /* the savepoint holds a committed job: set a new one */
    store_job **tail = rerun;
    c->watched_write = false;
    for (store_job **link = &batch; *link;) {
        store_job *j = *link;
        c->quiet = false;
        c->rerun = false;
        if (ok && released)
            ok = store_exec_later(c, "RELEASE SAVEPOINT job") == STORE_OK &&
                 store_exec_later(c, "SAVEPOINT job") == STORE_OK;
        if (!ok) {
            j->rc = STORE_ERR;
            link = &j->next;
            continue;
        }
        bool watched_before = c->watched_write;
        j->rc = j->fn(c, j->ctx);
        if (j->rc == 0 && c->be->tx_aborted && c->be->tx_aborted(c)) {
            log_warn("store: a write job went on after a failed statement: %s", store_errmsg(c));
            j->rc = STORE_ERR;
        }
        if (c->later_failed) {
            ok = false;
            if (j->rc == 0) j->rc = STORE_ERR;
            link = &j->next;
            continue;
        }
        released = j->rc == 0;
        if (released) {
            link = &j->next;
            continue;
        }
        ok = store_exec_later(c, "ROLLBACK TO SAVEPOINT job") == STORE_OK;
        c->watched_write = watched_before;      /* its writes are undone */
        if (ok && c->rerun) {
            if (j->rerunnable && j->runs < STORE_RERUNS) {
                j->runs++;
                *link = j->next;        /* out of this batch, unanswered */
                j->next = NULL;
                *tail = j;
                tail = &j->next;
                continue;
            }
            j->rc = STORE_BUSY;
        }
        link = &j->next;
    }
    if (!ok) {
        log_error("store: batch failed: %s", store_errmsg(c));
        store_exec(c, "ROLLBACK");
        for (store_job *j = batch; j; j = j->next) j->rc = j->rc ? j->rc : STORE_ERR;
        return;
    }
    bool watched = c->watched_write;
    c->quiet = false;
    if (watched && store_run_later(c, "UPDATE store_epochs SET n = n + 1 WHERE name = 'watched'", "") != STORE_DONE) {
        log_error("store: epoch update failed: %s", store_errmsg(c));
        store_exec(c, "ROLLBACK");
        for (store_job *j = batch; j; j = j->next) j->rc = STORE_ERR;
        return;
    }
    if (store_exec(c, "COMMIT") != STORE_OK || c->later_failed) {
        log_error("store: commit failed: %s", store_errmsg(c));
        store_exec(c, "ROLLBACK");
        for (store_job *j = batch; j; j = j->next)
            if (j->rc == 0) j->rc = STORE_ERR;
    } else if (watched) {
        atomic_fetch_add(&c->s->epoch, 1);
    }
}

static void *store_writer_main(void *arg)
{
    writer_arg *wa = arg;
    store *s = wa->s;
    store_conn *c = wa->c;
    free(wa);
    int max = s->opt.batch_max;
    for (;;) {
        pthread_mutex_lock(&s->q_mu);
        while (!s->q_head && !s->stopping) pthread_cond_wait(&s->q_cv, &s->q_mu);
        if (!s->q_head && s->stopping) {
            pthread_mutex_unlock(&s->q_mu);
            break;
        }
        store_job *batch = s->q_head, *last = batch;
        int n = 1;
        while (last->next && n < max) { last = last->next; n++; }
        s->q_head = last->next;
        if (!s->q_head) s->q_tail = NULL;
        s->q_len -= n;
        last->next = NULL;
        pthread_mutex_unlock(&s->q_mu);

        store_job *rerun = NULL;
        run_batch(c, batch, &rerun);
        for (store_job *j = batch; j;) {
            store_job *next = j->next;
            if (j->done) j->done(j->rc, j->done_ctx);
            free(j);
            j = next;
        }
        store_requeue(s, rerun);
    }
    return NULL;
}

/* ---- migrations ---- */
char *store_expand_ddl(const store_backend *be, const char *sql)
{
    buf b;
    buf_init(&b, 0);
    const char *p = sql;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) { buf_puts(&b, p); break; }
        const char *close = strstr(open, "}}");
        if (!close) { buf_puts(&b, p); break; }
        buf_append(&b, p, (size_t)(open - p));
        char word[32];
        snprintf(word, sizeof word, "%.*s", (int)(close - open - 2), open + 2);
        const char *w = be->ddl_word(word);
        buf_puts(&b, w ? w : word);
        p = close + 2;
    }
    return buf_take(&b, NULL);
}

typedef struct migrate_ctx {
    const store_migration *m;
    char *sql;
    char *err;
    size_t errlen;
} migrate_ctx;

/* Executes the statements of one migration file, split on ';' outside quotes and
 * outside `--` comments (a comment may contain a semicolon). */
static int migrate_job(store_conn *c, void *p)
{
    migrate_ctx *mc = p;
    char *stmt = mc->sql;
    bool in_quote = false, has_code = false;
    for (char *q = mc->sql;; q++) {
        if (!*q || (!in_quote && *q == ';')) {
            int end = !*q;
            *q = 0;
            if (has_code && store_exec(c, stmt) != STORE_OK) {
                snprintf(mc->err, mc->errlen, "migration %s: %s", mc->m->name, store_errmsg(c));
                return STORE_ERR;
            }
            if (end) break;
            stmt = q + 1;
            has_code = false;
            continue;
        }
        if (!in_quote && q[0] == '-' && q[1] == '-') {
            while (q[1] && q[1] != '\n') q++;
            continue;
        }
        if (*q == '\'') in_quote = !in_quote;
        if (*q != ' ' && *q != '\n' && *q != '\t' && *q != '\r') has_code = true;
    }
    return store_run(c, NULL, "INSERT INTO schema_migrations (level, name, applied_at) VALUES ($1, $2, $3)",
                     "iti", (int64_t)mc->m->level, mc->m->name, clock_now_us()) == STORE_DONE ? 0 : STORE_ERR;
}

static int create_migrations_table(store_conn *c, void *p)
{
    (void)p;
    return store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations (level INTEGER PRIMARY KEY, "
                         "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
}

int store_migration_level(store *s)
{
    store_conn *c = store_acquire(s);
    int64_t lvl = store_query_int(c, 0, "SELECT MAX(level) FROM schema_migrations", NULL);
    store_release(s, c);
    return (int)lvl;
}

/* Applies every embedded migration not recorded yet — by its own level, not by the
 * highest level applied, so a migration merged after a later-numbered one still runs. */
int store_migrate(store *s, char *err, size_t errlen)
{
    if (store_write_sync(s, create_migrations_table, NULL) != 0) {
        snprintf(err, errlen, "cannot create schema_migrations");
        return -1;
    }
    for (int i = 0; i < store_migrations_count; i++) {
        const store_migration *m = &store_migrations[i];
        store_conn *c = store_acquire(s);
        int64_t done = store_query_int(c, 0, "SELECT COUNT(*) FROM schema_migrations WHERE level = $1", "i",
                                       (int64_t)m->level);
        store_release(s, c);
        if (done) continue;
        migrate_ctx mc = {.m = m, .sql = store_expand_ddl(s->be, m->sql), .err = err, .errlen = errlen};
        err[0] = 0;
        int rc = store_write_sync(s, migrate_job, &mc);
        free(mc.sql);
        if (rc != 0) {
            if (!err[0]) snprintf(err, errlen, "migration %s failed", m->name);
            return -1;
        }
    }
    return store_migration_level(s);
}

int store_backup(store *s, const char *out_path, char *err, size_t errlen)
{
    return s->be->backup(s, out_path, err, errlen);
}

int store_restore(store *s, const char *in_path, char *err, size_t errlen)
{
    return s->be->restore(s, in_path, err, errlen);
}

bool store_conn_broken(const store_conn *c) { return c && c->broken; }

int64_t store_unreachable_since(store *s) { return s ? atomic_load(&s->unreachable_since) : 0; }

void store_mark_unreachable(store_conn *c)
{
    c->broken = true;
    int64_t none = 0;
    atomic_compare_exchange_strong(&c->s->unreachable_since, &none, clock_now_us());
}

void store_mark_reachable(store_conn *c)
{
    /* Read first: the common case (reachable) then writes nothing shared. */
    if (atomic_load_explicit(&c->s->unreachable_since, memory_order_relaxed))
        atomic_store(&c->s->unreachable_since, 0);
}
