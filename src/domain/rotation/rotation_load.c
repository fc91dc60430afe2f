/* rotation_load.c — a rotation as one request sees it: the row, its fixed order and the
 * turns recorded so far, read in three statements and projected by rotation_plan.c,
 * and the JSON every route answers with.
 *
 * Scope: committee staff see every rotation of the community, zone and block leaders
 * those of the blocks they lead (SCOPE_BLOCK), a resident those of the block they live
 * in (SCOPE_HOUSEHOLD_READ on a household of the block) — and of the schedule only
 * their own household's days. Anything else is not found (404), as scope.h wants. */
#include "rotation_int.h"
#include "../../core/clock.h"
#include <stdio.h>
#include <string.h>

const char *rotation_tz(http_req *req)
{
    const char *tz = req->actor.community_timezone;
    return tz && *tz ? tz : "Asia/Shanghai";
}

int64_t rotation_today(http_req *req)
{
    char day[16];
    int y, m, d;
    clock_local_date(rotation_tz(req), clock_now_us(), day, sizeof day);
    if (!clock_parse_date(day, &y, &m, &d)) return 0;
    return clock_days_from_civil(y, m, d);
}

json_t *rotation_date_json(int64_t day)
{
    char out[11];
    clock_format_date(day, out);
    return json_string(out);
}

json_t *rotation_time_json(int64_t us)
{
    if (us < 0) return json_null();
    char when[32];
    clock_format_utc(us, when, sizeof when);
    return json_string(when);
}

static int load_members(http_req *req, rotation_ctx *r)
{
    int64_t n = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM rotation_members WHERE community_id = $1 "
                                               "AND rotation_id = $2", "ii", req->actor.community_id, r->id);
    if (n < 0) return -1;
    r->members = arena_alloc(req->a, sizeof *r->members * (size_t)(n + 1));
    store_stmt *st = store_prepare(req->conn,
        "SELECT m.household_id, h.room, h.status FROM rotation_members m JOIN households h ON h.id = m.household_id "
        "WHERE m.community_id = $1 AND m.rotation_id = $2 ORDER BY m.position");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, r->id);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW && r->n_members < n) {
        rotation_member *m = &r->members[r->n_members++];
        m->household_id = store_col_int(st, 0);
        m->room = arena_strdup(req->a, store_col_text(st, 1));
        m->status = arena_strdup(req->a, store_col_text(st, 2));
    }
    store_done(st);
    return rc == STORE_ERR ? -1 : 0;
}

static int64_t col_or(store_stmt *st, int col, int64_t none)
{
    return store_col_null(st, col) ? none : store_col_int(st, col);
}

static int load_turns(http_req *req, rotation_ctx *r)
{
    int64_t n = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM rotation_turns WHERE community_id = $1 "
                                               "AND rotation_id = $2", "ii", req->actor.community_id, r->id);
    if (n < 0) return -1;
    r->turns = arena_alloc(req->a, sizeof *r->turns * (size_t)(n + 1));
    store_stmt *st = store_prepare(req->conn,
        "SELECT id, seq, day, household_id, round, outcome, handover_to_household_id, handed_over_at, recorded_by, "
        "care_called_at FROM rotation_turns WHERE community_id = $1 AND rotation_id = $2 ORDER BY seq");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, r->id);
    int rc, y, m, d;
    while ((rc = store_step(st)) == STORE_ROW && r->n_turns < n) {
        rotation_turn *t = &r->turns[r->n_turns];
        t->id = store_col_int(st, 0);
        t->seq = (int)store_col_int(st, 1);
        if (t->seq != r->n_turns || !clock_parse_date(store_col_text(st, 2), &y, &m, &d)) break;   /* corrupt */
        t->day = clock_days_from_civil(y, m, d);
        t->household_id = store_col_int(st, 3);
        t->round = (int)store_col_int(st, 4);
        t->skipped = !strcmp(store_col_text(st, 5), "skipped");
        t->handover_to = col_or(st, 6, 0);
        t->handed_over_at = col_or(st, 7, -1);
        t->recorded_by = col_or(st, 8, 0);
        t->care_called_at = col_or(st, 9, -1);
        r->n_turns++;
    }
    store_done(st);
    return rc == STORE_ERR ? -1 : 0;
}

/* The reader's own households in the block (resident view): at most a few. */
static int load_mine(http_req *req, rotation_ctx *r)
{
    r->mine = arena_alloc(req->a, sizeof *r->mine * 8);
    store_stmt *st = store_prepare(req->conn, "SELECT h.id FROM households h JOIN blocks b ON b.id = h.block_id "
                                              "WHERE h.block_id = $3 AND " SCOPE_HOUSEHOLD_READ " ORDER BY h.id");
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, r->block_id);
    while (store_step(st) == STORE_ROW && r->n_mine < 8) r->mine[r->n_mine++] = store_col_int(st, 0);
    store_done(st);
    return 0;
}

/* Copies the row of the statement of rotation_load into *r. */
static void row_read(http_req *req, store_stmt *st, rotation_ctx *r)
{
    r->id = store_col_int(st, 0);
    r->block_id = store_col_int(st, 1);
    r->block_name = arena_strdup(req->a, store_col_text(st, 2));
    r->name = arena_strdup(req->a, store_col_text(st, 3));
    r->window_start = arena_strdup(req->a, store_col_text(st, 4));
    r->window_end = arena_strdup(req->a, store_col_text(st, 5));
    r->starts_on = arena_strdup(req->a, store_col_text(st, 6));
    r->rounds = (int)store_col_int(st, 7);
    r->state = arena_strdup(req->a, store_col_text(st, 8));
    r->created_by = col_or(st, 9, 0);
    r->created_at = store_col_int(st, 10);
    r->leader = store_col_int(st, 11) == 1;
}

int rotation_load(http_req *req, int64_t id, rotation_ctx *out)
{
    memset(out, 0, sizeof *out);
    store_stmt *st = store_prepare(req->conn,
        "SELECT r.id, r.block_id, b.name, r.name, r.window_start, r.window_end, r.starts_on, r.rounds_planned, "
        "r.state, r.created_by, r.created_at, CASE WHEN " SCOPE_BLOCK " THEN 1 ELSE 0 END "
        "FROM rotations r JOIN blocks b ON b.id = r.block_id "
        "WHERE r.community_id = $1 AND r.id = $3 AND " ROTATION_VISIBLE);
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? 0 : -1;
    }
    row_read(req, st, out);
    store_done(st);
    int y, m, d;
    if (!clock_parse_date(out->starts_on, &y, &m, &d)) return -1;
    if (load_members(req, out) || load_turns(req, out)) return -1;
    if (!out->leader && load_mine(req, out)) return -1;
    out->today = rotation_today(req);
    rotation_plan_compute(out->n_members, out->rounds, clock_days_from_civil(y, m, d), out->turns, out->n_turns,
                          &out->plan);
    return 1;
}

bool rotation_from_path(http_req *req, rotation_ctx *out, bool leaders_only)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    int f = rotation_load(req, id, out);
    if (f < 0) return http_fail_internal(req, "rotation read"), false;
    if (!f || (leaders_only && !out->leader)) return http_fail_not_found(req), false;
    return true;
}

const char *rotation_member_room(const rotation_ctx *r, int64_t household_id)
{
    for (int i = 0; i < r->n_members; i++)
        if (r->members[i].household_id == household_id) return r->members[i].room;
    return NULL;
}

bool rotation_is_mine(const rotation_ctx *r, int64_t household_id)
{
    for (int i = 0; i < r->n_mine; i++)
        if (r->mine[i] == household_id) return true;
    return false;
}

/* Monday 1 ... Sunday 7 (1970-01-01 was a Thursday). */
static int weekday_of(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w) + 1;
}

json_t *rotation_entry_json(http_req *req, const rotation_ctx *r, int seq)
{
    const rotation_plan *p = &r->plan;
    bool recorded = seq < p->recorded;
    const rotation_turn *t = recorded ? &r->turns[seq] : NULL;
    int64_t household = t ? t->household_id : r->members[rotation_plan_member(p, seq)].household_id;
    int64_t to = t ? t->handover_to
                   : seq + 1 < p->total ? r->members[rotation_plan_member(p, seq + 1)].household_id : 0;
    int64_t day = rotation_plan_day(p, r->turns, seq);
    const char *room = rotation_member_room(r, household), *to_room = to ? rotation_member_room(r, to) : NULL;
    json_t *o = json_pack("{s:i, s:o, s:i, s:I, s:s?, s:i, s:s}", "seq", seq, "day", rotation_date_json(day),
                          "weekday", weekday_of(day), "household_id", (json_int_t)household, "room", room, "round",
                          t ? t->round : rotation_plan_round(p, seq), "state",
                          !t ? "planned" : t->skipped ? "skipped" : "done");
    json_object_set_new(o, "handover_to_household_id", to ? json_integer(to) : json_null());
    json_object_set_new(o, "handover_to_room", to_room ? json_string(to_room) : json_null());
    json_object_set_new(o, "handed_over_at", rotation_time_json(t ? t->handed_over_at : -1));
    json_object_set_new(o, "turn_id", t ? json_integer(t->id) : json_null());
    json_object_set_new(o, "care_called_at", rotation_time_json(t && t->skipped ? t->care_called_at : -1));
    json_object_set_new(o, "today", json_boolean(day == r->today));
    json_object_set_new(o, "mine", json_boolean(rotation_is_mine(r, household)));
    (void)req;
    return o;
}

/* The turn whose household keeps the gate today: the first of today's turns not
 * skipped; -1 when the plan has no turn today. */
static int today_seq(const rotation_ctx *r)
{
    for (int s = 0; s < r->plan.total; s++) {
        int64_t day = rotation_plan_day(&r->plan, r->turns, s);
        if (day > r->today) break;
        if (day == r->today && !(s < r->plan.recorded && r->turns[s].skipped)) return s;
    }
    return -1;
}

/* The entry of turn seq if the reader may see that household's day, else null. */
static json_t *entry_or_null(http_req *req, const rotation_ctx *r, int seq)
{
    if (seq < 0 || seq >= r->plan.total) return json_null();
    int64_t household = seq < r->plan.recorded ? r->turns[seq].household_id
                                               : r->members[rotation_plan_member(&r->plan, seq)].household_id;
    if (!r->leader && !rotation_is_mine(r, household)) return json_null();
    return rotation_entry_json(req, r, seq);
}

json_t *rotation_json(http_req *req, const rotation_ctx *r)
{
    const rotation_plan *p = &r->plan;
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:i, s:i, s:I, s:i, s:i, s:s, s:s}",
        "id", (json_int_t)r->id, "block_id", (json_int_t)r->block_id, "block_name", r->block_name, "name", r->name,
        "window_start", r->window_start, "window_end", r->window_end, "starts_on", r->starts_on,
        "ends_on", rotation_date_json(p->end_day), "rounds_planned", r->rounds, "rounds_done",
        rotation_plan_rounds_done(p), "members", p->members, "days_total", (json_int_t)(p->end_day - p->start_day + 1),
        "turns_recorded", p->recorded, "skipped", p->skipped, "state", r->state, "view",
        r->leader ? "leader" : "household");
    json_object_set_new(o, "created_at", rotation_time_json(r->created_at));
    json_object_set_new(o, "today", entry_or_null(req, r, today_seq(r)));
    json_object_set_new(o, "current", entry_or_null(req, r, p->recorded < p->total ? p->recorded : -1));
    if (!r->leader) {
        int next = -1;
        for (int s = p->recorded; s < p->total && next < 0; s++)
            if (rotation_is_mine(r, r->members[rotation_plan_member(p, s)].household_id)) next = s;
        json_object_set_new(o, "my_next", entry_or_null(req, r, next));
    }
    return o;
}
