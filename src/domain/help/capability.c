/* capability.c — help requests as one capability: routes, catalogues, the dashboard's
 * figures, the escalation tick and the demo's requests. */
#include "help_int.h"
#include "../capability.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include <stdlib.h>

extern const demo_step help_demo_steps[];   /* demo_help.c */

/* Minutes from asking to `col` of the requests asked in the last 7 days of the
 * leader's scope: the median (-1 when none). Small sets: sorted by the database. */
static int64_t help_median_minutes(http_req *req, const char *col_sql)
{
    store_stmt *st = store_prepare(req->conn, col_sql);
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, clock_now_us() - 7 * 86400LL * 1000000);
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    while (store_step(st) == STORE_ROW) {
        if (n == cap) {
            int64_t *more = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
            if (!more) break;
            v = more;
        }
        v[n++] = store_col_int(st, 0);
    }
    store_done(st);
    int64_t median = n ? v[n / 2] / 60000000 : -1;
    free(v);
    return median;
}

/* Open requests by kind (only kinds with any), overdue now, the oldest open one's age,
 * and the median times to acknowledge and to finish this week: in the leader's scope. */
void help_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, HELP_LEADERS)) return;
    int64_t c = req->actor.community_id, u = req->actor.user_id, now = clock_now_us();
    store_stmt *st = store_prepare(req->conn, "SELECT r.kind, COUNT(*), MIN(r.created_at) FROM help_requests r JOIN "
                                              "households h ON h.id = r.household_id JOIN blocks b ON b.id = "
                                                  "r.block_id "
                                              "WHERE r.state IN ('new', 'acknowledged', 'in_progress') AND "
                                                  SCOPE_HOUSEHOLD
                                              " GROUP BY r.kind ORDER BY r.kind");
    int64_t oldest = 0, open = 0;
    if (st) {
        scope_bind(req, st);
        while (store_step(st) == STORE_ROW) {
            const char *kind = store_col_text(st, 0);
            open += store_col_int(st, 1);
            if (!oldest || store_col_int(st, 2) < oldest) oldest = store_col_int(st, 2);
            dashboard_tile_text(req, tiles, arena_printf(req->a, "help_open_%s", kind),
                                arena_printf(req->a, "%s%s", i18n_text(req->lang, "help.tile.open_of"),
                                             i18n_text(req->lang, arena_printf(req->a, "help.kind.%s", kind))),
                                store_col_int(st, 1), "help.unit.requests");
            dashboard_tile_link(tiles, arena_printf(req->a, "/help?state=open&kind=%s", kind));
        }
        store_done(st);
    }
    dashboard_tile(req, tiles, "help_open", "help.tile.open", open, "help.unit.requests");
    dashboard_tile_link(tiles, "/help?state=open");
    dashboard_tile(req, tiles, "help_overdue", "help.tile.overdue",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM help_requests r JOIN households h ON h.id = "
                                   "r.household_id JOIN blocks b ON b.id = r.block_id WHERE r.state = 'new' AND "
                                   "r.ack_due_at <= $3 AND " SCOPE_HOUSEHOLD, "iii", c, u, now),
                   "help.unit.requests");
    dashboard_tile_link(tiles, "/help?overdue=1");
    dashboard_tile(req, tiles, "help_oldest_open", "help.tile.oldest", oldest ? (now - oldest) / 3600000000LL : 0,
                   "help.unit.hours");
    dashboard_tile_link(tiles, "/help?state=open");
    /* A median over no request would read as "0 minutes": such a tile is left out. */
    int64_t ack = help_median_minutes(req, "SELECT r.acknowledged_at - r.created_at FROM help_requests r JOIN "
                                      "households h ON h.id = r.household_id JOIN blocks b ON b.id = r.block_id "
                                      "WHERE r.acknowledged_at IS NOT NULL AND r.created_at >= $3 AND "
                                      SCOPE_HOUSEHOLD " ORDER BY 1");
    if (ack >= 0) {
        dashboard_tile(req, tiles, "help_ack_median", "help.tile.ack_median", ack, "help.unit.minutes");
        dashboard_tile_link(tiles, "/help");
    }
    int64_t done = help_median_minutes(req, "SELECT r.finished_at - r.created_at FROM help_requests r JOIN "
                                       "households h ON h.id = r.household_id JOIN blocks b ON b.id = r.block_id "
                                       "WHERE r.state = 'done' AND r.created_at >= $3 AND " SCOPE_HOUSEHOLD
                                       " ORDER BY 1");
    if (done >= 0) {
        dashboard_tile(req, tiles, "help_done_median", "help.tile.done_median", done, "help.unit.minutes");
        dashboard_tile_link(tiles, "/help");
    }
}

static const i18n_entry help_tile_messages[] = {
    {"help.tile.open", "未办结的求助", "Open help requests"},
    {"help.tile.open_of", "未办结：", "Open: "},
    {"help.tile.overdue", "超时未响应的求助", "Help requests overdue"},
    {"help.tile.oldest", "最久未办结的求助已等", "Oldest open request waiting"},
    {"help.tile.ack_median", "本周求助响应用时（中位数）", "Time to acknowledge this week (median)"},
    {"help.tile.done_median", "本周求助办结用时（中位数）", "Time to finish this week (median)"},
    {"help.unit.requests", "条", "requests"},
    {"help.unit.hours", "小时", "hours"},
    {"help.unit.minutes", "分钟", "minutes"},
    {0, 0, 0},
};

static const http_route *const help_route_tables[] = {help_routes, help_flow_routes, help_pass_routes,
                                                         help_medicine_routes, help_file_routes, NULL};
static const i18n_entry *const help_catalogues[] = {help_messages, help_flow_messages, help_pass_messages,
                                                     help_medicine_messages, help_file_messages,
                                                     help_tile_messages, NULL};
static const dashboard_provider help_providers[] = {help_tiles, NULL};

const capability help_capability = {
    .name = "help",
    .routes = help_route_tables,
    .messages = help_catalogues,
    .tiles = help_providers,
    .tick = help_tick,
    .demo = help_demo_steps,
};
