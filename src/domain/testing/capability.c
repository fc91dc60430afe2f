/* capability.c — testing rounds as one capability: routes, catalogues, the dashboard's
 * coverage tiles and the demo's rounds. */
#include "testing_int.h"
#include "../capability.h"

static const http_route *const testing_route_tables[] = {testing_round_routes, testing_station_routes,
                                                         testing_coverage_routes, testing_result_routes, NULL};
static const i18n_entry *const testing_catalogues[] = {testing_round_messages, testing_station_messages,
                                                       testing_coverage_messages, testing_result_messages, NULL};
static const dashboard_provider testing_providers[] = {testing_tiles, NULL};

const capability testing_capability = {
    .name = "testing",
    .routes = testing_route_tables,
    .messages = testing_catalogues,
    .tiles = testing_providers,
    .demo = testing_demo_steps,
};
