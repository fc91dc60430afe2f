/* roster.c — the roster generator: fills the shifts of a period (days to weeks) from the
 * volunteers who may stand them, fairly, as a draft the committee edits by hand and
 * then publishes. Tables in 019_rosters.sql.
 *
 * Hard rules, never broken (by the generator or by a hand edit): the volunteer is
 * approved or active; the shift fits their availability (when they gave one); they hold
 * its qualification, valid that day; no two shifts of theirs overlap (counting the ones
 * they already stand); at most max_hours_day on a local day and max_hours_week in a
 * Monday-to-Sunday week; at least min_rest_hours between the end of one shift and the
 * start of the next. Fairness: each free place goes to the eligible volunteer with the
 * fewest hours in the period so far (their existing shifts count), then to one whose
 * chosen zone is the post's, then to one who prefers this kind of post (preferences,
 * honoured where they cost no fairness), then to fewer shifts, then by a hash of shift
 * and person, so that ties do not always fall to the same low ids. Shifts are filled in
 * start order.
 *
 * The result explains itself: every entry carries why that person (their hours then,
 * the zone, how many were eligible); every shift left short carries how many people
 * each rule excluded; GET .../explain says for any person and shift why they are or are
 * not on it. Everything is computed in memory from one read of the period inside the
 * write job, so a roster of 300 volunteers x 6 posts x 3 shifts x 14 days takes
 * milliseconds (bench/roster). */
#include "volunteers_int.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROSTER_MAX_DAYS 31
#define US_MIN (60LL * 1000000)
#define US_DAY (86400LL * 1000000)
#define MAX_AVAIL 21
#define N_QUALS 3

enum { WHY_TEAM, WHY_AVAILABILITY, WHY_QUALIFICATION, WHY_OVERLAP, WHY_DAY_LIMIT, WHY_WEEK_LIMIT, WHY_REST, WHY_COUNT };
static const char *const why_words[WHY_COUNT] = {"team", "availability", "qualification", "overlap", "day_limit",
                                                 "week_limit", "rest"};

typedef struct busy { int64_t start, end, shift_id; } busy;

typedef struct rvol {
    int64_t id, zone_id;
    int n_avail;
    struct { int weekday, from, to; } avail[MAX_AVAIL];
    int64_t qual_until[N_QUALS];   /* last valid day number; -1 not held */
    busy *busy;
    int n_busy, cap_busy;
    int64_t minutes;               /* in the period */
    int shifts;
    int64_t *teams;                /* teams the volunteer is a member of */
    int n_teams;
    char posts[64];                /* preferred kinds of post, ",gate,sampling," */
} rvol;

typedef struct rshift {
    int64_t id, post_id, zone_id, start, end, need, taken, team_id;
    int qual;                      /* index into vol_qualifications, -1 none */
    char kind[16];                 /* the post's kind */
    int64_t day;                   /* local day number of the start */
    int start_min;                 /* local minute of day of the start */
} rshift;

typedef struct rules { int64_t day_minutes, week_minutes, rest_minutes; } rules;

typedef struct roster_data {
    rvol *vols;
    int n_vols;
    rshift *shifts;
    int n_shifts;
    int64_t tz_offset;             /* seconds east of UTC, at the period's start */
    rules r;
} roster_data;

static void data_free(roster_data *d)
{
    for (int i = 0; i < d->n_vols; i++) free(d->vols[i].busy), free(d->vols[i].teams);
    free(d->vols);
    free(d->shifts);
}

static void busy_add(rvol *v, int64_t start, int64_t end, int64_t shift_id)
{
    if (v->n_busy == v->cap_busy) {
        v->cap_busy = v->cap_busy ? v->cap_busy * 2 : 8;
        v->busy = xrealloc(v->busy, sizeof *v->busy * (size_t)v->cap_busy);
    }
    v->busy[v->n_busy++] = (busy){start, end, shift_id};
}

static int64_t local_day(const roster_data *d, int64_t us)
{
    int64_t s = us / 1000000 + d->tz_offset;
    return s >= 0 ? s / 86400 : (s - 86399) / 86400;
}

static int qual_index(const char *q)
{
    for (int i = 0; q && i < N_QUALS; i++)
        if (!strcmp(q, vol_qualifications[i])) return i;
    return -1;
}

static int vol_index(const roster_data *d, int64_t id)
{
    int lo = 0, hi = d->n_vols - 1;   /* vols are read in id order */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (d->vols[mid].id == id) return mid;
        if (d->vols[mid].id < id) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* ---------------------------------------------------------------- reading the period */

static void avail_parse(rvol *v, const char *text)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (v->n_avail >= MAX_AVAIL) break;
        int h1, m1, h2, m2;
        const char *f = json_string_value(json_object_get(x, "from")), *t = json_string_value(json_object_get(x, "to"));
        if (!f || !t || sscanf(f, "%d:%d", &h1, &m1) != 2 || sscanf(t, "%d:%d", &h2, &m2) != 2) continue;
        v->avail[v->n_avail].weekday = (int)json_integer_value(json_object_get(x, "weekday"));
        v->avail[v->n_avail].from = h1 * 60 + m1;
        v->avail[v->n_avail++].to = h2 * 60 + m2;
    }
    json_decref(a);
}

/* Reads the volunteers who serve, their qualifications and the shifts they already
 * stand around the period, and the period's shifts (of post_ids, when given). Long:
 * four reads in a row, each filling its part of one picture of the period. */
static int data_load(http_req *req, roster_data *d, int64_t from_us, int64_t to_us, json_t *post_ids)
{
    int64_t c = req->actor.community_id;
    store_stmt *st = store_prepare(req->conn,
        "SELECT id, zone_id, availability, preferred_posts FROM volunteers WHERE community_id = $1 "
                                              "AND state IN ('approved', 'active') ORDER BY id");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    int cap = 64;
    d->vols = xcalloc((size_t)cap, sizeof *d->vols);
    while (store_step(st) == STORE_ROW) {
        if (d->n_vols == cap) {
            cap *= 2;
            d->vols = xrealloc(d->vols, sizeof *d->vols * (size_t)cap);
        }
        rvol *v = &d->vols[d->n_vols++];
        memset(v, 0, sizeof *v);
        v->id = store_col_int(st, 0);
        v->zone_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
        avail_parse(v, store_col_text(st, 2));
        snprintf(v->posts, sizeof v->posts, ",%s,", store_col_text(st, 3) ? store_col_text(st, 3) : "");
        for (int q = 0; q < N_QUALS; q++) v->qual_until[q] = -1;
    }
    store_done(st);
    st = store_prepare(req->conn,
        "SELECT q.volunteer_id, q.qualification, q.expires_on FROM volunteer_qualifications q "
                                  "JOIN volunteers v ON v.id = q.volunteer_id WHERE q.community_id = $1 "
                                  "AND v.state IN ('approved', 'active')");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    while (store_step(st) == STORE_ROW) {
        int k = vol_index(d, store_col_int(st, 0)), q = qual_index(store_col_text(st, 1));
        int y, m, dd;
        if (k < 0 || q < 0) continue;
        const char *exp = store_col_text(st, 2);
        d->vols[k].qual_until[q] = exp && clock_parse_date(exp, &y, &m, &dd) ? clock_days_from_civil(y, m,
            dd) : INT64_MAX;
    }
    store_done(st);
    st = store_prepare(req->conn, "SELECT m.volunteer_id, m.team_id FROM team_members m WHERE m.community_id = $1 "
                                  "AND m.state = 'member'");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    while (store_step(st) == STORE_ROW) {
        int k = vol_index(d, store_col_int(st, 0));
        if (k < 0) continue;
        rvol *v = &d->vols[k];
        v->teams = xrealloc(v->teams, sizeof *v->teams * (size_t)(v->n_teams + 1));
        v->teams[v->n_teams++] = store_col_int(st, 1);
    }
    store_done(st);
    /* Shifts already stood, a day around the period (rest and overlap reach across). */
    st = store_prepare(req->conn, "SELECT a.volunteer_id, s.starts_at, s.ends_at, s.id FROM shift_assignments a JOIN "
                                  "shifts s ON s.id = a.shift_id WHERE a.community_id = $1 AND a.state = 'assigned' "
                                  "AND s.ends_at > $2 AND s.starts_at < $3");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    store_bind_int(st, 2, from_us - US_DAY);
    store_bind_int(st, 3, to_us + US_DAY);
    while (store_step(st) == STORE_ROW) {
        int k = vol_index(d, store_col_int(st, 0));
        if (k < 0) continue;
        int64_t s = store_col_int(st, 1), e = store_col_int(st, 2);
        busy_add(&d->vols[k], s, e, store_col_int(st, 3));
        if (s >= from_us && s < to_us) d->vols[k].minutes += (e - s) / US_MIN, d->vols[k].shifts++;
    }
    store_done(st);
    st = store_prepare(req->conn, "SELECT s.id, s.post_id, p.zone_id, s.starts_at, s.ends_at, s.need, s.taken, "
                                  "s.qualification, s.team_id, p.kind FROM shifts s JOIN posts p ON p.id = s.post_id "
                                      "WHERE "
                                  "s.community_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 "
                                  "ORDER BY s.starts_at, s.post_id, s.id");
    if (!st) return -1;
    store_bind_int(st, 1, c);
    store_bind_int(st, 2, from_us);
    store_bind_int(st, 3, to_us);
    cap = 256;
    d->shifts = xcalloc((size_t)cap, sizeof *d->shifts);
    while (store_step(st) == STORE_ROW) {
        int64_t post = store_col_int(st, 1);
        if (json_array_size(post_ids)) {
            bool wanted = false;
            size_t i;
            json_t *x;
            json_array_foreach(post_ids, i, x) wanted = wanted || json_integer_value(x) == post;
            if (!wanted) continue;
        }
        if (d->n_shifts == cap) {
            cap *= 2;
            d->shifts = xrealloc(d->shifts, sizeof *d->shifts * (size_t)cap);
        }
        rshift *s = &d->shifts[d->n_shifts++];
        s->id = store_col_int(st, 0);
        s->post_id = post;
        s->zone_id = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
        s->start = store_col_int(st, 3);
        s->end = store_col_int(st, 4);
        s->need = store_col_int(st, 5);
        s->taken = store_col_int(st, 6);
        s->qual = qual_index(store_col_text(st, 7));
        s->team_id = store_col_null(st, 8) ? 0 : store_col_int(st, 8);
        snprintf(s->kind, sizeof s->kind, "%s", store_col_text(st, 9) ? store_col_text(st, 9) : "");
        s->day = local_day(d, s->start);
        s->start_min = (int)(((s->start / 1000000 + d->tz_offset) % 86400 + 86400) % 86400 / 60);
    }
    store_done(st);
    return 0;
}

/* ---------------------------------------------------------------- the rules */

static bool available(const rvol *v, const rshift *s)
{
    if (!v->n_avail) return true;
    int weekday = (int)(((s->day + 3) % 7 + 7) % 7) + 1, from = s->start_min;
    int to = from + (int)((s->end - s->start) / US_MIN);
    for (int i = 0; i < v->n_avail; i++) {
        if (v->avail[i].weekday != weekday || v->avail[i].from > from) continue;
        if (to <= v->avail[i].to) return true;
        if (v->avail[i].to != 1440) continue;
        int next = weekday % 7 + 1;   /* a night shift goes on into the next day's window */
        for (int j = 0; j < v->n_avail; j++)
            if (v->avail[j].weekday == next && v->avail[j].from == 0 && v->avail[j].to >= to - 1440) return true;
    }
    return false;
}

/* The first rule that keeps v off s (WHY_*), or -1 when v may stand it. */
static int refusal(const roster_data *d, const rvol *v, const rshift *s)
{
    if (s->team_id) {
        bool member = false;
        for (int i = 0; i < v->n_teams && !member; i++) member = v->teams[i] == s->team_id;
        if (!member) return WHY_TEAM;
    }
    if (!available(v, s)) return WHY_AVAILABILITY;
    if (s->qual >= 0 && v->qual_until[s->qual] < s->day) return WHY_QUALIFICATION;
    int64_t length = (s->end - s->start) / US_MIN, day_total = length, week_total = length;
    int64_t week = (s->day + 3) / 7, rest = d->r.rest_minutes * US_MIN;
    for (int i = 0; i < v->n_busy; i++) {
        const busy *b = &v->busy[i];
        if (b->shift_id == s->id || (b->start < s->end && b->end > s->start)) return WHY_OVERLAP;
        if (b->end <= s->start ? s->start - b->end < rest : b->start - s->end < rest) return WHY_REST;
        int64_t bday = local_day(d, b->start);
        if (bday == s->day) day_total += (b->end - b->start) / US_MIN;
        if ((bday + 3) / 7 == week) week_total += (b->end - b->start) / US_MIN;
    }
    if (day_total > d->r.day_minutes) return WHY_DAY_LIMIT;
    if (week_total > d->r.week_minutes) return WHY_WEEK_LIMIT;
    return -1;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Whether the volunteer named the shift's kind of post among their preferences. */
static bool post_preferred(const rvol *v, const rshift *s)
{
    char needle[20];
    snprintf(needle, sizeof needle, ",%s,", s->kind);
    return s->kind[0] && strstr(v->posts, needle) != NULL;
}

/* Whether a is a fairer pick than b for shift s (see the file header). */
static bool fairer(const rvol *a, const rvol *b, const rshift *s)
{
    if (a->minutes != b->minutes) return a->minutes < b->minutes;
    bool za = s->zone_id && a->zone_id == s->zone_id, zb = s->zone_id && b->zone_id == s->zone_id;
    if (za != zb) return za;
    bool pa = post_preferred(a, s), pb = post_preferred(b, s);
    if (pa != pb) return pa;
    if (a->shifts != b->shifts) return a->shifts < b->shifts;
    return mix((uint64_t)s->id * 1000003u + (uint64_t)a->id) < mix((uint64_t)s->id * 1000003u + (uint64_t)b->id);
}

/* ---------------------------------------------------------------- generating */

typedef struct pick {
    int64_t shift_id, volunteer_id, minutes_before;
    bool zone_match, post_match;
    int eligible;
} pick;

typedef struct gen_out {
    pick *picks;
    int n_picks, cap_picks;
    json_t *unfilled;            /* [{shift_id, missing, eligible, excluded: {why: n}}] */
} gen_out;

static void generate(roster_data *d, gen_out *out)
{
    out->unfilled = json_array();
    int *eligible = xcalloc((size_t)d->n_vols + 1, sizeof *eligible);
    for (int k = 0; k < d->n_shifts; k++) {
        rshift *s = &d->shifts[k];
        int64_t places = s->need - s->taken;
        if (places <= 0) continue;
        int n = 0, excluded[WHY_COUNT] = {0};
        for (int i = 0; i < d->n_vols; i++) {
            int why = refusal(d, &d->vols[i], s);
            if (why < 0) eligible[n++] = i; else excluded[why]++;
        }
        int64_t filled = 0;
        for (; filled < places && n > 0; filled++) {
            int best = 0;
            for (int i = 1; i < n; i++)
                if (fairer(&d->vols[eligible[i]], &d->vols[eligible[best]], s)) best = i;
            rvol *v = &d->vols[eligible[best]];
            if (out->n_picks == out->cap_picks) {
                out->cap_picks = out->cap_picks ? out->cap_picks * 2 : 256;
                out->picks = xrealloc(out->picks, sizeof *out->picks * (size_t)out->cap_picks);
            }
            out->picks[out->n_picks++] = (pick){s->id, v->id, v->minutes, s->zone_id && v->zone_id == s->zone_id,
                                                post_preferred(v, s), n};
            busy_add(v, s->start, s->end, s->id);
            v->minutes += (s->end - s->start) / US_MIN;
            v->shifts++;
            eligible[best] = eligible[--n];
        }
        if (filled < places) {
            json_t *why = json_object();
            for (int w = 0; w < WHY_COUNT; w++)
                if (excluded[w]) json_object_set_new(why, why_words[w], json_integer(excluded[w]));
            json_array_append_new(out->unfilled, json_pack("{s:I, s:I, s:o}", "shift_id", (json_int_t)s->id,
                                                           "missing", (json_int_t)(places - filled), "excluded", why));
        }
    }
    free(eligible);
}

/* ---------------------------------------------------------------- rules from the body */

static bool rules_parse(http_req *req, rules *r, int64_t *from, int64_t *to, json_t **post_ids)
{
    const char *f, *t;
    int y, m, dd;
    int64_t day_h = 8, week_h = 40, rest_h = 8;
    if (!http_body_str(req, "from", 10, 10, &f) || !http_body_str(req, "to", 10, 10, &t)) return false;
    if (!clock_parse_date(f, &y, &m, &dd)) return http_fail_field(req, "from", "vol.err.date"), false;
    *from = clock_days_from_civil(y, m, dd);
    if (!clock_parse_date(t, &y, &m, &dd)) return http_fail_field(req, "to", "vol.err.date"), false;
    *to = clock_days_from_civil(y, m, dd);
    if (*to < *from) return http_fail_field(req, "to", "shift.err.range"), false;
    if (*to - *from >= ROSTER_MAX_DAYS) return http_fail_field(req, "to", "roster.err.days"), false;
    if (!http_body_int_opt(req, "max_hours_day", 1, 24, &day_h, NULL) ||
        !http_body_int_opt(req, "max_hours_week", 1, 168, &week_h, NULL) ||
        !http_body_int_opt(req, "min_rest_hours", 0, 48, &rest_h, NULL))
        return false;
    *post_ids = json_object_get(req->json, "post_ids");
    if (*post_ids && !json_is_array(*post_ids)) return http_fail_field(req, "post_ids", "roster.err.posts"), false;
    size_t i;
    json_t *x;
    json_array_foreach(*post_ids, i, x) {
        if (!json_is_integer(x) || !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM posts WHERE id = $1 AND "
                                                    "community_id = $2", "ii", json_integer_value(x),
                                                    req->actor.community_id))
            return http_fail_field(req, arena_printf(req->a, "post_ids[%zu]", i), "roster.err.posts"), false;
    }
    *r = (rules){day_h * 60, week_h * 60, rest_h * 60};
    return true;
}

static json_t *rules_json(const rules *r, json_t *post_ids)
{
    return json_pack("{s:I, s:I, s:I, s:O}", "max_hours_day", (json_int_t)(r->day_minutes / 60), "max_hours_week",
                     (json_int_t)(r->week_minutes / 60), "min_rest_hours", (json_int_t)(r->rest_minutes / 60),
                     "post_ids", post_ids ? post_ids : json_array());
}

static bool rules_from_json(const char *text, rules *r, json_t **post_ids)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j) return false;
    *r = (rules){json_integer_value(json_object_get(j, "max_hours_day")) * 60,
                 json_integer_value(json_object_get(j, "max_hours_week")) * 60,
                 json_integer_value(json_object_get(j, "min_rest_hours")) * 60};
    *post_ids = json_incref(json_object_get(j, "post_ids"));
    json_decref(j);
    return true;
}

/* The period's instants: [local midnight of from, local midnight after to). */
static void period(http_req *req, int64_t from, int64_t to, int64_t *from_us, int64_t *to_us)
{
    *from_us = vol_local_instant(req, from, 0);
    *to_us = vol_local_instant(req, to + 1, 0);
}

static int64_t tz_offset(http_req *req, int64_t us)
{
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone
        ? req->actor.community_timezone : "Asia/Shanghai";
    return clock_tz_offset(tz, us / 1000000);
}

/* ---------------------------------------------------------------- reading a roster */

typedef struct roster_row { int64_t id; const char *from, *to, *state, *rules, *result; } roster_row;

static int roster_load(http_req *req, int64_t id, roster_row *r)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT id, from_day, to_day, state, rules, result FROM rosters WHERE id = $1 "
                       "AND community_id = $2", "ii", id, req->actor.community_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? 0 : -1;
    *r = (roster_row){store_col_int(st, 0), arena_strdup(req->a, store_col_text(st, 1)),
                      arena_strdup(req->a, store_col_text(st, 2)), arena_strdup(req->a, store_col_text(st, 3)),
                      arena_strdup(req->a, store_col_text(st, 4)), arena_strdup(req->a, store_col_text(st, 5))};
    store_done(st);
    return 1;
}

/* "8.5 小时，最少；偏好片区；32 人可选" from an entry's stored reason. */
static const char *reason_text(http_req *req, const char *stored)
{
    json_t *j = json_loads(stored ? stored : "{}", 0, NULL);
    const char *out;
    if (json_is_true(json_object_get(j, "manual"))) {
        out = i18n_text(req->lang, "roster.why.manual");
    } else {
        double hours = (double)json_integer_value(json_object_get(j, "hours_before_minutes")) / 60.0;
        out = arena_printf(req->a, i18n_text(req->lang, "roster.why.fewest"), hours,
                           (int)json_integer_value(json_object_get(j, "eligible")));
        if (json_is_true(json_object_get(j, "zone_match")))
            out = arena_printf(req->a, "%s%s", out, i18n_text(req->lang, "roster.why.zone"));
        if (json_is_true(json_object_get(j, "post_match")))
            out = arena_printf(req->a, "%s%s", out, i18n_text(req->lang, "roster.why.post"));
    }
    json_decref(j);
    return out;
}

#define ENTRY_SELECT \
    "SELECT e.id, e.shift_id, p.name, s.starts_at, s.ends_at, e.volunteer_id, v.name, e.reason, e.manual " \
    "FROM roster_entries e JOIN shifts s ON s.id = e.shift_id JOIN posts p ON p.id = s.post_id " \
    "JOIN volunteers v ON v.id = e.volunteer_id WHERE e.community_id = $1 AND e.roster_id = $2 "

static json_t *entry_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0),
                     "shift_id", (json_int_t)store_col_int(st, 1), "post_name", store_col_text(st, 2), "start_text",
                     vol_local_time(req, store_col_int(st, 3)), "end_text", vol_local_time(req, store_col_int(st, 4)),
                     "volunteer_id", (json_int_t)store_col_int(st, 5), "name", store_col_text(st, 6), "reason",
                     reason_text(req, store_col_text(st, 7)), "manual", (int)store_col_int(st, 8));
}

static const list_column entry_columns[] = {
    {"post_name", "shift.col.post"}, {"start_text", "shift.col.start"}, {"end_text", "shift.col.end"},
    {"name", "col.name"}, {"reason", "roster.col.reason"}, {0, 0},
};

/* GET /rosters/{id}/entries: the draft's people per shift (exportable, printable). */
static int roster_entries(http_req *req)
{
    int64_t id, limit = http_list_limit(req);
    roster_row r;
    if (!http_param_id(req, "id", &id)) return -1;
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    store_stmt *st = store_prepare(req->conn, ENTRY_SELECT "AND e.id > $3 ORDER BY e.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, entry_item, req, &next_after);
    return http_reply_list(req, "roster.list.entries", entry_columns, items, next_after);
}

/* The roster with its rules, figures and the shifts still short (now: the draft's
 * entries and the places taken since count). */
static int roster_reply(http_req *req, int status, int64_t id)
{
    roster_row r;
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    json_t *result = json_loads(r.result, 0, NULL), *rules = json_loads(r.rules, 0, NULL);
    json_t *unfilled = json_array(), *stored = json_object_get(result, "unfilled");
    size_t i;
    json_t *u;
    json_array_foreach(stored, i, u) {
        int64_t sid = json_integer_value(json_object_get(u, "shift_id"));
        store_stmt *st;
        if (store_run(req->conn, &st, "SELECT s.need - s.taken - (SELECT COUNT(*) FROM roster_entries e WHERE "
                      "e.roster_id = $1 AND e.shift_id = s.id), p.name, s.starts_at, s.ends_at FROM shifts s JOIN "
                          "posts "
                      "p ON p.id = s.post_id WHERE s.id = $2 AND s.community_id = $3", "iii", id, sid,
                      req->actor.community_id) != STORE_ROW)
            continue;
        int64_t missing = store_col_int(st, 0);
        json_t *item = missing > 0 ? json_pack("{s:I, s:s, s:s, s:s, s:I, s:O}", "shift_id", (json_int_t)sid,
                                               "post_name", store_col_text(st, 1), "start_text",
                                               vol_local_time(req, store_col_int(st, 2)), "end_text",
                                               vol_local_time(req, store_col_int(st, 3)), "missing",
                                               (json_int_t)missing, "excluded", json_object_get(u, "excluded"))
                                   : NULL;
        store_done(st);
        if (item) json_array_append_new(unfilled, item);
    }
    json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:o, s:O, s:o, s:I}", "id", (json_int_t)r.id, "from", r.from, "to",
                            r.to, "state", r.state, "rules", rules ? rules : json_object(), "stats",
                            json_object_get(result, "stats") ? json_object_get(result, "stats") : json_null(),
                            "unfilled", unfilled, "entries",
                            (json_int_t)store_query_int(req->conn, 0, "SELECT COUNT(*) FROM roster_entries WHERE "
                                                        "roster_id = $1", "i", id));
    json_decref(result);
    return http_reply(req, status, json_pack("{s:o}", "roster", out));
}

static int roster_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return roster_reply(req, 200, id);
}

/* ---------------------------------------------------------------- making one */

/* The spread of hours the roster gives (existing shifts in the period included). */
static json_t *stats_json(const roster_data *d)
{
    int64_t min = INT64_MAX, max = 0, sum = 0;
    int serving = 0;
    for (int i = 0; i < d->n_vols; i++) {
        if (!d->vols[i].shifts) continue;
        serving++;
        sum += d->vols[i].minutes;
        if (d->vols[i].minutes < min) min = d->vols[i].minutes;
        if (d->vols[i].minutes > max) max = d->vols[i].minutes;
    }
    return json_pack("{s:i, s:i, s:i, s:f, s:f, s:f}", "volunteers", d->n_vols, "on_roster", serving, "shifts",
                     d->n_shifts, "min_hours", serving ? (double)min / 60.0 : 0.0, "max_hours", (double)max / 60.0,
                     "mean_hours", serving ? (double)sum / 60.0 / serving : 0.0);
}

/* POST /rosters {from, to, post_ids?, max_hours_day?, max_hours_week?, min_rest_hours?}.
 * Long: it generates, then writes the roster and every entry in this one write job, so
 * that the draft matches the data it was computed from. */
static int roster_create(http_req *req)
{
    rules r;
    int64_t from, to;
    json_t *post_ids;
    if (!rules_parse(req, &r, &from, &to, &post_ids)) return -1;
    int64_t from_us, to_us;
    period(req, from, to, &from_us, &to_us);
    int64_t t0 = clock_mono_us();
    roster_data d = {.tz_offset = tz_offset(req, from_us), .r = r};
    gen_out g = {0};
    int rc = data_load(req, &d, from_us, to_us, post_ids);
    if (!rc) generate(&d, &g);
    int64_t t_gen = clock_mono_us() - t0;
    char f_text[11], t_text[11];
    clock_format_date(from, f_text);
    clock_format_date(to, t_text);
    json_t *rules_j = rules_json(&r, post_ids), *stats = stats_json(&d);
    json_object_set_new(stats, "generate_ms", json_real((double)t_gen / 1000.0));
    json_t *result = json_pack("{s:o, s:o}", "unfilled", g.unfilled ? g.unfilled : json_array(), "stats", stats);
    char *rules_text = json_dumps(rules_j, JSON_COMPACT), *result_text = json_dumps(result, JSON_COMPACT);
    json_decref(rules_j);
    json_decref(result);
    int64_t id = 0;
    store_stmt *st = rc ? NULL : store_prepare(req->conn, "INSERT INTO rosters (community_id, from_day, to_day, state, "
                                               "rules, result, created_by, created_at) VALUES ($1, $2, $3, 'draft', "
                                                   "$4, "
                                               "$5, $6, $7) RETURNING id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_text(st, 2, f_text);
        store_bind_text(st, 3, t_text);
        store_bind_text(st, 4, rules_text);
        store_bind_text(st, 5, result_text);
        store_bind_int(st, 6, req->actor.user_id);
        store_bind_int(st, 7, clock_now_us());
        if (store_step(st) == STORE_ROW) id = store_col_int(st, 0);
        store_done(st);
    }
    free(rules_text);
    free(result_text);
    st = id ? store_prepare(req->conn, "INSERT INTO roster_entries (community_id, roster_id, shift_id, volunteer_id, "
                                       "reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)") : NULL;
    int64_t now = clock_now_us();
    for (int i = 0; st && i < g.n_picks; i++) {
        const pick *p = &g.picks[i];
        char reason[192];
        snprintf(reason, sizeof reason,
                 "{\"hours_before_minutes\":%lld,\"zone_match\":%s,\"post_match\":%s,\"eligible\":%d}",
                 (long long)p->minutes_before, p->zone_match ? "true" : "false", p->post_match ? "true" : "false",
                 p->eligible);
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        store_bind_int(st, 3, p->shift_id);
        store_bind_int(st, 4, p->volunteer_id);
        store_bind_text(st, 5, reason);
        store_bind_int(st, 6, now);
        if (store_step(st) != STORE_DONE) id = 0;
        store_done(st);
    }
    int picks = g.n_picks;
    free(g.picks);
    data_free(&d);
    if (!id) return http_fail_internal(req, "roster");
    http_audit_target(req, "roster", id, json_pack("{s:i}", "entries", picks));
    return roster_reply(req, 201, id);
}

/* ---------------------------------------------------------------- editing, explaining */

/* Loads the period of roster r with the draft's entries as shifts people stand, for a
 * hand edit or an explanation. */
static int draft_data(http_req *req, const roster_row *r, roster_data *d)
{
    int y, m, dd;
    json_t *post_ids = NULL;
    if (!clock_parse_date(r->from, &y, &m, &dd)) return -1;
    int64_t from = clock_days_from_civil(y, m, dd);
    if (!clock_parse_date(r->to, &y, &m, &dd)) return -1;
    int64_t to = clock_days_from_civil(y, m, dd), from_us, to_us;
    period(req, from, to, &from_us, &to_us);
    memset(d, 0, sizeof *d);
    d->tz_offset = tz_offset(req, from_us);
    if (!rules_from_json(r->rules, &d->r, &post_ids)) return -1;
    int rc = data_load(req, d, from_us, to_us, post_ids);
    json_decref(post_ids);
    if (rc) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT e.volunteer_id, s.starts_at, s.ends_at, s.id FROM roster_entries e "
                                              "JOIN shifts s ON s.id = e.shift_id WHERE e.roster_id = $1");
    if (!st) return -1;
    store_bind_int(st, 1, r->id);
    while (store_step(st) == STORE_ROW) {
        int k = vol_index(d, store_col_int(st, 0));
        if (k < 0) continue;
        busy_add(&d->vols[k], store_col_int(st, 1), store_col_int(st, 2), store_col_int(st, 3));
        d->vols[k].minutes += (store_col_int(st, 2) - store_col_int(st, 1)) / US_MIN;
        d->vols[k].shifts++;
    }
    store_done(st);
    return 0;
}

static bool str_is_int_pos(const char *s, int64_t *out) { return str_is_int(s, out) && *out > 0; }

static const rshift *shift_in(const roster_data *d, int64_t id)
{
    for (int i = 0; i < d->n_shifts; i++)
        if (d->shifts[i].id == id) return &d->shifts[i];
    return NULL;
}

/* GET /rosters/{id}/explain?shift_id=&volunteer_id= : why this person is or is not on
 * this shift of the draft. */
static int roster_explain(http_req *req)
{
    int64_t id, sid = 0, vid = 0;
    roster_row r;
    roster_data d;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *s = http_query(req, "shift_id"), *v = http_query(req, "volunteer_id");
    if (!s || !str_is_int_pos(s, &sid)) return http_fail_field(req, "shift_id", "err.not_integer");
    if (!v || !str_is_int_pos(v, &vid)) return http_fail_field(req, "volunteer_id", "err.not_integer");
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    if (draft_data(req, &r, &d) < 0) return data_free(&d), http_fail_internal(req, "roster data");
    const rshift *sh = shift_in(&d, sid);
    int k = vol_index(&d, vid);
    const char *word;
    bool on = store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM roster_entries WHERE roster_id = $1 AND shift_id = $2 "
                              "AND volunteer_id = $3", "iii", id, sid, vid) > 0;
    if (!sh) word = "not_in_roster";
    else if (on) word = "on_shift";
    else if (k < 0) word = "not_serving";
    else {
        int why = refusal(&d, &d.vols[k], sh);
        word = why >= 0 ? why_words[why] : "fairness";
    }
    data_free(&d);
    if (!sh) return http_fail_field(req, "shift_id", "roster.err.shift");
    return http_reply(req, 200, json_pack("{s:b, s:s, s:s}", "on_shift", on, "reason", word, "text",
                                          i18n_text(req->lang, arena_printf(req->a, "roster.explain.%s", word))));
}

/* POST /rosters/{id}/entries {shift_id, volunteer_id}: a hand edit of a draft; the
 * hard rules hold (409 naming the rule). */
static int entry_add(http_req *req)
{
    int64_t id, sid, vid;
    bool has_s, has_v;
    roster_row r;
    roster_data d;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_int_opt(req, "shift_id", 1, INT64_MAX, &sid, &has_s)) return -1;
    if (!has_s) return http_fail_field(req, "shift_id", "err.required");
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, &has_v)) return -1;
    if (!has_v) return http_fail_field(req, "volunteer_id", "err.required");
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    if (strcmp(r.state, "draft")) return http_fail(req, 409, "conflict", NULL, "roster.err.not_draft");
    if (draft_data(req, &r, &d) < 0) return data_free(&d), http_fail_internal(req, "roster data");
    const rshift *sh = shift_in(&d, sid);
    int k = vol_index(&d, vid), why = -1;
    int64_t on = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM roster_entries WHERE roster_id = $1 AND "
                                 "shift_id = $2", "ii", id, sid);
    if (sh && k >= 0) why = refusal(&d, &d.vols[k], sh);
    bool full = sh && sh->taken + on >= sh->need;
    data_free(&d);
    if (!sh) return http_fail_field(req, "shift_id", "roster.err.shift");
    if (k < 0) return http_fail_field(req, "volunteer_id", "shift.err.volunteer_not_serving");
    if (why >= 0)
        return http_fail(req, 409, "conflict", "volunteer_id", arena_printf(req->a, "roster.explain.%s",
            why_words[why]));
    if (full) return http_fail(req, 409, "full", "shift_id", "shift.err.full");
    if (store_run(req->conn, NULL,
        "INSERT INTO roster_entries (community_id, roster_id, shift_id, volunteer_id, reason, "
                  "manual, created_at) VALUES ($1, $2, $3, $4, '{\"manual\":true}', 1, $5)", "iiiii",
                  req->actor.community_id, id, sid, vid, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "roster entry");
    http_audit_target(req, "roster", id, json_pack("{s:I, s:I, s:s}", "shift_id", (json_int_t)sid, "volunteer_id",
                                                   (json_int_t)vid, "edit", "add"));
    return roster_reply(req, 201, id);
}

/* DELETE /rosters/{id}/entries/{entry} */
static int entry_remove(http_req *req)
{
    int64_t id, entry;
    roster_row r;
    if (!http_param_id(req, "id", &id) || !http_param_id(req, "entry", &entry)) return -1;
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    if (strcmp(r.state, "draft")) return http_fail(req, 409, "conflict", NULL, "roster.err.not_draft");
    int rc = store_run(req->conn, NULL, "DELETE FROM roster_entries WHERE id = $1 AND roster_id = $2 RETURNING id",
        "ii",
                       entry, id);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    if (rc != STORE_ROW) return http_fail_internal(req, "roster entry");
    http_audit_target(req, "roster", id, json_pack("{s:I, s:s}", "entry", (json_int_t)entry, "edit", "remove"));
    return roster_reply(req, 200, id);
}

/* Tells everyone on roster `id` their number of shifts and the first one. */
static int roster_tell(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, "SELECT e.volunteer_id, COUNT(*), MIN(s.starts_at) FROM roster_entries e "
                                              "JOIN shifts s ON s.id = e.shift_id WHERE e.roster_id = $1 "
                                              "GROUP BY e.volunteer_id ORDER BY e.volunteer_id");
    if (!st) return -1;
    store_bind_int(st, 1, id);
    int64_t n = store_query_int(req->conn, 0, "SELECT COUNT(DISTINCT volunteer_id) FROM roster_entries WHERE "
                                "roster_id = $1", "i", id);
    int64_t (*rows)[3] = arena_alloc(req->a, sizeof *rows * (size_t)(n + 1));
    int k = 0;
    while (k < n && store_step(st) == STORE_ROW)
        rows[k][0] = store_col_int(st, 0), rows[k][1] = store_col_int(st, 1), rows[k++][2] = store_col_int(st, 2);
    store_done(st);
    for (int i = 0; i < k; i++) {
        json_t *params = json_pack("{s:I, s:s}", "count", (json_int_t)rows[i][1], "when", vol_local_time(req,
            rows[i][2]));
        store_stmt *p;
        if (store_run(req->conn, &p,
            "SELECT p.name FROM roster_entries e JOIN shifts s ON s.id = e.shift_id JOIN posts p "
                      "ON p.id = s.post_id WHERE e.roster_id = $1 AND e.volunteer_id = $2 AND s.starts_at = $3", "iii",
                      id, rows[i][0], rows[i][2]) == STORE_ROW) {
            json_object_set_new(params, "post", json_string(store_col_text(p, 0)));
            store_done(p);
        }
        if (vol_notify(req, rows[i][0], "rostered", params, "/volunteer") < 0) return -1;
    }
    return 0;
}

/* POST /rosters/{id}/publish (long: one pass that places each entry or reports it):
 * every entry becomes a place on its shift (source roster,
 * the places taken by the same conditional update as a sign-up); an entry whose place
 * went to someone else meanwhile, or whose person took another shift at that time, is
 * reported as not placed instead. */
static int roster_publish(http_req *req)
{
    int64_t id;
    roster_row r;
    if (!http_param_id(req, "id", &id)) return -1;
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    if (strcmp(r.state, "draft")) return http_fail(req, 409, "conflict", NULL, "roster.err.not_draft");
    store_stmt *st = store_prepare(req->conn, "SELECT e.shift_id, e.volunteer_id FROM roster_entries e WHERE "
                                              "e.roster_id = $1 ORDER BY e.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, id);
    int64_t n = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM roster_entries WHERE roster_id = $1", "i", id);
    int64_t (*pairs)[2] = arena_alloc(req->a, sizeof *pairs * (size_t)(n + 1));
    int k = 0;
    while (k < n && store_step(st) == STORE_ROW) pairs[k][0] = store_col_int(st, 0), pairs[k++][1] = store_col_int(st,
        1);
    store_done(st);
    int64_t now = clock_now_us(), placed = 0;
    json_t *not_placed = json_array();
    for (int i = 0; i < k; i++) {
        int64_t sid = pairs[i][0], vid = pairs[i][1];
        bool clash = store_query_int(req->conn, 0,
            "SELECT COUNT(*) FROM shift_assignments a JOIN shifts o ON o.id = a.shift_id JOIN shifts s ON s.id = $3 "
            "WHERE a.community_id = $1 AND a.volunteer_id = $2 AND a.state = 'assigned' AND o.starts_at < s.ends_at "
            "AND o.ends_at > s.starts_at", "iii", req->actor.community_id, vid, sid) > 0;
        int got = clash ? STORE_DONE : store_run(req->conn, NULL, "UPDATE shifts SET taken = taken + 1 WHERE id = $1 "
                                                 "AND community_id = $2 AND taken < need RETURNING id", "ii", sid,
                                                 req->actor.community_id);
        if (got != STORE_ROW && got != STORE_DONE) return http_fail_internal(req, "publish");
        if (got != STORE_ROW) {
            json_array_append_new(not_placed, json_pack("{s:I, s:I}", "shift_id", (json_int_t)sid, "volunteer_id",
                                                        (json_int_t)vid));
            continue;
        }
        int rc = store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'assigned', source = 'roster', "
                           "confirmation = 'pending', queued_at = $1, updated_at = $1 WHERE community_id = $2 AND "
                           "shift_id = $3 AND volunteer_id = $4 RETURNING id", "iiii", now, req->actor.community_id,
                           sid, vid);
        if (rc == STORE_DONE)
            rc = store_run(req->conn, NULL, "INSERT INTO shift_assignments (community_id, shift_id, volunteer_id, "
                           "state, source, queued_at, updated_at) VALUES ($1, $2, $3, 'assigned', 'roster', $4, $4)",
                           "iiii", req->actor.community_id, sid, vid, now);
        if (rc != STORE_ROW && rc != STORE_DONE) return http_fail_internal(req, "publish");
        placed++;
    }
    if (roster_tell(req, id) < 0) return http_fail_internal(req, "publish notify");
    if (store_run(req->conn, NULL, "UPDATE rosters SET state = 'published', published_by = $1, published_at = $2 "
                  "WHERE id = $3", "iii", req->actor.user_id, now, id) != STORE_DONE)
        return http_fail_internal(req, "publish");
    http_audit_target(req, "roster", id, json_pack("{s:I, s:I}", "placed", (json_int_t)placed, "not_placed",
                                                   (json_int_t)json_array_size(not_placed)));
    if (roster_reply(req, 200, id) < 0) return -1;
    json_object_set_new(req->out, "placed", json_integer(placed));
    json_object_set_new(req->out, "not_placed", not_placed);
    return 0;
}

/* DELETE /rosters/{id}: a draft is dropped (kept as discarded, its entries removed). */
static int roster_discard(http_req *req)
{
    int64_t id;
    roster_row r;
    if (!http_param_id(req, "id", &id)) return -1;
    int f = roster_load(req, id, &r);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "roster") : http_fail_not_found(req);
    if (strcmp(r.state, "draft")) return http_fail(req, 409, "conflict", NULL, "roster.err.not_draft");
    if (store_run(req->conn, NULL, "DELETE FROM roster_entries WHERE roster_id = $1", "i", id) != STORE_DONE ||
        store_run(req->conn, NULL, "UPDATE rosters SET state = 'discarded' WHERE id = $1", "i", id) != STORE_DONE)
        return http_fail_internal(req, "discard");
    http_audit_target(req, "roster", id, NULL);
    return roster_reply(req, 200, id);
}

static json_t *roster_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "from",
                     store_col_text(st, 1), "to", store_col_text(st, 2), "state", store_col_text(st, 3), "entries",
                     (json_int_t)store_col_int(st, 4));
}

static const list_column roster_columns[] = {
    {"id", "col.id"}, {"from", "roster.col.from"}, {"to", "roster.col.to"}, {"state", "vol.col.state"},
    {"entries", "roster.col.entries"}, {0, 0},
};

static int rosters_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, "SELECT r.id, r.from_day, r.to_day, r.state, (SELECT COUNT(*) FROM "
                                              "roster_entries e WHERE e.roster_id = r.id) FROM rosters r WHERE "
                                              "r.community_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, http_list_cursor(req));
    store_bind_int(st, 3, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, roster_item, NULL, &next_after);
    return http_reply_list(req, "roster.list.rosters", roster_columns, items, next_after);
}

const http_route roster_routes[] = {
    {"GET", "/api/v1/rosters", NULL, rosters_list, VOL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/rosters", NULL, roster_create, VOL_STAFF, ROUTE_WRITE, 4096, "roster.generate"},
    {"GET", "/api/v1/rosters/{id}", NULL, roster_get, VOL_STAFF, 0, 0, NULL},
    {"DELETE", "/api/v1/rosters/{id}", NULL, roster_discard, VOL_STAFF, ROUTE_WRITE, 0, "roster.discard"},
    {"GET", "/api/v1/rosters/{id}/entries", NULL, roster_entries, VOL_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/rosters/{id}/entries", NULL, entry_add, VOL_STAFF, ROUTE_WRITE, 256, "roster.edit"},
    {"DELETE", "/api/v1/rosters/{id}/entries/{entry}", NULL, entry_remove, VOL_STAFF, ROUTE_WRITE, 0, "roster.edit"},
    {"GET", "/api/v1/rosters/{id}/explain", NULL, roster_explain, VOL_STAFF, 0, 0, NULL},
    {"POST", "/api/v1/rosters/{id}/publish", NULL, roster_publish, VOL_STAFF, ROUTE_WRITE, 256, "roster.publish"},
    {0},
};

const i18n_entry roster_messages[] = {
    {"roster.list.rosters", "排班表", "Rosters"},
    {"roster.list.entries", "排班", "Roster"},
    {"roster.col.reason", "为什么是他/她", "Why this person"},
    {"roster.col.from", "从", "From"},
    {"roster.col.to", "到", "To"},
    {"roster.col.entries", "安排人次", "Places"},
    {"roster.err.days", "一次最多排 31 天", "At most 31 days at once"},
    {"roster.err.posts", "post_ids 应为本社区岗位编号的列表", "post_ids must list posts of this community"},
    {"roster.err.shift", "该班次不在这份排班的时间和岗位内", "That shift is not in this roster's days and posts"},
    {"roster.err.not_draft", "排班表已发布或已放弃，不能再改", "This roster is published or discarded"},
    {"roster.why.fewest", "已排 %.1f 小时，在 %d 位可排的人中最少", "%.1f hours so far, the fewest of the %d who could"},
    {"roster.why.zone", "；意向片区相同", "; prefers this zone"},
    {"roster.why.post", "；偏好此类岗位", "; prefers this kind of post"},
    {"roster.why.manual", "手工安排", "Placed by hand"},
    {"roster.explain.on_shift", "已排在这个班次", "On this shift"},
    {"roster.explain.not_in_roster", "该班次不在这份排班内", "The shift is not in this roster"},
    {"roster.explain.not_serving", "此人未通过审核或已暂停、退出", "Not approved, paused or left"},
    {"roster.explain.team", "该班次只限某个志愿队，此人不是队员", "The shift is for a team this person is not in"},
    {"roster.explain.availability", "不在此人填写的空闲时间内", "Outside the times this person is available"},
    {"roster.explain.qualification", "没有该班次需要的资质，或已过期", "Lacks the shift's qualification, or it has expired"},
    {"roster.explain.overlap", "与此人的另一个班次时间重叠", "Overlaps another shift of this person"},
    {"roster.explain.day_limit", "会超过每天的最长时长", "Would pass the hours allowed in a day"},
    {"roster.explain.week_limit", "会超过每周的最长时长", "Would pass the hours allowed in a week"},
    {"roster.explain.rest", "与前后班次之间休息时间不够", "Too little rest before or after another shift"},
    {"roster.explain.fairness", "可以排，但其他人的已排时长更少（公平优先）",
     "Eligible, but others had fewer hours (fairness first)"},
    {0, 0, 0},
};
