/* roles.h — the roles, defined once: each one's name (as stored in role_assignments and
 * sent in JSON), its bit in a route row's `roles`, and the kind of scope an assignment of
 * it has. Everything else derives from HTTP_ROLES: the ROLE_* bits, auth_role_name and
 * auth_role_bit, the scope a new assignment gets, `shouwang routes --json` and
 * `shouwang roles --json` (which a test compares with the web app's web/src/roles.js).
 * Listed from the highest role to the lowest, the order the web app shows them in. */
#ifndef SW_ROLES_H
#define SW_ROLES_H

/*      bit name             bit  JSON name        scope kind */
#define HTTP_ROLES(X)                                            \
    X(ROLE_SUPERUSER,     0, "superuser",    "global")           \
    X(ROLE_COMMITTEE,     1, "committee",    "community")        \
    X(ROLE_ZONE_LEADER,   2, "zone_leader",  "zone")             \
    X(ROLE_BLOCK_LEADER,  3, "block_leader", "block")            \
    X(ROLE_VOLUNTEER,     4, "volunteer",    "community")        \
    X(ROLE_RESIDENT,      5, "resident",     "household")

#define HTTP_ROLE_BIT(id, bit, name, kind) id = 1u << (bit),
enum { HTTP_ROLES(HTTP_ROLE_BIT) };
#undef HTTP_ROLE_BIT
#define HTTP_ROLE_OR(id, bit, name, kind) | (id)
#define ROLES_ANY (0u HTTP_ROLES(HTTP_ROLE_OR))

/* One row of HTTP_ROLES as data (auth.c's http_roles[], ended by a row with name NULL). */
typedef struct http_role {
    unsigned bit;
    const char *name;
    const char *scope_kind;   /* "global", "community", "zone", "block" or "household" */
} http_role;
extern const http_role http_roles[];
#endif
