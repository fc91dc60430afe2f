/* store.h — the one storage interface, with a SQLite and a PostgreSQL backend.
 *
 * SQL is written once, in the subset both engines accept, with $1, $2, ... parameters
 * (SQLite binds them by name, so a repeated $1 is exact). Times are int64 microseconds
 * UTC, booleans 0/1, money integer fen.
 *
 * Reads: store_acquire() lends a connection from the read pool; store_release() returns
 * it. Writes: store_write() queues a job for the writer. On SQLite one writer thread
 * takes every waiting job, runs each in its own SAVEPOINT inside one transaction and
 * commits once (group commit: one fsync for the batch); PostgreSQL does the same on
 * its writer connection(s). A job's done callback runs after its commit is durable (or
 * after it failed and was rolled back).
 *
 * Statements: store_prepare() returns a statement owned by the connection (cached by
 * SQL text); store_done() resets it for the next use. One SQL text is in one use at a
 * time per connection: a nested loop over the same query needs a second, distinct text. Column text is valid until the
 * next step or store_done(). */
#ifndef SW_STORE_H
#define SW_STORE_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

typedef enum { STORE_SQLITE = 1, STORE_PG = 2 } store_kind;

/* Result codes shared by every store call. */
enum {
    STORE_OK = 0,
    STORE_ROW = 1,        /* store_step: a row is ready */
    STORE_DONE = 2,       /* store_step: no more rows */
    STORE_ERR = -1,       /* any other failure; store_errmsg tells */
    STORE_CONSTRAINT = -2,/* unique / foreign key / check violation */
    STORE_BUSY = -3,      /* serialization failure or lock timeout: retry */
};

typedef struct store_options {
    int read_conns;       /* read pool size */
    int writer_threads;   /* PostgreSQL only (default 1); SQLite always has one writer */
    int batch_max;        /* jobs per group commit */
} store_options;

store *store_open(const char *sqlite_path, const char *pg_conninfo,
                  const store_options *opt, char *err, size_t errlen);
void store_close(store *s);                     /* waits for queued writes; NULL ok */
store_kind store_kind_of(const store *s);
const char *store_backend_name(const store *s); /* "sqlite" or "postgresql" */

store_conn *store_acquire(store *s);            /* blocks until a reader is free */
/* A read transaction around several reads: one snapshot (SQLite; PostgreSQL reads
 * autocommit). */
void store_read_begin(store_conn *c);
void store_read_end(store_conn *c);
void store_release(store *s, store_conn *c);

store_stmt *store_prepare(store_conn *c, const char *sql); /* NULL on error */
int store_bind_int(store_stmt *st, int idx, int64_t v);     /* idx from 1 ($1) */
int store_bind_text(store_stmt *st, int idx, const char *v); /* NULL binds NULL */
int store_bind_blob(store_stmt *st, int idx, const void *p, size_t n);
int store_bind_null(store_stmt *st, int idx);
int store_step(store_stmt *st);                  /* STORE_ROW / STORE_DONE / error */
int store_col_count(store_stmt *st);
const char *store_col_name(store_stmt *st, int col);
bool store_col_null(store_stmt *st, int col);
int64_t store_col_int(store_stmt *st, int col);  /* NULL reads as 0 */
const char *store_col_text(store_stmt *st, int col); /* NULL reads as NULL */
const void *store_col_blob(store_stmt *st, int col, size_t *n);
/* Rows changed by the last INSERT/UPDATE/DELETE run through this statement. */
int64_t store_changes(store_stmt *st);
void store_done(store_stmt *st);                 /* reset + clear bindings; NULL ok */

/* Runs SQL without parameters or rows (DDL, BEGIN, ...). */
int store_exec(store_conn *c, const char *sql);
/* A statement of a write job whose answer nobody waits for (a savepoint, an audit
 * row): PostgreSQL sends it at once and reads its answer with the next statement's,
 * one round trip for both; SQLite runs it at once. Should it fail, the whole batch of
 * write jobs is rolled back and every client told to retry (store_write), so use it
 * only where a failure is not the caller's to handle. store_exec_later takes one
 * statement without parameters; store_step_later one that returns no rows (STORE_DONE
 * or an error). */
int store_exec_later(store_conn *c, const char *sql);
int store_step_later(store_stmt *st);
/* store_run's form of store_step_later: STORE_DONE or an error. */
int store_run_later(store_conn *c, const char *sql, const char *fmt, ...);
const char *store_errmsg(store_conn *c);
store_kind store_conn_kind(const store_conn *c);
/* True when the database went away while this connection was in use since its last
 * store_read_begin: whatever the caller read may be missing rows, so its answer must
 * not be sent (the server answers 503 and asks to retry). */
bool store_conn_broken(const store_conn *c);
/* Microseconds since the epoch at which the database was found gone, or 0 while it is
 * reachable (as far as the last uses of the connections tell). */
int64_t store_unreachable_since(store *s);

/* Convenience: prepare, bind ints/texts described by fmt ("i" int64, "t" text,
 * "n" null), step once. Returns STORE_ROW, STORE_DONE or an error; the statement is
 * left for the caller to read and store_done() through *out (may be NULL: done here). */
int store_run(store_conn *c, store_stmt **out, const char *sql, const char *fmt, ...);
/* Runs a query expected to yield one integer (count, id); dflt when no row. */
int64_t store_query_int(store_conn *c, int64_t dflt, const char *sql, const char *fmt, ...);
/* Same for write jobs, where a failed read must fail the job: 0 with *out set (dflt
 * when no row or NULL), or the STORE_* error. */
int store_query_int_checked(store_conn *c, int64_t *out, int64_t dflt, const char *sql, const char *fmt, ...);

/* ---- writes ---- */
/* A job runs inside a savepoint of a transaction it shares with the other jobs of its
 * batch: what it sets for the transaction (SET LOCAL) lasts to the batch's end. */
typedef int (*store_job_fn)(store_conn *c, void *ctx);       /* 0 commit, else rollback */
typedef void (*store_done_fn)(int rc, void *ctx);             /* after the durable commit */

/* Queues a write job. Returns 0, or -1 when the store is shutting down. */
int store_write(store *s, store_job_fn fn, void *ctx, store_done_fn done, void *done_ctx);
/* Queues and waits; returns the job's rc (or STORE_ERR if commit failed). */
int store_write_sync(store *s, store_job_fn fn, void *ctx);
/* As store_write, for a job that may simply run again: when one of its statements meets
 * a deadlock or a serialization failure (PostgreSQL, another transaction holding rows
 * it needs), its savepoint is rolled back and it runs again in a later batch, up to
 * STORE_RERUNS times, before it reports STORE_BUSY. Such a job must start afresh from
 * its context each run: whatever an earlier run left in memory is stale. Other jobs
 * report STORE_BUSY at once. */
#define STORE_RERUNS 3
int store_write_rerunnable(store *s, store_job_fn fn, void *ctx, store_done_fn done, void *done_ctx);

/* ---- watched tables ----
 * A cache of rows read from some tables (the session cache: users, sessions, roles)
 * must learn when they change. A committed batch that wrote a watched table advances
 * the store's epoch: in this process before any of the batch's jobs is answered
 * (store_epoch), and in the database in the same transaction (store_epochs row
 * 'watched', read by store_epoch_read) for other processes on the same database.
 * Writes are recognised by their statement text (INSERT INTO / UPDATE / DELETE FROM
 * <table>) on the writer connections; store_quiet marks writes no cache depends on.
 * store_watch is called before the store is shared between threads. */
void store_watch(store *s, const char *table);
uint64_t store_epoch(store *s);
int store_epoch_read(store_conn *c, int64_t *out);
void store_quiet(store_conn *c, bool on);

/* ---- schema ---- */
/* Applies embedded migrations not yet recorded; each in its own transaction.
 * Returns the migration level reached, or -1 with err set. */
int store_migrate(store *s, char *err, size_t errlen);
int store_migration_level(store *s);

/* Online consistent copy (SQLite backup API; pg_dump/pg_restore for PostgreSQL).
 * Restore replaces the database's contents with the backup's. */
int store_backup(store *s, const char *out_path, char *err, size_t errlen);
int store_restore(store *s, const char *in_path, char *err, size_t errlen);

/* ---- fault injection (tests only) ----
 * Makes the nth step (1-based, counted from this call) of a statement whose SQL
 * contains `sql_contains` (NULL: any statement) return STORE_ERR without running it,
 * as a full disk or a lost connection would; nth 0 disarms. The unit tests use it to
 * prove that a failed statement inside a write job fails the whole job on both
 * backends. store_fault_hits() counts the failures injected since the last set. */
void store_fault_set(const char *sql_contains, int nth);
int store_fault_hits(void);

/* ---- backend vtable (internal to src/store) ---- */
#endif
