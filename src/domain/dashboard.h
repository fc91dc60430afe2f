/* dashboard.h — one screen of figures, each tile supplied by the capability that owns
 * the data. A provider appends tiles visible to the actor (scope applies as for lists). */
#ifndef SW_DASHBOARD_H
#define SW_DASHBOARD_H
#include "../http/http.h"
typedef void (*dashboard_provider)(http_req *req, json_t *tiles);
/* {"key","label","value","unit"}: label from the i18n key, in the request's language. */
void dashboard_tile(http_req *req, json_t *tiles, const char *key, const char *label_key, int64_t value,
                    const char *unit_key);
/* The same with a label already in the reader's language (e.g. a sweep's title). */
void dashboard_tile_text(http_req *req, json_t *tiles, const char *key, const char *label, int64_t value,
                         const char *unit_key);
/* Makes the last tile appended a link to the web app's page of what it counts
 * ("独居老人 65" opens those 65): path is the app's path with its filters. */
void dashboard_tile_link(json_t *tiles, const char *path);
#endif
