/* help.c — help requests (求助): asking, reading, the lists and the committee's limits.
 * Tables in 026_help_requests.sql; the steps after asking are in help_flow.c, the
 * escalation timer in help_timer.c.
 *
 * A request is for a household (and a resident of it when known). A resident asks for
 * their own household; a block or zone leader or committee staff asks for a resident of
 * their scope (`resident_id`), in person for someone without a smartphone (on_behalf)
 * or as a phone call taken (`channel: phone`). It goes to the household's block leader
 * with a deadline to acknowledge (help_settings, by urgency); help_timer.c moves it up
 * to the zone leader and then the committee when nobody answers. */
#include "help_int.h"
#include "../notify.h"
#include "../outbox.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <string.h>

const char *const help_kinds[] = {"medicine", "medical_visit", "exit", "supplies", "care", "repair", "psych", "other",
                                  NULL};
const char *const help_states[] = {"new", "acknowledged", "in_progress", "done", "cancelled", "declined", NULL};
static const char *const help_urgencies[] = {"urgent", "normal", NULL};
/* What a kind may carry beside the summary (medicine: which, and where from). */
static const char *const help_detail_keys[] = {"medicine", "pharmacy", "hospital", "destination", "dose", NULL};

bool help_word_in(const char *word, const char *const *list)
{
    for (; word && *list; list++)
        if (!strcmp(word, *list)) return true;
    return false;
}

bool help_state_open(const char *state)
{
    return state && (!strcmp(state, "new") || !strcmp(state, "acknowledged") || !strcmp(state, "in_progress"));
}

int64_t help_ack_limit_s(store_conn *c, int64_t community_id, const char *urgency)
{
    bool urgent = urgency && !strcmp(urgency, "urgent");
    return store_query_int(c, urgent ? HELP_URGENT_ACK_S : HELP_NORMAL_ACK_S,
                           urgent ? "SELECT urgent_ack_s FROM help_settings WHERE community_id = $1"
                                  : "SELECT normal_ack_s FROM help_settings WHERE community_id = $1",
                           "i", community_id);
}

const char *help_route_level(store_conn *c, int64_t community_id, int64_t block_id, int64_t zone_id, int from)
{
    if (from <= 0 && store_query_int(c, 0, "SELECT COUNT(*) FROM role_assignments WHERE community_id = $1 "
                                     "AND role = 'block_leader' AND scope_kind = 'block' AND scope_id = $2", "ii",
                                     community_id, block_id) > 0)
        return "block";
    if (from <= 1 && zone_id && store_query_int(c, 0, "SELECT COUNT(*) FROM role_assignments WHERE community_id = $1 "
                                                "AND role = 'zone_leader' AND scope_kind = 'zone' AND scope_id = $2",
                                                "ii", community_id, zone_id) > 0)
        return "zone";
    return "committee";
}

int64_t help_notify_level(store_conn *c, int64_t community_id, const char *level, int64_t block_id, int64_t zone_id,
                          const char *kind, json_t *params, int64_t request_id)
{
    char link[48];
    snprintf(link, sizeof link, "/help/%lld", (long long)request_id);
    if (!strcmp(level, "block"))
        return notify_users_from(c, community_id, kind, params, link, "SELECT user_id FROM role_assignments WHERE "
                                 "community_id = $1 AND role = 'block_leader' AND scope_kind = 'block' AND "
                                     "scope_id = $2",
                                 "i", block_id, 0);
    if (!strcmp(level, "zone"))
        return notify_users_from(c, community_id, kind, params, link, "SELECT user_id FROM role_assignments WHERE "
                                 "community_id = $1 AND role = 'zone_leader' AND scope_kind = 'zone' AND "
                                     "scope_id = $2",
                                 "i", zone_id, 0);
    return notify_users_from(c, community_id, kind, params, link, "SELECT user_id FROM role_assignments WHERE "
                             "community_id = $1 AND role = 'committee'", "", 0, 0);
}

int help_event(store_conn *c, int64_t community_id, int64_t request_id, int64_t user_id, const char *kind,
               const char *state, const char *level, const char *text)
{
    store_stmt *st = store_prepare(c, "INSERT INTO help_events (community_id, request_id, at, user_id, kind, state, "
                                      "level, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    if (!st) return -1;
    store_bind_int(st, 1, community_id);
    store_bind_int(st, 2, request_id);
    store_bind_int(st, 3, clock_now_us());
    if (user_id) store_bind_int(st, 4, user_id); else store_bind_null(st, 4);
    store_bind_text(st, 5, kind);
    store_bind_text(st, 6, state);
    store_bind_text(st, 7, level);
    store_bind_text(st, 8, text);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- reading */

static json_t *help_time(http_req *req, store_stmt *st, int col)
{
    if (store_col_null(st, col)) return json_null();
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    char local[32];
    clock_format_local(tz, store_col_int(st, col), local, sizeof local);
    return json_string(local);
}

#define HELP_SELECT \
    "SELECT r.id, r.kind, r.urgency, r.summary, r.details, r.state, r.level, r.ack_due_at, r.acknowledged_at, " \
    "r.handed_to, r.handed_at, r.reason, r.channel, r.created_at, r.finished_at, h.id, h.room, b.name, " \
    "rs.name, r.contact_phone, av.id, av.name, r.escalations, " HELP_IS_LEADER ", " \
    "CASE WHEN av.user_id = $2 THEN 1 ELSE 0 END, r.created_by, cu.display_name, rs.phone, CAST($3 AS BIGINT) " \
    HELP_FROM "LEFT JOIN residents rs ON rs.id = r.resident_id LEFT JOIN users cu ON cu.id = r.created_by "

static json_t *help_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    int64_t now = store_col_int(st, 28);
    const char *state = store_col_text(st, 5);
    bool overdue = !strcmp(state, "new") && store_col_int(st, 7) <= now;
    json_t *r = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:b, s:b}",
                          "id", (json_int_t)store_col_int(st, 0), "kind", store_col_text(st, 1), "urgency",
                          store_col_text(st, 2), "summary", store_col_text(st, 3), "state", state, "level",
                          store_col_text(st, 6), "overdue", overdue, "channel", store_col_text(st, 12),
                          "household_id", (json_int_t)store_col_int(st, 15), "room", store_col_text(st, 16),
                          "block_name", store_col_text(st, 17), "resident_name", store_col_text(st, 18),
                          "reason", store_col_text(st, 11), "escalations", (json_int_t)store_col_int(st, 22),
                          "i_lead", (int)store_col_int(st, 23), "i_am_assigned", (int)store_col_int(st, 24));
    /* The stored words in the reader's language, for exports, prints and the app. */
    static const char *const words[][2] = {{"kind", "help.kind.%s"}, {"urgency", "help.urgency.%s"},
                                           {"state", "help.state.%s"}, {"level", "help.level.%s"}};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        json_object_set_new(r, arena_printf(req->a, "%s_text", words[i][0]),
                            json_string(i18n_text(req->lang, arena_printf(req->a, words[i][1],
                                json_string_value(json_object_get(r, words[i][0]))))));
    json_t *details = json_loads(store_col_text(st, 4), 0, NULL);
    json_object_set_new(r, "details", details ? details : json_object());
    const char *phone = !store_col_null(st, 19) ? store_col_text(st, 19) : store_col_text(st, 27);
    json_object_set_new(r, "phone", phone ? json_string(phone) : json_null());
    json_object_set_new(r, "on_behalf", json_boolean(strcmp(store_col_text(st, 12), "app") != 0));
    json_object_set_new(r, "created_by",
                        json_string(http_by_label(req, store_col_int(st, 25), store_col_text(st, 26)) ?: ""));
    json_object_set_new(r, "created_at", help_time(req, st, 13));
    json_object_set_new(r, "ack_due_at", help_time(req, st, 7));
    json_object_set_new(r, "acknowledged_at", help_time(req, st, 8));
    json_object_set_new(r, "finished_at", help_time(req, st, 14));
    json_object_set_new(r, "handed_to", store_col_null(st, 9) ? json_null() : json_string(store_col_text(st, 9)));
    json_object_set_new(r, "handed_at", help_time(req, st, 10));
    json_object_set_new(r, "age_minutes", json_integer((now - store_col_int(st, 13)) / 60000000));
    json_object_set_new(r, "assigned_volunteer",
                        store_col_null(st, 20) ? json_null()
                                               : json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 20),
                                                           "name", store_col_text(st, 21)));
    return r;
}

static void help_bind(http_req *req, store_stmt *st)
{
    scope_bind(req, st);
    store_bind_int(st, 3, clock_now_us());
}

int help_reply(http_req *req, int status, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, HELP_SELECT "WHERE r.id = $4 AND " HELP_VISIBLE);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    help_bind(req, st);
    store_bind_int(st, 4, id);
    json_t *r = store_step(st) == STORE_ROW ? help_item(st, req) : NULL;
    store_done(st);
    if (!r) return http_fail_not_found(req);
    json_t *timeline = json_array();
    st = store_prepare(req->conn, "SELECT e.id, e.at, e.user_id, u.display_name, e.kind, e.state, e.level, e.text "
                                  "FROM help_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.community_id = $1 "
                                  "AND e.request_id = $2 ORDER BY e.id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            const char *who = store_col_null(st, 2) ? i18n_text(req->lang, "help.by_timer")
                                                    : http_by_label(req, store_col_int(st, 2), store_col_text(st, 3));
            json_t *e = json_pack("{s:I, s:o, s:s, s:s, s:s?, s:s?, s:s?}", "id", (json_int_t)store_col_int(st, 0),
                                  "at", help_time(req, st, 1), "by", who ? who : "", "kind", store_col_text(st, 4),
                                  "state", store_col_text(st, 5), "level", store_col_text(st, 6), "text",
                                  store_col_text(st, 7));
            json_array_append_new(timeline, e);
        }
        store_done(st);
    }
    json_object_set_new(r, "timeline", timeline);
    json_t *files = json_array();
    st = store_prepare(req->conn, "SELECT id, name, type, size FROM help_attachments WHERE community_id = $1 AND "
                                  "request_id = $2 ORDER BY id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(files, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0),
                                                   "name", store_col_text(st, 1), "type", store_col_text(st, 2),
                                                   "size", (json_int_t)store_col_int(st, 3)));
        store_done(st);
    }
    json_object_set_new(r, "attachments", files);
    return http_reply(req, status, json_pack("{s:o}", "request", r));
}

static int help_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return help_reply(req, 200, id);
}

static const list_column help_columns[] = {
    {"id", "col.id"}, {"created_at", "help.col.created_at"}, {"kind_text", "help.col.kind"},
    {"urgency_text", "help.col.urgency"}, {"state_text", "help.col.state"}, {"block_name", "help.col.block"},
    {"room", "help.col.room"}, {"resident_name", "col.name"}, {"summary", "help.col.summary"},
    {"level_text", "help.col.level"}, {0, 0},
};

/* GET /help-requests?state=open|<state>&overdue=1&kind=&urgency=&block_id=&assigned=me — newest
 * first; what the actor may see (a resident: their household's; a volunteer: theirs). */
static int help_list(http_req *req)
{
    const char *state = http_query(req, "state"), *kind = http_query(req, "kind"), *urg = http_query(req, "urgency");
    const char *overdue = http_query(req, "overdue"), *block = http_query(req, "block_id");
    const char *assigned = http_query(req, "assigned");
    if (state && *state && strcmp(state, "open") && !help_word_in(state, help_states))
        return http_fail_field(req, "state", "help.err.state");
    if (kind && *kind && !help_word_in(kind, help_kinds)) return http_fail_field(req, "kind", "help.err.kind");
    if (urg && *urg && !help_word_in(urg, help_urgencies)) return http_fail_field(req, "urgency", "help.err.urgency");
    int64_t block_id = block && *block ? strtoll(block, NULL, 10) : 0;
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn, HELP_SELECT "WHERE " HELP_VISIBLE " AND ($4 = 0 OR r.id < $4) "
                                   "AND ($5 = '' OR ($5 = 'open' AND r.state IN ('new', 'acknowledged', "
                                       "'in_progress')) "
                                   "OR r.state = $5) AND ($6 = '' OR r.kind = $6) AND ($7 = '' OR r.urgency = $7) "
                                   "AND ($8 = 0 OR (r.state = 'new' AND r.ack_due_at <= $3)) "
                                   "AND ($9 = 0 OR r.block_id = $9) AND ($10 = 0 OR av.user_id = $2) "
                                   "ORDER BY r.id DESC LIMIT $11");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    help_bind(req, st);
    store_bind_int(st, 4, cursor);
    store_bind_text(st, 5, state ? state : "");
    store_bind_text(st, 6, kind ? kind : "");
    store_bind_text(st, 7, urg ? urg : "");
    store_bind_int(st, 8, overdue && !strcmp(overdue, "1"));
    store_bind_int(st, 9, block_id);
    store_bind_int(st, 10, assigned && !strcmp(assigned, "me"));
    store_bind_int(st, 11, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, help_item, req, &next_after);
    return http_reply_list(req, "help.list.title", help_columns, items, next_after);
}

/* ---------------------------------------------------------------- asking */

/* The household the request is for, and its resident when known: the caller's own
 * household (a resident), or a resident or household of the leader's scope. Sets
 * on_behalf; false with the error set. */
static bool help_requester(http_req *req, int64_t *household, int64_t *resident, bool *on_behalf)
{
    int64_t rid = 0, hid = 0;
    bool has_rid = false, has_hid = false;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &rid, &has_rid)) return false;
    if (!http_body_int_opt(req, "household_id", 1, INT64_MAX, &hid, &has_hid)) return false;
    *household = *resident = 0;
    *on_behalf = has_rid || has_hid;
    if (*on_behalf) {
        if (!actor_has(&req->actor, HELP_LEADERS))
            return http_fail(req, 403, "forbidden", has_rid ? "resident_id" : "household_id", "err.forbidden"), false;
        store_stmt *st;
        int rc = has_rid ? store_run(req->conn, &st, "SELECT h.id, r.id FROM residents r JOIN households h ON h.id = "
                                     "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND "
                                     "r.moved_out_at IS NULL AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id,
                                     req->actor.user_id, rid)
                         : store_run(req->conn, &st, "SELECT h.id, 0 FROM households h JOIN blocks b ON b.id = "
                                     "h.block_id WHERE h.id = $3 AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id,
                                     req->actor.user_id, hid);
        if (rc == STORE_ROW) *household = store_col_int(st, 0), *resident = store_col_int(st, 1);
        if (rc == STORE_ROW) store_done(st);
        if (!*household)
            return http_fail_field(req, has_rid ? "resident_id" : "household_id", "help.err.requester"), false;
        return true;
    }
    for (int i = 0; i < req->actor.n_roles; i++)
        if (req->actor.role_list[i].role == ROLE_RESIDENT && req->actor.role_list[i].scope_kind == 'h')
            *household = req->actor.role_list[i].scope_id;
    if (!*household) return http_fail_field(req, "resident_id", "err.required"), false;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                         "WHERE h.id = $3 AND " SCOPE_HOUSEHOLD_READ, "iii", req->actor.community_id,
                         req->actor.user_id, *household))
        return http_fail(req, 403, "forbidden", NULL, "help.err.moved_out"), false;
    *resident = store_query_int(req->conn, 0, "SELECT ac.resident_id FROM resident_accounts ac JOIN residents r ON "
                                "r.id = ac.resident_id WHERE ac.user_id = $1 AND r.household_id = $2 AND "
                                "r.moved_out_at IS NULL", "ii", req->actor.user_id, *household);
    return true;
}

/* details: an object of short strings under the known keys; NULL with the error set. */
static char *help_details(http_req *req)
{
    json_t *d = json_object_get(req->json, "details");
    if (!d || json_is_null(d)) return arena_strdup(req->a, "{}");
    if (!json_is_object(d)) return http_fail_field(req, "details", "help.err.details"), NULL;
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v) {
        const char *field = arena_printf(req->a, "details.%s", key);
        if (!help_word_in(key, help_detail_keys)) return http_fail_field(req, field, "help.err.detail_key"), NULL;
        if (!json_is_string(v) || json_string_length(v) > 200 || validate_utf8(json_string_value(v)))
            return http_fail_field(req, field, "help.err.detail_value"), NULL;
    }
    char *s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = s ? arena_strdup(req->a, s) : NULL;
    free(s);
    return out;
}

int64_t help_request_insert(http_req *req, const help_new *n)
{
    int64_t community = req->actor.community_id, now = clock_now_us();
    const char *level = help_route_level(req->conn, community, n->block, n->zone, 0);
    int64_t due = now + help_ack_limit_s(req->conn, community, n->urgency) * 1000000;
    store_stmt *st = store_prepare(req->conn, "INSERT INTO help_requests (community_id, household_id, block_id, "
                                   "zone_id, resident_id, kind, urgency, summary, details, contact_phone, state, "
                                   "level, ack_due_at, due_at, channel, created_by, created_at, updated_at) VALUES "
                                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11, $12, $12, $13, $14, $15, "
                                   "$15) RETURNING id");
    if (!st) return 0;
    store_bind_int(st, 1, community);
    store_bind_int(st, 2, n->household);
    store_bind_int(st, 3, n->block);
    if (n->zone) store_bind_int(st, 4, n->zone); else store_bind_null(st, 4);
    if (n->resident) store_bind_int(st, 5, n->resident); else store_bind_null(st, 5);
    store_bind_text(st, 6, n->kind);
    store_bind_text(st, 7, n->urgency);
    store_bind_text(st, 8, n->summary);
    store_bind_text(st, 9, n->details ? n->details : "{}");
    store_bind_text(st, 10, n->phone);
    store_bind_text(st, 11, level);
    store_bind_int(st, 12, due);
    store_bind_text(st, 13, n->channel);
    store_bind_int(st, 14, req->actor.user_id);
    store_bind_int(st, 15, now);
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id || help_event(req->conn, community, id, req->actor.user_id, "created", "new", level, NULL) < 0) return 0;
    bool urgent = !strcmp(n->urgency, "urgent");
    json_t *params = json_pack("{s:s}", "summary", n->summary);
    int64_t told = help_notify_level(req->conn, community, level, n->block, n->zone,
                                     urgent ? "help_urgent" : "help_new", params, id);
    json_decref(params);
    if (told < 0) return 0;
    if (!urgent) return id;
    /* An urgent request also goes to the committee's chat groups that take it. */
    store_stmt *bn;
    const char *where = "";
    if (store_run(req->conn, &bn, "SELECT b.name FROM blocks b WHERE b.id = $1", "i", n->block) == STORE_ROW) {
        where = arena_strdup(req->a, store_col_text(bn, 0));
        store_done(bn);
    }
    const char *text = arena_printf(req->a, "%s · %s · %s", i18n_text(LANG_ZH, arena_printf(req->a, "help.kind.%s",
                                    n->kind)), where, n->summary);
    if (outbox_event(req->conn, community, "help.urgent", arena_printf(req->a, "help:%lld:urgent", (long long)id),
                     i18n_text(LANG_ZH, "help.outbox.urgent"), text, arena_printf(req->a, "/help/%lld",
                         (long long)id)) < 0)
        return 0;
    return id;
}

/* POST /help-requests {kind, urgency, summary, details?, contact_phone?, resident_id? |
 * household_id?, channel?} */
static int help_create(http_req *req)
{
    const char *kind, *urgency, *summary, *phone = NULL, *channel = NULL;
    if (!http_body_str(req, "kind", 1, 32, &kind)) return -1;
    if (!help_word_in(kind, help_kinds)) return http_fail_field(req, "kind", "help.err.kind");
    if (!http_body_str(req, "urgency", 1, 16, &urgency)) return -1;
    if (!help_word_in(urgency, help_urgencies)) return http_fail_field(req, "urgency", "help.err.urgency");
    if (!http_body_str(req, "summary", 1, 1000, &summary)) return -1;
    if (!http_body_str_opt(req, "contact_phone", 1, 32, &phone)) return -1;
    if (phone && validate_phone(phone)) return http_fail_field(req, "contact_phone", validate_phone(phone));
    if (!http_body_str_opt(req, "channel", 1, 16, &channel)) return -1;
    if (channel && strcmp(channel, "phone") && strcmp(channel, "in_person"))
        return http_fail_field(req, "channel", "help.err.channel");
    char *details = help_details(req);
    if (!details) return -1;
    int64_t household, resident;
    bool on_behalf;
    if (!help_requester(req, &household, &resident, &on_behalf)) return -1;
    if (channel && !on_behalf) return http_fail_field(req, "channel", "help.err.channel_own");
    const char *stored_channel = !on_behalf ? "app" : channel && !strcmp(channel, "phone") ? "phone" : "on_behalf";

    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT h.block_id, b.zone_id FROM households h JOIN blocks b ON b.id = h.block_id "
                  "WHERE h.id = $1", "i", household) != STORE_ROW)
        return http_fail_internal(req, "help household");
    int64_t block = store_col_int(st, 0), zone = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
    store_done(st);
    help_new r = {.household = household, .block = block, .zone = zone, .resident = resident, .kind = kind,
                  .urgency = urgency, .summary = summary, .details = details, .phone = phone,
                  .channel = stored_channel};
    int64_t id = help_request_insert(req, &r);
    if (!id) return http_fail_internal(req, "help insert");
    if (on_behalf && resident) req->on_behalf_of = resident;
    http_audit_target(req, "help_request", id, json_pack("{s:s, s:s, s:s}", "kind", kind, "urgency", urgency,
                                                         "channel", stored_channel));
    return help_reply(req, 201, id);
}

/* ---------------------------------------------------------------- limits */

static int help_settings_get(http_req *req)
{
    int64_t c = req->actor.community_id;
    return http_reply(req, 200, json_pack("{s:I, s:I}", "urgent_ack_s",
                                          (json_int_t)help_ack_limit_s(req->conn, c, "urgent"), "normal_ack_s",
                                          (json_int_t)help_ack_limit_s(req->conn, c, "normal")));
}

/* PUT /help-settings {urgent_ack_s, normal_ack_s}: from a second (for drills) to a week.
 * New deadlines apply to requests asked from now on. */
static int help_settings_put(http_req *req)
{
    int64_t urgent = 0, normal = 0;
    bool has_u = false, has_n = false;
    if (!http_body_int_opt(req, "urgent_ack_s", 1, 7 * 86400, &urgent, &has_u)) return -1;
    if (!has_u) return http_fail_field(req, "urgent_ack_s", "err.required");
    if (!http_body_int_opt(req, "normal_ack_s", 1, 7 * 86400, &normal, &has_n)) return -1;
    if (!has_n) return http_fail_field(req, "normal_ack_s", "err.required");
    if (urgent > normal) return http_fail_field(req, "urgent_ack_s", "help.err.urgent_longer");
    int64_t c = req->actor.community_id, now = clock_now_us();
    int rc = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM help_settings WHERE community_id = $1", "i", c)
                 ? store_run(req->conn, NULL, "UPDATE help_settings SET urgent_ack_s = $2, normal_ack_s = $3, "
                             "updated_by = $4, updated_at = $5 WHERE community_id = $1", "iiiii", c, urgent, normal,
                             req->actor.user_id, now)
                 : store_run(req->conn, NULL, "INSERT INTO help_settings (community_id, urgent_ack_s, normal_ack_s, "
                             "updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)", "iiiii", c, urgent, normal,
                             req->actor.user_id, now);
    if (rc != STORE_DONE) return http_fail_internal(req, "help settings");
    http_audit_target(req, "help_settings", c, json_pack("{s:I, s:I}", "urgent_ack_s", (json_int_t)urgent,
                                                          "normal_ack_s", (json_int_t)normal));
    return http_reply(req, 200, json_pack("{s:I, s:I}", "urgent_ack_s", (json_int_t)urgent, "normal_ack_s",
                                          (json_int_t)normal));
}

const http_route help_routes[] = {
    {"GET", "/api/v1/help-requests", NULL, help_list, HELP_MEMBERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/help-requests", NULL, help_create, HELP_LEADERS | ROLE_RESIDENT, ROUTE_WRITE, 8192,
     "help.create"},
    {"GET", "/api/v1/help-requests/{id}", NULL, help_get, HELP_MEMBERS, 0, 0, NULL},
    {"GET", "/api/v1/help-settings", NULL, help_settings_get, HELP_LEADERS, 0, 0, NULL},
    {"PUT", "/api/v1/help-settings", NULL, help_settings_put, ROLE_COMMITTEE, ROUTE_WRITE, 1024, "help.settings"},
    {0},
};

const i18n_entry help_messages[] = {
    {"help.list.title", "求助", "Help requests"},
    {"help.col.created_at", "提出时间", "Asked at"},
    {"help.col.kind", "类别", "Kind"},
    {"help.col.urgency", "紧急程度", "Urgency"},
    {"help.col.state", "状态", "Status"},
    {"help.col.block", "楼组", "Block"},
    {"help.col.room", "门牌", "Room"},
    {"help.col.summary", "内容", "What is needed"},
    {"help.col.level", "当前负责", "With"},
    {"help.by_timer", "系统（超时升级）", "System (escalation)"},
    {"help.err.kind", "类别只能是 medicine、medical_visit、exit、supplies、care、repair、psych 或 other",
     "Kind must be medicine, medical_visit, exit, supplies, care, repair, psych or other"},
    {"help.err.urgency", "紧急程度只能是 urgent（紧急）或 normal（一般）", "Urgency must be urgent or normal"},
    {"help.err.state", "状态只能是 open、new、acknowledged、in_progress、done、cancelled 或 declined",
     "Status must be open, new, acknowledged, in_progress, done, cancelled or declined"},
    {"help.err.details", "补充信息应为对象（如药名、药店）", "Details must be an object (medicine, pharmacy…)"},
    {"help.err.detail_key", "不认识的补充信息项；可用 medicine、pharmacy、hospital、destination、dose",
     "Unknown detail; use medicine, pharmacy, hospital, destination or dose"},
    {"help.err.detail_value", "应为不超过 200 字的文字", "Must be text of at most 200 characters"},
    {"help.err.channel", "来源只能是 phone（电话）或 in_person（当面）", "Channel must be phone or in_person"},
    {"help.err.channel_own", "本人提出的求助不需要填写来源", "A request for oneself has no channel"},
    {"help.err.requester", "在您负责的范围内找不到这位居民或这户", "No such resident or household in your scope"},
    {"help.err.moved_out", "您已不再住在这户，不能以这户的名义求助",
     "You no longer live in this household and cannot ask on its behalf"},
    {"help.err.urgent_longer", "紧急求助的响应时限不能长于一般求助",
     "The limit for urgent requests cannot be longer than for normal ones"},
    {"notify.help_new", "新的求助：{summary}", "New help request: {summary}"},
    {"notify.help_urgent", "紧急求助：{summary}，请尽快响应", "URGENT help request: {summary}"},
    {"help.outbox.urgent", "紧急求助", "Urgent help request"},
    {"help.outbox.escalated", "求助超时未响应，已升级", "Help request not acknowledged in time, escalated"},
    {"notify.help_escalated", "求助超时未响应，已升级给您：{summary}",
     "A help request nobody acknowledged in time is now with you: {summary}"},
    {"help.kind.medicine", "配药", "Medicine"},
    {"help.kind.medical_visit", "就医", "Hospital visit"},
    {"help.kind.exit", "出行审批", "Exit approval"},
    {"help.kind.supplies", "生活物资", "Food and supplies"},
    {"help.kind.care", "照护", "Care"},
    {"help.kind.repair", "维修", "Repair"},
    {"help.kind.psych", "心理支持", "Psychological support"},
    {"help.kind.other", "其他", "Other"},
    {"help.urgency.urgent", "紧急", "Urgent"},
    {"help.urgency.normal", "一般", "Normal"},
    {"help.state.new", "待响应", "New"},
    {"help.state.acknowledged", "已响应", "Acknowledged"},
    {"help.state.in_progress", "处理中", "In progress"},
    {"help.state.done", "已完成", "Done"},
    {"help.state.cancelled", "已取消", "Cancelled"},
    {"help.state.declined", "已婉拒", "Declined"},
    /* The audit log's target types of this folder's writes (shown as enum.<type>). */
    {"enum.help_request", "求助", "Help request"},
    {"enum.help_settings", "求助设置", "Help settings"},
    {"enum.help_pass", "通行证", "Exit pass"},
    {"enum.medicine_run", "配药批次", "Medicine run"},
    {"help.level.block", "楼组长", "Block leader"},
    {"help.level.zone", "片区长", "Zone leader"},
    {"help.level.committee", "居委会", "Committee"},
    {0, 0, 0},
};
