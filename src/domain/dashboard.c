/* dashboard.c — GET /api/v1/dashboard gathers tiles from every provider listed in
 * domains.c. Capabilities add a provider function there and nothing here. */
#include "dashboard.h"
#include "registry/registry.h"
#include <string.h>

void dashboard_tile_text(http_req *req, json_t *tiles, const char *key, const char *label, int64_t value,
                         const char *unit_key)
{
    json_array_append_new(tiles, json_pack("{s:s, s:s, s:I, s:s}", "key", key, "label", label,
                                           "value", (json_int_t)value, "unit", unit_key ? i18n_text(req->lang, unit_key) : ""));
}

void dashboard_tile(http_req *req, json_t *tiles, const char *key, const char *label_key, int64_t value,
                    const char *unit_key)
{
    dashboard_tile_text(req, tiles, key, i18n_text(req->lang, label_key), value, unit_key);
}

/* Accounts of the community by role, for committee staff. */
void accounts_tiles(http_req *req, json_t *tiles)
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

/* Registry figures for leaders, in their scope: households, residents, residents per
 * vulnerability flag and in home isolation (current flags, residents not moved out). */
void registry_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, REGISTRY_LEADERS)) return;
    int64_t c = req->actor.community_id, u = req->actor.user_id;
    dashboard_tile(req, tiles, "households", "tile.households",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id "
                                                 "WHERE " REGISTRY_BLOCK_SCOPE, "ii", c, u), "unit.households");
    dashboard_tile(req, tiles, "residents", "tile.residents",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                                                 "JOIN blocks b ON b.id = h.block_id WHERE " REGISTRY_BLOCK_SCOPE
                                                 " AND r.moved_out_at IS NULL", "ii", c, u), "unit.people");
    static const char *const flags[] = {"alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden",
                                        "no_smartphone", "home_isolation"};
    int64_t counts[7] = {0};
    store_stmt *st = store_prepare(req->conn,
        "SELECT f.flag, COUNT(DISTINCT f.resident_id) FROM resident_flags f JOIN residents r ON r.id = f.resident_id "
        "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE f.community_id = $1 "
        "AND f.cleared_at IS NULL AND r.moved_out_at IS NULL AND " REGISTRY_BLOCK_SCOPE " GROUP BY f.flag");
    if (st) {
        registry_bind_scope(req, st);
        while (store_step(st) == STORE_ROW)
            for (int k = 0; k < 7; k++)
                if (!strcmp(store_col_text(st, 0), flags[k])) counts[k] = store_col_int(st, 1);
        store_done(st);
    }
    for (int k = 0; k < 7; k++) {
        const char *key = k == 6 ? "in_isolation" : flags[k];
        dashboard_tile(req, tiles, key, k == 6 ? "tile.in_isolation" : arena_printf(req->a, "reg.flag.%s", flags[k]),
                       counts[k], "unit.people");
    }
}

static int dashboard_get(http_req *req)
{
    json_t *tiles = json_array();
    for (int i = 0; shouwang_dashboard_providers[i]; i++) shouwang_dashboard_providers[i](req, tiles);
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
    {"tile.households", "住户", "Households"},
    {"tile.residents", "居民", "Residents"},
    {"tile.in_isolation", "居家隔离中", "In home isolation"},
    {"unit.households", "户", "households"},
    {"unit.percent", "%", "%"},
    {0, 0, 0},
};
