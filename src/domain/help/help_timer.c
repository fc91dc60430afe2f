/* help_timer.c — escalation by time. A new request carries due_at, the moment it moves
 * one level up (block leader → zone leader → committee) unless acknowledged before.
 * The timer is that column, not a sleeping thread: every second the server's tick asks
 * (one indexed read) whether a row is due and only then queues a write, which claims
 * the due rows with `UPDATE … SET due_at = NULL WHERE due_at <= now RETURNING`. A
 * restart loses nothing (the row waits, and fires at the first tick after the start);
 * two processes on one database never escalate one request twice, because the second
 * UPDATE finds the row claimed (the outer `due_at <= now` is what PostgreSQL checks
 * again on the row a concurrent claim changed); the claim, the new level, the timeline event, the
 * notifications and the audit entry commit together or not at all. */
#include "help_int.h"
#include "../outbox.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { HELP_TIMER_BATCH = 200 };

typedef struct due_row {
    int64_t id, community, block, zone;
    char level[16], urgency[16];
    char *summary;
} due_row;

/* The catalogue key of a level's word ("help.level.zone"). */
static const char *help_level_key(const char *level)
{
    return !strcmp(level, "block") ? "help.level.block" : !strcmp(level, "zone") ? "help.level.zone"
                                                                                 : "help.level.committee";
}

static int help_escalate_one(store_conn *c, due_row *d, int64_t now)
{
    int from = !strcmp(d->level, "block") ? 1 : 2;
    const char *next = help_route_level(c, d->community, d->block, d->zone, from);
    /* The committee is the last level: it keeps the request, shown as overdue. */
    int64_t due = strcmp(next, "committee") ? now + help_ack_limit_s(c, d->community, d->urgency) * 1000000 : 0;
    store_stmt *st = store_prepare(c, "UPDATE help_requests SET level = $2, due_at = $3, "
                                      "escalations = escalations + 1, updated_at = $4 WHERE id = $1");
    if (!st) return -1;
    store_bind_int(st, 1, d->id);
    store_bind_text(st, 2, next);
    if (due) store_bind_int(st, 3, due); else store_bind_null(st, 3);
    store_bind_int(st, 4, now);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return -1;
    if (help_event(c, d->community, d->id, 0, "escalated", NULL, next, NULL) < 0) return -1;
    json_t *params = json_pack("{s:s}", "summary", d->summary);
    int64_t told = help_notify_level(c, d->community, next, d->block, d->zone, "help_escalated", params, d->id);
    json_decref(params);
    if (told < 0) return -1;
    /* The chat groups that take escalations hear of each step once (its own key). */
    char key[64], text[600], link[48];
    snprintf(key, sizeof key, "help:%lld:esc%s", (long long)d->id, next);
    snprintf(text, sizeof text, "%s → %s · %s", i18n_text(LANG_ZH, help_level_key(d->level)),
             i18n_text(LANG_ZH, help_level_key(next)), d->summary);
    snprintf(link, sizeof link, "/help/%lld", (long long)d->id);
    if (outbox_event(c, d->community, "help.escalated", key, i18n_text(LANG_ZH, "help.outbox.escalated"), text,
                     link) < 0)
        return -1;
    char detail[96];
    snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"}", d->level, next);
    return audit_write_raw(c, d->community, 0, "help.escalate", "help_request", d->id, NULL, detail);
}

static int help_escalate_job(store_conn *c, void *ctx)
{
    (void)ctx;
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(c, "UPDATE help_requests SET due_at = NULL WHERE id IN (SELECT id FROM "
                                      "help_requests WHERE due_at <= $1 ORDER BY due_at LIMIT $2) AND due_at <= $1 AND "
                                      "state = 'new' "
                                      "RETURNING id, community_id, block_id, zone_id, level, urgency, summary");
    if (!st) return -1;
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, HELP_TIMER_BATCH);
    due_row *rows = calloc(HELP_TIMER_BATCH, sizeof *rows);
    int n = 0, rc;
    while (rows && n < HELP_TIMER_BATCH && (rc = store_step(st)) == STORE_ROW) {
        due_row *d = &rows[n++];
        d->id = store_col_int(st, 0), d->community = store_col_int(st, 1), d->block = store_col_int(st, 2);
        d->zone = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
        snprintf(d->level, sizeof d->level, "%s", store_col_text(st, 4));
        snprintf(d->urgency, sizeof d->urgency, "%s", store_col_text(st, 5));
        d->summary = strdup(store_col_text(st, 6));
    }
    store_done(st);
    int result = rows ? 0 : -1;
    for (int i = 0; i < n && !result; i++) result = rows[i].summary ? help_escalate_one(c, &rows[i], now) : -1;
    /* A request no longer new (acknowledged meanwhile) keeps no timer. */
    if (!result && store_run(c, NULL, "UPDATE help_requests SET due_at = NULL WHERE due_at <= $1 AND state <> 'new'",
                             "i", now) != STORE_DONE)
        result = -1;
    for (int i = 0; i < n; i++) free(rows[i].summary);
    free(rows);
    return result;
}

static atomic_bool help_timer_queued;

static void help_timer_done(int rc, void *ctx)
{
    (void)ctx;
    if (rc != 0) log_error("help: escalation not written (retried at the next tick)");
    atomic_store(&help_timer_queued, false);
}

void help_tick(store *s)
{
    if (atomic_load(&help_timer_queued)) return;
    store_conn *c = store_acquire(s);
    int64_t due = store_query_int(c, 0, "SELECT COUNT(*) FROM help_requests WHERE due_at <= $1", "i", clock_now_us());
    store_release(s, c);
    if (!due) return;
    atomic_store(&help_timer_queued, true);
    if (store_write(s, help_escalate_job, NULL, help_timer_done, NULL) != 0) atomic_store(&help_timer_queued, false);
}
