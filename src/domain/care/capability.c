/* capability.c — point-to-point care as one capability: routes, catalogues, the
 * dashboard's figures, the hourly upkeep and the demo's carers and check-ins. */
#include "care_int.h"
#include "../capability.h"
#include "../demo_step.h"
#include "../../core/clock.h"

extern const demo_step care_demo_steps[];   /* demo_care.c */

/* A COUNT(*) of the actor's scope: $1, $2, then the due windows $3..$5 (days 3) or
 * today alone as $3 (days 1). */
static int64_t care_count(http_req *req, int days, const char *sql)
{
    store_stmt *st = store_prepare(req->conn, sql);
    if (!st) return 0;
    if (days == 3) {
        care_bind_days(req, st);
    } else {
        scope_bind(req, st);
        care_days d;
        care_days_at(care_tz(req), clock_now_us(), &d);
        if (days == 1) store_bind_text(st, 3, d.today);
    }
    int64_t n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return n;
}

#define CARE_TILE_FROM \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
#define CARE_TILE_OPEN \
    CARE_TILE_FROM "JOIN care_assignments a ON a.community_id = $1 AND a.resident_id = r.id WHERE r.community_id = $1 "

/* In the leader's scope: vulnerable residents nobody looks after, those not contacted
 * as their rhythm asks, the needs reported today and the lapses told to the leaders. */
void care_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, CARE_LEADERS)) return;
    dashboard_tile(req, tiles, "care_nobody", "care.tile.nobody", care_count(req, 0, "SELECT COUNT(*) "
                   CARE_TILE_FROM "WHERE r.community_id = $1 AND r.moved_out_at IS NULL AND " CARE_VULNERABLE
                   " AND NOT EXISTS (SELECT 1 FROM care_assignments a WHERE a.community_id = $1 AND a.resident_id = "
                   "r.id AND a.ended_at IS NULL) AND " SCOPE_HOUSEHOLD), "care.unit.people");
    dashboard_tile_link(tiles, "/care?carer=none");
    dashboard_tile(req, tiles, "care_due", "care.tile.due", care_count(req, 3, "SELECT COUNT(*) " CARE_TILE_OPEN
                   "AND " CARE_ACTIVE " AND " CARE_DUE " AND " SCOPE_HOUSEHOLD), "care.unit.people");
    dashboard_tile_link(tiles, "/care/due");
    dashboard_tile(req, tiles, "care_needs", "care.tile.needs", care_count(req, 1, "SELECT COUNT(*) FROM "
                   "care_checkins k JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = "
                   "r.household_id JOIN blocks b ON b.id = h.block_id WHERE k.community_id = $1 AND k.outcome = "
                   "'needs' AND k.on_day = $3 AND " SCOPE_HOUSEHOLD), "care.unit.checkins");
    dashboard_tile_link(tiles, "/care");
    dashboard_tile(req, tiles, "care_missed", "care.tile.missed", care_count(req, 0, "SELECT COUNT(*) "
                   CARE_TILE_OPEN "AND a.missed_flagged_at IS NOT NULL AND " CARE_ACTIVE " AND " SCOPE_HOUSEHOLD),
                   "care.unit.people");
    dashboard_tile_link(tiles, "/care/due");
}

static const i18n_entry care_tile_messages[] = {
    {"enum.care_assignment", "点对点关爱", "Care assignment"},
    {"enum.care_checkin", "关爱联系记录", "Care check-in"},
    {"care.tile.nobody", "尚无关爱人的重点人群", "Vulnerable residents without a carer"},
    {"care.tile.due", "今日未联系的关爱对象", "Cared-for residents not checked today"},
    {"care.tile.needs", "今日关爱中反映的需求", "Needs reported by carers today"},
    {"care.tile.missed", "连续未联系的关爱对象", "Cared-for residents missed running"},
    {"care.unit.people", "人", "people"},
    {"care.unit.checkins", "条", "check-ins"},
    {0, 0, 0},
};

static const http_route *const care_route_tables[] = {care_routes, care_write_routes, NULL};
static const i18n_entry *const care_catalogues[] = {care_messages, care_write_messages, care_tile_messages, NULL};
static const dashboard_provider care_providers[] = {care_tiles, NULL};

const capability care_capability = {
    .name = "care",
    .routes = care_route_tables,
    .messages = care_catalogues,
    .tiles = care_providers,
    .hourly = care_hourly,
    .demo = care_demo_steps,
};
