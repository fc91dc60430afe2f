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
                                                 "WHERE " SCOPE_BLOCK, "ii", c, u), "unit.households");
    dashboard_tile_link(tiles, "/registry/blocks");
    dashboard_tile(req, tiles, "residents", "tile.residents",
                   store_query_int(req->conn, 0,
                                   "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                                   "JOIN blocks b ON b.id = h.block_id WHERE " SCOPE_BLOCK
                                   " AND r.moved_out_at IS NULL",
                                   "ii", c, u),
                   "unit.people");
    dashboard_tile_link(tiles, "/registry");
    static const char *const flags[] = {"alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden",
                                        "no_smartphone", "home_isolation"};
    int64_t counts[7] = {0};
    store_stmt *st = store_prepare(req->conn,
        "SELECT f.flag, COUNT(DISTINCT f.resident_id) FROM resident_flags f JOIN residents r ON r.id = f.resident_id "
        "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE f.community_id = $1 "
        "AND f.cleared_at IS NULL AND r.moved_out_at IS NULL AND " SCOPE_BLOCK " GROUP BY f.flag");
    if (st) {
        scope_bind(req, st);
        while (store_step(st) == STORE_ROW)
            for (int k = 0; k < 7; k++)
                if (!strcmp(store_col_text(st, 0), flags[k])) counts[k] = store_col_int(st, 1);
        store_done(st);
    }
    for (int k = 0; k < 7; k++) {
        const char *key = k == 6 ? "in_isolation" : flags[k];
        dashboard_tile(req, tiles, key, k == 6 ? "tile.in_isolation" : arena_printf(req->a, "reg.flag.%s", flags[k]),
                       counts[k], "unit.people");
        const char *link = k == 6 ? "/registry?isolation=current" : arena_printf(req->a, "/registry?flag=%s", flags[k]);
        dashboard_tile_link(tiles, link);
    }
}

static const i18n_entry registry_tile_messages[] = {
    {"tile.households", "住户", "Households"},
    {"tile.residents", "居民", "Residents"},
    {"tile.in_isolation", "居家隔离中", "In home isolation"},
    {0, 0, 0},
};

/* The registry's stored values as exports and prints show them (`enum.<value>`, see
 * export.c): the words of docs/glossary.md. */
static const i18n_entry registry_value_words[] = {
    {"enum.occupied", "自住", "Occupied"},
    {"enum.away", "外出", "Away"},
    {"enum.vacant", "空置", "Vacant"},
    {"enum.rented_out", "出租", "Rented out"},
    {"enum.building", "楼栋", "Building"},
    {"enum.courtyard", "院落", "Courtyard"},
    {"enum.f", "女", "Female"},
    {"enum.m", "男", "Male"},
    {"enum.cn_id", "身份证", "Chinese ID card"},
    {"enum.passport", "护照", "Passport"},
    {"enum.other", "其他证件", "Other ID"},
    {"enum.alone_elderly", "独居老人", "Elderly living alone"},
    {"enum.disabled", "残疾", "Disabled"},
    {"enum.pregnant", "孕妇", "Pregnant"},
    {"enum.chronic_illness", "慢性病", "Chronic illness"},
    {"enum.bedridden", "卧床", "Bedridden"},
    {"enum.no_smartphone", "无智能手机", "No smartphone"},
    {"enum.home_isolation", "居家隔离", "Home isolation"},
    {"enum.answered", "已答", "Answered"},
    {"enum.not_home", "不在家", "Not at home"},
    {"enum.refused", "拒绝", "Refused"},
    {"enum.pending", "未排摸", "Not yet reached"},
    {"enum.draft", "草稿", "Draft"},
    {"enum.open", "进行中", "Open"},
    {"enum.closed", "已结束", "Closed"},
    {0, 0, 0},
};

static const http_route *const registry_route_tables[] = {
    registry_routes, registry_import_routes, sweep_routes, codes_routes, retention_routes, merge_routes,
    structure_routes, logins_routes, NULL,
};
static const i18n_entry *const registry_catalogues[] = {
    registry_messages, registry_import_messages, sweep_messages, codes_messages, retention_messages,
    merge_messages, structure_messages, logins_messages, registry_tile_messages, registry_value_words, NULL,
};
static const char *const registry_value_keys[] = {
    "status", "kind", "gender", "id_kind", "flag", "outcome", "state", NULL,
};
static const dashboard_provider registry_providers[] = {registry_tiles, sweep_tiles, structure_tiles, NULL};

const capability registry_capability = {
    .name = "registry",
    .routes = registry_route_tables,
    .messages = registry_catalogues,
    .tiles = registry_providers,
    .value_keys = registry_value_keys,
    .on_open = search_terms_backfill,
    .hourly = retention_daily,    /* each community once a day; it skips those purged today */
    .demo = registry_demo_steps,
};
