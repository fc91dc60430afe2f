/* capability.c — the notification centre every capability writes to (src/domain/
 * notify.h): a person's notifications, newest first, in their language, with the unread
 * count for the badge in the app's header; marking them read. The count is not added to
 * every "me" answer: GET /me is served from the session cache without a query, and the
 * badge asks for itself. */
#include "../capability.h"
#include "../notify.h"
#include "../../core/clock.h"
#include <string.h>

typedef struct list_ctx { http_req *req; } list_ctx;

static json_t *notification_item(store_stmt *st, void *ctx)
{
    http_req *req = ((list_ctx *)ctx)->req;
    char when[32];
    clock_format_utc(store_col_int(st, 4), when, sizeof when);
    json_t *n = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0), "kind",
                          store_col_text(st, 1), "text",
                          notify_text(req->a, req->lang, store_col_text(st, 1), store_col_text(st, 2)), "link",
                          store_col_text(st, 3), "created_at", when, "read", !store_col_null(st, 5));
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    char local[32];
    clock_format_local(tz, store_col_int(st, 4), local, sizeof local);
    json_object_set_new(n, "created_text", json_string(local));
    json_t *params = json_loads(store_col_text(st, 2), 0, NULL);
    json_object_set_new(n, "params", params ? params : json_object());
    return n;
}

/* GET /notifications?unread=1 — the caller's own, newest first (the cursor runs down). */
static int notifications_list(http_req *req)
{
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    const char *unread = http_query(req, "unread");
    store_stmt *st = store_prepare(req->conn, "SELECT id, kind, params, link, created_at, read_at FROM notifications "
                                              "WHERE user_id = $1 AND ($2 = 0 OR id < $2) AND ($3 = 0 OR read_at IS "
                                                  "NULL) "
                                              "ORDER BY id DESC LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.user_id);
    store_bind_int(st, 2, cursor);
    store_bind_int(st, 3, unread && !strcmp(unread, "1"));
    store_bind_int(st, 4, limit + 1);
    list_ctx ctx = {req};
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, notification_item, &ctx, &next_after);
    json_t *out = json_pack("{s:o, s:I}", "items", items, "unread",
                            (json_int_t)store_query_int(req->conn, 0, "SELECT COUNT(*) FROM notifications WHERE "
                                                        "user_id = $1 AND read_at IS NULL", "i", req->actor.user_id));
    if (next_after) json_object_set_new(out, "next_cursor", json_sprintf("%lld", (long long)next_after));
    else json_object_set_new(out, "next_cursor", json_null());
    return http_reply(req, 200, out);
}

/* POST /notifications/read {ids: [..]} or {all: true}: only the caller's own change. */
static int notifications_read(http_req *req)
{
    json_t *ids = json_object_get(req->json, "ids");
    bool all = json_is_true(json_object_get(req->json, "all"));
    if (!all && (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > 500))
        return http_fail_field(req, "ids", "notify.err.ids");
    int64_t now = clock_now_us(), changed = 0;
    if (all) {
        if (store_run(req->conn, NULL, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                      "ii", now, req->actor.user_id) != STORE_DONE)
            return http_fail_internal(req, "read all");
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x) {
            if (!json_is_integer(x)) return http_fail_field(req, arena_printf(req->a, "ids[%zu]", i),
                "err.not_integer");
            int rc = store_run(req->conn, NULL, "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 "
                               "AND read_at IS NULL RETURNING id", "iii", now, json_integer_value(x),
                                   req->actor.user_id);
            if (rc == STORE_ROW) changed++;
            else if (rc != STORE_DONE) return http_fail_internal(req, "read");
        }
    }
    http_audit_target(req, "user", req->actor.user_id, json_pack("{s:b}", "all", all));
    return http_reply(req, 200, json_pack("{s:I, s:I}", "marked", (json_int_t)changed, "unread",
                                          (json_int_t)store_query_int(req->conn, 0,
                                              "SELECT COUNT(*) FROM notifications "
                                                                      "WHERE user_id = $1 AND read_at IS NULL", "i",
                                                                      req->actor.user_id)));
}

static const http_route notification_routes[] = {
    {"GET", "/api/v1/notifications", NULL, notifications_list, ROLES_ANY, 0, 0, NULL},
    {"POST", "/api/v1/notifications/read", NULL, notifications_read, ROLES_ANY, ROUTE_WRITE, 8192,
     "notifications.read"},
    {0},
};

/* Every capability's notification texts ({name} filled from the stored params). */
static const i18n_entry notification_messages[] = {
    {"notify.err.ids", "请给出要标为已读的通知编号（ids），或 all: true", "Give the ids to mark read, or all: true"},
    {"notify.task_fits", "有适合您的新任务：{title}（{when}，{slots} 个名额）",
        "A task that fits you: {title} ({when}, {slots} places)"},
    {"notify.shift_tomorrow", "明天的班次：{post} {when}，请确认能否到岗", "Your shift tomorrow: {post} {when}. Will you come?"},
    {"notify.promoted_shift", "候补转正：您已排上 {post} {when}", "From the waitlist: you are on {post} {when}"},
    {"notify.promoted_task", "候补转正：任务“{title}”的名额是您的了", "From the waitlist: a place on \"{title}\" is yours"},
    {"notify.rostered", "新排班已发布：您有 {count} 个班次，第一个是 {post} {when}",
     "A roster is out: {count} shifts for you, the first {post} {when}"},
    {"notify.volunteer_approved", "您的志愿者报名已通过，可以报名班次、抢任务了",
        "Your volunteer sign-up is approved: shifts and tasks are open to you"},
    {0, 0, 0},
};

static const http_route *const notification_route_tables[] = {notification_routes, NULL};
static const i18n_entry *const notification_catalogues[] = {notification_messages, NULL};

const capability notifications_capability = {
    .name = "notifications",
    .routes = notification_route_tables,
    .messages = notification_catalogues,
};
