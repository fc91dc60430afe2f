/* domains.c — the capabilities of this program, one line each. A new capability adds its
 * line to SHOUWANG_CAPABILITIES and nothing in any other file: its routes, messages,
 * tiles and hooks come from its own `capability` value. The line order is the order of
 * the dashboard's tiles; route order does not matter (the router prefers literals). */
#include "domains.h"

#define SHOUWANG_CAPABILITIES(X) \
    X(accounts)                  \
    X(dashboard)                 \
    X(registry)                  \
    X(volunteers)                \
    X(rotation)                  \
    X(notifications)             \
    X(help)                      \
    X(bulletins)                 \
    X(care)                      \
    X(channels)                  \
    X(testing)

#define DECLARE(name) extern const capability name##_capability;
SHOUWANG_CAPABILITIES(DECLARE)
#undef DECLARE

#define ENTRY(name) &name##_capability,
const capability *const shouwang_capabilities[] = {SHOUWANG_CAPABILITIES(ENTRY) NULL};
#undef ENTRY

enum { DOMAINS_MAX_TABLES = 128 };
static const http_route *route_tables[DOMAINS_MAX_TABLES + 1];

void domains_init(void)
{
    int n = 0;
    for (const capability *const *c = shouwang_capabilities; *c; c++) {
        for (const i18n_entry *const *m = (*c)->messages; m && *m; m++) i18n_register(*m);
        for (const http_route *const *r = (*c)->routes; r && *r && n < DOMAINS_MAX_TABLES; r++) route_tables[n++] = *r;
        http_value_keys_register((*c)->value_keys);
        if ((*c)->me_extra) http_me_extra_register((*c)->me_extra);
    }
    route_tables[n] = NULL;
}

const http_route *const *domains_routes(void)
{
    return route_tables;
}

int domains_open(store *s)
{
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        if ((*c)->on_open && (*c)->on_open(s) < 0) return -1;
    return 0;
}

void domains_hourly(store *s)
{
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        if ((*c)->hourly) (*c)->hourly(s);
}

void domains_tick(store *s)
{
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        if ((*c)->tick) (*c)->tick(s);
}

void domains_stop(void)
{
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        if ((*c)->stop) (*c)->stop();
}

void domains_tiles(http_req *req, json_t *tiles)
{
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        for (const dashboard_provider *t = (*c)->tiles; t && *t; t++) (*t)(req, tiles);
}
