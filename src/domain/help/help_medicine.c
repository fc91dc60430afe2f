/* help_medicine.c — medicine runs (配药): a leader gathers the medicine requests of many
 * households into one trip to a pharmacy or health centre, sorted red / yellow / green
 * (red first: insulin, dialysis, heart medicine). Per household the run keeps the
 * medicines, the custody of the medical-insurance card and record book (医保卡 /
 * 病历卡: handed over and returned — who, when), the money advanced and paid back
 * (integer fen), and the delivery. A line made from a help request moves it along:
 * taken into a run → in progress; delivered → done; each on its timeline.
 *
 * Runs are of the community: every leader sees them; a line's household must be in
 * the leader's scope to add or change it, and the list shows a zone or block leader
 * only the lines of their scope. The volunteer running the errand sees the run and all
 * its lines (they carry the medicines to every door). */
#include "help_int.h"
#include "../../core/clock.h"
#include <string.h>

static const char *const med_triage[] = {"red", "yellow", "green", NULL};
static const char *const med_run_states[] = {"open", "out", "done", NULL};

/* A run the actor may see: $1 community, $2 user; leaders see every run, the runner
 * their own. */
#define MED_RUN_VISIBLE \
    "m.community_id = $1 AND (EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 AND " \
    "ra.community_id = $1 AND ra.role IN ('committee', 'zone_leader', 'block_leader')) OR EXISTS (SELECT 1 FROM " \
    "volunteers rv WHERE rv.id = m.runner_volunteer_id AND rv.user_id = $2))"
/* The lines of run m the actor may see: the runner all, leaders their scope's. */
#define MED_ITEM_VISIBLE \
    "(EXISTS (SELECT 1 FROM volunteers rv WHERE rv.id = m.runner_volunteer_id AND rv.user_id = $2) OR " \
    SCOPE_HOUSEHOLD ")"

static json_t *med_run_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0),
                     "name", store_col_text(st, 1), "place", store_col_text(st, 2), "state", store_col_text(st, 3),
                     "runner_name", store_col_text(st, 4), "lines", (json_int_t)store_col_int(st, 5), "red",
                     (json_int_t)store_col_int(st, 6), "delivered", (json_int_t)store_col_int(st, 7), "advanced_fen",
                     (json_int_t)store_col_int(st, 8), "repaid_fen", (json_int_t)store_col_int(st, 9));
}

#define MED_RUN_SELECT \
    "SELECT m.id, m.name, m.place, m.state, rv2.name, " \
    "(SELECT COUNT(*) FROM medicine_run_items i WHERE i.run_id = m.id), " \
    "(SELECT COUNT(*) FROM medicine_run_items i WHERE i.run_id = m.id AND i.triage = 'red'), " \
    "(SELECT COUNT(*) FROM medicine_run_items i WHERE i.run_id = m.id AND i.delivered_at IS NOT NULL), " \
    "(SELECT COALESCE(SUM(i.advanced_fen), 0) FROM medicine_run_items i WHERE i.run_id = m.id), " \
    "(SELECT COALESCE(SUM(i.repaid_fen), 0) FROM medicine_run_items i WHERE i.run_id = m.id) " \
    "FROM medicine_runs m LEFT JOIN volunteers rv2 ON rv2.id = m.runner_volunteer_id WHERE " MED_RUN_VISIBLE

static const list_column med_run_columns[] = {
    {"id", "col.id"}, {"name", "med.col.name"}, {"place", "med.col.place"}, {"runner_name", "med.col.runner"},
    {"lines", "med.col.lines"}, {"red", "med.col.red"}, {"delivered", "med.col.delivered"}, {0, 0},
};

/* GET /medicine-runs — newest first. */
static int med_runs_list(http_req *req)
{
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn, MED_RUN_SELECT " AND ($3 = 0 OR m.id < $3) ORDER BY m.id DESC "
                                   "LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, cursor);
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, med_run_item, NULL, &next_after);
    return http_reply_list(req, "med.list.runs", med_run_columns, items, next_after);
}

static json_t *med_line(http_req *req, store_stmt *st)
{
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    json_t *l = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I, s:s?}", "id",
                          (json_int_t)store_col_int(st, 0), "triage", store_col_text(st, 1), "triage_text",
                          i18n_text(req->lang, arena_printf(req->a, "med.triage.%s", store_col_text(st, 1))),
                          "medicines", store_col_text(st, 2), "room", store_col_text(st, 3), "resident_name",
                          store_col_text(st, 4), "card_kinds", store_col_text(st, 5), "advanced_fen",
                          (json_int_t)store_col_int(st, 9), "repaid_fen", (json_int_t)store_col_int(st, 10),
                          "owed_fen", (json_int_t)(store_col_int(st, 9) - store_col_int(st, 10)), "note",
                          store_col_text(st, 12));
    static const struct { int col; const char *key; } times[] = {
        {6, "card_received_at"}, {7, "card_returned_at"}, {8, "delivered_at"},
    };
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        char out[32] = "";
        if (!store_col_null(st, times[i].col)) clock_format_local(tz, store_col_int(st, times[i].col), out, sizeof out);
        json_object_set_new(l, times[i].key, *out ? json_string(out) : json_null());
    }
    json_object_set_new(l, "request_id", store_col_null(st, 11) ? json_null() : json_integer(store_col_int(st, 11)));
    json_object_set_new(l, "phone", store_col_null(st, 13) ? json_null() : json_string(store_col_text(st, 13)));
    json_object_set_new(l, "card_state", json_string(!store_col_null(st, 7) ? "returned"
                                                     : !store_col_null(st, 6) ? "held" : "none"));
    return l;
}

static int med_run_reply(http_req *req, int status, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, MED_RUN_SELECT " AND m.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *run = store_step(st) == STORE_ROW ? med_run_item(st, NULL) : NULL;
    store_done(st);
    if (!run) return http_fail_not_found(req);
    json_t *lines = json_array();
    st = store_prepare(req->conn, "SELECT i.id, i.triage, i.medicines, h.room, rs.name, i.card_kinds, "
                                  "i.card_received_at, i.card_returned_at, i.delivered_at, i.advanced_fen, "
                                  "i.repaid_fen, i.request_id, i.note, COALESCE(rs.phone, h.phone) FROM "
                                  "medicine_run_items i JOIN medicine_runs m ON m.id = i.run_id JOIN households h ON "
                                  "h.id = i.household_id JOIN blocks b ON b.id = h.block_id LEFT JOIN residents rs ON "
                                  "rs.id = i.resident_id WHERE i.community_id = $1 AND i.run_id = $3 AND "
                                  MED_ITEM_VISIBLE " ORDER BY CASE i.triage WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 "
                                  "ELSE 2 END, i.id");
    if (st) {
        scope_bind(req, st);
        store_bind_int(st, 3, id);
        while (store_step(st) == STORE_ROW) json_array_append_new(lines, med_line(req, st));
        store_done(st);
    }
    json_object_set_new(run, "items", lines);
    return http_reply(req, status, json_pack("{s:o}", "run", run));
}

static int med_run_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return med_run_reply(req, 200, id);
}

/* The runner: a serving volunteer of the community (0 when the body names none). */
static bool med_runner(http_req *req, int64_t *vid, bool *has)
{
    if (!http_body_int_opt(req, "runner_volunteer_id", 1, INT64_MAX, vid, has)) return false;
    if (*has && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 "
                                 "AND state IN ('approved', 'active')", "ii", *vid, req->actor.community_id))
        return http_fail_field(req, "runner_volunteer_id", "help.err.volunteer"), false;
    return true;
}

/* POST /medicine-runs {name, place, runner_volunteer_id?} — leaders. */
static int med_run_create(http_req *req)
{
    const char *name, *place;
    int64_t vid = 0;
    bool has = false;
    if (!http_body_str(req, "name", 1, 100, &name) || !http_body_str(req, "place", 1, 100, &place)) return -1;
    if (!med_runner(req, &vid, &has)) return -1;
    store_stmt *st = store_prepare(req->conn, "INSERT INTO medicine_runs (community_id, name, place, state, "
                                              "runner_volunteer_id, created_by, created_at) VALUES ($1, $2, $3, "
                                              "'open', $4, $5, $6) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, place);
    if (has) store_bind_int(st, 4, vid); else store_bind_null(st, 4);
    store_bind_int(st, 5, req->actor.user_id);
    store_bind_int(st, 6, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "medicine run insert");
    http_audit_target(req, "medicine_run", id, NULL);
    return med_run_reply(req, 201, id);
}

/* PATCH /medicine-runs/{id} {state?, runner_volunteer_id?} — leaders. */
static int med_run_update(http_req *req)
{
    int64_t id, vid = 0;
    bool has = false;
    const char *state = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str_opt(req, "state", 1, 16, &state)) return -1;
    if (state && !help_word_in(state, med_run_states)) return http_fail_field(req, "state", "med.err.state");
    if (!med_runner(req, &vid, &has)) return -1;
    int64_t now = clock_now_us();
    store_stmt *st;
    int rc = store_run(req->conn, &st, "UPDATE medicine_runs SET state = COALESCE($3, state), runner_volunteer_id = "
                       "CASE WHEN $4 = 1 THEN $5 ELSE runner_volunteer_id END, closed_at = CASE WHEN $3 = 'done' THEN "
                       "$6 ELSE closed_at END WHERE id = $1 AND community_id = $2 RETURNING id", "iitiii", id,
                       req->actor.community_id, state, (int64_t)has, vid, now);
    if (rc == STORE_ROW) store_done(st);
    if (rc != STORE_ROW) return http_fail_not_found(req);
    http_audit_target(req, "medicine_run", id, json_pack("{s:s?}", "state", state));
    return med_run_reply(req, 200, id);
}

/* Moves the line's help request along (a no-op without one or when it is finished). */
static int med_request_step(http_req *req, int64_t request_id, const char *to, const char *kind, const char *text)
{
    if (!request_id) return 0;
    int64_t now = clock_now_us();
    store_stmt *st;
    int rc = store_run(req->conn, &st, "UPDATE help_requests SET state = $2, due_at = NULL, acknowledged_at = "
                       "COALESCE(acknowledged_at, $3), acknowledged_by = COALESCE(acknowledged_by, $4), updated_at = "
                       "$3, finished_at = CASE WHEN $2 = 'done' THEN $3 ELSE finished_at END WHERE id = $1 AND state "
                       "IN ('new', 'acknowledged', 'in_progress') RETURNING id", "itii", request_id, to, now,
                       req->actor.user_id);
    if (rc == STORE_ROW) store_done(st);
    if (rc != STORE_ROW) return rc == STORE_DONE ? 0 : -1;
    return help_event(req->conn, req->actor.community_id, request_id, req->actor.user_id, kind, to, NULL, text);
}

/* POST /medicine-runs/{id}/items {request_id | resident_id | household_id, triage, medicines, card_kinds?} */
static int med_item_add(http_req *req)
{
    int64_t run, request = 0, resident = 0, household = 0;
    bool has_req = false, has_res = false, has_hh = false;
    const char *triage, *medicines = NULL, *cards = NULL;
    if (!http_param_id(req, "id", &run)) return -1;
    if (!http_body_str(req, "triage", 1, 16, &triage)) return -1;
    if (!help_word_in(triage, med_triage)) return http_fail_field(req, "triage", "med.err.triage");
    if (!http_body_str_opt(req, "medicines", 1, 500, &medicines)) return -1;
    if (!http_body_str_opt(req, "card_kinds", 0, 64, &cards)) return -1;
    if (!http_body_int_opt(req, "request_id", 1, INT64_MAX, &request, &has_req) ||
        !http_body_int_opt(req, "resident_id", 1, INT64_MAX, &resident, &has_res) ||
        !http_body_int_opt(req, "household_id", 1, INT64_MAX, &household, &has_hh))
        return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM medicine_runs WHERE id = $1 AND community_id = $2 AND "
                         "state <> 'done'", "ii", run, req->actor.community_id))
        return http_fail_not_found(req);
    store_stmt *st;
    int rc;
    const char *field = has_req ? "request_id" : has_res ? "resident_id" : "household_id";
    if (has_req)
        rc = store_run(req->conn, &st, "SELECT h.id, r.resident_id, r.details, r.summary FROM help_requests r JOIN "
                       "households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND "
                       "r.kind = 'medicine' AND r.state IN ('new', 'acknowledged', 'in_progress') AND "
                       SCOPE_HOUSEHOLD, "iii", req->actor.community_id, req->actor.user_id, request);
    else if (has_res)
        rc = store_run(req->conn, &st, "SELECT h.id, rs.id, '{}', '' FROM residents rs JOIN households h ON h.id = "
                       "rs.household_id JOIN blocks b ON b.id = h.block_id WHERE rs.id = $3 AND rs.moved_out_at IS "
                       "NULL AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id, req->actor.user_id, resident);
    else if (has_hh)
        rc = store_run(req->conn, &st, "SELECT h.id, NULL, '{}', '' FROM households h JOIN blocks b ON b.id = "
                       "h.block_id WHERE h.id = $3 AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id,
                       req->actor.user_id, household);
    else
        return http_fail_field(req, "request_id", "err.required");
    if (rc != STORE_ROW) return http_fail_field(req, field, "med.err.who");
    household = store_col_int(st, 0);
    resident = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
    /* The medicines default to what the request asked for. */
    json_t *details = json_loads(store_col_text(st, 2), 0, NULL);
    if (!medicines && details && json_is_string(json_object_get(details, "medicine")))
        medicines = arena_strdup(req->a, json_string_value(json_object_get(details, "medicine")));
    if (!medicines && *store_col_text(st, 3)) medicines = arena_strdup(req->a, store_col_text(st, 3));
    json_decref(details);
    store_done(st);
    if (!medicines) return http_fail_field(req, "medicines", "err.required");
    if (has_req && store_query_int(req->conn, 0, "SELECT COUNT(*) FROM medicine_run_items WHERE community_id = $1 AND "
                                   "request_id = $2", "ii", req->actor.community_id, request))
        return http_fail(req, 409, "conflict", "request_id", "med.err.already");
    st = store_prepare(req->conn, "INSERT INTO medicine_run_items (community_id, run_id, request_id, household_id, "
                                  "resident_id, triage, medicines, card_kinds, created_at) VALUES ($1, $2, $3, $4, $5, "
                                  "$6, $7, $8, $9) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, run);
    if (request) store_bind_int(st, 3, request); else store_bind_null(st, 3);
    store_bind_int(st, 4, household);
    if (resident) store_bind_int(st, 5, resident); else store_bind_null(st, 5);
    store_bind_text(st, 6, triage);
    store_bind_text(st, 7, medicines);
    store_bind_text(st, 8, cards ? cards : "");
    store_bind_int(st, 9, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "medicine line insert");
    if (med_request_step(req, request, "in_progress", "medicine_run", NULL) < 0)
        return http_fail_internal(req, "medicine request");
    if (resident) req->on_behalf_of = resident;
    http_audit_target(req, "medicine_run", run, json_pack("{s:I, s:s}", "item_id", (json_int_t)id, "triage", triage));
    return med_run_reply(req, 201, run);
}

/* PATCH /medicine-runs/{id}/items/{item} {triage?, medicines?, note?, card?: "received"|"returned",
 * advanced_fen?, repaid_fen?, delivered?: true} — leaders of the household, or the runner. */
static int med_item_update(http_req *req)
{
    int64_t run, item;
    if (!http_param_id(req, "id", &run) || !http_param_id(req, "item", &item)) return -1;
    const char *triage = NULL, *medicines = NULL, *note = NULL, *card = NULL;
    int64_t advanced = 0, repaid = 0;
    bool has_adv = false, has_rep = false;
    if (!http_body_str_opt(req, "triage", 1, 16, &triage)) return -1;
    if (triage && !help_word_in(triage, med_triage)) return http_fail_field(req, "triage", "med.err.triage");
    if (!http_body_str_opt(req, "medicines", 1, 500, &medicines) || !http_body_str_opt(req, "note", 0, 500, &note))
        return -1;
    if (!http_body_str_opt(req, "card", 1, 16, &card)) return -1;
    if (card && strcmp(card, "received") && strcmp(card, "returned"))
        return http_fail_field(req, "card", "med.err.card");
    if (!http_body_int_opt(req, "advanced_fen", 0, 100000000, &advanced, &has_adv) ||
        !http_body_int_opt(req, "repaid_fen", 0, 100000000, &repaid, &has_rep))
        return -1;
    json_t *dv = json_object_get(req->json, "delivered");
    if (dv && !json_is_true(dv)) return http_fail_field(req, "delivered", "med.err.delivered");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT i.request_id, i.card_received_at, i.card_returned_at, i.delivered_at, "
                  "i.advanced_fen, i.repaid_fen, i.resident_id FROM medicine_run_items i JOIN medicine_runs m ON "
                  "m.id = i.run_id JOIN households h ON h.id = i.household_id JOIN blocks b ON b.id = h.block_id "
                  "WHERE i.id = $3 AND i.run_id = $4 AND i.community_id = $1 AND " MED_ITEM_VISIBLE, "iiii",
                  req->actor.community_id, req->actor.user_id, item, run) != STORE_ROW)
        return http_fail_not_found(req);
    int64_t request = store_col_null(st, 0) ? 0 : store_col_int(st, 0);
    bool received = !store_col_null(st, 1), returned = !store_col_null(st, 2), delivered = !store_col_null(st, 3);
    int64_t adv_now = has_adv ? advanced : store_col_int(st, 4), rep_now = has_rep ? repaid : store_col_int(st, 5);
    int64_t resident = store_col_null(st, 6) ? 0 : store_col_int(st, 6);
    store_done(st);
    if (card && !strcmp(card, "received") && received) return http_fail(req, 409, "conflict", "card",
        "med.err.card_held");
    if (card && !strcmp(card, "returned") && (!received || returned))
        return http_fail(req, 409, "conflict", "card", "med.err.card_not_held");
    if (rep_now > adv_now) return http_fail_field(req, "repaid_fen", "med.err.repaid_more");
    if (dv && delivered) return http_fail(req, 409, "conflict", "delivered", "med.err.delivered_already");
    int64_t now = clock_now_us(), user = req->actor.user_id;
    int64_t got = card && !strcmp(card, "received"), back = card && !strcmp(card, "returned"), dlv = dv != NULL;
    if (store_run(req->conn, NULL, "UPDATE medicine_run_items SET triage = COALESCE($2, triage), medicines = "
                  "COALESCE($3, medicines), note = COALESCE($4, note), advanced_fen = $5, repaid_fen = $6, "
                  "card_received_at = CASE WHEN $7 = 1 THEN $10 ELSE card_received_at END, card_received_by = CASE "
                  "WHEN $7 = 1 THEN $11 ELSE card_received_by END, card_returned_at = CASE WHEN $8 = 1 THEN $10 ELSE "
                  "card_returned_at END, card_returned_by = CASE WHEN $8 = 1 THEN $11 ELSE card_returned_by END, "
                  "delivered_at = CASE WHEN $9 = 1 THEN $10 ELSE delivered_at END, delivered_by = CASE WHEN $9 = 1 "
                  "THEN $11 ELSE delivered_by END WHERE id = $1", "itttiiiiiii", item, triage, medicines, note,
                  adv_now, rep_now, got, back, dlv, now, user) != STORE_DONE)
        return http_fail_internal(req, "medicine line update");
    if (dlv && med_request_step(req, request, "done", "medicine_delivered", NULL) < 0)
        return http_fail_internal(req, "medicine request");
    if (resident) req->on_behalf_of = resident;
    json_t *detail = json_pack("{s:I}", "item_id", (json_int_t)item);
    if (card) json_object_set_new(detail, "card", json_string(card));
    if (dlv) json_object_set_new(detail, "delivered", json_true());
    if (has_adv || has_rep) json_object_set_new(detail, "money", json_true());
    http_audit_target(req, "medicine_run", run, detail);
    return med_run_reply(req, 200, run);
}

const http_route help_medicine_routes[] = {
    {"GET", "/api/v1/medicine-runs", NULL, med_runs_list, HELP_LEADERS | ROLE_VOLUNTEER, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/medicine-runs", NULL, med_run_create, HELP_LEADERS, ROUTE_WRITE, 1024, "medicine_run.create"},
    {"GET", "/api/v1/medicine-runs/{id}", NULL, med_run_get, HELP_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"PATCH", "/api/v1/medicine-runs/{id}", NULL, med_run_update, HELP_LEADERS, ROUTE_WRITE, 1024,
     "medicine_run.update"},
    {"POST", "/api/v1/medicine-runs/{id}/items", NULL, med_item_add, HELP_LEADERS, ROUTE_WRITE, 2048,
     "medicine_run.item"},
    {"PATCH", "/api/v1/medicine-runs/{id}/items/{item}", NULL, med_item_update, HELP_LEADERS | ROLE_VOLUNTEER,
     ROUTE_WRITE, 2048, "medicine_run.item_update"},
    {0},
};

const i18n_entry help_medicine_messages[] = {
    {"med.list.runs", "配药批次", "Medicine runs"},
    {"med.col.name", "批次", "Run"},
    {"med.col.place", "药店 / 医院", "Pharmacy / hospital"},
    {"med.col.runner", "跑腿志愿者", "Runner"},
    {"med.col.lines", "户数", "Households"},
    {"med.col.red", "红色（急）", "Red (urgent)"},
    {"med.col.delivered", "已送达", "Delivered"},
    {"med.triage.red", "红（急需，今天必须送到）", "Red (needed today)"},
    {"med.triage.yellow", "黄（两三天内）", "Yellow (within 2–3 days)"},
    {"med.triage.green", "绿（可以等）", "Green (can wait)"},
    {"med.err.state", "状态只能是 open、out 或 done", "State must be open, out or done"},
    {"med.err.triage", "分级只能是 red、yellow 或 green", "Triage must be red, yellow or green"},
    {"med.err.who", "在您负责的范围内找不到这户、这位居民或这条配药求助",
     "No such household, resident or open medicine request in your scope"},
    {"med.err.already", "这条求助已经在一个配药批次里了", "This request is in a medicine run already"},
    {"med.err.card", "卡证只能是 received（已收）或 returned（已还）", "Card must be received or returned"},
    {"med.err.card_held", "卡证已经收下了", "The cards are held already"},
    {"med.err.card_not_held", "没有收着这户的卡证，无法归还", "No cards of this household are held"},
    {"med.err.repaid_more", "还款不能多于垫付", "Repaid cannot exceed what was advanced"},
    {"med.err.delivered", "只能是 true", "Must be true"},
    {"med.err.delivered_already", "已经送达过了", "Delivered already"},
    {0, 0, 0},
};
