/* receipts.c — who has seen a bulletin, per household (户): the first member of the
 * household who opened it in the app, or a leader who phoned, visited or told in person
 * a household without a smartphone (recorded on the household's behalf). Leaders see
 * the counts per block and zone of their scope and, per block, the households that have
 * not seen it: the call list, printable and exportable like every other list. */
#include "bulletins_int.h"
#include "../dashboard.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <string.h>

static const char *const receipt_methods[] = {"phone", "visit", "in_person", NULL};

/* POST /bulletins/{id}/read: opening a live bulletin records a receipt for the reader's
 * household(s) in its audience; a later reader of the same household changes nothing. */
static int bulletin_mark_read(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!bulletin_visible(req, id)) return http_fail_not_found(req);
    int64_t now = clock_now_us(), recorded = 0;
    json_t *households = json_array();
    if (bulletin_live(req, id)) {
        store_stmt *st = store_prepare(req->conn, "SELECT h.id FROM households h JOIN blocks b ON b.id = h.block_id "
                                       "JOIN bulletins x ON x.id = $3 AND x.community_id = h.community_id JOIN "
                                       "role_assignments me ON me.user_id = $2 AND me.community_id = $1 AND me.role = "
                                       "'resident' AND me.scope_kind = 'household' AND me.scope_id = h.id WHERE "
                                       SCOPE_HOUSEHOLD_READ " AND " BUL_AUDIENCE " ORDER BY h.id LIMIT 8");
        if (!st) return http_fail_internal(req, store_errmsg(req->conn));
        scope_bind(req, st);
        store_bind_int(st, 3, id);
        int64_t ids[8];
        int n = 0;
        while (n < 8 && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
        store_done(st);
        for (int i = 0; i < n; i++) {
            int rc = store_run(req->conn, NULL, "INSERT INTO bulletin_receipts (community_id, bulletin_id, "
                               "household_id, read_at, reader_id, method) VALUES ($1, $2, $3, $4, $5, 'app') ON "
                               "CONFLICT (community_id, bulletin_id, household_id) DO NOTHING RETURNING id", "iiiii",
                               req->actor.community_id, id, ids[i], now, req->actor.user_id);
            if (rc == STORE_ROW) recorded++;
            else if (rc != STORE_DONE) return http_fail_internal(req, "receipt");
            store_stmt *r;
            if (store_run(req->conn, &r, "SELECT read_at, method, reader_id FROM bulletin_receipts WHERE "
                          "community_id = $1 AND bulletin_id = $2 AND household_id = $3", "iii",
                          req->actor.community_id, id, ids[i]) == STORE_ROW) {
                json_array_append_new(households, json_pack("{s:I, s:o, s:s, s:b}", "household_id",
                                                            (json_int_t)ids[i], "read_at",
                                                            bulletin_time_json(store_col_int(r, 0)), "method",
                                                            store_col_text(r, 1), "first",
                                                            store_col_int(r, 2) == req->actor.user_id));
                store_done(r);
            }
        }
    }
    http_audit_target(req, "bulletin", id, json_pack("{s:I}", "receipts", (json_int_t)recorded));
    return http_reply(req, 200, json_pack("{s:I, s:I, s:o}", "bulletin_id", (json_int_t)id, "recorded",
                                          (json_int_t)recorded, "households", households));
}

/* POST /bulletins/{id}/receipts/{household} {method}: a leader of the household's block
 * (or zone, or the committee) confirms it was told by phone, visit or in person. */
static int bulletin_confirm(http_req *req)
{
    int64_t id, hid;
    const char *method;
    if (!http_param_id(req, "id", &id) || !http_param_id(req, "household", &hid)) return -1;
    if (!http_body_str(req, "method", 1, 16, &method)) return -1;
    bool known = false;
    for (int i = 0; receipt_methods[i]; i++) known |= !strcmp(method, receipt_methods[i]);
    if (!known) return http_fail_field(req, "method", "bul.err.method");
    store_stmt *st = store_prepare(req->conn, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                                   "JOIN bulletins x ON x.id = $3 AND x.community_id = h.community_id AND x.state = "
                                   "'published' AND x.publish_at <= $5 WHERE h.id = $4 AND " SCOPE_HOUSEHOLD
                                   " AND " BUL_AUDIENCE);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t now = clock_now_us();
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    store_bind_int(st, 4, hid);
    store_bind_int(st, 5, now);
    bool ok = store_step(st) == STORE_ROW && store_col_int(st, 0) > 0;
    store_done(st);
    if (!ok) return http_fail_not_found(req);
    int rc = store_run(req->conn, NULL, "INSERT INTO bulletin_receipts (community_id, bulletin_id, household_id, "
                       "read_at, method, confirmed_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_id, "
                       "bulletin_id, household_id) DO NOTHING RETURNING id", "iiiiti", req->actor.community_id, id,
                       hid, now, method, req->actor.user_id);
    if (rc != STORE_ROW && rc != STORE_DONE) return http_fail_internal(req, "receipt");
    bool already = rc == STORE_DONE;
    /* The audit names the person the household was told through: its first resident. */
    req->on_behalf_of = store_query_int(req->conn, 0, "SELECT MIN(id) FROM residents WHERE household_id = $1 AND "
                                        "moved_out_at IS NULL", "i", hid);
    if (store_run(req->conn, &st, "SELECT read_at, method FROM bulletin_receipts WHERE community_id = $1 AND "
                  "bulletin_id = $2 AND household_id = $3", "iii", req->actor.community_id, id, hid) != STORE_ROW)
        return http_fail_internal(req, "receipt");
    json_t *receipt = json_pack("{s:I, s:I, s:o, s:s, s:s}", "bulletin_id", (json_int_t)id, "household_id",
                                (json_int_t)hid, "read_at", bulletin_time_json(store_col_int(st, 0)), "read_text",
                                bulletin_local_time(req, store_col_int(st, 0)), "method", store_col_text(st, 1));
    store_done(st);
    http_audit_target(req, "bulletin", id, json_pack("{s:I, s:s, s:b, s:b}", "household_id", (json_int_t)hid,
                                                     "method", method, "on_behalf", 1, "already", already));
    json_t *out = json_pack("{s:o, s:b, s:s}", "receipt", receipt, "already", already, "message",
                            i18n_text(req->lang, already ? "bul.ok.already" : "bul.ok.confirmed"));
    return http_reply(req, already ? 200 : 201, out);
}

/* Counts per block of the audience in the leader's scope. */
#define RECEIPT_BLOCKS \
    "SELECT b.id, b.name, b.zone_id, z.name, (SELECT COUNT(*) FROM households h WHERE h.community_id = " \
    "b.community_id AND h.block_id = b.id AND h.status <> 'vacant'), (SELECT COUNT(*) FROM bulletin_receipts r " \
    "JOIN households h ON h.id = r.household_id WHERE r.community_id = b.community_id AND r.bulletin_id = x.id AND " \
    "h.block_id = b.id AND h.status <> 'vacant'), (SELECT COUNT(*) FROM bulletin_receipts r JOIN households h ON " \
    "h.id = r.household_id WHERE r.community_id = b.community_id AND r.bulletin_id = x.id AND h.block_id = b.id " \
    "AND h.status <> 'vacant' AND r.method <> 'app') FROM blocks b LEFT JOIN zones z ON z.id = b.zone_id JOIN " \
    "bulletins x ON x.id = $3 AND x.community_id = b.community_id WHERE " SCOPE_BLOCK " AND " BUL_AUDIENCE \
    " ORDER BY b.zone_id, b.sort_order, b.id"

static void add_counts(json_t *o, int64_t households, int64_t read, int64_t confirmed)
{
    json_object_set_new(o, "households", json_integer(json_integer_value(json_object_get(o, "households")) +
                                                      households));
    json_object_set_new(o, "read", json_integer(json_integer_value(json_object_get(o, "read")) + read));
    json_object_set_new(o, "confirmed", json_integer(json_integer_value(json_object_get(o, "confirmed")) + confirmed));
    json_object_set_new(o, "unread", json_integer(json_integer_value(json_object_get(o, "households")) -
                                                  json_integer_value(json_object_get(o, "read"))));
}

/* The receipt counts per block of the leader's scope, in the zones' order, added up
 * per zone and in all (zones and totals may be NULL). 0, or -1 after a reply. */
static int receipt_counts(http_req *req, int64_t id, json_t *blocks, json_t *zones, json_t *totals)
{
    store_stmt *st = store_prepare(req->conn, RECEIPT_BLOCKS);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *zone = NULL;
    int64_t last_zone = -1;
    while (store_step(st) == STORE_ROW) {
        int64_t zid = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
        int64_t n = store_col_int(st, 4), read = store_col_int(st, 5), confirmed = store_col_int(st, 6);
        json_t *b = json_pack("{s:I, s:s, s:s?}", "block_id", (json_int_t)store_col_int(st, 0), "name",
                              store_col_text(st, 1), "zone_name", store_col_text(st, 3));
        json_object_set_new(b, "zone_id", zid ? json_integer(zid) : json_null());
        add_counts(b, n, read, confirmed);
        json_array_append_new(blocks, b);
        if (zones && (!zone || zid != last_zone)) {
            zone = json_pack("{s:s?}", "name", store_col_text(st, 3));
            json_object_set_new(zone, "zone_id", zid ? json_integer(zid) : json_null());
            json_array_append_new(zones, zone);
            last_zone = zid;
        }
        if (zone) add_counts(zone, n, read, confirmed);
        if (totals) add_counts(totals, n, read, confirmed);
    }
    store_done(st);
    return 0;
}

/* GET /bulletins/{id}/receipts: {totals, zones[], blocks[]} within the leader's scope. */
static int bulletin_receipts(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!bulletin_visible(req, id)) return http_fail_not_found(req);
    json_t *blocks = json_array(), *zones = json_array(), *totals = json_object();
    json_t *out = json_pack("{s:I, s:o, s:o, s:o}", "bulletin_id", (json_int_t)id, "totals", totals, "zones", zones,
                            "blocks", blocks);
    if (receipt_counts(req, id, blocks, zones, totals)) {
        json_decref(out);
        return -1;
    }
    add_counts(totals, 0, 0, 0);
    return http_reply(req, 200, out);
}

static const list_column receipt_columns[] = {
    {"zone_name", "bul.col.zone"}, {"name", "bul.col.block"}, {"households", "bul.col.households"},
    {"read", "bul.col.read"}, {"confirmed", "bul.col.confirmed"}, {"unread", "bul.col.unread"}, {0, 0},
};

/* GET /bulletins/{id}/receipts/blocks: the same counts, one row a block, as a list the
 * leader exports or prints (every block of the scope on one page: no cursor). */
static int bulletin_receipt_blocks(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!bulletin_visible(req, id)) return http_fail_not_found(req);
    json_t *blocks = json_array();
    if (receipt_counts(req, id, blocks, NULL, NULL)) {
        json_decref(blocks);
        return -1;
    }
    return http_reply_list(req, "bul.list.receipts", receipt_columns, blocks, 0);
}

static json_t *unread_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:I, s:s, s:s?, s:s, s:s?, s:b}", "id", (json_int_t)store_col_int(st, 0), "room",
                     store_col_text(st, 1), "block_id", (json_int_t)store_col_int(st, 2), "block_name",
                     store_col_text(st, 3), "phone", store_col_text(st, 4), "status", store_col_text(st, 5),
                     "contact", store_col_text(st, 6), "no_smartphone", store_col_int(st, 7) > 0);
}

static const list_column unread_columns[] = {
    {"block_name", "bul.col.block"}, {"room", "bul.col.room"}, {"contact", "bul.col.contact"},
    {"phone", "bul.col.phone"}, {"status", "bul.col.status"}, {"no_smartphone", "bul.col.no_smartphone"}, {0, 0},
};

/* GET /bulletins/{id}/unread?block_id=: the households in the leader's scope and the
 * audience that have no receipt — whom to call. Exportable and printable. */
static int bulletin_unread(http_req *req)
{
    int64_t id, block = 0;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *q = http_query(req, "block_id");
    if (q && *q && (!str_is_int(q, &block) || block < 1)) return http_fail_field(req, "block_id", "err.not_integer");
    if (!bulletin_visible(req, id)) return http_fail_not_found(req);
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn,
        "SELECT h.id, h.room, b.id, b.name, h.phone, h.status, (SELECT r.name FROM residents r WHERE r.household_id = "
        "h.id AND r.moved_out_at IS NULL ORDER BY r.id LIMIT 1), (SELECT COUNT(*) FROM residents r JOIN "
        "resident_flags f ON f.resident_id = r.id AND f.flag = 'no_smartphone' AND f.cleared_at IS NULL WHERE "
        "r.household_id = h.id AND r.moved_out_at IS NULL) FROM households h JOIN blocks b ON b.id = h.block_id "
        "JOIN bulletins x ON x.id = $3 AND x.community_id = h.community_id WHERE " SCOPE_HOUSEHOLD " AND "
        BUL_AUDIENCE " AND h.status <> 'vacant' AND ($4 = 0 OR b.id = $4) AND NOT EXISTS (SELECT 1 FROM "
        "bulletin_receipts rc WHERE rc.community_id = h.community_id AND rc.bulletin_id = x.id AND rc.household_id = "
        "h.id) AND h.id > $5 ORDER BY h.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    store_bind_int(st, 4, block);
    store_bind_int(st, 5, http_list_cursor(req));
    store_bind_int(st, 6, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, unread_item, NULL, &next_after);
    return http_reply_list(req, "bul.list.unread", unread_columns, items, next_after);
}

/* Published today in the actor's sight, and the households of the latest urgent
 * bulletin that have not seen it (leader scope): for leaders. */
void bulletin_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, BUL_LEADERS) || !req->actor.community_id) return;
    int64_t now = clock_now_us();
    const char *today = bulletin_local_day(req, now);
    int y, m, d;
    if (!clock_parse_date(today, &y, &m, &d)) return;
    int64_t day = clock_days_from_civil(y, m, d), noon = day * 86400 + 12 * 3600;
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    int64_t start = (day * 86400 - clock_tz_offset(tz, noon)) * 1000000;
    store_stmt *st = store_prepare(req->conn, "SELECT COUNT(*) FROM bulletins x WHERE " BUL_VISIBLE
                                   " AND x.state = 'published' AND x.publish_at >= $5 AND x.publish_at <= $4");
    if (st) {
        bulletin_visible_bind(req, st, now);
        store_bind_int(st, 5, start);
        int64_t n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
        store_done(st);
        dashboard_tile(req, tiles, "bulletins_today", "bul.tile.today", n, "bul.unit.bulletins");
        dashboard_tile_link(tiles, "/bulletins");
    }
    st = store_prepare(req->conn, "SELECT x.id FROM bulletins x WHERE " BUL_VISIBLE " AND x.kind = 'urgent' AND "
                                  "x.state = 'published' AND x.publish_at <= $4 ORDER BY x.publish_at DESC, x.id DESC "
                                  "LIMIT 1");
    if (!st) return;
    bulletin_visible_bind(req, st, now);
    int64_t urgent = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!urgent) return;
    st = store_prepare(req->conn, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id JOIN "
                                  "bulletins x ON x.id = $3 AND x.community_id = h.community_id WHERE "
                                  SCOPE_HOUSEHOLD " AND " BUL_AUDIENCE " AND h.status <> 'vacant' AND NOT EXISTS "
                                  "(SELECT 1 FROM bulletin_receipts rc WHERE rc.community_id = h.community_id AND "
                                  "rc.bulletin_id = x.id AND rc.household_id = h.id)");
    if (!st) return;
    scope_bind(req, st);
    store_bind_int(st, 3, urgent);
    int64_t unread = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    dashboard_tile(req, tiles, "bulletin_urgent_unread", "bul.tile.urgent_unread", unread, "bul.unit.households");
    dashboard_tile_link(tiles, arena_printf(req->a, "/bulletins/%lld/receipts", (long long)urgent));
}

const http_route receipt_routes[] = {
    {"POST", "/api/v1/bulletins/{id}/read", NULL, bulletin_mark_read, BUL_READERS, ROUTE_WRITE, 256, "bulletin.read"},
    {"POST", "/api/v1/bulletins/{id}/receipts/{household}", NULL, bulletin_confirm, BUL_LEADERS, ROUTE_WRITE, 256,
     "bulletin.confirm"},
    {"GET", "/api/v1/bulletins/{id}/receipts", NULL, bulletin_receipts, BUL_LEADERS, 0, 0, NULL},
    {"GET", "/api/v1/bulletins/{id}/receipts/blocks", NULL, bulletin_receipt_blocks, BUL_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"GET", "/api/v1/bulletins/{id}/unread", NULL, bulletin_unread, BUL_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};

const i18n_entry receipt_messages[] = {
    {"bul.list.unread", "未读通告的住户（电话通知名单）", "Households that have not seen the bulletin (call list)"},
    {"bul.list.receipts", "通告回执（按楼组）", "Bulletin receipts by block"},
    {"bul.col.zone", "片区", "Zone"},
    {"bul.col.households", "户数", "Households"},
    {"bul.col.read", "已读", "Read"},
    {"bul.col.confirmed", "已确认", "Confirmed"},
    {"bul.col.unread", "未读", "Unread"},
    {"bul.col.block", "楼组", "Block"},
    {"bul.col.room", "房号", "Room"},
    {"bul.col.contact", "联系人", "Contact"},
    {"bul.col.phone", "电话", "Phone"},
    {"bul.col.status", "居住状态", "Status"},
    {"bul.col.no_smartphone", "无智能手机", "No smartphone"},
    {"bul.err.method", "方式只能是 phone、visit 或 in_person", "Method must be phone, visit or in_person"},
    {"bul.ok.confirmed", "已记录：该户已知晓通告", "Recorded: the household has been told"},
    {"bul.ok.already", "该户此前已读过", "The household had seen it already"},
    {"bul.tile.today", "今日发布的通告", "Bulletins published today"},
    {"bul.tile.urgent_unread", "最新紧急通告未读户数", "Households yet to see the latest urgent bulletin"},
    {"bul.unit.bulletins", "份", "bulletins"},
    {"bul.unit.households", "户", "households"},
    {0, 0, 0},
};
