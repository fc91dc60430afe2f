/* jobs.c — long work off the request: a row in `jobs` with state and progress that the
 * web app polls, a thread that does the work, and the file it leaves behind.
 *
 * The job row is inserted by the write job that starts it, so a request that fails
 * leaves no job; the thread starts only after that commit is durable. */
#include "server_int.h"
#include "../core/clock.h"
#include "../core/log.h"
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const http_route *const *job_tables;
/* Background threads still running; shutdown waits for them before the store closes. */
static atomic_int jobs_running;

void jobs_wait(int max_ms)
{
    for (int i = 0; i < max_ms / 10 && atomic_load(&jobs_running) > 0; i++) usleep(10000);
}

void jobs_init(const http_route *const *tables) { job_tables = tables; }

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
    int64_t job_id;
    store *db;
    const config *cfg;
    const http_route *route;
    actor who;
    lang_id lang;
    char address[64];
    json_t *filters;          /* the request body: format and list filters */
    arena *a;                 /* owns the actor copy */
} export_job;

typedef struct job_update {
    int64_t job_id;
    const char *state;
    int64_t done, total;
    const char *error;
    const char *result_type, *result_name;
    const char *data;
    size_t data_len;
    /* audit of the export, written with the result */
    int64_t community_id, user_id;
    const char *address, *detail;
} job_update;

static int job_update_job(store_conn *c, void *p)
{
    job_update *u = p;
    store_stmt *st = store_prepare(c,
        "UPDATE jobs SET state = $1, done_count = $2, total_count = $3, error = $4, result_type = $5, "
        "result_name = $6, result_data = $7, updated_at = $8 WHERE id = $9");
    if (!st) return -1;
    store_bind_text(st, 1, u->state);
    store_bind_int(st, 2, u->done);
    store_bind_int(st, 3, u->total);
    store_bind_text(st, 4, u->error);
    store_bind_text(st, 5, u->result_type);
    store_bind_text(st, 6, u->result_name);
    if (u->data) store_bind_blob(st, 7, u->data, u->data_len); else store_bind_null(st, 7);
    store_bind_int(st, 8, clock_now_us());
    store_bind_int(st, 9, u->job_id);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return -1;
    if (u->detail)
        return audit_write_raw(c, u->community_id, u->user_id, "export", "job", u->job_id, u->address, u->detail);
    return 0;
}

static void *export_thread(void *p)
{
    export_job *ej = p;
    job_update running = {.job_id = ej->job_id, .state = "running"};
    store_write_sync(ej->db, job_update_job, &running);

    arena *a = arena_new();
    http_req *req = arena_alloc(a, sizeof *req);
    req_state *rs = arena_alloc(a, sizeof *rs);
    req->a = a;
    req->server_state = rs;
    req->cfg = ej->cfg;
    req->db = ej->db;
    req->route = ej->route;
    req->method = ej->route->method;
    req->path = ej->route->pattern;
    req->lang = ej->lang;
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
    req->conn = store_acquire(ej->db);
    int rc = ej->route->handler(req);
    store_release(ej->db, req->conn);
    req->conn = NULL;

    job_update done = {.job_id = ej->job_id};
    char detail[256];
    if (rc == 0 && req->out_raw) {
        done.state = "done";
        done.done = done.total = rs->export_rows;
        done.result_type = req->out_type;
        done.result_name = req->out_filename;
        done.data = req->out_raw;
        done.data_len = req->out_raw_len;
        snprintf(detail, sizeof detail, "{\"format\":\"%s\",\"route\":\"%s\",\"rows\":%lld}", rs->export_format,
                 ej->route->pattern, (long long)rs->export_rows);
        done.detail = detail;
        done.community_id = ej->who.community_id;
        done.user_id = ej->who.user_id;
        done.address = ej->address;
    } else {
        done.state = "failed";
        json_t *err = req->out ? json_object_get(json_object_get(req->out, "error"), "message") : NULL;
        done.error = err ? json_string_value(err) : i18n_text(ej->lang, "err.internal");
    }
    if (store_write_sync(ej->db, job_update_job, &done) != 0) log_error("job %lld: cannot store result", (long long)ej->job_id);
    arena_free(a);
    json_decref(ej->filters);
    arena_free(ej->a);
    free(ej);
    atomic_fetch_sub(&jobs_running, 1);
    return NULL;
}

static void start_export_thread(http_req *req, void *p)
{
    (void)req;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&jobs_running, 1);
    if (pthread_create(&t, &attr, export_thread, p) != 0) {
        atomic_fetch_sub(&jobs_running, 1);
        log_error("cannot start export thread");
    }
    pthread_attr_destroy(&attr);
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
    int64_t now = clock_now_us();
    store_stmt *st;
    if (store_run(req->conn, &st,
            "INSERT INTO jobs (community_id, user_id, kind, state, created_at, updated_at) "
            "VALUES ($1, $2, $3, 'queued', $4, $4) RETURNING id",
            "iiti", req->actor.community_id, req->actor.user_id, "export", now) != STORE_ROW)
        return http_fail_internal(req, "job insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    export_job *ej = xcalloc(1, sizeof *ej);
    ej->job_id = id;
    ej->db = req->db;
    ej->cfg = req->cfg;
    ej->route = route;
    ej->a = arena_new();
    ej->who = actor_copy(ej->a, &req->actor);
    ej->lang = req->lang;
    snprintf(ej->address, sizeof ej->address, "%s", req->address ? req->address : "");
    ej->filters = json_deep_copy(req->json);
    http_set_after_commit(req, start_export_thread, ej);
    req->audit_target_type = "job";
    req->audit_target_id = id;
    return http_reply(req, 202, json_pack("{s:{s:I, s:s, s:s}}", "job", "id", (json_int_t)id, "kind", "export",
                                          "state", "queued"));
}

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

static int job_result(http_req *req)
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
    {"GET", "/api/v1/jobs/{id}/result", NULL, job_result, ROLES_ANY, 0, 0, NULL},
    {0},
};
