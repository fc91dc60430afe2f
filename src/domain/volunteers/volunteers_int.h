/* volunteers_int.h — shared inside the volunteers capability: the words it stores, the
 * actor's own volunteer record, and the route tables and catalogues of its files.
 *
 * Who sees what: committee staff every volunteer, post, shift and task of the
 * community; a zone leader the volunteers who live in or chose their zone; a block
 * leader those who live in their blocks or whom they signed up; a volunteer their own
 * record, the shifts and tasks open to them and their own hours. Anything outside is
 * 404. A resident account may apply (and see its application). */
#ifndef SW_VOLUNTEERS_INT_H
#define SW_VOLUNTEERS_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include <stdbool.h>

/* A volunteer `v` the actor may see: $1 community, $2 user, $3 1 for committee staff. */
#define VOL_SCOPE \
    "v.community_id = $1 AND ($3 = 1 OR v.user_id = $2 OR v.signed_up_by = $2 " \
    "OR EXISTS (SELECT 1 FROM residents r JOIN households h ON h.id = r.household_id " \
    "JOIN blocks b ON b.id = h.block_id WHERE r.id = v.resident_id AND " SCOPE_HOUSEHOLD ") " \
    "OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 AND ra.community_id = $1 " \
    "AND ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = v.zone_id))"

#define VOL_DEFAULT_POINTS_PER_HOUR 10

/* The roles of a community's volunteer work (an instance superuser has no community). */
#define VOL_STAFF ROLE_COMMITTEE
#define VOL_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)

/* Binds $1, $2 and $3 of a VOL_SCOPE statement. */
void vol_scope_bind(http_req *req, store_stmt *st);
bool vol_is_staff(http_req *req);
/* The actor's own volunteer record: its id, or 0 (none), -1 on a store error; *state
 * gets its state in the request arena when not NULL. */
int64_t vol_own(http_req *req, const char **state);
/* Tells the volunteer's account (when they have one) through the notification centre;
 * 0 also when they have none, -1 on a store error. */
int vol_notify(http_req *req, int64_t volunteer_id, const char *kind, json_t *params, const char *link);
/* Replies 200 with the bytes of b (a printable sheet, a calendar) as `type`; frees b. */
struct buf;
int vol_reply_raw(http_req *req, struct buf *b, const char *type);
/* Whether a volunteer in `state` may take shifts and tasks. */
bool vol_state_serves(const char *state);
/* True when word is one of the NULL-terminated list. */
bool vol_word_in(const char *word, const char *const *list);
extern const char *const vol_skills[];
extern const char *const vol_qualifications[];
extern const char *const vol_service_kinds[];
/* The community's day "YYYY-MM-DD" of instant us, in the request arena. */
const char *vol_local_day(http_req *req, int64_t us);
/* Local wall time "YYYY-MM-DD HH:MM" of instant us, in the request arena. */
const char *vol_local_time(http_req *req, int64_t us);
/* The instant of a local day (days since 1970-01-01) at minute-of-day m. */
int64_t vol_local_instant(http_req *req, int64_t day, int minutes);
/* "2026-12-04T08:00:00Z" for JSON. */
json_t *vol_time_json(int64_t us);

/* Credits verified hours (and their points, in the ledger) for one volunteer: a
 * completed shift or task, a confirmed manual entry or a group credit. Inside a write
 * job. Returns the hours row id (0 when the source was credited before), or -1. */
int64_t timebank_credit(http_req *req, int64_t volunteer_id, const char *service_kind, int64_t minutes,
                        const char *worked_on, const char *source, int64_t source_id, const char *state);
/* Posts the points of a verified hours row to the ledger. 0, or -1. */
int timebank_post_hours(http_req *req, int64_t hours_id);
/* The volunteer's verified minutes and point balance. */
void timebank_totals(http_req *req, int64_t volunteer_id, int64_t *minutes, int64_t *points);

/* A freed place of shift shift_id that no one waited for becomes an open task to grab
 * (one more slot on the shift's open task when there is one). 0, or -1. */
int tasks_open_for_shift(http_req *req, int64_t shift_id);
/* Puts volunteer vid on shift shift_id for a claimed open task: the sign-up rules, then
 * a free place. NULL when placed, else an i18n key of the rule broken (or of a full
 * shift); *failed set on a store error. */
const char *shifts_take_for_task(http_req *req, int64_t shift_id, int64_t vid, bool *failed);

/* Frees what a leaving volunteer held: future shifts given back (the waitlist fills
 * them), waiting places and open claims dropped. Inside the leave write. 0 or -1. */
int shifts_release_volunteer(http_req *req, int64_t volunteer_id);
int tasks_release_volunteer(http_req *req, int64_t volunteer_id);

/* Whether the volunteer is a member of the team; whether the actor leads it (teams.c). */
bool team_member_of(http_req *req, int64_t team_id, int64_t volunteer_id);
bool team_led_by_actor(http_req *req, int64_t team_id);

extern const http_route volunteer_routes[], shift_routes[], task_routes[], timebank_routes[], roster_routes[],
    team_routes[], ical_routes[], swap_routes[];
extern const i18n_entry volunteer_messages[], shift_messages[], task_messages[], timebank_messages[],
    roster_messages[], team_messages[], ical_messages[], swap_messages[];
void volunteer_tiles(http_req *req, json_t *tiles);
#endif
