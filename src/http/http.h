/* http.h — the HTTP layer: server, route table, request context, replies.
 *
 * Every capability exports a const array of http_route rows ended by {0}. The server
 * applies a row before its handler runs: authentication (session cookie or bearer
 * token), CSRF on state-changing cookie requests, role, body size, JSON parsing. A
 * handler never checks these again, and a route without a row cannot exist.
 *
 * Read routes run their handler on the HTTP thread with a pooled read connection.
 * WRITE routes run `prepare` (optional) on the HTTP thread, then `handler` as a job on
 * the store's writer, inside a savepoint of a group commit; the connection is suspended
 * meanwhile and the answer is sent after the commit is durable. The audit entry and the
 * idempotency record are written in the same job, so they commit with the change. */
#ifndef SW_HTTP_H
#define SW_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>
#include "../core/arena.h"
#include "../core/config.h"
#include "../core/i18n.h"
#include "../store/store.h"
#include "roles.h"

/* Roles as bits (roles.h): a route lists the roles that may use it. */
#define ROLES_STAFF (ROLE_SUPERUSER | ROLE_COMMITTEE)
#define ROLES_LEADERS (ROLES_STAFF | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)

/* Route flags:
 *   ROUTE_PUBLIC     no authentication (health, login)
 *   ROUTE_WRITE      runs as a write job (group commit, audit, idempotency)
 *   ROUTE_EXPORTABLE the handler replies with http_reply_list; ?format=csv|xlsx
 *                    exports it (audited) and ?print=1 the printable HTML
 *   ROUTE_NO_CSRF    a state-changing route a cookie session may call without the
 *                    CSRF header (only login, which has no session yet)
 *   ROUTE_RAW_BODY   body is not JSON (uploads: multipart/form-data); req->body only
 *   ROUTE_NO_REPLAY  a write whose answer holds personal data: an Idempotency-Key is
 *                    not stored for it (its answer must not rest in the database)
 *   ROUTE_ANY_USER   any logged-in user, also one holding no role yet (a sign-up
 *                    waiting for approval) or one that must set its password first
 *                    (a one-time password): only "me", logout and the own password.
 *                    Every other route keeps answering 403 to such an account. */
enum {
    ROUTE_PUBLIC     = 1u << 0,
    ROUTE_WRITE      = 1u << 1,
    ROUTE_EXPORTABLE = 1u << 2,
    ROUTE_NO_CSRF    = 1u << 3,
    ROUTE_RAW_BODY   = 1u << 4,
    ROUTE_NO_REPLAY  = 1u << 5,
    ROUTE_ANY_USER   = 1u << 6,
};

typedef struct http_req http_req;
/* Handlers return 0 on success (commit for writes) or -1 after http_fail (rollback). */
typedef int (*http_handler)(http_req *req);

typedef struct http_route {
    const char *method;       /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern;      /* "/api/v1/jobs/{id}": {name} matches one segment */
    http_handler prepare;     /* WRITE routes: optional step on the HTTP thread */
    http_handler handler;
    unsigned roles;           /* ROLE_* bits allowed; ignored with ROUTE_PUBLIC */
    unsigned flags;           /* ROUTE_* */
    size_t body_limit;        /* 0: the configured default (1 MiB) */
    const char *audit_action; /* WRITE routes: action recorded on success */
} http_route;

/* One role a user holds and where: scope_kind is 'c'ommunity, 'z'one, 'b'lock,
 * 'h'ousehold or 'g'lobal (superuser). */
typedef struct actor_role {
    unsigned role;            /* one ROLE_* bit */
    char scope_kind;
    int64_t scope_id;
} actor_role;

typedef struct actor {
    int64_t user_id;          /* 0 when not logged in */
    int64_t community_id;     /* 0 for a superuser without a community */
    int64_t session_id;       /* 0 for bearer tokens */
    unsigned roles;           /* union of the ROLE_* bits held */
    int n_roles;
    actor_role *role_list;    /* in the request arena */
    const char *username;
    const char *display_name;
    const char *language;
    const char *csrf_token;
    const char *community_name;
    const char *community_timezone;
    bool via_token;
    /* The password is a one-time password (a printed slip): only ROUTE_ANY_USER routes
     * answer until the person sets their own (403 password_change_required). */
    bool must_change_password;
} actor;

#define HTTP_MAX_PARAMS 8

struct http_req {
    arena *a;
    const config *cfg;
    store *db;                /* the store */
    store_conn *conn;         /* read conn on the HTTP thread, write conn in a job */
    const http_route *route;
    const char *method;
    const char *path;
    const char *address;      /* client address (X-Forwarded-For from trusted proxies) */
    bool secure;              /* TLS directly or via a trusted proxy */
    lang_id lang;
    actor actor;
    /* path parameters, by name */
    int n_params;
    const char *param_name[HTTP_MAX_PARAMS];
    const char *param_value[HTTP_MAX_PARAMS];
    /* body */
    char *body;
    size_t body_len;
    json_t *json;             /* parsed body for JSON routes (object), else NULL */
    /* reply */
    int status;
    json_t *out;              /* the JSON reply; owned by the arena */
    char *out_raw;            /* or raw bytes */
    size_t out_raw_len;
    const char *out_type;     /* content type for out_raw */
    const char *out_filename; /* Content-Disposition attachment name */
    const char *set_cookie[2];
    int n_set_cookie;
    const char *retry_after;
    /* A reply anyone may cache (a public page): its validator and Cache-Control; a GET
     * whose If-None-Match names out_etag is answered 304 without the body. NULL: the
     * default, no-store. */
    const char *out_etag;
    const char *out_cache_control;
    /* audit hints set by the handler for the automatic entry */
    const char *audit_target_type;
    int64_t audit_target_id;
    json_t *audit_detail;     /* ids and field names, never personal data */
    int64_t on_behalf_of;     /* resident served by a leader, if any */
    void *scratch;            /* prepare -> handler hand-over */
    void *server_state;       /* internal */
    struct by_label *by_labels; /* http_by_label's look-ups in this request */
};

/* ---- request helpers ---- */
const char *http_param(http_req *req, const char *name);         /* path parameter */
bool http_param_id(http_req *req, const char *name, int64_t *out);/* false: 404 set */
const char *http_query(http_req *req, const char *name);         /* ?name=value */
const char *http_header(http_req *req, const char *name);
const char *http_cookie(http_req *req, const char *name);
bool actor_has(const actor *a, unsigned role_bits);

/* ---- replies ---- */
/* Sets the error reply: status, code ("validation_failed"), field (or NULL), and the
 * message for msg_key in the request's language. Returns -1 for `return http_fail(..)`. */
int http_fail(http_req *req, int status, const char *code, const char *field,
              const char *msg_key);
/* Validation shorthand: 400 validation_failed naming field, with the reason key. */
int http_fail_field(http_req *req, const char *field, const char *reason_key);
int http_fail_not_found(http_req *req);
int http_fail_internal(http_req *req, const char *what);   /* logs what; 500 (503 when the database went away) */
int http_fail_unavailable(http_req *req);   /* 503 unavailable with Retry-After: the database is away */
int http_reply(http_req *req, int status, json_t *body);   /* steals body; returns 0 */

/* JSON body accessors: false (and an error set) when missing or of the wrong type.
 * Optional variants leave *out unchanged when the field is absent. */
bool http_body_str(http_req *req, const char *field, size_t min, size_t max, const char **out);
bool http_body_str_opt(http_req *req, const char *field, size_t min, size_t max, const char **out);
bool http_body_int_opt(http_req *req, const char *field, int64_t min, int64_t max, int64_t *out, bool *present);

/* ---- lists: filters, cursor pagination and exports ----
 * A list handler reads http_list_limit/cursor, queries limit+1 rows with
 * `id > cursor ORDER BY id`, and replies through http_reply_list with its columns.
 * The server turns the same reply into JSON {items, next_cursor}, CSV, XLSX or a
 * printable HTML table depending on ?format= / ?print=1. */
typedef struct list_column {
    const char *key;          /* JSON field of each item */
    const char *label_key;    /* i18n key of the column header */
} list_column;
/* JSON keys of list items whose values are the program's stored words ("status":
 * "occupied"): exports and prints show them as the catalogue's `enum.<value>` in the
 * reader's language. Registered at start by each capability (capability.value_keys). */
void http_value_keys_register(const char *const *keys);
int64_t http_list_limit(http_req *req);  /* ?limit= 1..500, default 50; exports: 100000 */
int64_t http_list_cursor(http_req *req); /* ?cursor= decoded, 0 when absent */
/* Steps a statement that selected up to limit+1 rows, id in column 0, into a JSON array
 * built by item(st, ctx); *next_after is the last id when more rows follow, else 0.
 * Resets the statement. */
json_t *http_list_collect(store_stmt *st, int64_t limit, json_t *(*item)(store_stmt *st, void *ctx),
                          void *ctx, int64_t *next_after);
/* items: JSON array (stolen). last_id: id of the last item when more rows follow, else 0.
 * title_key: i18n key of the list's title (print view, file name). */
int http_reply_list(http_req *req, const char *title_key, const list_column *cols,
                    json_t *items, int64_t next_after_id);
/* The line under every print's title, in the request's language and the community's
 * local time: "春晖社区 · 打印时间 2026-12-04 02:29 · 王芳" (community, when, who printed).
 * Not escaped; in the request arena. */
const char *http_print_meta(http_req *req);

/* ---- background jobs (jobs.c) ---- */
/* Drops the files of jobs finished more than a day ago (the job retention); run by
 * the hourly maintenance inside a write job. 0, or a STORE_* error. */
int jobs_purge(store_conn *c, int64_t now);

/* ---- audit ---- */
/* Names what a write changed for its automatic audit entry: the target's kind and id,
 * and a detail of ids and field names only (never personal data; may be NULL, and is
 * owned by the request from here on). */
void http_audit_target(http_req *req, const char *type, int64_t id, json_t *detail);
/* Writes an audit row on req->conn (inside a write job). detail may be NULL. */
int audit_write(http_req *req, const char *action, const char *target_type,
                int64_t target_id, json_t *detail);
/* Same, outside a request (CLI, background jobs). */
int audit_write_raw(store_conn *c, int64_t community_id, int64_t user_id,
                    const char *action, const char *target_type, int64_t target_id,
                    const char *address, const char *detail_json);

/* ---- guessing limits (auth.c): counts kept in the database per key, so they hold
 * across threads and restarts. Login uses them; so do the public code routes. ---- */
/* Seconds until key may try again when it has `limit` failures in the window, else 0. */
int64_t throttle_retry_after(http_req *req, const char *key, int limit);
/* Counts one failure under key; returns the count in the window, -1 on a storage error. */
int64_t throttle_count(http_req *req, const char *key);

/* The canonical form of a typed login (validate_login_name: NFC, full-width as ASCII,
 * lower case), in the request arena; the text as typed when it is no valid login (it
 * then names no account, and counts against itself). */
const char *auth_login_name(http_req *req, const char *typed);

/* Opens a session for user_id (a write job): the sw_session cookie is set on the reply;
 * returns the session's CSRF token (request arena), or NULL on a storage error. */
char *auth_session_start(http_req *req, int64_t user_id, int64_t community);

/* ---- roles and the "me" shape (auth.c) ---- */
unsigned auth_role_bit(const char *name);          /* 0 when unknown */
const char *auth_role_name(unsigned bit);
/* The scope kind an assignment of the role has ("zone" for zone_leader); NULL: unknown. */
const char *auth_role_scope_kind(const char *name);
/* "陈慧敏（居委干部）" / "Chen Huimin (committee staff)": a name shown as who did
 * something, with the first role (in role order) the account holds now, so a display
 * name cannot pass for staff on a list or a print. NULL name: NULL. */
const char *http_by_label(http_req *req, int64_t user_id, const char *name);
/* {"user":{…,"roles":[…]}, "community":{…}|null, "csrf_token":…} read on req->conn. */
json_t *auth_me_json(http_req *req, int64_t user_id, const char *csrf);
json_t *auth_me_json_actor(http_req *req, bool with_csrf);
/* A capability's additions to every "me" answer (called with the whole answer). */
void http_me_extra_register(void (*fn)(http_req *req, json_t *me));

/* ---- background work (jobs.c) ----
 * The one way to run work off the request. A WRITE handler calls job_start: the `jobs`
 * row is inserted in the request's transaction and the task runs on the server's
 * bounded worker pool once that transaction is durable; the route answers 202
 * {"job":{…}} and the client polls GET /api/v1/jobs/{id}. One job per request. */
typedef struct job_ctx {
    int64_t id;               /* the row in `jobs` */
    store *db;
    const config *cfg;
    lang_id lang;             /* of the request that started it */
    void *arg;                /* the task's own state */
} job_ctx;
/* Runs on a worker (may block on the store: it holds no HTTP thread). The row is
 * `running` when it starts; the task reports progress with job_progress and writes its
 * final row with job_record in a write of its own. A task that returns without one is
 * marked failed. */
typedef void (*job_run_fn)(job_ctx *jc);
/* In a WRITE handler. Returns the job id, or 0 with the reply set: 503 `busy` (with
 * Retry-After) when the pool's queue is full or the server is stopping. The pool owns
 * arg from this call on and frees it with free_arg, also when the request fails. */
int64_t job_start(http_req *req, const char *kind, job_run_fn run, void *arg, void (*free_arg)(void *));
/* A job's row: state "running", "done" or "failed"; error in the user's language;
 * the result bytes with their media type and file name, or NULL. */
typedef struct job_result {
    const char *state;
    int64_t done, total;
    const char *error;
    const char *type, *name;
    const void *data;
    size_t len;
} job_result;
int job_record(store_conn *c, int64_t id, const job_result *r);   /* inside a write job */
void job_progress(job_ctx *jc, int64_t done, int64_t total);        /* on the worker */
/* True once shutdown began: a long task may stop at a safe point; its row is then
 * marked failed (interrupted) and the user starts it again. */
bool job_stopping(void);
/* A request for a task's work on a worker, as the actor who started it (their community,
 * account and roles, and address for the audit log), in an arena of its own (free it
 * with arena_free(req->a)); the body is borrowed. */
typedef struct job_actor {
    int64_t community_id, user_id;
    unsigned roles;
    const char *address, *path;
    char *body;
    size_t body_len;
} job_actor;
http_req *job_request(job_ctx *jc, const job_actor *who);
/* job_export_start runs an exportable list route's handler in the background with the
 * filters given in the request body and stores the file. */
int job_export_start(http_req *req, const char *list_method, const char *list_pattern);

/* ---- the server ---- */
typedef struct http_server http_server;
/* tables: the capabilities' NULL-terminated list of route arrays (each ended by a row
 * with method NULL); the server adds the HTTP layer's own (session, tokens, jobs). */
http_server *http_server_start(const config *cfg, store *db, const http_route *const *tables,
                               char *err, size_t errlen);
void http_server_stop(http_server *srv);      /* finishes in-flight requests */
int http_server_port(http_server *srv);
bool http_server_tls(http_server *srv);          /* serving HTTPS (tls_cert, tls_key) */
int http_server_redirect_port(http_server *srv); /* plain-HTTP redirect port, 0: none */
const char *http_version(void);
int http_migration_level(void);   /* read once when the server starts */

/* Registers the HTTP layer's own messages; once, at start. */
void http_init(void);
/* The HTTP layer's own route tables followed by `tables`: the list the server serves
 * (built once, at start; the same pointer after that). */
const http_route *const *http_routes_all(const http_route *const *tables);

/* Route matching, exposed for unit tests and the fuzzer. Returns the row or NULL;
 * *method_mismatch is set when the path matched under another method (405). Of the
 * rows whose pattern matches, the most specific wins: at the first segment where two
 * differ, a literal beats a {name}; so the order of rows and tables does not matter. */
/* The connection to read with: req->conn when set (a read handler's, or the writer's
 * inside a write job), else a read connection taken from the pool now (one read
 * transaction for the rest of the request). */
store_conn *http_read_conn(http_req *req);

const http_route *http_route_match(const http_route *const *tables, const char *method,
                                   const char *path, http_req *req, bool *method_mismatch);
#endif

#ifndef SW_HTTP_JSON_DECODE
#define SW_HTTP_JSON_DECODE
/* Decodes a request body that must be one JSON object (depth and size bounded).
 * Returns the object (caller decrefs) or NULL with *err_key set to an i18n key. */
json_t *http_json_decode(const char *body, size_t len, const char **err_key);
#endif
