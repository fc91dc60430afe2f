/* registry.c — the community registry's route table and messages, the structure
 * (zones, blocks) and households. Residents, flags, travel and ID reveal live in
 * registry_people.c; the lists people print and the counts in registry_lists.c.
 *
 * Every statement follows the scope rule of registry.h: $1 is the actor's community,
 * $2 the actor's user id, and a record outside the scope is simply not found (404). */
#include "registry_int.h"
#include "search_terms.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- handlers of the other registry files ---- */

/* ---------------------------------------------------------------- shared helpers */

/* An optional positive id from the query string: 0 when absent, false (400 naming
 * the parameter) when it is not a whole number. */
bool registry_query_id(http_req *req, const char *name, int64_t *out)
{
    const char *v = http_query(req, name);
    *out = 0;
    if (!v || !*v) return true;
    if (!str_is_int(v, out) || *out < 1) {
        http_fail_field(req, name, "err.not_integer");
        return false;
    }
    return true;
}

/* A LIKE pattern matching q anywhere, lower-cased, with % _ and \ escaped for
 * `LIKE $n ESCAPE '\'`. An absent q gives "%%", which matches every value. */
char *registry_like(http_req *req, const char *q, bool anchor_start)
{
    size_t n = q ? strlen(q) : 0;
    char *out = arena_alloc(req->a, n * 2 + 3), *p = out;
    if (!anchor_start) *p++ = '%';
    for (size_t i = 0; i < n; i++) {
        char ch = q[i];
        if (ch == '%' || ch == '_' || ch == '\\') *p++ = '\\';
        *p++ = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    *p++ = '%';
    *p = 0;
    return out;
}

/* The community's calendar day now, in its own time zone (communities.timezone, read
 * with the session; Asia/Shanghai, the column's default, when the actor has none):
 * "YYYY-MM-DD" into today when not NULL. Returns its year. Ages and birth-date checks
 * use it, so that an age turns on the community's midnight, not the server's. */
int registry_current_year(http_req *req, char today[11])
{
    const char *tz = req->actor.community_timezone;
    char day[11];
    int year = clock_local_date(tz && *tz ? tz : "Asia/Shanghai", clock_now_us(), day, sizeof day);
    if (today) memcpy(today, day, sizeof day);
    return year;
}

/* Age in whole years on the day `today` ("YYYY-MM-DD"): by the birth date when known,
 * else by the birth year alone (the age reached this calendar year). A birthday on
 * 29 February counts from 1 March in other years. */
int registry_age(const char *today, int64_t birth_year, const char *birth_date)
{
    if (!birth_date || strlen(birth_date) != 10) return (int)strtol(today, NULL, 10) - (int)birth_year;
    return (int)strtol(today, NULL, 10) - (int)strtol(birth_date, NULL, 10) - (strcmp(birth_date + 5, today + 5) > 0);
}

/* Exports read up to 100,000 rows at once (http_list_limit); a screen at most 500. The
 * HTTP layer has no other word for "this list becomes a file", in a request or a job. */
static bool registry_exporting(http_req *req)
{
    return http_list_limit(req) > 500;
}

bool registry_full_view(http_req *req)
{
    return actor_has(&req->actor, ROLE_COMMITTEE) && !registry_exporting(req);
}

const char *registry_view_mask(http_req *req, const char *kind, const char *stored)
{
    if (!stored) return NULL;
    size_t n = strlen(stored);
    if (kind && !strcmp(kind, "cn_id") && n == 18)
        return arena_printf(req->a, "%.4s*************%c", stored, stored[17]);
    if (n >= 8) return arena_printf(req->a, "%c******%c", stored[0], stored[n - 1]);
    return "******";
}

/* Optional text field that may also be empty: http_body_str_opt with min 0. */
static bool body_text_opt(http_req *req, const char *field, size_t max, const char **out)
{
    return http_body_str_opt(req, field, 0, max, out);
}

/* ---------------------------------------------------------------- zones */

/* Zones list (SCOPE_ZONE); counts include only the blocks the actor may see. */
static const list_column zone_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"blocks", "reg.col.blocks"}, {"households", "reg.col.households"},
    {"residents", "reg.col.residents"}, {"leaders_text", "structure.col.leaders"}, {0, 0},
};

static json_t *zone_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0), "name",
                     store_col_text(st, 1), "sort_order", (json_int_t)store_col_int(st, 2), "blocks",
                     (json_int_t)store_col_int(st, 3), "households", (json_int_t)store_col_int(st, 4), "residents",
                     (json_int_t)store_col_int(st, 5));
}

static int zones_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st =
        store_prepare(req->conn,
                      "SELECT z.id, z.name, z.sort_order, "
                      "(SELECT COUNT(*) FROM blocks b WHERE b.zone_id = z.id AND " SCOPE_BLOCK "), "
                      "(SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id WHERE b.zone_id = z.id "
                      "AND " SCOPE_BLOCK "), "
                      "(SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON "
                      "b.id = h.block_id "
                      "WHERE b.zone_id = z.id AND r.moved_out_at IS NULL AND " SCOPE_BLOCK ") "
                      "FROM zones z WHERE " SCOPE_ZONE " AND z.id > $3 ORDER BY z.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, zone_item, NULL, &next_after);
    structure_list_leaders_text(req, items, true);
    return http_reply_list(req, "reg.list.zones", zone_columns, items, next_after);
}

static int zones_create(http_req *req)
{
    const char *name;
    int64_t sort = 0;
    if (!http_body_str(req, "name", 1, 64, &name)) return -1;
    if (!http_body_int_opt(req, "sort_order", -100000, 100000, &sort, NULL)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO zones (community_id, name, sort_order, created_at) "
                                  "VALUES ($1, $2, $3, $4) RETURNING id",
                  "itii", req->actor.community_id, name, sort, clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "zone insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "zone", id, NULL);
    return http_reply(req, 201, json_pack("{s:{s:I, s:s, s:I, s:i, s:i, s:i}}", "zone", "id", (json_int_t)id,
                                          "name", name, "sort_order", (json_int_t)sort, "blocks", 0,
                                          "households", 0, "residents", 0));
}

/* ---------------------------------------------------------------- blocks */

#define BLOCK_COLS \
    "SELECT b.id, b.name, b.kind, b.zone_id, z.name, b.sort_order, " \
    "(SELECT COUNT(*) FROM households h WHERE h.community_id = $1 AND h.block_id = b.id), " \
    "(SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id " \
    "WHERE h.community_id = $1 AND h.block_id = b.id AND r.moved_out_at IS NULL) " \
    "FROM blocks b LEFT JOIN zones z ON z.id = b.zone_id WHERE " SCOPE_BLOCK

static json_t *block_item(store_stmt *st)
{
    json_t *item = json_pack("{s:I, s:s, s:s, s:s?, s:I, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0), "name",
                             store_col_text(st, 1), "kind", store_col_text(st, 2), "zone_name", store_col_text(st, 4),
                             "sort_order", (json_int_t)store_col_int(st, 5), "households",
                             (json_int_t)store_col_int(st, 6), "residents", (json_int_t)store_col_int(st, 7));
    json_object_set_new(item, "zone_id", store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3)));
    return item;
}

static json_t *block_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    return block_item(st);
}

static const list_column block_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"zone_name", "reg.col.zone"}, {"households", "reg.col.households"},
    {"residents", "reg.col.residents"}, {"leaders_text", "structure.col.leaders"}, {0, 0},
};

static int blocks_list(http_req *req)
{
    int64_t zone_id, limit = http_list_limit(req);
    if (!registry_query_id(req, "zone_id", &zone_id)) return -1;
    store_stmt *st = store_prepare(req->conn, BLOCK_COLS " AND ($3 = 0 OR b.zone_id = $3) AND b.id > $4 "
                                              "ORDER BY b.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, zone_id);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, block_row, NULL, &next_after);
    structure_list_leaders_text(req, items, false);
    return http_reply_list(req, "reg.list.blocks", block_columns, items, next_after);
}

/* The block {id} as the actor sees it, or NULL (404 set). */
static json_t *block_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, BLOCK_COLS " AND b.id = $3");
    if (!st) { http_fail_internal(req, store_errmsg(req->conn)); return NULL; }
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *item = store_step(st) == STORE_ROW ? block_item(st) : NULL;
    store_done(st);
    if (!item) http_fail_not_found(req);
    return item;
}

static int blocks_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *b = block_read(req, id);
    return b ? http_reply(req, 200, json_pack("{s:o}", "block", b)) : -1;
}

static bool zone_in_community(http_req *req, int64_t zone_id)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2", "ii",
                           zone_id, req->actor.community_id) > 0;
}

/* Two blocks of one zone (or two without a zone) may not share a name: people find a
 * block by its name on lists and door plates. Case and surrounding spaces do not make
 * a name another. True when taken, with 409 naming `name` set. */
static bool block_name_taken(http_req *req, const char *name, int64_t zone_id, int64_t except_id)
{
    int64_t n = store_query_int(req->conn, -1,
        "SELECT COUNT(*) FROM blocks WHERE community_id = $1 AND LOWER(TRIM(name)) = LOWER(TRIM($2)) "
        "AND (($3 = 0 AND zone_id IS NULL) OR zone_id = $3) AND id <> $4",
        "itii", req->actor.community_id, name, zone_id, except_id);
    if (n < 0) return http_fail_internal(req, "block name read"), true;
    if (n) return http_fail(req, 409, "conflict", "name", "reg.err.block_name_taken"), true;
    return false;
}

static bool block_kind_ok(const char *kind)
{
    return !strcmp(kind, "building") || !strcmp(kind, "courtyard");
}

static int blocks_create(http_req *req)
{
    const char *name, *kind = "building";
    int64_t zone_id = 0, sort = 0;
    bool has_zone;
    if (!http_body_str(req, "name", 1, 64, &name)) return -1;
    if (!http_body_str_opt(req, "kind", 1, 16, &kind)) return -1;
    if (!block_kind_ok(kind)) return http_fail_field(req, "kind", "reg.err.block_kind");
    if (!http_body_int_opt(req, "zone_id", 1, INT64_MAX, &zone_id, &has_zone)) return -1;
    if (has_zone && !zone_in_community(req, zone_id)) return http_fail_field(req, "zone_id", "reg.err.zone_unknown");
    if (!http_body_int_opt(req, "sort_order", -100000, 100000, &sort, NULL)) return -1;
    if (block_name_taken(req, name, has_zone ? zone_id : 0, 0)) return -1;
    store_stmt *st = store_prepare(req->conn,
                                   "INSERT INTO blocks (community_id, zone_id, name, kind, sort_order, created_at) "
                                   "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    if (has_zone) store_bind_int(st, 2, zone_id); else store_bind_null(st, 2);
    store_bind_text(st, 3, name);
    store_bind_text(st, 4, kind);
    store_bind_int(st, 5, sort);
    store_bind_int(st, 6, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "block insert");
    http_audit_target(req, "block", id, NULL);
    json_t *b = block_read(req, id);
    return b ? http_reply(req, 201, json_pack("{s:o}", "block", b)) : -1;
}

static int blocks_update(http_req *req)
{
    int64_t id, zone_id = 0;
    bool has_zone = false;
    const char *name = NULL, *kind = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *old = block_read(req, id);
    if (!old) return -1;
    json_t *old_zone = json_object_get(old, "zone_id");
    int64_t from_zone = json_is_integer(old_zone) ? json_integer_value(old_zone) : 0;
    const char *old_name = arena_strdup(req->a, json_string_value(json_object_get(old, "name")));
    json_decref(old);
    if (!http_body_str_opt(req, "name", 1, 64, &name)) return -1;
    if (!http_body_str_opt(req, "kind", 1, 16, &kind)) return -1;
    if (kind && !block_kind_ok(kind)) return http_fail_field(req, "kind", "reg.err.block_kind");
    /* "zone_id": null takes the block out of its zone (a courtyard of its own). */
    bool no_zone = json_is_null(json_object_get(req->json, "zone_id"));
    if (!no_zone && !http_body_int_opt(req, "zone_id", 1, INT64_MAX, &zone_id, &has_zone)) return -1;
    if (has_zone && !zone_in_community(req, zone_id)) return http_fail_field(req, "zone_id", "reg.err.zone_unknown");
    has_zone |= no_zone;
    if ((name || has_zone) &&
        block_name_taken(req, name ? name : old_name, no_zone ? 0 : has_zone ? zone_id : from_zone, id))
        return -1;
    if (store_run(req->conn, NULL,
                  "UPDATE blocks SET name = COALESCE($1, name), kind = COALESCE($2, kind), "
                  "zone_id = CASE WHEN $3 = 0 THEN zone_id WHEN $3 < 0 THEN NULL ELSE $3 END "
                  "WHERE id = $4 AND community_id = $5",
                  "ttiii", name, kind,
                  no_zone        ? -1
                      : has_zone ? zone_id
                                 : 0,
                  id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "block update");
    json_t *fields = json_array();
    if (name) json_array_append_new(fields, json_string("name"));
    if (kind) json_array_append_new(fields, json_string("kind"));
    json_t *detail = json_pack("{s:o}", "fields", fields);
    if (has_zone) {
        json_array_append_new(fields, json_string("zone_id"));
        json_object_set_new(detail, "from_zone_id", from_zone ? json_integer(from_zone) : json_null());
        json_object_set_new(detail, "to_zone_id", no_zone ? json_null() : json_integer(zone_id));
    }
    http_audit_target(req, "block", id, detail);
    json_t *b = block_read(req, id);
    return b ? http_reply(req, 200, json_pack("{s:o}", "block", b)) : -1;
}

/* ---------------------------------------------------------------- households */

static bool household_status_ok(const char *s)
{
    return !strcmp(s, "occupied") || !strcmp(s, "away") || !strcmp(s, "vacant") || !strcmp(s, "rented_out");
}

/* Households as the actor sees them: HOUSEHOLD_COLS(SCOPE_HOUSEHOLD_READ) for the reads a
 * resident may make, HOUSEHOLD_COLS(SCOPE_HOUSEHOLD) before a leader's write. */
#define HOUSEHOLD_COLS(scope) \
    "SELECT h.id, h.block_id, b.name, b.zone_id, h.room, h.status, h.phone, h.notes, " \
    "(SELECT COUNT(*) FROM residents r WHERE r.community_id = $1 AND r.household_id = h.id " \
    "AND r.moved_out_at IS NULL) FROM households h JOIN blocks b ON b.id = h.block_id WHERE " scope

static json_t *household_item(store_stmt *st)
{
    json_t *item = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0),
                             "block_id", (json_int_t)store_col_int(st, 1), "block_name", store_col_text(st, 2),
                             "room", store_col_text(st, 4), "status", store_col_text(st, 5),
                             "phone", store_col_text(st, 6), "notes", store_col_text(st, 7),
                             "residents", (json_int_t)store_col_int(st, 8));
    json_object_set_new(item, "zone_id", store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3)));
    return item;
}

static json_t *household_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    return household_item(st);
}

static const list_column household_columns[] = {
    {"id", "col.id"}, {"block_name", "reg.col.block"}, {"room", "reg.col.room"}, {"status", "reg.col.status"},
    {"phone", "reg.col.phone"}, {"residents", "reg.col.residents"}, {"notes", "reg.col.notes"}, {0, 0},
};

static int households_list(http_req *req)
{
    int64_t block_id, zone_id, limit = http_list_limit(req);
    const char *status = http_query(req, "status");
    if (!registry_query_id(req, "block_id", &block_id)) return -1;
    if (!registry_query_id(req, "zone_id", &zone_id)) return -1;
    if (status && *status && !household_status_ok(status)) return http_fail_field(req, "status", "reg.err.status");
    store_stmt *st = store_prepare(req->conn, HOUSEHOLD_COLS(SCOPE_HOUSEHOLD_READ)
        " AND ($3 = 0 OR h.block_id = $3) AND ($4 = 0 OR b.zone_id = $4) AND ($5 = '' OR h.status = $5) "
        "AND LOWER(h.room) LIKE $6 ESCAPE '\\' AND h.id > $7 ORDER BY h.id LIMIT $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, block_id);
    store_bind_int(st, 4, zone_id);
    store_bind_text(st, 5, status ? status : "");
    store_bind_text(st, 6, registry_like(req, http_query(req, "q"), false));
    store_bind_int(st, 7, http_list_cursor(req));
    store_bind_int(st, 8, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, household_row, NULL, &next_after);
    return http_reply_list(req, registry_list_title(req, "reg.list.households", block_id, zone_id), household_columns,
                           items, next_after);
}

/* The household {id} as the actor sees it (in the read scope when `read`, else the
 * leader scope), with its residents; NULL (404 set). */
static json_t *household_read(http_req *req, int64_t id, bool read)
{
    store_stmt *st = store_prepare(req->conn, read ? HOUSEHOLD_COLS(SCOPE_HOUSEHOLD_READ) " AND h.id = $3"
                                                   : HOUSEHOLD_COLS(SCOPE_HOUSEHOLD) " AND h.id = $3");
    if (!st) { http_fail_internal(req, store_errmsg(req->conn)); return NULL; }
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *item = store_step(st) == STORE_ROW ? household_item(st) : NULL;
    store_done(st);
    if (!item) { http_fail_not_found(req); return NULL; }
    json_t *res = registry_household_residents(req, id);
    if (!res) { json_decref(item); http_fail_internal(req, "household residents"); return NULL; }
    json_object_set_new(item, "residents_list", res);
    return item;
}

/* Who leads the household's block, with a phone when the post is held by a resident
 * with one: the first thing a resident without a leader's number needs. */
static json_t *block_leaders(http_req *req, int64_t block_id)
{
    json_t *out = json_array();
    store_stmt *st = store_prepare(req->conn,
        "SELECT s.position, COALESCE(r.name, u.display_name), r.phone FROM structure_leaders s "
        "LEFT JOIN residents r ON r.id = s.resident_id AND r.moved_out_at IS NULL "
        "LEFT JOIN users u ON u.id = s.user_id WHERE s.community_id = $1 AND s.block_id = $2 "
        "AND s.position IN ('leader', 'deputy') ORDER BY s.position DESC, s.id");
    if (!st) return out;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, block_id);
    while (store_step(st) == STORE_ROW) {
        const char *name = store_col_text(st, 1), *phone = store_col_text(st, 2);
        if (!name) continue;
        json_array_append_new(out, json_pack("{s:s, s:s, s:s?}", "position", store_col_text(st, 0), "name", name,
                                             "phone", phone && *phone ? phone : NULL));
    }
    store_done(st);
    return out;
}

static int households_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *h = household_read(req, id, true);
    if (!h) return -1;
    json_object_set_new(h, "block_leaders",
                        block_leaders(req, json_integer_value(json_object_get(h, "block_id"))));
    return http_reply(req, 200, json_pack("{s:o}", "household", h));
}

static int households_create(http_req *req)
{
    int64_t block_id = 0;
    bool has_block;
    const char *room, *status = "occupied", *phone = "", *notes = "";
    if (!http_body_int_opt(req, "block_id", 1, INT64_MAX, &block_id, &has_block)) return -1;
    if (!has_block) return http_fail_field(req, "block_id", "err.required");
    if (!http_body_str(req, "room", 1, 64, &room)) return -1;
    if (!http_body_str_opt(req, "status", 1, 16, &status)) return -1;
    if (!household_status_ok(status)) return http_fail_field(req, "status", "reg.err.status");
    if (!body_text_opt(req, "phone", 32, &phone)) return -1;
    const char *why = *phone ? validate_phone(phone) : NULL;
    if (why) return http_fail_field(req, "phone", why);
    if (!body_text_opt(req, "notes", 500, &notes)) return -1;
    if (!scope_block_visible(req, block_id)) return http_fail_not_found(req);
    if (store_query_int(req->conn, 0,
                        "SELECT COUNT(*) FROM households WHERE community_id = $1 AND block_id = $2 AND room = $3",
                        "iit", req->actor.community_id, block_id, room))
        return http_fail(req, 409, "conflict", "room", "reg.err.room_taken");
    int64_t now = clock_now_us();
    store_stmt *st;
    int rc = store_run(req->conn, &st, "INSERT INTO households (community_id, block_id, room, status, phone, notes, "
                                       "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                       "iitttti", req->actor.community_id, block_id, room, status, phone,
                       notes, now);
    if (rc == STORE_CONSTRAINT) return http_fail(req, 409, "conflict", "room", "reg.err.room_taken");
    if (rc != STORE_ROW) return http_fail_internal(req, "household insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "household", id, json_pack("{s:I}", "block_id", (json_int_t)block_id));
    json_t *h = household_read(req, id, false);
    return h ? http_reply(req, 201, json_pack("{s:o}", "household", h)) : -1;
}

static int households_update(http_req *req)
{
    int64_t id, to_block = 0;
    bool has_block;
    const char *status = NULL, *phone = NULL, *notes = NULL, *room = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *old = household_read(req, id, false);
    if (!old) return -1;
    int64_t from_block = json_integer_value(json_object_get(old, "block_id"));
    json_decref(old);
    if (!http_body_str_opt(req, "status", 1, 16, &status)) return -1;
    if (status && !household_status_ok(status)) return http_fail_field(req, "status", "reg.err.status");
    if (!body_text_opt(req, "phone", 32, &phone)) return -1;
    const char *why = phone && *phone ? validate_phone(phone) : NULL;
    if (why) return http_fail_field(req, "phone", why);
    if (!body_text_opt(req, "notes", 500, &notes)) return -1;
    if (!http_body_str_opt(req, "room", 1, 64, &room)) return -1;
    if (!http_body_int_opt(req, "block_id", 1, INT64_MAX, &to_block, &has_block)) return -1;
    if (has_block && to_block == from_block) has_block = false;
    if (has_block) {
        /* Moving a dwelling to another block changes whose list it is on: staff only. */
        if (!actor_has(&req->actor, ROLE_COMMITTEE))
            return http_fail(req, 403, "forbidden", "block_id", "reg.err.move_block");
        if (!scope_block_visible(req, to_block)) return http_fail_not_found(req);
    }
    int64_t block = has_block ? to_block : from_block;
    if (room || has_block) {
        if (store_query_int(req->conn, 0,
                            "SELECT COUNT(*) FROM households WHERE community_id = $1 AND block_id = $2 "
                            "AND room = COALESCE($3, (SELECT room FROM households WHERE id = $4)) AND id <> $4",
                            "iiti", req->actor.community_id, block, room, id))
            return http_fail(req, 409, "conflict", "room", "reg.err.room_taken");
    }
    int rc = store_run(req->conn, NULL,
                       "UPDATE households SET status = COALESCE($1, status), phone = COALESCE($2, phone), "
                       "notes = COALESCE($3, notes), room = COALESCE($4, room), block_id = $5, updated_at = $6 "
                       "WHERE id = $7 AND community_id = $8",
                       "ttttiiii", status, phone, notes, room, block, clock_now_us(), id, req->actor.community_id);
    if (rc == STORE_CONSTRAINT) return http_fail(req, 409, "conflict", "room", "reg.err.room_taken");
    if (rc != STORE_DONE) return http_fail_internal(req, "household update");
    if (room && search_terms_household(req->conn, req->actor.community_id, id) != STORE_OK)
        return http_fail_internal(req, "search terms");
    json_t *fields = json_array();
    if (status) json_array_append_new(fields, json_string("status"));
    if (phone) json_array_append_new(fields, json_string("phone"));
    if (notes) json_array_append_new(fields, json_string("notes"));
    if (room) json_array_append_new(fields, json_string("room"));
    json_t *detail = json_pack("{s:o}", "fields", fields);
    if (has_block) {
        json_array_append_new(fields, json_string("block_id"));
        json_object_set_new(detail, "from_block_id", json_integer(from_block));
        json_object_set_new(detail, "to_block_id", json_integer(to_block));
    }
    http_audit_target(req, "household", id, detail);
    json_t *h = household_read(req, id, false);
    return h ? http_reply(req, 200, json_pack("{s:o}", "household", h)) : -1;
}

/* ---------------------------------------------------------------- routes */

const http_route registry_routes[] = {
    {"GET", "/api/v1/zones", NULL, zones_list, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/zones", NULL, zones_create, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "zone.create"},
    {"GET", "/api/v1/blocks", NULL, blocks_list, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/blocks", NULL, blocks_create, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "block.create"},
    {"GET", "/api/v1/blocks/{id}", NULL, blocks_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PATCH", "/api/v1/blocks/{id}", NULL, blocks_update, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "block.update"},
    {"GET", "/api/v1/blocks/{id}/households", NULL, registry_block_households, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"GET", "/api/v1/blocks/{id}/care-list", NULL, registry_block_care_list, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"GET", "/api/v1/blocks/{id}/call-list", NULL, registry_block_call_list, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"GET", "/api/v1/households", NULL, households_list, REGISTRY_ROLES, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/households", NULL, households_create, REGISTRY_LEADERS, ROUTE_WRITE, 8192, "household.create"},
    {"GET", "/api/v1/households/{id}", NULL, households_get, REGISTRY_ROLES, 0, 0, NULL},
    {"PATCH", "/api/v1/households/{id}", NULL, households_update, REGISTRY_LEADERS, ROUTE_WRITE, 8192,
     "household.update"},
    {"GET", "/api/v1/residents", NULL, registry_residents_list, REGISTRY_ROLES, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/residents", NULL, registry_resident_create, REGISTRY_LEADERS, ROUTE_WRITE, 8192,
     "resident.create"},
    {"GET", "/api/v1/residents/{id}", NULL, registry_resident_get, REGISTRY_ROLES, 0, 0, NULL},
    {"PATCH", "/api/v1/residents/{id}", NULL, registry_resident_update, REGISTRY_LEADERS, ROUTE_WRITE, 8192,
     "resident.update"},
    {"DELETE", "/api/v1/residents/{id}", NULL, registry_resident_move_out, REGISTRY_LEADERS, ROUTE_WRITE, 0,
     "resident.move_out"},
    {"POST", "/api/v1/residents/{id}/move", NULL, registry_resident_move, REGISTRY_LEADERS, ROUTE_WRITE, 4096,
     "resident.move"},
    {"POST", "/api/v1/residents/{id}/reveal-id", NULL, registry_resident_reveal_id, ROLE_COMMITTEE,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 1024, "resident.reveal_id"},
    {"GET", "/api/v1/residents/{id}/flags", NULL, registry_flags_list, REGISTRY_ROLES, 0, 0, NULL},
    {"POST", "/api/v1/residents/{id}/flags", NULL, registry_flag_set, REGISTRY_LEADERS, ROUTE_WRITE, 8192,
     "resident.flag_set"},
    {"DELETE", "/api/v1/residents/{id}/flags/{flag}", NULL, registry_flag_clear, REGISTRY_LEADERS, ROUTE_WRITE, 0,
     "resident.flag_clear"},
    {"GET", "/api/v1/residents/{id}/flag-history", NULL, registry_flag_history, REGISTRY_ROLES, ROUTE_EXPORTABLE, 0,
     NULL},
    {"GET", "/api/v1/residents/{id}/travel", NULL, registry_travel_list, REGISTRY_ROLES, 0, 0, NULL},
    {"POST", "/api/v1/residents/{id}/travel", NULL, registry_travel_add, REGISTRY_LEADERS, ROUTE_WRITE, 4096,
     "resident.travel_add"},
    {"GET", "/api/v1/registry/counts", NULL, registry_counts, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};

const i18n_entry registry_messages[] = {
    {"reg.list.zones", "片区", "Zones"},
    {"reg.list.blocks", "楼组", "Blocks"},
    {"reg.list.households", "住户", "Households"},
    {"reg.list.residents", "居民", "Residents"},
    {"reg.list.flags", "关注标记", "Flags"},
    {"reg.list.travel", "行程记录", "Travel history"},
    {"reg.list.block_households", "楼组住户名单", "Households of the block"},
    {"reg.list.care_list", "重点关爱名单", "Care list"},
    {"reg.list.call_list", "电话联系名单（无智能手机）", "Call list (no smartphone)"},
    {"reg.list.counts", "人口统计", "Registry counts"},
    {"reg.col.blocks", "楼组数", "Blocks"},
    {"reg.col.households", "户数", "Households"},
    {"reg.col.residents", "人数", "Residents"},
    {"reg.col.zone", "片区", "Zone"},
    {"reg.col.block", "楼组", "Block"},
    {"reg.col.room", "门牌", "Room"},
    {"reg.col.status", "状态", "Status"},
    {"reg.col.phone", "电话", "Phone"},
    {"reg.col.notes", "备注", "Notes"},
    {"reg.col.name", "姓名", "Name"},
    {"reg.col.gender", "性别", "Gender"},
    {"reg.col.birth_year", "出生年份", "Born"},
    {"reg.col.age", "年龄", "Age"},
    {"reg.col.id_masked", "证件号（脱敏）", "ID (masked)"},
    {"reg.col.flags", "关注标记", "Flags"},
    {"reg.col.people", "家庭成员", "People"},
    {"reg.col.relay", "代办联系人", "Relay"},
    {"reg.col.care_notes", "关爱说明", "Care notes"},
    {"reg.col.in_isolation", "居家隔离", "In home isolation"},
    {"reg.flag.alone_elderly", "独居老人", "Elderly living alone"},
    {"reg.flag.disabled", "残疾", "Disabled"},
    {"reg.flag.pregnant", "孕妇", "Pregnant"},
    {"reg.flag.chronic_illness", "慢性病", "Chronic illness"},
    {"reg.flag.bedridden", "卧床", "Bedridden"},
    {"reg.flag.no_smartphone", "无智能手机", "No smartphone"},
    {"reg.flag.home_isolation", "居家隔离", "Home isolation"},
    {"reg.err.block_kind", "楼组类型只能是 building 或 courtyard", "Block kind must be building or courtyard"},
    {"reg.err.zone_unknown", "本社区没有该片区", "No such zone in this community"},
    {"reg.err.block_name_taken", "这个片区里已有同名的楼组", "This zone already has a block of this name"},
    {"reg.err.status", "住户状态只能是 occupied、away、vacant 或 rented_out",
     "Household status must be occupied, away, vacant or rented_out"},
    {"reg.err.room_taken", "该楼组已有相同门牌的住户", "This block already has a household with this room"},
    {"reg.err.move_block", "只有居委会工作人员可以把住户移到另一个楼组",
     "Only committee staff may move a household to another block"},
    {"reg.err.gender", "性别只能是 f、m 或留空", "Gender must be f, m or empty"},
    {"reg.err.birth_year", "出生年份不在有效范围内", "Birth year is out of range"},
    {"reg.err.birth_date", "出生日期应为 YYYY-MM-DD 格式的有效日期", "Birth date must be a valid date as YYYY-MM-DD"},
    {"reg.err.birth_future", "出生日期不能晚于今天", "Birth date cannot be later than today"},
    {"reg.err.birth_mismatch", "出生日期与出生年份不一致", "Birth date does not match the birth year"},
    {"reg.err.id_kind", "证件类型只能是 cn_id、passport 或 other", "ID kind must be cn_id, passport or other"},
    {"reg.err.id_other", "证件号应为 3 到 32 位字母或数字", "ID number must be 3 to 32 letters or digits"},
    {"reg.err.no_field_key", "服务器未配置加密密钥，无法保存证件号",
     "No field encryption key is configured: ID numbers cannot be stored"},
    {"reg.err.languages", "语言应为以逗号分隔的语言代码，例如 zh,en",
     "Languages must be a comma list of codes such as zh,en"},
    {"reg.err.boolean", "应为 true 或 false", "Must be true or false"},
    {"reg.err.moved_out", "该居民已迁出", "This resident has moved out"},
    {"reg.err.no_id", "该居民没有可查看的证件号", "This resident has no stored ID number"},
    {"reg.err.flag", "未知的关注标记", "Unknown flag"},
    {"reg.err.detail", "标记说明应为 JSON 对象", "Flag detail must be a JSON object"},
    {"reg.err.date", "日期应为 YYYY-MM-DD 格式的有效日期", "Date must be a valid date as YYYY-MM-DD"},
    {"reg.err.date_order", "结束日期不能早于开始日期", "The end date cannot be before the start date"},
    {"reg.err.relay", "请指定代办联系人（relay_user_id 或 relay_name）", "Give a relay: relay_user_id or relay_name"},
    {"reg.err.relay_user", "代办联系人不是本社区的账号", "The relay is not an account of this community"},
    {"reg.err.by", "统计方式只能是 block 或 zone", "by must be block or zone"},
    {"reg.err.id_tail", "证件号尾号应为 1 到 4 位字母或数字", "ID tail must be 1 to 4 letters or digits"},
    {"reg.err.id_tail_masked", "您的角色只能看到证件号最后一位，尾号只能输入 1 位",
     "Your role sees only the last character of ID numbers: give the ID tail as one character"},
    {"reg.err.age", "年龄应为 0 到 150 之间的整数", "Age must be a whole number from 0 to 150"},
    {"reg.err.isolation", "isolation 只能是 current", "isolation must be current"},
    {"reg.list.flag_history", "关注标记变更记录", "Flag history"},
    {"reg.col.flag", "关注标记", "Flag"},
    {"reg.col.flag_detail", "说明", "Detail"},
    {"reg.col.by", "操作人", "By"},
    {"reg.col.aged_60_plus", "60岁及以上", "Aged 60+"},
    {"reg.flag_action.set", "设置", "Set"},
    {"reg.flag_action.changed", "修改", "Changed"},
    {"reg.flag_action.cleared", "解除", "Cleared"},
    {0, 0, 0},
};
