/* registry.h — the community registry: zones, blocks, households, residents, flags.
 * Shared by the registry's files (registry.c, import.c, sweeps.c, lists.c, invites.c).
 *
 * Scope: src/domain/scope.h (SCOPE_HOUSEHOLD, SCOPE_HOUSEHOLD_READ, SCOPE_BLOCK,
 * SCOPE_ZONE). Volunteers see nothing here (tasks later give them name, room and phone
 * of what they are assigned). */
#ifndef SW_REGISTRY_H
#define SW_REGISTRY_H
#include "../scope.h"

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

#endif
