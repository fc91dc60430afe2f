/* capability.c — the community registry and its sweeps as one capability: the route
 * tables, catalogues and dashboard tiles of this folder's files, rebuilding the search
 * terms when a database is opened, and the daily retention purge. */
#include "registry_int.h"
#include "retention.h"
#include "search_terms.h"
#include "../capability.h"
#include <string.h>

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

static const i18n_entry registry_tile_messages[] = {
    {"tile.households", "住户", "Households"},
    {"tile.residents", "居民", "Residents"},
    {"tile.in_isolation", "居家隔离中", "In home isolation"},
    {0, 0, 0},
};

static const http_route *const registry_route_tables[] = {
    registry_routes, registry_import_routes, sweep_routes, codes_routes, retention_routes, merge_routes,
    structure_routes, NULL,
};
static const i18n_entry *const registry_catalogues[] = {
    registry_messages, registry_import_messages, sweep_messages, codes_messages, retention_messages,
    merge_messages, structure_messages, registry_tile_messages, NULL,
};
static const dashboard_provider registry_providers[] = {registry_tiles, sweep_tiles, structure_tiles, NULL};

const capability registry_capability = {
    .name = "registry",
    .routes = registry_route_tables,
    .messages = registry_catalogues,
    .tiles = registry_providers,
    .on_open = search_terms_backfill,
    .hourly = retention_daily,    /* each community once a day; it skips those purged today */
};
