/* request.c — what a handler asks of its request: path, query, header and cookie values,
 * the JSON body's fields, error and JSON replies, list paging and the reply a list
 * turns into (JSON, or an export), and the audit log. The server (server.c) fills the
 * request; a background job (jobs.c) builds one of its own; neither is needed here. */
#include "request_int.h"
#include "export_int.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../core/validate.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

req_state *http_state(http_req *req) { return req->server_state; }

void http_set_after_commit(http_req *req, void (*fn)(http_req *, void *), void *ctx)
{
    req_state *rs = req->server_state;
    rs->after_commit = fn;
    rs->after_commit_ctx = ctx;
}

/* ---------------------------------------------------------------- helpers */

const char *http_param(http_req *req, const char *name)
{
    for (int i = 0; i < req->n_params; i++)
        if (!strcmp(req->param_name[i], name)) return req->param_value[i];
    return NULL;
}

bool http_param_id(http_req *req, const char *name, int64_t *out)
{
    const char *v = http_param(req, name);
    char *end;
    long long n = v ? strtoll(v, &end, 10) : 0;
    if (!v || *end || n <= 0) {
        http_fail_not_found(req);
        return false;
    }
    *out = n;
    return true;
}

const char *http_query(http_req *req, const char *name)
{
    req_state *rs = req->server_state;
    for (int i = 0; i < rs->n_query; i++)
        if (!strcmp(rs->query_key[i], name)) return rs->query_val[i];
    return NULL;
}

const char *http_header(http_req *req, const char *name)
{
    req_state *rs = req->server_state;
    return rs->conn ? MHD_lookup_connection_value(rs->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *http_cookie(http_req *req, const char *name)
{
    req_state *rs = req->server_state;
    return rs->conn ? MHD_lookup_connection_value(rs->conn, MHD_COOKIE_KIND, name) : NULL;
}

bool actor_has(const actor *a, unsigned role_bits) { return (a->roles & role_bits) != 0; }

int http_reply(http_req *req, int status, json_t *body)
{
    req->status = status;
    req->out = body;
    if (body) arena_on_free(req->a, (void (*)(void *))json_decref, body);
    return 0;
}

int http_fail(http_req *req, int status, const char *code, const char *field, const char *msg_key)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", i18n_text(req->lang, msg_key));
    if (field) json_object_set_new(err, "field", json_string(field));
    req->out_raw = NULL;
    http_reply(req, status, json_pack("{s:o}", "error", err));
    return -1;
}

int http_fail_field(http_req *req, const char *field, const char *reason_key)
{
    return http_fail(req, 400, "validation_failed", field, reason_key);
}

int http_fail_not_found(http_req *req) { return http_fail(req, 404, "not_found", NULL, "err.not_found"); }

int http_fail_unavailable(http_req *req)
{
    req->retry_after = "2";
    return http_fail(req, 503, "unavailable", NULL, "err.db_unavailable");
}

int http_fail_internal(http_req *req, const char *what)
{
    log_error("%s %s: %s", req->method, req->path, what);
    /* A statement that failed because the database went away is a retry, not a fault. */
    if (req->conn && store_conn_broken(req->conn)) return http_fail_unavailable(req);
    return http_fail(req, 500, "internal", NULL, "err.internal");
}

json_t *http_json_decode(const char *body, size_t len, const char **err_key)
{
    json_error_t e;
    /* JSON_REJECT_DUPLICATES: two values for one field are ambiguous, refuse them. */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        *err_key = "err.bad_json";
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        *err_key = "err.json_not_object";
        return NULL;
    }
    return j;
}

static bool body_field(http_req *req, const char *field, json_t **out)
{
    *out = req->json ? json_object_get(req->json, field) : NULL;
    return *out && !json_is_null(*out);
}

bool http_body_str_opt(http_req *req, const char *field, size_t min, size_t max, const char **out)
{
    json_t *v;
    if (!body_field(req, field, &v)) return true;
    if (!json_is_string(v)) {
        http_fail_field(req, field, "err.not_string");
        return false;
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        http_fail_field(req, field, "err.control_chars");
        return false;
    }
    const char *why = validate_text(s, min, max);
    if (why) {
        http_fail_field(req, field, why);
        return false;
    }
    *out = s;
    return true;
}

bool http_body_str(http_req *req, const char *field, size_t min, size_t max, const char **out)
{
    json_t *v;
    if (!body_field(req, field, &v)) {
        http_fail_field(req, field, "err.required");
        return false;
    }
    return http_body_str_opt(req, field, min, max, out);
}

bool http_body_int_opt(http_req *req, const char *field, int64_t min, int64_t max, int64_t *out, bool *present)
{
    json_t *v;
    if (present) *present = false;
    if (!body_field(req, field, &v)) return true;
    if (!json_is_integer(v)) {
        http_fail_field(req, field, "err.not_integer");
        return false;
    }
    int64_t n = json_integer_value(v);
    if (n < min || n > max) {
        http_fail_field(req, field, "err.out_of_range");
        return false;
    }
    *out = n;
    if (present) *present = true;
    return true;
}

/* ---------------------------------------------------------------- lists */

int64_t http_list_limit(http_req *req)
{
    req_state *rs = req->server_state;
    if (rs->export_format) return 100000;
    const char *v = http_query(req, "limit");
    int64_t n;
    if (!v || !str_is_int(v, &n)) return 50;
    return n < 1 ? 1 : n > 500 ? 500 : n;
}

int64_t http_list_cursor(http_req *req)
{
    req_state *rs = req->server_state;
    if (rs->export_format) return 0;
    const char *v = http_query(req, "cursor");
    unsigned char raw[32];
    size_t n;
    if (!v || sodium_base642bin(raw, sizeof raw - 1, v, strlen(v), NULL, &n, NULL,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return 0;
    raw[n] = 0;
    int64_t id;
    return str_is_int((char *)raw, &id) && id > 0 ? id : 0;
}

json_t *http_list_collect(store_stmt *st, int64_t limit, json_t *(*item)(store_stmt *st, void *ctx),
                          void *ctx, int64_t *next_after)
{
    assert(st && limit > 0 && item && next_after);
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    *next_after = 0;
    while (store_step(st) == STORE_ROW) {
        if (n++ == limit) {
            *next_after = last;
            break;
        }
        last = store_col_int(st, 0);
        json_array_append_new(items, item(st, ctx));
    }
    store_done(st);
    return items;
}

int http_reply_list(http_req *req, const char *title_key, const list_column *cols, json_t *items,
                    int64_t next_after_id)
{
    req_state *rs = req->server_state;
    if (rs->export_format) {
        list_reply *l = arena_alloc(req->a, sizeof *l);
        l->title_key = title_key;
        l->cols = cols;
        l->items = items;
        l->next_after_id = 0;
        arena_on_free(req->a, (void (*)(void *))json_decref, items);
        rs->list = l;
        rs->export_rows = (int64_t)json_array_size(items);
        return export_render(req, l, rs->export_format);
    }
    json_t *cursor = json_null();
    if (next_after_id > 0) {
        char num[24], enc[40];
        snprintf(num, sizeof num, "%lld", (long long)next_after_id);
        sodium_bin2base64(enc, sizeof enc, (unsigned char *)num, strlen(num),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        cursor = json_string(enc);
    }
    return http_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

/* ---------------------------------------------------------------- audit */

int audit_write_raw(store_conn *c, int64_t community_id, int64_t user_id, const char *action,
                    const char *target_type, int64_t target_id, const char *address, const char *detail)
{
    store_stmt *st = store_prepare(c,
                                   "INSERT INTO audit_log (community_id, at, user_id, on_behalf_of, action, "
                                   "target_type, target_id, address, detail) "
                                   "VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)");
    if (!st) return STORE_ERR;
    if (community_id) store_bind_int(st, 1, community_id); else store_bind_null(st, 1);
    store_bind_int(st, 2, clock_now_us());
    if (user_id) store_bind_int(st, 3, user_id); else store_bind_null(st, 3);
    store_bind_text(st, 4, action);
    store_bind_text(st, 5, target_type ? target_type : "");
    if (target_id) store_bind_int(st, 6, target_id); else store_bind_null(st, 6);
    store_bind_text(st, 7, address ? address : "");
    store_bind_text(st, 8, detail ? detail : "{}");
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : rc;
}

void http_audit_target(http_req *req, const char *type, int64_t id, json_t *detail)
{
    req->audit_target_type = type;
    req->audit_target_id = id;
    if (detail) {
        req->audit_detail = detail;
        arena_on_free(req->a, (void (*)(void *))json_decref, detail);
    }
}

int audit_write(http_req *req, const char *action, const char *target_type, int64_t target_id, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    store_stmt *st = store_prepare(req->conn,
                                   "INSERT INTO audit_log (community_id, at, user_id, on_behalf_of, action, "
                                   "target_type, target_id, address, detail) "
                                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    int rc = STORE_ERR;
    if (st) {
        if (req->actor.community_id) store_bind_int(st, 1, req->actor.community_id); else store_bind_null(st, 1);
        store_bind_int(st, 2, clock_now_us());
        if (req->actor.user_id) store_bind_int(st, 3, req->actor.user_id); else store_bind_null(st, 3);
        if (req->on_behalf_of) store_bind_int(st, 4, req->on_behalf_of); else store_bind_null(st, 4);
        store_bind_text(st, 5, action);
        store_bind_text(st, 6, target_type ? target_type : "");
        if (target_id) store_bind_int(st, 7, target_id); else store_bind_null(st, 7);
        store_bind_text(st, 8, req->address ? req->address : "");
        store_bind_text(st, 9, d ? d : "{}");
        /* An audit row that cannot be written fails the whole batch (store_step_later):
         * nothing of the request is kept without its record. */
        rc = store_step_later(st) == STORE_DONE ? 0 : STORE_ERR;
        store_done(st);
    }
    free(d);
    return rc;
}
