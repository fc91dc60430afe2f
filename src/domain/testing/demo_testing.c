/* demo_testing.c — the demo's testing rounds: three closed pooled rounds (7, 4 and 2
 * days ago) with one positive tube in the last and its ten people followed up, today's
 * round half done at two stations, and yesterday's antigen round with self-reports.
 *
 * A round's samples are written by a few set-based statements, not row by row: who
 * came, which station (by the block's parity) and which tube (ten in arrival order)
 * all follow from the resident's id, so the load stays deterministic and costs a
 * handful of round trips on PostgreSQL instead of thousands. */
#include "testing_int.h"
#include "../../core/clock.h"
#include <stdio.h>
#include <string.h>

#define US_S 1000000LL
#define SHANGHAI_S (8 * 3600LL)

/* The people a round's stations sampled, as rows (rid, hid, st, via, rn): living here,
 * expected, not exempt, chosen by a hash of the id ($6 salt, $7 the per-cent that did
 * not come), the station by the block's parity ($3, $4), rn the arrival order at the
 * station ($5 = 0: by building, as a closed round queued; else scattered). */
#define DEMO_TESTING_CAME \
    "(SELECT r.id AS rid, r.household_id AS hid, " \
    "CASE WHEN b.id % 2 = 0 THEN CAST($3 AS BIGINT) ELSE CAST($4 AS BIGINT) END AS st, " \
    "CASE WHEN EXISTS (SELECT 1 FROM resident_flags f WHERE f.community_id = $1 AND f.resident_id = r.id " \
    "AND f.flag = 'bedridden' AND f.cleared_at IS NULL) THEN 'door' ELSE 'station' END AS via, " \
    "ROW_NUMBER() OVER (PARTITION BY b.id % 2 ORDER BY (r.id * $5) % 101, r.id) AS rn " \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id " \
    "WHERE r.community_id = $1 AND " TESTING_EXPECTED("$2") " AND NOT " TESTING_EXEMPT("$2") \
    " AND (r.id * 37 + $6) % 100 >= $7) x"
/* Of those, the first $8 at the first station and $9 at the second (today: half). */
#define DEMO_TESTING_UPTO "x.rn <= CASE WHEN x.st = $3 THEN CAST($8 AS BIGINT) ELSE CAST($9 AS BIGINT) END"
/* A sample's tube code: the round's prefix, the station's digit, the tube's number. */
#define DEMO_TESTING_CODE \
    "CAST($10 AS TEXT) || CAST(CASE WHEN x.st = $3 THEN 10000 ELSE 20000 END + (x.rn - 1) / 10 + 1 AS TEXT)"

typedef struct demo_round {
    demo_plan *p;
    store_conn *c;
    int64_t id, station[2], box[2], staff[2];
    int64_t base;             /* µs: the first sample */
    int salt, miss, scatter;
    int64_t limit[2];
    bool closed;
    char prefix[16];
} demo_round;

static int64_t demo_testing_at(const demo_plan *p, int days_ago, int hour, int minute)
{
    return ((p->today - days_ago) * 86400 - SHANGHAI_S + hour * 3600 + minute * 60) * US_S;
}

/* Binds $1..$10, the parameters every statement over DEMO_TESTING_CAME shares. */
static int demo_testing_bind(demo_round *r, store_stmt *st)
{
    return store_bind_int(st, 1, r->p->community_id) | store_bind_int(st, 2, r->id) |
           store_bind_int(st, 3, r->station[0]) | store_bind_int(st, 4, r->station[1]) |
           store_bind_int(st, 5, r->scatter) | store_bind_int(st, 6, r->salt) | store_bind_int(st, 7, r->miss) |
           store_bind_int(st, 8, r->limit[0]) | store_bind_int(st, 9, r->limit[1]) |
           store_bind_text(st, 10, r->prefix);
}

static int demo_testing_round(demo_round *r, const char *name, const char *kind, int days_ago, const char *state)
{
    demo_plan *p = r->p;
    char day[11];
    clock_format_date(p->today - days_ago, day);
    int64_t made = demo_testing_at(p, days_ago + 1, 16, 0), opened = demo_testing_at(p, days_ago, 6, 30);
    int64_t closed = demo_testing_at(p, days_ago, 12, 0);
    store_stmt *st;
    if (store_run(r->c, &st, "INSERT INTO test_rounds (community_id, name, on_day, kind, pool_size, state, "
                  "created_by, created_at, updated_at, opened_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                  "$8, $8, $9, $10) RETURNING id", strcmp(state, "closed") ? "itttitiiin" : "itttitiiii",
                  p->community_id, name, day, kind, strcmp(kind, "pcr_pooled") ? (int64_t)1 : (int64_t)10, state,
                  p->user_committee, made, opened, closed) != STORE_ROW)
        return STORE_ERR;
    r->id = store_col_int(st, 0);
    store_done(st);
    r->closed = !strcmp(state, "closed");
    snprintf(r->prefix, sizeof r->prefix, "%c%c%c%c%c%c", day[2], day[3], day[5], day[6], day[8], day[9]);
    return STORE_OK;
}

/* Two stations, each with its staff and one transport box (closed once a round is). */
static int demo_testing_stations(demo_round *r)
{
    static const char *const names[2] = {"1号采样点", "2号采样点"}, *const places[2] = {"北门广场", "南门停车场"};
    for (int i = 0; i < 2; i++) {
        store_stmt *st;
        if (store_run(r->c, &st, "INSERT INTO test_stations (community_id, round_id, name, place, opens_at, "
                      "closes_at, created_at) VALUES ($1, $2, $3, $4, '07:00', '11:00', $5) RETURNING id", "iitti",
                      r->p->community_id, r->id, names[i], places[i], r->base) != STORE_ROW)
            return STORE_ERR;
        r->station[i] = store_col_int(st, 0);
        store_done(st);
        if (r->staff[i] && store_run(r->c, NULL, "INSERT INTO test_station_staff (community_id, station_id, user_id, "
                                     "duty) VALUES ($1, $2, $3, 'registrar')", "iii", r->p->community_id,
                                     r->station[i], r->staff[i]) != STORE_DONE)
            return STORE_ERR;
        char code[40];
        snprintf(code, sizeof code, "BOX%s%d", r->prefix, i + 1);
        if (store_run(r->c, &st, "INSERT INTO test_boxes (community_id, round_id, station_id, code, opened_by, "
                      "opened_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                      r->closed ? "iiitiii" : "iiitiin", r->p->community_id, r->id, r->station[i], code,
                      r->staff[i] ? r->staff[i] : r->p->user_committee, r->base, r->base + 4 * 3600 * US_S) !=
            STORE_ROW)
            return STORE_ERR;
        r->box[i] = store_col_int(st, 0);
        store_done(st);
    }
    return STORE_OK;
}

/* Exemptions (2 in 100: recovered or away), then the tubes of ten, then the samples. */
static int demo_testing_samples(demo_round *r, int64_t result_by)
{
    demo_plan *p = r->p;
    if (store_run(r->c, NULL, "INSERT INTO test_exemptions (community_id, round_id, resident_id, reason, note, "
                  "created_by, created_at) SELECT $1, $2, r.id, CASE WHEN (r.id * 37 + $3) % 100 = 0 THEN 'recovered' "
                  "ELSE 'away' END, '', CAST($4 AS BIGINT), CAST($5 AS BIGINT) FROM residents r JOIN households h ON "
                  "h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.community_id = $1 AND "
                  TESTING_EXPECTED("$2") " AND (r.id * 37 + $3) % 100 < 2", "iiiii", p->community_id, r->id,
                  (int64_t)r->salt, p->user_committee, r->base) != STORE_DONE)
        return STORE_ERR;
    store_stmt *st = store_prepare(r->c, "INSERT INTO test_tubes (community_id, round_id, station_id, box_id, code, "
        "capacity, samples, opened_by, opened_at, closed_at, result, result_source, result_by, result_at) "
        "SELECT $1, $2, x.st, CASE WHEN COUNT(*) < 10 AND $11 = 0 THEN NULL WHEN x.st = $3 THEN CAST($12 AS BIGINT) "
        "ELSE CAST($13 AS BIGINT) END, " DEMO_TESTING_CODE ", 10, COUNT(*), CASE WHEN x.st = $3 THEN "
        "CAST($14 AS BIGINT) ELSE CAST($15 AS BIGINT) END, CAST($16 AS BIGINT) + MIN(x.rn) * 12000000, CASE WHEN "
        "COUNT(*) < 10 AND $11 = 0 THEN NULL ELSE CAST($16 AS BIGINT) + MAX(x.rn) * 12000000 + 60000000 END, "
        "CASE WHEN $11 = 1 THEN 'negative' END, CASE WHEN $11 = 1 THEN 'imported' END, CASE WHEN $11 = 1 THEN "
        "CAST($17 AS BIGINT) END, CASE WHEN $11 = 1 THEN CAST($16 AS BIGINT) + 10 * 3600000000 END FROM "
        DEMO_TESTING_CAME " WHERE " DEMO_TESTING_UPTO " GROUP BY x.st, (x.rn - 1) / 10");
    if (!st) return STORE_ERR;
    int bad = demo_testing_bind(r, st) | store_bind_int(st, 11, r->closed) | store_bind_int(st, 12, r->box[0]) |
              store_bind_int(st, 13, r->box[1]) | store_bind_int(st, 14, r->staff[0] ? r->staff[0] : result_by) |
              store_bind_int(st, 15, r->staff[1] ? r->staff[1] : result_by) | store_bind_int(st, 16, r->base) |
              store_bind_int(st, 17, result_by);
    if (bad || demo_step_done(st) != STORE_OK) return STORE_ERR;
    st = store_prepare(r->c, "INSERT INTO test_samples (community_id, round_id, resident_id, household_id, tube_id, "
        "station_id, via, state, taken_at, recorded_by, created_at) SELECT $1, $2, x.rid, x.hid, t.id, x.st, x.via, "
        "'counted', CAST($11 AS BIGINT) + x.rn * 12000000, CASE WHEN x.st = $3 THEN CAST($12 AS BIGINT) ELSE "
        "CAST($13 AS BIGINT) END, CAST($11 AS BIGINT) + x.rn * 12000000 FROM " DEMO_TESTING_CAME
        " JOIN test_tubes t ON t.round_id = $2 AND t.code = " DEMO_TESTING_CODE " WHERE " DEMO_TESTING_UPTO);
    if (!st) return STORE_ERR;
    bad = demo_testing_bind(r, st) | store_bind_int(st, 11, r->base) |
          store_bind_int(st, 12, r->staff[0] ? r->staff[0] : result_by) |
          store_bind_int(st, 13, r->staff[1] ? r->staff[1] : result_by);
    if (bad || demo_step_done(st) != STORE_OK) return STORE_ERR;
    /* The bedridden are visited at home: sampled there, or still to visit today. */
    return store_run(r->c, NULL, "INSERT INTO test_door_visits (community_id, round_id, resident_id, reason, state, "
                     "updated_by, updated_at) SELECT $1, $2, r.id, 'bedridden', CASE WHEN " TESTING_SAMPLED("$2")
                     " THEN 'sampled' ELSE CAST($3 AS TEXT) END, CAST($4 AS BIGINT), CAST($5 AS BIGINT) FROM "
                     "resident_flags f JOIN residents r ON r.id = f.resident_id JOIN households h ON h.id = "
                     "r.household_id JOIN blocks b ON b.id = h.block_id WHERE f.community_id = $1 AND f.flag = "
                     "'bedridden' AND f.cleared_at IS NULL AND " TESTING_EXPECTED("$2"), "iitii", p->community_id,
                     r->id, r->closed ? "not_home" : "to_visit", p->user_committee,
                     r->base + 3 * 3600 * US_S) == STORE_DONE ? STORE_OK : STORE_ERR;
}

/* The positive tube of the latest closed round: a full tube of the first block (the
 * demo block leader's), and its ten people's follow-up at every stage. */
static int demo_testing_positive(demo_round *r)
{
    demo_plan *p = r->p;
    int64_t tube = store_query_int(r->c, 0, "SELECT MIN(s.tube_id) FROM test_samples s JOIN households h ON h.id = "
                                   "s.household_id JOIN test_tubes t ON t.id = s.tube_id WHERE s.round_id = $1 AND "
                                   "h.block_id = $2 AND t.samples = 10", "ii", r->id, p->block_id[0]);
    if (!tube) return STORE_OK;
    int64_t at = r->base + 10 * 3600 * US_S;
    if (store_run(r->c, NULL, "UPDATE test_tubes SET result = 'positive', result_source = 'entered', result_at = $2 "
                  "WHERE id = $1", "ii", tube, at) != STORE_DONE)
        return STORE_ERR;
    int64_t sample[10], resident[10];
    int n = 0;
    store_stmt *st = store_prepare(r->c, "SELECT id, resident_id FROM test_samples WHERE community_id = $1 AND "
                                         "tube_id = $2 AND state = 'counted' ORDER BY id");
    if (!st || store_bind_int(st, 1, p->community_id) | store_bind_int(st, 2, tube)) return STORE_ERR;
    while (n < 10 && store_step(st) == STORE_ROW) {
        sample[n] = store_col_int(st, 0);
        resident[n++] = store_col_int(st, 1);
    }
    store_done(st);
    static const char *const states[10] = {"retest", "retest", "retest", "cleared", "isolated",
                                           "open", "open", "open", "open", "open"};
    static const char *const notes[10] = {"已单采复核，等结果", "已单采复核，等结果", "已单采复核，等结果",
                                          "单采复核阴性", "单采复核阳性，已转运隔离", "", "", "", "", ""};
    for (int i = 0; i < n; i++) {
        bool ended = !strcmp(states[i], "cleared") || !strcmp(states[i], "isolated");
        int64_t upd = at + (int64_t)(i + 1) * 1800 * US_S;
        if (store_run(r->c, NULL, "INSERT INTO test_followups (community_id, round_id, tube_id, sample_id, "
                      "resident_id, state, note, created_at, updated_by, updated_at, ended_at) VALUES ($1, $2, $3, "
                      "$4, $5, $6, $7, $8, $9, $10, $11)", ended ? "iiiiittiiii" : "iiiiittiiin", p->community_id,
                      r->id, tube, sample[i], resident[i], states[i], notes[i], at, p->user_committee,
                      !strcmp(states[i], "open") ? at : upd, upd) != STORE_DONE)
            return STORE_ERR;
    }
    return STORE_OK;
}

/* Today's not-tested list has been phoned in two blocks: the demo block leader's and
 * the demo resident's. */
static int demo_testing_calls(demo_round *r, int64_t block, int64_t caller, int n)
{
    return store_run(r->c, NULL, "INSERT INTO test_calls (community_id, round_id, resident_id, outcome, note, "
                     "called_by, called_at) SELECT $1, $2, r.id, CASE WHEN r.id % 3 = 0 THEN 'coming' WHEN r.id % 3 "
                     "= 1 THEN 'no_answer' ELSE 'away' END, '', CAST($4 AS BIGINT), CAST($5 AS BIGINT) FROM residents "
                     "r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE "
                     "r.community_id = $1 AND h.block_id = $3 AND " TESTING_EXPECTED("$2") " AND NOT "
                     TESTING_SAMPLED("$2") " AND NOT " TESTING_EXEMPT("$2") " ORDER BY r.id LIMIT $6", "iiiiii",
                     r->p->community_id, r->id, block, caller, r->p->now - 1800 * US_S, (int64_t)n) == STORE_DONE
               ? STORE_OK : STORE_ERR;
}

/* Yesterday's antigen self-test: every fifth household reported, and the demo
 * resident's household (by its own login). */
static int demo_testing_antigen(demo_plan *p, store_conn *c)
{
    demo_round r = {.p = p, .c = c, .base = demo_testing_at(p, 1, 8, 0)};
    if (demo_testing_round(&r, "抗原自测（居家）", "antigen", 1, "closed")) return STORE_ERR;
    int64_t own = p->hh_id[p->resident_hh];
    return store_run(c, NULL, "INSERT INTO test_samples (community_id, round_id, resident_id, household_id, via, "
                     "state, result, taken_at, recorded_by, created_at) SELECT $1, $2, r.id, r.household_id, 'self', "
                     "'counted', 'negative', CAST($5 AS BIGINT) + r.id * 1000000, CASE WHEN h.id = $3 THEN CAST($4 AS "
                     "BIGINT) END, CAST($5 AS BIGINT) + r.id * 1000000 FROM residents r JOIN households h ON h.id = "
                     "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.community_id = $1 AND "
                     TESTING_EXPECTED("$2") " AND (h.id = $3 OR h.id % 5 = 0)", "iiiii", p->community_id, r.id, own,
                     p->user_resident ? p->user_resident : p->user_committee, r.base) == STORE_DONE
               ? STORE_OK : STORE_ERR;
}

static int insert_testing(demo_plan *p, store_conn *c)
{
    /* 康城 is for speed tests of other lists: its 40,000 people take no rounds. */
    if (p->shape == DEMO_LARGE) return STORE_OK;
    const char *lead = p->shape == DEMO_DONGHUAN ? "dh-teamlead" : "teamlead";
    int64_t teamlead = store_query_int(c, 0, "SELECT id FROM users WHERE community_id = $1 AND username = $2", "it",
                                       p->community_id, lead);
    static const struct { int ago, salt, miss; } past[3] = {{7, 11, 10}, {4, 23, 8}, {2, 41, 12}};
    for (int i = 0; i < 3; i++) {
        demo_round r = {.p = p, .c = c, .salt = past[i].salt, .miss = past[i].miss, .limit = {1 << 30, 1 << 30},
                        .base = demo_testing_at(p, past[i].ago, 7, 0)};
        char name[64];
        char day[11];
        clock_format_date(p->today - past[i].ago, day);
        snprintf(name, sizeof name, "%s 全员核酸筛查", day + 5);
        if (demo_testing_round(&r, name, "pcr_pooled", past[i].ago, "closed") || demo_testing_stations(&r) ||
            demo_testing_samples(&r, p->user_committee) || (i == 2 && demo_testing_positive(&r)))
            return demo_step_fail(p, c, "testing rounds");
    }
    if (demo_testing_antigen(p, c)) return demo_step_fail(p, c, "antigen round");

    /* Today: open since the morning, about half sampled, each station's last tube
     * still open (the volunteer's holds six). */
    demo_round r = {.p = p, .c = c, .salt = 59, .miss = 0, .scatter = 53, .limit = {1 << 30, 1 << 30},
                    .staff = {p->user_volunteer, teamlead}, .base = p->now - 3 * 3600 * US_S};
    char name[64], day[11];
    clock_format_date(p->today, day);
    snprintf(name, sizeof name, "%s 全员核酸筛查", day + 5);
    if (demo_testing_round(&r, name, "pcr_pooled", 0, "open") || demo_testing_stations(&r))
        return demo_step_fail(p, c, "today's round");
    store_stmt *st = store_prepare(c, "SELECT COALESCE(SUM(CASE WHEN x.st = $3 THEN 1 ELSE 0 END), 0), "
                                      "COALESCE(SUM(CASE WHEN x.st = $4 THEN 1 ELSE 0 END), 0), MIN(CAST($10 AS TEXT)) "
                                      "FROM " DEMO_TESTING_CAME " WHERE " DEMO_TESTING_UPTO);
    if (!st || demo_testing_bind(&r, st) || store_step(st) != STORE_ROW) return demo_step_fail(p, c, "today's count");
    int64_t n0 = store_col_int(st, 0), n1 = store_col_int(st, 1);
    store_done(st);
    r.limit[0] = n0 >= 20 ? n0 / 20 * 10 + 6 : n0;
    r.limit[1] = n1 >= 20 ? n1 / 20 * 10 : n1;
    int64_t caller = p->user_block ? p->user_block : p->user_committee;
    if (demo_testing_samples(&r, p->user_committee) || demo_testing_calls(&r, p->block_id[0], caller, 3) ||
        demo_testing_calls(&r, p->block_id[p->hh[p->resident_hh].block], caller, 2))
        return demo_step_fail(p, c, "today's samples");
    return STORE_OK;
}

const demo_step testing_demo_steps[] = {
    {100, "testing rounds", insert_testing},
    {0},
};
