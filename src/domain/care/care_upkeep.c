/* care_upkeep.c — the hourly upkeep of point-to-point care, one write job:
 *  - an open assignment of a resident who moved out or is no longer flagged ends (the
 *    queries already leave such a resident out; this makes the history say why);
 *  - a lapse (no contact for two rhythms running: daily rhythms none yesterday nor the
 *    day before, twice a week none in a week, weekly none in two weeks) is told to the
 *    resident's block leader (zone leader or committee when the block has none) once.
 * The claim is `UPDATE … SET missed_flagged_at WHERE missed_flagged_at IS NULL … RETURNING`
 * in the same transaction as the notifications, so two server processes never flag one
 * lapse twice; the next contact clears the claim (care_write.c). */
#include "care_int.h"
#include "../notify.h"
#include "../help/help_int.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include <stdlib.h>
#include <string.h>

enum { CARE_UPKEEP_MAX = 500 };

typedef struct care_claimed {
    int64_t id, resident, community;
} care_claimed;

/* Ends the open assignments `where` picks (an SQL condition on care_assignments),
 * with the reason, and audits each. */
static int care_end_where(store_conn *c, int64_t now, const char *reason, const char *sql)
{
    store_stmt *st = store_prepare(c, sql);
    if (!st) return -1;
    store_bind_int(st, 1, now);
    store_bind_text(st, 2, reason);
    care_claimed *rows = calloc(CARE_UPKEEP_MAX, sizeof *rows);
    int n = 0, rc;
    while (rows && n < CARE_UPKEEP_MAX && (rc = store_step(st)) == STORE_ROW)
        rows[n].id = store_col_int(st, 0), rows[n].community = store_col_int(st, 1), n++;
    store_done(st);
    int result = rows ? 0 : -1;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"reason\":\"%s\"}", reason);
    for (int i = 0; i < n && !result; i++)
        result = audit_write_raw(c, rows[i].community, 0, "care.auto_end", "care_assignment", rows[i].id, NULL,
                                 detail);
    free(rows);
    return result;
}

/* Claims the lapsed assignments of one community and tells who leads the block. */
static int care_flag_lapses(store_conn *c, int64_t community, const char *tz, int64_t now)
{
    int y, m, d;
    char today[11], from[3][11];
    clock_local_date(tz, now, today, sizeof today);
    if (!clock_parse_date(today, &y, &m, &d)) return 0;
    int64_t day = clock_days_from_civil(y, m, d);
    clock_format_date(day - 2, from[0]);
    clock_format_date(day - 6, from[1]);
    clock_format_date(day - 13, from[2]);
    store_stmt *st = store_prepare(c, "UPDATE care_assignments SET missed_flagged_at = $2 WHERE missed_flagged_at IS "
        "NULL AND id IN (SELECT a.id FROM care_assignments a JOIN residents r ON r.id = a.resident_id WHERE "
        "a.community_id = $1 AND a.missed_flagged_at IS NULL AND " CARE_ACTIVE " AND a.start_date <= "
        CARE_WINDOW("$3", "$4", "$5") " AND NOT " CARE_CONTACT_SINCE(CARE_WINDOW("$3", "$4", "$5"))
        " ORDER BY a.id LIMIT $6) RETURNING id, resident_id");
    if (!st) return -1;
    store_bind_int(st, 1, community);
    store_bind_int(st, 2, now);
    for (int i = 0; i < 3; i++) store_bind_text(st, 3 + i, from[i]);
    store_bind_int(st, 6, CARE_UPKEEP_MAX);
    care_claimed *rows = calloc(CARE_UPKEEP_MAX, sizeof *rows);
    int n = 0, rc;
    while (rows && n < CARE_UPKEEP_MAX && (rc = store_step(st)) == STORE_ROW)
        rows[n].id = store_col_int(st, 0), rows[n].resident = store_col_int(st, 1), n++;
    store_done(st);
    int result = rows ? 0 : -1;
    for (int i = 0; i < n && !result; i++) {
        store_stmt *q;
        if (store_run(c, &q, "SELECT r.name, h.block_id, b.zone_id FROM residents r JOIN households h ON h.id = "
                      "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $1", "i",
                      rows[i].resident) != STORE_ROW) {
            result = -1;
            break;
        }
        json_t *params = json_pack("{s:s}", "name", store_col_text(q, 0));
        int64_t block = store_col_int(q, 1), zone = store_col_null(q, 2) ? 0 : store_col_int(q, 2);
        store_done(q);
        const char *level = help_route_level(c, community, block, zone, 0);
        char link[48], detail[64];
        snprintf(link, sizeof link, "/care/residents/%lld", (long long)rows[i].resident);
        int64_t told = !strcmp(level, "block")
            ? notify_users_from(c, community, "care_missed", params, link, "SELECT user_id FROM role_assignments "
                                "WHERE community_id = $1 AND role = 'block_leader' AND scope_kind = 'block' AND "
                                "scope_id = $2", "i", block, 0)
            : !strcmp(level, "zone")
            ? notify_users_from(c, community, "care_missed", params, link, "SELECT user_id FROM role_assignments "
                                "WHERE community_id = $1 AND role = 'zone_leader' AND scope_kind = 'zone' AND "
                                "scope_id = $2", "i", zone, 0)
            : notify_users_from(c, community, "care_missed", params, link, "SELECT user_id FROM role_assignments "
                                "WHERE community_id = $1 AND role = 'committee'", "", 0, 0);
        json_decref(params);
        snprintf(detail, sizeof detail, "{\"resident_id\":%lld}", (long long)rows[i].resident);
        result = told < 0 ? -1 : audit_write_raw(c, community, 0, "care.missed", "care_assignment", rows[i].id, NULL,
                                                 detail);
    }
    free(rows);
    return result;
}

static int care_upkeep_job(store_conn *c, void *ctx)
{
    (void)ctx;
    int64_t now = clock_now_us();
    if (care_end_where(c, now, "moved_out", "UPDATE care_assignments SET ended_at = $1, updated_at = $1, end_reason "
                       "= $2 WHERE ended_at IS NULL AND EXISTS (SELECT 1 FROM residents r WHERE r.id = "
                       "care_assignments.resident_id AND r.moved_out_at IS NOT NULL) RETURNING id, community_id") < 0)
        return -1;
    if (care_end_where(c, now, "flag_cleared", "UPDATE care_assignments SET ended_at = $1, updated_at = $1, "
                       "end_reason = $2 WHERE ended_at IS NULL AND NOT EXISTS (SELECT 1 FROM resident_flags f WHERE "
                       "f.community_id = care_assignments.community_id AND f.resident_id = "
                       "care_assignments.resident_id AND f.cleared_at IS NULL AND f.flag IN (" CARE_FLAGS ")) "
                       "RETURNING id, community_id") < 0)
        return -1;
    /* Only communities with an open assignment; their ids first, as the loop writes. */
    store_stmt *st = store_prepare(c, "SELECT id, timezone FROM communities WHERE id IN (SELECT community_id FROM "
                                      "care_assignments WHERE ended_at IS NULL AND missed_flagged_at IS NULL) "
                                      "ORDER BY id");
    if (!st) return -1;
    int64_t ids[64];
    char tzs[64][64];
    int n = 0;
    while (n < 64 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        snprintf(tzs[n], sizeof tzs[n], "%s", store_col_text(st, 1) ? store_col_text(st, 1) : "Asia/Shanghai");
        n++;
    }
    store_done(st);
    for (int i = 0; i < n; i++)
        if (care_flag_lapses(c, ids[i], tzs[i], now) < 0) return -1;
    return 0;
}

static void care_upkeep_done(int rc, void *ctx)
{
    (void)ctx;
    if (rc != 0) log_error("care: hourly upkeep not written (tried again next hour)");
}

void care_hourly(store *s)
{
    store_write(s, care_upkeep_job, NULL, care_upkeep_done, NULL);
}
