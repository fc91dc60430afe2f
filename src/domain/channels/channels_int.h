/* channels_int.h — shared inside the channels capability (chat-group channels and the
 * delivery of the outbox, src/domain/outbox.h): the committee's routes (channels.c),
 * the sending (deliver.c) and the message formats a channel kind expects. */
#ifndef SW_CHANNELS_INT_H
#define SW_CHANNELS_INT_H
#include "../../http/http.h"
#include "../outbox.h"
#include <stdbool.h>

#define CHANNEL_STAFF ROLE_COMMITTEE
#define CHANNEL_URL_MAX 1000
/* The event of the "send a test message" action: sent to a channel whatever it takes. */
#define CHANNEL_TEST_EVENT "channel.test"

/* NULL when url is an http or https URL with a host (and no user:password, spaces or
 * control characters), at most CHANNEL_URL_MAX bytes; else the reason's i18n key. */
const char *channel_url_check(const char *url);
/* "https://qyapi.weixin.qq.com/…a1b2": scheme and host, then the last four characters;
 * in arena a. */
const char *channel_url_mask(arena *a, const char *url);

/* What one delivery sends: the request body for the channel's kind and format. link
 * may be NULL or a path (made absolute with base, "" for none). malloc'd. */
char *channel_payload(const char *kind, const char *format, const char *event, const char *event_key,
                      int64_t community_id, const char *title, const char *text, const char *link,
                      const char *base, int64_t at_us);

/* The capability's hooks (deliver.c). */
void channel_tick(store *s);
void channel_stop(void);

extern const http_route channel_routes[];
extern const i18n_entry channel_messages[];
#endif
