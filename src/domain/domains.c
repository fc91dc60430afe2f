/* domains.c — every capability's route table and messages, in one list. The HTTP
 * layer's own tables (session, health, jobs) come first. */
#include "domains.h"
#include "accounts.h"
#include "dashboard.h"
#include "../http/server_int.h"

extern const http_route registry_routes[], registry_import_routes[], sweep_routes[];
extern const http_route codes_routes[];
extern const i18n_entry codes_messages[];
extern const i18n_entry registry_messages[], registry_import_messages[], sweep_messages[];
extern const http_route retention_routes[], merge_routes[];
extern const i18n_entry retention_messages[], merge_messages[];
void sweep_tiles(http_req *req, json_t *tiles);
extern const http_route structure_routes[];
extern const i18n_entry structure_messages[];
void structure_tiles(http_req *req, json_t *tiles);

/* The dashboard's tiles, in the order they are shown. */
const dashboard_provider shouwang_dashboard_providers[] = {
    accounts_tiles,
    registry_tiles,
    sweep_tiles,
    structure_tiles,
    NULL,
};

const http_route *const shouwang_route_tables[] = {
    auth_routes,
    jobs_routes,
    accounts_routes,
    dashboard_routes,
    registry_import_routes,
    sweep_routes,
    retention_routes,
    merge_routes,         /* before registry_routes: /residents/duplicates is not /residents/{id} */
    registry_routes,
    codes_routes,
    structure_routes,
    NULL,
};

void domains_register_messages(void)
{
    i18n_register(http_messages);
    i18n_register(accounts_messages);
    i18n_register(dashboard_messages);
    i18n_register(registry_messages);
    i18n_register(registry_import_messages);
    i18n_register(sweep_messages);
    i18n_register(retention_messages);
    i18n_register(merge_messages);
    i18n_register(codes_messages);
    i18n_register(structure_messages);
}
