/* dashboard.c — the shape of one dashboard tile, for every capability that supplies
 * tiles. It knows no capability and no list of them (the dashboard's own route is in
 * dashboard/capability.c), so a capability using it creates no cycle. */
#include "dashboard.h"

void dashboard_tile_text(http_req *req, json_t *tiles, const char *key, const char *label, int64_t value,
                         const char *unit_key)
{
    json_array_append_new(tiles,
                          json_pack("{s:s, s:s, s:I, s:s}", "key", key, "label", label, "value", (json_int_t)value,
                                    "unit", unit_key ? i18n_text(req->lang, unit_key) : ""));
}

void dashboard_tile(http_req *req, json_t *tiles, const char *key, const char *label_key, int64_t value,
                    const char *unit_key)
{
    dashboard_tile_text(req, tiles, key, i18n_text(req->lang, label_key), value, unit_key);
}

void dashboard_tile_link(json_t *tiles, const char *path)
{
    json_t *last = json_array_get(tiles, json_array_size(tiles) - 1);
    if (last) json_object_set_new(last, "link", json_string(path));
}
