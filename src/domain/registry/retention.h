/* retention.h — removing isolation, travel and health data once the community's
 * retention setting says so (retention.c). Used by the API, `shouwang purge` and the
 * server's daily sweep. */
#ifndef SW_RETENTION_H
#define SW_RETENTION_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "../../store/store.h"

/* What a purge removed (or would remove, in a dry run), per kind. */
typedef struct retention_counts {
    int64_t isolation_flags;   /* home_isolation entries deleted */
    int64_t health_history;    /* cleared health-flag entries deleted */
    int64_t health_details;    /* current health flags whose detail was emptied */
    int64_t travel;            /* travel entries deleted */
    int64_t sweep_answers;     /* sweep answers whose answers and note were emptied */
} retention_counts;

/* Purges one community inside the caller's transaction (a store write job). A dry run
 * runs the same statements in a savepoint and rolls them back, so its counts are what
 * a real purge would remove. Returns 0, or -1 on a store error. *report (may be NULL)
 * receives {dry_run, today, ended_cutoff, rolling_cutoff, counts:{...}, total}; the
 * caller decrefs it. Writes no audit entry. */
int retention_purge(store_conn *c, int64_t community_id, bool dry_run, json_t **report);

/* Purges one community and audits it as retention.purge (user 0, address `source`),
 * for the CLI and the daily sweep. only_if_due: skip (returns 1) when the community
 * was already purged today; write the audit entry only when something was removed. */
int retention_purge_audited(store_conn *c, int64_t community_id, bool dry_run, bool only_if_due,
                            const char *source, json_t **report);

/* One page of community ids after `after`, in id order (at most cap; only: that one
 * community, or 0 for all). Returns how many were written to ids. Callers loop until a
 * page comes back short, so no community count is too large. */
int retention_community_page(store *s, int64_t after, int64_t only, int64_t *ids, int cap);

/* Queues one write job per community that purges it once a day (the server's hourly
 * maintenance calls this). */
void retention_daily(store *s);
#endif
