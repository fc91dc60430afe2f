/* capability.c — chat-group channels (渠道) as one capability: the committee's routes,
 * their messages in Chinese and English, and the hooks that send the outbox: the tick
 * (about once a second: is a delivery due?) and the stop (the sender thread ends before
 * the store closes). Registered by the line X(channels) in domains.c; tables in
 * 028_outbox.sql; other capabilities queue events with outbox_event (../outbox.h). */
#include "channels_int.h"
#include "../capability.h"

const i18n_entry channel_messages[] = {
    {"channel.list.channels", "消息渠道", "Channels"},
    {"channel.list.deliveries", "渠道发送记录", "Channel deliveries"},
    {"channel.list.outbox", "待发消息", "Outbox"},
    {"channel.col.name", "渠道", "Channel"},
    {"channel.col.kind", "类型", "Kind"},
    {"channel.col.url", "地址", "URL"},
    {"channel.col.format", "格式", "Format"},
    {"channel.col.events", "推送事件", "Events"},
    {"channel.col.enabled", "启用", "Enabled"},
    {"channel.col.pending", "待发", "Waiting"},
    {"channel.col.failed", "失败", "Failed"},
    {"channel.col.created_at", "时间", "Queued"},
    {"channel.col.event", "事件", "Event"},
    {"channel.col.title", "标题", "Title"},
    {"channel.col.state", "状态", "State"},
    {"channel.col.attempts", "尝试次数", "Attempts"},
    {"channel.col.http_status", "HTTP 状态", "HTTP status"},
    {"channel.col.error", "错误", "Error"},
    {"channel.col.delivered_at", "送达时间", "Delivered"},
    {"channel.state.pending", "待发送", "Waiting"},
    {"channel.state.sending", "发送中", "Sending"},
    {"channel.state.delivered", "已送达", "Delivered"},
    {"channel.state.failed", "发送失败", "Failed"},
    {"channel.yes", "是", "Yes"},
    {"channel.no", "否", "No"},
    {"channel.test.title", "守望测试消息", "Shouwang test message"},
    {"channel.test.text", "看到这条消息，说明渠道已接通。", "If you can read this, the channel works."},
    {"channel.err.kind", "类型只能是 wecom（企业微信群机器人）或 webhook",
     "Kind must be wecom (WeCom group robot) or webhook"},
    {"channel.err.url", "地址无效（不能有空格、中文或用户名密码）",
     "Invalid URL (no spaces, non-ASCII characters or user:password)"},
    {"channel.err.url_scheme", "地址须以 https:// 或 http:// 开头", "The URL must start with https:// or http://"},
    {"channel.err.url_host", "地址缺少主机名", "The URL has no host"},
    {"channel.err.format", "格式只能是 text 或 markdown", "Format must be text or markdown"},
    {"channel.err.events", "推送事件应为列表", "Events must be a list"},
    {"channel.err.event", "事件只能是 bulletin.published、help.urgent 或 help.escalated",
     "An event is bulletin.published, help.urgent or help.escalated"},
    {"channel.err.boolean", "应为 true 或 false", "Must be true or false"},
    {"channel.err.state", "状态只能是 pending、sending、delivered 或 failed",
     "State must be pending, sending, delivered or failed"},
    {"channel.err.too_many", "一个社区最多 50 个渠道", "A community has at most 50 channels"},
    {"channel.err.not_failed", "只有发送失败的消息可以重试", "Only a failed delivery can be retried"},
    {0, 0, 0},
};

static const http_route *const channel_route_tables[] = {channel_routes, NULL};
static const i18n_entry *const channel_catalogues[] = {channel_messages, NULL};

const capability channels_capability = {
    .name = "channels",
    .routes = channel_route_tables,
    .messages = channel_catalogues,
    .tick = channel_tick,
    .stop = channel_stop,
};
