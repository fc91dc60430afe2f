/* capability.c — bulletins as one capability: the route tables and catalogues of this
 * folder's files, the dashboard tiles, the telling and announcing of bulletins whose
 * time has come (every tick; hourly for urgent ones from before announce_at existed),
 * and the demo's week of bulletins. */
#include "bulletins_int.h"
#include "../capability.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include <stdatomic.h>
#include <stdlib.h>

extern const demo_step bulletin_demo_steps[];   /* demo_bulletins.c */

/* Urgent bulletins written for a later time are told once their time has come. The
 * claim (notified_at) is written in the same transaction as the notifications, so two
 * server processes on one database never tell twice. */
static int notify_job(store_conn *c, void *ctx)
{
    (void)ctx;
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(c, "SELECT community_id, id FROM bulletins WHERE kind = 'urgent' AND notified_at "
                                      "IS NULL AND state = 'published' AND publish_at <= $1 ORDER BY id LIMIT 100");
    if (!st) return -1;
    store_bind_int(st, 1, now);
    int64_t rows[100][2];
    int n = 0;
    while (n < 100 && store_step(st) == STORE_ROW)
        rows[n][0] = store_col_int(st, 0), rows[n++][1] = store_col_int(st, 1);
    store_done(st);
    for (int i = 0; i < n; i++)
        if (bulletin_notify_due(c, rows[i][0], rows[i][1], now) < 0) return -1;
    return 0;
}

void bulletin_hourly(store *s)
{
    store_write(s, notify_job, NULL, NULL, NULL);
}

/* A bulletin whose time has come is announced to the chat-group channels (and, when
 * urgent, told to the members) at the next tick: its announce_at is the timer, read on
 * its index; the write claims each row (announce_at = NULL) with the announcement, so a
 * restart loses nothing and two processes announce once. */
enum { BUL_ANNOUNCE_BATCH = 100 };

static int announce_job(store_conn *c, void *ctx)
{
    (void)ctx;
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(c, "SELECT community_id, id FROM bulletins WHERE announce_at <= $1 AND publish_at "
                                      "<= $1 ORDER BY announce_at LIMIT $2");
    if (!st) return -1;
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, BUL_ANNOUNCE_BATCH);
    int64_t rows[BUL_ANNOUNCE_BATCH][2];
    int n = 0;
    while (n < BUL_ANNOUNCE_BATCH && store_step(st) == STORE_ROW)
        rows[n][0] = store_col_int(st, 0), rows[n++][1] = store_col_int(st, 1);
    store_done(st);
    for (int i = 0; i < n; i++)
        if (bulletin_notify_due(c, rows[i][0], rows[i][1], now) < 0 ||
            bulletin_announce_due(c, rows[i][0], rows[i][1], now) < 0)
            return -1;
    /* A withdrawn bulletin keeps no timer. */
    return store_run(c, NULL, "UPDATE bulletins SET announce_at = NULL WHERE announce_at <= $1 AND state <> "
                     "'published'", "i", now) == STORE_DONE ? 0 : -1;
}

static atomic_bool announce_queued;

static void announce_done(int rc, void *ctx)
{
    (void)ctx;
    if (rc != 0) log_error("bulletins: announcement not written (tried again at the next tick)");
    atomic_store(&announce_queued, false);
}

void bulletin_tick(store *s)
{
    if (atomic_load(&announce_queued)) return;
    store_conn *c = store_acquire(s);
    int64_t now = clock_now_us();
    int64_t due = store_query_int(c, 0, "SELECT COUNT(*) FROM (SELECT 1 FROM bulletins WHERE announce_at <= $1 "
                                        "LIMIT 1) x", "i", now);
    store_release(s, c);
    if (!due) return;
    atomic_store(&announce_queued, true);
    if (store_write(s, announce_job, NULL, announce_done, NULL) != 0) atomic_store(&announce_queued, false);
}

/* The capability's stored words as exports and prints show them. */
static const i18n_entry bulletin_value_words[] = {
    {"enum.daily", "每日通报", "Daily bulletin"},
    {"enum.notice", "通知", "Notice"},
    {"enum.urgent", "紧急通告", "Urgent"},
    {"enum.rumour", "辟谣", "Rumour clarified"},
    {"enum.phone", "电话", "Phone call"},
    {"enum.visit", "上门", "Visit"},
    {"enum.in_person", "当面", "In person"},
    {"enum.app", "应用内阅读", "Read in the app"},
    {"enum.bulletin", "通告", "Bulletin"},
    {"notify.bulletin_urgent", "紧急通告：{title}", "Urgent bulletin: {title}"},
    {0, 0, 0},
};

static const http_route *const bulletin_route_tables[] = {bulletin_routes, receipt_routes, sheet_routes, NULL};
static const i18n_entry *const bulletin_catalogues[] = {
    bulletin_messages, receipt_messages, sheet_messages, bulletin_value_words, NULL,
};
static const char *const bulletin_value_keys[] = {"kind", "method", NULL};
static const dashboard_provider bulletin_providers[] = {bulletin_tiles, NULL};

const capability bulletins_capability = {
    .name = "bulletins",
    .routes = bulletin_route_tables,
    .messages = bulletin_catalogues,
    .tiles = bulletin_providers,
    .value_keys = bulletin_value_keys,
    .demo = bulletin_demo_steps,
    .hourly = bulletin_hourly,
    .tick = bulletin_tick,
};
