/* request_int.h — the state behind one request, shared by the files of src/http that
 * fill or read it (server.c, request.c, export.c, jobs.c); never by domain code, which
 * sees only http_req and the helpers of http.h. */
#ifndef SW_REQUEST_INT_H
#define SW_REQUEST_INT_H
#include "http.h"
#include "../core/buf.h"
#include <microhttpd.h>

/* What http_reply_list left for the renderer. */
typedef struct list_reply {
    const char *title_key;
    const list_column *cols;
    json_t *items;
    int64_t next_after_id;
} list_reply;

#define HTTP_MAX_QUERY 64

typedef struct req_state {
    struct MHD_Connection *conn;       /* NULL for requests made by a background job */
    struct http_server *srv;
    int64_t started_us;
    buf body;
    int reject_status;                 /* 413 / 503 decided before the body */
    int phase;                         /* 0 new, 1 reading, 2 suspended, 3 ready */
    struct MHD_Response *ready;        /* built by the writer's done callback */
    store_conn *reader;                /* read connection held by this request */
    const http_route *route;           /* matched once, on the first call */
    bool route_matched, method_mismatch;
    list_reply *list;
    char *idem_key;                    /* Idempotency-Key, when given */
    char idem_hash[65];
    bool idem_registered;
    bool idem_secret;                  /* the answer holds a secret: keep only the id */
    bool too_many_query;               /* more than HTTP_MAX_QUERY query arguments */
    bool probe_counted;                /* a public write's failure was counted */
    bool replayed;
    bool via_cookie;
    const char *export_format;         /* csv / xlsx / html, for the audit entry */
    int64_t export_rows;
    void (*after_commit)(http_req *req, void *ctx);
    void *after_commit_ctx;
    int job_runs;                      /* write_job runs so far (a deadlock reruns it) */
    /* query arguments, collected once */
    int n_query;
    const char **query_key, **query_val;
} req_state;

/* request.c */
req_state *http_state(http_req *req);
/* Runs fn(req, ctx) on the writer once the request's write job has committed. */
void http_set_after_commit(http_req *req, void (*fn)(http_req *, void *), void *ctx);
#endif
