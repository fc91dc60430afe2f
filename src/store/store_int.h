/* store_int.h — what a storage backend implements (private to src/store).
 *
 * A backend fills one store_backend table. Its connection and statement structs start
 * with the generic store_conn / store_stmt so the generic layer can hold them. */
#ifndef SW_STORE_INT_H
#define SW_STORE_INT_H
#include "store.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct store_backend {
    const char *name;                                    /* "sqlite" / "postgresql" */
    store_kind kind;
    /* role: 0 reader, 1 writer (SQLite writer gets synchronous=FULL etc.) */
    store_conn *(*connect)(store *s, int role, char *err, size_t errlen);
    void (*disconnect)(store_conn *c);
    store_stmt *(*prepare)(store_conn *c, const char *sql);
    int (*bind_int)(store_stmt *st, int idx, int64_t v);
    int (*bind_text)(store_stmt *st, int idx, const char *v);
    int (*bind_blob)(store_stmt *st, int idx, const void *p, size_t n);
    int (*bind_null)(store_stmt *st, int idx);
    int (*step)(store_stmt *st);
    int (*col_count)(store_stmt *st);
    const char *(*col_name)(store_stmt *st, int col);
    bool (*col_null)(store_stmt *st, int col);
    int64_t (*col_int)(store_stmt *st, int col);
    const char *(*col_text)(store_stmt *st, int col);
    const void *(*col_blob)(store_stmt *st, int col, size_t *n);
    int64_t (*changes)(store_stmt *st);
    void (*done)(store_stmt *st);
    int (*exec)(store_conn *c, const char *sql);
    const char *(*errmsg)(store_conn *c);
    /* The DDL word for a migration placeholder such as "ID", "BLOB", "BIGINT". */
    const char *(*ddl_word)(const char *placeholder);
    int (*backup)(store *s, const char *out_path, char *err, size_t errlen);
    int (*restore)(store *s, const char *in_path, char *err, size_t errlen);
    /* True when the open transaction was aborted by a failed statement (PostgreSQL:
     * nothing more runs in it until a rollback); NULL when a failure never aborts. */
    bool (*tx_aborted)(store_conn *c);
    /* store_exec_later / store_step_later; NULL: run at once (exec / step). */
    int (*exec_later)(store_conn *c, const char *sql);
    int (*step_later)(store_stmt *st);
} store_backend;

#define STORE_MAX_WATCH 8

struct store_conn {
    store *s;
    const store_backend *be;
    struct store_conn *next_free;   /* read pool link */
    bool writer;                    /* one of the writer connections */
    bool watched_write;             /* this batch wrote a watched table (store_watch) */
    bool quiet;                     /* store_quiet: writes that no cache depends on */
    bool read_pending;              /* store_read_begin called, BEGIN not run yet */
    bool rerun;                     /* a statement met a deadlock or serialization failure */
    bool in_read;                   /* a read transaction is open */
    bool broken;                    /* the database went away during this use (store_read_begin clears) */
    bool later_failed;              /* a store_*_later statement of this batch failed */
    store_stmt *begin, *commit;     /* a reader's BEGIN and COMMIT, prepared once */
};

struct store_stmt {
    store_conn *c;
    bool fault_armed;   /* its SQL matches the injected fault's text (tests only) */
};

typedef struct store_job {
    store_job_fn fn;
    void *ctx;
    store_done_fn done;
    void *done_ctx;
    int rc;
    bool rerunnable;    /* store_write_rerunnable: may run again after a deadlock */
    int runs;           /* times it met a deadlock and was put back */
    struct store_job *next;
} store_job;

struct store {
    const store_backend *be;
    char sqlite_path[512];
    char pg_conninfo[512];
    store_options opt;
    /* read pool */
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    store_conn *free_readers;
    store_conn **all_readers;
    int n_readers;
    /* write queue */
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;
    store_job *q_head, *q_tail;
    int q_len;
    int stopping;
    pthread_t *writers;
    store_conn **writer_conns;
    int n_writers;
    /* watched tables and the epoch their committed writes advance */
    char watch[STORE_MAX_WATCH][32];
    int n_watch;
    _Atomic uint64_t epoch;
    /* When a connection last found the database gone (0: reachable). Set and cleared by
     * the backend as connections fail and reconnect; health reads it. */
    _Atomic int64_t unreachable_since;
};
/* The backend's view of the database: gone (a connection dropped or could not be
 * reopened) or back (a connection works again). */
void store_mark_unreachable(store_conn *c);
void store_mark_reachable(store_conn *c);

extern const store_backend store_sqlite_backend;
extern const store_backend store_pg_backend;

/* Embedded migrations (generated at build time from the .sql files in src/store/migrations). */
typedef struct store_migration {
    int level;
    const char *name;
    const char *sql;
} store_migration;
extern const store_migration store_migrations[];
extern const int store_migrations_count;

/* Expands {{PLACEHOLDER}} words of a migration for this backend (malloc'd). */
char *store_expand_ddl(const store_backend *be, const char *sql);
#endif
