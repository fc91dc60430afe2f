/* pg.c — the PostgreSQL storage backend (libpq).
 *
 * Owns: connections and their settings, the per-connection cache of
 * server-side prepared statements, parameter binding, row reading, the mapping of
 * SQLSTATE codes to store result codes, recovery of a dropped connection, the DDL words
 * for migration placeholders, and backup/restore through pg_dump and pg_restore.
 *
 * Statements are prepared once per connection under a generated name and reused;
 * parameters travel as text (blobs as binary), results come back as text. */
#include "store_int.h"
#include "../core/log.h"
#include <libpq-fe.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Type OIDs from the server catalog (pg_type.h is not part of the client headers). */
#define PG_BOOLOID 16

/* A connection keeps at most this many live copies of one SQL text. A second copy is
 * made only when the same SQL is prepared while an earlier use has not reached
 * store_done() (a nested loop over the same query); beyond the cap the oldest copy is
 * taken back, so a forgotten store_done() cannot grow the cache without bound. */
#define PG_MAX_COPIES 8

typedef struct pg_stmt {
    store_stmt base;            /* first: the generic layer holds a store_stmt * */
    struct pg_stmt *next;       /* hash chain */
    char *sql;
    uint64_t hash;
    char name[24];              /* server-side statement name */
    bool prepared;              /* exists on the current server connection */
    bool busy;                  /* handed out by prepare, not yet done */
    unsigned long lent;         /* when it was last handed out (for the copy cap) */
    int nparams;
    char **vals;                /* owned copies; NULL binds SQL NULL */
    int *lens;
    int *fmts;                  /* 0 text, 1 binary (blobs) */
    PGresult *res;
    bool executed;
    int row, nrows;
    int64_t changes;
    unsigned char **blobs;      /* unescaped bytea per column of the current row */
    size_t *blob_lens;
    int nblobs;
} pg_stmt;

typedef struct pg_conn {
    store_conn base;            /* first: the generic layer holds a store_conn * */
    PGconn *pg;
    pg_stmt **buckets;
    size_t nbuckets, nstmts;
    unsigned long next_name;
    unsigned long lend_clock;
    bool in_tx;                 /* a transaction block was open after the last command */
    bool lost;                  /* the server connection dropped; reconnect before use */
    bool lost_tx;               /* it dropped inside a transaction the caller must end */
    int npending;               /* statements sent "later" whose answers are not read yet */
    char err[1024];
} pg_conn;

static pg_conn *pg_c(store_conn *c) { return (pg_conn *)c; }
static pg_stmt *pg_st(store_stmt *st) { return (pg_stmt *)st; }
static pg_conn *pg_stc(pg_stmt *st) { return (pg_conn *)st->base.c; }

/* ---------------------------------------------------------------- errors */

static void pg_seterr(pg_conn *c, const char *msg)
{
    snprintf(c->err, sizeof c->err, "%s", msg ? msg : "unknown error");
    /* libpq messages end in a newline; store_errmsg() is used inside log lines. */
    size_t n = strlen(c->err);
    while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' ')) c->err[--n] = 0;
}

/* Records a failed result's message as "primary [SQLSTATE]: detail" on one line. */
static void pg_seterr_res(pg_conn *c, const PGresult *res)
{
    if (c->base.later_failed && c->err[0]) return;  /* the batch's first error is the cause */
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        const char *m = res ? PQresultErrorMessage(res) : "";
        pg_seterr(c, (m && *m) ? m : PQerrorMessage(c->pg));
        return;
    }
    const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    snprintf(c->err, sizeof c->err, "%s [%s]%s%s", primary, code ? code : "?",
             detail ? ": " : "", detail ? detail : "");
    for (char *p = c->err; *p; p++)
        if (*p == '\n') *p = ' ';
}

/* The store code of a failed result. A deadlock or serialization failure also marks
 * the connection: the writer may run the job again once the other transaction is done
 * (a lock timeout, 55P03, was asked for by the job itself and is only reported). */
static int pg_code_of(pg_conn *c, const PGresult *res)
{
    const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!code) return STORE_ERR;
    if (!strncmp(code, "23", 2)) return STORE_CONSTRAINT;
    if (!strcmp(code, "40001") || !strcmp(code, "40P01")) {
        c->base.rerun = true;
        return STORE_BUSY;
    }
    if (!strcmp(code, "55P03")) return STORE_BUSY;
    return STORE_ERR;
}

/* ---------------------------------------------------------------- connection */

/* Server notices below WARNING are suppressed by client_min_messages; the rest point
 * at a real problem (e.g. COMMIT with no transaction open) and go to the log. */
static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    char line[512];
    snprintf(line, sizeof line, "%s", message);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') line[--n] = 0;
    log_warn("postgresql: %s", line);
}

static bool pg_conn_setup(pg_conn *c)
{
    PQsetNoticeProcessor(c->pg, pg_notice, NULL);
    /* Times are int64 microseconds computed by the server process, so the connection's time
     * zone only matters for diagnostics; UTC keeps those unambiguous. */
    PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TimeZone = 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) pg_seterr_res(c, r);
    PQclear(r);
    c->in_tx = false;
    return ok;
}

static void pg_forget_prepared(pg_conn *c)
{
    for (size_t b = 0; b < c->nbuckets; b++)
        for (pg_stmt *st = c->buckets[b]; st; st = st->next) st->prepared = false;
}

/* Called after every libpq round trip: tracks the transaction state while the connection
 * is alive, and notices when it died. A connection lost outside a transaction is simply
 * reopened before the next use. One lost inside a transaction stays unusable until the
 * caller ends that transaction (store_exec of COMMIT/ROLLBACK/BEGIN): reopening at
 * once would let the rest of the caller's statements run in autocommit, half of a job
 * committed and the other half lost. */
static void pg_after(pg_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        store_mark_unreachable(&c->base);
        if (!c->lost) {
            c->lost = true;
            c->lost_tx = c->in_tx || c->npending;
            pg_forget_prepared(c);
        }
        if (c->npending) c->base.later_failed = true;
        c->npending = 0;
        return;
    }
    PGTransactionStatusType t = PQtransactionStatus(c->pg);
    c->in_tx = (t == PQTRANS_INTRANS || t == PQTRANS_INERROR);
}

static bool pg_reconnect(pg_conn *c)
{
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        pg_seterr(c, PQerrorMessage(c->pg));
        store_mark_unreachable(&c->base);
        return false;
    }
    if (!pg_conn_setup(c)) {
        store_mark_unreachable(&c->base);
        return false;
    }
    c->lost = c->lost_tx = false;
    pg_forget_prepared(c);
    store_mark_reachable(&c->base);
    return true;
}

/* True when the connection can take a command now. */
static bool pg_usable(pg_conn *c)
{
    if (!c->lost) return true;
    if (c->lost_tx) {
        pg_seterr(c, "connection to the database was lost inside a transaction; "
                     "the transaction was rolled back");
        c->base.broken = true;
        return false;
    }
    return pg_reconnect(c);
}

static store_conn *pg_connect(store *s, int role, char *err, size_t errlen)
{
    (void)role;   /* readers and writers get the same settings */
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) { snprintf(err, errlen, "out of memory"); return NULL; }
    c->base.s = s;
    c->base.be = &store_pg_backend;
    /* The configured string is a full conninfo. Keywords before it are defaults it may
     * override: a bounded connect (a failover's dead host is skipped in seconds, each of
     * several hosts in turn), TCP keepalives (a node that vanished is noticed even by
     * an idle connection) and a server that takes writes: during a failover a balancer
     * may still route a new connection to a standby for a moment, whose reads lag (a
     * task just made would read as not found); such a connection is refused and retried
     * instead. Keywords after it only fill in what it leaves unset (application name) or
     * must hold for this code (UTF-8). */
    const char *keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "target_session_attrs", "dbname", "fallback_application_name", "client_encoding", NULL};
    const char *vals[] = {"5", "10", "3", "3", "read-write", s->pg_conninfo, "shouwang", "UTF8", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "postgresql: %s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        size_t n = strlen(err);
        while (n && err[n - 1] == '\n') err[--n] = 0;
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    if (!pg_conn_setup(c)) {
        snprintf(err, errlen, "postgresql: %s", c->err);
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    c->nbuckets = 64;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        snprintf(err, errlen, "out of memory");
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    return &c->base;
}

/* ---------------------------------------------------------------- statements */

static void pg_clear_row(pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++) {
        if (st->blobs[i]) PQfreemem(st->blobs[i]);
        st->blobs[i] = NULL;
    }
}

static void pg_clear_result(pg_stmt *st)
{
    pg_clear_row(st);
    PQclear(st->res);
    st->res = NULL;
    st->executed = false;
    st->row = st->nrows = 0;
}

static void pg_clear_binds(pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->lens[i] = 0;
        st->fmts[i] = 0;
    }
}

static void pg_stmt_free(pg_stmt *st)
{
    pg_clear_result(st);
    pg_clear_binds(st);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->blobs);
    free(st->blob_lens);
    free(st->sql);
    free(st);
}

static void pg_disconnect(store_conn *base)
{
    if (!base) return;
    pg_conn *c = pg_c(base);
    for (size_t b = 0; b < c->nbuckets; b++) {
        pg_stmt *st = c->buckets[b];
        while (st) {
            pg_stmt *next = st->next;
            pg_stmt_free(st);
            st = next;
        }
    }
    free(c->buckets);
    PQfinish(c->pg);
    free(c);
}

static uint64_t pg_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;           /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void pg_grow(pg_conn *c)
{
    size_t n = c->nbuckets * 2;
    pg_stmt **nb = calloc(n, sizeof *nb);
    if (!nb) return;                               /* longer chains, still correct */
    for (size_t b = 0; b < c->nbuckets; b++) {
        pg_stmt *st = c->buckets[b];
        while (st) {
            pg_stmt *next = st->next;
            st->next = nb[st->hash & (n - 1)];
            nb[st->hash & (n - 1)] = st;
            st = next;
        }
    }
    free(c->buckets);
    c->buckets = nb;
    c->nbuckets = n;
}

/* ---------------------------------------------------------------- later
 * Statements sent with store_exec_later / store_step_later go out in libpq's pipeline
 * mode without waiting; the next statement that wants its answer is sent behind them
 * with a sync, and all the answers are read in that one round trip. A failed later
 * statement makes the server skip the rest up to the sync (PGRES_PIPELINE_ABORTED)
 * and sets base.later_failed: the write batch then rolls back as a whole. */

static int pg_later_begin(pg_conn *c)
{
    if (!pg_usable(c)) return STORE_ERR;
    if (PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF && PQenterPipelineMode(c->pg) != 1) {
        pg_seterr(c, PQerrorMessage(c->pg));
        return STORE_ERR;
    }
    return STORE_OK;
}

/* Sends the sync and reads every pending answer; with `cur`, the answer of the one
 * statement sent last (after the pending ones) is handed back in *cur (NULL when the
 * connection broke before it came). Leaves pipeline mode. */
static void pg_later_collect(pg_conn *c, PGresult **cur)
{
    int pending = c->npending, got = 0, nulls = 0;
    if (cur) *cur = NULL;
    if (PQpipelineSync(c->pg) != 1) pg_seterr(c, PQerrorMessage(c->pg));
    else
        for (;;) {
            PGresult *r = PQgetResult(c->pg);
            if (!r) {
                /* a NULL ends each statement's answers; two in a row: nothing more comes */
                if (++nulls > 1 || PQstatus(c->pg) == CONNECTION_BAD) break;
                continue;
            }
            nulls = 0;
            ExecStatusType t = PQresultStatus(r);
            if (t == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                break;
            }
            if (got++ < pending) {
                if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
                    if (!c->base.later_failed && t != PGRES_PIPELINE_ABORTED) {
                        c->err[0] = 0;
                        pg_seterr_res(c, r);
                        log_error("postgresql: a statement sent ahead failed: %s", c->err);
                    }
                    c->base.later_failed = true;
                }
                PQclear(r);
            } else if (cur && !*cur) {
                *cur = r;
            } else {
                PQclear(r);
            }
        }
    if (got < pending) c->base.later_failed = true;
    c->npending = 0;
    PQexitPipelineMode(c->pg);
    pg_after(c);
}

static int pg_exec_later(store_conn *base, const char *sql)
{
    pg_conn *c = pg_c(base);
    if (pg_later_begin(c) != STORE_OK) return STORE_ERR;
    if (PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0) != 1) {
        pg_seterr(c, PQerrorMessage(c->pg));
        c->base.later_failed = true;
        return STORE_ERR;
    }
    c->npending++;
    return STORE_OK;
}

/* Creates the server-side statement and learns its parameter count from the server,
 * which knows exactly which $N the text uses (no guessing around quotes or comments). */
static bool pg_server_prepare(pg_conn *c, pg_stmt *st)
{
    if (c->npending) pg_later_collect(c, NULL);     /* PQprepare waits for its answer */
    snprintf(st->name, sizeof st->name, "sw%lu", ++c->next_name);
    PGresult *r = PQprepare(c->pg, st->name, st->sql, 0, NULL);
    pg_after(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_seterr_res(c, r);
        PQclear(r);
        return false;
    }
    PQclear(r);
    r = PQdescribePrepared(c->pg, st->name);
    pg_after(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_seterr_res(c, r);
        PQclear(r);
        return false;
    }
    int n = PQnparams(r);
    PQclear(r);
    if (st->vals && n != st->nparams) {
        /* Re-prepared after a reconnect: the text is the same, so is the count. */
        pg_seterr(c, "statement changed its parameter count");
        return false;
    }
    if (!st->vals) {
        st->nparams = n;
        size_t cap = n ? (size_t)n : 1;
        st->vals = calloc(cap, sizeof *st->vals);
        st->lens = calloc(cap, sizeof *st->lens);
        st->fmts = calloc(cap, sizeof *st->fmts);
        if (!st->vals || !st->lens || !st->fmts) {
            pg_seterr(c, "out of memory");
            return false;
        }
    }
    st->prepared = true;
    return true;
}

static store_stmt *pg_prepare(store_conn *base, const char *sql)
{
    pg_conn *c = pg_c(base);
    if (!pg_usable(c)) return NULL;
    uint64_t h = pg_hash(sql);
    pg_stmt *idle = NULL, *oldest = NULL;
    int copies = 0;
    for (pg_stmt *st = c->buckets[h & (c->nbuckets - 1)]; st; st = st->next) {
        if (st->hash != h || strcmp(st->sql, sql)) continue;
        copies++;
        if (!st->busy) { idle = st; break; }
        if (!oldest || st->lent < oldest->lent) oldest = st;
    }
    pg_stmt *st = idle;
    if (!st && copies >= PG_MAX_COPIES) st = oldest;
    if (st) {
        pg_clear_result(st);
        pg_clear_binds(st);
        if (!st->prepared && !pg_server_prepare(c, st)) return NULL;
    } else {
        st = calloc(1, sizeof *st);
        if (!st || !(st->sql = strdup(sql))) {
            free(st);
            pg_seterr(c, "out of memory");
            return NULL;
        }
        st->base.c = base;
        st->hash = h;
        if (!pg_server_prepare(c, st)) {
            /* A statement the server rejected is not cached: its name is simply unused. */
            pg_stmt_free(st);
            return NULL;
        }
        size_t b = h & (c->nbuckets - 1);
        st->next = c->buckets[b];
        c->buckets[b] = st;
        if (++c->nstmts > c->nbuckets) pg_grow(c);
    }
    st->busy = true;
    st->lent = ++c->lend_clock;
    return &st->base;
}

/* Clears parameter $idx; false when the statement has no such parameter. An index the
 * text does not use is ignored, as SQLite does, so an extra argument acts alike on both. */
static bool pg_bind_check(pg_stmt *st, int idx)
{
    if (idx < 1 || idx > st->nparams) return false;
    free(st->vals[idx - 1]);
    st->vals[idx - 1] = NULL;
    st->lens[idx - 1] = 0;
    st->fmts[idx - 1] = 0;
    return true;
}

/* Values are copied: the caller's buffer may be gone by the time step() runs. */
static int pg_bind_bytes(pg_stmt *st, int idx, const void *p, size_t n, int fmt)
{
    if (!pg_bind_check(st, idx)) return STORE_OK;
    if (n > 0x7fffffff) {
        pg_seterr(pg_stc(st), "bound value too large");
        return STORE_ERR;
    }
    char *v = malloc(n + 1);
    if (!v) {
        pg_seterr(pg_stc(st), "out of memory");
        return STORE_ERR;
    }
    if (n) memcpy(v, p, n);
    v[n] = 0;
    st->vals[idx - 1] = v;
    st->lens[idx - 1] = (int)n;
    st->fmts[idx - 1] = fmt;
    return STORE_OK;
}

static int pg_bind_int(store_stmt *base, int idx, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return pg_bind_bytes(pg_st(base), idx, buf, (size_t)n, 0);
}

static int pg_bind_text(store_stmt *base, int idx, const char *v)
{
    if (!v) {
        pg_bind_check(pg_st(base), idx);
        return STORE_OK;
    }
    return pg_bind_bytes(pg_st(base), idx, v, strlen(v), 0);
}

static int pg_bind_blob(store_stmt *base, int idx, const void *p, size_t n)
{
    if (!p) {                                      /* as sqlite3_bind_blob: NULL */
        pg_bind_check(pg_st(base), idx);
        return STORE_OK;
    }
    return pg_bind_bytes(pg_st(base), idx, p, n, 1);
}

static int pg_bind_null(store_stmt *base, int idx)
{
    pg_bind_check(pg_st(base), idx);
    return STORE_OK;
}

static int pg_execute(pg_stmt *st)
{
    pg_conn *c = pg_stc(st);
    st->executed = true;
    st->changes = 0;
    if (!pg_usable(c)) return STORE_ERR;
    if (!st->prepared && !pg_server_prepare(c, st)) return STORE_ERR;
    if (c->npending) {
        /* sent behind the later statements; one round trip answers them all */
        if (PQsendQueryPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts,
                                0) != 1) {
            pg_seterr(c, PQerrorMessage(c->pg));
            pg_later_collect(c, NULL);
            return STORE_ERR;
        }
        pg_later_collect(c, &st->res);
    } else {
        st->res = PQexecPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0);
        pg_after(c);
    }
    ExecStatusType t = PQresultStatus(st->res);
    const char *code = PQresultErrorField(st->res, PG_DIAG_SQLSTATE);
    if (t == PGRES_FATAL_ERROR && code && !strcmp(code, "0A000") && !c->in_tx) {
        /* "cached plan must not change result type": a table behind a cached statement
         * changed shape (a restore of an older backup, a migration). Outside a
         * transaction nothing was done yet, so prepare it afresh and run it once more. */
        PQclear(st->res);
        st->res = NULL;
        if (!pg_server_prepare(c, st)) return STORE_ERR;
        st->res = PQexecPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals,
                                 st->lens, st->fmts, 0);
        pg_after(c);
        t = PQresultStatus(st->res);
    }
    if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
        int rc = pg_code_of(c, st->res);
        if (t != PGRES_PIPELINE_ABORTED) pg_seterr_res(c, st->res);
        PQclear(st->res);
        st->res = NULL;
        return rc;
    }
    const char *ct = PQcmdTuples(st->res);
    if (ct && *ct) st->changes = strtoll(ct, NULL, 10);
    if (t == PGRES_COMMAND_OK) return STORE_DONE;
    st->nrows = PQntuples(st->res);
    int nf = PQnfields(st->res);
    if (nf > st->nblobs) {
        unsigned char **nb = realloc(st->blobs, (size_t)nf * sizeof *nb);
        if (nb) st->blobs = nb;
        size_t *nl = nb ? realloc(st->blob_lens, (size_t)nf * sizeof *nl) : NULL;
        if (nl) st->blob_lens = nl;
        if (!nb || !nl) {
            pg_seterr(c, "out of memory");
            return STORE_ERR;
        }
        for (int i = st->nblobs; i < nf; i++) st->blobs[i] = NULL;
        st->nblobs = nf;
    }
    st->row = 0;
    return st->nrows > 0 ? STORE_ROW : STORE_DONE;
}

static int pg_step_later(store_stmt *base)
{
    pg_stmt *st = pg_st(base);
    pg_conn *c = pg_stc(st);
    pg_clear_row(st);
    st->executed = true;
    st->changes = 0;
    if (!pg_usable(c)) return STORE_ERR;
    if (!st->prepared && !pg_server_prepare(c, st)) return STORE_ERR;
    if (pg_later_begin(c) != STORE_OK) return STORE_ERR;
    if (PQsendQueryPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0) !=
        1) {
        pg_seterr(c, PQerrorMessage(c->pg));
        c->base.later_failed = true;
        return STORE_ERR;
    }
    c->npending++;
    return STORE_DONE;
}

static int pg_step(store_stmt *base)
{
    pg_stmt *st = pg_st(base);
    pg_clear_row(st);
    if (!st->executed) return pg_execute(st);
    if (!st->res) return STORE_DONE;
    if (st->row < st->nrows) st->row++;
    return st->row < st->nrows ? STORE_ROW : STORE_DONE;
}

static bool pg_has_row(pg_stmt *st, int col)
{
    return st->res && st->row < st->nrows && col >= 0 && col < PQnfields(st->res);
}

static int pg_col_count(store_stmt *base)
{
    pg_stmt *st = pg_st(base);
    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_col_name(store_stmt *base, int col)
{
    pg_stmt *st = pg_st(base);
    if (!st->res || col < 0 || col >= PQnfields(st->res)) return NULL;
    return PQfname(st->res, col);
}

static bool pg_col_null(store_stmt *base, int col)
{
    pg_stmt *st = pg_st(base);
    return !pg_has_row(st, col) || PQgetisnull(st->res, st->row, col);
}

/* Boolean expressions (EXISTS, comparisons) read as 1/0, as they do on SQLite. */
static int64_t pg_col_int(store_stmt *base, int col)
{
    pg_stmt *st = pg_st(base);
    if (pg_col_null(base, col)) return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) == PG_BOOLOID) return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(store_stmt *base, int col)
{
    pg_stmt *st = pg_st(base);
    if (pg_col_null(base, col)) return NULL;
    if (PQftype(st->res, col) == PG_BOOLOID)
        return PQgetvalue(st->res, st->row, col)[0] == 't' ? "1" : "0";
    return PQgetvalue(st->res, st->row, col);
}

/* bytea arrives in hex text form; the unescaped copy lives until the next step/done. */
static const void *pg_col_blob(store_stmt *base, int col, size_t *n)
{
    pg_stmt *st = pg_st(base);
    if (n) *n = 0;
    if (pg_col_null(base, col)) return NULL;
    if (!st->blobs[col]) {
        size_t len = 0;
        st->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col),
                                         &len);
        if (!st->blobs[col]) {
            pg_seterr(pg_stc(st), "out of memory");
            return NULL;
        }
        st->blob_lens[col] = len;
    }
    if (n) *n = st->blob_lens[col];
    return st->blobs[col];
}

static int64_t pg_changes(store_stmt *base)
{
    return pg_st(base)->changes;
}

static void pg_done(store_stmt *base)
{
    if (!base) return;
    pg_stmt *st = pg_st(base);
    pg_clear_result(st);
    pg_clear_binds(st);
    st->busy = false;
}

/* ---------------------------------------------------------------- exec */

static bool pg_word(const char *sql, const char *word)
{
    while (isspace((unsigned char)*sql)) sql++;
    size_t n = strlen(word);
    return !strncasecmp(sql, word, n) && !isalnum((unsigned char)sql[n]) && sql[n] != '_';
}

static const char *pg_skip_word(const char *sql)
{
    while (isspace((unsigned char)*sql)) sql++;
    while (isalnum((unsigned char)*sql) || *sql == '_') sql++;
    return sql;
}

/* True when sql ends the whole transaction (ROLLBACK TO SAVEPOINT does not). */
static bool pg_ends_tx(const char *sql, bool *commit)
{
    *commit = pg_word(sql, "COMMIT") || pg_word(sql, "END");
    if (*commit) return true;
    if (pg_word(sql, "ABORT")) return true;
    if (!pg_word(sql, "ROLLBACK")) return false;
    sql = pg_skip_word(sql);
    if (pg_word(sql, "WORK") || pg_word(sql, "TRANSACTION")) sql = pg_skip_word(sql);
    return !pg_word(sql, "TO");
}

static int pg_exec(store_conn *base, const char *sql)
{
    pg_conn *c = pg_c(base);
    bool commit = false, ends = pg_ends_tx(sql, &commit);
    bool begins = pg_word(sql, "BEGIN") || pg_word(sql, "START");
    if (c->lost && (ends || begins)) {
        /* The caller is closing (or giving up on) what the lost connection had open: the
         * server already rolled it back, and a new connection has nothing to roll back. */
        bool had_tx = c->lost_tx;
        c->lost_tx = false;
        if (ends && !commit) return STORE_OK;
        if (ends && had_tx) {
            pg_seterr(c, "connection to the database was lost; the transaction was "
                         "rolled back");
            return STORE_ERR;
        }
    }
    /* ROLLBACK with nothing open (after a COMMIT the server turned into a rollback, or a
     * failed BEGIN) has nothing to do; sent anyway it only draws a server warning. */
    PGresult *r = NULL;
    if (c->npending && !strchr(sql, ';')) {
        /* one statement (COMMIT, ROLLBACK): sent behind the later ones, one round trip */
        if (PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0) != 1) {
            pg_seterr(c, PQerrorMessage(c->pg));
            pg_later_collect(c, NULL);
            return STORE_ERR;
        }
        pg_later_collect(c, &r);
    } else {
        if (c->npending) pg_later_collect(c, NULL);
        if (ends && !commit && !c->lost && !c->in_tx) return STORE_OK;
        if (!pg_usable(c)) return STORE_ERR;
        r = PQexec(c->pg, sql);
        pg_after(c);
    }
    ExecStatusType t = PQresultStatus(r);
    int rc = STORE_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && t != PGRES_EMPTY_QUERY) {
        rc = pg_code_of(c, r);
        if (t != PGRES_PIPELINE_ABORTED) pg_seterr_res(c, r);
    } else if (commit && r && !strcmp(PQcmdStatus(r), "ROLLBACK")) {
        /* COMMIT of a transaction that an earlier failed statement aborted: the server
         * rolls back and reports success with the tag ROLLBACK. Nothing was written. */
        pg_seterr(c, "transaction was aborted by an earlier error and rolled back");
        rc = STORE_ERR;
    }
    PQclear(r);
    return rc;
}

static const char *pg_errmsg(store_conn *base)
{
    return pg_c(base)->err;
}

/* A failed statement leaves the transaction aborted until a ROLLBACK (TO SAVEPOINT); a
 * lost connection counts too: its transaction is gone. */
static bool pg_tx_aborted(store_conn *base)
{
    pg_conn *c = pg_c(base);
    return c->lost || PQtransactionStatus(c->pg) == PQTRANS_INERROR;
}

static const char *pg_ddl_word(const char *placeholder)
{
    if (!strcmp(placeholder, "ID")) return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    if (!strcmp(placeholder, "BLOB")) return "BYTEA";
    return NULL;
}

/* ---------------------------------------------------------------- backup / restore */

/* Finds a client program: on PATH first (the Debian wrapper picks the right version),
 * then in the versioned directories PostgreSQL packages install into. */
static bool pg_find_program(const char *prog, char *out, size_t outlen)
{
    const char *path = getenv("PATH");
    if (path) {
        const char *p = path;
        while (*p) {
            const char *e = strchr(p, ':');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n) {
                snprintf(out, outlen, "%.*s/%s", (int)n, p, prog);
                if (access(out, X_OK) == 0) return true;
            }
            p += n + (e ? 1 : 0);
        }
    }
    static const char *dirs[] = {"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
                                 "/usr/lib/postgresql/15/bin"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(out, outlen, "%s/%s", dirs[i], prog);
        if (access(out, X_OK) == 0) return true;
    }
    return false;
}

typedef struct pg_strv {
    char **v;
    size_t n, cap;
} pg_strv;

static bool pg_strv_add(pg_strv *a, char *s)
{
    if (!s) return false;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **nv = realloc(a->v, cap * sizeof *nv);
        if (!nv) { free(s); return false; }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return true;
}

static void pg_strv_free(pg_strv *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
}

static char *pg_strcat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

/* Splits the conninfo for a child program: everything but the password goes on the
 * command line as --dbname (pg_restore insists on one), the password into PGPASSWORD,
 * so it does not show in the process list to every local user. */
static char *pg_public_conninfo(const char *conninfo, char **password)
{
    *password = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    if (!opts) return strdup(conninfo);            /* the program reports what is wrong */
    size_t cap = strlen(conninfo) * 2 + 64, len = 0;
    char *out = malloc(cap);
    bool ok = out != NULL;
    for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
        if (!o->val) continue;
        if (!strcmp(o->keyword, "password")) {
            ok = (*password = strdup(o->val)) != NULL;
            continue;
        }
        /* key='value' with ' and \ escaped, as libpq parses it */
        size_t need = strlen(o->keyword) + 2 * strlen(o->val) + 5;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            char *n = realloc(out, cap);
            if (!n) { ok = false; break; }
            out = n;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s='", len ? " " : "", o->keyword);
        for (const char *v = o->val; *v; v++) {
            if (*v == '\'' || *v == '\\') out[len++] = '\\';
            out[len++] = *v;
        }
        out[len++] = '\'';
        out[len] = 0;
    }
    if (ok && !len) out[0] = 0;
    PQconninfoFree(opts);
    if (!ok) {
        free(out);
        free(*password);
        *password = NULL;
        return NULL;
    }
    return out;
}

/* Runs argv[0] (a full path) with envp, collecting its stderr for the error message.
 * Returns 0 when it exits with status 0. Everything the child needs is built before
 * fork(): the server is multi-threaded, and only async-signal-safe calls are allowed
 * between fork() and exec(). */
static int pg_run_program(char *const argv[], char *const envp[], char *err, size_t errlen)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        if (devnull >= 0) close(devnull);
        return -1;
    }
    if (pid == 0) {
        if (devnull >= 0) dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(pfd[1]);
    if (devnull >= 0) close(devnull);
    char out[2048];
    size_t len = 0;
    for (;;) {
        char chunk[512];
        ssize_t r = read(pfd[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        /* Keep the first part: pg_dump and pg_restore name the cause in their first line. */
        size_t take = (size_t)r;
        if (take > sizeof out - 1 - len) take = sizeof out - 1 - len;
        memcpy(out + len, chunk, take);
        len += take;
    }
    out[len] = 0;
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' ')) out[--len] = 0;
    for (char *p = out; *p; p++)
        if (*p == '\n') *p = ' ';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !len)
        snprintf(err, errlen, "%s: could not be run", argv[0]);
    else if (WIFEXITED(status))
        snprintf(err, errlen, "%s exited with %d: %s", argv[0], WEXITSTATUS(status), out);
    else
        snprintf(err, errlen, "%s killed by signal %d: %s", argv[0],
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, out);
    return -1;
}

/* Runs pg_dump or pg_restore against the store's database with the given options. */
static int pg_client(store *s, const char *prog, const char *const *args, char *err, size_t errlen)
{
    char exe[1024];
    if (!pg_find_program(prog, exe, sizeof exe)) {
        snprintf(err, errlen, "%s not found on PATH or in /usr/lib/postgresql/*/bin", prog);
        return -1;
    }
    char *password = NULL;
    char *conninfo = pg_public_conninfo(s->pg_conninfo, &password);
    pg_strv argv = {0}, env = {0};
    bool ok = conninfo && pg_strv_add(&argv, strdup(exe)) &&
              pg_strv_add(&argv, pg_strcat3("--dbname=", conninfo, ""));
    for (size_t i = 0; ok && args[i]; i++) ok = pg_strv_add(&argv, strdup(args[i]));
    for (char **e = environ; ok && *e; e++)
        if (!password || strncmp(*e, "PGPASSWORD=", 11)) ok = pg_strv_add(&env, strdup(*e));
    if (ok && password) ok = pg_strv_add(&env, pg_strcat3("PGPASSWORD=", password, ""));
    int rc = -1;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    else
        rc = pg_run_program(argv.v, env.v ? env.v : (char *[]){NULL}, err, errlen);
    pg_strv_free(&argv);
    pg_strv_free(&env);
    free(conninfo);
    if (password) {
        memset(password, 0, strlen(password));
        free(password);
    }
    return rc;
}

/* pg_dump takes a consistent snapshot while the server keeps serving. */
static int pg_backup(store *s, const char *out_path, char *err, size_t errlen)
{
    char file[1100];
    snprintf(file, sizeof file, "--file=%s", out_path);
    const char *args[] = {"--format=custom", file, NULL};
    return pg_client(s, "pg_dump", args, err, errlen) == 0 ? 0 : -1;
}

/* pg_restore --clean drops and recreates every table of the backup in one transaction,
 * so a failure leaves the database as it was. Its DROP TABLE waits for the locks other
 * connections hold: the server's pooled connections are idle between requests and hold
 * none, so restore works with them open; a request running meanwhile delays it, and
 * their cached prepared statements are re-planned by the server against the new tables.
 * Tables that exist only in the live database (from a newer migration) are kept. */
static int pg_restore(store *s, const char *in_path, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(in_path, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", in_path, strerror(errno));
        return -1;
    }
    const char *args[] = {"--clean", "--if-exists", "--no-owner", "--single-transaction",
                          in_path, NULL};
    return pg_client(s, "pg_restore", args, err, errlen) == 0 ? 0 : -1;
}

const store_backend store_pg_backend = {
    .name = "postgresql",
    .kind = STORE_PG,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .done = pg_done,
    .exec = pg_exec,
    .errmsg = pg_errmsg,
    .ddl_word = pg_ddl_word,
    .backup = pg_backup,
    .restore = pg_restore,
    .tx_aborted = pg_tx_aborted,
    .exec_later = pg_exec_later,
    .step_later = pg_step_later,
};
