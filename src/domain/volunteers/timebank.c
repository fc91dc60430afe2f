/* timebank.c — verified hours and the time bank (时间银行). Tables in 018_volunteers.sql.
 *
 * Hours come from a completed shift (check-in to check-out, within the shift's hours),
 * a task its poster marked done, a leader's group credit (everyone who helped at
 * yesterday's sampling), or a manual entry that a second person confirms. Each
 * verified hours row is posted to the ledger as one transaction of two entries: the
 * volunteer's account +points, the community's 'issued' account -points, at the
 * community's rate for that kind of service (points_rules, else 10 an hour). A
 * redemption moves points from the volunteer to 'redeemed' (a gift of the community) or
 * to another volunteer (a service they gave). Entries are only ever inserted: a mistake
 * is undone by a reversal transaction with every entry negated, and a reversed hours
 * transaction marks its hours row rejected. So every balance is the sum of its entries
 * and every transaction sums to zero (GET /timebank/check proves both). */
#include "volunteers_int.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t points_rate(http_req *req, const char *kind)
{
    return store_query_int(req->conn, VOL_DEFAULT_POINTS_PER_HOUR, "SELECT points_per_hour FROM points_rules "
                           "WHERE community_id = $1 AND service_kind = $2", "it", req->actor.community_id, kind);
}

/* A new transaction row; its id, or 0 on a store error. */
static int64_t txn_open(http_req *req, const char *kind, int64_t hours_id, int64_t reverses, const char *memo)
{
    store_stmt *st = store_prepare(req->conn, "INSERT INTO ledger_txns (community_id, kind, hours_id, reverses, memo, "
                                              "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "
                                                  "id");
    if (!st) return 0;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, kind);
    if (hours_id) store_bind_int(st, 3, hours_id); else store_bind_null(st, 3);
    if (reverses) store_bind_int(st, 4, reverses); else store_bind_null(st, 4);
    store_bind_text(st, 5, memo);
    store_bind_int(st, 6, req->actor.user_id);
    store_bind_int(st, 7, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return id;
}

static int entry_add(http_req *req, int64_t txn, const char *account, int64_t volunteer_id, int64_t points)
{
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO ledger_entries (community_id, txn_id, account, volunteer_id, "
                                              "points, created_at) VALUES ($1, $2, $3, $4, $5, $6)");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, txn);
    store_bind_text(st, 3, account);
    if (volunteer_id) store_bind_int(st, 4, volunteer_id); else store_bind_null(st, 4);
    store_bind_int(st, 5, points);
    store_bind_int(st, 6, clock_now_us());
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : -1;
}

int timebank_post_hours(http_req *req, int64_t hours_id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT volunteer_id, service_kind, minutes FROM volunteer_hours WHERE id = $1 "
                  "AND community_id = $2 AND state = 'verified'", "ii", hours_id, req->actor.community_id) != STORE_ROW)
        return -1;
    int64_t vid = store_col_int(st, 0), minutes = store_col_int(st, 2);
    const char *kind = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    int64_t points = (minutes * points_rate(req, kind) + 30) / 60;
    if (points <= 0) return 0;
    int64_t txn = txn_open(req, "hours", hours_id, 0, NULL);
    if (!txn || entry_add(req, txn, "volunteer", vid, points) < 0 || entry_add(req, txn, "issued", 0, -points) < 0)
        return -1;
    return 0;
}

int64_t timebank_credit(http_req *req, int64_t volunteer_id, const char *service_kind, int64_t minutes,
                        const char *worked_on, const char *source, int64_t source_id, const char *state)
{
    bool verified = !strcmp(state, "verified");
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO volunteer_hours (community_id, volunteer_id, service_kind, minutes, worked_on, source, source_id, "
        "state, entered_by, confirmed_by, confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
            "$11, "
        "$11) ON CONFLICT DO NOTHING RETURNING id");
    if (!st) return -1;
    int64_t now = clock_now_us();
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, volunteer_id);
    store_bind_text(st, 3, service_kind);
    store_bind_int(st, 4, minutes);
    store_bind_text(st, 5, worked_on);
    store_bind_text(st, 6, source);
    if (source_id) store_bind_int(st, 7, source_id); else store_bind_null(st, 7);
    store_bind_text(st, 8, state);
    store_bind_int(st, 9, req->actor.user_id);
    if (verified) store_bind_int(st, 10, req->actor.user_id); else store_bind_null(st, 10);
    store_bind_int(st, 11, now);
    int rc = store_step(st);
    int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) return -1;
    if (!id) return 0;   /* this shift or task was credited before */
    if (verified && timebank_post_hours(req, id) < 0) return -1;
    return id;
}

void timebank_totals(http_req *req, int64_t vid, int64_t *minutes, int64_t *points)
{
    *minutes = store_query_int(req->conn, 0, "SELECT COALESCE(SUM(minutes), 0) FROM volunteer_hours WHERE "
                               "community_id = $1 AND volunteer_id = $2 AND state = 'verified'", "ii",
                               req->actor.community_id, vid);
    *points = store_query_int(req->conn, 0, "SELECT COALESCE(SUM(points), 0) FROM ledger_entries "
                              "WHERE community_id = $1 AND account = 'volunteer' AND volunteer_id = $2", "ii",
                              req->actor.community_id, vid);
}

/* ---------------------------------------------------------------- seeing a volunteer's hours */

/* The volunteer of path {id} when the actor may see it (VOL_SCOPE); 0 with 404 set. */
static int64_t visible_volunteer(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return 0;
    store_stmt *st = store_prepare(req->conn, "SELECT COUNT(*) FROM volunteers v WHERE " VOL_SCOPE " AND v.id = $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), 0;
    vol_scope_bind(req, st);
    store_bind_int(st, 4, id);
    int64_t n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!n) return http_fail_not_found(req), 0;
    return id;
}

#define HOURS_SELECT \
    "SELECT x.id, x.volunteer_id, v.name, x.service_kind, x.minutes, x.worked_on, x.source, x.source_id, x.state, " \
    "x.note, x.created_at FROM volunteer_hours x JOIN volunteers v ON v.id = x.volunteer_id WHERE x.community_id = $1 "

static json_t *hours_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *h = json_pack("{s:I, s:I, s:s, s:s, s:I, s:f, s:s, s:s, s:s, s:s?, s:o}", "id",
        (json_int_t)store_col_int(st, 0), "volunteer_id", (json_int_t)store_col_int(st, 1), "name",
        store_col_text(st, 2), "service_kind", store_col_text(st, 3), "minutes", (json_int_t)store_col_int(st, 4),
        "hours", (double)(store_col_int(st, 4) * 10 / 60) / 10.0, "worked_on", store_col_text(st, 5), "source",
        store_col_text(st, 6), "state", store_col_text(st, 8), "note", store_col_text(st, 9), "created_at",
        vol_time_json(store_col_int(st, 10)));
    json_object_set_new(h, "source_id", store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)));
    return h;
}

static const list_column hours_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"worked_on", "bank.col.worked_on"},
    {"service_kind", "task.col.service_kind"}, {"hours", "vol.col.hours"}, {"source", "bank.col.source"},
    {"state", "vol.col.state"}, {"note", "bank.col.note"}, {0, 0},
};

/* GET /volunteers/{id}/hours: one volunteer's entries (exportable). */
static int hours_of_volunteer(http_req *req)
{
    int64_t vid = visible_volunteer(req), limit = http_list_limit(req);
    if (!vid) return -1;
    store_stmt *st = store_prepare(req->conn,
        HOURS_SELECT "AND x.volunteer_id = $2 AND x.id > $3 ORDER BY x.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, hours_item, NULL, &next_after);
    return http_reply_list(req, "bank.list.hours", hours_columns, items, next_after);
}

/* GET /hours?state=&from=&to=&service_kind= : the community's hours (committee staff):
 * the street office's export, and the pending entries to confirm. */
static int hours_list(http_req *req)
{
    const char *state = http_query(req, "state"), *from = http_query(req, "from"), *to = http_query(req, "to");
    const char *kind = http_query(req, "service_kind");
    int y, m, d;
    if (state && *state && strcmp(state, "pending") && strcmp(state, "verified") && strcmp(state, "rejected"))
        return http_fail_field(req, "state", "bank.err.state");
    if (from && *from && !clock_parse_date(from, &y, &m, &d)) return http_fail_field(req, "from", "vol.err.date");
    if (to && *to && !clock_parse_date(to, &y, &m, &d)) return http_fail_field(req, "to", "vol.err.date");
    if (kind && *kind && !vol_word_in(kind, vol_service_kinds)) return http_fail_field(req, "service_kind",
        "task.err.service_kind");
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, HOURS_SELECT
        "AND ($2 = '' OR x.state = $2) AND ($3 = '' OR x.worked_on >= $3) AND ($4 = '' OR x.worked_on <= $4) "
        "AND ($5 = '' OR x.service_kind = $5) AND x.id > $6 ORDER BY x.id LIMIT $7");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, state ? state : "");
    store_bind_text(st, 3, from ? from : "");
    store_bind_text(st, 4, to ? to : "");
    store_bind_text(st, 5, kind ? kind : "");
    store_bind_int(st, 6, http_list_cursor(req));
    store_bind_int(st, 7, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, hours_item, NULL, &next_after);
    return http_reply_list(req, "bank.list.hours", hours_columns, items, next_after);
}

/* GET /volunteers/{id}/ledger: balance and the entries, newest first (at most 500). */
static int ledger_of_volunteer(http_req *req)
{
    int64_t vid = visible_volunteer(req);
    if (!vid) return -1;
    int64_t minutes, points;
    timebank_totals(req, vid, &minutes, &points);
    json_t *entries = json_array();
    store_stmt *st = store_prepare(req->conn,
        "SELECT e.id, e.txn_id, t.kind, e.points, t.memo, t.reverses, e.created_at, "
                                              "x.service_kind, x.worked_on FROM ledger_entries e JOIN ledger_txns t ON "
                                              "t.id = e.txn_id LEFT JOIN volunteer_hours x ON x.id = t.hours_id "
                                              "WHERE e.community_id = $1 AND e.account = 'volunteer' AND "
                                                  "e.volunteer_id = $2 "
                                              "ORDER BY e.id DESC LIMIT 500");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid);
    while (store_step(st) == STORE_ROW) {
        json_t *e = json_pack("{s:I, s:I, s:s, s:I, s:s?, s:o, s:s?, s:s?}", "id", (json_int_t)store_col_int(st, 0),
                              "txn", (json_int_t)store_col_int(st, 1), "kind", store_col_text(st, 2), "points",
                              (json_int_t)store_col_int(st, 3), "memo", store_col_text(st, 4), "created_at",
                              vol_time_json(store_col_int(st, 6)), "service_kind", store_col_text(st, 7), "worked_on",
                              store_col_text(st, 8));
        json_object_set_new(e, "reverses", store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
        json_array_append_new(entries, e);
    }
    store_done(st);
    return http_reply(req, 200, json_pack("{s:I, s:I, s:f, s:o}", "points", (json_int_t)points, "verified_minutes",
                                          (json_int_t)minutes, "hours", (double)(minutes * 10 / 60) / 10.0, "entries",
                                          entries));
}

/* ---------------------------------------------------------------- entering hours */

typedef struct hours_in {
    const char *kind, *worked_on, *note;
    int64_t minutes;
} hours_in;

static bool hours_parse(http_req *req, hours_in *h)
{
    int y, m, d;
    bool has;
    h->note = NULL;
    if (!http_body_str(req, "service_kind", 1, 16, &h->kind)) return false;
    if (!vol_word_in(h->kind, vol_service_kinds)) return http_fail_field(req, "service_kind", "task.err.service_kind"),
        false;
    if (!http_body_int_opt(req, "minutes", 1, 24 * 60, &h->minutes, &has)) return false;
    if (!has) return http_fail_field(req, "minutes", "err.required"), false;
    if (!http_body_str(req, "worked_on", 10, 10, &h->worked_on)) return false;
    if (!clock_parse_date(h->worked_on, &y, &m, &d)) return http_fail_field(req, "worked_on", "vol.err.date"), false;
    if (strcmp(h->worked_on, vol_local_day(req, clock_now_us())) > 0)
        return http_fail_field(req, "worked_on", "bank.err.future"), false;
    return http_body_str_opt(req, "note", 0, 200, &h->note);
}

static bool volunteer_exists(http_req *req, int64_t vid)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2", "ii",
        vid,
                           req->actor.community_id) > 0;
}

/* POST /hours {volunteer_id, service_kind, minutes, worked_on, note}: a manual entry,
 * pending until a second person confirms it. A volunteer may enter their own. */
static int hours_enter(http_req *req)
{
    hours_in h;
    int64_t vid;
    bool has;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, &has)) return -1;
    if (!has) return http_fail_field(req, "volunteer_id", "err.required");
    if (!hours_parse(req, &h)) return -1;
    bool own = vol_own(req, NULL) == vid;
    if (!own && !actor_has(&req->actor, VOL_LEADERS)) return http_fail(req, 403, "forbidden", "volunteer_id",
        "err.forbidden");
    if (!volunteer_exists(req, vid)) return http_fail_field(req, "volunteer_id", "bank.err.volunteer");
    int64_t id = timebank_credit(req, vid, h.kind, h.minutes, h.worked_on, "manual", 0, "pending");
    if (id <= 0) return http_fail_internal(req, "hours");
    if (h.note && store_run(req->conn, NULL, "UPDATE volunteer_hours SET note = $1 WHERE id = $2", "ti", h.note,
        id) != STORE_DONE)
        return http_fail_internal(req, "hours note");
    http_audit_target(req, "volunteer_hours", id, json_pack("{s:I}", "volunteer_id", (json_int_t)vid));
    return http_reply(req, 201, json_pack("{s:{s:I, s:s}}", "hours", "id", (json_int_t)id, "state", "pending"));
}

/* POST /hours/{id}/confirm {approve: true|false}: a second person (not who entered it,
 * not the volunteer) verifies or rejects a manual entry. */
static int hours_confirm(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *a = json_object_get(req->json, "approve");
    if (!json_is_boolean(a)) return http_fail_field(req, "approve", "bank.err.approve");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT x.state, x.entered_by, v.user_id FROM volunteer_hours x JOIN volunteers v ON "
                  "v.id = x.volunteer_id WHERE x.id = $1 AND x.community_id = $2", "ii", id, req->actor.community_id) !=
        STORE_ROW)
        return http_fail_not_found(req);
    bool pending = !strcmp(store_col_text(st, 0), "pending");
    int64_t entered_by = store_col_int(st, 1), owner = store_col_int(st, 2);
    store_done(st);
    if (!pending) return http_fail(req, 409, "conflict", NULL, "bank.err.not_pending");
    if (entered_by == req->actor.user_id || owner == req->actor.user_id)
        return http_fail(req, 409, "conflict", NULL, "bank.err.second_person");
    bool approve = json_is_true(a);
    if (store_run(req->conn, NULL, "UPDATE volunteer_hours SET state = $1, confirmed_by = $2, confirmed_at = $3 "
                  "WHERE id = $4 AND community_id = $5", "tiiii", approve ? "verified" : "rejected", req->actor.user_id,
                  clock_now_us(), id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "hours confirm");
    if (approve && timebank_post_hours(req, id) < 0) return http_fail_internal(req, "hours post");
    http_audit_target(req, "volunteer_hours", id, json_pack("{s:b}", "approve", approve));
    return http_reply(req, 200, json_pack("{s:{s:I, s:s}}", "hours", "id", (json_int_t)id, "state",
                                          approve ? "verified" : "rejected"));
}

/* POST /hours/group {volunteer_ids: [...], service_kind, minutes, worked_on, note}: a
 * leader credits everyone who helped at once (verified: the leader saw them). */
static int hours_group(http_req *req)
{
    hours_in h;
    json_t *ids = json_object_get(req->json, "volunteer_ids");
    if (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > 1000)
        return http_fail_field(req, "volunteer_ids", "bank.err.volunteer_ids");
    if (!hours_parse(req, &h)) return -1;
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x) {
        if (!json_is_integer(x) || !volunteer_exists(req, json_integer_value(x)))
            return http_fail_field(req, arena_printf(req->a, "volunteer_ids[%zu]", i), "bank.err.volunteer");
    }
    int credited = 0;
    json_array_foreach(ids, i, x) {
        int64_t id = timebank_credit(req, json_integer_value(x), h.kind, h.minutes, h.worked_on, "group", 0,
            "verified");
        if (id < 0) return http_fail_internal(req, "group credit");
        if (h.note && store_run(req->conn, NULL, "UPDATE volunteer_hours SET note = $1 WHERE id = $2", "ti", h.note,
            id) !=
            STORE_DONE)
            return http_fail_internal(req, "hours note");
        credited++;
    }
    http_audit_target(req, "volunteer_hours", 0, json_pack("{s:i, s:s}", "credited", credited, "service_kind", h.kind));
    return http_reply(req, 201, json_pack("{s:i}", "credited", credited));
}

/* ---------------------------------------------------------------- redemptions, reversals */

/* POST /redemptions {volunteer_id, points, memo, provider_volunteer_id?}: points spent
 * on a community gift, or paid to another volunteer for a service. Committee staff
 * record either; a volunteer may pay another volunteer from their own account. */
static int redemption_create(http_req *req)
{
    int64_t vid, points, provider = 0;
    bool has_v, has_p, has_provider;
    const char *memo;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, &has_v)) return -1;
    if (!has_v) return http_fail_field(req, "volunteer_id", "err.required");
    if (!http_body_int_opt(req, "points", 1, 1000000, &points, &has_p)) return -1;
    if (!has_p) return http_fail_field(req, "points", "err.required");
    if (!http_body_str(req, "memo", 1, 200, &memo)) return -1;
    if (!http_body_int_opt(req, "provider_volunteer_id", 1, INT64_MAX, &provider, &has_provider)) return -1;
    bool staff = vol_is_staff(req);
    if (!staff && (vol_own(req, NULL) != vid || !has_provider)) return http_fail(req, 403, "forbidden", NULL,
        "err.forbidden");
    if (!volunteer_exists(req, vid)) return http_fail_field(req, "volunteer_id", "bank.err.volunteer");
    if (has_provider && (provider == vid || !volunteer_exists(req, provider)))
        return http_fail_field(req, "provider_volunteer_id", "bank.err.volunteer");
    /* Lock the payer first, so two redemptions at once cannot both spend one balance. */
    if (store_run(req->conn, NULL, "UPDATE volunteers SET updated_at = $1 WHERE id = $2", "ii", clock_now_us(),
        vid) != STORE_DONE)
        return http_fail_internal(req, "lock");
    int64_t minutes, balance;
    timebank_totals(req, vid, &minutes, &balance);
    if (balance < points) return http_fail(req, 409, "conflict", "points", "bank.err.balance");
    int64_t txn = txn_open(req, has_provider ? "service" : "redemption", 0, 0, memo);
    if (!txn || entry_add(req, txn, "volunteer", vid, -points) < 0 ||
        entry_add(req, txn, has_provider ? "volunteer" : "redeemed", has_provider ? provider : 0, points) < 0)
        return http_fail_internal(req, "redemption");
    http_audit_target(req, "ledger_txn", txn, json_pack("{s:I, s:I}", "volunteer_id", (json_int_t)vid, "points",
        (json_int_t)points));
    return http_reply(req, 201, json_pack("{s:I, s:I}", "txn", (json_int_t)txn, "balance",
        (json_int_t)(balance - points)));
}

/* POST /ledger/{txn}/reverse {memo}: committee staff undo a transaction by its mirror
 * image; the hours behind a reversed hours transaction become rejected. */
static int ledger_reverse(http_req *req)
{
    int64_t txn;
    const char *memo;
    if (!http_param_id(req, "txn", &txn)) return -1;
    if (!http_body_str(req, "memo", 1, 200, &memo)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT kind, hours_id FROM ledger_txns WHERE id = $1 AND community_id = $2", "ii",
        txn,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    bool reversal = !strcmp(store_col_text(st, 0), "reversal");
    int64_t hours_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
    store_done(st);
    if (reversal) return http_fail(req, 409, "conflict", NULL, "bank.err.reverse_reversal");
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM ledger_txns WHERE community_id = $1 AND reverses = $2",
        "ii",
                        req->actor.community_id, txn))
        return http_fail(req, 409, "conflict", NULL, "bank.err.reversed");
    int64_t back = txn_open(req, "reversal", hours_id, txn, memo);
    if (!back) return http_fail_internal(req, "reversal");
    if (store_run(req->conn, NULL, "INSERT INTO ledger_entries (community_id, txn_id, account, volunteer_id, points, "
                  "created_at) SELECT community_id, $1, account, volunteer_id, -points, $2 FROM ledger_entries "
                  "WHERE community_id = $3 AND txn_id = $4", "iiii", back, clock_now_us(), req->actor.community_id,
                      txn) !=
        STORE_DONE)
        return http_fail_internal(req, "reversal entries");
    if (hours_id && store_run(req->conn, NULL, "UPDATE volunteer_hours SET state = 'rejected' WHERE id = $1", "i",
        hours_id) !=
        STORE_DONE)
        return http_fail_internal(req, "reversal hours");
    http_audit_target(req, "ledger_txn", txn, json_pack("{s:I}", "reversal", (json_int_t)back));
    return http_reply(req, 201, json_pack("{s:I}", "txn", (json_int_t)back));
}

/* GET /timebank/check: the ledger's two invariants over the whole community —
 * transactions that do not sum to zero (must be 0) and volunteers whose shown balance
 * differs from the sum of their entries (must be 0) — with the totals. */
static int timebank_check(http_req *req)
{
    int64_t c = req->actor.community_id;
    int64_t unbalanced = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM (SELECT txn_id FROM ledger_entries "
                                         "WHERE community_id = $1 GROUP BY txn_id HAVING SUM(points) <> 0) u", "i", c);
    int64_t total = store_query_int(req->conn, 0,
        "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE community_id = $1", "i", c);
    int64_t held = store_query_int(req->conn, 0,
        "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE community_id = $1 "
                                   "AND account = 'volunteer'", "i", c);
    int64_t issued = store_query_int(req->conn, 0,
        "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE community_id = $1 "
                                     "AND account = 'issued'", "i", c);
    int64_t redeemed = store_query_int(req->conn, 0, "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE "
                                       "community_id = $1 AND account = 'redeemed'", "i", c);
    int64_t txns = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM ledger_txns WHERE community_id = $1", "i", c);
    return http_reply(req, 200, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "transactions", (json_int_t)txns,
                                          "unbalanced_transactions", (json_int_t)unbalanced, "sum_of_all_entries",
                                          (json_int_t)total, "held_by_volunteers", (json_int_t)held, "issued",
                                          (json_int_t)-issued, "redeemed", (json_int_t)redeemed, "balanced",
                                          unbalanced == 0 && total == 0));
}

/* ---------------------------------------------------------------- totals, rules, certificate */

/* GET /timebank/summary?month=YYYY-MM : hours by kind and by month, and the leaderboard. */
static int timebank_summary(http_req *req)
{
    int64_t c = req->actor.community_id;
    json_t *by_kind = json_array(), *by_month = json_array(), *board = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT service_kind, SUM(minutes), COUNT(DISTINCT volunteer_id) FROM "
                                              "volunteer_hours WHERE community_id = $1 AND state = 'verified' "
                                              "GROUP BY service_kind ORDER BY service_kind");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, c);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(by_kind, json_pack("{s:s, s:I, s:I}", "service_kind", store_col_text(st, 0), "minutes",
                                                 (json_int_t)store_col_int(st, 1), "volunteers",
                                                     (json_int_t)store_col_int(st, 2)));
    store_done(st);
    st = store_prepare(req->conn, "SELECT SUBSTR(worked_on, 1, 7), SUM(minutes) FROM volunteer_hours WHERE "
                                  "community_id = $1 AND state = 'verified' GROUP BY SUBSTR(worked_on, 1, 7) "
                                  "ORDER BY SUBSTR(worked_on, 1, 7)");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, c);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(by_month, json_pack("{s:s, s:I}", "month", store_col_text(st, 0), "minutes",
                                                  (json_int_t)store_col_int(st, 1)));
    store_done(st);
    st = store_prepare(req->conn, "SELECT v.id, v.name, SUM(x.minutes) FROM volunteer_hours x JOIN volunteers v ON "
                                  "v.id = x.volunteer_id WHERE x.community_id = $1 AND x.state = 'verified' "
                                  "GROUP BY v.id, v.name ORDER BY SUM(x.minutes) DESC, v.id LIMIT 20");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, c);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(board, json_pack("{s:I, s:s, s:I}", "volunteer_id", (json_int_t)store_col_int(st, 0),
                                               "name", store_col_text(st, 1), "minutes", (json_int_t)store_col_int(st,
                                                   2)));
    store_done(st);
    return http_reply(req, 200, json_pack("{s:o, s:o, s:o}", "by_kind", by_kind, "by_month", by_month, "leaderboard",
        board));
}

static int rules_get(http_req *req)
{
    json_t *rules = json_object();
    for (int i = 0; vol_service_kinds[i]; i++)
        json_object_set_new(rules, vol_service_kinds[i], json_integer(points_rate(req, vol_service_kinds[i])));
    return http_reply(req, 200, json_pack("{s:o}", "points_per_hour", rules));
}

/* PUT /points-rules/{kind} {points_per_hour}: applies to hours verified from now on. */
static int rules_put(http_req *req)
{
    const char *kind = http_param(req, "kind");
    int64_t pph;
    bool has;
    if (!vol_word_in(kind, vol_service_kinds)) return http_fail_field(req, "service_kind", "task.err.service_kind");
    if (!http_body_int_opt(req, "points_per_hour", 0, 1000, &pph, &has)) return -1;
    if (!has) return http_fail_field(req, "points_per_hour", "err.required");
    if (store_run(req->conn, NULL, "INSERT INTO points_rules (community_id, service_kind, points_per_hour) VALUES "
                  "($1, $2, $3) ON CONFLICT (community_id, service_kind) DO UPDATE SET points_per_hour = $3", "iti",
                  req->actor.community_id, kind, pph) != STORE_DONE)
        return http_fail_internal(req, "rules");
    http_audit_target(req, "community", req->actor.community_id, json_pack("{s:s}", "service_kind", kind));
    return rules_get(req);
}

/* GET /volunteers/{id}/certificate: the printable honour certificate (荣誉证书) with the
 * verified hours and the community's name. */
static int certificate(http_req *req)
{
    int64_t vid = visible_volunteer(req);
    if (!vid) return -1;
    int64_t minutes, points;
    timebank_totals(req, vid, &minutes, &points);
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM volunteers WHERE id = $1", "i", vid) != STORE_ROW)
        return http_fail_not_found(req);
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    bool zh = req->lang == LANG_ZH;
    const char *community = req->actor.community_name ? req->actor.community_name : "";
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, req->lang == LANG_EN ? "<!doctype html><html lang=\"en\">" : "<!doctype html><html lang=\"zh-CN\">");
    buf_puts(&b, "<head><meta charset=\"utf-8\"><title>");
    buf_html_escape(&b, i18n_text(req->lang, "bank.cert.title"));
    buf_puts(&b,
        "</title><style>@page{size:A4 landscape;margin:15mm}body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',"
                 "serif;text-align:center;border:6px double #b22;padding:20mm;margin:0}h1{font-size:44pt;color:#b22;"
                 "margin:0 0 12mm}p{font-size:18pt;line-height:1.8}.name{font-size:28pt;font-weight:bold}"
                 ".sign{margin-top:18mm;text-align:right;font-size:16pt}</style></head><body><h1>");
    buf_html_escape(&b, i18n_text(req->lang, "bank.cert.title"));
    buf_puts(&b, "</h1><p class=\"name\">");
    buf_html_escape(&b, name);
    buf_puts(&b, zh ? " 同志" : "");
    buf_puts(&b, "</p><p>");
    char *text = arena_printf(req->a, i18n_text(req->lang, "bank.cert.body"), (double)minutes / 60.0);
    buf_html_escape(&b, text);
    buf_puts(&b, "</p><p class=\"sign\">");
    buf_html_escape(&b, community);
    buf_puts(&b, "<br>");
    buf_html_escape(&b, vol_local_day(req, clock_now_us()));
    buf_puts(&b, "</p></body></html>");
    return vol_reply_raw(req, &b, "text/html; charset=utf-8");
}

const http_route timebank_routes[] = {
    {"GET", "/api/v1/volunteers/{id}/hours", NULL, hours_of_volunteer, VOL_LEADERS | ROLE_VOLUNTEER, ROUTE_EXPORTABLE,
     0, NULL},
    {"GET", "/api/v1/volunteers/{id}/ledger", NULL, ledger_of_volunteer, VOL_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"GET", "/api/v1/volunteers/{id}/certificate", NULL, certificate, VOL_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"GET", "/api/v1/hours", NULL, hours_list, VOL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/hours", NULL, hours_enter, VOL_LEADERS | ROLE_VOLUNTEER, ROUTE_WRITE, 1024, "hours.enter"},
    {"POST", "/api/v1/hours/group", NULL, hours_group, VOL_LEADERS, ROUTE_WRITE, 65536, "hours.group"},
    {"POST", "/api/v1/hours/{id}/confirm", NULL, hours_confirm, VOL_LEADERS, ROUTE_WRITE, 256, "hours.confirm"},
    {"POST", "/api/v1/redemptions", NULL, redemption_create, VOL_STAFF | ROLE_VOLUNTEER, ROUTE_WRITE, 1024,
     "ledger.redeem"},
    {"POST", "/api/v1/ledger/{txn}/reverse", NULL, ledger_reverse, VOL_STAFF, ROUTE_WRITE, 1024, "ledger.reverse"},
    {"GET", "/api/v1/timebank/check", NULL, timebank_check, VOL_STAFF, 0, 0, NULL},
    {"GET", "/api/v1/timebank/summary", NULL, timebank_summary, VOL_LEADERS, 0, 0, NULL},
    {"GET", "/api/v1/points-rules", NULL, rules_get, VOL_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"PUT", "/api/v1/points-rules/{kind}", NULL, rules_put, VOL_STAFF, ROUTE_WRITE, 256, "points_rules.set"},
    {0},
};

const i18n_entry timebank_messages[] = {
    {"bank.list.hours", "服务时长", "Service hours"},
    {"bank.col.worked_on", "服务日期", "Date"},
    {"bank.col.source", "来源", "Source"},
    {"bank.col.note", "备注", "Note"},
    {"bank.err.state", "状态只能是 pending、verified 或 rejected", "State must be pending, verified or rejected"},
    {"bank.err.future", "服务日期不能晚于今天", "The date cannot be after today"},
    {"bank.err.volunteer", "本社区没有该志愿者", "No such volunteer in this community"},
    {"bank.err.volunteer_ids", "请给出 1–1000 个志愿者编号", "Give 1 to 1000 volunteer ids"},
    {"bank.err.approve", "approve 应为 true 或 false", "approve must be true or false"},
    {"bank.err.not_pending", "该记录已确认或已驳回", "This entry is already confirmed or rejected"},
    {"bank.err.second_person", "须由录入人和志愿者本人以外的另一人确认",
        "Someone other than who entered it and the volunteer must confirm"},
    {"bank.err.balance", "积分余额不足", "Not enough points"},
    {"bank.err.reversed", "该笔已冲正", "This transaction has already been reversed"},
    {"bank.err.reverse_reversal", "冲正记录不能再冲正，请重新录入", "A reversal cannot be reversed; enter it anew"},
    {"bank.cert.title", "荣誉证书", "Certificate of Honour"},
    {"bank.cert.body", "在社区志愿服务中累计服务 %.1f 小时，特发此证，以资鼓励。",
     "has given %.1f hours of verified volunteer service to our community. With our thanks."},
    {0, 0, 0},
};
