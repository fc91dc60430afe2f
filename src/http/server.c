/* server.c — the libmicrohttpd server and the request pipeline: request lifecycle, the
 * generic checks a route row asks for, write jobs with suspend/resume, idempotency,
 * static files, access log. What a handler asks of its request is in request.c.
 *
 * Lifecycle of one request (see docs/ARCHITECTURE.md):
 *   first call     create the request state and arena; reject early (503, 413)
 *   body calls     append to a capped buffer
 *   last call      route, authenticate, check role/CSRF, parse JSON, run the handler;
 *                  a WRITE route suspends the connection and queues a store job
 *   after resume   queue the response the job's done callback built
 *   completed      access-log line, free the arena */
#include "auth_int.h"
#include "jobs_int.h"
#include "request_int.h"
#include "tls.h"
#include "webapp.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../core/secret.h"
#include "../core/validate.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>

#define VERSION_STRING "0.1.0"
#define HTTP_JOBS_STOP_MS 30000   /* how long shutdown waits for background work */

static int migration_level;   /* read once at start; see http_migration_level */

struct http_server {
    const config *cfg;
    store *db;
    const http_route *const *tables;
    struct MHD_Daemon *d;
    int listen_fd;
    int port;
    bool tls;                 /* this daemon speaks HTTPS */
    tls_creds creds;          /* its key and chain, alive as long as the daemon */
    tls_redirect *redirect;   /* plain HTTP answering 308 to HTTPS, or NULL */
    int redirect_port;
    atomic_int connections;
    atomic_int in_flight;
    /* Idempotency keys whose first request is still running (this process). */
    pthread_mutex_t idem_mu;
    char **idem_running;
    int n_idem_running, cap_idem_running;
};

/* ---------------------------------------------------------------- responses */

/* The web app's policy, also for every HTML page the API makes (print=1, door plates,
 * personal codes): a name printed on a list can never run as script. */
#define HTTP_CSP "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"

static void add_common_headers(struct MHD_Response *r, const http_req *req)
{
    const req_state *rs = req->server_state;
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    /* Served over TLS (here, or by a trusted proxy that says so): browsers that came
     * once use https:// from then on, for a year. */
    if (req->secure || (rs->srv && rs->srv->tls))
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static struct MHD_Response *build_response(http_req *req)
{
    req_state *rs = req->server_state;
    struct MHD_Response *r;
    const char *inm = req->out_etag && (req->status == 0 || req->status == 200) ? http_header(req, "If-None-Match")
                                                                                 : NULL;
    if (inm && !strcmp(inm, req->out_etag)) {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        req->status = 304;
    } else if (req->out_raw) {
        void *copy = xmalloc(req->out_raw_len ? req->out_raw_len : 1);
        memcpy(copy, req->out_raw, req->out_raw_len);
        r = MHD_create_response_from_buffer(req->out_raw_len, copy, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", req->out_type ? req->out_type : "application/octet-stream");
        if (req->out_type && !strncmp(req->out_type, "text/html", 9))
            MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
        if (req->out_filename) {
            char cd[512];
            snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", req->out_filename);
            MHD_add_response_header(r, "Content-Disposition", cd);
        }
    } else {
        char *s = req->out ? json_dumps(req->out, JSON_COMPACT) : xstrdup("{}");
        r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    }
    if (req->out_etag) MHD_add_response_header(r, "ETag", req->out_etag);
    MHD_add_response_header(r, "Cache-Control", req->out_cache_control ? req->out_cache_control : "no-store");
    add_common_headers(r, req);
    for (int i = 0; i < req->n_set_cookie; i++) MHD_add_response_header(r, "Set-Cookie", req->set_cookie[i]);
    if (req->retry_after) MHD_add_response_header(r, "Retry-After", req->retry_after);
    if (rs->replayed) MHD_add_response_header(r, "Idempotent-Replayed", "true");
    if (req->status == 0) req->status = 200;
    return r;
}

static enum MHD_Result send_now(http_req *req)
{
    req_state *rs = req->server_state;
    struct MHD_Response *r = build_response(req);
    enum MHD_Result ok = MHD_queue_response(rs->conn, (unsigned)req->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* An early answer before the request is fully parsed (limits, overload). */
static enum MHD_Result send_error_now(http_req *req, int status, const char *code, const char *key)
{
    http_fail(req, status, code, NULL, key);
    return send_now(req);
}

/* ---------------------------------------------------------------- static files */

static const webapp_asset *find_asset(const char *path)
{
    for (const webapp_asset *a = webapp_assets; a->path; a++)
        if (!strcmp(a->path, path)) return a;
    return NULL;
}

static enum MHD_Result serve_static(http_req *req)
{
    req_state *rs = req->server_state;
    const webapp_asset *a = find_asset(req->path);
    bool hashed = a && !strncmp(req->path, "/assets/", 8);
    /* SPA fallback for page paths; a missing hashed asset is a plain 404 so an old tab
     * after an upgrade fails cleanly instead of parsing HTML as a script. */
    if (!a && strncmp(req->path, "/assets/", 8)) a = find_asset("/index.html");
    if (!a || (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))) {
        http_fail_not_found(req);
        return send_now(req);
    }
    req->status = 200;
    const char *inm = http_header(req, "If-None-Match");
    struct MHD_Response *r;
    if (inm && !strcmp(inm, a->etag)) {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        req->status = 304;
    } else {
        const char *ae = http_header(req, "Accept-Encoding");
        bool gz = a->gz_len && ae && strstr(ae, "gzip");
        r = MHD_create_response_from_buffer(gz ? a->gz_len : a->len,
                                            (void *)(gz ? a->gz : a->data), MHD_RESPMEM_PERSISTENT);
        if (gz) MHD_add_response_header(r, "Content-Encoding", "gzip");
        MHD_add_response_header(r, "Content-Type", a->content_type);
    }
    MHD_add_response_header(r, "ETag", a->etag);
    MHD_add_response_header(r, "Vary", "Accept-Encoding");
    /* Hashed asset names never change content; index.html must be revalidated. */
    MHD_add_response_header(r, "Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    if (!strncmp(a->content_type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
    add_common_headers(r, req);
    enum MHD_Result ok = MHD_queue_response(rs->conn, (unsigned)req->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---------------------------------------------------------------- idempotency */

static bool idem_claim(struct http_server *srv, const char *k)
{
    pthread_mutex_lock(&srv->idem_mu);
    for (int i = 0; i < srv->n_idem_running; i++)
        if (!strcmp(srv->idem_running[i], k)) {
            pthread_mutex_unlock(&srv->idem_mu);
            return false;
        }
    if (srv->n_idem_running == srv->cap_idem_running) {
        srv->cap_idem_running = srv->cap_idem_running ? srv->cap_idem_running * 2 : 16;
        srv->idem_running = xrealloc(srv->idem_running, (size_t)srv->cap_idem_running * sizeof(char *));
    }
    srv->idem_running[srv->n_idem_running++] = xstrdup(k);
    pthread_mutex_unlock(&srv->idem_mu);
    return true;
}

static void idem_release(struct http_server *srv, const char *k)
{
    pthread_mutex_lock(&srv->idem_mu);
    for (int i = 0; i < srv->n_idem_running; i++)
        if (!strcmp(srv->idem_running[i], k)) {
            free(srv->idem_running[i]);
            srv->idem_running[i] = srv->idem_running[--srv->n_idem_running];
            break;
        }
    pthread_mutex_unlock(&srv->idem_mu);
}

static void idem_request_hash(http_req *req, char out[65])
{
    req_state *rs = req->server_state;
    crypto_generichash_state h;
    unsigned char d[32];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    crypto_generichash_update(&h, (const unsigned char *)req->method, strlen(req->method) + 1);
    crypto_generichash_update(&h, (const unsigned char *)req->path, strlen(req->path) + 1);
    /* The query is part of the request (?dry_run=1 then the real import): the same key
     * with another query is another request, answered 422. */
    for (int i = 0; i < rs->n_query; i++) {
        crypto_generichash_update(&h, (const unsigned char *)rs->query_key[i], strlen(rs->query_key[i]) + 1);
        crypto_generichash_update(&h, (const unsigned char *)rs->query_val[i], strlen(rs->query_val[i]) + 1);
    }
    crypto_generichash_update(&h, (const unsigned char *)"", 1);
    if (rs->body.len) crypto_generichash_update(&h, (const unsigned char *)rs->body.data, rs->body.len);
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* Looks for an earlier response to this key. Returns 1 when the reply is set (a
 * replay or a 422), 0 when the request should run. */
static int idem_lookup(http_req *req)
{
    req_state *rs = req->server_state;
    store_stmt *st;
    int rc = store_run(req->conn, &st,
        "SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
        "it", req->actor.user_id, rs->idem_key);
    if (rc != STORE_ROW) return 0;
    int found = 1;
    if (strcmp(store_col_text(st, 0), rs->idem_hash)) {
        http_fail(req, 422, "idempotency_key_reused", NULL, "err.idempotency_key_reused");
    } else if (rs->idem_secret || store_col_int(st, 1) == 0) {
        /* The first answer held a secret and was not kept, or a retention purge forgot
         * it (status 0): say it is done, and which when known. */
        json_t *kept = json_loads(store_col_text(st, 2), 0, NULL);
        json_t *id = kept ? json_object_get(kept, "id") : NULL;
        http_fail(req, 409, "idempotency_already_done", NULL, "err.idempotency_already_done");
        json_object_set(req->out, "id", id ? id : json_null());
        json_decref(kept);
    } else {
        json_t *body = json_loads(store_col_text(st, 2), 0, NULL);
        http_reply(req, (int)store_col_int(st, 1), body ? body : json_object());
        rs->replayed = true;
    }
    store_done(st);
    return found;
}

static int idem_record(http_req *req)
{
    req_state *rs = req->server_state;
    char *resp;
    if (rs->idem_secret) {
        /* Only the id: the answer (a token, a code, personal data) never rests here. */
        json_t *kept = json_pack("{s:I}", "id", (json_int_t)req->audit_target_id);
        resp = json_dumps(kept, JSON_COMPACT);
        json_decref(kept);
    } else {
        resp = req->out ? json_dumps(req->out, JSON_COMPACT) : xstrdup("{}");
    }
    int rc = store_run(req->conn, NULL,
        "INSERT INTO idempotency_keys (user_id, idem_key, community_id, request_hash, status, response, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        "itititi", req->actor.user_id, rs->idem_key, req->actor.community_id, rs->idem_hash,
        (int64_t)req->status, resp, clock_now_us());
    free(resp);
    return rc == STORE_DONE ? 0 : rc;
}

/* ---------------------------------------------------------------- write jobs */

static bool probe_countable(http_req *req);
static bool probe_count_then_reply(http_req *req);

/* Routes whose answer holds a secret (a token, a code) although their row does not
 * carry ROUTE_NO_REPLAY: with an Idempotency-Key only the id is kept, never the answer.
 * Named by audit action, so the rule holds wherever the route is declared. */
static bool http_answer_holds_secret(const http_route *route)
{
    static const char *const secret_actions[] = {
        "token.create", "scan_code.regenerate", "reset_code.issue", "codes.door_plates", "codes.personal_codes", NULL,
    };
    for (int i = 0; route->audit_action && secret_actions[i]; i++)
        if (!strcmp(route->audit_action, secret_actions[i])) return true;
    return false;
}

/* Forgets what a run of the handler left in the request, before it runs again: that
 * run's savepoint was rolled back after a deadlock (store_write_rerunnable). */
static void write_job_forget(http_req *req)
{
    req_state *rs = req->server_state;
    req->status = 0;
    req->out = NULL;                   /* the arena still frees it */
    req->out_raw = NULL;
    req->out_raw_len = 0;
    req->out_type = NULL;
    req->out_filename = NULL;
    req->n_set_cookie = 0;
    req->retry_after = NULL;
    req->audit_target_type = NULL;
    req->audit_target_id = 0;
    req->audit_detail = NULL;
    req->on_behalf_of = 0;
    rs->list = NULL;
    rs->after_commit = NULL;
    rs->after_commit_ctx = NULL;
}

/* Runs on the writer thread inside a savepoint. */
static int write_job(store_conn *c, void *p)
{
    http_req *req = p;
    req_state *rs = req->server_state;
    if (rs->job_runs++) write_job_forget(req);
    req->conn = c;
    int rc = req->route->handler(req);
    if (rc != 0) return -1;
    if (req->status == 0) req->status = 200;
    if (req->status >= 400) return 0;   /* handler chose to keep its writes (e.g. failed-login counters) */
    if (req->route->audit_action &&
        audit_write(req, req->route->audit_action, req->audit_target_type, req->audit_target_id, req->audit_detail))
        return http_fail_internal(req, "audit write failed");
    if (rs->idem_key && idem_record(req)) {
        /* Another process took the key first: it is running or done; the client retries. */
        http_fail(req, 409, "idempotency_in_progress", NULL, "err.idempotency_in_progress");
        return -1;
    }
    return 0;
}

/* The key under which a request holds its idempotency key while it runs. */
static void idem_claim_key(http_req *req, char k[300])
{
    req_state *rs = req->server_state;
    snprintf(k, 300, "%lld:%s", (long long)req->actor.user_id, rs->idem_key);
}

/* Lets go of the idempotency key a request held (done, refused or failed). */
static void idem_unclaim(http_req *req)
{
    req_state *rs = req->server_state;
    if (!rs->idem_registered) return;
    char k[300];
    idem_claim_key(req, k);
    idem_release(rs->srv, k);
    rs->idem_registered = false;
}

static void write_done(int rc, void *p)
{
    http_req *req = p;
    req_state *rs = req->server_state;
    if (rc != 0 && (req->status < 400 || !req->out)) {
        /* The job succeeded but its commit did not: nothing was written. */
        http_fail(req, 503, "unavailable", NULL, "err.write_failed");
        req->retry_after = "2";
    }
    if (rc == 0 && req->status < 400 && rs->after_commit) rs->after_commit(req, rs->after_commit_ctx);
    req->conn = NULL;
    idem_unclaim(req);
    /* A refused public write is counted in a job of its own: the handler's job may
     * have rolled back. The answer waits for the count, still suspended. */
    if (probe_countable(req) && probe_count_then_reply(req)) return;
    /* The answer is built on the HTTP thread that sends it (phase 3 below), so the
     * writer goes on to its next batch without printing this batch's JSON. */
    rs->ready = NULL;
    rs->phase = 3;
    MHD_resume_connection(rs->conn);
}

/* Exports and prints are recorded before the file leaves the server. */
static int export_audit_job(store_conn *c, void *p)
{
    http_req *req = p;
    req_state *rs = req->server_state;
    req->conn = c;
    json_t *d = json_pack("{s:s, s:s, s:I}", "route", req->route->pattern, "format", rs->export_format,
                          "rows", (json_int_t)rs->export_rows);
    int rc = audit_write(req, !strcmp(rs->export_format, "html") ? "print" : "export", "list", 0, d);
    json_decref(d);
    return rc;
}

static void export_done(int rc, void *p)
{
    http_req *req = p;
    req_state *rs = req->server_state;
    if (rc != 0) http_fail(req, 503, "unavailable", NULL, "err.write_failed");
    rs->ready = build_response(req);
    req->conn = NULL;
    rs->phase = 3;
    MHD_resume_connection(rs->conn);
}

/* ---------------------------------------------------------------- the pipeline */

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    http_req *req = cls;
    req_state *rs = req->server_state;
    if (rs->n_query >= HTTP_MAX_QUERY) {
        rs->too_many_query = true;   /* answered 400: a filter past the 64th must not vanish */
        return MHD_NO;
    }
    if (!rs->query_key) {
        rs->query_key = arena_alloc(req->a, HTTP_MAX_QUERY * sizeof(char *));
        rs->query_val = arena_alloc(req->a, HTTP_MAX_QUERY * sizeof(char *));
    }
    rs->query_key[rs->n_query] = arena_strdup(req->a, key);
    rs->query_val[rs->n_query] = arena_strdup(req->a, value ? value : "");
    rs->n_query++;
    return MHD_YES;
}

static const char *client_address(http_req *req, bool *secure)
{
    req_state *rs = req->server_state;
    char addr[INET6_ADDRSTRLEN] = "";
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(rs->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        if (ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, addr, sizeof addr);
        else if (ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, addr, sizeof addr);
    }
    *secure = false;
    if (config_is_trusted_proxy(req->cfg, addr)) {
        /* The proxy appends the address it saw last: take the rightmost entry. */
        const char *xff = http_header(req, "X-Forwarded-For");
        if (xff && *xff) {
            const char *last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ') last++;
            if (*last && strlen(last) < sizeof addr) snprintf(addr, sizeof addr, "%s", last);
        }
        const char *proto = http_header(req, "X-Forwarded-Proto");
        *secure = proto && !strcmp(proto, "https");
    }
    return arena_strdup(req->a, addr);
}

static bool is_state_changing(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

/* One read connection and one read transaction for all the reads of a request
 * (authentication, idempotency lookup, prepare, a read handler): one consistent
 * snapshot, and on SQLite one set of file locks instead of one per statement. */
static void reader_begin(http_req *req)
{
    req_state *rs = req->server_state;
    if (!rs->reader) {
        rs->reader = store_acquire(req->db);
        store_read_begin(rs->reader);
    }
    req->conn = rs->reader;
}

store_conn *http_read_conn(http_req *req)
{
    if (req->conn) return req->conn;    /* a read handler's, or a write job's own connection */
    reader_begin(req);
    return req->conn;
}

static void reader_end(http_req *req)
{
    req_state *rs = req->server_state;
    if (!rs->reader) return;
    /* A handler may have read an empty list where the database stopped answering:
     * such an answer is never sent. */
    if (store_conn_broken(rs->reader) && req->status != 503) http_fail_unavailable(req);
    store_read_end(rs->reader);
    store_release(req->db, rs->reader);
    rs->reader = NULL;
    req->conn = NULL;
}

/* ---------------------------------------------------------------- public writes
 * Login, sign-up, join and password reset need no session, so the CSRF token cannot
 * protect them: they take only JSON (a form post from another site cannot send it
 * without a preflight) from this server's own pages (Origin, or Sec-Fetch-Site when a
 * browser sends no Origin). A client that is not a browser sends neither and passes.
 * Every refused attempt of sign-up, join and reset also counts against the address
 * (login keeps counters of its own), so probing usernames or codes is as slow as
 * guessing passwords. */

static bool is_public_post(const http_route *route, const char *method)
{
    return (route->flags & ROUTE_PUBLIC) && (route->flags & ROUTE_WRITE) && !strcmp(method, "POST");
}

/* scheme://host[:port] of this server as the browser sees it. */
static bool origin_is_ours(http_req *req, const char *origin)
{
    if (req->cfg->public_url[0] && !strcasecmp(origin, req->cfg->public_url)) return true;
    const char *host = http_header(req, "Host");
    if (!host || !*host) return false;
    const char *scheme = req->secure ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return !strncasecmp(origin, scheme, sl) && !strcasecmp(origin + sl, host);
}

/* 0 when the request may go on, else the error reply is set. */
static int public_post_check(http_req *req)
{
    const char *ct = http_header(req, "Content-Type");
    size_t n = ct ? strcspn(ct, "; ") : 0;
    if (!ct || n != 16 || strncasecmp(ct, "application/json", 16))
        return http_fail(req, 415, "unsupported_media_type", "Content-Type", "err.content_type");
    const char *origin = http_header(req, "Origin");
    const char *site = http_header(req, "Sec-Fetch-Site");
    if (origin ? !origin_is_ours(req, origin) : site && strcmp(site, "same-origin") && strcmp(site, "none"))
        return http_fail(req, 403, "origin_mismatch", "Origin", "err.origin");
    return 0;
}

static bool error_code_is(http_req *req, const char *code)
{
    const char *c = req->out ? json_string_value(json_object_get(json_object_get(req->out, "error"), "code")) : NULL;
    return c && !strcmp(c, code);
}

static const char *probe_key(http_req *req) { return arena_printf(req->a, "p:a:%s", req->address); }

/* A refused public write is counted, except throttling itself and server errors. */
static bool probe_route(const http_route *route)
{
    return (route->flags & ROUTE_PUBLIC) && (route->flags & ROUTE_WRITE) && !auth_is_login(route);
}

static bool probe_countable(http_req *req)
{
    req_state *rs = req->server_state;
    return req->route && probe_route(req->route) &&
           !rs->probe_counted && req->status >= 400 && req->status < 500 && req->status != 429 &&
           req->status != 413 && req->status != 415 && !(req->status == 403 && error_code_is(req, "origin_mismatch"));
}

static int probe_job(store_conn *c, void *p)
{
    http_req *req = p;
    req->conn = c;
    int64_t n = throttle_count(req, probe_key(req));
    req->conn = NULL;
    return n < 0 ? -1 : 0;
}

static void probe_done(int rc, void *p)
{
    http_req *req = p;
    req_state *rs = req->server_state;
    if (rc != 0) log_error("%s %s: the failure could not be counted", req->method, req->path);
    rs->ready = build_response(req);
    rs->phase = 3;
    MHD_resume_connection(rs->conn);
}

/* Counts the refused attempt, then answers (the connection stays suspended meanwhile).
 * Returns false when the count could not be queued (shutting down): answer directly. */
static bool probe_count_then_reply(http_req *req)
{
    req_state *rs = req->server_state;
    rs->probe_counted = true;
    if (rs->phase != 2) {
        rs->phase = 2;
        MHD_suspend_connection(rs->conn);
    }
    if (store_write(rs->srv->db, probe_job, req, probe_done, req) == 0) return true;
    return false;
}

/* ---------------------------------------------------------------- list parameters */

/* ?limit= and ?cursor= must be what they claim, else 400 naming the parameter. */
static int list_params_check(http_req *req)
{
    const char *limit = http_query(req, "limit"), *cursor = http_query(req, "cursor");
    int64_t n;
    if (limit && !str_is_int(limit, &n)) return http_fail_field(req, "limit", "err.not_integer");
    if (cursor) {
        unsigned char raw[32];
        size_t len;
        if (sodium_base642bin(raw, sizeof raw - 1, cursor, strlen(cursor), NULL, &len, NULL,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING))
            return http_fail_field(req, "cursor", "err.cursor");
        raw[len] = 0;
        if (!str_is_int((char *)raw, &n) || n <= 0) return http_fail_field(req, "cursor", "err.cursor");
    }
    return 0;
}

/* The answer's language: ?lang= (a print or export opened from the app), else the
 * app's own choice (cookie sw_lang, set by the web app), else Accept-Language (set on
 * the first call). An unknown ?lang= is refused, never silently replaced. */
static bool language_named(const char *v, lang_id *out)
{
    if (!strcasecmp(v, "zh-CN") || !strcasecmp(v, "zh")) *out = LANG_ZH;
    else if (!strcasecmp(v, "en")) *out = LANG_EN;
    else return false;
    return true;
}

static int choose_language(http_req *req)
{
    const char *q = http_query(req, "lang"), *c = http_cookie(req, "sw_lang");
    if (q) return language_named(q, &req->lang) ? 0 : http_fail_field(req, "lang", "err.lang");
    if (c) language_named(c, &req->lang);
    return 0;
}

static enum MHD_Result process_request(http_req *req);

static enum MHD_Result process(http_req *req)
{
    enum MHD_Result r = process_request(req);
    reader_end(req);
    return r;
}

/* The phases of a request to /api (docs/ARCHITECTURE.md, "How a request flows"). Each check
 * returns 0 to go on, or 1 when it has set the reply (an error) to send now. */

/* Language, query size, public posts' origin check, the guessing limit of probes. */
static int request_admit(http_req *req, const http_route *route)
{
    req_state *rs = req->server_state;
    if (choose_language(req)) return 1;
    if (rs->too_many_query) {
        http_fail_field(req, "query", "err.too_many_query");
        return 1;
    }
    if (is_public_post(route, req->method) && public_post_check(req)) return 1;
    if (probe_route(route)) {
        reader_begin(req);
        int64_t retry = throttle_retry_after(req, probe_key(req), req->cfg->login_fail_address);
        if (retry > 0) {
            req->retry_after = arena_printf(req->a, "%lld", (long long)retry);
            http_fail(req, 429, "throttled", NULL, "err.too_many_attempts");
            return 1;
        }
    }
    return 0;
}

/* Who asks: session or token, the CSRF token of a cookie session, a password that must
 * be changed first, and the route's roles. */
static int request_authorize(http_req *req, const http_route *route)
{
    req_state *rs = req->server_state;
    int authed = auth_authenticate(req);    /* takes the read connection only on a cache miss */
    if (authed != 0 && store_conn_broken(rs->reader)) {
        http_fail_unavailable(req);    /* the session could not be checked: not a logout */
        return 1;
    }
    if (authed != 0) {
        http_fail(req, 401, "unauthenticated", NULL, "err.unauthenticated");
        return 1;
    }
    rs->via_cookie = !req->actor.via_token;
    if (rs->via_cookie && is_state_changing(req->method) && !(route->flags & ROUTE_NO_CSRF)) {
        const char *tok = http_header(req, "X-CSRF-Token");
        if (!tok || !secret_const_eq(tok, req->actor.csrf_token)) {
            http_fail(req, 403, "csrf_failed", NULL, "err.csrf");
            return 1;
        }
    }
    if (req->actor.must_change_password && !(route->flags & ROUTE_ANY_USER)) {
        http_fail(req, 403, "password_change_required", NULL, "err.password_change_required");
        return 1;
    }
    if (!(route->flags & ROUTE_ANY_USER) && !(req->actor.roles & route->roles)) {
        http_fail(req, 403, "forbidden", NULL, "err.forbidden");
        return 1;
    }
    return 0;
}

/* The JSON body (an empty object when there is none), unless the route reads it raw. */
static int request_decode_body(http_req *req, const http_route *route)
{
    req_state *rs = req->server_state;
    if (!(route->flags & ROUTE_RAW_BODY) && rs->body.len) {
        const char *why;
        req->json = http_json_decode(rs->body.data, rs->body.len, &why);
        if (!req->json) {
            http_fail(req, 400, "bad_json", NULL, why);
            return 1;
        }
        arena_on_free(req->a, (void (*)(void *))json_decref, req->json);
    }
    if (!req->json && !(route->flags & ROUTE_RAW_BODY)) {
        req->json = json_object();
        arena_on_free(req->a, (void (*)(void *))json_decref, req->json);
    }
    req->body = rs->body.data;
    req->body_len = rs->body.len;
    return 0;
}

/* A read: list parameters, the export format, the handler on a read snapshot; an
 * export is audited in a write job before it is sent. */
static enum MHD_Result request_read(http_req *req, const http_route *route)
{
    req_state *rs = req->server_state;
    struct http_server *srv = rs->srv;
    if (list_params_check(req)) return send_now(req);
    if (route->flags & ROUTE_EXPORTABLE) {
        const char *fmt = http_query(req, "format");
        const char *print = http_query(req, "print");
        if (print && !strcmp(print, "1")) rs->export_format = "html";
        else if (fmt && (!strcmp(fmt, "csv") || !strcmp(fmt, "xlsx"))) rs->export_format = fmt;
        else if (fmt && strcmp(fmt, "json")) {
            http_fail_field(req, "format", "err.format");
            return send_now(req);
        }
    }
    reader_begin(req);
    int rc = route->handler(req);
    reader_end(req);
    if (rc == 0 && rs->export_format && req->status < 400) {
        rs->phase = 2;
        MHD_suspend_connection(rs->conn);
        if (store_write(srv->db, export_audit_job, req, export_done, req) == 0) return MHD_YES;
        MHD_resume_connection(rs->conn);
        rs->phase = 1;
        http_fail(req, 503, "unavailable", NULL, "err.shutting_down");
    }
    return send_now(req);
}

/* A write: idempotency first, then the optional prepare step on a read snapshot, then
 * the write job; the answer is sent after the commit (write_done). */
static enum MHD_Result request_write(http_req *req, const http_route *route)
{
    req_state *rs = req->server_state;
    struct http_server *srv = rs->srv;
    const char *ik = http_header(req, "Idempotency-Key");
    rs->idem_secret = (route->flags & ROUTE_NO_REPLAY) || http_answer_holds_secret(route);
    if (ik && req->actor.user_id) {
        if (!*ik || strlen(ik) > 128) {
            http_fail_field(req, "Idempotency-Key", "err.idempotency_key");
            return send_now(req);
        }
        rs->idem_key = arena_strdup(req->a, ik);
        idem_request_hash(req, rs->idem_hash);
        reader_begin(req);
        int found = idem_lookup(req);
        if (found) return send_now(req);
        char k[300];
        idem_claim_key(req, k);
        if (!idem_claim(srv, k)) {
            http_fail(req, 409, "idempotency_in_progress", NULL, "err.idempotency_in_progress");
            return send_now(req);
        }
        rs->idem_registered = true;
    }
    if (route->prepare) {
        reader_begin(req);
        int rc = route->prepare(req);
        if (rc != 0 || req->status >= 400) {
            idem_unclaim(req);
            if (req->status == 0) http_fail_internal(req, "prepare failed without a reply");
            reader_end(req);
            if (probe_countable(req) && probe_count_then_reply(req)) return MHD_YES;
            if (rs->phase == 2) {
                MHD_resume_connection(rs->conn);
                rs->phase = 1;
            }
            return send_now(req);
        }
    }
    reader_end(req);
    rs->phase = 2;
    MHD_suspend_connection(rs->conn);
    /* A handler runs again after a deadlock only when nothing was handed over to it:
     * what a prepare step left in req->scratch may be used up by the first run. */
    int queued = req->scratch ? store_write(srv->db, write_job, req, write_done, req)
                              : store_write_rerunnable(srv->db, write_job, req, write_done, req);
    if (queued != 0) {
        MHD_resume_connection(rs->conn);
        rs->phase = 1;
        http_fail(req, 503, "unavailable", NULL, "err.shutting_down");
        return send_now(req);
    }
    return MHD_YES;
}

static enum MHD_Result process_request(http_req *req)
{
    req_state *rs = req->server_state;
    struct http_server *srv = rs->srv;
    if (strncmp(req->path, "/api/", 5) && strcmp(req->path, "/api")) return serve_static(req);

    if (!rs->route_matched)
        rs->route = http_route_match(srv->tables, req->method, req->path, req, &rs->method_mismatch);
    const http_route *route = rs->route;
    if (!route) {
        if (rs->method_mismatch) http_fail(req, 405, "method_not_allowed", NULL, "err.method_not_allowed");
        else http_fail_not_found(req);
        return send_now(req);
    }
    req->route = route;
    if (request_admit(req, route)) return send_now(req);
    if (!(route->flags & ROUTE_PUBLIC) && request_authorize(req, route)) return send_now(req);
    if (request_decode_body(req, route)) return send_now(req);
    return (route->flags & ROUTE_WRITE) ? request_write(req, route) : request_read(req, route);
}

/* ---------------------------------------------------------------- request head size
 * libmicrohttpd answers an oversized head itself, in HTML without our headers. Its
 * per-connection memory is set above header_limit (http_mhd_memory_limit), so a head
 * between the two reaches this check and gets the JSON answer and the security
 * headers; only a head past the larger limit still meets libmicrohttpd's own page.
 * The margin is kept small on purpose: libmicrohttpd clears the whole per-connection
 * memory before every request of a kept-alive connection, and at 192 KiB that clearing
 * took a third of the server's time per request; at 32 KiB it is what the bare library
 * costs (bench/README.md). */

static size_t http_mhd_memory_limit(const config *cfg)
{
    size_t limit = cfg->header_limit + 24 * 1024;
    return limit < 32 * 1024 ? 32 * 1024 : limit;
}

static enum MHD_Result head_bytes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    size_t *n = cls;
    *n += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* 0, 414 or 431 for a request head over header_limit. */
static int head_too_large(struct MHD_Connection *conn, const char *url, size_t limit)
{
    size_t uri = strlen(url), headers = 0;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, head_bytes, &uri);
    if (uri > limit) return 414;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, head_bytes, &headers);
    return uri + headers > limit ? 431 : 0;
}

/* The route is matched once, here, for its body limit, and kept for process_request. */
static size_t route_body_limit(struct http_server *srv, http_req *req)
{
    req_state *rs = req->server_state;
    if (strncmp(req->path, "/api/", 5)) return srv->cfg->body_limit;
    rs->route = http_route_match(srv->tables, req->method, req->path, req, &rs->method_mismatch);
    rs->route_matched = true;
    return rs->route && rs->route->body_limit ? rs->route->body_limit : srv->cfg->body_limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
    (void)version;
    struct http_server *srv = cls;
    http_req *req = *req_cls;
    if (!req) {
        /* First call: headers only. Set up and return; answering now would cost keep-alive. */
        arena *a = arena_new();
        req = arena_alloc(a, sizeof *req);
        req_state *rs = arena_alloc(a, sizeof *rs);
        req->a = a;
        req->server_state = rs;
        req->cfg = srv->cfg;
        req->db = srv->db;
        req->method = arena_strdup(a, method);
        req->path = arena_strdup(a, url);
        rs->conn = conn;
        rs->srv = srv;
        rs->started_us = clock_mono_us();
        size_t limit = route_body_limit(srv, req);
        buf_init(&rs->body, limit);
        req->lang = i18n_from_accept_language(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
        atomic_fetch_add(&srv->in_flight, 1);
        *req_cls = req;
        if (atomic_load(&srv->connections) > srv->cfg->conn_limit) rs->reject_status = 503;
        int too_large = head_too_large(conn, url, srv->cfg->header_limit);
        if (too_large) {
            rs->reject_status = too_large;
            return send_error_now(req, too_large, too_large == 414 ? "uri_too_long" : "headers_too_large",
                                  too_large == 414 ? "err.headers_too_large_uri" : "err.headers_too_large");
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > limit) {
            /* Refuse before reading a byte of an oversized body. */
            rs->reject_status = 413;
            return send_error_now(req, 413, "body_too_large", "err.body_too_large");
        }
        if (rs->reject_status == 503) return send_error_now(req, 503, "unavailable", "err.overloaded");
        return MHD_YES;
    }
    req_state *rs = req->server_state;
    if (rs->phase == 3) {
        rs->phase = 4;
        if (!rs->ready) rs->ready = build_response(req);
        enum MHD_Result ok = MHD_queue_response(conn, (unsigned)req->status, rs->ready);
        MHD_destroy_response(rs->ready);
        rs->ready = NULL;
        return ok;
    }
    if (*upload_size) {
        if (!rs->reject_status && !buf_append(&rs->body, upload_data, *upload_size)) rs->reject_status = 413;
        *upload_size = 0;
        return MHD_YES;
    }
    if (rs->phase >= 2) return MHD_YES;
    rs->phase = 1;
    if (rs->reject_status == 413) return send_error_now(req, 413, "body_too_large", "err.body_too_large");
    if (rs->reject_status == 414 || rs->reject_status == 431) return MHD_YES;   /* answered on the first call */
    bool secure;
    req->address = client_address(req, &secure);
    req->secure = secure || srv->tls;   /* cookies get the Secure flag over TLS */
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
    return process(req);
}

/* The path as the access log may show it: control characters, quotes and backslashes
 * escaped (a %0A in a URL cannot start a forged line), the code of /join/{code} and
 * any token-like segment (20+ letters and digits) replaced, so the log holds no
 * credential. */
static const char *log_path(http_req *req)
{
    buf b;
    buf_init(&b, 0);
    const char *p = req->path;
    while (*p) {
        const char *end = p + strcspn(p, "/");
        size_t n = (size_t)(end - p), alnum = 0;
        for (size_t i = 0; i < n; i++)
            if (isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '_') alnum++;
        bool after_join = b.len >= 5 && !memcmp(b.data + b.len - 5, "join/", 5);
        if (n && after_join) buf_puts(&b, "[code]");
        else if (n >= 20 && alnum == n) buf_puts(&b, "[token]");
        else
            for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)p[i];
                if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') {
                    char esc[8];
                    snprintf(esc, sizeof esc, "\\x%02x", ch);
                    buf_puts(&b, esc);
                } else {
                    buf_append(&b, p + i, 1);
                }
            }
        if (*end) buf_append(&b, "/", 1);
        p = *end ? end + 1 : end;
    }
    char *t = buf_take(&b, NULL);
    char *out = arena_strdup(req->a, t ? t : "");
    free(t);
    return out;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *srv = cls;
    http_req *req = *req_cls;
    if (!req) return;
    req_state *rs = req->server_state;
    if (!srv->cfg->quiet)
        log_info("%s %s %d %lldus user=%lld", req->method, log_path(req), req->status,
                 (long long)(clock_mono_us() - rs->started_us), (long long)req->actor.user_id);
    if (rs->ready) MHD_destroy_response(rs->ready);
    buf_free(&rs->body);
    arena_free(req->a);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    (void)socket_context;
    struct http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) atomic_fetch_add(&srv->connections, 1);
    else atomic_fetch_sub(&srv->connections, 1);
}

static int http_open_listener(const char *listen_addr, int *port_out, char *err, size_t errlen)
{
    char host[128];
    snprintf(host, sizeof host, "%s", listen_addr);
    char *colon = strrchr(host, ':');
    if (!colon) {
        snprintf(err, errlen, "listen address must be HOST:PORT, got %s", listen_addr);
        return -1;
    }
    *colon = 0;
    int port = (int)strtol(colon + 1, NULL, 10);
    char *h = host;
    if (*h == '[') {
        h++;
        char *rb = strchr(h, ']');
        if (rb) *rb = 0;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int family;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
        family = AF_INET;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        len = sizeof *s4;
    } else if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
        family = AF_INET6;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        len = sizeof *s6;
    } else {
        snprintf(err, errlen, "listen address must be a numeric IP, got %s", h);
        return -1;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
        snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port_out = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
    return fd;
}

/* Starts the server: TLS when configured, the background jobs, the libmicrohttpd
 * daemon with its limits; each step undone when a later one fails. */
http_server *http_server_start(const config *cfg, store *db, const http_route *const *tables, char *err, size_t errlen)
{
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = cfg;
    srv->db = db;
    srv->tables = http_routes_all(tables);
    pthread_mutex_init(&srv->idem_mu, NULL);
    auth_cache_init(db);
    migration_level = store_migration_level(db);
    struct MHD_OptionItem tls_opts[4] = {{MHD_OPTION_END, 0, NULL}};
    if (cfg->tls_cert[0] || cfg->tls_key[0]) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "this libmicrohttpd was built without TLS");
            free(srv);
            return NULL;
        }
        if (tls_load(cfg, &srv->creds, err, errlen)) {
            free(srv);
            return NULL;
        }
        srv->tls = true;
        tls_daemon_options(&srv->creds, tls_opts);
        log_info("HTTPS with %s, SHA-256 %s", cfg->tls_cert, srv->creds.fingerprint);
    } else if (cfg->redirect_listen[0]) {
        snprintf(err, errlen, "redirect_listen needs tls_cert and tls_key (it redirects to HTTPS)");
        free(srv);
        return NULL;
    }
    srv->listen_fd = http_open_listener(cfg->listen, &srv->port, err, errlen);
    if (srv->listen_fd < 0) {
        tls_creds_free(&srv->creds);
        free(srv);
        return NULL;
    }
    jobs_init(db, cfg, srv->tables);
    /* MHD's own hard limit sits above ours so that, past our limit, we can still
     * accept a connection and answer 503 instead of leaving it unanswered. */
    srv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
                              (srv->tls ? MHD_USE_TLS : 0),
                              0, NULL, NULL, on_request, srv,
                              MHD_OPTION_ARRAY, tls_opts,
                              MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)(cfg->conn_limit + 64),
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, http_mhd_memory_limit(cfg),
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                              MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                              MHD_OPTION_END);
    if (!srv->d) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", cfg->listen);
        jobs_stop(0);
        close(srv->listen_fd);
        tls_creds_free(&srv->creds);
        free(srv);
        return NULL;
    }
    if (cfg->redirect_listen[0]) {
        int fd = http_open_listener(cfg->redirect_listen, &srv->redirect_port, err, errlen);
        srv->redirect = fd < 0 ? NULL : tls_redirect_start(fd, srv->port, err, errlen);
        if (!srv->redirect) {
            if (fd >= 0) close(fd);
            MHD_stop_daemon(srv->d);
            jobs_stop(0);
            close(srv->listen_fd);
            tls_creds_free(&srv->creds);
            free(srv);
            return NULL;
        }
    }
    return srv;
}

int http_server_port(http_server *srv) { return srv->port; }
bool http_server_tls(http_server *srv) { return srv->tls; }
int http_server_redirect_port(http_server *srv) { return srv->redirect ? srv->redirect_port : 0; }

void http_server_stop(http_server *srv)
{
    if (!srv) return;
    /* Stop accepting, let in-flight requests (and their write jobs) finish, then stop. */
    tls_redirect_stop(srv->redirect);
    MHD_quiesce_daemon(srv->d);
    for (int i = 0; i < 300 && atomic_load(&srv->in_flight) > 0; i++) usleep(10000);
    MHD_stop_daemon(srv->d);
    close(srv->listen_fd);
    tls_creds_free(&srv->creds);
    /* Then background work: the store closes after this returns, so a task still
     * running past the bound means leaving without closing it. Its transaction is not
     * committed, and the next start marks its job interrupted. */
    int left = jobs_stop(HTTP_JOBS_STOP_MS);
    if (left) {
        log_error("stopping: %d background job(s) still running after %d s; leaving without closing the store",
                  left, HTTP_JOBS_STOP_MS / 1000);
        _exit(1);
    }
    for (int i = 0; i < srv->n_idem_running; i++) free(srv->idem_running[i]);
    free(srv->idem_running);
    pthread_mutex_destroy(&srv->idem_mu);
    free(srv);
}

const char *http_version(void) { return VERSION_STRING; }

int http_migration_level(void) { return migration_level; }
