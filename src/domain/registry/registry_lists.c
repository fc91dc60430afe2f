/* registry_lists.c — the lists leaders print and hand out (a block's households, its
 * care list, its call list for people without a smartphone) and the registry counts
 * per block or zone. All exportable through http_reply_list; scope as in registry.h. */
#include "registry_int.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* registry.c, registry_people.c */

static const char *const count_flags[] = {
    "alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden", "no_smartphone", NULL,
};

/* The block of the path, visible to the actor; false with 404 set otherwise. */
static bool path_block(http_req *req, int64_t *block_id)
{
    if (!http_param_id(req, "id", block_id)) return false;
    if (!scope_block_visible(req, *block_id)) return http_fail_not_found(req), false;
    return true;
}

/* "照护名单 · 1号楼1单元": a list of one block or zone says which, on screen and on
 * paper (the sheet a leader carries door to door). A block is named with its zone. */
const char *registry_list_title(http_req *req, const char *key, int64_t block_id, int64_t zone_id)
{
    const char *title = i18n_text(req->lang, key);
    store_stmt *st;
    if (block_id > 0) {
        if (store_run(req->conn, &st, "SELECT z.name, b.name FROM blocks b LEFT JOIN zones z ON z.id = b.zone_id "
                                      "WHERE b.community_id = $1 AND b.id = $2", "ii", req->actor.community_id,
                      block_id) != STORE_ROW)
            return title;
        const char *zone = store_col_text(st, 0), *block = store_col_text(st, 1);
        title = zone && *zone ? arena_printf(req->a, "%s · %s %s", title, zone, block)
                              : arena_printf(req->a, "%s · %s", title, block);
        store_done(st);
    } else if (zone_id > 0) {
        if (store_run(req->conn, &st, "SELECT name FROM zones WHERE community_id = $1 AND id = $2", "ii",
                      req->actor.community_id, zone_id) != STORE_ROW)
            return title;
        title = arena_printf(req->a, "%s · %s", title, store_col_text(st, 0));
        store_done(st);
    }
    return title;
}

static int64_t item_id(json_t *items, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(items, i), "id"));
}

/* ---------------------------------------------------------------- block households */

static const list_column block_household_columns[] = {
    {"room", "reg.col.room"}, {"status", "reg.col.status"}, {"phone", "reg.col.phone"},
    {"residents", "reg.col.residents"}, {"people", "reg.col.people"}, {"notes", "reg.col.notes"}, {0, 0},
};

static json_t *block_household_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:[]}", "id", (json_int_t)store_col_int(st, 0),
                     "room", store_col_text(st, 1), "status", store_col_text(st, 2), "phone", store_col_text(st, 3),
                     "notes", store_col_text(st, 4), "residents", 0, "people", "", "members");
}

int registry_block_households(http_req *req)
{
    int64_t block_id, limit = http_list_limit(req);
    if (!path_block(req, &block_id)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT h.id, h.room, h.status, h.phone, h.notes FROM households h JOIN blocks b ON b.id = h.block_id "
        "WHERE " SCOPE_HOUSEHOLD " AND h.block_id = $3 AND h.id > $4 ORDER BY h.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, block_id);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, block_household_row, NULL, &next_after);
    size_t count = json_array_size(items), i = 0;
    if (count) {
        /* The people of the listed households, in one query over the id range. */
        st = store_prepare(req->conn,
                           "SELECT r.household_id, r.id, r.name, r.phone FROM residents r WHERE r.community_id = $1 "
                           "AND r.household_id >= $2 AND r.household_id <= $3 AND r.moved_out_at IS NULL ORDER BY "
                           "r.household_id, r.id");
        if (!st) return http_fail_internal(req, store_errmsg(req->conn));
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, item_id(items, 0));
        store_bind_int(st, 3, item_id(items, count - 1));
        while (store_step(st) == STORE_ROW) {
            int64_t hid = store_col_int(st, 0);
            while (i < count && item_id(items, i) < hid) i++;
            if (i == count) break;
            if (item_id(items, i) != hid) continue;
            json_t *item = json_array_get(items, i);
            const char *name = store_col_text(st, 2), *phone = store_col_text(st, 3);
            json_array_append_new(json_object_get(item, "members"), json_pack("{s:I, s:s, s:s}", "id",
                                  (json_int_t)store_col_int(st, 1), "name", name, "phone", phone));
            const char *people = json_string_value(json_object_get(item, "people"));
            json_object_set_new(item, "people",
                                json_string(arena_printf(req->a, "%s%s%s%s%s", people, *people ? "; " : "", name,
                                                         *phone ? " " : "", phone)));
            json_object_set_new(item, "residents",
                                json_integer(json_integer_value(json_object_get(item, "residents")) + 1));
        }
        store_done(st);
    }
    return http_reply_list(req, registry_list_title(req, "reg.list.block_households", block_id, 0),
                           block_household_columns, items, next_after);
}

/* ---------------------------------------------------------------- care list */

/* "label: value value" for each current flag of the resident, from its detail. */
static void care_add(http_req *req, json_t *item, const char *flag, const char *detail_text)
{
    json_t *detail = json_loads(detail_text ? detail_text : "{}", 0, NULL);
    char *values = "";
    const char *key;
    json_t *v;
    json_object_foreach(detail, key, v) {
        if (json_is_string(v) && strcmp(key, "relay") && *json_string_value(v))
            values = arena_printf(req->a, "%s%s%s", values, *values ? " " : "", json_string_value(v));
    }
    json_decref(detail);
    json_array_append_new(json_object_get(item, "flags"), json_string(flag));
    const char *label = registry_flag_label(req, flag);
    const char *flags_text = json_string_value(json_object_get(item, "flags_text"));
    const char *notes = json_string_value(json_object_get(item, "care_notes"));
    json_object_set_new(item, "flags_text",
                        json_string(arena_printf(req->a, "%s%s%s", flags_text, *flags_text ? ", " : "", label)));
    if (*values)
        json_object_set_new(item, "care_notes",
                            json_string(arena_printf(req->a, "%s%s%s: %s", notes, *notes ? "; " : "", label, values)));
}

static const list_column care_columns[] = {
    {"name", "reg.col.name"}, {"room", "reg.col.room"}, {"age", "reg.col.age"}, {"phone", "reg.col.phone"},
    {"flags_text", "reg.col.flags"}, {"care_notes", "reg.col.care_notes"}, {0, 0},
};

/* The care list's row context: the community's today and whether the actor has the
 * full view (registry.h; else the age goes by the birth year alone). */
typedef struct care_view {
    char today[11];
    bool full;
} care_view;

static json_t *care_row(store_stmt *st, void *ctx)
{
    const care_view *v = ctx;
    const char *today = v->today;
    const char *phone = store_col_text(st, 3);
    json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:I, s:[], s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                             "name", store_col_text(st, 1), "room", store_col_text(st, 4),
                             "phone", *phone ? phone : store_col_text(st, 5), "household_id",
                             (json_int_t)store_col_int(st, 6), "flags", "flags_text", "", "care_notes", "");
    json_object_set_new(item, "age",
                        store_col_null(st, 2) ? json_null()
                                              : json_integer(registry_age(today, store_col_int(st, 2),
                                                                          v->full ? store_col_text(st, 7) : NULL)));
    return item;
}

int registry_block_care_list(http_req *req)
{
    int64_t block_id, limit = http_list_limit(req);
    if (!path_block(req, &block_id)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT r.id, r.name, r.birth_year, r.phone, h.room, h.phone, r.household_id, r.birth_date FROM residents r "
        "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
        "WHERE r.community_id = $1 AND " SCOPE_HOUSEHOLD " AND h.block_id = $3 AND r.moved_out_at IS NULL "
        "AND EXISTS (SELECT 1 FROM resident_flags f WHERE f.community_id = $1 AND f.resident_id = r.id "
        "AND f.cleared_at IS NULL AND f.flag <> 'home_isolation') AND r.id > $4 ORDER BY r.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, block_id);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    care_view view;
    registry_current_year(req, view.today);
    view.full = registry_full_view(req);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, care_row, &view, &next_after);
    size_t count = json_array_size(items), i = 0;
    if (count) {
        st = store_prepare(req->conn,
            "SELECT resident_id, flag, detail FROM resident_flags WHERE community_id = $1 AND cleared_at IS NULL "
            "AND resident_id >= $2 AND resident_id <= $3 ORDER BY resident_id, id");
        if (!st) return http_fail_internal(req, store_errmsg(req->conn));
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, item_id(items, 0));
        store_bind_int(st, 3, item_id(items, count - 1));
        while (store_step(st) == STORE_ROW) {
            int64_t rid = store_col_int(st, 0);
            while (i < count && item_id(items, i) < rid) i++;
            if (i == count) break;
            if (item_id(items, i) == rid)
                care_add(req, json_array_get(items, i), store_col_text(st, 1), store_col_text(st, 2));
        }
        store_done(st);
    }
    return http_reply_list(req, registry_list_title(req, "reg.list.care_list", block_id, 0), care_columns, items,
                           next_after);
}

/* ---------------------------------------------------------------- call list */

static const list_column call_columns[] = {
    {"name", "reg.col.name"}, {"room", "reg.col.room"}, {"phone", "reg.col.phone"}, {"relay", "reg.col.relay"}, {0, 0},
};

int registry_block_call_list(http_req *req)
{
    int64_t block_id, limit = http_list_limit(req);
    if (!path_block(req, &block_id)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT r.id, r.name, h.room, r.phone, h.phone, f.detail, r.household_id FROM residents r "
        "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
        "JOIN resident_flags f ON f.resident_id = r.id AND f.community_id = $1 AND f.flag = 'no_smartphone' "
        "AND f.cleared_at IS NULL WHERE r.community_id = $1 AND " SCOPE_HOUSEHOLD " AND h.block_id = $3 "
        "AND r.moved_out_at IS NULL AND r.id > $4 ORDER BY r.id, f.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, block_id);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    bool more = false;
    while (store_step(st) == STORE_ROW) {
        if (store_col_int(st, 0) == last) continue;
        if (n++ == limit) { more = true; break; }
        last = store_col_int(st, 0);
        const char *phone = store_col_text(st, 3);
        json_t *detail = json_loads(store_col_text(st, 5), 0, NULL);
        json_t *item =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)last, "name", store_col_text(st, 1),
                      "room", store_col_text(st, 2), "phone", *phone ? phone : store_col_text(st, 4), "household_phone",
                      store_col_text(st, 4), "household_id", (json_int_t)store_col_int(st, 6), "relay", "");
        json_t *uid = json_object_get(detail, "relay_user_id"), *name = json_object_get(detail, "relay_name");
        json_object_set_new(item, "relay_user_id",
                            json_is_integer(uid) ? json_integer(json_integer_value(uid)) : json_null());
        if (json_is_string(name)) json_object_set_new(item, "relay", json_string(json_string_value(name)));
        json_decref(detail);
        json_array_append_new(items, item);
    }
    store_done(st);
    /* Relays with an account: their display name, looked up once per row. */
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *uid = json_object_get(item, "relay_user_id");
        if (!json_is_integer(uid) || *json_string_value(json_object_get(item, "relay"))) continue;
        store_stmt *us;
        if (store_run(req->conn, &us, "SELECT display_name FROM users WHERE id = $1 AND community_id = $2", "ii",
                      (int64_t)json_integer_value(uid), req->actor.community_id) == STORE_ROW) {
            json_object_set_new(item, "relay", json_string(store_col_text(us, 0)));
            store_done(us);
        }
    }
    return http_reply_list(req, registry_list_title(req, "reg.list.call_list", block_id, 0), call_columns, items,
                           more ? last : 0);
}

/* ---------------------------------------------------------------- counts */

static const list_column count_columns[] = {
    {"name", "col.name"}, {"households", "reg.col.households"}, {"residents", "reg.col.residents"},
    {"aged_60_plus", "reg.col.aged_60_plus"},
    {"alone_elderly", "reg.flag.alone_elderly"}, {"disabled", "reg.flag.disabled"}, {"pregnant", "reg.flag.pregnant"},
    {"chronic_illness", "reg.flag.chronic_illness"}, {"bedridden", "reg.flag.bedridden"},
    {"no_smartphone", "reg.flag.no_smartphone"}, {"in_isolation", "reg.col.in_isolation"}, {0, 0},
};

static json_t *count_item(int64_t id, const char *name)
{
    json_t *item = json_pack("{s:s, s:i, s:i, s:i, s:i}", "name", name ? name : "", "households", 0, "residents", 0,
                             "aged_60_plus", 0,
                             "in_isolation", 0);
    json_object_set_new(item, "id", id ? json_integer(id) : json_null());
    for (int k = 0; count_flags[k]; k++) json_object_set_new(item, count_flags[k], json_integer(0));
    return item;
}

static void count_add(json_t *item, const char *key, int64_t n)
{
    json_object_set_new(item, key, json_integer(json_integer_value(json_object_get(item, key)) + n));
}

/* GET /registry/counts: the figures of the leader's scope in one pass per table;
 * long by the number of figures. */
int registry_counts(http_req *req)
{
    const char *by = http_query(req, "by");
    if (!by || !*by) by = "block";
    bool zones = !strcmp(by, "zone");
    if (!zones && strcmp(by, "block")) return http_fail_field(req, "by", "reg.err.by");
    store_stmt *st = store_prepare(req->conn,
        "SELECT b.id, b.name, b.zone_id, z.name, "
        "(SELECT COUNT(*) FROM households h WHERE h.community_id = $1 AND h.block_id = b.id), "
        "(SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.community_id = $1 "
        "AND h.block_id = b.id AND r.moved_out_at IS NULL), "
        "(SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.community_id = $1 "
        "AND h.block_id = b.id AND r.moved_out_at IS NULL AND ((r.birth_date IS NULL AND r.birth_year <= $3) "
        "OR r.birth_date <= $4)) "
        "FROM blocks b LEFT JOIN zones z ON z.id = b.zone_id WHERE " SCOPE_BLOCK " ORDER BY b.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    /* 60 or older on the community's today: born on or before today's date 60 years
     * ago, or (birth year only) in the year 60 years ago or earlier. */
    char today[11], born_by[24];
    int year = registry_current_year(req, today);
    /* Below the full view by the year alone (registry.h): a count that changes on
     * someone's 60th birthday would tell the day. */
    snprintf(born_by, sizeof born_by, "%04d%s", year - 60, registry_full_view(req) ? today + 4 : "-12-31");
    store_bind_int(st, 3, year - 60);
    store_bind_text(st, 4, born_by);
    json_t *items = json_array(), *index = json_object(), *block_group = json_object();
    while (store_step(st) == STORE_ROW) {
        int64_t bid = store_col_int(st, 0), zid = store_col_int(st, 2);
        int64_t gid = zones ? zid : bid;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)gid);
        json_t *item = json_object_get(index, key);
        if (!item) {
            item = count_item(gid, zones ? store_col_text(st, 3) : store_col_text(st, 1));
            if (!zones) json_object_set_new(item, "zone_id", zid ? json_integer(zid) : json_null());
            json_array_append_new(items, item);
            json_object_set(index, key, item);
        }
        count_add(item, "households", store_col_int(st, 4));
        count_add(item, "residents", store_col_int(st, 5));
        count_add(item, "aged_60_plus", store_col_int(st, 6));
        char bkey[24];
        snprintf(bkey, sizeof bkey, "%lld", (long long)bid);
        json_object_set(block_group, bkey, item);
    }
    store_done(st);
    st = store_prepare(req->conn,
        "SELECT h.block_id, f.flag, COUNT(DISTINCT f.resident_id) FROM resident_flags f "
        "JOIN residents r ON r.id = f.resident_id JOIN households h ON h.id = r.household_id "
        "JOIN blocks b ON b.id = h.block_id WHERE f.community_id = $1 AND f.cleared_at IS NULL "
        "AND r.moved_out_at IS NULL AND " SCOPE_BLOCK " GROUP BY h.block_id, f.flag");
    if (!st) {
        json_decref(items); json_decref(index); json_decref(block_group);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    scope_bind(req, st);
    while (store_step(st) == STORE_ROW) {
        char bkey[24];
        snprintf(bkey, sizeof bkey, "%lld", (long long)store_col_int(st, 0));
        json_t *item = json_object_get(block_group, bkey);
        const char *flag = store_col_text(st, 1);
        if (!item) continue;
        if (!strcmp(flag, "home_isolation")) count_add(item, "in_isolation", store_col_int(st, 2));
        else if (json_object_get(item, flag)) count_add(item, flag, store_col_int(st, 2));
    }
    store_done(st);
    json_decref(index);
    json_decref(block_group);
    return http_reply_list(req, "reg.list.counts", count_columns, items, 0);
}
