/* registry_people.c — residents: search, records with encrypted ID numbers, moving in
 * and out, the committee's audited ID reveal, vulnerability flags with history and
 * travel history. Scope as in registry.h: $1 community, $2 actor, household `h` and
 * block `b` joined, a resident outside the scope is not found.
 *
 * ID numbers: the plaintext is normalised (trimmed, upper case), validated, then only
 * its ciphertext, keyed lookup hash and masked form are written. Lists and records
 * carry id_masked; the plaintext leaves the server only through reveal-id. */
#include "registry_int.h"
#include "search_terms.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* registry.c */

/* ---------------------------------------------------------------- flags vocabulary */

static const char *const registry_flags[] = {
    "alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden", "no_smartphone", "home_isolation", NULL,
};

static bool registry_flag_known(const char *flag)
{
    for (int i = 0; flag && registry_flags[i]; i++)
        if (!strcmp(flag, registry_flags[i])) return true;
    return false;
}

const char *registry_flag_label(http_req *req, const char *flag)
{
    return i18n_text(req->lang, arena_printf(req->a, "reg.flag.%s", flag));
}

/* ---------------------------------------------------------------- dates */

/* "YYYY-MM-DD", a real calendar day between 1880 and 2200. */
bool registry_date_ok(const char *s, int *year)
{
    int y;
    if (!clock_parse_date(s, &y, NULL, NULL) || y < 1880 || y > 2200) return false;
    if (year) *year = y;
    return true;
}

/* ---------------------------------------------------------------- resident items */

#define RES_SELECT \
    "SELECT r.id, r.name, r.gender, r.birth_year, r.birth_date, r.phone, r.id_kind, r.id_masked, r.languages, " \
    "r.owner, r.floating, r.party_member, r.household_id, h.room, h.block_id, b.name, b.zone_id, r.moved_out_at "
#define RES_JOIN "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
#define RES_COLS_WHERE(community) \
    RES_SELECT "FROM residents r " RES_JOIN "WHERE " community " = $1 AND " SCOPE_HOUSEHOLD_READ
#define RES_COLS RES_COLS_WHERE("r.community_id")

/* How the items of one reply are made: the community's today and whether the actor
 * sees the full record (registry_full_view) or the masked one. */
typedef struct resident_view {
    http_req *req;
    char today[11];
    bool full;
} resident_view;

static void view_init(http_req *req, resident_view *v)
{
    v->req = req;
    registry_current_year(req, v->today);
    v->full = registry_full_view(req);
}

static json_t *resident_item(store_stmt *st, const resident_view *v)
{
    const char *today = v->today;
    json_t *item = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:b, s:b, s:b, s:I, s:s, s:I, s:s, s:b}",
        "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "gender", store_col_text(st, 2),
        "birth_date", store_col_text(st, 4), "phone", store_col_text(st, 5), "id_kind", store_col_text(st, 6),
        "id_masked", store_col_text(st, 7), "languages", store_col_text(st, 8), "owner", (int)store_col_int(st, 9),
        "floating", (int)store_col_int(st, 10), "party_member", (int)store_col_int(st, 11),
        "household_id", (json_int_t)store_col_int(st, 12), "room", store_col_text(st, 13),
        "block_id", (json_int_t)store_col_int(st, 14), "block_name", store_col_text(st, 15),
        "moved_out", !store_col_null(st, 17));
    if (store_col_null(st, 3)) {
        json_object_set_new(item, "birth_year", json_null());
        json_object_set_new(item, "age", json_null());
    } else {
        json_object_set_new(item, "birth_year", json_integer(store_col_int(st, 3)));
        json_object_set_new(item, "age", json_integer(registry_age(today, store_col_int(st, 3),
                                                                   v->full ? store_col_text(st, 4) : NULL)));
    }
    if (!v->full) {
        /* The masking rule of registry.h: no date, the narrow mask. */
        json_object_set_new(item, "birth_date", json_null());
        const char *mask = registry_view_mask(v->req, store_col_text(st, 6), store_col_text(st, 7));
        json_object_set_new(item, "id_masked", mask ? json_string(mask) : json_null());
    }
    json_object_set_new(item, "zone_id", store_col_null(st, 16) ? json_null() : json_integer(store_col_int(st, 16)));
    return item;
}

static json_t *resident_row(store_stmt *st, void *ctx)
{
    return resident_item(st, ctx);
}

/* Appends flag f to the item's "flags" unless it is there already. */
static void add_flag(json_t *item, const char *f)
{
    json_t *flags = json_object_get(item, "flags"), *v;
    size_t j;
    json_array_foreach(flags, j, v) if (!strcmp(json_string_value(v), f)) return;
    json_array_append_new(flags, json_string(f));
}

static int64_t item_id(json_t *items, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(items, i), "id"));
}

/* Adds "flags" (current flag names) and "flags_text" (their labels) to each item of
 * an id-ordered array. Items close together (a page of a block) take one query over
 * their id range; items spread over the community (a search) one query each, so that
 * a page of 30 matches does not read every flag in between. */
static void attach_flags(http_req *req, json_t *items)
{
    size_t n = json_array_size(items), i = 0;
    if (!n) return;
    for (size_t k = 0; k < n; k++) json_object_set_new(json_array_get(items, k), "flags", json_array());
    int64_t first = item_id(items, 0), last = item_id(items, n - 1);
    if ((uint64_t)(last - first) > 8 * (uint64_t)n) {
        store_stmt *st = store_prepare(req->conn,
                                       "SELECT flag FROM resident_flags WHERE community_id = $1 AND resident_id = $2 "
                                       "AND cleared_at IS NULL ORDER BY id");
        for (size_t k = 0; st && k < n; k++) {
            store_bind_int(st, 1, req->actor.community_id);
            store_bind_int(st, 2, item_id(items, k));
            while (store_step(st) == STORE_ROW) add_flag(json_array_get(items, k), store_col_text(st, 0));
            store_done(st);
        }
    } else {
        store_stmt *st = store_prepare(req->conn,
            "SELECT resident_id, flag FROM resident_flags WHERE community_id = $1 AND cleared_at IS NULL "
            "AND resident_id >= $2 AND resident_id <= $3 ORDER BY resident_id, id");
        if (st) {
            store_bind_int(st, 1, req->actor.community_id);
            store_bind_int(st, 2, first);
            store_bind_int(st, 3, last);
            while (store_step(st) == STORE_ROW) {
                int64_t rid = store_col_int(st, 0);
                while (i < n && item_id(items, i) < rid) i++;
                if (i == n) break;
                if (item_id(items, i) == rid) add_flag(json_array_get(items, i), store_col_text(st, 1));
            }
            store_done(st);
        }
    }
    for (size_t k = 0; k < n; k++) {
        json_t *item = json_array_get(items, k), *v;
        char *text = "";
        size_t j;
        json_array_foreach(json_object_get(item, "flags"), j, v)
            text = arena_printf(req->a, "%s%s%s", text, j ? ", " : "", registry_flag_label(req, json_string_value(v)));
        json_object_set_new(item, "flags_text", json_string(text));
    }
}

/* The residents living in a household (scope checked by the caller), id order. */
json_t *registry_household_residents(http_req *req, int64_t household_id)
{
    store_stmt *st =
        store_prepare(req->conn, RES_COLS " AND r.household_id = $3 AND r.moved_out_at IS NULL ORDER BY r.id");
    if (!st) return NULL;
    scope_bind(req, st);
    store_bind_int(st, 3, household_id);
    resident_view view;
    view_init(req, &view);
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW) json_array_append_new(items, resident_item(st, &view));
    store_done(st);
    attach_flags(req, items);
    return items;
}

/* The resident {id} as the actor sees it (moved out too), or NULL with 404 set. */
static json_t *resident_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, RES_COLS " AND r.id = $3");
    if (!st) { http_fail_internal(req, store_errmsg(req->conn)); return NULL; }
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    resident_view view;
    view_init(req, &view);
    json_t *item = store_step(st) == STORE_ROW ? resident_item(st, &view) : NULL;
    store_done(st);
    if (!item) { http_fail_not_found(req); return NULL; }
    json_t *one = json_array();
    json_array_append(one, item);
    attach_flags(req, one);
    json_decref(one);
    return item;
}

/* ---------------------------------------------------------------- search */

/* Keeps the resident's search terms current after a write; false with 500 set. */
static bool resident_reindex(http_req *req, int64_t id)
{
    if (search_terms_resident(req->conn, req->actor.community_id, id) == STORE_OK) return true;
    http_fail_internal(req, "search terms");
    return false;
}

static const list_column resident_columns[] = {
    {"id", "col.id"}, {"name", "reg.col.name"}, {"gender", "reg.col.gender"}, {"birth_year", "reg.col.birth_year"},
    {"phone", "reg.col.phone"}, {"id_masked", "reg.col.id_masked"}, {"block_name", "reg.col.block"},
    {"room", "reg.col.room"}, {"flags_text", "reg.col.flags"}, {0, 0},
};

static bool query_age(http_req *req, const char *name, int64_t *out)
{
    const char *v = http_query(req, name);
    *out = -1;
    if (!v || !*v) return true;
    if (!str_is_int(v, out) || *out < 0 || *out > 150) {
        http_fail_field(req, name, "reg.err.age");
        return false;
    }
    return true;
}

/* GET /residents: every filter of the residents list (place, name, age, flags, kinds)
 * becomes one optional clause of a single prepared statement; long by the number of
 * filters. */
int registry_residents_list(http_req *req)
{
    const char *q = http_query(req, "q"), *tail = http_query(req, "id_tail"), *flag = http_query(req, "flag");
    const char *iso = http_query(req, "isolation"), *party = http_query(req, "party_member");
    const char *moved = http_query(req, "include_moved_out");
    int64_t zone_id, block_id, household_id, age_min, age_max, limit = http_list_limit(req);
    if (!registry_query_id(req, "zone_id", &zone_id) || !registry_query_id(req, "block_id", &block_id) ||
        !registry_query_id(req, "household_id", &household_id) || !query_age(req, "age_min", &age_min) ||
        !query_age(req, "age_max", &age_max))
        return -1;
    if (flag && *flag && !registry_flag_known(flag)) return http_fail_field(req, "flag", "reg.err.flag");
    if (iso && *iso && strcmp(iso, "current")) return http_fail_field(req, "isolation", "reg.err.isolation");
    resident_view view;
    view_init(req, &view);
    char tail_like[8] = "";
    if (tail && *tail) {
        size_t n = strlen(tail);
        if (n > 4) return http_fail_field(req, "id_tail", "reg.err.id_tail");
        /* Below the full view only the check character shows: a longer tail would test
         * the hidden sequence digits. */
        if (n > 1 && !view.full) return http_fail_field(req, "id_tail", "reg.err.id_tail_masked");
        tail_like[0] = '%';
        for (size_t i = 0; i < n; i++) {
            if (!isalnum((unsigned char)tail[i])) return http_fail_field(req, "id_tail", "reg.err.id_tail");
            tail_like[i + 1] = (char)toupper((unsigned char)tail[i]);
        }
        tail_like[n + 1] = 0;
    }
    /* A phone-like query also matches the phone's digits, ignoring the dashes of
     * landline numbers. */
    char *digits = "";
    if (search_terms_phone_like(q)) {
        char *d = arena_alloc(req->a, strlen(q) + 1), *p = d;
        for (const char *s = q; *s; s++) if (isdigit((unsigned char)*s)) *p++ = *s;
        *p = 0;
        digits = registry_like(req, d, false);
    }
    /* Age bounds on the community's today: by birth date when known (born on or before
     * the same day age_min years ago; after the same day age_max + 1 years ago), else
     * by birth year. Below the full view by the year alone (the day taken as 31
     * December), so that the answer does not change on a birthday. */
    char born_by[24] = "", born_after[24] = "";
    const char *today = view.today, *day = view.full ? today + 4 : "-12-31";
    int year = (int)strtol(today, NULL, 10);
    if (age_min >= 0) snprintf(born_by, sizeof born_by, "%04d%s", (int)(year - age_min), day);
    if (age_max >= 0) snprintf(born_after, sizeof born_after, "%04d%s", (int)(year - age_max - 1), day);
    /* With search terms (search_terms.h) the candidates come from the index range of
     * the rarest, in resident order, narrowed by the others; the conditions below then
     * check each one. Without (no text, or one or two digits, which match many),
     * residents are walked in id order, and the unary plus keeps SQLite off the
     * (community_id, ...) indexes, whose order is not the list's, so that a page ends
     * the walk instead of a sort of every match. */
    const char *keys[SEARCH_KEYS];
    int nkeys = search_terms_keys(req->a, q, tail, keys);
    search_terms_order(req->conn, req->actor.community_id, keys, nkeys);
#define RES_FILTERS                                                                                                    \
    " AND (LOWER(r.name) LIKE $3 ESCAPE '\\' OR LOWER(h.room) LIKE $3 ESCAPE '\\' OR r.phone LIKE $3 ESCAPE '\\' "     \
    "OR ($16 <> '' AND REPLACE(r.phone, '-', '') LIKE $16)) "                                                          \
    "AND ($4 = '' OR (UPPER(r.id_masked) LIKE $4 AND ($19 = 1 OR r.id_kind = 'cn_id' OR LENGTH(r.id_masked) >= 8))) "  \
    "AND ($5 = '' OR EXISTS (SELECT 1 FROM resident_flags f WHERE f.community_id = $1 AND f.resident_id = r.id "       \
    "AND f.flag = $5 AND f.cleared_at IS NULL)) "                                                                      \
    "AND ($6 = 0 OR EXISTS (SELECT 1 FROM resident_flags fi WHERE fi.community_id = $1 AND fi.resident_id = r.id "     \
    "AND fi.flag = 'home_isolation' AND fi.cleared_at IS NULL)) "                                                      \
    "AND ($7 = 0 OR (r.birth_date IS NULL AND r.birth_year <= $7) OR r.birth_date <= $17) "                            \
    "AND ($8 = 0 OR (r.birth_date IS NULL AND r.birth_year >= $8) OR r.birth_date > $18) AND ($9 = 0 OR "              \
    "r.party_member = 1) "                                                                                             \
    "AND ($10 = 0 OR b.zone_id = $10) AND ($11 = 0 OR h.block_id = $11) AND ($12 = 0 OR r.household_id = $12) "        \
    "AND ($13 = 1 OR r.moved_out_at IS NULL) "
    /* PostgreSQL infers every parameter's type from its use: the numbers leave no gap. */
    store_stmt *st = nkeys
        ? store_prepare(req->conn, RES_SELECT "FROM resident_terms t JOIN residents r ON r.id = t.resident_id " RES_JOIN
              "WHERE t.community_id = $1 AND t.term = $20 "
              "AND ($21 = '' OR EXISTS (SELECT 1 FROM resident_terms t2 WHERE t2.community_id = $1 AND t2.term = $21 "
              "AND t2.resident_id = t.resident_id)) "
              "AND ($22 = '' OR EXISTS (SELECT 1 FROM resident_terms t3 WHERE t3.community_id = $1 AND t3.term = $22 "
              "AND t3.resident_id = t.resident_id)) "
              "AND r.community_id = $1 AND " SCOPE_HOUSEHOLD_READ RES_FILTERS
              "AND t.resident_id > $14 ORDER BY t.resident_id LIMIT $15")
        : store_prepare(req->conn, RES_COLS_WHERE("+r.community_id") RES_FILTERS
              "AND r.id > $14 ORDER BY r.id LIMIT $15");
#undef RES_FILTERS
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_text(st, 3, registry_like(req, q, false));
    store_bind_text(st, 4, tail_like);
    store_bind_text(st, 5, flag ? flag : "");
    store_bind_int(st, 6, iso && *iso ? 1 : 0);
    store_bind_int(st, 7, age_min >= 0 ? year - age_min : 0);
    store_bind_int(st, 8, age_max >= 0 ? year - age_max : 0);
    store_bind_int(st, 9, party && !strcmp(party, "1") ? 1 : 0);
    store_bind_int(st, 10, zone_id);
    store_bind_int(st, 11, block_id);
    store_bind_int(st, 12, household_id);
    store_bind_int(st, 13, moved && !strcmp(moved, "1") ? 1 : 0);
    store_bind_int(st, 14, http_list_cursor(req));
    store_bind_int(st, 15, limit + 1);
    store_bind_text(st, 16, digits);
    store_bind_text(st, 17, born_by);
    store_bind_text(st, 18, born_after);
    store_bind_int(st, 19, view.full ? 1 : 0);
    if (nkeys)
        for (int i = 0; i < SEARCH_KEYS; i++) store_bind_text(st, 20 + i, i < nkeys ? keys[i] : "");
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, resident_row, &view, &next_after);
    attach_flags(req, items);
    return http_reply_list(req, registry_list_title(req, "reg.list.residents", block_id, zone_id), resident_columns,
                           items, next_after);
}

static json_t *flag_entries(http_req *req, int64_t id, bool history);

int registry_resident_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *r = resident_read(req, id);
    if (!r) return -1;
    /* The record's current flags with who set them and when (the changes are at
     * GET /residents/{id}/flag-history). */
    json_t *entries = flag_entries(req, id, false);
    json_object_set_new(r, "flag_entries", entries ? entries : json_array());
    /* The person's login, for the leaders who make logins and print slips (logins.c). */
    if (actor_has(&req->actor, ROLE_COMMITTEE | ROLE_ZONE_LEADER)) {
        store_stmt *st;
        json_t *account = json_null();
        if (store_run(req->conn, &st, "SELECT u.id, u.username FROM resident_accounts a JOIN users u ON u.id = "
                                      "a.user_id WHERE a.community_id = $1 AND a.resident_id = $2",
                      "ii", req->actor.community_id, id) == STORE_ROW) {
            account = json_pack("{s:I, s:s}", "user_id", (json_int_t)store_col_int(st, 0), "username",
                                store_col_text(st, 1));
            store_done(st);
        }
        json_object_set_new(r, "account", account);
    }
    return http_reply(req, 200, json_pack("{s:o}", "resident", r));
}

/* ---------------------------------------------------------------- resident input */

typedef struct resident_input {
    const char *name, *gender, *birth_date, *phone, *id_kind, *id_number, *languages;
    int64_t birth_year;
    int owner, floating, party_member;     /* -1: not given */
    bool has_birth_year;
    char id_norm[40];
    json_t *fields;                        /* names of the fields given, for the audit */
} resident_input;

static bool body_flag(http_req *req, const char *field, int *out, resident_input *ri)
{
    json_t *v = json_object_get(req->json, field);
    *out = -1;
    if (!v || json_is_null(v)) return true;
    if (json_is_boolean(v)) *out = json_is_true(v);
    else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        *out = (int)json_integer_value(v);
    else { http_fail_field(req, field, "reg.err.boolean"); return false; }
    json_array_append_new(ri->fields, json_string(field));
    return true;
}

static bool languages_ok(const char *s)
{
    int len = 0, tokens = 0;
    for (const char *p = s;; p++) {
        if (*p >= 'a' && *p <= 'z') { len++; continue; }
        if ((*p == ',' || !*p) && len >= 2 && len <= 3) {
            if (++tokens > 8) return false;
            len = 0;
            if (!*p) return true;
            continue;
        }
        return false;
    }
}

static void note(resident_input *ri, const char *field, const void *given)
{
    if (given) json_array_append_new(ri->fields, json_string(field));
}

/* Reads and validates the resident fields of the body; each error names its field. */
static bool resident_parse(http_req *req, resident_input *ri, bool create)
{
    memset(ri, 0, sizeof *ri);
    ri->fields = json_array();
    arena_on_free(req->a, (void (*)(void *))json_decref, ri->fields);
    if (create ? !http_body_str(req, "name", 1, 64, &ri->name) : !http_body_str_opt(req, "name", 1, 64, &ri->name))
        return false;
    if (ri->name) {
        /* stored as printed: NFC, no control, bidi or invisible characters, not blank */
        char *name = arena_alloc(req->a, strlen(ri->name) + 1);
        const char *why = validate_name(ri->name, 64, name);
        if (why) return http_fail_field(req, "name", why), false;
        ri->name = name;
    }
    note(ri, "name", ri->name);
    if (!http_body_str_opt(req, "gender", 0, 1, &ri->gender)) return false;
    if (ri->gender && strcmp(ri->gender, "f") && strcmp(ri->gender, "m") && *ri->gender)
        return http_fail_field(req, "gender", "reg.err.gender"), false;
    note(ri, "gender", ri->gender);
    char today[11];
    int year = registry_current_year(req, today), date_year = 0;
    json_t *by = json_object_get(req->json, "birth_year");
    if (json_is_integer(by) && (json_integer_value(by) < 1880 || json_integer_value(by) > year))
        return http_fail_field(req, "birth_year", "reg.err.birth_year"), false;
    if (!http_body_int_opt(req, "birth_year", 1880, year, &ri->birth_year, &ri->has_birth_year)) return false;
    note(ri, "birth_year", ri->has_birth_year ? "" : NULL);
    if (!http_body_str_opt(req, "birth_date", 0, 10, &ri->birth_date)) return false;
    if (ri->birth_date && *ri->birth_date) {
        if (!registry_date_ok(ri->birth_date, &date_year) || date_year > year)
            return http_fail_field(req, "birth_date", "reg.err.birth_date"), false;
        if (strcmp(ri->birth_date, today) > 0)
            return http_fail_field(req, "birth_date", "reg.err.birth_future"), false;
        if (ri->has_birth_year && ri->birth_year != date_year)
            return http_fail_field(req, "birth_date", "reg.err.birth_mismatch"), false;
        ri->birth_year = date_year;
        ri->has_birth_year = true;
    }
    note(ri, "birth_date", ri->birth_date);
    if (!http_body_str_opt(req, "phone", 0, 32, &ri->phone)) return false;
    if (ri->phone && *ri->phone) {
        const char *why = validate_phone(ri->phone);
        if (why) return http_fail_field(req, "phone", why), false;
    }
    note(ri, "phone", ri->phone);
    if (!http_body_str_opt(req, "id_kind", 1, 16, &ri->id_kind)) return false;
    if (ri->id_kind && strcmp(ri->id_kind, "cn_id") && strcmp(ri->id_kind, "passport") && strcmp(ri->id_kind, "other"))
        return http_fail_field(req, "id_kind", "reg.err.id_kind"), false;
    note(ri, "id_kind", ri->id_kind);
    if (!http_body_str_opt(req, "id_number", 1, 64, &ri->id_number)) return false;
    if (ri->id_number) {
        /* Normalised: no spaces, upper case (the check character X). */
        size_t k = 0;
        for (const char *p = ri->id_number; *p && k + 1 < sizeof ri->id_norm; p++)
            if (*p != ' ') ri->id_norm[k++] = (char)toupper((unsigned char)*p);
        ri->id_norm[k] = 0;
        note(ri, "id_number", ri->id_number);
    }
    if (!http_body_str_opt(req, "languages", 2, 40, &ri->languages)) return false;
    if (ri->languages && !languages_ok(ri->languages))
        return http_fail_field(req, "languages", "reg.err.languages"), false;
    note(ri, "languages", ri->languages);
    if (!body_flag(req, "owner", &ri->owner, ri) || !body_flag(req, "floating", &ri->floating, ri) ||
        !body_flag(req, "party_member", &ri->party_member, ri))
        return false;
    return true;
}

/* Checks the ID number against its kind; fills birth date and gender from a citizen
 * ID when the body gave none. */
static bool resident_check_id(http_req *req, resident_input *ri, const char *kind, bool derive)
{
    if (!ri->id_number) return true;
    if (!strcmp(kind, "cn_id")) {
        const char *why = validate_cn_id(ri->id_norm);
        if (why) return http_fail_field(req, "id_number", why), false;
        char date[11];
        snprintf(date, sizeof date, "%.4s-%.2s-%.2s", ri->id_norm + 6, ri->id_norm + 10, ri->id_norm + 12);
        char today[11];
        int y;
        registry_current_year(req, today);
        if (derive && !ri->has_birth_year && !ri->birth_date && registry_date_ok(date, &y) &&
            strcmp(date, today) <= 0) {
            ri->birth_date = arena_strdup(req->a, date);
            ri->birth_year = y;
            ri->has_birth_year = true;
        }
        if (derive && !ri->gender) ri->gender = (ri->id_norm[16] - '0') % 2 ? "m" : "f";
        return true;
    }
    size_t n = strlen(ri->id_norm);
    bool ok = n >= 3 && n <= 32;
    for (size_t i = 0; ok && i < n; i++) ok = isalnum((unsigned char)ri->id_norm[i]);
    if (!ok) return http_fail_field(req, "id_number", "reg.err.id_other"), false;
    return true;
}

typedef struct sealed_id {
    char *cipher, *masked;
    char hash[65];
} sealed_id;

/* Encrypts the normalised number; false with the reply set when no key is set.
 * A number registered to another resident is accepted like any other: refusing it
 * would tell a leader that the number lives outside the leader's scope. The committee
 * finds the pair among the likely duplicates (merge.c). */
static bool resident_seal_id(http_req *req, resident_input *ri, const char *kind, sealed_id *out)
{
    char *cipher = secret_encrypt(req->cfg, ri->id_norm);
    if (!cipher) return http_fail(req, 503, "unavailable", "id_number", "reg.err.no_field_key"), false;
    out->cipher = arena_strdup(req->a, cipher);
    free(cipher);
    secret_lookup_hash(req->cfg, ri->id_norm, out->hash);
    bool cn = !strcmp(kind, "cn_id");
    char *masked = secret_mask(ri->id_norm, cn ? 4 : 1, cn ? 4 : 3);
    out->masked = arena_strdup(req->a, masked);
    free(masked);
    return true;
}

/* ---------------------------------------------------------------- access follows the person */

/* Runs one statement of registry_access_follow: binds its ints, steps it; adds the rows
 * it changed to *changed. false on a store error. */
static bool follow_run(http_req *req, const char *sql, int n, const int64_t *v, int64_t *changed)
{
    store_stmt *st = store_prepare(req->conn, sql);
    if (!st) return false;
    for (int i = 0; i < n; i++) store_bind_int(st, i + 1, v[i]);
    int rc = store_step(st);
    if (rc == STORE_DONE && changed) *changed += store_changes(st);
    store_done(st);
    return rc == STORE_DONE;
}

bool registry_access_follow(http_req *req, int64_t id, int64_t from, int64_t *changed)
{
    int64_t cid = req->actor.community_id, n = 0;
    store_stmt *st = store_prepare(req->conn,
                                   "SELECT a.user_id, r.household_id, r.moved_out_at FROM resident_accounts a JOIN "
                                   "residents r ON r.id = a.resident_id "
                                   "WHERE a.community_id = $1 AND a.resident_id = $2");
    if (!st) return false;
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, id);
    int rc = store_step(st);
    int64_t user = 0, now_in = 0;
    bool gone = false;
    if (rc == STORE_ROW) {
        user = store_col_int(st, 0);
        now_in = store_col_int(st, 1);
        gone = !store_col_null(st, 2);
    }
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) return false;
    if (user && (gone || now_in != from)) {
        /* The role of the household left; then the role of the new one, unless the
         * account has it already (the unique key of role_assignments). */
        const int64_t del[] = {cid, user, from};
        if (!follow_run(req,
                        "DELETE FROM role_assignments WHERE community_id = $1 AND user_id = $2 AND role = 'resident' "
                        "AND scope_kind = 'household' AND scope_id = $3",
                        3, del, &n))
            return false;
        if (gone) {
            /* Moved out: the account is nobody's any more; moving back in needs a new
             * invite, as for any newcomer. */
            const int64_t unlink[] = {cid, id};
            if (!follow_run(req, "DELETE FROM resident_accounts WHERE community_id = $1 AND resident_id = $2", 2,
                            unlink, &n))
                return false;
        } else {
            const int64_t add[] = {cid, user, now_in, clock_now_us()};
            if (!follow_run(
                    req,
                    "INSERT INTO role_assignments (community_id, user_id, role, scope_kind, scope_id, created_at) "
                    "SELECT $1, $2, 'resident', 'household', $3, $4 WHERE NOT EXISTS (SELECT 1 FROM "
                    "role_assignments x WHERE x.user_id = $2 AND x.role = 'resident' "
                    "AND x.scope_kind = 'household' AND x.scope_id = $3)",
                    4, add, &n))
                return false;
        }
    }
    /* A household nobody lives in any more gives access to no one, linked or not. */
    const int64_t empty[] = {cid, from};
    if (!follow_run(req, "DELETE FROM role_assignments WHERE community_id = $1 AND role = 'resident' "
                         "AND scope_kind = 'household' AND scope_id = $2 AND NOT EXISTS (SELECT 1 FROM residents r "
                         "WHERE r.community_id = $1 AND r.household_id = $2 AND r.moved_out_at IS NULL)", 2, empty, &n))
        return false;
    if (changed) *changed = n;
    return true;
}

/* ---------------------------------------------------------------- writes */

int registry_resident_create(http_req *req)
{
    int64_t household_id = 0;
    bool has_household;
    resident_input ri;
    if (!http_body_int_opt(req, "household_id", 1, INT64_MAX, &household_id, &has_household)) return -1;
    if (!has_household) return http_fail_field(req, "household_id", "err.required");
    if (!resident_parse(req, &ri, true)) return -1;
    const char *kind = ri.id_kind ? ri.id_kind : ri.id_number ? "cn_id" : NULL;
    if (!resident_check_id(req, &ri, kind ? kind : "cn_id", true)) return -1;
    if (!scope_household_visible(req, household_id)) return http_fail_not_found(req);
    sealed_id sid = {0};
    if (ri.id_number && !resident_seal_id(req, &ri, kind, &sid)) return -1;
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO residents (community_id, household_id, name, gender, birth_year, birth_date, phone, id_kind, "
        "id_cipher, id_hash, id_masked, languages, owner, floating, party_member, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, household_id);
    store_bind_text(st, 3, ri.name);
    store_bind_text(st, 4, ri.gender ? ri.gender : "");
    if (ri.has_birth_year) store_bind_int(st, 5, ri.birth_year); else store_bind_null(st, 5);
    store_bind_text(st, 6, ri.birth_date && *ri.birth_date ? ri.birth_date : NULL);
    store_bind_text(st, 7, ri.phone ? ri.phone : "");
    store_bind_text(st, 8, kind);
    store_bind_text(st, 9, sid.cipher);
    store_bind_text(st, 10, sid.cipher ? sid.hash : NULL);
    store_bind_text(st, 11, sid.masked);
    store_bind_text(st, 12, ri.languages ? ri.languages : "zh");
    store_bind_int(st, 13, ri.owner > 0);
    store_bind_int(st, 14, ri.floating > 0);
    store_bind_int(st, 15, ri.party_member > 0);
    store_bind_int(st, 16, now);
    int rc = store_step(st);
    int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "resident insert");
    if (!resident_reindex(req, id)) return -1;
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id,
                   json_pack("{s:O, s:I}", "fields", ri.fields, "household_id", (json_int_t)household_id));
    json_t *r = resident_read(req, id);
    return r ? http_reply(req, 201, json_pack("{s:o}", "resident", r)) : -1;
}

#define CURRENT_COLS \
    "SELECT r.name, r.gender, r.birth_year, r.birth_date, r.phone, r.id_kind, r.languages, r.owner, r.floating, " \
    "r.party_member, r.household_id, r.moved_out_at FROM residents r JOIN households h ON h.id = r.household_id " \
    "JOIN blocks b ON b.id = h.block_id WHERE r.community_id = $1 AND r.id = $3 AND "

/* Loads the resident's stored fields; 404 when outside the scope: the leader scope for
 * writes, the read scope (also the resident's own household) when `read`. */
static bool resident_current_scoped(http_req *req, int64_t id, resident_input *cur, int64_t *household_id,
                                    bool *moved_out, bool read)
{
    store_stmt *st = store_prepare(req->conn, read ? CURRENT_COLS SCOPE_HOUSEHOLD_READ : CURRENT_COLS SCOPE_HOUSEHOLD);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), false;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        memset(cur, 0, sizeof *cur);
        cur->name = arena_strdup(req->a, store_col_text(st, 0));
        cur->gender = arena_strdup(req->a, store_col_text(st, 1));
        cur->has_birth_year = !store_col_null(st, 2);
        cur->birth_year = store_col_int(st, 2);
        cur->birth_date = arena_strdup(req->a, store_col_text(st, 3));
        cur->phone = arena_strdup(req->a, store_col_text(st, 4));
        cur->id_kind = arena_strdup(req->a, store_col_text(st, 5));
        cur->languages = arena_strdup(req->a, store_col_text(st, 6));
        cur->owner = (int)store_col_int(st, 7);
        cur->floating = (int)store_col_int(st, 8);
        cur->party_member = (int)store_col_int(st, 9);
        if (household_id) *household_id = store_col_int(st, 10);
        if (moved_out) *moved_out = !store_col_null(st, 11);
    }
    store_done(st);
    if (!found) http_fail_not_found(req);
    return found;
}

static bool resident_current(http_req *req, int64_t id, resident_input *cur, int64_t *household_id, bool *moved_out)
{
    return resident_current_scoped(req, id, cur, household_id, moved_out, false);
}

int registry_resident_update(http_req *req)
{
    int64_t id;
    resident_input cur, ri;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_current(req, id, &cur, NULL, NULL)) return -1;
    if (!resident_parse(req, &ri, false)) return -1;
    const char *kind = ri.id_kind ? ri.id_kind : cur.id_kind ? cur.id_kind : "cn_id";
    if (!resident_check_id(req, &ri, kind, false)) return -1;
    sealed_id sid = {0};
    if (ri.id_number && !resident_seal_id(req, &ri, kind, &sid)) return -1;
    /* A new birth year without a date drops a date of another year. */
    const char *bdate = ri.birth_date ? ri.birth_date : cur.birth_date;
    int64_t byear = ri.has_birth_year ? ri.birth_year : cur.birth_year;
    bool has_year = ri.has_birth_year || cur.has_birth_year;
    if (bdate && *bdate && has_year && (int)strtol(bdate, NULL, 10) != byear) bdate = NULL;
    store_stmt *st = store_prepare(req->conn,
        "UPDATE residents SET name = $1, gender = $2, birth_year = $3, birth_date = $4, phone = $5, languages = $6, "
        "owner = $7, floating = $8, party_member = $9, updated_at = $10 WHERE id = $11 AND community_id = $12");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_text(st, 1, ri.name ? ri.name : cur.name);
    store_bind_text(st, 2, ri.gender ? ri.gender : cur.gender);
    if (has_year) store_bind_int(st, 3, byear); else store_bind_null(st, 3);
    store_bind_text(st, 4, bdate && *bdate ? bdate : NULL);
    store_bind_text(st, 5, ri.phone ? ri.phone : cur.phone);
    store_bind_text(st, 6, ri.languages ? ri.languages : cur.languages);
    store_bind_int(st, 7, ri.owner >= 0 ? ri.owner : cur.owner);
    store_bind_int(st, 8, ri.floating >= 0 ? ri.floating : cur.floating);
    store_bind_int(st, 9, ri.party_member >= 0 ? ri.party_member : cur.party_member);
    store_bind_int(st, 10, clock_now_us());
    store_bind_int(st, 11, id);
    store_bind_int(st, 12, req->actor.community_id);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "resident update");
    if (ri.id_number || ri.id_kind) {
        rc = store_run(req->conn, NULL,
                       "UPDATE residents SET id_kind = $1, id_cipher = CASE WHEN $2 = '' THEN id_cipher ELSE $2 END, "
                       "id_hash = CASE WHEN $3 = '' THEN id_hash ELSE $3 END, id_masked = CASE WHEN $4 = '' THEN "
                       "id_masked ELSE $4 END "
                       "WHERE id = $5 AND community_id = $6",
                       "ttttii", kind, sid.cipher ? sid.cipher : "", sid.cipher ? sid.hash : "",
                       sid.masked ? sid.masked : "", id, req->actor.community_id);
        if (rc != STORE_DONE) return http_fail_internal(req, "resident id update");
    }
    if ((ri.name || ri.phone || ri.id_number) && !resident_reindex(req, id)) return -1;
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id, json_pack("{s:O}", "fields", ri.fields));
    json_t *r = resident_read(req, id);
    return r ? http_reply(req, 200, json_pack("{s:o}", "resident", r)) : -1;
}

int registry_resident_move(http_req *req)
{
    int64_t id, from, to = 0;
    bool has_to, moved_out;
    resident_input cur;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_current(req, id, &cur, &from, &moved_out)) return -1;
    if (!http_body_int_opt(req, "household_id", 1, INT64_MAX, &to, &has_to)) return -1;
    if (!has_to) return http_fail_field(req, "household_id", "err.required");
    if (!scope_household_visible(req, to)) return http_fail_not_found(req);
    int rc = store_run(req->conn, NULL, "UPDATE residents SET household_id = $1, moved_out_at = NULL, updated_at = $2 "
                                        "WHERE id = $3 AND community_id = $4", "iiii", to, clock_now_us(), id,
                       req->actor.community_id);
    if (rc != STORE_DONE) return http_fail_internal(req, "resident move");
    if (!resident_reindex(req, id)) return -1;
    int64_t access = 0;
    if (!registry_access_follow(req, id, from, &access)) return http_fail_internal(req, "resident access");
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id, json_pack("{s:I, s:I, s:b, s:I}", "from_household_id", (json_int_t)from,
                                                  "to_household_id", (json_int_t)to, "moved_in", moved_out,
                                                  "access_changed", (json_int_t)access));
    json_t *r = resident_read(req, id);
    return r ? http_reply(req, 200, json_pack("{s:o}", "resident", r)) : -1;
}

int registry_resident_move_out(http_req *req)
{
    int64_t id, from;
    bool moved_out;
    resident_input cur;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_current(req, id, &cur, &from, &moved_out)) return -1;
    if (moved_out) return http_fail(req, 409, "conflict", NULL, "reg.err.moved_out");
    if (store_run(req->conn, NULL,
                  "UPDATE residents SET moved_out_at = $1, updated_at = $1 WHERE id = $2 AND community_id = $3", "iii",
                  clock_now_us(), id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "resident move out");
    int64_t access = 0;
    if (!registry_access_follow(req, id, from, &access)) return http_fail_internal(req, "resident access");
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id, json_pack("{s:I, s:I}", "from_household_id", (json_int_t)from,
                                                  "access_changed", (json_int_t)access));
    json_t *r = resident_read(req, id);
    return r ? http_reply(req, 200, json_pack("{s:o}", "resident", r)) : -1;
}

/* Committee only (route row); audited as resident.reveal_id without the number. */
int registry_resident_reveal_id(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn,
                                   "SELECT r.id_cipher FROM residents r JOIN households h ON h.id = r.household_id "
                                   "JOIN blocks b ON b.id = h.block_id "
                                   "WHERE r.community_id = $1 AND " SCOPE_HOUSEHOLD " AND r.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    if (store_step(st) != STORE_ROW) { store_done(st); return http_fail_not_found(req); }
    char *cipher = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    if (!cipher) return http_fail(req, 409, "conflict", "id_number", "reg.err.no_id");
    char *plain = secret_decrypt(req->cfg, cipher);
    if (!plain) return http_fail_internal(req, "id decrypt");
    json_t *body = json_pack("{s:s}", "id_number", plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    http_audit_target(req, "resident", id, json_pack("{s:s}", "field", "id_number"));
    return http_reply(req, 200, body);
}

/* ---------------------------------------------------------------- flags */

/* Resident {id} within the leader scope (writes), or the read scope when `read`. */
static bool resident_visible(http_req *req, int64_t id, bool *moved_out, bool read)
{
    resident_input cur;
    return resident_current_scoped(req, id, &cur, NULL, moved_out, read);
}

/* One entry, with who set and who closed it: user id and display name (NULL name when
 * the account is gone). Columns as FLAG_COLS. */
#define FLAG_COLS \
    "SELECT f.id, f.flag, f.detail, f.set_by, f.set_at, f.cleared_at, f.cleared_by, f.replaced_by, su.display_name, " \
    "cu.display_name FROM resident_flags f LEFT JOIN users su ON su.id = f.set_by " \
    "LEFT JOIN users cu ON cu.id = f.cleared_by WHERE f.community_id = $1 "

static json_t *json_id_or_null(store_stmt *st, int col)
{
    return store_col_null(st, col) ? json_null() : json_integer(store_col_int(st, col));
}

static json_t *json_time_or_null(store_stmt *st, int col)
{
    char when[32];
    if (store_col_null(st, col)) return json_null();
    clock_format_utc(store_col_int(st, col), when, sizeof when);
    return json_string(when);
}

static json_t *flag_item(http_req *req, store_stmt *st)
{
    json_t *detail = json_loads(store_col_text(st, 2), 0, NULL);
    const char *flag = store_col_text(st, 1);
    json_t *item = json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:o, s:s?, s:o, s:o, s:s?, s:o}",
        "id", (json_int_t)store_col_int(st, 0), "flag", flag, "label", registry_flag_label(req, flag),
        "detail", detail ? detail : json_object(), "set_at", json_time_or_null(st, 4), "current", store_col_null(st, 5),
        "set_by", json_id_or_null(st, 3), "set_by_name", store_col_text(st, 8), "cleared_at", json_time_or_null(st, 5),
        "cleared_by", json_id_or_null(st, 6), "cleared_by_name", store_col_text(st, 9),
        "replaced_by", json_id_or_null(st, 7));
    /* Who, with the role beside the name: a display name cannot pass for staff. */
    const char *set_label = http_by_label(req, store_col_int(st, 3), store_col_text(st, 8));
    const char *cleared_label = http_by_label(req, store_col_int(st, 6), store_col_text(st, 9));
    json_object_set_new(item, "set_by_label", set_label ? json_string(set_label) : json_null());
    json_object_set_new(item, "cleared_by_label", cleared_label ? json_string(cleared_label) : json_null());
    return item;
}

/* The flag entries of resident {id} (scope checked by the caller), id order: the
 * current ones, or every entry with history. NULL on a store error. */
static json_t *flag_entries(http_req *req, int64_t id, bool history)
{
    store_stmt *st = store_prepare(req->conn, FLAG_COLS "AND f.resident_id = $2 AND ($3 = 1 OR f.cleared_at IS NULL) "
                                              "ORDER BY f.id");
    if (!st) return NULL;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_int(st, 3, history ? 1 : 0);
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW) json_array_append_new(items, flag_item(req, st));
    store_done(st);
    return items;
}

int registry_flags_list(http_req *req)
{
    int64_t id;
    const char *history = http_query(req, "history");
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_visible(req, id, NULL, true)) return -1;
    json_t *items = flag_entries(req, id, history && !strcmp(history, "1"));
    if (!items) return http_fail_internal(req, store_errmsg(req->conn));
    return http_reply_list(req, "reg.list.flags", NULL, items, 0);
}

/* The changes of a resident's flags, newest first: each entry gives a "set" (or
 * "changed" when it replaced a current entry of the same flag) at set_at, and a
 * "cleared" at cleared_at unless a newer entry replaced it. The cursor is an offset
 * into that order: events have no id of their own, and a resident has few of them. */
static const list_column flag_history_columns[] = {
    {"at", "col.at"}, {"action_text", "col.action"}, {"label", "reg.col.flag"}, {"detail_text", "reg.col.flag_detail"},
    {"by_label", "reg.col.by"}, {0, 0},
};

int registry_flag_history(http_req *req)
{
    int64_t id, limit = http_list_limit(req), offset = http_list_cursor(req);
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_visible(req, id, NULL, true)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT e.action, e.entry_id, e.flag, e.detail, e.at, e.by_id, u.display_name FROM ("
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM resident_flags p WHERE p.community_id = $1 AND p.resident_id = $2 "
        "AND p.replaced_by = f.id) THEN 'changed' ELSE 'set' END AS action, f.id AS entry_id, f.flag AS flag, "
        "f.detail AS detail, f.set_at AS at, f.set_by AS by_id, 0 AS ord FROM resident_flags f "
        "WHERE f.community_id = $1 AND f.resident_id = $2 "
        "UNION ALL SELECT 'cleared', f.id, f.flag, f.detail, f.cleared_at, f.cleared_by, 1 FROM resident_flags f "
        "WHERE f.community_id = $1 AND f.resident_id = $2 AND f.cleared_at IS NOT NULL AND f.replaced_by IS NULL"
        ") e LEFT JOIN users u ON u.id = e.by_id ORDER BY e.at DESC, e.ord DESC, e.entry_id DESC LIMIT $3 OFFSET $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_int(st, 3, limit + 1);
    store_bind_int(st, 4, offset);
    json_t *items = json_array();
    int64_t n = 0;
    while (store_step(st) == STORE_ROW && n++ < limit) {
        const char *action = store_col_text(st, 0), *flag = store_col_text(st, 2);
        json_t *detail = json_loads(store_col_text(st, 3), 0, NULL);
        if (!detail) detail = json_object();
        char *detail_text = "";
        const char *key;
        json_t *v;
        /* A plain-text form of the detail for the CSV and the printed list. */
        json_object_foreach(detail, key, v) {
            char *one = json_is_string(v) ? arena_strdup(req->a, json_string_value(v)) : NULL;
            if (!one) {
                char *dumped = json_dumps(v, JSON_ENCODE_ANY);
                one = arena_strdup(req->a, dumped ? dumped : "");
                free(dumped);
            }
            detail_text = arena_printf(req->a, "%s%s%s: %s", detail_text, *detail_text ? "; " : "", key, one);
        }
        json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:s?}", "action", action,
            "action_text", i18n_text(req->lang, arena_printf(req->a, "reg.flag_action.%s", action)),
            "entry_id", (json_int_t)store_col_int(st, 1), "flag", flag, "label", registry_flag_label(req, flag),
            "detail", detail, "detail_text", detail_text, "at", json_time_or_null(st, 4), "by", json_id_or_null(st, 5),
            "by_name", store_col_text(st, 6)));
        const char *by_label = http_by_label(req, store_col_int(st, 5), store_col_text(st, 6));
        json_object_set_new(json_array_get(items, json_array_size(items) - 1), "by_label",
                            by_label ? json_string(by_label) : json_null());
    }
    store_done(st);
    return http_reply_list(req, "reg.list.flag_history", flag_history_columns, items, n > limit ? offset + limit : 0);
}

/* Field of the detail object: a string of min..max characters. */
static bool detail_str(http_req *req, json_t *detail, const char *key, bool required, size_t max, json_t *clean)
{
    json_t *v = json_object_get(detail, key);
    const char *field = arena_printf(req->a, "detail.%s", key);
    if (!v || json_is_null(v)) {
        if (required) return http_fail_field(req, field, "err.required"), false;
        return true;
    }
    if (!json_is_string(v)) return http_fail_field(req, field, "err.not_string"), false;
    const char *why = validate_text(json_string_value(v), 1, max);
    if (why) return http_fail_field(req, field, why), false;
    json_object_set(clean, key, v);
    return true;
}

static bool detail_date(http_req *req, json_t *detail, const char *key, bool required, json_t *clean)
{
    json_t *v = json_object_get(detail, key);
    const char *field = arena_printf(req->a, "detail.%s", key);
    if (!v || json_is_null(v)) {
        if (required) return http_fail_field(req, field, "err.required"), false;
        return true;
    }
    if (!json_is_string(v) || !registry_date_ok(json_string_value(v), NULL))
        return http_fail_field(req, field, "reg.err.date"), false;
    json_object_set(clean, key, v);
    return true;
}

/* The detail stored for a flag: the documented fields, checked; NULL with the
 * reply set when one is wrong. */
static json_t *flag_detail(http_req *req, const char *flag, json_t *detail)
{
    json_t *clean = json_object();
    arena_on_free(req->a, (void (*)(void *))json_decref, clean);
    if (!detail) detail = clean;
    bool ok = true;
    if (!strcmp(flag, "pregnant")) {
        ok = detail_date(req, detail, "due_date", true, clean) && detail_str(req, detail, "hospital", false, 64, clean);
    } else if (!strcmp(flag, "chronic_illness")) {
        ok = detail_str(req, detail, "condition", true, 64, clean) &&
            detail_str(req, detail, "medicine", false, 128, clean);
    } else if (!strcmp(flag, "no_smartphone")) {
        json_t *uid = json_object_get(detail, "relay_user_id");
        if (uid && !json_is_null(uid)) {
            if (!json_is_integer(uid)) return http_fail_field(req, "detail.relay_user_id", "err.not_integer"), NULL;
            if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE id = $1 AND community_id = $2", "ii",
                                 (int64_t)json_integer_value(uid), req->actor.community_id))
                return http_fail_field(req, "detail.relay_user_id", "reg.err.relay_user"), NULL;
            json_object_set(clean, "relay_user_id", uid);
        }
        ok = detail_str(req, detail, "relay_name", false, 64, clean) &&
            detail_str(req, detail, "relay", false, 32, clean);
        if (ok && !json_object_get(clean, "relay_user_id") && !json_object_get(clean, "relay_name"))
            return http_fail_field(req, "detail.relay_name", "reg.err.relay"), NULL;
    } else if (!strcmp(flag, "home_isolation")) {
        ok = detail_date(req, detail, "start", true, clean) && detail_date(req, detail, "planned_end", false, clean) &&
             detail_str(req, detail, "reason", false, 64, clean);
        json_t *end = json_object_get(clean, "planned_end");
        if (ok && end && strcmp(json_string_value(end), json_string_value(json_object_get(clean, "start"))) < 0)
            return http_fail_field(req, "detail.planned_end", "reg.err.date_order"), NULL;
    } else {
        /* alone_elderly, disabled, bedridden: short free-form facts (kind, grade, caregiver). */
        const char *key;
        json_t *v;
        json_object_foreach(detail, key, v) {
            if (json_object_size(clean) >= 8) break;
            if (json_is_string(v) && strlen(json_string_value(v)) <= 128 &&
                !validate_text(json_string_value(v), 0, 128))
                json_object_set(clean, key, v);
            else if (json_is_integer(v) || json_is_boolean(v)) json_object_set(clean, key, v);
            else return http_fail_field(req, arena_printf(req->a, "detail.%s", key), "err.not_string"), NULL;
        }
    }
    return ok ? clean : NULL;
}

int registry_flag_set(http_req *req)
{
    int64_t id;
    const char *flag;
    bool moved_out;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "flag", 1, 32, &flag)) return -1;
    if (!registry_flag_known(flag)) return http_fail_field(req, "flag", "reg.err.flag");
    json_t *detail = json_object_get(req->json, "detail");
    if (detail && !json_is_null(detail) && !json_is_object(detail))
        return http_fail_field(req, "detail", "reg.err.detail");
    if (!resident_visible(req, id, &moved_out, false)) return -1;
    if (moved_out) return http_fail(req, 409, "conflict", NULL, "reg.err.moved_out");
    json_t *clean = flag_detail(req, flag, json_is_object(detail) ? detail : NULL);
    if (!clean) return -1;
    char *text = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
    char *stored = arena_strdup(req->a, text);
    free(text);
    int64_t now = clock_now_us(), flag_id, replaced;
    store_stmt *st;
    if (store_run(req->conn, &st,
                  "INSERT INTO resident_flags (community_id, resident_id, flag, detail, set_by, set_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                  "iittii", req->actor.community_id, id, flag, stored, req->actor.user_id, now) != STORE_ROW)
        return http_fail_internal(req, "flag insert");
    flag_id = store_col_int(st, 0);
    store_done(st);
    /* Setting a flag again closes the previous entry, pointing at the new one: its
     * detail stays in the history, which shows the pair as one change. */
    st = store_prepare(req->conn, "UPDATE resident_flags SET cleared_at = $1, cleared_by = $2, replaced_by = $3 "
                                  "WHERE community_id = $4 AND resident_id = $5 AND flag = $6 AND cleared_at IS NULL "
                                  "AND id <> $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, req->actor.user_id);
    store_bind_int(st, 3, flag_id);
    store_bind_int(st, 4, req->actor.community_id);
    store_bind_int(st, 5, id);
    store_bind_text(st, 6, flag);
    int rc = store_step(st);
    replaced = store_changes(st);
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "flag close");
    json_t *item = NULL;
    if ((st = store_prepare(req->conn, FLAG_COLS "AND f.id = $2"))) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, flag_id);
        if (store_step(st) == STORE_ROW) item = flag_item(req, st);
        store_done(st);
    }
    if (!item) return http_fail_internal(req, "flag read");
    json_object_set_new(item, "action", json_string(replaced ? "changed" : "set"));
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id,
                   json_pack("{s:I, s:I}", "flag_id", (json_int_t)flag_id, "replaced", (json_int_t)replaced));
    return http_reply(req, 201, json_pack("{s:o}", "flag", item));
}

/* Closes the current entry of flag {flag}, recording who cleared it. */
int registry_flag_clear(http_req *req)
{
    int64_t id;
    const char *flag = http_param(req, "flag");
    if (!http_param_id(req, "id", &id)) return -1;
    if (!registry_flag_known(flag)) return http_fail_not_found(req);
    if (!resident_visible(req, id, NULL, false)) return -1;
    store_stmt *st = store_prepare(req->conn,
                                   "UPDATE resident_flags SET cleared_at = $1, cleared_by = $5 "
                                   "WHERE community_id = $2 AND resident_id = $3 AND flag = $4 AND cleared_at IS NULL");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, clock_now_us());
    store_bind_int(st, 2, req->actor.community_id);
    store_bind_int(st, 3, id);
    store_bind_text(st, 4, flag);
    store_bind_int(st, 5, req->actor.user_id);
    int rc = store_step(st);
    int64_t changed = store_changes(st);
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "flag clear");
    if (!changed) return http_fail_not_found(req);
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id, json_pack("{s:I}", "flags_cleared", (json_int_t)changed));
    return http_reply(req, 200, json_pack("{s:b}", "ok", 1));
}

/* ---------------------------------------------------------------- travel */

static json_t *travel_item(store_stmt *st)
{
    char created[32];
    clock_format_utc(store_col_int(st, 4), created, sizeof created);
    return json_pack("{s:I, s:s, s:s, s:s?, s:s}", "id", (json_int_t)store_col_int(st, 0), "place",
                     store_col_text(st, 1), "from_date", store_col_text(st, 2), "to_date", store_col_text(st, 3),
                     "created_at", created);
}

static json_t *travel_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    return travel_item(st);
}

int registry_travel_list(http_req *req)
{
    int64_t id, limit = http_list_limit(req);
    if (!http_param_id(req, "id", &id)) return -1;
    if (!resident_visible(req, id, NULL, true)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT id, place, from_date, to_date, created_at FROM resident_travel WHERE community_id = $1 "
        "AND resident_id = $2 AND id > $3 ORDER BY id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, travel_row, NULL, &next_after);
    return http_reply_list(req, "reg.list.travel", NULL, items, next_after);
}

int registry_travel_add(http_req *req)
{
    int64_t id;
    const char *place, *from, *to = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "place", 1, 128, &place)) return -1;
    if (!http_body_str(req, "from_date", 1, 10, &from)) return -1;
    if (!registry_date_ok(from, NULL)) return http_fail_field(req, "from_date", "reg.err.date");
    if (!http_body_str_opt(req, "to_date", 1, 10, &to)) return -1;
    if (to && !registry_date_ok(to, NULL)) return http_fail_field(req, "to_date", "reg.err.date");
    if (to && strcmp(to, from) < 0) return http_fail_field(req, "to_date", "reg.err.date_order");
    if (!resident_visible(req, id, NULL, false)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st,
                  "INSERT INTO resident_travel (community_id, resident_id, place, from_date, to_date, "
                  "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                  "RETURNING id, place, from_date, to_date, created_at",
                  "iitttii", req->actor.community_id, id, place, from, to, req->actor.user_id,
                  clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "travel insert");
    json_t *item = travel_item(st);
    int64_t tid = store_col_int(st, 0);
    store_done(st);
    req->on_behalf_of = id;
    http_audit_target(req, "resident", id, json_pack("{s:I}", "travel_id", (json_int_t)tid));
    return http_reply(req, 201, json_pack("{s:o}", "travel", item));
}
