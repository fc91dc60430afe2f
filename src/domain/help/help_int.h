/* help_int.h — shared inside the help-requests capability (求助): the words it stores,
 * the scope of a request and the helpers its files use.
 *
 * Who sees a request `r` (its household `h`, block `b`): committee staff every request
 * of the community, a zone leader those of their zone, a block leader those of their
 * blocks (SCOPE_HOUSEHOLD); a resident those of their own household (the family sees
 * grandmother's medicine run); a volunteer the requests assigned to them. Anything else
 * is 404. Leaders act on what they see; the assigned volunteer may start and finish;
 * the household may cancel and write messages. */
#ifndef SW_HELP_INT_H
#define SW_HELP_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include <stdbool.h>

#define HELP_MEMBERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER | ROLE_VOLUNTEER | ROLE_RESIDENT)
#define HELP_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)

/* Acknowledgement limits when the committee has set none: urgent 10 minutes, normal
 * 4 hours, as the example. */
#define HELP_URGENT_ACK_S 600
#define HELP_NORMAL_ACK_S (4 * 3600)

/* The joins and the visibility condition of a request r: $1 community, $2 user. */
#define HELP_FROM \
    "FROM help_requests r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = r.block_id " \
    "LEFT JOIN volunteers av ON av.id = r.assigned_volunteer_id "
#define HELP_VISIBLE "r.community_id = $1 AND ((" SCOPE_HOUSEHOLD_READ ") OR av.user_id = $2)"
/* 1 when the actor leads the request's household (may acknowledge, assign, decline). */
#define HELP_IS_LEADER \
    "CASE WHEN EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 AND ra.community_id = $1 " \
    "AND (" SCOPE_LEADER_CLAUSES ")) THEN 1 ELSE 0 END"

extern const char *const help_kinds[];
extern const char *const help_states[];
bool help_word_in(const char *word, const char *const *list);
/* Whether a request in this state still waits for someone (new, acknowledged, in progress). */
bool help_state_open(const char *state);

/* The acknowledgement limit of the community for an urgency, in seconds. */
int64_t help_ack_limit_s(store_conn *c, int64_t community_id, const char *urgency);
/* The first level from `from` (0 block, 1 zone, 2 committee) that has someone with an
 * account to answer: a block without a block leader's login goes to its zone leader,
 * a block without a zone to the committee. */
const char *help_route_level(store_conn *c, int64_t community_id, int64_t block_id, int64_t zone_id, int from);
/* Tells everyone of `level` for the request's block or zone (the committee: all its
 * staff) through the notification centre. Returns how many, or -1. */
int64_t help_notify_level(store_conn *c, int64_t community_id, const char *level, int64_t block_id, int64_t zone_id,
                          const char *kind, json_t *params, int64_t request_id);
/* One step on the request's timeline (user_id 0: the server's timer). 0 or -1. */
int help_event(store_conn *c, int64_t community_id, int64_t request_id, int64_t user_id, const char *kind,
               const char *state, const char *level, const char *text);
/* A new request as POST /help-requests writes it, for a household already checked to
 * be the actor's to ask for: channel "app", "on_behalf" or "phone"; details a JSON
 * object text or NULL. */
typedef struct help_new {
    int64_t household, block, zone, resident;
    const char *kind, *urgency, *summary, *details, *phone, *channel;
} help_new;
/* Inside a write job: inserts it routed to the first level with someone to answer, with
 * its deadline, the timeline's first step, the level's people told and (urgent) the chat
 * groups' event. The new id, or 0 after a store error. */
int64_t help_request_insert(http_req *req, const help_new *n);
/* Replies with the request and its timeline as the actor may see it (404 when not). */
int help_reply(http_req *req, int status, int64_t id);

extern const http_route help_routes[];
extern const http_route help_flow_routes[];
extern const i18n_entry help_messages[];
extern const i18n_entry help_flow_messages[];
extern const http_route help_pass_routes[];
extern const i18n_entry help_pass_messages[];
extern const http_route help_medicine_routes[];
extern const i18n_entry help_medicine_messages[];
extern const http_route help_file_routes[];
extern const i18n_entry help_file_messages[];
void help_tick(store *s);
void help_tiles(http_req *req, json_t *tiles);
#endif
