/* registry.h — the community registry: zones, blocks, households, residents, flags.
 * Shared by the registry's files (registry.c, import.c, sweeps.c, lists.c, invites.c).
 *
 * Scope rule, the same everywhere: every registry statement binds $1 = the actor's
 * community id and $2 = the actor's user id, and joins the household as `h` and its
 * block as `b`. REGISTRY_SCOPE is then the condition that the household is visible:
 * committee staff see the community, a zone leader the blocks of their zones, a block
 * leader their blocks, a resident their own household. Volunteers see nothing here
 * (tasks later give them name, room and phone of what they are assigned).
 * A record outside the scope is not found: handlers answer 404, never 403, so that
 * its existence does not leak. */
#ifndef SW_REGISTRY_H
#define SW_REGISTRY_H
#include "../../http/http.h"

#define REGISTRY_SCOPE \
    "h.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id) " \
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id = h.block_id) " \
    "OR (ra.role = 'resident' AND ra.scope_kind = 'household' AND ra.scope_id = h.id)))"

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

/* Binds $1 and $2 of a registry statement from the request's actor. */
static inline void registry_bind_scope(http_req *req, store_stmt *st)
{
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, req->actor.user_id);
}
#endif
