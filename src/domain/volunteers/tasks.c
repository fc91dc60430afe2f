/* tasks.c — task grabbing (抢单): committee staff post a task (what, where, when, N
 * slots, who may take it: a skill, a zone); eligible volunteers see it first and claim
 * first-come. Tables in 018_volunteers.sql.
 *
 * Exactly N claims succeed whatever the burst: a claim is granted by
 * `UPDATE tasks SET claimed = claimed + 1 WHERE claimed < slots AND state = 'open'`,
 * which SQLite's single writer runs one at a time and PostgreSQL orders by the row's
 * lock (READ COMMITTED re-reads the row after the lock wait, so the condition sees
 * every earlier grant) — also across several server processes on one database. A later
 * claim is told `full` (409) and may join the waitlist ({"waitlist": true}); a cancelled
 * claim passes its slot to the first eligible on the waitlist in the same write. The
 * poster marks the task done, which credits each claimant the task's minutes. */
#include "volunteers_int.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include "../notify.h"
#include <stdio.h>
#include <string.h>

/* A task's columns as volunteer V (an SQL expression for their id) sees it: whether they
 * hold or wait for a slot, the waitlist's length, whether they may take it. */
#define TASK_MY_STATE_AS(V) \
    "(SELECT c.state FROM task_claims c WHERE c.community_id = t.community_id AND c.task_id = t.id " \
    "AND c.volunteer_id = " V ")"
#define TASK_ELIGIBLE_AS(V) \
    "CASE WHEN (t.skill IS NULL OR EXISTS (SELECT 1 FROM volunteers e WHERE e.id = " V " " \
    "AND (',' || e.skills || ',') LIKE ('%,' || t.skill || ',%'))) AND (t.zone_id IS NULL OR EXISTS " \
    "(SELECT 1 FROM volunteers e WHERE e.id = " V " AND e.zone_id = t.zone_id)) AND (t.team_id IS NULL OR EXISTS " \
    "(SELECT 1 FROM team_members tm WHERE tm.team_id = t.team_id AND tm.volunteer_id = " V " AND tm.state = " \
    "'member')) THEN 1 ELSE 0 END"
#define TASK_COLUMNS_AS(V) \
    "t.id, t.title, t.details, t.place, t.starts_at, t.ends_at, t.slots, t.claimed, t.skill, t.zone_id, " \
    "z.name, t.service_kind, t.minutes, t.state, " TASK_MY_STATE_AS(V) ", " \
    "(SELECT COUNT(*) FROM task_claims w WHERE w.community_id = t.community_id AND w.task_id = t.id " \
    "AND w.state = 'waitlist'), " TASK_ELIGIBLE_AS(V) ", t.team_id "
/* The same places with only what a claim's checks read (the rest NULL or 0). */
#define TASK_CHECK_COLUMNS_AS(V) \
    "t.id, NULL, NULL, NULL, 0, t.ends_at, t.slots, t.claimed, t.skill, t.zone_id, NULL, t.service_kind, " \
    "t.minutes, t.state, " TASK_MY_STATE_AS(V) ", 0, " TASK_ELIGIBLE_AS(V) ", t.team_id "
#define TASK_SELECT \
    "SELECT " TASK_COLUMNS_AS("$2") "FROM tasks t LEFT JOIN zones z ON z.id = t.zone_id WHERE t.community_id = $1 "

static json_t *task_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    json_t *t = json_pack("{s:I, s:s, s:s?, s:s?, s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:s?, s:s?, s:s, s:I, s:s, s:I, "
        "s:b}",
        "id", (json_int_t)store_col_int(st, 0), "title", store_col_text(st, 1), "details", store_col_text(st, 2),
        "place", store_col_text(st, 3), "starts_at", vol_time_json(store_col_int(st, 4)), "ends_at",
        vol_time_json(store_col_int(st, 5)), "start_text", vol_local_time(req, store_col_int(st, 4)), "end_text",
        vol_local_time(req, store_col_int(st, 5)), "slots", (json_int_t)store_col_int(st, 6), "claimed",
        (json_int_t)store_col_int(st, 7), "open", (json_int_t)(store_col_int(st, 6) - store_col_int(st, 7)),
        "skill", store_col_text(st, 8), "zone_name", store_col_text(st, 10), "service_kind", store_col_text(st, 11),
        "minutes", (json_int_t)store_col_int(st, 12), "state", store_col_text(st, 13), "waitlist",
        (json_int_t)store_col_int(st, 15), "eligible", (int)store_col_int(st, 16));
    json_object_set_new(t, "zone_id", store_col_null(st, 9) ? json_null() : json_integer(store_col_int(st, 9)));
    json_object_set_new(t, "my_state", store_col_null(st, 14) ? json_null() : json_string(store_col_text(st, 14)));
    json_object_set_new(t, "team_id", store_col_null(st, 17) ? json_null() : json_integer(store_col_int(st, 17)));
    return t;
}

static const list_column task_columns[] = {
    {"id", "col.id"}, {"title", "task.col.title"}, {"place", "shift.col.place"}, {"start_text", "shift.col.start"},
    {"end_text", "shift.col.end"}, {"slots", "task.col.slots"}, {"claimed", "task.col.claimed"},
    {"waitlist", "shift.col.waitlist"}, {"service_kind", "task.col.service_kind"}, {"state", "vol.col.state"}, {0, 0},
};

/* GET /tasks?state=open|done|cancelled|all (default open): for a volunteer the ones they
 * may take come first, then by start. */
static int tasks_list(http_req *req)
{
    const char *state = http_query(req, "state");
    if (!state || !*state) state = "open";
    if (strcmp(state, "open") && strcmp(state, "done") && strcmp(state, "cancelled") && strcmp(state, "all"))
        return http_fail_field(req, "state", "task.err.state");
    int64_t vid = vol_own(req, NULL), limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, TASK_SELECT
        "AND ($3 = 'all' OR t.state = $3) AND t.id > $4 ORDER BY t.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid > 0 ? vid : 0);
    store_bind_text(st, 3, state);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, task_item, req, &next_after);
    /* Eligible first, each part in start order: a stable sort over the page. */
    size_t n = json_array_size(items);
    json_t *sorted = json_array();
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < n; i++) {
            json_t *t = json_array_get(items, i);
            if (json_is_true(json_object_get(t, "eligible")) == (pass == 1)) json_array_append(sorted, t);
        }
    json_decref(items);
    return http_reply_list(req, "task.list.tasks", task_columns, sorted, next_after);
}

/* The task as volunteer vid (0: none) sees it, with its people for leaders. */
static int task_reply_as(http_req *req, int status, int64_t id, const char *outcome, int64_t vid)
{
    store_stmt *st = store_prepare(req->conn, TASK_SELECT "AND t.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid > 0 ? vid : 0);
    store_bind_int(st, 3, id);
    json_t *t = store_step(st) == STORE_ROW ? task_item(st, req) : NULL;
    store_done(st);
    if (!t) return http_fail_not_found(req);
    if (actor_has(&req->actor, VOL_LEADERS)) {
        json_t *people = json_array();
        st = store_prepare(req->conn,
            "SELECT c.volunteer_id, v.name, v.phone, c.state FROM task_claims c JOIN volunteers v "
                                      "ON v.id = c.volunteer_id WHERE c.community_id = $1 AND c.task_id = $2 "
                                      "AND c.state <> 'cancelled' ORDER BY CASE c.state WHEN 'claimed' THEN 0 ELSE 1 "
                                          "END, "
                                      "c.queued_at, c.id");
        if (st) {
            store_bind_int(st, 1, req->actor.community_id);
            store_bind_int(st, 2, id);
            while (store_step(st) == STORE_ROW)
                json_array_append_new(people, json_pack("{s:I, s:s, s:s?, s:s}", "volunteer_id",
                    (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "phone", store_col_text(st, 2),
                    "state", store_col_text(st, 3)));
            store_done(st);
        }
        json_object_set_new(t, "people", people);
    }
    json_t *out = json_pack("{s:o}", "task", t);
    if (outcome) {
        json_object_set_new(out, "outcome", json_string(outcome));
        json_object_set_new(out, "message", json_string(i18n_text(req->lang, arena_printf(req->a, "task.ok.%s",
            outcome))));
    }
    return http_reply(req, status, out);
}

static int task_reply(http_req *req, int status, int64_t id, const char *outcome)
{
    return task_reply_as(req, status, id, outcome, vol_own(req, NULL));
}

static int task_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return task_reply(req, 200, id, NULL);
}

/* "HH:MM" of field into minutes; false with the 400. */
static bool body_hhmm(http_req *req, const char *field, int *out)
{
    const char *s;
    int h, m;
    char tail;
    if (!http_body_str(req, field, 5, 5, &s)) return false;
    if (sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
        return http_fail_field(req, field, "shift.err.time"), false;
    *out = h * 60 + m;
    return true;
}

static int task_announce(http_req *req, int64_t id, const char *title, int64_t starts_at, int64_t slots);

/* POST /tasks {title, details?, place?, date, start, end, slots, skill?, zone_id?,
 * service_kind, minutes?}: minutes credited per claimant, the task's length if absent. */
static int task_create(http_req *req)
{
    const char *title, *details = NULL, *place = NULL, *date, *skill = NULL, *kind;
    int64_t slots, zone_id = 0, minutes = 0;
    bool has_slots, has_zone, has_minutes;
    int start, end, y, m, d;
    if (!http_body_str(req, "title", 1, 100, &title)) return -1;
    if (!http_body_str_opt(req, "details", 0, 1000, &details)) return -1;
    if (!http_body_str_opt(req, "place", 0, 200, &place)) return -1;
    if (!http_body_str(req, "date", 10, 10, &date)) return -1;
    if (!clock_parse_date(date, &y, &m, &d)) return http_fail_field(req, "date", "vol.err.date");
    if (!body_hhmm(req, "start", &start) || !body_hhmm(req, "end", &end)) return -1;
    if (end <= start) return http_fail_field(req, "end", "task.err.end");
    if (!http_body_int_opt(req, "slots", 1, 10000, &slots, &has_slots)) return -1;
    if (!has_slots) return http_fail_field(req, "slots", "err.required");
    if (!http_body_str_opt(req, "skill", 1, 16, &skill)) return -1;
    if (skill && !vol_word_in(skill, vol_skills)) return http_fail_field(req, "skill", "vol.err.skill");
    if (!http_body_int_opt(req, "zone_id", 1, INT64_MAX, &zone_id, &has_zone)) return -1;
    if (has_zone && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2",
                                     "ii", zone_id, req->actor.community_id))
        return http_fail_field(req, "zone_id", "vol.err.zone");
    /* A team's leader posts for their team only; committee staff for anyone or a team. */
    int64_t team_id = 0;
    bool has_team;
    if (!http_body_int_opt(req, "team_id", 1, INT64_MAX, &team_id, &has_team)) return -1;
    if (has_team && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM teams WHERE id = $1 AND community_id = $2",
                                     "ii", team_id, req->actor.community_id))
        return http_fail_field(req, "team_id", "shift.err.team_unknown");
    if (!vol_is_staff(req) && (!has_team || !team_led_by_actor(req, team_id)))
        return http_fail(req, 403, "forbidden", "team_id", "team.err.not_leader");
    if (!http_body_str(req, "service_kind", 1, 16, &kind)) return -1;
    if (!vol_word_in(kind, vol_service_kinds)) return http_fail_field(req, "service_kind", "task.err.service_kind");
    if (!http_body_int_opt(req, "minutes", 1, 24 * 60, &minutes, &has_minutes)) return -1;
    if (!has_minutes) minutes = end - start;
    int64_t day = clock_days_from_civil(y, m, d);
    int64_t s = vol_local_instant(req, day, start), e = vol_local_instant(req, day, end);
    if (e <= clock_now_us()) return http_fail_field(req, "end", "task.err.past");
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO tasks (community_id, title, details, place, starts_at, ends_at, slots, skill, zone_id, "
        "service_kind, minutes, state, posted_by, created_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, 'open', $12, $13, $14) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, title);
    store_bind_text(st, 3, details);
    store_bind_text(st, 4, place);
    store_bind_int(st, 5, s);
    store_bind_int(st, 6, e);
    store_bind_int(st, 7, slots);
    store_bind_text(st, 8, skill);
    if (has_zone) store_bind_int(st, 9, zone_id); else store_bind_null(st, 9);
    store_bind_text(st, 10, kind);
    store_bind_int(st, 11, minutes);
    store_bind_int(st, 12, req->actor.user_id);
    store_bind_int(st, 13, clock_now_us());
    if (has_team) store_bind_int(st, 14, team_id); else store_bind_null(st, 14);
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "task insert");
    if (task_announce(req, id, title, s, slots) < 0) return http_fail_internal(req, "task announce");
    http_audit_target(req, "task", id, json_pack("{s:I}", "slots", (json_int_t)slots));
    return task_reply(req, 201, id, NULL);
}

typedef struct task_row {
    int64_t id, slots, claimed, ends_at, minutes, zone_id, posted_by;
    const char *state, *skill, *service_kind;
    int64_t team_id, shift_id;
} task_row;

static int task_load(http_req *req, int64_t id, task_row *t)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT id, slots, claimed, ends_at, minutes, zone_id, posted_by, state, skill, "
                       "service_kind, team_id, shift_id FROM tasks WHERE id = $1 AND community_id = $2", "ii", id,
                       req->actor.community_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? 0 : -1;
    *t = (task_row){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2), store_col_int(st, 3),
                    store_col_int(st, 4), store_col_int(st, 5), store_col_int(st, 6),
                    arena_strdup(req->a, store_col_text(st, 7)), arena_strdup(req->a, store_col_text(st, 8)),
                    arena_strdup(req->a, store_col_text(st, 9)), store_col_null(st, 10) ? 0 : store_col_int(st, 10),
                    store_col_null(st, 11) ? 0 : store_col_int(st, 11)};
    store_done(st);
    return 1;
}

static bool task_eligible(http_req *req, const task_row *t, int64_t vid)
{
    if (t->team_id && !team_member_of(req, t->team_id, vid)) return false;
    if (t->skill && *t->skill && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 "
                                                  "AND (',' || skills || ',') LIKE ('%,' || $2 || ',%')", "it", vid,
                                                      t->skill))
        return false;
    if (t->zone_id && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND zone_id = $2",
                                       "ii", vid, t->zone_id))
        return false;
    return true;
}

static const char *claim_state(http_req *req, int64_t task_id, int64_t vid)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT state FROM task_claims WHERE community_id = $1 AND task_id = $2 "
                  "AND volunteer_id = $3", "iii", req->actor.community_id, task_id, vid) != STORE_ROW)
        return NULL;
    const char *s = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return s;
}

/* Sent "later" (store_run_later): the claim's own row cannot be refused once its
 * checks passed on the writer, and a failure of the store fails the batch. */
static int claim_put(http_req *req, int64_t task_id, int64_t vid, const char *state, bool existed)
{
    int64_t now = clock_now_us();
    if (existed)
        return store_run_later(req->conn, "UPDATE task_claims SET state = $1, queued_at = $2, updated_at = $2 "
                               "WHERE community_id = $3 AND task_id = $4 AND volunteer_id = $5", "tiiii", state, now,
                               req->actor.community_id, task_id, vid) == STORE_DONE ? 0 : -1;
    return store_run_later(req->conn, "INSERT INTO task_claims (community_id, task_id, volunteer_id, state, queued_at, "
                           "updated_at) VALUES ($1, $2, $3, $4, $5, $5)", "iiiti", req->actor.community_id, task_id,
                           vid, state, now) == STORE_DONE ? 0 : -1;
}

static int slot_take(http_req *req, int64_t task_id)
{
    int rc = store_run(req->conn, NULL, "UPDATE tasks SET claimed = claimed + 1 WHERE id = $1 AND community_id = $2 "
                       "AND state = 'open' AND claimed < slots RETURNING id", "ii", task_id, req->actor.community_id);
    return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* The checks a claim on the path's task passes before it may take a slot: a serving
 * volunteer, an open task they may take, not theirs already. 0 with the task's row and,
 * when item is not NULL, its answer as the claimant sees it now (*item, owned by the
 * caller); -1 after a reply.
 * One statement reads the task, the caller's volunteer row and their claim: a claim
 * waits on the writer behind hundreds of others, and each round trip counts. */
#define CLAIM_CHECK_FROM \
    ", t.posted_by, t.shift_id, v.id, v.state FROM tasks t LEFT JOIN zones z ON z.id = t.zone_id LEFT JOIN " \
    "volunteers v ON v.community_id = t.community_id AND v.user_id = $2 WHERE t.community_id = $1 AND t.id = $3"

static int claim_check(http_req *req, task_row *t, int64_t *vid, const char **cur, json_t **item)
{
    int64_t id;
    if (item) *item = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st, item ? "SELECT " TASK_COLUMNS_AS("v.id") CLAIM_CHECK_FROM
                                            : "SELECT " TASK_CHECK_COLUMNS_AS("v.id") CLAIM_CHECK_FROM,
                       "iii", req->actor.community_id, req->actor.user_id, id);
    if (rc != STORE_ROW && rc != STORE_DONE) return http_fail_internal(req, "task");
    const char *vstate = NULL;
    *cur = NULL;
    if (rc == STORE_DONE) {
        *vid = vol_own(req, NULL);      /* which answer: not a volunteer comes first */
        if (*vid < 0) return http_fail_internal(req, "volunteer");
        if (!*vid) return http_fail(req, 409, "conflict", NULL, "vol.err.not_volunteer");
        return http_fail_not_found(req);
    }
    *t = (task_row){store_col_int(st, 0), store_col_int(st, 6), store_col_int(st, 7), store_col_int(st, 5),
                    store_col_int(st, 12), store_col_int(st, 9), store_col_int(st, 18),
                    arena_strdup(req->a, store_col_text(st, 13)), arena_strdup(req->a, store_col_text(st, 8)),
                    arena_strdup(req->a, store_col_text(st, 11)), store_col_null(st, 17) ? 0 : store_col_int(st, 17),
                    store_col_null(st, 19) ? 0 : store_col_int(st, 19)};
    *vid = store_col_null(st, 20) ? 0 : store_col_int(st, 20);
    if (*vid) vstate = arena_strdup(req->a, store_col_text(st, 21));
    if (!store_col_null(st, 14)) *cur = arena_strdup(req->a, store_col_text(st, 14));
    bool eligible = store_col_int(st, 16) != 0;
    if (item) *item = task_item(st, req);
    store_done(st);
    if (!*vid) return http_fail(req, 409, "conflict", NULL, "vol.err.not_volunteer");
    if (!vol_state_serves(vstate)) return http_fail(req, 409, "conflict", NULL, "shift.err.not_serving");
    if (strcmp(t->state, "open") || t->ends_at <= clock_now_us()) return http_fail(req, 409, "conflict", NULL,
        "task.err.closed");
    if (!eligible) return http_fail(req, 409, "conflict", NULL, "task.err.not_eligible");
    if (*cur && strcmp(*cur, "cancelled")) return http_fail(req, 409, "conflict", NULL, "task.err.already");
    return 0;
}

/* POST /tasks/{id}/claim, first on a read snapshot: when hundreds grab in the same
 * second, most find the task full. A claim that cannot take a slot by what is already
 * committed (and does not ask for the waitlist) is answered here, in parallel on the
 * readers, and never waits in the write queue behind the claims that can; a slot freed
 * after this snapshot is the same race as a claim that came a moment earlier. */
static int task_claim_prepare(http_req *req)
{
    int64_t vid;
    task_row t;
    const char *cur = NULL;
    if (claim_check(req, &t, &vid, &cur, NULL)) return -1;
    if (t.claimed >= t.slots && !json_is_true(json_object_get(req->json, "waitlist")))
        return http_fail(req, 409, "full", NULL, "task.err.full");
    return 0;
}

/* POST /tasks/{id}/claim {waitlist?: true}: every check again where writes are ordered.
 * The answer is the task as read by the check, with this claim added: the writer runs
 * claims one after another, so nothing else changed it in between. */
static int task_claim(http_req *req)
{
    int64_t vid;
    task_row t;
    const char *cur = NULL;
    json_t *item;
    if (claim_check(req, &t, &vid, &cur, &item)) {
        json_decref(item);
        return -1;
    }
    arena_on_free(req->a, (void (*)(void *))json_decref, item);
    const int64_t id = t.id;
    /* An open shift as a task: the claimant must be able to stand the shift. */
    if (t.shift_id && t.claimed < t.slots) {
        bool failed;
        const char *why = shifts_take_for_task(req, t.shift_id, vid, &failed);
        if (failed) return http_fail_internal(req, "claim shift");
        if (why) return http_fail(req, 409, "conflict", NULL, why);
    }
    /* Full by the check's row: no slot to take (a slot freed since is the same race as a
     * claim that came a moment earlier). */
    int got = t.claimed < t.slots ? slot_take(req, id) : 0;
    if (got < 0) return http_fail_internal(req, "claim");
    if (!got && t.shift_id && t.claimed < t.slots) return http_fail(req, 409, "full", NULL, "task.err.full");
    if (!got) {
        if (!json_is_true(json_object_get(req->json, "waitlist"))) return http_fail(req, 409, "full", NULL,
            "task.err.full");
        if (claim_put(req, id, vid, "waitlist", cur != NULL) < 0) return http_fail_internal(req, "claim waitlist");
    } else if (claim_put(req, id, vid, "claimed", cur != NULL) < 0) {
        return http_fail_internal(req, "claim");
    }
    const char *outcome = got ? "claimed" : "waitlist";
    http_audit_target(req, "task", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "state", outcome));
    if (actor_has(&req->actor, VOL_LEADERS)) return task_reply_as(req, 201, id, outcome, vid);  /* with people */
    const char *count = got ? "claimed" : "waitlist";
    json_object_set_new(item, count, json_integer(json_integer_value(json_object_get(item, count)) + 1));
    json_object_set_new(item, "open", json_integer(t.slots - t.claimed - (got ? 1 : 0)));
    json_object_set_new(item, "my_state", json_string(outcome));
    return http_reply(req, 201, json_pack("{s:O, s:s, s:s}", "task", item, "outcome", outcome, "message",
                                          i18n_text(req->lang, arena_printf(req->a, "task.ok.%s", outcome))));
}

static const char *task_title(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT title FROM tasks WHERE id = $1", "i", id) != STORE_ROW) return "";
    const char *title = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return title;
}

/* Tells every volunteer who may take new task `id` (serving, with an account, of its
 * skill, zone and team): "a task that fits me", first in their app. */
static int task_announce(http_req *req, int64_t id, const char *title, int64_t starts_at, int64_t slots)
{
    json_t *params = json_pack("{s:s, s:s, s:I}", "title", title, "when", vol_local_time(req, starts_at), "slots",
                               (json_int_t)slots);
    int64_t told = notify_users_from(req->conn, req->actor.community_id, "task_fits", params, "/volunteers/tasks",
        "SELECT v.user_id FROM volunteers v JOIN tasks t ON t.id = $2 WHERE v.community_id = $1 AND v.user_id IS NOT "
        "NULL AND v.state IN ('approved', 'active') AND (t.skill IS NULL OR (',' || v.skills || ',') LIKE ('%,' || "
        "t.skill || ',%')) AND (t.zone_id IS NULL OR v.zone_id = t.zone_id) AND (t.team_id IS NULL OR EXISTS (SELECT 1 "
        "FROM team_members m WHERE m.team_id = t.team_id AND m.volunteer_id = v.id AND m.state = 'member'))",
        "i", id, 0);
    json_decref(params);
    return told < 0 ? -1 : 0;
}

/* The first eligible on the task's waitlist takes a freed slot; -1 on a store error. */
static int64_t task_promote(http_req *req, const task_row *t)
{
    store_stmt *st = store_prepare(req->conn, "SELECT c.volunteer_id FROM task_claims c JOIN volunteers v "
                                              "ON v.id = c.volunteer_id WHERE c.community_id = $1 AND c.task_id = $2 "
                                              "AND c.state = 'waitlist' AND v.state IN ('approved', 'active') "
                                              "ORDER BY c.queued_at, c.id LIMIT 20");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, t->id);
    int64_t ids[20];
    int n = 0;
    while (n < 20 && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
    store_done(st);
    for (int i = 0; i < n; i++) {
        if (!task_eligible(req, t, ids[i])) continue;
        int got = slot_take(req, t->id);
        if (got <= 0) return got;
        if (store_run(req->conn, NULL,
            "UPDATE task_claims SET state = 'claimed', updated_at = $1 WHERE community_id = $2 "
                      "AND task_id = $3 AND volunteer_id = $4", "iiii", clock_now_us(), req->actor.community_id, t->id,
                      ids[i]) != STORE_DONE)
            return -1;
        json_t *params = json_pack("{s:s}", "title", task_title(req, t->id));
        if (vol_notify(req, ids[i], "promoted_task", params, "/volunteers/tasks") < 0) return -1;
        return ids[i];
    }
    return 0;
}

/* Cancels volunteer vid's claim or waiting place on task t; a freed slot goes to the
 * waitlist. Returns the volunteer promoted, 0 none, -1 on a store error. */
static int64_t claim_cancel(http_req *req, const task_row *t, int64_t vid, bool held)
{
    if (store_run(req->conn, NULL,
        "UPDATE task_claims SET state = 'cancelled', updated_at = $1 WHERE community_id = $2 "
                  "AND task_id = $3 AND volunteer_id = $4", "iiii", clock_now_us(), req->actor.community_id, t->id,
                      vid) !=
        STORE_DONE)
        return -1;
    if (!held) return 0;
    if (store_run(req->conn, NULL, "UPDATE tasks SET claimed = claimed - 1 WHERE id = $1 AND community_id = $2 "
                  "AND claimed > 0", "ii", t->id, req->actor.community_id) != STORE_DONE)
        return -1;
    return strcmp(t->state, "open") ? 0 : task_promote(req, t);
}

/* DELETE /tasks/{id}/claim */
static int task_unclaim(http_req *req)
{
    int64_t id;
    task_row t;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t vid = vol_own(req, NULL);
    if (vid <= 0) return vid < 0 ? http_fail_internal(req, "volunteer") : http_fail_not_found(req);
    int f = task_load(req, id, &t);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "task") : http_fail_not_found(req);
    const char *cur = claim_state(req, id, vid);
    if (!cur || !strcmp(cur, "cancelled")) return http_fail_not_found(req);
    if (strcmp(t.state, "open")) return http_fail(req, 409, "conflict", NULL, "task.err.closed");
    if (t.shift_id && !strcmp(cur, "claimed")) return http_fail(req, 409, "conflict", NULL, "task.err.shift_task");
    int64_t promoted = claim_cancel(req, &t, vid, !strcmp(cur, "claimed"));
    if (promoted < 0) return http_fail_internal(req, "unclaim");
    http_audit_target(req, "task", id, json_pack("{s:I, s:I}", "volunteer_id", (json_int_t)vid, "promoted",
                                                 (json_int_t)promoted));
    return task_reply(req, 200, id, promoted ? "cancelled_filled" : "cancelled");
}

/* POST /tasks/{id}/done {absent?: [volunteer ids]}: the poster (or committee staff)
 * closes the task; every claimant not named absent is credited the task's minutes. */
static int task_done(http_req *req)
{
    int64_t id;
    task_row t;
    if (!http_param_id(req, "id", &id)) return -1;
    int f = task_load(req, id, &t);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "task") : http_fail_not_found(req);
    if (!vol_is_staff(req) && t.posted_by != req->actor.user_id)
        return http_fail(req, 403, "forbidden", NULL, "task.err.not_poster");
    if (strcmp(t.state, "open")) return http_fail(req, 409, "conflict", NULL, "task.err.closed");
    json_t *absent = json_object_get(req->json, "absent");
    if (absent && !json_is_array(absent)) return http_fail_field(req, "absent", "task.err.absent");
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE tasks SET state = 'done', done_by = $1, done_at = $2 WHERE id = $3 "
                  "AND community_id = $4", "iiii", req->actor.user_id, now, id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "task done");
    store_stmt *st = store_prepare(req->conn, "SELECT volunteer_id FROM task_claims WHERE community_id = $1 "
                                              "AND task_id = $2 AND state = 'claimed' ORDER BY id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    int64_t *ids = arena_alloc(req->a, sizeof *ids * (size_t)(t.slots + 1));
    int n = 0;
    while (n < t.slots && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
    store_done(st);
    const char *day = vol_local_day(req, now);
    int credited = 0;
    for (int i = 0; i < n; i++) {
        bool away = false;
        size_t k;
        json_t *x;
        json_array_foreach(absent, k, x) away = away || json_integer_value(x) == ids[i];
        if (away) continue;
        if (t.shift_id) continue;   /* the shift's check-in and out credit its hours */
        if (timebank_credit(req, ids[i], t.service_kind, t.minutes, day, "task", id, "verified") < 0)
            return http_fail_internal(req, "task credit");
        credited++;
    }
    http_audit_target(req, "task", id, json_pack("{s:i}", "credited", credited));
    return task_reply(req, 200, id, "done");
}

/* POST /tasks/{id}/cancel: the task is called off; nobody is credited. */
static int task_cancel(http_req *req)
{
    int64_t id;
    task_row t;
    if (!http_param_id(req, "id", &id)) return -1;
    int f = task_load(req, id, &t);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "task") : http_fail_not_found(req);
    if (!vol_is_staff(req) && t.posted_by != req->actor.user_id)
        return http_fail(req, 403, "forbidden", NULL, "task.err.not_poster");
    if (strcmp(t.state, "open")) return http_fail(req, 409, "conflict", NULL, "task.err.closed");
    if (store_run(req->conn, NULL, "UPDATE tasks SET state = 'cancelled', done_by = $1, done_at = $2 WHERE id = $3 "
                  "AND community_id = $4", "iiii", req->actor.user_id, clock_now_us(), id, req->actor.community_id) !=
        STORE_DONE)
        return http_fail_internal(req, "task cancel");
    http_audit_target(req, "task", id, NULL);
    return task_reply(req, 200, id, "called_off");
}

int tasks_open_for_shift(http_req *req, int64_t shift_id)
{
    int64_t c = req->actor.community_id;
    int rc = store_run(req->conn, NULL, "UPDATE tasks SET slots = slots + 1 WHERE community_id = $1 AND shift_id = $2 "
                       "AND state = 'open' RETURNING id", "ii", c, shift_id);
    if (rc == STORE_ROW) return 0;
    if (rc != STORE_DONE) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT p.name, s.starts_at, s.ends_at, p.kind, s.team_id, p.place FROM shifts s "
                  "JOIN posts p ON p.id = s.post_id WHERE s.id = $1 AND s.community_id = $2", "ii", shift_id, c) !=
        STORE_ROW)
        return -1;
    const char *kind = store_col_text(st, 3);
    const char *service = !strcmp(kind, "sorting") ? "parcels" : vol_word_in(kind, vol_service_kinds) ? kind : "other";
    int64_t start = store_col_int(st, 1), end = store_col_int(st, 2);
    /* The title is the community's own words: the post and the local time of the shift. */
    const char *title = arena_printf(req->a, "顶班 · %s %s", store_col_text(st, 0), vol_local_time(req, start) + 5);
    const char *place = arena_strdup(req->a, store_col_text(st, 5));
    int64_t team = store_col_null(st, 4) ? 0 : store_col_int(st, 4);
    service = arena_strdup(req->a, service);
    store_done(st);
    st = store_prepare(req->conn,
        "INSERT INTO tasks (community_id, title, place, starts_at, ends_at, slots, service_kind, "
                                  "minutes, state, created_at, team_id, shift_id) VALUES ($1, $2, $3, $4, $5, 1, $6, "
                                      "$7, "
                                  "'open', $8, $9, $10) RETURNING id");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    store_bind_text(st, 2, title);
    store_bind_text(st, 3, place);
    store_bind_int(st, 4, start);
    store_bind_int(st, 5, end);
    store_bind_text(st, 6, service);
    store_bind_int(st, 7, (end - start) / 60000000);
    store_bind_int(st, 8, clock_now_us());
    if (team) store_bind_int(st, 9, team); else store_bind_null(st, 9);
    store_bind_int(st, 10, shift_id);
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return id && task_announce(req, id, title, start, 1) == 0 ? 0 : -1;
}

int tasks_release_volunteer(http_req *req, int64_t vid)
{
    store_stmt *st = store_prepare(req->conn,
        "SELECT c.task_id, c.state FROM task_claims c JOIN tasks t ON t.id = c.task_id "
                                              "WHERE c.community_id = $1 AND c.volunteer_id = $2 AND t.state = 'open' "
                                              "AND c.state <> 'cancelled' ORDER BY c.task_id");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid);
    int64_t ids[512];
    bool held[512];
    int n = 0;
    while (n < 512 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        held[n++] = !strcmp(store_col_text(st, 1), "claimed");
    }
    store_done(st);
    for (int i = 0; i < n; i++) {
        task_row t;
        if (task_load(req, ids[i], &t) <= 0 || claim_cancel(req, &t, vid, held[i]) < 0) return -1;
    }
    return 0;
}

const http_route task_routes[] = {
    {"GET", "/api/v1/tasks", NULL, tasks_list, VOL_LEADERS | ROLE_VOLUNTEER, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/tasks", NULL, task_create, VOL_STAFF | ROLE_VOLUNTEER, ROUTE_WRITE, 4096, "task.create"},
    {"GET", "/api/v1/tasks/{id}", NULL, task_get, VOL_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"POST", "/api/v1/tasks/{id}/claim", task_claim_prepare, task_claim, ROLE_VOLUNTEER, ROUTE_WRITE, 256,
        "task.claim"},
    {"DELETE", "/api/v1/tasks/{id}/claim", NULL, task_unclaim, ROLE_VOLUNTEER, ROUTE_WRITE, 0, "task.unclaim"},
    {"POST", "/api/v1/tasks/{id}/done", NULL, task_done, VOL_STAFF | ROLE_VOLUNTEER, ROUTE_WRITE, 65536, "task.done"},
    {"POST", "/api/v1/tasks/{id}/cancel", NULL, task_cancel, VOL_STAFF | ROLE_VOLUNTEER, ROUTE_WRITE, 256,
        "task.cancel"},
    {0},
};

const i18n_entry task_messages[] = {
    {"task.list.tasks", "任务", "Tasks"},
    {"task.col.title", "任务", "Task"},
    {"task.col.slots", "名额", "Slots"},
    {"task.col.claimed", "已抢", "Claimed"},
    {"task.col.service_kind", "服务类别", "Kind of service"},
    {"task.err.state", "状态只能是 open、done、cancelled 或 all", "State must be open, done, cancelled or all"},
    {"task.err.end", "结束时间须晚于开始时间", "The end must be after the start"},
    {"task.err.past", "任务结束时间已过", "The task would end in the past"},
    {"task.err.service_kind", "服务类别只能是 gate、parcels、sampling、care、delivery、patrol 或 other",
     "Kind of service must be gate, parcels, sampling, care, delivery, patrol or other"},
    {"task.err.closed", "任务已结束或已取消", "This task is done or called off"},
    {"task.err.not_eligible", "该任务限定了技能或片区，您不符合", "This task is for a skill or zone that you do not have"},
    {"task.err.already", "您已抢到或已在候补名单中", "You already hold a slot or wait for one"},
    {"task.err.full", "名额已满，可以加入候补名单", "All slots are taken; you may join the waitlist"},
    {"task.err.not_poster", "只有发布任务的队长或居委干部可以这样做", "Only the leader who posted it or committee staff may"},
    {"task.err.shift_task", "这是顶班任务：请在“我的班次”里退出该班次",
        "This task is a shift: give the shift back from your shifts instead"},
    {"task.err.absent", "absent 应为志愿者编号列表", "absent must be a list of volunteer ids"},
    {"task.ok.claimed", "抢单成功", "The slot is yours"},
    {"task.ok.waitlist", "已加入候补名单，有人退出时自动补上", "You are on the waitlist; a freed slot comes to you"},
    {"task.ok.cancelled", "已退出该任务", "You have left this task"},
    {"task.ok.cancelled_filled", "已退出该任务，候补志愿者已补上", "You have left this task; the waitlist filled your slot"},
    {"task.ok.done", "任务已完成，服务时长已记入", "Task done; hours credited"},
    {"task.ok.called_off", "任务已取消", "Task called off"},
    {0, 0, 0},
};
