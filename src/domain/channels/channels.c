/* channels.c — the committee's chat-group channels (渠道): a WeCom group robot's webhook
 * or a generic JSON webhook, the events each takes, enabled or not; "send a test
 * message"; and what the outbox did: every delivery with its state, failures first,
 * and "retry now" for a failed one. Tables in 028_outbox.sql; the sending is
 * deliver.c's. The URL is the group's secret: it is answered in full only to the
 * request that set it, and masked everywhere else (lists, exports, the audit log never
 * holds it). */
#include "channels_int.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static const char *const channel_kinds[] = {"wecom", "webhook", NULL};
static const char *const channel_formats[] = {"text", "markdown", NULL};
static const char *const delivery_states[] = {"pending", "sending", "delivered", "failed", NULL};

#define CHANNELS_MAX 50

static bool word_in(const char *word, const char *const *list)
{
    for (int i = 0; word && list[i]; i++)
        if (!strcmp(word, list[i])) return true;
    return false;
}

const char *channel_url_check(const char *url)
{
    if (strlen(url) > CHANNEL_URL_MAX) return "err.too_long";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) return "channel.err.url";
    if (strncasecmp(url, "https://", 8) && strncasecmp(url, "http://", 7)) return "channel.err.url_scheme";
    CURLU *u = curl_url();
    if (!u) return "channel.err.url";
    char *host = NULL, *user = NULL;
    const char *why = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) why = "channel.err.url";
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) why = "channel.err.url_host";
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) why = "channel.err.url";
    curl_free(host);
    curl_free(user);
    curl_url_cleanup(u);
    return why;
}

const char *channel_url_mask(arena *a, const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    size_t n = strcspn(host, "/?#"), len = strlen(url);
    const char *tail = len > 4 ? url + len - 4 : "";
    if (host + n >= url + len - 4) tail = "";   /* nothing after the host worth hiding */
    return arena_printf(a, "%.*s/…%s", (int)(host + n - url), url, tail);
}

/* ---------------------------------------------------------------- reading */

static json_t *time_or_null(store_stmt *st, int col)
{
    if (store_col_null(st, col)) return json_null();
    char when[32];
    clock_format_utc(store_col_int(st, col), when, sizeof when);
    return json_string(when);
}

static json_t *events_json(const char *csv)
{
    json_t *a = json_array();
    for (const char *p = csv; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n) json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

#define CHANNEL_SELECT \
    "SELECT c.id, c.name, c.kind, c.url, c.format, c.events, c.enabled, c.created_at, c.updated_at, " \
    "(SELECT COUNT(*) FROM outbox_deliveries d WHERE d.community_id = c.community_id AND d.channel_id = c.id AND " \
    "d.state IN ('pending', 'sending')), (SELECT COUNT(*) FROM outbox_deliveries d WHERE d.community_id = " \
    "c.community_id AND d.channel_id = c.id AND d.state = 'failed'), (SELECT MAX(d.delivered_at) FROM " \
    "outbox_deliveries d WHERE d.community_id = c.community_id AND d.channel_id = c.id) FROM channels c " \
    "WHERE c.community_id = $1"

static json_t *channel_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *events = store_col_text(st, 5);
    json_t *c = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:I, s:I, s:o}", "id",
                          (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "kind",
                          store_col_text(st, 2), "url_masked", channel_url_mask(req->a, store_col_text(st, 3)),
                          "format", store_col_text(st, 4), "events", events_json(events), "events_text",
                          arena_printf(req->a, "%s", events), "enabled", (int)store_col_int(st, 6), "created_at",
                          time_or_null(st, 7), "updated_at", time_or_null(st, 8), "pending",
                          (json_int_t)store_col_int(st, 9), "failed", (json_int_t)store_col_int(st, 10),
                          "last_delivered_at", time_or_null(st, 11));
    json_object_set_new(c, "enabled_text", json_string(i18n_text(req->lang, store_col_int(st, 6) ? "channel.yes"
                                                                                                   : "channel.no")));
    return c;
}

static const list_column channel_columns[] = {
    {"name", "channel.col.name"}, {"kind", "channel.col.kind"}, {"url_masked", "channel.col.url"},
    {"format", "channel.col.format"}, {"events_text", "channel.col.events"}, {"enabled_text", "channel.col.enabled"},
    {"pending", "channel.col.pending"}, {"failed", "channel.col.failed"}, {0, 0},
};

/* GET /channels: the community's channels, in id order. */
static int channels_list(http_req *req)
{
    int64_t limit = http_list_limit(req), next = 0;
    store_stmt *st = store_prepare(req->conn, CHANNEL_SELECT " AND c.id > $2 ORDER BY c.id LIMIT $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, http_list_cursor(req));
    store_bind_int(st, 3, limit + 1);
    json_t *items = http_list_collect(st, limit, channel_item, req, &next);
    return http_reply_list(req, "channel.list.channels", channel_columns, items, next);
}

/* The channel as JSON (url masked); NULL with 404/500 set. */
static json_t *channel_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, CHANNEL_SELECT " AND c.id = $2");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), NULL;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    int rc = store_step(st);
    json_t *c = rc == STORE_ROW ? channel_item(st, req) : NULL;
    store_done(st);
    if (!c) return rc == STORE_DONE ? (http_fail_not_found(req), NULL) : (http_fail_internal(req, "channel"), NULL);
    return c;
}

static int channel_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *c = channel_read(req, id);
    return c ? http_reply(req, 200, json_pack("{s:o}", "channel", c)) : -1;
}

/* ---------------------------------------------------------------- writing */

typedef struct channel_input {
    const char *name, *kind, *url, *format;
    char events[128];
    bool has_events, has_enabled;
    int64_t enabled;
} channel_input;

static bool events_parse(http_req *req, channel_input *in)
{
    json_t *a = json_object_get(req->json, "events");
    if (!a) return true;
    if (!json_is_array(a)) return http_fail_field(req, "events", "channel.err.events"), false;
    in->has_events = true;
    in->events[0] = 0;
    /* Stored in the order of outbox_events, each once, whatever the order given. */
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (!word_in(json_string_value(x), outbox_events))
            return http_fail_field(req, arena_printf(req->a, "events[%zu]", i), "channel.err.event"), false;
    }
    for (int k = 0; outbox_events[k]; k++) {
        bool wanted = false;
        json_array_foreach(a, i, x) wanted |= !strcmp(json_string_value(x), outbox_events[k]);
        if (!wanted) continue;
        size_t n = strlen(in->events);
        snprintf(in->events + n, sizeof in->events - n, "%s%s", n ? "," : "", outbox_events[k]);
    }
    return true;
}

/* The fields of POST and PATCH; false with the 400 naming the field. */
static bool channel_parse(http_req *req, bool create, channel_input *in)
{
    memset(in, 0, sizeof *in);
    if (!(create ? http_body_str(req, "name", 1, 60, &in->name) : http_body_str_opt(req, "name", 1, 60, &in->name)))
        return false;
    if (!(create ? http_body_str(req, "kind", 1, 16, &in->kind) : http_body_str_opt(req, "kind", 1, 16, &in->kind)))
        return false;
    if (in->kind && !word_in(in->kind, channel_kinds)) return http_fail_field(req, "kind", "channel.err.kind"), false;
    if (!(create ? http_body_str(req, "url", 1, CHANNEL_URL_MAX + 1, &in->url)
                 : http_body_str_opt(req, "url", 1, CHANNEL_URL_MAX + 1, &in->url)))
        return false;
    const char *why = in->url ? channel_url_check(in->url) : NULL;
    if (why) return http_fail_field(req, "url", why), false;
    if (!http_body_str_opt(req, "format", 1, 16, &in->format)) return false;
    if (in->format && !word_in(in->format, channel_formats))
        return http_fail_field(req, "format", "channel.err.format"), false;
    if (!events_parse(req, in)) return false;
    json_t *e = json_object_get(req->json, "enabled");
    if (e && !json_is_boolean(e)) return http_fail_field(req, "enabled", "channel.err.boolean"), false;
    in->has_enabled = e != NULL;
    in->enabled = json_is_true(e);
    if (create) {
        if (!in->format) in->format = "text";
        if (!in->has_events) snprintf(in->events, sizeof in->events, "%s", "bulletin.published");
        if (!in->has_enabled) in->enabled = 1;
    }
    return true;
}

static json_t *fields_json(http_req *req)
{
    json_t *fields = json_array();
    const char *keys[] = {"name", "kind", "url", "format", "events", "enabled"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        if (json_object_get(req->json, keys[k])) json_array_append_new(fields, json_string(keys[k]));
    return fields;
}

/* POST /channels {name, kind, url, format, events, enabled}: 201 with the URL in full,
 * this once. */
static int channel_create(http_req *req)
{
    channel_input in;
    if (!channel_parse(req, true, &in)) return -1;
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM channels WHERE community_id = $1", "i",
                        req->actor.community_id) >= CHANNELS_MAX)
        return http_fail(req, 409, "conflict", NULL, "channel.err.too_many");
    int64_t now = clock_now_us(), id = 0;
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO channels (community_id, name, kind, url, format, events, enabled, "
                  "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                  "itttttiii", req->actor.community_id, in.name, in.kind, in.url, in.format, in.events, in.enabled,
                  req->actor.user_id, now) == STORE_ROW) {
        id = store_col_int(st, 0);
        store_done(st);
    }
    if (!id) return http_fail_internal(req, "channel insert");
    http_audit_target(req, "channel", id, json_pack("{s:s, s:s, s:b}", "kind", in.kind, "events", in.events,
                                                    "enabled", (int)in.enabled));
    json_t *c = channel_read(req, id);
    if (!c) return -1;
    json_object_set_new(c, "url", json_string(in.url));
    return http_reply(req, 201, json_pack("{s:o}", "channel", c));
}

/* PATCH /channels/{id}: any of the fields; a new URL is answered in full, this once. */
static int channel_update(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM channels WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    channel_input in;
    if (!channel_parse(req, false, &in)) return -1;
    if (store_run(req->conn, NULL, "UPDATE channels SET name = COALESCE($1, name), kind = COALESCE($2, kind), url = "
                  "COALESCE($3, url), format = COALESCE($4, format), events = CASE WHEN $5 = 1 THEN $6 ELSE events "
                  "END, enabled = CASE WHEN $7 = 1 THEN $8 ELSE enabled END, updated_at = $9 WHERE id = $10 AND "
                  "community_id = $11", "ttttitiiiii", in.name, in.kind, in.url, in.format, (int64_t)in.has_events,
                  in.events, (int64_t)in.has_enabled, in.enabled, clock_now_us(), id,
                  req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "channel update");
    http_audit_target(req, "channel", id, json_pack("{s:o}", "fields", fields_json(req)));
    json_t *c = channel_read(req, id);
    if (!c) return -1;
    if (in.url) json_object_set_new(c, "url", json_string(in.url));
    return http_reply(req, 200, json_pack("{s:o}", "channel", c));
}

/* DELETE /channels/{id}: the channel and its deliveries (a row being sent is simply
 * not recorded: its claim no longer matches). */
static int channel_delete(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM channels WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    if (store_run(req->conn, NULL, "DELETE FROM outbox_deliveries WHERE community_id = $1 AND channel_id = $2", "ii",
                  req->actor.community_id, id) != STORE_DONE ||
        store_run(req->conn, NULL, "DELETE FROM channels WHERE community_id = $1 AND id = $2", "ii",
                  req->actor.community_id, id) != STORE_DONE)
        return http_fail_internal(req, "channel delete");
    http_audit_target(req, "channel", id, NULL);
    return http_reply(req, 200, json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id));
}

/* ---------------------------------------------------------------- deliveries */

#define DELIVERY_SELECT \
    "SELECT d.id, d.channel_id, c.name, d.event, d.event_key, d.title, d.state, d.attempts, d.next_at, " \
    "d.delivered_at, d.http_status, d.last_error, d.created_at, d.updated_at FROM outbox_deliveries d JOIN " \
    "channels c ON c.id = d.channel_id AND c.community_id = d.community_id WHERE d.community_id = $1"

static json_t *delivery_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *state = store_col_text(st, 6);
    json_t *status = store_col_null(st, 10) ? json_null() : json_integer(store_col_int(st, 10));
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:s?, s:o, s:o}", "id",
                     (json_int_t)store_col_int(st, 0), "channel_id", (json_int_t)store_col_int(st, 1), "channel_name",
                     store_col_text(st, 2), "event", store_col_text(st, 3), "event_key", store_col_text(st, 4),
                     "title", store_col_text(st, 5), "state", state, "state_text",
                     i18n_text(req->lang, arena_printf(req->a, "channel.state.%s", state)), "attempts",
                     (json_int_t)store_col_int(st, 7), "next_at", time_or_null(st, 8), "delivered_at",
                     time_or_null(st, 9), "http_status", status, "last_error", store_col_text(st, 11), "created_at",
                     time_or_null(st, 12), "updated_at", time_or_null(st, 13));
}

static const list_column delivery_columns[] = {
    {"created_at", "channel.col.created_at"}, {"channel_name", "channel.col.name"}, {"event", "channel.col.event"},
    {"title", "channel.col.title"}, {"state_text", "channel.col.state"}, {"attempts", "channel.col.attempts"},
    {"http_status", "channel.col.http_status"}, {"last_error", "channel.col.error"},
    {"delivered_at", "channel.col.delivered_at"}, {0, 0},
};

/* The deliveries of one channel (channel > 0) or of all, ?state= narrowing: failed
 * first, then those waiting, then the newest; the cursor is an offset. */
static int deliveries_reply(http_req *req, int64_t channel, const char *title_key)
{
    const char *state = http_query(req, "state");
    if (state && *state && !word_in(state, delivery_states))
        return http_fail_field(req, "state", "channel.err.state");
    int64_t limit = http_list_limit(req), offset = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn, DELIVERY_SELECT " AND ($2 = 0 OR d.channel_id = $2) AND ($3 = '' OR "
                                   "d.state = $3) ORDER BY CASE d.state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 "
                                   "WHEN 'sending' THEN 2 ELSE 3 END, d.id DESC LIMIT $4 OFFSET $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, channel);
    store_bind_text(st, 3, state ? state : "");
    store_bind_int(st, 4, limit + 1);
    store_bind_int(st, 5, offset);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, delivery_item, req, &next_after);
    return http_reply_list(req, title_key, delivery_columns, items, next_after ? offset + limit : 0);
}

/* GET /channels/{id}/deliveries?state= */
static int channel_deliveries(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM channels WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    return deliveries_reply(req, id, "channel.list.deliveries");
}

/* GET /outbox?state=&channel_id= */
static int outbox_list(http_req *req)
{
    int64_t channel = 0;
    const char *q = http_query(req, "channel_id");
    if (q && *q && (!str_is_int(q, &channel) || channel < 1))
        return http_fail_field(req, "channel_id", "err.not_integer");
    return deliveries_reply(req, channel, "channel.list.outbox");
}

static int delivery_reply(http_req *req, int status, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, DELIVERY_SELECT " AND d.id = $2");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    json_t *d = store_step(st) == STORE_ROW ? delivery_item(st, req) : NULL;
    store_done(st);
    if (!d) return http_fail_internal(req, "delivery");
    return http_reply(req, status, json_pack("{s:o}", "delivery", d));
}

/* POST /channels/{id}/test: a test message through the outbox like any event (so the
 * answer is 202: it is sent within a few seconds; its delivery shows how it went). */
static int channel_test(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM channels WHERE id = $1 AND community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    int64_t now = clock_now_us();
    const char *key = arena_printf(req->a, "test:%lld:%lld", (long long)id, (long long)now);
    const char *title = i18n_text(req->lang, "channel.test.title");
    const char *text = arena_printf(req->a, "%s · %s · %s", req->actor.community_name ? req->actor.community_name : "",
                                    name, i18n_text(req->lang, "channel.test.text"));
    if (store_run(req->conn, &st, "INSERT INTO outbox_deliveries (community_id, channel_id, event, event_key, title, "
                  "body, link, state, attempts, next_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, "
                  "'pending', 0, $7, $7, $7) RETURNING id", "iitttti", req->actor.community_id, id, CHANNEL_TEST_EVENT,
                  key, title, text, now) != STORE_ROW)
        return http_fail_internal(req, "channel test");
    int64_t delivery = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "channel", id, json_pack("{s:I}", "delivery_id", (json_int_t)delivery));
    return delivery_reply(req, 202, delivery);
}

/* POST /outbox/{id}/retry: a failed delivery is due again now, with a fresh series of
 * attempts (what it failed with stays shown until the next attempt). */
static int delivery_retry(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t now = clock_now_us();
    int rc = store_run(req->conn, NULL, "UPDATE outbox_deliveries SET state = 'pending', attempts = 0, next_at = $1, "
                       "updated_at = $1 WHERE id = $2 AND community_id = $3 AND state = 'failed' RETURNING id", "iii",
                       now, id, req->actor.community_id);
    if (rc == STORE_DONE) {
        if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM outbox_deliveries WHERE id = $1 AND community_id = "
                             "$2", "ii", id, req->actor.community_id))
            return http_fail_not_found(req);
        return http_fail(req, 409, "conflict", NULL, "channel.err.not_failed");
    }
    if (rc != STORE_ROW) return http_fail_internal(req, "retry");
    http_audit_target(req, "outbox_delivery", id, NULL);
    return delivery_reply(req, 200, id);
}

const http_route channel_routes[] = {
    {"GET", "/api/v1/channels", NULL, channels_list, CHANNEL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/channels", NULL, channel_create, CHANNEL_STAFF, ROUTE_WRITE, 8192, "channel.create"},
    {"GET", "/api/v1/channels/{id}", NULL, channel_get, CHANNEL_STAFF, 0, 0, NULL},
    {"PATCH", "/api/v1/channels/{id}", NULL, channel_update, CHANNEL_STAFF, ROUTE_WRITE, 8192, "channel.update"},
    {"DELETE", "/api/v1/channels/{id}", NULL, channel_delete, CHANNEL_STAFF, ROUTE_WRITE, 256, "channel.delete"},
    {"POST", "/api/v1/channels/{id}/test", NULL, channel_test, CHANNEL_STAFF, ROUTE_WRITE, 256, "channel.test"},
    {"GET", "/api/v1/channels/{id}/deliveries", NULL, channel_deliveries, CHANNEL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/outbox", NULL, outbox_list, CHANNEL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/outbox/{id}/retry", NULL, delivery_retry, CHANNEL_STAFF, ROUTE_WRITE, 256, "outbox.retry"},
    {0},
};
