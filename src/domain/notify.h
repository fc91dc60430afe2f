/* notify.h — the notification centre's one write: any capability tells a person
 * something (a task that fits them, their shift tomorrow, a place they got from a
 * waitlist). Shared, like scope.h, so that capabilities notify without knowing each
 * other; the centre's routes live in src/domain/notifications/. */
#ifndef SW_NOTIFY_H
#define SW_NOTIFY_H
#include "../http/http.h"

/* Inside a write job: a notification of `kind` for user_id, shown as the catalogue's
 * notify.<kind> with {name} placeholders filled from params (an object; borrowed), and
 * leading to link (a web app path, or NULL). 0, or -1 on a store error. */
int notify_user(store_conn *c, int64_t community_id, int64_t user_id, const char *kind, json_t *params,
                const char *link);
/* The same for every user_id a query yields: sql selects one column of user ids with
 * $1 the community and $2 .. bound from fmt/args as store_run does (fmt describes $2 on).
 * Returns how many were told, or -1. */
int64_t notify_users_from(store_conn *c, int64_t community_id, const char *kind, json_t *params, const char *link,
                          const char *sql, const char *fmt, int64_t a, int64_t b);
/* The text of a stored notification in lang, in arena a. */
const char *notify_text(arena *a, lang_id lang, const char *kind, const char *params_json);
#endif
