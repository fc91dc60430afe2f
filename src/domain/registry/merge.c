/* merge.c — duplicate residents and the change history of registry records:
 *   GET  /api/v1/residents/duplicates       likely duplicate pairs (committee)
 *   POST /api/v1/residents/{id}/merge       merge {id} into {"into": id} (committee)
 *   GET  /api/v1/households/{id}/history    the audit log of a household (leaders in scope)
 *   GET  /api/v1/residents/{id}/history     the audit log of a resident (leaders in scope)
 * Scope as in registry.h: $1 community, $2 actor, household `h` and block `b` joined;
 * a record outside the scope is not found (404).
 *
 * A merge moves every row that references the duplicate to the kept record, in one
 * transaction: flags with their history (a flag current on both closes the duplicate's
 * entry, which stays in the history), travel, and sweep answers given on its behalf. When
 * a table referencing residents is added, its UPDATE belongs in merge_move_rows. */
#include "registry_int.h"
#include "search_terms.h"
#include "../../core/clock.h"
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- one resident */

typedef struct person {
    int64_t id, household_id, birth_year, merged_into;
    bool has_birth_year, moved_out, has_id;
    char *name, *gender, *birth_date, *phone, *id_kind, *id_cipher, *id_hash, *id_masked, *room, *block_name;
} person;

#define PERSON_COLS \
    "SELECT r.id, r.household_id, r.birth_year, r.merged_into, r.moved_out_at, r.name, r.gender, r.birth_date, " \
    "r.phone, r.id_kind, r.id_cipher, r.id_hash, r.id_masked, h.room, b.name " \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id " \
    "WHERE r.community_id = $1 AND " SCOPE_HOUSEHOLD " AND r.id = $3"

/* Loads resident id as the actor sees it; false when not found (no reply set). */
static bool person_load(http_req *req, int64_t id, person *p)
{
    store_stmt *st = store_prepare(req->conn, PERSON_COLS);
    if (!st) return false;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        memset(p, 0, sizeof *p);
        p->id = store_col_int(st, 0);
        p->household_id = store_col_int(st, 1);
        p->has_birth_year = !store_col_null(st, 2);
        p->birth_year = store_col_int(st, 2);
        p->merged_into = store_col_int(st, 3);
        p->moved_out = !store_col_null(st, 4);
        char **txt[] = {&p->name, &p->gender, &p->birth_date, &p->phone, &p->id_kind, &p->id_cipher, &p->id_hash,
                        &p->id_masked, &p->room, &p->block_name};
        for (int i = 0; i < 10; i++) *txt[i] = arena_strdup(req->a, store_col_text(st, 5 + i));
        p->has_id = p->id_hash != NULL;
    }
    store_done(st);
    return found;
}

static json_t *person_json(const person *p)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:I, s:s, s:s, s:b}", "id", (json_int_t)p->id, "name", p->name,
                  "gender", p->gender ? p->gender : "", "birth_date", p->birth_date, "phone", p->phone ? p->phone : "",
                  "id_masked", p->id_masked, "household_id", (json_int_t)p->household_id, "room",
                  p->room ? p->room : "", "block_name", p->block_name ? p->block_name : "", "moved_out", p->moved_out);
    json_object_set_new(o, "birth_year", p->has_birth_year ? json_integer(p->birth_year) : json_null());
    return o;
}

/* ---------------------------------------------------------------- duplicates */

static bool both(const char *a, const char *b) { return a && *a && b && *b; }

/* The fields two records share, and those both have but with different values. */
static void compare_people(const person *a, const person *b, json_t *same, json_t *differs)
{
    struct { const char *field; bool have, equal; } f[] = {
        {"name", both(a->name, b->name), both(a->name, b->name) && !strcmp(a->name, b->name)},
        {"gender", both(a->gender, b->gender), both(a->gender, b->gender) && !strcmp(a->gender, b->gender)},
        {"birth_year", a->has_birth_year && b->has_birth_year, a->birth_year == b->birth_year},
        {"birth_date", both(a->birth_date, b->birth_date),
         both(a->birth_date, b->birth_date) && !strcmp(a->birth_date, b->birth_date)},
        {"phone", both(a->phone, b->phone), both(a->phone, b->phone) && !strcmp(a->phone, b->phone)},
        {"id_number", a->has_id && b->has_id, a->has_id && b->has_id && !strcmp(a->id_hash, b->id_hash)},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i].have) json_array_append_new(f[i].equal ? same : differs, json_string(f[i].field));
}

/* "姓名、出生年份" / "name, birth year": the fields in words, for exports and prints. */
/* "1号楼1单元 101", or the room alone when it already starts with the block's name
 * (1号楼1单元101, as imported rooms often are): a place is never named twice. */
static const char *merge_place(http_req *req, const person *p)
{
    const char *block = p->block_name ? p->block_name : "", *room = p->room ? p->room : "";
    size_t n = strlen(block);
    if (!n || !strncmp(room, block, n)) return room;
    return arena_printf(req->a, "%s %s", block, room);
}

static const char *fields_text(http_req *req, json_t *fields)
{
    const char *text = "";
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f) {
        const char *word = i18n_text(req->lang, arena_printf(req->a, "mrg.field.%s", json_string_value(f)));
        text = arena_printf(req->a, "%s%s%s", text, *text ? (req->lang == LANG_ZH ? "、" : ", ") : "", word);
    }
    return text;
}

static const list_column duplicate_columns[] = {
    {"id", "col.id"}, {"reason", "mrg.col.reason"}, {"same_text", "mrg.col.same"}, {"differs_text", "mrg.col.differs"},
    {"duplicate_name", "mrg.col.duplicate"},
    {"duplicate_place", "mrg.col.duplicate_place"}, {"keep_id", "mrg.col.keep_id"}, {"keep_name", "mrg.col.keep"},
    {"keep_place", "mrg.col.keep_place"}, {0, 0},
};

/* GET /residents/duplicates: pairs of records that may be one person (the same ID
 * hash, or the same name with the same birth year or phone and no differing ID), each
 * side shown with what is the same and what differs. */
static int duplicates_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    /* Per current resident, the earliest unmerged record with the same name and birth
     * year or phone — never one whose ID number differs: two numbers are two people —
     * and the earliest with the same ID number: a moved-out record, or an
     * older current one (a number registered twice is accepted and flagged here, see
     * registry_people.c). Each subquery uses an index (name, id_hash). */
    store_stmt *st = store_prepare(req->conn,
        "SELECT p.did, COALESCE(p.by_name, 0), COALESCE(p.by_id, 0), p.same_year FROM (SELECT d.id AS did, "
        "(SELECT MIN(x.id) FROM residents x WHERE x.community_id = $1 AND x.name = d.name AND x.id <> d.id "
        "AND x.merged_into IS NULL AND (x.id < d.id OR x.moved_out_at IS NOT NULL) "
        "AND (x.birth_year = d.birth_year OR (x.phone <> '' AND x.phone = d.phone)) "
        "AND (x.id_hash IS NULL OR d.id_hash IS NULL OR x.id_hash = d.id_hash)) AS by_name, "
        "(SELECT MIN(y.id) FROM residents y WHERE y.community_id = $1 AND y.id_hash = d.id_hash AND y.id <> d.id "
        "AND y.merged_into IS NULL AND (y.id < d.id OR y.moved_out_at IS NOT NULL)) AS by_id, "
        "(SELECT COUNT(*) FROM residents z WHERE z.community_id = $1 AND z.name = d.name AND z.id <> d.id "
        "AND z.merged_into IS NULL AND z.birth_year = d.birth_year) AS same_year "
        "FROM residents d JOIN households h ON h.id = d.household_id JOIN blocks b ON b.id = h.block_id "
        "WHERE d.community_id = $1 AND " SCOPE_HOUSEHOLD " AND d.moved_out_at IS NULL AND d.merged_into IS NULL "
        "AND d.id > $3) p WHERE p.by_name IS NOT NULL OR p.by_id IS NOT NULL ORDER BY p.did LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    /* Rows are read first: person_load needs statements of its own meanwhile. */
    json_t *raw = json_array();
    int64_t n = 0, next_after = 0;
    while (store_step(st) == STORE_ROW) {
        if (n++ == limit) {
            next_after = json_integer_value(json_array_get(json_array_get(raw, json_array_size(raw) - 1), 0));
            break;
        }
        json_array_append_new(raw,
                              json_pack("[I, I, I, I]", (json_int_t)store_col_int(st, 0),
                                        (json_int_t)store_col_int(st, 1), (json_int_t)store_col_int(st, 2),
                                        (json_int_t)store_col_int(st, 3)));
    }
    store_done(st);
    json_t *items = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(raw, i, row) {
        int64_t d = json_integer_value(json_array_get(row, 0)), by_name = json_integer_value(json_array_get(row, 1));
        int64_t by_id = json_integer_value(json_array_get(row, 2)),
                other = by_id && (!by_name || by_id < by_name) ? by_id : by_name;
        const char *reason = other == by_id              ? "id_number"
            : json_integer_value(json_array_get(row, 3)) ? "name_birth_year"
                                                         : "name_phone";
        person pd, po;
        if (!person_load(req, d, &pd) || !person_load(req, other, &po)) continue;
        const person *keep = po.moved_out ? &pd : &po, *dup = po.moved_out ? &po : &pd;
        json_t *item = json_pack("{s:I, s:s, s:o, s:o, s:I, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)d,
                                 "reason", reason, "duplicate", person_json(dup), "keep", person_json(keep),
                                 "duplicate_id", (json_int_t)dup->id, "duplicate_name", dup->name,
                                 "duplicate_place", merge_place(req, dup),
                                 "keep_id", (json_int_t)keep->id, "keep_name", keep->name, "keep_place",
                                 merge_place(req, keep));
        /* Why the pair is proposed and what tells them apart, for the page to show. */
        json_t *same = json_array(), *differs = json_array();
        compare_people(dup, keep, same, differs);
        json_object_set_new(item, "same", same);
        json_object_set_new(item, "differs", differs);
        json_object_set_new(item, "same_text", json_string(fields_text(req, same)));
        json_object_set_new(item, "differs_text", json_string(fields_text(req, differs)));
        json_array_append_new(items, item);
    }
    json_decref(raw);
    return http_reply_list(req, "mrg.list.duplicates", duplicate_columns, items, next_after);
}

/* ---------------------------------------------------------------- merge */

/* Moves every row that references resident `from` to `to`; counts into detail. */
static bool merge_move_rows(http_req *req, int64_t from, int64_t to, json_t *moved)
{
    int64_t cid = req->actor.community_id, now = clock_now_us();
    /* A flag current on both: the duplicate's entry is closed, so one stays current; the
     * flag history shows it cleared by the account that merged. */
    if (store_run(
            req->conn, NULL,
            "UPDATE resident_flags SET cleared_at = $1, cleared_by = $5 WHERE community_id = $2 AND resident_id = $3 "
            "AND cleared_at IS NULL AND flag IN (SELECT k.flag FROM resident_flags k WHERE k.community_id = $2 "
            "AND k.resident_id = $4 AND k.cleared_at IS NULL)",
            "iiiii", now, cid, from, to, req->actor.user_id) != STORE_DONE)
        return false;
    static const struct { const char *key, *sql;
    } moves[] = {
        {"flags", "UPDATE resident_flags SET resident_id = $1 WHERE community_id = $2 AND resident_id = $3"},
        {"travel", "UPDATE resident_travel SET resident_id = $1 WHERE community_id = $2 AND resident_id = $3"},
        {"sweep_answers", "UPDATE sweep_answers SET on_behalf_of = $1 WHERE community_id = $2 AND on_behalf_of = $3"},
        {"signups", "UPDATE signups SET resident_id = $1 WHERE community_id = $2 AND resident_id = $3"},
        /* A zone or block post held by the duplicate is held by the kept record. */
        {"posts", "UPDATE structure_leaders SET resident_id = $1 WHERE community_id = $2 AND resident_id = $3"},
        /* The duplicate's account and paper code serve the kept record when it has none. */
        {"account",
         "UPDATE resident_accounts SET resident_id = $1 WHERE community_id = $2 AND resident_id = $3 "
         "AND NOT EXISTS (SELECT 1 FROM resident_accounts k WHERE k.community_id = $2 AND k.resident_id = $1)"},
        {"scan_code",
         "UPDATE scan_codes SET target_id = $1 WHERE community_id = $2 AND kind = 'resident' "
         "AND target_id = $3 AND revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM scan_codes k "
         "WHERE k.community_id = $2 AND k.kind = 'resident' AND k.target_id = $1 AND k.revoked_at IS NULL)"},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        store_stmt *st = store_prepare(req->conn, moves[i].sql);
        if (!st) return false;
        store_bind_int(st, 1, to);
        store_bind_int(st, 2, cid);
        store_bind_int(st, 3, from);
        int rc = store_step(st);
        json_object_set_new(moved, moves[i].key, json_integer(rc == STORE_DONE ? store_changes(st) : 0));
        store_done(st);
        if (rc != STORE_DONE) return false;
    }
    /* A second paper code for the same person would only confuse a station: revoked. */
    return store_run(req->conn, NULL,
                     "UPDATE scan_codes SET revoked_at = $1 WHERE community_id = $2 AND kind = 'resident' "
                     "AND target_id = $3 AND revoked_at IS NULL",
                     "iii", now, cid, from) == STORE_DONE;
}

/* POST /residents/{id}/merge: checks both records, keeps the chosen values, moves the
 * duplicate's rows to the kept record (merge_move_rows), lets the account link follow
 * (registry_access_follow) and retires the duplicate, all in this one write: the steps
 * must not be seen apart. */
static int resident_merge(http_req *req)
{
    int64_t id, into = 0;
    bool has_into;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_int_opt(req, "into", 1, INT64_MAX, &into, &has_into)) return -1;
    if (!has_into) return http_fail_field(req, "into", "err.required");
    if (into == id) return http_fail_field(req, "into", "mrg.err.self");
    person dup, keep;
    if (!person_load(req, id, &dup)) return http_fail_not_found(req);
    if (!person_load(req, into, &keep)) return http_fail(req, 404, "not_found", "into", "mrg.err.into_unknown");
    if (dup.merged_into) return http_fail(req, 409, "conflict", NULL, "mrg.err.merged");
    if (keep.merged_into || keep.moved_out) return http_fail(req, 409, "conflict", "into", "mrg.err.into_moved_out");
    /* Two different ID numbers are two people, whatever else they share. */
    if (dup.has_id && keep.has_id && strcmp(dup.id_hash, keep.id_hash))
        return http_fail(req, 409, "conflict", "into", "mrg.err.id_differs");
    int64_t now = clock_now_us(), cid = req->actor.community_id;
    /* The duplicate leaves first, so that lists never show both as current. */
    if (store_run(req->conn, NULL,
                  "UPDATE residents SET merged_into = $1, moved_out_at = COALESCE(moved_out_at, $2), "
                  "updated_at = $2 WHERE id = $3 AND community_id = $4",
                  "iiii", into, now, id, cid) != STORE_DONE)
        return http_fail_internal(req, "merge mark");
    json_t *filled = json_array();
    json_t *detail = json_pack("{s:I, s:I, s:o, s:o}", "merged_id", (json_int_t)id, "into_id", (json_int_t)into,
                               "filled", filled, "moved", json_object());
    http_audit_target(req, "resident", into, detail);
    bool gender = (!keep.gender || !*keep.gender) && dup.gender && *dup.gender;
    bool year = !keep.has_birth_year && dup.has_birth_year;
    bool date = !keep.birth_date && dup.birth_date && (!keep.has_birth_year || keep.birth_year == dup.birth_year);
    bool phone = (!keep.phone || !*keep.phone) && dup.phone && *dup.phone;
    bool idn = !keep.has_id && dup.has_id;
    if (gender) json_array_append_new(filled, json_string("gender"));
    if (year) json_array_append_new(filled, json_string("birth_year"));
    if (date) json_array_append_new(filled, json_string("birth_date"));
    if (phone) json_array_append_new(filled, json_string("phone"));
    if (idn) json_array_append_new(filled, json_string("id_number"));
    store_stmt *st = store_prepare(
        req->conn,
        "UPDATE residents SET gender = CASE WHEN $1 = 1 THEN (SELECT d.gender FROM residents d WHERE d.id = $7) ELSE "
        "gender END, "
        "birth_year = CASE WHEN $2 = 1 THEN (SELECT d.birth_year FROM residents d WHERE d.id = $7) ELSE birth_year "
        "END, "
        "birth_date = CASE WHEN $3 = 1 THEN (SELECT d.birth_date FROM residents d WHERE d.id = $7) ELSE birth_date "
        "END, "
        "phone = CASE WHEN $4 = 1 THEN (SELECT d.phone FROM residents d WHERE d.id = $7) ELSE phone END, "
        "id_kind = CASE WHEN $5 = 1 THEN (SELECT d.id_kind FROM residents d WHERE d.id = $7) ELSE id_kind END, "
        "id_cipher = CASE WHEN $5 = 1 THEN (SELECT d.id_cipher FROM residents d WHERE d.id = $7) ELSE id_cipher END, "
        "id_hash = CASE WHEN $5 = 1 THEN (SELECT d.id_hash FROM residents d WHERE d.id = $7) ELSE id_hash END, "
        "id_masked = CASE WHEN $5 = 1 THEN (SELECT d.id_masked FROM residents d WHERE d.id = $7) ELSE id_masked END, "
        "party_member = CASE WHEN (SELECT d.party_member FROM residents d WHERE d.id = $7) = 1 THEN 1 ELSE "
        "party_member END, "
        "updated_at = $6 WHERE id = $8 AND community_id = $9");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, gender);
    store_bind_int(st, 2, year);
    store_bind_int(st, 3, date);
    store_bind_int(st, 4, phone);
    store_bind_int(st, 5, idn);
    store_bind_int(st, 6, now);
    store_bind_int(st, 7, id);
    store_bind_int(st, 8, into);
    store_bind_int(st, 9, cid);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "merge fill");
    if ((phone || idn) && search_terms_resident(req->conn, cid, into) != STORE_OK)
        return http_fail_internal(req, "search terms");
    if (!merge_move_rows(req, id, into, json_object_get(detail, "moved"))) return http_fail_internal(req, "merge move");
    /* Two accounts for one person: staff must first decide which one stays (rolled back). */
    if (store_query_int(req->conn, 0,
                        "SELECT COUNT(*) FROM resident_accounts WHERE community_id = $1 AND resident_id = $2", "ii",
                        cid, id) > 0)
        return http_fail(req, 409, "conflict", "into", "mrg.err.both_accounts");
    /* The account that came with the duplicate reaches the kept record's household, no
     * longer the duplicate's (registry.h). */
    int64_t access = 0;
    if (!registry_access_follow(req, into, dup.household_id, &access)) return http_fail_internal(req, "merge access");
    json_object_set_new(detail, "access_changed", json_integer(access));
    req->on_behalf_of = into;
    person kept;
    if (!person_load(req, into, &kept)) return http_fail_internal(req, "merge read");
    return http_reply(req, 200,
                      json_pack("{s:o, s:I, s:O}", "resident", person_json(&kept), "merged_id", (json_int_t)id, "moved",
                                json_object_get(detail, "moved")));
}

/* ---------------------------------------------------------------- history */

static const list_column history_columns[] = {
    {"at", "col.at"}, {"action", "col.action"}, {"user_name", "mrg.col.user"}, {"fields_text", "mrg.col.fields"},
    {0, 0},
};

static json_t *history_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    char when[32];
    clock_format_utc(store_col_int(st, 1), when, sizeof when);
    json_t *detail = json_loads(store_col_text(st, 6), 0, NULL);
    if (!json_is_object(detail)) { json_decref(detail); detail = json_object(); }
    /* The names of what changed: the "fields" list and the other keys of the detail. */
    json_t *fields = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(detail, key, v) {
        if (!strcmp(key, "fields") && json_is_array(v)) {
            size_t i;
            json_t *f;
            json_array_foreach(v, i, f) if (json_is_string(f)) json_array_append(fields, f);
        } else json_array_append_new(fields, json_string(key));
    }
    char text[512] = "";
    size_t i, len = 0;
    json_t *f;
    json_array_foreach(fields, i, f) len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                                             "%s%s", i ? ", " : "", json_string_value(f));
    json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "id", (json_int_t)store_col_int(st, 0), "at",
                             when, "action", store_col_text(st, 2), "target_type", store_col_text(st, 4), "user_name",
                             store_col_text(st, 7) ? store_col_text(st, 7) : "", "fields", fields, "fields_text", text,
                             "detail", detail);
    json_object_set_new(item, "user_id", store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3)));
    json_object_set_new(item, "target_id", store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
    return item;
}

/* Newest first: the cursor is the last id shown, the next page has smaller ids.
 * `extra` matches entries about other records that name this one in their detail. */
static int history_reply(http_req *req, const char *type, int64_t id, const char *extra_key, const char *title)
{
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn,
        "SELECT a.id, a.at, a.action, a.user_id, a.target_type, a.target_id, a.detail, u.display_name "
        "FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.community_id = $1 "
        "AND ((a.target_type = $2 AND a.target_id = $3) OR (a.target_type = 'resident' "
        "AND REPLACE(a.detail, '}', ',') LIKE $4)) AND ($5 = 0 OR a.id < $5) ORDER BY a.id DESC LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, type);
    store_bind_int(st, 3, id);
    store_bind_text(st, 4, arena_printf(req->a, "%%%s\":%lld,%%", extra_key, (long long)id));
    store_bind_int(st, 5, cursor);
    store_bind_int(st, 6, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, history_row, NULL, &next_after);
    return http_reply_list(req, title, history_columns, items, next_after);
}

static int household_history(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!scope_household_visible(req, id)) return http_fail_not_found(req);
    /* Residents' entries naming the household: created in it, moved in or out of it. */
    return history_reply(req, "household", id, "household_id", "mrg.list.household_history");
}

static int resident_history(http_req *req)
{
    int64_t id;
    person p;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!person_load(req, id, &p)) return http_fail_not_found(req);
    /* The merge of this record into another is recorded on the kept one. */
    return history_reply(req, "resident", id, "merged_id", "mrg.list.resident_history");
}

const http_route merge_routes[] = {
    {"GET", "/api/v1/residents/duplicates", NULL, duplicates_list, ROLE_COMMITTEE, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/residents/{id}/merge", NULL, resident_merge, ROLE_COMMITTEE, ROUTE_WRITE, 1024, "resident.merge"},
    {"GET", "/api/v1/households/{id}/history", NULL, household_history, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/residents/{id}/history", NULL, resident_history, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};

const i18n_entry merge_messages[] = {
    {"mrg.list.duplicates", "疑似重复居民", "Likely duplicate residents"},
    {"mrg.list.household_history", "住户变更记录", "Household history"},
    {"mrg.list.resident_history", "居民变更记录", "Resident history"},
    {"mrg.col.reason", "疑似原因", "Reason"},
    {"mrg.col.same", "相同", "Same"},
    {"mrg.col.differs", "不同", "Differs"},
    {"mrg.field.name", "姓名", "name"},
    {"mrg.field.gender", "性别", "gender"},
    {"mrg.field.birth_year", "出生年份", "birth year"},
    {"mrg.field.birth_date", "出生日期", "birth date"},
    {"mrg.field.phone", "手机", "phone"},
    {"mrg.field.id_number", "证件号码", "ID number"},
    {"mrg.err.id_differs", "两条记录的证件号码不同，是两个人，不能合并",
     "The two records have different ID numbers: they are two people and cannot be merged"},
    {"mrg.col.duplicate", "重复记录", "Duplicate"},
    {"mrg.col.duplicate_place", "重复记录住址", "Duplicate's address"},
    {"mrg.col.keep_id", "保留记录编号", "Kept record id"},
    {"mrg.col.keep", "保留记录", "Kept record"},
    {"mrg.col.keep_place", "保留记录住址", "Kept record's address"},
    {"mrg.col.user", "操作人", "By"},
    {"mrg.col.fields", "变更内容", "Changed"},
    {"mrg.err.both_accounts", "两条记录都已关联账号，无法自动合并",
     "Both records are linked to an account and cannot be merged automatically"},
    {"mrg.err.self", "不能把居民合并到其本身", "A resident cannot be merged into itself"},
    {"mrg.err.into_unknown", "本社区没有要保留的这条居民记录", "No such resident to keep in this community"},
    {"mrg.err.merged", "该记录已被合并", "This record has already been merged"},
    {"mrg.err.into_moved_out", "要保留的记录已迁出或已被合并", "The record to keep has moved out or was merged"},
    {0, 0, 0},
};
