/* care.c — point-to-point care (点对点关爱), the reading side: the vulnerable residents of
 * a leader's scope with or without a carer, the "not checked today" list, a carer's
 * people of today, one resident's care history and the accounts that may be carers.
 * Tables in 029_care.sql; writes in care_write.c, the hourly upkeep in care_upkeep.c. */
#include "care_int.h"
#include "../../core/clock.h"
#include <stdlib.h>
#include <string.h>

const char *const care_rhythms[] = {"daily_call", "daily_visit", "twice_weekly_visit", "weekly_call", NULL};
const char *const care_outcomes[] = {"fine", "needs", "not_reached", NULL};
static const char *const care_flag_words[] = {"alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden",
                                              NULL};

bool care_word_in(const char *word, const char *const *list)
{
    for (; word && *list; list++)
        if (!strcmp(word, *list)) return true;
    return false;
}

const char *care_tz(http_req *req)
{
    const char *tz = req->actor.community_timezone;
    return tz && *tz ? tz : "Asia/Shanghai";
}

void care_days_at(const char *tz, int64_t now, care_days *d)
{
    int y, m, dd;
    clock_local_date(tz, now, d->today, sizeof d->today);
    if (!clock_parse_date(d->today, &y, &m, &dd)) y = 1970, m = 1, dd = 1;
    int64_t day = clock_days_from_civil(y, m, dd);
    clock_format_date(day - 2, d->twice);
    clock_format_date(day - 6, d->weekly);
}

void care_bind_days(http_req *req, store_stmt *st)
{
    care_days d;
    care_days_at(care_tz(req), clock_now_us(), &d);
    scope_bind(req, st);
    store_bind_text(st, 3, d.today);
    store_bind_text(st, 4, d.twice);
    store_bind_text(st, 5, d.weekly);
}

json_t *care_time(http_req *req, store_stmt *st, int col)
{
    if (store_col_null(st, col)) return json_null();
    char local[32];
    clock_format_local(care_tz(req), store_col_int(st, col), local, sizeof local);
    return json_string(local);
}

static const char *care_word(http_req *req, const char *prefix, const char *word)
{
    return i18n_text(req->lang, arena_printf(req->a, "%s%s", prefix, word ? word : ""));
}

/* ---------------------------------------------------------------- one row */

/* Columns every list selects, in this order; the FROM joins r, h, b and (maybe) a, u. */
#define CARE_ROW_COLUMNS \
    "SELECT r.id, r.name, r.phone, h.phone, h.room, b.id, b.name, a.id, a.rhythm, a.start_date, a.note, " \
    "u.id, u.display_name, " CARE_LAST_CONTACT ", CASE WHEN a.id IS NOT NULL AND " CARE_DUE " THEN 1 ELSE 0 END, " \
    "a.missed_flagged_at, r.household_id, " \
    "(SELECT MAX(k.at) FROM care_checkins k WHERE k.community_id = $1 AND k.resident_id = r.id) "
#define CARE_ROW_FROM \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "

static json_t *care_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *phone = store_col_text(st, 2);
    if (!phone || !*phone) phone = store_col_text(st, 3);
    json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:[], s:s, s:b, s:b}",
                             "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
                             "phone", phone ? phone : "", "room", store_col_text(st, 4),
                             "block_id", (json_int_t)store_col_int(st, 5), "block_name", store_col_text(st, 6),
                             "household_id", (json_int_t)store_col_int(st, 16), "flags", "flags_text", "",
                             "due", store_col_int(st, 14) != 0, "missed", !store_col_null(st, 15));
    const char *last = store_col_text(st, 13);
    json_object_set_new(item, "last_contact_on", last ? json_string(last) : json_null());
    json_object_set_new(item, "last_checkin_at", care_time(req, st, 17));
    if (store_col_null(st, 7)) {
        json_object_set_new(item, "assignment", json_null());
        json_object_set_new(item, "carer_name", json_string(""));
        json_object_set_new(item, "rhythm_text", json_string(""));
    } else {
        const char *rhythm = store_col_text(st, 8);
        json_object_set_new(item, "assignment",
                            json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(st, 7),
                                      "rhythm", rhythm, "rhythm_text", care_word(req, "care.rhythm.", rhythm),
                                      "start_date", store_col_text(st, 9), "note", store_col_text(st, 10),
                                      "carer_user_id", (json_int_t)store_col_int(st, 11), "carer_name",
                                      store_col_text(st, 12)));
        json_object_set_new(item, "carer_name", json_string(store_col_text(st, 12)));
        json_object_set_new(item, "rhythm_text", json_string(care_word(req, "care.rhythm.", rhythm)));
    }
    json_object_set_new(item, "state_text",
                        json_string(i18n_text(req->lang, store_col_null(st, 7) ? "care.state.nobody"
                                                         : !store_col_null(st, 15) ? "care.state.missed"
                                                         : store_col_int(st, 14) ? "care.state.due"
                                                                                 : "care.state.ok")));
    return item;
}

static int64_t care_item_id(json_t *items, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(items, i), "id"));
}

/* The current care flags of the listed residents (ids ascending), in one query over
 * their id range. */
static int care_add_flags(http_req *req, json_t *items)
{
    size_t count = json_array_size(items), i = 0;
    if (!count) return 0;
    store_stmt *st = store_prepare(req->conn, "SELECT resident_id, flag FROM resident_flags WHERE community_id = $1 "
                                              "AND cleared_at IS NULL AND resident_id >= $2 AND resident_id <= $3 "
                                              "AND flag IN (" CARE_FLAGS ") ORDER BY resident_id, id");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, care_item_id(items, 0));
    store_bind_int(st, 3, care_item_id(items, count - 1));
    while (store_step(st) == STORE_ROW) {
        int64_t rid = store_col_int(st, 0);
        while (i < count && care_item_id(items, i) < rid) i++;
        if (i == count) break;
        if (care_item_id(items, i) != rid) continue;
        json_t *item = json_array_get(items, i);
        const char *flag = store_col_text(st, 1), *text = json_string_value(json_object_get(item, "flags_text"));
        json_array_append_new(json_object_get(item, "flags"), json_string(flag));
        json_object_set_new(item, "flags_text", json_string(arena_printf(req->a, "%s%s%s", text, *text ? ", " : "",
                                                                          care_word(req, "reg.flag.", flag))));
    }
    store_done(st);
    return 0;
}

/* A list of one block says which on screen and on paper. */
static const char *care_title(http_req *req, const char *key, int64_t block_id)
{
    const char *title = i18n_text(req->lang, key);
    if (block_id <= 0) return title;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM blocks WHERE community_id = $1 AND id = $2", "ii",
                  req->actor.community_id, block_id) != STORE_ROW)
        return title;
    title = arena_printf(req->a, "%s · %s", title, store_col_text(st, 0));
    store_done(st);
    return title;
}

static bool care_query_id(http_req *req, const char *name, int64_t *out)
{
    const char *v = http_query(req, name);
    *out = 0;
    if (!v || !*v) return true;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n <= 0) return http_fail_field(req, name, "care.err.id"), false;
    *out = n;
    return true;
}

/* ---------------------------------------------------------------- lists */

static const list_column care_resident_columns[] = {
    {"block_name", "care.col.block"}, {"room", "care.col.room"}, {"name", "care.col.name"},
    {"phone", "care.col.phone"}, {"flags_text", "care.col.flags"}, {"carer_name", "care.col.carer"},
    {"rhythm_text", "care.col.rhythm"}, {"last_contact_on", "care.col.last_contact"},
    {"state_text", "care.col.state"}, {0, 0},
};

/* GET /care/residents?block_id=&flag=&carer=none|assigned&due=1 — the vulnerable residents
 * of the leader's scope, with their carer if any ("who has nobody": carer=none). */
static int care_residents(http_req *req)
{
    int64_t block_id;
    if (!care_query_id(req, "block_id", &block_id)) return -1;
    const char *flag = http_query(req, "flag"), *carer = http_query(req, "carer"), *due = http_query(req, "due");
    if (flag && *flag && !care_word_in(flag, care_flag_words)) return http_fail_field(req, "flag", "care.err.flag");
    if (carer && *carer && strcmp(carer, "none") && strcmp(carer, "assigned"))
        return http_fail_field(req, "carer", "care.err.carer_filter");
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, CARE_ROW_COLUMNS CARE_ROW_FROM
        "LEFT JOIN care_assignments a ON a.community_id = $1 AND a.resident_id = r.id AND a.ended_at IS NULL "
        "LEFT JOIN users u ON u.id = a.carer_user_id "
        "WHERE r.community_id = $1 AND r.moved_out_at IS NULL AND " CARE_VULNERABLE " AND " SCOPE_HOUSEHOLD
        " AND ($6 = 0 OR h.block_id = $6) AND ($7 = '' OR EXISTS (SELECT 1 FROM resident_flags g WHERE "
        "g.community_id = $1 AND g.resident_id = r.id AND g.cleared_at IS NULL AND g.flag = $7)) "
        "AND ($8 = '' OR ($8 = 'none' AND a.id IS NULL) OR ($8 = 'assigned' AND a.id IS NOT NULL)) "
        "AND ($9 = 0 OR (a.id IS NOT NULL AND " CARE_DUE ")) AND r.id > $10 ORDER BY r.id LIMIT $11");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    care_bind_days(req, st);
    store_bind_int(st, 6, block_id);
    store_bind_text(st, 7, flag ? flag : "");
    store_bind_text(st, 8, carer ? carer : "");
    store_bind_int(st, 9, due && !strcmp(due, "1"));
    store_bind_int(st, 10, http_list_cursor(req));
    store_bind_int(st, 11, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, care_row, req, &next_after);
    if (care_add_flags(req, items) < 0) {
        json_decref(items);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    return http_reply_list(req, care_title(req, carer && !strcmp(carer, "none") ? "care.list.nobody"
                                                                                 : "care.list.residents", block_id),
                           care_resident_columns, items, next_after);
}

static const list_column care_due_columns[] = {
    {"block_name", "care.col.block"}, {"room", "care.col.room"}, {"name", "care.col.name"},
    {"phone", "care.col.phone"}, {"carer_name", "care.col.carer"}, {"rhythm_text", "care.col.rhythm"},
    {"last_contact_on", "care.col.last_contact"}, {"state_text", "care.col.state"}, {0, 0},
};

/* GET /care/due?block_id= — "not checked today": residents of the scope whose rhythm
 * says a contact was due and none is recorded. Printable per block or for all. */
static int care_due(http_req *req)
{
    int64_t block_id;
    if (!care_query_id(req, "block_id", &block_id)) return -1;
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, CARE_ROW_COLUMNS CARE_ROW_FROM
        "JOIN care_assignments a ON a.community_id = $1 AND a.resident_id = r.id "
        "JOIN users u ON u.id = a.carer_user_id "
        "WHERE r.community_id = $1 AND " CARE_ACTIVE " AND " CARE_DUE " AND " SCOPE_HOUSEHOLD
        " AND ($6 = 0 OR h.block_id = $6) AND r.id > $7 ORDER BY r.id LIMIT $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    care_bind_days(req, st);
    store_bind_int(st, 6, block_id);
    store_bind_int(st, 7, http_list_cursor(req));
    store_bind_int(st, 8, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, care_row, req, &next_after);
    if (care_add_flags(req, items) < 0) {
        json_decref(items);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    return http_reply_list(req, care_title(req, "care.list.due", block_id), care_due_columns, items, next_after);
}

/* GET /care/mine — the residents assigned to the caller now, each saying whether a
 * contact is due today. Nobody assigned: an empty list. */
static int care_mine(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, CARE_ROW_COLUMNS CARE_ROW_FROM
        "JOIN care_assignments a ON a.community_id = $1 AND a.resident_id = r.id "
        "JOIN users u ON u.id = a.carer_user_id "
        "WHERE r.community_id = $1 AND a.carer_user_id = $2 AND " CARE_ACTIVE " AND r.id > $6 "
        "ORDER BY r.id LIMIT $7");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    care_bind_days(req, st);
    store_bind_int(st, 6, http_list_cursor(req));
    store_bind_int(st, 7, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, care_row, req, &next_after);
    if (care_add_flags(req, items) < 0) {
        json_decref(items);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    return http_reply_list(req, "care.list.mine", care_due_columns, items, next_after);
}

/* ---------------------------------------------------------------- one resident */

/* GET /care/residents/{id} — the resident as a leader of their scope or their carer
 * sees them: today's state, the open assignment, earlier ones and the check-ins. */
static int care_resident(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn, CARE_ROW_COLUMNS CARE_ROW_FROM
        "LEFT JOIN care_assignments a ON a.community_id = $1 AND a.resident_id = r.id AND a.ended_at IS NULL "
        "AND " CARE_VULNERABLE " LEFT JOIN users u ON u.id = a.carer_user_id "
        "WHERE r.id = $6 AND r.community_id = $1 AND r.moved_out_at IS NULL AND ((" SCOPE_HOUSEHOLD ") "
        "OR (a.carer_user_id = $2 AND " CARE_VULNERABLE "))");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    care_bind_days(req, st);
    store_bind_int(st, 6, id);
    json_t *r = store_step(st) == STORE_ROW ? care_row(st, req) : NULL;
    store_done(st);
    if (!r) return http_fail_not_found(req);
    json_t *items = json_array();
    json_array_append(items, r);
    care_add_flags(req, items);
    json_decref(items);
    json_object_set_new(r, "i_lead", json_boolean(store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON "
        "b.id = h.block_id WHERE r.id = $3 AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id,
        req->actor.user_id, id) > 0));

    json_t *past = json_array();
    st = store_prepare(req->conn, "SELECT a.id, a.rhythm, a.start_date, a.created_at, a.ended_at, a.end_reason, "
                                  "u.display_name, a.carer_user_id FROM care_assignments a JOIN users u ON u.id = "
                                  "a.carer_user_id WHERE a.community_id = $1 AND a.resident_id = $2 "
                                  "ORDER BY a.id DESC");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            const char *reason = store_col_text(st, 5);
            json_t *a = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s?, s:s}", "id", (json_int_t)store_col_int(st, 0),
                                  "rhythm", store_col_text(st, 1), "rhythm_text",
                                  care_word(req, "care.rhythm.", store_col_text(st, 1)), "start_date",
                                  store_col_text(st, 2), "created_at", care_time(req, st, 3), "ended_at",
                                  care_time(req, st, 4), "end_reason", reason, "carer_name",
                                  http_by_label(req, store_col_int(st, 7), store_col_text(st, 6)) ?: "");
            json_object_set_new(a, "end_reason_text",
                                reason ? json_string(care_word(req, "care.end.", reason)) : json_null());
            json_array_append_new(past, a);
        }
        store_done(st);
    }
    json_object_set_new(r, "assignments", past);

    json_t *checkins = json_array();
    st = store_prepare(req->conn, "SELECT k.id, k.at, k.kind, k.outcome, k.needs, k.help_request_id, k.as_leader, "
                                  "k.recorded_by, u.display_name FROM care_checkins k JOIN users u ON u.id = "
                                  "k.recorded_by WHERE k.community_id = $1 AND k.resident_id = $2 "
                                  "ORDER BY k.at DESC, k.id DESC LIMIT 200");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            json_t *k = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id",
                                  (json_int_t)store_col_int(st, 0), "at", care_time(req, st, 1), "kind",
                                  store_col_text(st, 2), "kind_text", care_word(req, "care.kind.",
                                                                                 store_col_text(st, 2)),
                                  "outcome", store_col_text(st, 3), "outcome_text",
                                  care_word(req, "care.outcome.", store_col_text(st, 3)), "needs",
                                  store_col_text(st, 4), "as_leader", store_col_int(st, 6) != 0, "by",
                                  http_by_label(req, store_col_int(st, 7), store_col_text(st, 8)) ?: "");
            json_object_set_new(k, "help_request_id",
                                store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
            json_array_append_new(checkins, k);
        }
        store_done(st);
    }
    json_object_set_new(r, "checkins", checkins);
    return http_reply(req, 200, json_pack("{s:o}", "resident", r));
}

/* ---------------------------------------------------------------- carers */

/* GET /care/carers?q= — the accounts of the community a leader may name as a carer
 * (volunteers and leaders), with how many people each looks after now. */
static int care_carers(http_req *req)
{
    const char *q = http_query(req, "q");
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn,
        "SELECT u.id, u.display_name, (SELECT COUNT(*) FROM care_assignments a WHERE a.community_id = $1 AND "
        "a.carer_user_id = u.id AND a.ended_at IS NULL), (SELECT v.phone FROM volunteers v WHERE v.community_id = "
        "$1 AND v.user_id = u.id) FROM users u WHERE u.community_id = $1 AND u.disabled = 0 AND EXISTS (SELECT 1 "
        "FROM role_assignments ra WHERE ra.user_id = u.id AND ra.community_id = $1 AND ra.role IN ('volunteer', "
        "'committee', 'zone_leader', 'block_leader')) AND ($2 = '' OR u.display_name LIKE ('%' || $2 || '%') "
        "OR u.username = $2) AND u.id > $3 ORDER BY u.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, q ? q : "");
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    while (store_step(st) == STORE_ROW) {
        if (n++ == limit) break;
        last = store_col_int(st, 0);
        json_t *c = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)last, "name",
                              http_by_label(req, last, store_col_text(st, 1)) ?: "", "assigned",
                              (json_int_t)store_col_int(st, 2));
        json_object_set_new(c, "phone", store_col_null(st, 3) ? json_null() : json_string(store_col_text(st, 3)));
        json_array_append_new(items, c);
    }
    bool more = n > limit;
    store_done(st);
    return http_reply_list(req, "care.list.carers", NULL, items, more ? last : 0);
}

const http_route care_routes[] = {
    {"GET", "/api/v1/care/residents", NULL, care_residents, CARE_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/care/residents/{id}", NULL, care_resident, CARE_MEMBERS, 0, 0, NULL},
    {"GET", "/api/v1/care/due", NULL, care_due, CARE_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/care/mine", NULL, care_mine, CARE_MEMBERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/care/carers", NULL, care_carers, CARE_LEADERS, 0, 0, NULL},
    {0},
};

const i18n_entry care_messages[] = {
    {"care.list.residents", "点对点关爱名单", "Point-to-point care"},
    {"care.list.nobody", "尚无关爱人的重点人群", "Vulnerable residents without a carer"},
    {"care.list.due", "今日未联系", "Not checked today"},
    {"care.list.mine", "我今天的关爱对象", "My people today"},
    {"care.list.carers", "可担任关爱人的人员", "Possible carers"},
    {"care.col.name", "姓名", "Name"},
    {"care.col.block", "楼组", "Block"},
    {"care.col.room", "门牌", "Room"},
    {"care.col.phone", "电话", "Phone"},
    {"care.col.flags", "重点人群类别", "Vulnerability"},
    {"care.col.carer", "关爱人", "Carer"},
    {"care.col.rhythm", "联系频次", "Rhythm"},
    {"care.col.last_contact", "最近联系", "Last contact"},
    {"care.col.state", "状态", "Status"},
    {"care.state.nobody", "无人关爱", "Nobody assigned"},
    {"care.state.due", "今日待联系", "Due today"},
    {"care.state.missed", "连续未联系", "Missed running"},
    {"care.state.ok", "已联系", "Contacted"},
    {"care.rhythm.daily_call", "每日电话", "Daily call"},
    {"care.rhythm.daily_visit", "每日上门", "Daily visit"},
    {"care.rhythm.twice_weekly_visit", "每周上门两次", "Visit twice a week"},
    {"care.rhythm.weekly_call", "每周电话", "Weekly call"},
    {"care.kind.call", "电话", "Call"},
    {"care.kind.visit", "上门", "Visit"},
    {"care.outcome.fine", "一切正常", "Fine"},
    {"care.outcome.needs", "有需求", "Needs something"},
    {"care.outcome.not_reached", "未联系上", "Not reached"},
    {"care.end.changed", "更换关爱人", "Carer changed"},
    {"care.end.ended", "结束关爱", "Ended"},
    {"care.end.moved_out", "已迁出", "Moved out"},
    {"care.end.flag_cleared", "已不属重点人群", "No longer vulnerable"},
    {"care.err.id", "应为正整数编号", "Must be a positive id"},
    {"care.err.flag", "类别只能是 alone_elderly、disabled、pregnant、chronic_illness 或 bedridden",
     "Flag must be alone_elderly, disabled, pregnant, chronic_illness or bedridden"},
    {"care.err.carer_filter", "只能是 none（无人关爱）或 assigned（已有关爱人）", "Must be none or assigned"},
    {0, 0, 0},
};
