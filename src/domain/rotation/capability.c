/* capability.c — household rotation (轮值) as one capability: its route tables, its
 * messages in Chinese and English, the words its lists store, and the dashboard tile of
 * skipped households still to call on. Registered by the line X(rotation) in
 * domains.c; tables in 016_rotation.sql. */
#include "rotation_int.h"
#include "../demo_step.h"

extern const demo_step rotation_demo_steps[];   /* demo_rotation.c */

const i18n_entry rotation_messages[] = {
    {"rotation.err.hhmm", "时间格式应为 HH:MM（如 08:00）", "Time must be HH:MM (e.g. 08:00)"},
    {"rotation.err.window", "值守结束时间应晚于开始时间", "The window must end after it starts"},
    {"rotation.err.date", "日期格式应为 YYYY-MM-DD", "Date must be YYYY-MM-DD"},
    {"rotation.err.no_such_block", "本社区没有该楼组或院落", "No such block in this community"},
    {"rotation.err.household_ids", "住户顺序应为住户编号列表", "household_ids must be a list of household ids"},
    {"rotation.err.twice", "同一户在顺序中出现了两次", "This household is listed twice"},
    {"rotation.err.not_in_block", "该住户不属于这个楼组或院落", "This household is not in this block"},
    {"rotation.err.no_members", "没有可以轮值的住户（外出和空置户不参加）",
     "No household can take a turn (away and vacant households do not)"},
    {"rotation.err.too_long", "轮值太长：住户数 × 轮数最多 5000", "Too long: households × rounds is at most 5,000"},
    {"rotation.err.outcome", "结果只能是 done（已值守）或 skipped（跳过）", "Outcome must be done or skipped"},
    {"rotation.err.finished", "轮值已全部完成", "The rotation is finished"},
    {"rotation.err.not_current", "这一班已由别人登记，请刷新后再试",
     "This turn was recorded by someone else; reload and try again"},
    {"rotation.err.not_current_day", "这一天已由别人登记，请刷新后再试",
     "This day was recorded by someone else; reload and try again"},
    {"rotation.err.not_yet", "这一天还没到，不能登记", "This day has not come yet"},
    {"rotation.err.handed_over_at", "交接时间应为 HH:MM 或 YYYY-MM-DDTHH:MM:SSZ",
     "Hand-over time must be HH:MM or YYYY-MM-DDTHH:MM:SSZ"},
    {"rotation.err.handover_done_only", "跳过时没有钥匙交接", "A skipped turn has no key hand-over"},
    {"rotation.err.nothing_to_undo", "还没有登记，无可撤销", "Nothing recorded yet; nothing to undo"},
    {"rotation.err.already_called", "已经回访过这一户", "This household has already been called"},
    {"rotation.list.rotations", "轮值", "Rotations"},
    {"rotation.list.schedule", "轮值表", "Rotation schedule"},
    {"rotation.list.care", "关心回访名单", "Care calls"},
    {"rotation.col.name", "名称", "Name"},
    {"rotation.col.block", "楼组/院落", "Block"},
    {"rotation.col.starts_on", "开始日期", "Starts"},
    {"rotation.col.ends_on", "结束日期", "Ends"},
    {"rotation.col.rounds", "轮数", "Rounds"},
    {"rotation.col.members", "户数", "Households"},
    {"rotation.col.state", "状态", "State"},
    {"rotation.col.no", "序号", "No."},
    {"rotation.col.day", "日期", "Day"},
    {"rotation.col.weekday", "星期", "Weekday"},
    {"rotation.col.room", "门牌", "Household"},
    {"rotation.col.round", "第几轮", "Round"},
    {"rotation.col.handover_to", "钥匙交给", "Key to"},
    {"rotation.col.handed_over_at", "交接时间", "Handed over"},
    {"rotation.col.phone", "电话", "Phone"},
    {"rotation.col.care_called_at", "回访时间", "Called"},
    {"rotation.col.care_called_by", "回访人", "Called by"},
    {"rotation.weekday.1", "周一", "Mon"},
    {"rotation.weekday.2", "周二", "Tue"},
    {"rotation.weekday.3", "周三", "Wed"},
    {"rotation.weekday.4", "周四", "Thu"},
    {"rotation.weekday.5", "周五", "Fri"},
    {"rotation.weekday.6", "周六", "Sat"},
    {"rotation.weekday.7", "周日", "Sun"},
    {"rotation.tile.care", "轮值跳过待回访", "Rotation: skipped, to call"},
    {"rotation.unit.households", "户", "households"},
    {0, 0, 0},
};

/* The words the schedule and the list store in `state` (exports show these). */
static const i18n_entry rotation_value_words[] = {
    {"enum.planned", "待值守", "Planned"},
    {"enum.done", "已值守", "Done"},
    {"enum.skipped", "跳过", "Skipped"},
    {"enum.active", "进行中", "Active"},
    {"enum.finished", "已完成", "Finished"},
    {0, 0, 0},
};

static const http_route *const rotation_route_tables[] = {rotation_routes, rotation_turn_routes, NULL};
static const i18n_entry *const rotation_catalogues[] = {rotation_messages, rotation_value_words, NULL};
static const char *const rotation_value_keys[] = {"state", NULL};
static const dashboard_provider rotation_providers[] = {rotation_tiles, NULL};

const capability rotation_capability = {
    .name = "rotation",
    .routes = rotation_route_tables,
    .messages = rotation_catalogues,
    .tiles = rotation_providers,
    .value_keys = rotation_value_keys,
    .demo = rotation_demo_steps,
};
