/* outbox.c — queuing events for the chat-group channels (see outbox.h). The rows are
 * sent by src/domain/channels/deliver.c. */
#include "outbox.h"
#include "../core/clock.h"
#include <pthread.h>
#include <string.h>

const char *const outbox_events[] = {"bulletin.published", "help.urgent", "help.escalated", NULL};

static config outbox_cfg;
static pthread_once_t outbox_cfg_once = PTHREAD_ONCE_INIT;
static void outbox_cfg_defaults(void) { config_defaults(&outbox_cfg); }

void outbox_configure(const config *cfg)
{
    pthread_once(&outbox_cfg_once, outbox_cfg_defaults);
    outbox_cfg = *cfg;
}

const config *outbox_config(void)
{
    pthread_once(&outbox_cfg_once, outbox_cfg_defaults);
    return &outbox_cfg;
}

int outbox_event(store_conn *c, int64_t community_id, const char *event, const char *event_key, const char *title,
                 const char *text, const char *link)
{
    if (!event || !event_key || !title) return -1;
    /* `events` is a comma-separated list of known words (no % or _ in them). */
    store_stmt *st = store_prepare(c, "INSERT INTO outbox_deliveries (community_id, channel_id, event, event_key, "
                                      "title, body, link, state, attempts, next_at, created_at, updated_at) SELECT "
                                      "community_id, id, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), "
                                      "CAST($5 AS TEXT), CAST($6 AS TEXT), 'pending', 0, CAST($7 AS BIGINT), "
                                      "CAST($7 AS BIGINT), CAST($7 AS BIGINT) FROM channels "
                                      "WHERE community_id = $1 AND enabled = 1 AND (',' || events || ',') LIKE "
                                      "('%,' || CAST($2 AS TEXT) || ',%') "
                                      "ON CONFLICT (community_id, channel_id, event_key) DO NOTHING");
    if (!st) return -1;
    store_bind_int(st, 1, community_id);
    store_bind_text(st, 2, event);
    store_bind_text(st, 3, event_key);
    store_bind_text(st, 4, title);
    store_bind_text(st, 5, text ? text : "");
    store_bind_text(st, 6, link);
    store_bind_int(st, 7, clock_now_us());
    int rc = store_step(st);
    int64_t n = rc == STORE_DONE ? store_changes(st) : -1;
    store_done(st);
    return (int)n;
}
