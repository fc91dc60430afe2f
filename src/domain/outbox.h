/* outbox.h — the durable outbox to the committee's chat groups (WeCom group robots,
 * generic JSON webhooks: src/domain/channels/). Shared, like notify.h: any capability
 * queues an event inside its own write job, so the event is queued exactly when what
 * happened commits, and never sent from inside a transaction. The channels capability
 * sends queued rows later, from its tick, with retries; see docs/api.md, "Channels".
 *
 * Events a channel may take: OUTBOX_EVENTS. Help requests are meant to call, inside the
 * write job that makes a request urgent or escalates it:
 *
 *     outbox_event(c, community_id, "help.urgent", "help:<id>:urgent", summary, text,
 *                  "/help/<id>");
 *     outbox_event(c, community_id, "help.escalated", "help:<id>:esc<n>", ...);
 *
 * (event_key: one per occurrence — an escalation count or a level makes each step its own
 * event; the same key again queues nothing.) */
#ifndef SW_OUTBOX_H
#define SW_OUTBOX_H
#include "../core/config.h"
#include "../store/store.h"
#include <stdint.h>

/* The events a channel may subscribe to, NULL-terminated. */
extern const char *const outbox_events[];

/* Inside a write job: queues one delivery of the event for every enabled channel of
 * the community that takes `event`. event_key names this occurrence (bulletin:12:v2)
 * and is sent as X-Shouwang-Event-Id: for each channel an event_key is queued at most
 * once (a second call with the same key adds nothing). title and text are plain text
 * (cut to fit the channel), link a web app path ("/bulletins/12", made absolute with
 * public_url) or an absolute URL, or NULL. Returns how many deliveries were queued,
 * or -1 on a store error (the job should then fail). */
int outbox_event(store_conn *c, int64_t community_id, const char *event, const char *event_key, const char *title,
                 const char *text, const char *link);

/* The server's settings for sending (public_url, backoff, attempts, lease); once,
 * before the first tick. Without it the defaults of config_defaults hold. */
void outbox_configure(const config *cfg);
const config *outbox_config(void);
#endif
