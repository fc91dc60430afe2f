/* jobs.c — background work: one bounded pool of worker threads for every task that
 * runs after a write commits (exports, imports, and what comes next), its progress and
 * result in the `jobs` table that the web app polls, and the routes that read it.
 *
 * A WRITE handler calls job_start: the `jobs` row is inserted in the request's own
 * transaction and a place in the pool is reserved there (503 `busy` when none is
 * left), so a request that fails leaves no job and a job answered 202 always has a
 * place. The task is queued once the commit is durable and runs on a worker, which
 * marks the row running, lets the task report progress and write its result, and marks
 * the row failed if the task ended without doing so.
 *
 * Shutdown (jobs_stop) refuses new work, marks what is still queued failed
 * (interrupted) and waits, bounded, for the running tasks; the store closes after. A
 * row left queued or running by a process that died is marked the same way: at once at
 * the next start on SQLite (one process per file), and on PostgreSQL, where several
 * processes may share the database, once its heartbeat is older than two minutes. */
#include "jobs_int.h"
#include "request_int.h"
#include "../core/clock.h"
#include "../core/log.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define JOBS_WORKERS 2
#define JOBS_HEARTBEAT_S 30
#define JOBS_STALE_US (120 * 1000000LL)

static const http_route *const *job_tables;

typedef struct task {
    job_ctx jc;
    job_run_fn run;
    void (*free_arg)(void *);
    struct task *next;
} task;

/* What the request arena holds until the request ends: the task, until after_commit
 * hands it to the queue. A request that does not commit frees it and its place. */
typedef struct task_handle {
    task *t;
} task_handle;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;        /* a task was queued, or stop */
    pthread_cond_t changed;     /* a task ended (shutdown waits on it) */
    pthread_cond_t tick;        /* wakes the heartbeat at stop */
    pthread_t threads[JOBS_WORKERS + 1];   /* workers, then the heartbeat */
    int n_threads;
    task *head, *tail;
    task *running[JOBS_WORKERS];
    int places;                 /* reserved: in requests not yet committed, queued, running */
    int cap;                    /* JOBS_WORKERS + job_queue */
    int n_running;
    bool started, stopping;
    store *db;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .changed = PTHREAD_COND_INITIALIZER, .tick = PTHREAD_COND_INITIALIZER};

static const i18n_entry jobs_messages[] = {
    {"err.jobs_busy", "后台任务已满，请稍后再试", "Too many background jobs are waiting; try again in a minute"},
    {"err.job_interrupted", "服务器重启，任务已中断，请重新提交", "The server restarted and the job was stopped; start it again"},
    {0, 0, 0},
};

/* ---------------------------------------------------------------- job rows */

int job_record(store_conn *c, int64_t id, const job_result *r)
{
    store_stmt *st = store_prepare(c,
        "UPDATE jobs SET state = $1, done_count = $2, total_count = $3, error = $4, result_type = $5, "
        "result_name = $6, result_data = $7, updated_at = $8 WHERE id = $9");
    if (!st) return -1;
    store_bind_text(st, 1, r->state);
    store_bind_int(st, 2, r->done);
    store_bind_int(st, 3, r->total);
    store_bind_text(st, 4, r->error);
    store_bind_text(st, 5, r->type);
    store_bind_text(st, 6, r->name);
    if (r->data) store_bind_blob(st, 7, r->data, r->len); else store_bind_null(st, 7);
    store_bind_int(st, 8, clock_now_us());
    store_bind_int(st, 9, id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : -1;
}

typedef struct row_write {
    int64_t id;
    job_result r;
} row_write;

static int row_write_job(store_conn *c, void *p)
{
    row_write *w = p;
    return job_record(c, w->id, &w->r);
}

http_req *job_request(job_ctx *jc, const job_actor *who)
{
    arena *a = arena_new();
    http_req *req = arena_alloc(a, sizeof *req);
    req->a = a;
    req->cfg = jc->cfg;
    req->db = jc->db;
    req->lang = jc->lang;
    req->method = "POST";
    req->path = who->path;
    req->address = who->address;
    req->actor.community_id = who->community_id;
    req->actor.user_id = who->user_id;
    req->actor.roles = who->roles;
    req->body = who->body;
    req->body_len = who->body_len;
    return req;
}

void job_progress(job_ctx *jc, int64_t done, int64_t total)
{
    row_write w = {jc->id, {.state = "running", .done = done, .total = total}};
    if (store_write_sync(jc->db, row_write_job, &w) != 0)
        log_error("job %lld: cannot store progress", (long long)jc->id);
}

/* A task that ended without a final row (or never ran) is failed with `error_key`;
 * a row already done or failed is left as it is. */
typedef struct row_fail {
    int64_t id;
    const char *error;
} row_fail;

static int row_fail_job(store_conn *c, void *p)
{
    row_fail *f = p;
    return store_run(c, NULL, "UPDATE jobs SET state = 'failed', error = $1, updated_at = $2 "
                              "WHERE id = $3 AND state IN ('queued', 'running')",
                     "tii", f->error, clock_now_us(), f->id) == STORE_DONE ? 0 : -1;
}

static void row_fail_free(int rc, void *p)
{
    (void)rc;
    free(p);
}

static void row_fail_sync(task *t, const char *error_key)
{
    row_fail f = {t->jc.id, i18n_text(t->jc.lang, error_key)};
    if (store_write_sync(t->jc.db, row_fail_job, &f) != 0)
        log_error("job %lld: cannot mark it failed", (long long)t->jc.id);
}

/* Rows queued or running that no live process works on: failed, in the language of
 * the user who started them. */
static int sweep_stale_job(store_conn *c, void *p)
{
    int64_t before = *(int64_t *)p, now = clock_now_us();
    static const char *const sql[2] = {
        "UPDATE jobs SET state = 'failed', error = $1, updated_at = $2 WHERE state IN ('queued', 'running') "
        "AND updated_at < $3 AND user_id IN (SELECT id FROM users WHERE language = 'en')",
        "UPDATE jobs SET state = 'failed', error = $1, updated_at = $2 WHERE state IN ('queued', 'running') "
        "AND updated_at < $3",
    };
    for (int i = 0; i < 2; i++)
        if (store_run(c, NULL, sql[i], "tii", i18n_text(i ? LANG_ZH : LANG_EN, "err.job_interrupted"), now, before)
            != STORE_DONE)
            return -1;
    return 0;
}

static void sweep_stale(store *db, int64_t before)
{
    if (store_write_sync(db, sweep_stale_job, &before) != 0) log_error("jobs: cannot mark interrupted jobs");
}

/* The heartbeat: this process's queued and running rows get a fresh updated_at, so
 * another process sharing the database does not take them for abandoned ones. */
typedef struct beat {
    int64_t ids[64];
    int n;
} beat;

static int beat_job(store_conn *c, void *p)
{
    beat *b = p;
    int64_t now = clock_now_us();
    for (int i = 0; i < b->n; i++)
        if (store_run(c, NULL, "UPDATE jobs SET updated_at = $1 WHERE id = $2 AND state IN ('queued', 'running')",
                      "ii", now, b->ids[i]) != STORE_DONE)
            return -1;
    return 0;
}

static void *heartbeat_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.mu);
    while (!pool.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += JOBS_HEARTBEAT_S;
        pthread_cond_timedwait(&pool.tick, &pool.mu, &until);
        if (pool.stopping) break;
        beat b = {.n = 0};
        for (int i = 0; i < JOBS_WORKERS; i++)
            if (pool.running[i] && b.n < 64) b.ids[b.n++] = pool.running[i]->jc.id;
        for (task *t = pool.head; t && b.n < 64; t = t->next) b.ids[b.n++] = t->jc.id;
        pthread_mutex_unlock(&pool.mu);
        if (b.n && store_write_sync(pool.db, beat_job, &b) != 0) log_error("jobs: heartbeat not written");
        if (store_kind_of(pool.db) == STORE_PG) sweep_stale(pool.db, clock_now_us() - JOBS_STALE_US);
        pthread_mutex_lock(&pool.mu);
    }
    pthread_mutex_unlock(&pool.mu);
    return NULL;
}

/* ---------------------------------------------------------------- the pool */

static void task_free(task *t)
{
    if (t->free_arg) t->free_arg(t->jc.arg);
    free(t);
}

static void *worker_main(void *p)
{
    int slot = (int)(intptr_t)p;
    for (;;) {
        pthread_mutex_lock(&pool.mu);
        while (!pool.head && !pool.stopping) pthread_cond_wait(&pool.wake, &pool.mu);
        if (pool.stopping) {    /* jobs_stop took what was queued */
            pthread_mutex_unlock(&pool.mu);
            return NULL;
        }
        task *t = pool.head;
        pool.head = t->next;
        if (!pool.head) pool.tail = NULL;
        pool.running[slot] = t;
        pool.n_running++;
        pthread_mutex_unlock(&pool.mu);

        row_write w = {t->jc.id, {.state = "running"}};
        if (store_write_sync(t->jc.db, row_write_job, &w) != 0)
            log_error("job %lld: cannot mark it running", (long long)t->jc.id);
        t->run(&t->jc);
        row_fail_sync(t, "err.internal");   /* no-op when the task wrote its final row */
        task_free(t);

        pthread_mutex_lock(&pool.mu);
        pool.running[slot] = NULL;
        pool.n_running--;
        pool.places--;
        pthread_cond_broadcast(&pool.changed);
        pthread_mutex_unlock(&pool.mu);
    }
}

void jobs_init(store *db, const config *cfg, const http_route *const *tables)
{
    job_tables = tables;
    i18n_register(jobs_messages);
    pool.db = db;
    pool.cap = JOBS_WORKERS + cfg->job_queue;
    pool.stopping = false;
    pool.places = pool.n_running = 0;
    pool.head = pool.tail = NULL;
    /* SQLite: one process per file, so whatever is still queued or running was left
     * by the previous run. PostgreSQL: only rows whose heartbeat stopped. */
    sweep_stale(db, store_kind_of(db) == STORE_SQLITE ? clock_now_us() + 1 : clock_now_us() - JOBS_STALE_US);
    pool.n_threads = 0;
    for (int i = 0; i <= JOBS_WORKERS; i++) {
        void *(*fn)(void *) = i < JOBS_WORKERS ? worker_main : heartbeat_main;
        if (pthread_create(&pool.threads[pool.n_threads], NULL, fn, (void *)(intptr_t)i) == 0) pool.n_threads++;
        else log_error("jobs: cannot start a worker thread");
    }
    pool.started = true;
}

int jobs_stop(int max_ms)
{
    if (!pool.started) return 0;
    pthread_mutex_lock(&pool.mu);
    pool.stopping = true;
    task *queued = pool.head;
    pool.head = pool.tail = NULL;
    pthread_cond_broadcast(&pool.wake);
    pthread_cond_broadcast(&pool.tick);
    pthread_mutex_unlock(&pool.mu);
    /* Not started yet: failed now, while the store is open. */
    for (task *t = queued, *next; t; t = next) {
        next = t->next;
        row_fail_sync(t, "err.job_interrupted");
        task_free(t);
        pthread_mutex_lock(&pool.mu);
        pool.places--;
        pthread_mutex_unlock(&pool.mu);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += max_ms / 1000;
    until.tv_nsec += (long)(max_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&pool.mu);
    if (pool.n_running) log_info("stopping: waiting for %d background job(s)", pool.n_running);
    while (pool.n_running > 0 && pthread_cond_timedwait(&pool.changed, &pool.mu, &until) == 0) {}
    int left = pool.n_running;
    pthread_mutex_unlock(&pool.mu);
    if (left) return left;      /* the caller must not close the store under them */
    for (int i = 0; i < pool.n_threads; i++) pthread_join(pool.threads[i], NULL);
    pool.started = false;
    return 0;
}

bool job_stopping(void)
{
    pthread_mutex_lock(&pool.mu);
    bool s = pool.stopping;
    pthread_mutex_unlock(&pool.mu);
    return s;
}

/* Runs on the writer after the request's commit: the task joins the queue. During
 * shutdown it is not run; its row is failed by a write of its own. */
static void task_enqueue(http_req *req, void *p)
{
    (void)req;
    task_handle *h = p;
    task *t = h->t;
    h->t = NULL;
    pthread_mutex_lock(&pool.mu);
    if (!pool.stopping) {
        t->next = NULL;
        if (pool.tail) pool.tail->next = t;
        else pool.head = t;
        pool.tail = t;
        pthread_cond_signal(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
        return;
    }
    pool.places--;
    pthread_mutex_unlock(&pool.mu);
    /* On the writer thread a synchronous write would wait for itself: the row is
     * failed by a write queued behind this one (the store drains its queue on close). */
    row_fail *f = xcalloc(1, sizeof *f);
    f->id = t->jc.id;
    f->error = i18n_text(t->jc.lang, "err.job_interrupted");
    if (store_write(t->jc.db, row_fail_job, f, row_fail_free, f) != 0) free(f);
    task_free(t);
}

/* The request ended without a commit (or before after_commit ran): free the place. */
static void task_abandon(void *p)
{
    task_handle *h = p;
    if (!h->t) return;
    task_free(h->t);
    h->t = NULL;
    pthread_mutex_lock(&pool.mu);
    pool.places--;
    pthread_cond_broadcast(&pool.changed);
    pthread_mutex_unlock(&pool.mu);
}

int64_t job_start(http_req *req, const char *kind, job_run_fn run, void *arg, void (*free_arg)(void *))
{
    pthread_mutex_lock(&pool.mu);
    bool room = pool.started && !pool.stopping && pool.places < pool.cap;
    if (room) pool.places++;
    pthread_mutex_unlock(&pool.mu);
    if (!room) {
        if (free_arg) free_arg(arg);
        req->retry_after = "30";
        http_fail(req, 503, "busy", NULL, "err.jobs_busy");
        return 0;
    }
    task *t = xcalloc(1, sizeof *t);
    t->run = run;
    t->free_arg = free_arg;
    t->jc.arg = arg;
    t->jc.db = req->db;
    t->jc.cfg = req->cfg;
    t->jc.lang = req->lang;
    task_handle *h = arena_alloc(req->a, sizeof *h);
    h->t = t;
    arena_on_free(req->a, task_abandon, h);
    int64_t now = clock_now_us();
    store_stmt *st;
    if (store_run(req->conn, &st,
            "INSERT INTO jobs (community_id, user_id, kind, state, created_at, updated_at) "
            "VALUES ($1, $2, $3, 'queued', $4, $4) RETURNING id",
            "iiti", req->actor.community_id, req->actor.user_id, kind, now) != STORE_ROW) {
        http_fail_internal(req, "job insert");
        return 0;
    }
    t->jc.id = store_col_int(st, 0);
    store_done(st);
    http_set_after_commit(req, task_enqueue, h);
    return t->jc.id;
}

/* ---------------------------------------------------------------- exports */

/* Job retention: a finished job's file (an export holds personal data) is kept for a
 * day for its owner to download, then dropped; the row stays to say what ran. */
#define JOBS_RESULT_RETENTION_US (24 * 3600 * 1000000LL)

int jobs_purge(store_conn *c, int64_t now)
{
    return store_run(c, NULL,
        "UPDATE jobs SET result_data = NULL, result_type = NULL, result_name = NULL "
        "WHERE result_data IS NOT NULL AND state IN ('done', 'failed') AND updated_at < $1",
        "i", now - JOBS_RESULT_RETENTION_US) == STORE_DONE ? 0 : STORE_ERR;
}

typedef struct export_job {
    const http_route *route;
    actor who;
    char address[64];
    json_t *filters;          /* the request body: format and list filters */
    arena *a;                 /* owns the actor copy */
} export_job;

static void export_free(void *p)
{
    export_job *ej = p;
    json_decref(ej->filters);
    arena_free(ej->a);
    free(ej);
}

/* The result row and the export's audit entry, in one transaction. */
typedef struct export_final {
    int64_t id;
    job_result r;
    int64_t community_id, user_id;
    const char *address, *detail;
} export_final;

static int export_final_job(store_conn *c, void *p)
{
    export_final *f = p;
    if (job_record(c, f->id, &f->r)) return -1;
    if (f->detail)
        return audit_write_raw(c, f->community_id, f->user_id, "export", "job", f->id, f->address, f->detail);
    return 0;
}

static void export_run(job_ctx *jc)
{
    export_job *ej = jc->arg;
    arena *a = arena_new();
    http_req *req = arena_alloc(a, sizeof *req);
    req_state *rs = arena_alloc(a, sizeof *rs);
    req->a = a;
    req->server_state = rs;
    req->cfg = jc->cfg;
    req->db = jc->db;
    req->route = ej->route;
    req->method = ej->route->method;
    req->path = ej->route->pattern;
    req->lang = jc->lang;
    req->actor = ej->who;
    req->address = ej->address;
    req->json = json_object();
    arena_on_free(a, (void (*)(void *))json_decref, req->json);
    const char *format = json_string_value(json_object_get(ej->filters, "format"));
    rs->export_format = format && !strcmp(format, "xlsx") ? "xlsx" : "csv";
    /* The body's other string fields act as the list's query filters. */
    rs->query_key = arena_alloc(a, 32 * sizeof(char *));
    rs->query_val = arena_alloc(a, 32 * sizeof(char *));
    const char *k;
    json_t *v;
    json_object_foreach(ej->filters, k, v) {
        if (rs->n_query < 32 && json_is_string(v) && strcmp(k, "format")) {
            rs->query_key[rs->n_query] = arena_strdup(a, k);
            rs->query_val[rs->n_query++] = arena_strdup(a, json_string_value(v));
        }
    }
    req->conn = store_acquire(jc->db);
    int rc = ej->route->handler(req);
    store_release(jc->db, req->conn);
    req->conn = NULL;

    export_final f = {.id = jc->id};
    char detail[256];
    if (rc == 0 && req->out_raw) {
        f.r = (job_result){.state = "done", .done = rs->export_rows, .total = rs->export_rows,
                           .type = req->out_type, .name = req->out_filename,
                           .data = req->out_raw, .len = req->out_raw_len};
        snprintf(detail, sizeof detail, "{\"format\":\"%s\",\"route\":\"%s\",\"rows\":%lld}", rs->export_format,
                 ej->route->pattern, (long long)rs->export_rows);
        f.detail = detail;
        f.community_id = ej->who.community_id;
        f.user_id = ej->who.user_id;
        f.address = ej->address;
    } else {
        json_t *err = req->out ? json_object_get(json_object_get(req->out, "error"), "message") : NULL;
        f.r = (job_result){.state = "failed",
                           .error = err ? json_string_value(err) : i18n_text(jc->lang, "err.internal")};
    }
    if (store_write_sync(jc->db, export_final_job, &f) != 0)
        log_error("job %lld: cannot store result", (long long)jc->id);
    arena_free(a);
}

static actor actor_copy(arena *a, const actor *src)
{
    actor d = *src;
    d.username = arena_strdup(a, src->username);
    d.display_name = arena_strdup(a, src->display_name);
    d.language = arena_strdup(a, src->language);
    d.csrf_token = NULL;
    d.role_list = arena_alloc(a, (size_t)(src->n_roles ? src->n_roles : 1) * sizeof(actor_role));
    memcpy(d.role_list, src->role_list, (size_t)src->n_roles * sizeof(actor_role));
    return d;
}

int job_export_start(http_req *req, const char *list_method, const char *list_pattern)
{
    const http_route *route = NULL;
    for (int t = 0; job_tables && job_tables[t] && !route; t++)
        for (const http_route *r = job_tables[t]; r->method; r++)
            if (!strcmp(r->method, list_method) && !strcmp(r->pattern, list_pattern)) { route = r; break; }
    if (!route || !(route->flags & ROUTE_EXPORTABLE)) return http_fail_internal(req, "export route missing");
    const char *format = "csv";
    if (!http_body_str_opt(req, "format", 1, 8, &format)) return -1;
    if (strcmp(format, "csv") && strcmp(format, "xlsx")) return http_fail_field(req, "format", "err.format");
    if (!(req->actor.roles & route->roles)) return http_fail(req, 403, "forbidden", NULL, "err.forbidden");
    export_job *ej = xcalloc(1, sizeof *ej);
    ej->route = route;
    ej->a = arena_new();
    ej->who = actor_copy(ej->a, &req->actor);
    snprintf(ej->address, sizeof ej->address, "%s", req->address ? req->address : "");
    ej->filters = json_deep_copy(req->json);
    int64_t id = job_start(req, "export", export_run, ej, export_free);
    if (!id) return -1;
    req->audit_target_type = "job";
    req->audit_target_id = id;
    return http_reply(req, 202, json_pack("{s:{s:I, s:s, s:s}}", "job", "id", (json_int_t)id, "kind", "export",
                                          "state", "queued"));
}

/* ---------------------------------------------------------------- routes */

/* A job is visible to the user who started it, and nowhere else. */
static int job_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st,
            "SELECT id, kind, state, done_count, total_count, error, result_type, result_name "
            "FROM jobs WHERE id = $1 AND user_id = $2", "ii", id, req->actor.user_id) != STORE_ROW)
        return http_fail_not_found(req);
    json_t *job = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0),
                            "kind", store_col_text(st, 1), "state", store_col_text(st, 2),
                            "done", (json_int_t)store_col_int(st, 3), "total", (json_int_t)store_col_int(st, 4));
    json_object_set_new(job, "error", store_col_null(st, 5) ? json_null() : json_string(store_col_text(st, 5)));
    if (!strcmp(store_col_text(st, 2), "done") && !store_col_null(st, 6))
        json_object_set_new(job, "result", json_pack("{s:s, s:s, s:s}", "type", store_col_text(st, 6),
                            "name", store_col_null(st, 7) ? "result" : store_col_text(st, 7),
                            "url", arena_printf(req->a, "/api/v1/jobs/%lld/result", (long long)id)));
    else
        json_object_set_new(job, "result", json_null());
    store_done(st);
    return http_reply(req, 200, json_pack("{s:o}", "job", job));
}

static int job_get_result(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st,
            "SELECT result_type, result_name, result_data FROM jobs "
            "WHERE id = $1 AND user_id = $2 AND state = 'done' AND result_data IS NOT NULL",
            "ii", id, req->actor.user_id) != STORE_ROW)
        return http_fail_not_found(req);
    size_t n;
    const void *p = store_col_blob(st, 2, &n);
    req->out_raw = arena_strndup(req->a, p, n);
    req->out_raw_len = n;
    req->out_type = arena_strdup(req->a, store_col_text(st, 0));
    req->out_filename = arena_strdup(req->a, store_col_text(st, 1));
    req->status = 200;
    store_done(st);
    return 0;
}

const http_route jobs_routes[] = {
    {"GET", "/api/v1/jobs/{id}", NULL, job_get, ROLES_ANY, 0, 0, NULL},
    {"GET", "/api/v1/jobs/{id}/result", NULL, job_get_result, ROLES_ANY, 0, 0, NULL},
    {0},
};
