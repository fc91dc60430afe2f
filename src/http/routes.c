/* routes.c — the HTTP layer's own part of the route list and catalogue: sessions and
 * tokens (auth.c), background jobs (jobs.c) and the messages of every layer-level error.
 * Capabilities never list these; the server puts them in front of the capabilities'. */
#include "auth_int.h"
#include "jobs_int.h"

enum { HTTP_MAX_TABLES = 160 };
static const http_route *const core_tables[] = {auth_routes, jobs_routes, NULL};
static const http_route *all_tables[HTTP_MAX_TABLES + 1];
static const http_route *const *built_from;

void http_init(void)
{
    i18n_register(http_messages);
}

const http_route *const *http_routes_all(const http_route *const *tables)
{
    /* Built at start, before any thread serves; asked again with the same list, the
     * same answer. */
    if (all_tables[0] && built_from == tables) return all_tables;
    built_from = tables;
    int n = 0;
    for (const http_route *const *t = core_tables; *t; t++) all_tables[n++] = *t;
    for (const http_route *const *t = tables; t && *t && n < HTTP_MAX_TABLES; t++) all_tables[n++] = *t;
    all_tables[n] = NULL;
    return all_tables;
}
