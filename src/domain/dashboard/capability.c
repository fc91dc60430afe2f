/* capability.c — the dashboard: GET /api/v1/dashboard gathers the tiles of every capability
 * (their `tiles` providers, in registration order). It knows no capability: each owner
 * computes its own figures in its own scope, with the tile helpers of dashboard.h. */
#include "../dashboard.h"
#include "../domains.h"

static int dashboard_get(http_req *req)
{
    json_t *tiles = json_array();
    domains_tiles(req, tiles);
    return http_reply(req, 200, json_pack("{s:o}", "tiles", tiles));
}

static const http_route dashboard_routes[] = {
    {"GET", "/api/v1/dashboard", NULL, dashboard_get, ROLES_ANY, 0, 0, NULL},
    {0},
};

static const i18n_entry dashboard_messages[] = {
    {"unit.people", "人", "people"},
    {"unit.households", "户", "households"},
    {"unit.percent", "%", "%"},
    {0, 0, 0},
};

static const http_route *const dashboard_route_tables[] = {dashboard_routes, NULL};
static const i18n_entry *const dashboard_catalogues[] = {dashboard_messages, NULL};
const capability dashboard_capability = {
    .name = "dashboard", .routes = dashboard_route_tables, .messages = dashboard_catalogues,
};
