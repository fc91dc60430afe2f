/* scope.h — who sees which household, block and zone: the SQL every capability uses.
 *
 * Scope rule, the same everywhere: a statement binds $1 = the actor's community id and
 * $2 = the actor's user id (scope_bind), and joins the household as `h` and its block
 * as `b` (a zone as `z`). The conditions say whether the row is visible:
 *   SCOPE_HOUSEHOLD       the leader scope: committee staff see the community, a zone
 *                         leader the blocks of their zones, a block leader their blocks.
 *                         Every leader route (writes, leader-only lists, history, sweeps)
 *                         uses it: a leader's own household as a resident gives no
 *                         leader rights over it.
 *   SCOPE_HOUSEHOLD_READ  the leader scope or the resident's own household, for the
 *                         read routes a resident may use (household, residents, flags,
 *                         travel). A resident account linked to a resident record
 *                         (resident_accounts) sees a household only while that person
 *                         lives there: the role row is re-pointed by every write that
 *                         moves the person (registry_access_follow), and the condition
 *                         checks it again so that no write path can leave access behind.
 *   SCOPE_BLOCK           a block `b` alone (block lists, counts).
 *   SCOPE_ZONE            a zone `z`: committee staff, its zone leaders, and block
 *                         leaders of one of its blocks.
 * A record outside the scope is not found: handlers answer 404, never 403, so that its
 * existence does not leak. These live outside any capability's folder so that each
 * capability (volunteers, help requests, testing rounds) scopes by the same words
 * without importing the registry. */
#ifndef SW_SCOPE_H
#define SW_SCOPE_H
#include "../http/http.h"
#include <assert.h>

#define SCOPE_LEADER_CLAUSES \
    "ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id = h.block_id)"

#define SCOPE_HOUSEHOLD \
    "h.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (" SCOPE_LEADER_CLAUSES "))"

/* The resident clause looks up the account's link by user (a unique index), then the
 * linked record by id: two index probes, only for rows of the account's household. */
#define SCOPE_HOUSEHOLD_READ \
    "h.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (" SCOPE_LEADER_CLAUSES " " \
    "OR (ra.role = 'resident' AND ra.scope_kind = 'household' AND ra.scope_id = h.id " \
    "AND NOT EXISTS (SELECT 1 FROM resident_accounts ac WHERE ac.user_id = $2 AND NOT EXISTS (SELECT 1 " \
    "FROM residents ar WHERE ar.id = ac.resident_id AND ar.household_id = h.id AND ar.moved_out_at IS NULL)))))"

#define SCOPE_BLOCK \
    "b.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id = b.id)))"

#define SCOPE_ZONE \
    "z.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = z.id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id IN " \
    "(SELECT zb.id FROM blocks zb WHERE zb.zone_id = z.id))))"

/* Binds $1 and $2 of a scoped statement from the request's actor. */
static inline void scope_bind(http_req *req, store_stmt *st)
{
    assert(req->actor.community_id > 0);   /* a statement is always of one community */
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, req->actor.user_id);
}

/* Whether the row with id $3 is in the actor's scope: sql is a SELECT COUNT(*) with
 * $1, $2 as above and $3 the id. False also on a store error. */
bool scope_has(http_req *req, const char *count_sql, int64_t id);
/* The block, household (leader scope) or zone is the actor's to see. */
bool scope_block_visible(http_req *req, int64_t block_id);
bool scope_household_visible(http_req *req, int64_t household_id);
bool scope_zone_visible(http_req *req, int64_t zone_id);
#endif
