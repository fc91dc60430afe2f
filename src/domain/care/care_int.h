/* care_int.h — shared inside the point-to-point care capability (点对点关爱): the words it
 * stores, the SQL pieces of "cared for", "due" and "lapsed", and what its files share.
 *
 * Who sees what: leaders the vulnerable residents of their scope (SCOPE_HOUSEHOLD) and
 * their care; a carer (any account named on an open assignment) only the residents
 * assigned to them now. Anyone else: empty lists, 404 for a record. A resident counts
 * as vulnerable while one of CARE_FLAGS is set and they live in the community; an open
 * assignment of someone who no longer is stops counting at once (the queries check it)
 * and is ended by the hourly upkeep. */
#ifndef SW_CARE_INT_H
#define SW_CARE_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include <stdbool.h>

#define CARE_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)
#define CARE_MEMBERS (CARE_LEADERS | ROLE_VOLUNTEER)

/* The registry's flags that call for a carer (no_smartphone alone and home isolation
 * have their own lists). */
#define CARE_FLAGS "'alone_elderly', 'disabled', 'pregnant', 'chronic_illness', 'bedridden'"
/* Resident r has a current care flag ($1 the community). */
#define CARE_VULNERABLE \
    "EXISTS (SELECT 1 FROM resident_flags f WHERE f.community_id = $1 AND f.resident_id = r.id " \
    "AND f.cleared_at IS NULL AND f.flag IN (" CARE_FLAGS "))"
/* Assignment a of resident r still holds. */
#define CARE_ACTIVE "a.ended_at IS NULL AND r.moved_out_at IS NULL AND " CARE_VULNERABLE

/* A contact is a check-in that reached the person: a call nobody answered is recorded
 * but leaves them due. The rhythm's window picks the first day that counts: $3 today
 * (daily rhythms), $4 two days ago (twice a week: none in the last 3 days), $5 six
 * days ago (weekly: none in the last 7 days). */
#define CARE_CONTACT_SINCE(from) \
    "EXISTS (SELECT 1 FROM care_checkins k WHERE k.community_id = $1 AND k.resident_id = r.id " \
    "AND k.outcome <> 'not_reached' AND k.on_day >= " from ")"
#define CARE_WINDOW(d, t, w) \
    "CASE a.rhythm WHEN 'twice_weekly_visit' THEN CAST(" t " AS TEXT) WHEN 'weekly_call' THEN CAST(" w \
    " AS TEXT) ELSE CAST(" d " AS TEXT) END"
#define CARE_DUE "(a.start_date <= $3 AND NOT " CARE_CONTACT_SINCE(CARE_WINDOW("$3", "$4", "$5")) ")"
#define CARE_LAST_CONTACT \
    "(SELECT MAX(k.on_day) FROM care_checkins k WHERE k.community_id = $1 AND k.resident_id = r.id " \
    "AND k.outcome <> 'not_reached')"

/* The days a statement with CARE_DUE binds, in the community's calendar. */
typedef struct care_days {
    char today[11], twice[11], weekly[11];
} care_days;
/* The community's today (and the due windows) at instant now. */
void care_days_at(const char *tz, int64_t now, care_days *d);
/* Binds $1, $2 (scope_bind) and $3..$5 from the actor's community's today. */
void care_bind_days(http_req *req, store_stmt *st);
const char *care_tz(http_req *req);
/* A stored time as the community's wall time, or JSON null. */
json_t *care_time(http_req *req, store_stmt *st, int col);

extern const char *const care_rhythms[];
extern const char *const care_outcomes[];
bool care_word_in(const char *word, const char *const *list);

extern const http_route care_routes[];
extern const http_route care_write_routes[];
extern const i18n_entry care_messages[];
extern const i18n_entry care_write_messages[];
void care_hourly(store *s);
void care_tiles(http_req *req, json_t *tiles);
#endif
