/* capability.c — volunteers as one capability: the route tables and catalogues of this
 * folder's files, the dashboard tiles and the demo's volunteer corps. */
#include "volunteers_int.h"
#include "../capability.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include "../notify.h"
#include <stdlib.h>

extern const demo_step volunteer_demo_steps[];   /* demo_volunteers.c */

/* On duty now, shifts short of people today, at-risk shifts of the next 24 hours, open
 * task slots and verified hours this week: for leaders, the community's figures. */
void volunteer_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, VOL_LEADERS)) return;
    int64_t c = req->actor.community_id, now = clock_now_us(), day = 86400LL * 1000000;
    dashboard_tile(req, tiles, "on_duty", "vol.tile.on_duty",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shift_assignments WHERE community_id = $1 "
                                   "AND state = 'assigned' AND checked_in_at IS NOT NULL AND checked_out_at IS NULL",
                                       "i", c),
                   "unit.people");
    dashboard_tile_link(tiles, "/volunteers/posts");
    dashboard_tile(req, tiles, "unfilled_today", "vol.tile.unfilled_today",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shifts WHERE community_id = $1 AND taken < need "
                                   "AND ends_at > $2 AND starts_at < $3", "iii", c, now, now + day), "vol.unit.shifts");
    dashboard_tile_link(tiles, "/volunteers/shifts?open=1");
    dashboard_tile(req, tiles, "at_risk", "vol.tile.at_risk",
                   store_query_int(req->conn, 0,
                       "SELECT COUNT(*) FROM shifts s WHERE s.community_id = $1 AND s.starts_at > $2 "
                                   "AND s.starts_at < $3 AND (s.taken < s.need OR EXISTS (SELECT 1 FROM "
                                       "shift_assignments a "
                                   "WHERE a.community_id = s.community_id AND a.shift_id = s.id AND a.state = "
                                       "'assigned' "
                                   "AND a.confirmation = 'pending'))", "iii", c, now, now + day), "vol.unit.shifts");
    dashboard_tile_link(tiles, "/volunteers/at-risk");
    dashboard_tile(req, tiles, "open_task_slots", "vol.tile.open_task_slots",
                   store_query_int(req->conn, 0,
                       "SELECT COALESCE(SUM(slots - claimed), 0) FROM tasks WHERE community_id = $1 "
                                   "AND state = 'open' AND ends_at > $2", "ii", c, now), "vol.unit.slots");
    dashboard_tile_link(tiles, "/volunteers/tasks");
    char week_ago[16];
    clock_local_date(req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai",
                     now - 7 * day, week_ago, sizeof week_ago);
    dashboard_tile(req, tiles, "hours_week", "vol.tile.hours_week",
                   store_query_int(req->conn, 0, "SELECT COALESCE(SUM(minutes), 0) / 60 FROM volunteer_hours WHERE "
                                   "community_id = $1 AND state = 'verified' AND worked_on > $2", "it", c, week_ago),
                   "vol.unit.hours");
    dashboard_tile_link(tiles, "/volunteers/hours");
    dashboard_tile(req, tiles, "volunteers_applied", "vol.tile.applied",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE community_id = $1 "
                                   "AND state = 'applied'", "i", c), "unit.people");
    dashboard_tile_link(tiles, "/volunteers?state=applied");
}

/* The day-before question: every place on a shift starting in the next 36 hours that is
 * not confirmed is asked once. The UPDATE claims the places (reminded_at) before the
 * notifications are written, in one transaction, so that two server processes on one
 * database never ask twice: the second finds them claimed. */
static int remind_job(store_conn *c, void *ctx)
{
    (void)ctx;
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(c, "UPDATE shift_assignments SET reminded_at = $1 WHERE state = 'assigned' AND "
                                      "confirmation = 'pending' AND reminded_at IS NULL AND shift_id IN (SELECT id "
                                          "FROM "
                                      "shifts WHERE starts_at > $1 AND starts_at < $2) RETURNING shift_id, "
                                          "volunteer_id");
    if (!st) return -1;
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, now + 36LL * 3600 * 1000000);
    int cap = 256, n = 0, rc;
    int64_t (*rows)[2] = malloc(sizeof *rows * (size_t)cap);
    while (rows && (rc = store_step(st)) == STORE_ROW) {
        if (n == cap) {
            void *more = realloc(rows, sizeof *rows * (size_t)(cap *= 2));
            if (!more) break;
            rows = more;
        }
        rows[n][0] = store_col_int(st, 0), rows[n++][1] = store_col_int(st, 1);
    }
    store_done(st);
    int result = rows ? 0 : -1;
    for (int i = 0; i < n && !result; i++) {
        store_stmt *q;
        if (store_run(c, &q, "SELECT v.community_id, v.user_id, p.name, s.starts_at, cm.timezone FROM volunteers v "
                      "JOIN shifts s ON s.id = $1 JOIN posts p ON p.id = s.post_id JOIN communities cm ON "
                      "cm.id = v.community_id WHERE v.id = $2 AND v.user_id IS NOT NULL", "ii", rows[i][0],
                      rows[i][1]) != STORE_ROW)
            continue;
        char when[32];
        clock_format_local(store_col_text(q, 4), store_col_int(q, 3), when, sizeof when);
        int64_t community = store_col_int(q, 0), user = store_col_int(q, 1);
        json_t *params = json_pack("{s:s, s:s, s:I}", "post", store_col_text(q, 2), "when", when, "shift_id",
                                   (json_int_t)rows[i][0]);
        store_done(q);
        result = notify_user(c, community, user, "shift_tomorrow", params, "/volunteer");
        json_decref(params);
    }
    free(rows);
    return result;
}

static void volunteer_hourly(store *s)
{
    store_write(s, remind_job, NULL, NULL, NULL);
}

static const i18n_entry volunteer_tile_messages[] = {
    {"vol.tile.on_duty", "在岗志愿者", "Volunteers on duty"},
    {"vol.tile.unfilled_today", "24 小时内缺人的班次", "Shifts short of people (24 h)"},
    {"vol.tile.at_risk", "有风险的班次（未确认或缺人）", "At-risk shifts (unconfirmed or short)"},
    {"vol.tile.open_task_slots", "待抢任务名额", "Open task slots"},
    {"vol.tile.hours_week", "本周服务时长", "Hours this week"},
    {"vol.tile.applied", "待审核的志愿者", "Volunteers to approve"},
    {"vol.unit.shifts", "个", "shifts"},
    {"vol.unit.slots", "个", "slots"},
    {"vol.unit.hours", "小时", "hours"},
    {0, 0, 0},
};

/* The capability's stored words as exports and prints show them. */
static const i18n_entry volunteer_value_words[] = {
    {"enum.applied", "待审核", "Applied"},
    {"enum.approved", "已通过", "Approved"},
    {"enum.active", "在岗", "Active"},
    {"enum.paused", "暂停", "Paused"},
    {"enum.left", "已退出", "Left"},
    {"enum.cadre", "下沉干部", "Sunk-down cadre"},
    {"enum.company", "企业员工", "Company staff"},
    {"enum.student", "学生", "Student"},
    {"enum.healthy", "健康", "Healthy"},
    {"enum.limited", "体力受限", "Limited"},
    {"enum.unwell", "身体不适", "Unwell"},
    {"enum.gate", "门岗", "Gate"},
    {"enum.sorting", "分拣点", "Sorting area"},
    {"enum.sampling", "采样点", "Sampling"},
    {"enum.patrol", "巡逻", "Patrol"},
    {"enum.parcels", "快递分拣", "Parcels"},
    {"enum.care", "关爱服务", "Care"},
    {"enum.delivery", "配送", "Delivery"},
    {"enum.protective_suit", "防护服穿脱培训", "Protective-suit training"},
    {"enum.first_aid", "急救", "First aid"},
    {"enum.driving_licence", "驾驶证", "Driving licence"},
    {"enum.medical", "医护", "Medical"},
    {"enum.driving", "驾驶", "Driving"},
    {"enum.languages", "外语", "Languages"},
    {"enum.it", "信息技术", "IT"},
    {"enum.lifting", "搬运", "Heavy lifting"},
    {"enum.verified", "已核实", "Verified"},
    {"enum.rejected", "已驳回", "Rejected"},
    {"enum.shift", "班次", "Shift"},
    {"enum.task", "任务", "Task"},
    {"enum.manual", "补录", "Manual entry"},
    {"enum.group", "集体记录", "Group credit"},
    {"enum.done", "已完成", "Done"},
    {"enum.cancelled", "已取消", "Cancelled"},
    {"enum.commando", "青年突击队", "Youth commando"},
    {"enum.party_duty", "党员值守", "Party duty"},
    {"enum.member", "队员", "Member"},
    {"enum.waitlist", "候补", "Waitlist"},
    {0, 0, 0},
};

static const http_route *const volunteer_route_tables[] = {
    volunteer_routes, shift_routes, task_routes, timebank_routes, roster_routes, team_routes,
    ical_routes, swap_routes, NULL,
};
static const i18n_entry *const volunteer_catalogues[] = {
    volunteer_messages, shift_messages, task_messages, timebank_messages, roster_messages, team_messages,
    ical_messages, swap_messages,
    volunteer_tile_messages,
    volunteer_value_words, NULL,
};
static const char *const volunteer_value_keys[] = {
    "state", "kind", "health", "post_kind", "service_kind", "source", "qualification", NULL,
};
static const dashboard_provider volunteer_providers[] = {volunteer_tiles, NULL};

const capability volunteers_capability = {
    .name = "volunteers",
    .routes = volunteer_route_tables,
    .messages = volunteer_catalogues,
    .tiles = volunteer_providers,
    .value_keys = volunteer_value_keys,
    .demo = volunteer_demo_steps,
    .hourly = volunteer_hourly,
};
