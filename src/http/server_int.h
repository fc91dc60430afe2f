/* server_int.h — state shared by the files of src/http (not for domain code). */
#ifndef SW_SERVER_INT_H
#define SW_SERVER_INT_H
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
    /* query arguments, collected once */
    int n_query;
    const char **query_key, **query_val;
} req_state;

/* server.c */
/* libmicrohttpd's per-connection memory: above header_limit, so the server's own JSON
 * 414/431 answers a head between the two. */
size_t http_mhd_memory_limit(const config *cfg);
req_state *http_state(http_req *req);
void http_set_after_commit(http_req *req, void (*fn)(http_req *, void *), void *ctx);
/* A bound, listening socket for "HOST:PORT" (numeric IPv4 or [IPv6]); *port_out is the
 * port taken (for port 0). Returns the socket, or -1 with err set. */
int http_open_listener(const char *listen_addr, int *port_out, char *err, size_t errlen);

/* auth.c */
/* Fills req->actor from the session cookie or bearer token. Returns 0 when a valid
 * credential was found, -1 when none or an invalid one (not an error reply). */
int auth_authenticate(http_req *req);
void auth_cache_init(store *db);   /* empties the session cache; watches its tables */
/* The login route counts its failures itself (per account, address and both). */
bool auth_is_login(const http_route *route);
extern const http_route auth_routes[];
extern const i18n_entry http_messages[];

/* export.c: renders a list reply as CSV, XLSX or printable HTML into out_raw. */
int export_render(http_req *req, list_reply *l, const char *format);

/* jobs.c */
extern const http_route jobs_routes[];
/* Starts the worker pool; marks rows a dead process left queued or running failed. */
void jobs_init(store *db, const config *cfg, const http_route *const *tables);
/* Refuses new work, fails what is queued, waits up to max_ms for running tasks.
 * Returns how many still run (then the store must not be closed under them). */
int jobs_stop(int max_ms);
#endif
