/* retention.c — how long isolation, travel and health data are kept, and the purge that
 * removes them: the committee's setting (GET/PATCH /api/v1/community/retention), "purge
 * now" with a dry run (POST .../purge), and the purge used by `shouwang purge` and the
 * server's daily sweep. Owns the table community_retention (migration 006).
 *
 * The rule, in the community's time zone ("today" is the community's calendar day):
 *   - Emergency ended on E and E + keep_days is before today: every home-isolation
 *     entry, every travel entry, the history (cleared entries) of health flags and the
 *     sweep answers' answers and notes are removed; current health flags keep the flag
 *     (the care lists still need to know who is pregnant or bedridden) but lose their
 *     detail (due date, condition, medicine). Nothing recorded later survives either:
 *     a community that records isolations again is in a new emergency and clears E.
 *   - Always (also while the emergency goes on), a record that ended more than max_days
 *     before today is removed: travel by its end date (from_date when open), isolation
 *     and health-flag entries by the time they were cleared, sweep answers by the time
 *     they were recorded.
 * Residents, households, non-health flags (alone_elderly, no_smartphone) and sweep
 * outcomes stay. A purge is one transaction per community; its audit entry holds the
 * counts per kind and the cut-off dates, never the data. */
#include "registry_int.h"
#include "retention.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* registry_people.c */

#define HEALTH_FLAGS "('pregnant', 'chronic_illness', 'bedridden', 'disabled')"
#define DEFAULT_KEEP_DAYS 30
#define DEFAULT_MAX_DAYS 180
#define DAY_US (86400LL * 1000000LL)

/* ---------------------------------------------------------------- calendar */

static int64_t date_days(const char *s)
{
    int y = 1970, m = 1, d = 1;
    clock_parse_date(s, &y, &m, &d);
    return clock_days_from_civil(y, m, d);
}

/* ---------------------------------------------------------------- time zones */

/* The community's calendar day now ("YYYY-MM-DD") and its time zone name. */
static bool community_today(store_conn *c, int64_t community_id, char today[11], char tz[65])
{
    store_stmt *st;
    if (store_run(c, &st, "SELECT timezone FROM communities WHERE id = $1", "i", community_id) != STORE_ROW) {
        store_done(st);
        return false;
    }
    snprintf(tz, 65, "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "Asia/Shanghai");
    store_done(st);
    int64_t now = clock_now_us() / 1000000;
    int64_t local = now + clock_tz_offset(tz, now);
    clock_format_date(local >= 0 ? local / 86400 : (local - 86399) / 86400, today);
    return true;
}

/* The UTC instant (microseconds) at which community day `date` begins in zone tz. */
static int64_t day_start_us(const char *tz, const char *date)
{
    int64_t midnight = date_days(date) * 86400;
    int64_t off = clock_tz_offset(tz, midnight);
    return (midnight - clock_tz_offset(tz, midnight - off)) * 1000000LL;
}

/* ---------------------------------------------------------------- the setting */

typedef struct policy {
    char ended_on[11];        /* "" while the emergency goes on */
    int64_t keep_days, max_days;
    char last_purge_on[11];   /* "" never */
} policy;

static bool policy_load(store_conn *c, int64_t community_id, policy *p)
{
    memset(p, 0, sizeof *p);
    p->keep_days = DEFAULT_KEEP_DAYS;
    p->max_days = DEFAULT_MAX_DAYS;
    store_stmt *st;
    int rc = store_run(c, &st, "SELECT emergency_ended_on, keep_days, max_days, last_purge_on FROM community_retention "
                               "WHERE community_id = $1", "i", community_id);
    if (rc == STORE_ROW) {
        snprintf(p->ended_on, sizeof p->ended_on, "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "");
        p->keep_days = store_col_int(st, 1);
        p->max_days = store_col_int(st, 2);
        snprintf(p->last_purge_on, sizeof p->last_purge_on, "%s", store_col_text(st, 3) ? store_col_text(st, 3) : "");
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE;
}

/* The cut-offs of a policy on `today`: kept_until (E + keep_days, "" while ongoing),
 * whether it has passed, and the rolling cut-off date (today - max_days). */
static void policy_cutoffs(const policy *p, const char *today, char kept_until[11], bool *ended_due, char rolling[11])
{
    int64_t t = date_days(today);
    kept_until[0] = 0;
    *ended_due = false;
    if (p->ended_on[0]) {
        clock_format_date(date_days(p->ended_on) + p->keep_days, kept_until);
        *ended_due = strcmp(kept_until, today) < 0;
    }
    clock_format_date(t - p->max_days, rolling);
}

static json_t *policy_json(const policy *p, const char *today, const char *tz)
{
    char kept_until[11], rolling[11];
    bool due;
    policy_cutoffs(p, today, kept_until, &due, rolling);
    return json_pack("{s:s?, s:b, s:I, s:I, s:s?, s:s, s:s, s:s?, s:b, s:s}",
                     "emergency_ended_on", p->ended_on[0] ? p->ended_on : NULL, "ongoing", !p->ended_on[0],
                     "keep_days", (json_int_t)p->keep_days, "max_days", (json_int_t)p->max_days,
                     "last_purge_on", p->last_purge_on[0] ? p->last_purge_on : NULL, "today", today, "timezone", tz,
                     "kept_until", kept_until[0] ? kept_until : NULL, "purge_due", due, "rolling_cutoff", rolling);
}

/* ---------------------------------------------------------------- the purge */

/* Runs one purge statement with $1 community, $2 due, and $3 the cut-off (an instant
 * for "iii", a date for "iit", absent for "ii"); adds the rows it changed to *count. */
static int purge_step(store_conn *c, int64_t *count, const char *sql, const char *fmt, int64_t cid, int64_t due,
                      int64_t cut_us, const char *cut_date)
{
    store_stmt *st = store_prepare(c, sql);
    if (!st) {
        log_warn("retention purge: %s", store_errmsg(c));
        return -1;
    }
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, due);
    if (!strcmp(fmt, "iii")) store_bind_int(st, 3, cut_us);
    else if (!strcmp(fmt, "iit")) store_bind_text(st, 3, cut_date);
    int rc = store_step(st);
    if (rc == STORE_DONE) *count += store_changes(st);
    store_done(st);
    if (rc != STORE_DONE) {
        log_warn("retention purge: %s", store_errmsg(c));
        return -1;
    }
    return 0;
}

static int purge_rows(store_conn *c, int64_t cid, bool due, int64_t cut_us, const char *cut_date, retention_counts *n)
{
    if (purge_step(c, &n->isolation_flags,
                   "DELETE FROM resident_flags WHERE community_id = $1 AND flag = 'home_isolation' "
                   "AND ($2 = 1 OR (cleared_at IS NOT NULL AND cleared_at < $3))",
                   "iii", cid, due, cut_us, NULL) ||
        purge_step(c, &n->health_history,
                   "DELETE FROM resident_flags WHERE community_id = $1 AND flag IN " HEALTH_FLAGS " "
                   "AND cleared_at IS NOT NULL AND ($2 = 1 OR cleared_at < $3)",
                   "iii", cid, due, cut_us, NULL) ||
        purge_step(c, &n->health_details,
                   "UPDATE resident_flags SET detail = '{}' WHERE community_id = $1 AND flag IN " HEALTH_FLAGS " "
                   "AND cleared_at IS NULL AND detail <> '{}' AND $2 = 1",
                   "ii", cid, due, 0, NULL) ||
        purge_step(
            c, &n->travel,
            "DELETE FROM resident_travel WHERE community_id = $1 AND ($2 = 1 OR COALESCE(to_date, from_date) < $3)",
            "iit", cid, due, 0, cut_date) ||
        purge_step(c, &n->sweep_answers,
                   "UPDATE sweep_answers SET answers = '{}', note = '' WHERE community_id = $1 "
                   "AND (answers <> '{}' OR note <> '') AND ($2 = 1 OR recorded_at < $3)",
                   "iii", cid, due, cut_us, NULL))
        return -1;
    return 0;
}

static int forget_replays(store_conn *c, int64_t cid, int64_t *count)
{
    store_stmt *st = store_prepare(c, "UPDATE idempotency_keys SET response = '{}', status = 0 "
                                      "WHERE community_id = $1 AND status <> 0");
    if (!st) return -1;
    store_bind_int(st, 1, cid);
    int rc = store_step(st);
    if (rc == STORE_DONE) *count = store_changes(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : -1;
}

int retention_purge(store_conn *c, int64_t community_id, bool dry_run, json_t **report)
{
    char today[11], tz[65], kept_until[11], rolling[11];
    policy p;
    bool due;
    if (report) *report = NULL;
    if (!community_today(c, community_id, today, tz) || !policy_load(c, community_id, &p)) return -1;
    policy_cutoffs(&p, today, kept_until, &due, rolling);
    retention_counts n = {0};
    int64_t replays = 0;
    /* A dry run is the real purge undone: the counts cannot drift from what it does. */
    if (dry_run && store_exec(c, "SAVEPOINT retention_dry_run") != STORE_OK) return -1;
    int rc = purge_rows(c, community_id, due, day_start_us(tz, rolling), rolling, &n);
    /* Answers kept for replays (at most a day) may hold what was just purged: a purge
     * that removed anything forgets them too. The keys stay, so a retried request still
     * never runs twice; its replay answers "already done" (status 0: answer forgotten). */
    if (!rc && n.isolation_flags + n.health_history + n.health_details + n.travel + n.sweep_answers > 0)
        rc = forget_replays(c, community_id, &replays);
    if (dry_run) {
        store_exec(c, "ROLLBACK TO SAVEPOINT retention_dry_run");
        store_exec(c, "RELEASE SAVEPOINT retention_dry_run");
    }
    if (rc) return -1;
    if (!dry_run &&
        store_run(c, NULL,
                  "INSERT INTO community_retention (community_id, last_purge_on, updated_at) VALUES ($1, $2, $3) "
                  "ON CONFLICT (community_id) DO UPDATE SET last_purge_on = excluded.last_purge_on",
                  "iti", community_id, today, clock_now_us()) != STORE_DONE)
        return -1;
    if (report) {
        int64_t total = n.isolation_flags + n.health_history + n.health_details + n.travel + n.sweep_answers;
        *report =
            json_pack("{s:b, s:s, s:s?, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I}", "dry_run", dry_run, "today",
                      today,
                      "ended_cutoff", due ? kept_until : NULL, "rolling_cutoff", rolling, "counts", "isolation_flags",
                      (json_int_t)n.isolation_flags, "health_history", (json_int_t)n.health_history, "health_details",
                      (json_int_t)n.health_details, "travel", (json_int_t)n.travel, "sweep_answers",
                      (json_int_t)n.sweep_answers, "total", (json_int_t)total, "replays_forgotten",
                      (json_int_t)replays);
    }
    return 0;
}

int retention_purge_audited(store_conn *c, int64_t community_id, bool dry_run, bool only_if_due, const char *source,
                            json_t **report)
{
    json_t *r = NULL;
    if (report) *report = NULL;
    if (only_if_due) {
        char today[11], tz[65];
        policy p;
        if (!community_today(c, community_id, today, tz) || !policy_load(c, community_id, &p)) return -1;
        if (!strcmp(p.last_purge_on, today)) return 1;
    }
    if (retention_purge(c, community_id, dry_run, &r)) return -1;
    int rc = 0;
    if (!dry_run && (!only_if_due || json_integer_value(json_object_get(r, "total")) > 0)) {
        char *detail = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
        rc = audit_write_raw(c, community_id, 0, "retention.purge", "community", community_id, source, detail);
        free(detail);
    }
    if (report) *report = r;
    else json_decref(r);
    return rc ? -1 : 0;
}

/* ---------------------------------------------------------------- daily sweep */

static int daily_job(store_conn *c, void *ctx)
{
    int64_t id = *(int64_t *)ctx;
    int rc = retention_purge_audited(c, id, false, true, "daily", NULL);
    if (rc < 0) log_warn("daily retention purge of community %lld failed", (long long)id);
    return rc < 0 ? -1 : 0;
}

static void daily_done(int rc, void *ctx)
{
    (void)rc;
    free(ctx);
}

int retention_community_page(store *s, int64_t after, int64_t only, int64_t *ids, int cap)
{
    store_conn *c = store_acquire(s);
    store_stmt *st = store_prepare(c, "SELECT id FROM communities WHERE id > $1 AND ($2 = 0 OR id = $2) "
                                      "ORDER BY id LIMIT $3");
    int n = 0;
    if (st && !store_bind_int(st, 1, after) && !store_bind_int(st, 2, only) && !store_bind_int(st, 3, cap))
        while (n < cap && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
    store_done(st);
    store_release(s, c);
    return n;
}

void retention_daily(store *s)
{
    enum { PAGE = 256 };
    int64_t ids[PAGE], after = 0;
    for (int n = PAGE; n == PAGE; after = ids[n - 1]) {
        n = retention_community_page(s, after, 0, ids, PAGE);
        for (int i = 0; i < n; i++) {
            int64_t *ctx = malloc(sizeof *ctx);
            if (!ctx) return;
            *ctx = ids[i];
            if (store_write(s, daily_job, ctx, daily_done, ctx)) free(ctx);
        }
        if (n == 0) return;
    }
}

/* ---------------------------------------------------------------- routes */

static int retention_get(http_req *req)
{
    char today[11], tz[65];
    policy p;
    if (!community_today(req->conn, req->actor.community_id, today, tz) ||
        !policy_load(req->conn, req->actor.community_id, &p))
        return http_fail_internal(req, "retention read");
    return http_reply(req, 200, json_pack("{s:o}", "retention", policy_json(&p, today, tz)));
}

static int retention_update(http_req *req)
{
    char today[11], tz[65];
    policy p;
    if (!community_today(req->conn, req->actor.community_id, today, tz) ||
        !policy_load(req->conn, req->actor.community_id, &p))
        return http_fail_internal(req, "retention read");
    json_t *fields = json_array();
    json_t *detail = json_pack("{s:o}", "fields", fields);
    http_audit_target(req, "community", req->actor.community_id, detail);
    json_t *ended = json_object_get(req->json, "emergency_ended_on");
    if (ended) {
        if (json_is_null(ended) || (json_is_string(ended) && !*json_string_value(ended))) p.ended_on[0] = 0;
        else if (!json_is_string(ended) || !registry_date_ok(json_string_value(ended), NULL))
            return http_fail_field(req, "emergency_ended_on", "ret.err.date");
        else if (strcmp(json_string_value(ended), today) > 0)
            return http_fail_field(req, "emergency_ended_on", "ret.err.future");
        else snprintf(p.ended_on, sizeof p.ended_on, "%s", json_string_value(ended));
        json_array_append_new(fields, json_string("emergency_ended_on"));
    }
    bool has;
    if (!http_body_int_opt(req, "keep_days", 1, 3650, &p.keep_days, &has)) return -1;
    if (has) json_array_append_new(fields, json_string("keep_days"));
    if (!http_body_int_opt(req, "max_days", 7, 3650, &p.max_days, &has)) return -1;
    if (has) json_array_append_new(fields, json_string("max_days"));
    if (store_run(req->conn, NULL,
                  "INSERT INTO community_retention (community_id, emergency_ended_on, keep_days, max_days, updated_by, "
                  "updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_id) DO UPDATE SET "
                  "emergency_ended_on = excluded.emergency_ended_on, keep_days = excluded.keep_days, "
                  "max_days = excluded.max_days, last_purge_on = NULL, updated_by = excluded.updated_by, "
                  "updated_at = excluded.updated_at",
                  "itiiii", req->actor.community_id, p.ended_on[0] ? p.ended_on : NULL, p.keep_days, p.max_days,
                  req->actor.user_id, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "retention update");
    /* A changed setting takes effect at the next hourly maintenance, not tomorrow. */
    p.last_purge_on[0] = 0;
    return http_reply(req, 200, json_pack("{s:o}", "retention", policy_json(&p, today, tz)));
}

/* Purge now. dry_run defaults to true: removing data takes an explicit false. */
static int retention_purge_now(http_req *req)
{
    json_t *dry = json_object_get(req->json, "dry_run");
    if (dry && !json_is_boolean(dry)) return http_fail_field(req, "dry_run", "ret.err.boolean");
    bool dry_run = !dry || json_is_true(dry);
    json_t *report;
    if (retention_purge(req->conn, req->actor.community_id, dry_run, &report)) return http_fail_internal(req, "purge");
    http_audit_target(req, "community", req->actor.community_id, json_deep_copy(report));
    return http_reply(req, 200, json_pack("{s:o}", "purge", report));
}

const http_route retention_routes[] = {
    {"GET", "/api/v1/community/retention", NULL, retention_get, ROLE_COMMITTEE, 0, 0, NULL},
    {"PATCH", "/api/v1/community/retention", NULL, retention_update, ROLE_COMMITTEE, ROUTE_WRITE, 4096,
     "retention.update"},
    {"POST", "/api/v1/community/retention/purge", NULL, retention_purge_now, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "retention.purge"},
    {0},
};

const i18n_entry retention_messages[] = {
    {"ret.err.date", "应为 YYYY-MM-DD 格式的有效日期，或 null 表示紧急状态仍在持续",
     "Must be a valid date as YYYY-MM-DD, or null while the emergency goes on"},
    {"ret.err.future", "紧急状态结束日期不能晚于今天", "The emergency cannot end after today"},
    {"ret.err.boolean", "应为 true 或 false", "Must be true or false"},
    {0, 0, 0},
};
