/* dashboard.c — GET /api/v1/dashboard gathers tiles from every provider listed below.
 * Capabilities add a provider function and a line in `providers`. */
#include "dashboard.h"
#include <string.h>

void dashboard_tile(http_req *req, json_t *tiles, const char *key, const char *label_key, int64_t value,
                    const char *unit_key)
{
    json_array_append_new(tiles, json_pack("{s:s, s:s, s:I, s:s}", "key", key, "label", i18n_text(req->lang, label_key),
                                           "value", (json_int_t)value, "unit", unit_key ? i18n_text(req->lang, unit_key) : ""));
}

/* Accounts of the community by role, for committee staff. */
static void accounts_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, ROLE_COMMITTEE)) return;
    int64_t c = req->actor.community_id;
    dashboard_tile(req, tiles, "accounts", "tile.accounts",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE community_id = $1", "i", c), "unit.people");
    dashboard_tile(req, tiles, "block_leaders", "tile.block_leaders",
                   store_query_int(req->conn, 0, "SELECT COUNT(DISTINCT user_id) FROM role_assignments "
                                                 "WHERE community_id = $1 AND role = 'block_leader'", "i", c), "unit.people");
    dashboard_tile(req, tiles, "volunteers", "tile.volunteers",
                   store_query_int(req->conn, 0, "SELECT COUNT(DISTINCT user_id) FROM role_assignments "
                                                 "WHERE community_id = $1 AND role = 'volunteer'", "i", c), "unit.people");
}

static const dashboard_provider providers[] = {accounts_tiles, NULL};

static int dashboard_get(http_req *req)
{
    json_t *tiles = json_array();
    for (int i = 0; providers[i]; i++) providers[i](req, tiles);
    return http_reply(req, 200, json_pack("{s:o}", "tiles", tiles));
}

const http_route dashboard_routes[] = {
    {"GET", "/api/v1/dashboard", NULL, dashboard_get, ROLES_ANY, 0, 0, NULL},
    {0},
};

const i18n_entry dashboard_messages[] = {
    {"tile.accounts", "账号", "Accounts"},
    {"tile.block_leaders", "楼组长", "Block leaders"},
    {"tile.volunteers", "志愿者", "Volunteers"},
    {"unit.people", "人", "people"},
    {0, 0, 0},
};
