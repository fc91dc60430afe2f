/* registry.h — the community registry: zones, blocks, households, residents, flags.
 * Shared by the registry's files (registry.c, import.c, sweeps.c, lists.c, invites.c).
 *
 * Scope rule, the same everywhere: every registry statement binds $1 = the actor's
 * community id and $2 = the actor's user id, and joins the household as `h` and its
 * block as `b`. Two conditions say whether the household is visible:
 *   REGISTRY_SCOPE       the leader scope: committee staff see the community, a zone
 *                        leader the blocks of their zones, a block leader their blocks.
 *                        Every leader route (writes, leader-only lists, history, sweeps)
 *                        uses it: a leader's own household as a resident gives no
 *                        leader rights over it.
 *   REGISTRY_READ_SCOPE  the leader scope or the resident's own household, for the few
 *                        read routes a resident may use (household, residents, flags,
 *                        travel). A resident account linked to a resident record
 *                        (resident_accounts) sees a household only while that person
 *                        lives there: the role row is re-pointed by every write that
 *                        moves the person (registry_access_follow), and the condition
 *                        checks it again so that no write path can leave access behind.
 * Volunteers see nothing here (tasks later give them name, room and phone of what they
 * are assigned). A record outside the scope is not found: handlers answer 404, never
 * 403, so that its existence does not leak. */
#ifndef SW_REGISTRY_H
#define SW_REGISTRY_H
#include "../../http/http.h"

#define REGISTRY_LEADER_CLAUSES \
    "ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id = h.block_id)"

#define REGISTRY_SCOPE \
    "h.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (" REGISTRY_LEADER_CLAUSES "))"

/* The resident clause looks up the account's link by user (a unique index), then the
 * linked record by id: two index probes, only for rows of the account's household. */
#define REGISTRY_READ_SCOPE \
    "h.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (" REGISTRY_LEADER_CLAUSES " " \
    "OR (ra.role = 'resident' AND ra.scope_kind = 'household' AND ra.scope_id = h.id " \
    "AND NOT EXISTS (SELECT 1 FROM resident_accounts ac WHERE ac.user_id = $2 AND NOT EXISTS (SELECT 1 " \
    "FROM residents ar WHERE ar.id = ac.resident_id AND ar.household_id = h.id AND ar.moved_out_at IS NULL)))))"

/* The same for a block `b` alone (block lists, counts): committee, zone leader of its
 * zone, block leader of it. */
#define REGISTRY_BLOCK_SCOPE \
    "b.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id = b.id)))"

/* Roles that may use registry routes at all (the SQL above narrows further). */
#define REGISTRY_ROLES (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER | ROLE_RESIDENT)
#define REGISTRY_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)

/* The year on the community's today; today ("YYYY-MM-DD") too when not NULL. */
int registry_current_year(http_req *req, char today[11]);

/* After resident `id` left household `from` (moved, moved out, merged into another
 * record), in the same write: the account linked to the person follows it — its
 * resident role over `from` goes to the person's household now, or is removed with the
 * link when the person moved out — and a household left without residents keeps no
 * resident role at all. Runs on req->conn inside the write job; false on a store error
 * (the caller fails the job). *changed counts the role rows changed (may be NULL). */
bool registry_access_follow(http_req *req, int64_t id, int64_t from, int64_t *changed);

/* The masking rule (docs/SECURITY.md, "Masked ID numbers"). Committee staff on screen
 * see residents' birth dates, ages by the date and the stored mask of an ID number
 * (registry_full_view true). Every other role, and every export (the committee's too),
 * sees the birth year, the age by the year alone (birth year subtracted from this year,
 * so that an age turning on a birthday does not give the date away) and the narrow mask
 * of registry_view_mask: no combination of these narrows a citizen ID number below
 * 10,000 candidates. Age filters and counts follow the same basis. */
bool registry_full_view(http_req *req);
/* The mask shown when !registry_full_view, from the stored mask and the kind: a citizen
 * ID keeps digits 1-4 and the check character (3101*************X); another document
 * keeps its first and last character behind six stars when it has 8 or more, else six
 * stars only. In the request's arena; NULL for NULL. */
const char *registry_view_mask(http_req *req, const char *kind, const char *stored);

/* Binds $1 and $2 of a registry statement from the request's actor. */
static inline void registry_bind_scope(http_req *req, store_stmt *st)
{
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, req->actor.user_id);
}
#endif
