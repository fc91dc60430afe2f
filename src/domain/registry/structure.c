/* structure.c — who leads the community's parts: zone leader and deputy (片区正副区长),
 * a building's block leader (楼组长), a courtyard's committee of 3-7 residents (院委会).
 * Owns structure_leaders (009_structure.sql), the zone edits the registry lacks (GET and
 * PATCH /zones/{id}), the leaders_text of the zone and block lists, and the dashboard
 * tile "blocks without a leader".
 *
 * A post is held by a resident, a user account, or both. A post naming an account
 * carries that account's scope: zone_leader over the zone or block_leader over the
 * block. The PUT that sets the posts creates the role assignment and removes it once no
 * post needs it any more, in the same write job, so a scope never outlives its post.
 * (A scope granted by hand for the same zone or block is then removed too: the post is
 * where the committee records who leads what.)
 *
 * Where a resident must live: a zone post, in a block of that zone; a building's
 * leader, in that block or another block of its zone; a courtyard committee member, in
 * that courtyard (the committee is elected by the courtyard's households). An account
 * alone may hold any post of its community (a sunk-down cadre, a staff member).
 *
 * Reads follow registry.h: committee staff see the community, leaders their scope, a
 * zone or block outside it is not found (404). Writes are committee staff's. */
#include "registry_int.h"
#include "../accounts/accounts.h"
#include "../dashboard.h"
#include "../../core/clock.h"
#include <stdio.h>
#include <string.h>


/* The zone scope of registry.c: committee, the zone's leaders, leaders of its blocks. */
/* A courtyard committee's size, as the registry issue gives it. */
#define COMMITTEE_MIN 3
#define COMMITTEE_MAX 7

typedef struct post {
    const char *position;     /* "leader", "deputy", "member" */
    int64_t resident_id;      /* 0: none */
    int64_t user_id;          /* 0: none */
} post;

/* Where a post's resident must live (see the file header). */
typedef enum { LIVES_IN_ZONE, LIVES_NEAR_BLOCK, LIVES_IN_COURTYARD } lives_rule;

/* ---------------------------------------------------------------- reading posts */

#define POST_SELECT \
    "SELECT sl.id, sl.position, sl.resident_id, r.name, r.phone, h.room, h.block_id, sl.user_id, u.display_name, " \
    "u.username, (SELECT a.user_id FROM resident_accounts a WHERE a.community_id = sl.community_id " \
    "AND a.resident_id = sl.resident_id) " \
    "FROM structure_leaders sl LEFT JOIN residents r ON r.id = sl.resident_id " \
    "LEFT JOIN households h ON h.id = r.household_id LEFT JOIN users u ON u.id = sl.user_id " \
    "WHERE sl.community_id = $1 AND "
#define POST_ORDER " ORDER BY CASE sl.position WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, sl.id"

/* The posts of a zone or block, leader first: [{id, position, name, resident, user}].
 * The resident comes with name, phone and room, the account with its display name.
 * NULL on a read error. */
static json_t *posts_read(http_req *req, bool zone, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, zone ? POST_SELECT "sl.zone_id = $2" POST_ORDER
                                                   : POST_SELECT "sl.block_id = $2" POST_ORDER);
    if (!st) return NULL;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    json_t *out = json_array();
    while (store_step(st) == STORE_ROW) {
        json_t *p = json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0), "position", store_col_text(st, 1));
        const char *name = NULL;
        if (store_col_null(st, 2)) {
            json_object_set_new(p, "resident", json_null());
        } else {
            name = store_col_text(st, 3);
            json_object_set_new(p, "resident", json_pack("{s:I, s:s?, s:s?, s:s?, s:I}",
                "id", (json_int_t)store_col_int(st, 2), "name", store_col_text(st, 3),
                "phone", store_col_text(st, 4), "room", store_col_text(st, 5),
                "block_id", (json_int_t)store_col_int(st, 6)));
        }
        if (store_col_null(st, 7)) {
            json_object_set_new(p, "user", json_null());
        } else {
            if (!name) name = store_col_text(st, 8);
            json_object_set_new(p, "user", json_pack("{s:I, s:s?, s:s?}", "id", (json_int_t)store_col_int(st, 7),
                                                     "display_name", store_col_text(st, 8),
                                                     "username", store_col_text(st, 9)));
        }
        /* The account the post's resident has (as a resident), which a login for the
         * post would take over instead of making a second one. */
        json_object_set_new(p, "resident_user_id", store_col_null(st, 10) ? json_null()
                                                                          : json_integer(store_col_int(st, 10)));
        json_object_set_new(p, "name", json_string(name ? name : ""));
        json_array_append_new(out, p);
    }
    store_done(st);
    return out;
}

/* The label of a post in the printed lists: 片区长 / 副片区长, 楼组长, 院委会主任. */
static const char *position_key(const char *position, bool zone, bool courtyard)
{
    if (zone) return !strcmp(position, "deputy") ? "structure.pos.zone_deputy" : "structure.pos.zone_leader";
    if (courtyard) return !strcmp(position, "leader") ? "structure.pos.courtyard_leader" : NULL;
    return "structure.pos.block_leader";
}

/* Appends one holder to the text of a list item: "周建国（片区长）、王秀英（副片区长）". */
static void text_append(http_req *req, json_t *item, const char *name, const char *label)
{
    const char *old = json_string_value(json_object_get(item, "leaders_text"));
    bool zh = req->lang == LANG_ZH;
    const char *sep = old && *old ? (zh ? "、" : ", ") : "";
    char *s = label ? arena_printf(req->a, zh ? "%s%s%s（%s）" : "%s%s%s (%s)", old ? old : "", sep, name,
                                   i18n_text(req->lang, label))
                    : arena_printf(req->a, "%s%s%s", old ? old : "", sep, name);
    json_object_set_new(item, "leaders_text", json_string(s));
}

/* Adds "leaders_text" (the holders' names and posts, for printed lists) to every item
 * of a page of the zone or block list. The page is in id order, so one query over the
 * id range of the page serves it, walked beside the items. Items of a failed read get
 * an empty text: the list itself matters more than this column. */
void structure_list_leaders_text(http_req *req, json_t *items, bool zones)
{
    size_t n = json_array_size(items);
    for (size_t i = 0; i < n; i++) json_object_set_new(json_array_get(items, i), "leaders_text", json_string(""));
    if (!n) return;
    int64_t first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    int64_t last = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
    store_stmt *st = store_prepare(req->conn, zones
        ? "SELECT sl.zone_id, sl.position, COALESCE(r.name, u.display_name), 'zone' FROM structure_leaders sl "
          "LEFT JOIN residents r ON r.id = sl.resident_id LEFT JOIN users u ON u.id = sl.user_id "
          "WHERE sl.community_id = $1 AND sl.zone_id BETWEEN $2 AND $3 ORDER BY sl.zone_id, "
          "CASE sl.position WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, sl.id"
        : "SELECT sl.block_id, sl.position, COALESCE(r.name, u.display_name), b.kind FROM structure_leaders sl "
          "JOIN blocks b ON b.id = sl.block_id "
          "LEFT JOIN residents r ON r.id = sl.resident_id LEFT JOIN users u ON u.id = sl.user_id "
          "WHERE sl.community_id = $1 AND sl.block_id BETWEEN $2 AND $3 ORDER BY sl.block_id, "
          "CASE sl.position WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, sl.id");
    if (!st) return;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, first < last ? first : last);
    store_bind_int(st, 3, first < last ? last : first);
    size_t k = 0;
    while (store_step(st) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        while (k < n && json_integer_value(json_object_get(json_array_get(items, k), "id")) < id) k++;
        if (k == n) break;
        json_t *item = json_array_get(items, k);
        if (json_integer_value(json_object_get(item, "id")) != id) continue;   /* not visible on this page */
        const char *name = store_col_text(st, 2);
        text_append(req, item, name ? name : "",
                    position_key(store_col_text(st, 1), zones, !strcmp(store_col_text(st, 3), "courtyard")));
    }
    store_done(st);
}

/* ---------------------------------------------------------------- zones */

static int zone_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT z.id, z.name, z.sort_order, "
        "(SELECT COUNT(*) FROM blocks b WHERE b.zone_id = z.id AND " SCOPE_BLOCK ") "
        "FROM zones z WHERE " SCOPE_ZONE " AND z.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *zone = NULL;
    if (store_step(st) == STORE_ROW)
        zone = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
                         "sort_order", (json_int_t)store_col_int(st, 2), "blocks", (json_int_t)store_col_int(st, 3));
    store_done(st);
    if (!zone) return http_fail_not_found(req);
    json_t *posts = posts_read(req, true, id);
    if (!posts) { json_decref(zone); return http_fail_internal(req, "zone leaders"); }
    json_t *one = json_pack("[o]", zone);
    structure_list_leaders_text(req, one, true);
    json_object_set_new(zone, "leaders", posts);
    json_t *reply = json_pack("{s:O}", "zone", zone);
    json_decref(one);
    return http_reply(req, 200, reply);
}

static int zone_update(http_req *req)
{
    int64_t id, sort = 0;
    bool has_sort;
    const char *name = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    if (!http_body_str_opt(req, "name", 1, 64, &name)) return -1;
    if (!http_body_int_opt(req, "sort_order", -100000, 100000, &sort, &has_sort)) return -1;
    if (store_run(req->conn, NULL, "UPDATE zones SET name = COALESCE($1, name), "
                                   "sort_order = CASE WHEN $2 = 1 THEN $3 ELSE sort_order END "
                                   "WHERE id = $4 AND community_id = $5",
                  "tiiii", name, (int64_t)has_sort, sort, id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "zone update");
    json_t *fields = json_array();
    if (name) json_array_append_new(fields, json_string("name"));
    if (has_sort) json_array_append_new(fields, json_string("sort_order"));
    http_audit_target(req, "zone", id, json_pack("{s:o}", "fields", fields));
    return zone_get(req);
}

/* ---------------------------------------------------------------- setting posts */

/* One person of the body at `where` ("leader", "members[2]") into *out: resident_id
 * and/or user_id, positive whole numbers. False with the 400 set. */
static bool person_parse(http_req *req, json_t *v, const char *where, post *out)
{
    out->resident_id = out->user_id = 0;
    if (!json_is_object(v)) return http_fail_field(req, where, "structure.err.person"), false;
    static const char *const keys[2] = {"resident_id", "user_id"};
    for (int k = 0; k < 2; k++) {
        json_t *x = json_object_get(v, keys[k]);
        if (!x || json_is_null(x)) continue;
        const char *field = arena_printf(req->a, "%s.%s", where, keys[k]);
        if (!json_is_integer(x)) return http_fail_field(req, field, "err.not_integer"), false;
        if (json_integer_value(x) < 1) return http_fail_field(req, field, "err.out_of_range"), false;
        if (k == 0) out->resident_id = json_integer_value(x); else out->user_id = json_integer_value(x);
    }
    if (!out->resident_id && !out->user_id) return http_fail_field(req, where, "structure.err.person"), false;
    return true;
}

/* Checks a parsed person against the records: the resident lives in the community
 * (not moved out) where `rule` wants, the account belongs to the community and is not
 * disabled. False with the 400 naming the field. */
static bool person_check(http_req *req, const post *p, const char *where, lives_rule rule, int64_t zone_id,
                         int64_t block_id)
{
    if (p->resident_id) {
        const char *field = arena_printf(req->a, "%s.resident_id", where);
        store_stmt *st;
        if (store_run(req->conn, &st, "SELECT h.block_id, b.zone_id FROM residents r "
                                      "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
                                      "WHERE r.id = $1 AND r.community_id = $2 AND r.moved_out_at IS NULL",
                      "ii", p->resident_id, req->actor.community_id) != STORE_ROW)
            return http_fail_field(req, field, "structure.err.resident_unknown"), false;
        int64_t home_block = store_col_int(st, 0), home_zone = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
        store_done(st);
        bool ok = rule == LIVES_IN_ZONE ? home_zone == zone_id
                : rule == LIVES_IN_COURTYARD ? home_block == block_id
                : home_block == block_id || (zone_id && home_zone == zone_id);
        if (!ok)
            return http_fail_field(req, field, rule == LIVES_IN_ZONE ? "structure.err.lives_zone"
                                             : rule == LIVES_IN_COURTYARD ? "structure.err.lives_courtyard"
                                             : "structure.err.lives_block"), false;
    }
    if (p->user_id && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE id = $1 AND community_id = $2 "
                                                     "AND disabled = 0", "ii", p->user_id, req->actor.community_id))
        return http_fail_field(req, arena_printf(req->a, "%s.user_id", where), "structure.err.user_unknown"), false;
    return true;
}

/* One person may hold one post of a set. */
static bool set_distinct(http_req *req, const post *set, int n, const char *field)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if ((set[i].resident_id && set[i].resident_id == set[j].resident_id) ||
                (set[i].user_id && set[i].user_id == set[j].user_id))
                return http_fail_field(req, field, "structure.err.duplicate"), false;
    return true;
}

/* Replaces the posts of a zone or block by `set` and keeps the role assignments in step:
 * each account of the new set holds the scope; an account of the old set that holds no
 * post there any more loses it. Audits ids only. Returns 0 or -1 with the reply set. */
static int posts_replace(http_req *req, bool zone, int64_t target, const post *set, int n)
{
    const char *role = zone ? "zone_leader" : "block_leader", *kind = zone ? "zone" : "block";
    int64_t cid = req->actor.community_id, old_users[COMMITTEE_MAX + 8];
    int n_old = 0;
    store_stmt *st = store_prepare(req->conn,
                                   zone ? "SELECT DISTINCT user_id FROM structure_leaders WHERE community_id = $1 AND "
                                          "zone_id = $2 AND user_id IS NOT NULL"
                                        : "SELECT DISTINCT user_id FROM structure_leaders WHERE community_id = $1 AND "
                                          "block_id = $2 AND user_id IS NOT NULL");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, target);
    while (store_step(st) == STORE_ROW && n_old < (int)(sizeof old_users / sizeof old_users[0]))
        old_users[n_old++] = store_col_int(st, 0);
    store_done(st);

    if (store_run(req->conn, NULL, zone ? "DELETE FROM structure_leaders WHERE community_id = $1 AND zone_id = $2"
                                        : "DELETE FROM structure_leaders WHERE community_id = $1 AND block_id = $2",
                  "ii", cid, target) != STORE_DONE)
        return http_fail_internal(req, "posts delete");

    json_t *posts = json_array(), *granted = json_array(), *removed = json_array();
    json_t *detail =
        json_pack("{s:o, s:o, s:o}", "posts", posts, "granted_user_ids", granted, "removed_user_ids", removed);
    http_audit_target(req, kind, target, detail);
    int64_t now = clock_now_us();
    st = store_prepare(req->conn,
                       "INSERT INTO structure_leaders (community_id, zone_id, block_id, position, resident_id, "
                       "user_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    for (int i = 0; i < n; i++) {
        const post *p = &set[i];
        store_bind_int(st, 1, cid);
        if (zone) { store_bind_int(st, 2, target); store_bind_null(st, 3); }
        else { store_bind_null(st, 2); store_bind_int(st, 3, target); }
        store_bind_text(st, 4, p->position);
        if (p->resident_id) store_bind_int(st, 5, p->resident_id); else store_bind_null(st, 5);
        if (p->user_id) store_bind_int(st, 6, p->user_id); else store_bind_null(st, 6);
        store_bind_int(st, 7, req->actor.user_id);
        store_bind_int(st, 8, now);
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE) return http_fail_internal(req, "post insert");
        json_t *entry = json_pack("{s:s}", "position", p->position);
        json_object_set_new(entry, "resident_id", p->resident_id ? json_integer(p->resident_id) : json_null());
        json_object_set_new(entry, "user_id", p->user_id ? json_integer(p->user_id) : json_null());
        json_array_append_new(posts, entry);
        if (!p->user_id) continue;
        bool held = store_query_int(req->conn, 0,
                                    "SELECT COUNT(*) FROM role_assignments WHERE user_id = $1 AND role = $2 "
                                    "AND scope_kind = $3 AND scope_id = $4",
                                    "itti", p->user_id, role, kind, target) > 0;
        if (held) continue;
        if (accounts_assign_role(req->conn, cid, p->user_id, role, kind, target))
            return http_fail_internal(req, "role grant");
        json_array_append_new(granted, json_integer(p->user_id));
    }
    for (int i = 0; i < n_old; i++) {
        bool kept = false;
        for (int j = 0; j < n; j++) kept |= set[j].user_id == old_users[i];
        if (kept) continue;   /* old_users is DISTINCT */
        store_stmt *del;
        int rc = store_run(req->conn, &del, "DELETE FROM role_assignments WHERE community_id = $1 AND user_id = $2 "
                                            "AND role = $3 AND scope_kind = $4 AND scope_id = $5 RETURNING id",
                           "iitti", cid, old_users[i], role, kind, target);
        if (rc == STORE_ROW) {
            while (store_step(del) == STORE_ROW) {}
            store_done(del);
            json_array_append_new(removed, json_integer(old_users[i]));
        } else if (rc != STORE_DONE) {
            return http_fail_internal(req, "role removal");
        }
    }
    return 0;
}

/* Answers the posts of a zone or block after a read or a write. */
static int reply_posts(http_req *req, bool zone, int64_t id, const char *kind)
{
    json_t *posts = posts_read(req, zone, id);
    if (!posts) return http_fail_internal(req, "leaders read");
    json_t *out = json_pack("{s:I, s:o}", zone ? "zone_id" : "block_id", (json_int_t)id, "leaders", posts);
    if (kind) json_object_set_new(out, "kind", json_string(kind));
    return http_reply(req, 200, out);
}

static int zone_leaders_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    bool seen = scope_zone_visible(req, id);
    return seen ? reply_posts(req, true, id, NULL) : http_fail_not_found(req);
}

/* {"leader": person|null, "deputy": person|null}: "leader" must be given (null clears
 * the zone's posts), so that an empty body never clears them by mistake. */
static int zone_leaders_put(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    json_t *leader = json_object_get(req->json, "leader"), *deputy = json_object_get(req->json, "deputy");
    if (!leader) return http_fail_field(req, "leader", "err.required");
    if (json_object_get(req->json, "members")) return http_fail_field(req, "members", "structure.err.members_zone");
    post set[2];
    int n = 0;
    if (!json_is_null(leader)) {
        set[n].position = "leader";
        if (!person_parse(req, leader, "leader", &set[n])) return -1;
        if (!person_check(req, &set[n], "leader", LIVES_IN_ZONE, id, 0)) return -1;
        n++;
    }
    if (deputy && !json_is_null(deputy)) {
        set[n].position = "deputy";
        if (!person_parse(req, deputy, "deputy", &set[n])) return -1;
        if (!person_check(req, &set[n], "deputy", LIVES_IN_ZONE, id, 0)) return -1;
        n++;
    }
    if (!set_distinct(req, set, n, "deputy")) return -1;
    if (posts_replace(req, true, id, set, n)) return -1;
    return reply_posts(req, true, id, NULL);
}

static int block_leaders_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!scope_block_visible(req, id)) return http_fail_not_found(req);
    const char *kind = NULL;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT kind FROM blocks WHERE id = $1", "i", id) == STORE_ROW) {
        kind = arena_strdup(req->a, store_col_text(st, 0));
        store_done(st);
    }
    return reply_posts(req, false, id, kind);
}

/* A building: {"leader": person|null}. A courtyard: {"members": [person + optional
 * "leader": true, ...]} with 3-7 members, or [] to clear the committee. */
static int block_leaders_put(http_req *req)
{
    int64_t id, zone_id = 0;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT kind, zone_id FROM blocks WHERE id = $1 AND community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    bool courtyard = !strcmp(store_col_text(st, 0), "courtyard");
    if (!store_col_null(st, 1)) zone_id = store_col_int(st, 1);
    store_done(st);
    json_t *leader = json_object_get(req->json, "leader"), *members = json_object_get(req->json, "members");
    post set[COMMITTEE_MAX];
    int n = 0;
    if (!courtyard) {
        if (members) return http_fail_field(req, "members", "structure.err.members_building");
        if (!leader) return http_fail_field(req, "leader", "err.required");
        if (!json_is_null(leader)) {
            set[0].position = "leader";
            if (!person_parse(req, leader, "leader", &set[0])) return -1;
            if (!person_check(req, &set[0], "leader", LIVES_NEAR_BLOCK, zone_id, id)) return -1;
            n = 1;
        }
    } else {
        if (leader) return http_fail_field(req, "leader", "structure.err.leader_courtyard");
        if (!members) return http_fail_field(req, "members", "err.required");
        if (!json_is_array(members)) return http_fail_field(req, "members", "structure.err.members_array");
        size_t count = json_array_size(members);
        if (count && (count < COMMITTEE_MIN || count > COMMITTEE_MAX))
            return http_fail_field(req, "members", "structure.err.members_count");
        int chairs = 0;
        for (size_t i = 0; i < count; i++) {
            json_t *m = json_array_get(members, i);
            const char *where = arena_printf(req->a, "members[%zu]", i);
            if (!person_parse(req, m, where, &set[n])) return -1;
            json_t *chair = json_object_get(m, "leader");
            if (chair && !json_is_boolean(chair))
                return http_fail_field(req, arena_printf(req->a, "%s.leader", where), "reg.err.boolean");
            set[n].position = json_is_true(chair) ? "leader" : "member";
            if (json_is_true(chair) && ++chairs > 1) return http_fail_field(req, "members", "structure.err.one_leader");
            if (!person_check(req, &set[n], where, LIVES_IN_COURTYARD, zone_id, id)) return -1;
            n++;
        }
    }
    if (!set_distinct(req, set, n, courtyard ? "members" : "leader")) return -1;
    if (posts_replace(req, false, id, set, n)) return -1;
    return reply_posts(req, false, id, courtyard ? "courtyard" : "building");
}

/* ---------------------------------------------------------------- deleting */

/* Removes the posts of a zone or block and the scopes they gave (role rows of that
 * zone or block), putting the ids of the accounts that lost a scope in `removed`. */
static int posts_drop(http_req *req, bool zone, int64_t id, json_t *removed)
{
    int64_t cid = req->actor.community_id;
    store_stmt *st;
    int rc = store_run(req->conn, &st, zone ? "DELETE FROM role_assignments WHERE community_id = $1 AND "
                                              "role = 'zone_leader' AND scope_kind = 'zone' AND scope_id = $2 "
                                              "RETURNING user_id"
                                            : "DELETE FROM role_assignments WHERE community_id = $1 AND "
                                              "role = 'block_leader' AND scope_kind = 'block' AND scope_id = $2 "
                                              "RETURNING user_id",
                       "ii", cid, id);
    if (rc == STORE_ROW) {
        do json_array_append_new(removed, json_integer(store_col_int(st, 0)));
        while (store_step(st) == STORE_ROW);
        store_done(st);
    } else if (rc != STORE_DONE) {
        return -1;
    }
    return store_run(req->conn, NULL, zone ? "DELETE FROM structure_leaders WHERE community_id = $1 AND zone_id = $2"
                                           : "DELETE FROM structure_leaders WHERE community_id = $1 AND block_id = $2",
                     "ii", cid, id) == STORE_DONE ? 0 : -1;
}

/* A block nobody lives in (made by mistake, or emptied by a re-import) can go; one
 * with households cannot: they would lose their address. */
static int block_delete(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t cid = req->actor.community_id;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM blocks WHERE id = $1 AND community_id = $2", "ii", id,
                         cid))
        return http_fail_not_found(req);
    int64_t households = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM households WHERE community_id = $1 "
                                                        "AND block_id = $2", "ii", cid, id);
    if (households < 0) return http_fail_internal(req, "block households");
    if (households) return http_fail(req, 409, "conflict", "households", "structure.err.block_not_empty");
    json_t *removed = json_array();
    http_audit_target(req, "block", id, json_pack("{s:o}", "removed_user_ids", removed));
    if (posts_drop(req, false, id, removed)) return http_fail_internal(req, "block posts");
    if (store_run(req->conn, NULL, "DELETE FROM blocks WHERE id = $1 AND community_id = $2", "ii", id, cid) !=
        STORE_DONE)
        return http_fail_internal(req, "block delete");
    return http_reply(req, 200, json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id));
}

/* A zone without blocks can go; its blocks must be moved or deleted first. */
static int zone_delete(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t cid = req->actor.community_id;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2", "ii", id,
                         cid))
        return http_fail_not_found(req);
    int64_t blocks = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM blocks WHERE community_id = $1 "
                                                    "AND zone_id = $2", "ii", cid, id);
    if (blocks < 0) return http_fail_internal(req, "zone blocks");
    if (blocks) return http_fail(req, 409, "conflict", "blocks", "structure.err.zone_not_empty");
    json_t *removed = json_array();
    http_audit_target(req, "zone", id, json_pack("{s:o}", "removed_user_ids", removed));
    if (posts_drop(req, true, id, removed)) return http_fail_internal(req, "zone posts");
    if (store_run(req->conn, NULL, "DELETE FROM zones WHERE id = $1 AND community_id = $2", "ii", id, cid) !=
        STORE_DONE)
        return http_fail_internal(req, "zone delete");
    return http_reply(req, 200, json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id));
}

/* ---------------------------------------------------------------- dashboard */

/* Blocks in the actor's scope that nobody leads yet: neither a leader nor a committee. */
void structure_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, REGISTRY_LEADERS)) return;
    dashboard_tile(req, tiles, "blocks_without_leader", "structure.tile.blocks_without_leader",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM blocks b WHERE " SCOPE_BLOCK
                                   " AND NOT EXISTS (SELECT 1 FROM structure_leaders sl WHERE sl.community_id = $1 "
                                   "AND sl.block_id = b.id)", "ii", req->actor.community_id, req->actor.user_id),
                   "structure.unit.blocks");
    dashboard_tile_link(tiles, "/registry/structure");
}

/* ---------------------------------------------------------------- routes */

const http_route structure_routes[] = {
    {"GET", "/api/v1/zones/{id}", NULL, zone_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PATCH", "/api/v1/zones/{id}", NULL, zone_update, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "zone.update"},
    {"DELETE", "/api/v1/zones/{id}", NULL, zone_delete, ROLE_COMMITTEE, ROUTE_WRITE, 0, "zone.delete"},
    {"DELETE", "/api/v1/blocks/{id}", NULL, block_delete, ROLE_COMMITTEE, ROUTE_WRITE, 0, "block.delete"},
    {"GET", "/api/v1/zones/{id}/leaders", NULL, zone_leaders_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PUT", "/api/v1/zones/{id}/leaders", NULL, zone_leaders_put, ROLE_COMMITTEE, ROUTE_WRITE, 4096,
     "zone.leaders_set"},
    {"GET", "/api/v1/blocks/{id}/leaders", NULL, block_leaders_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PUT", "/api/v1/blocks/{id}/leaders", NULL, block_leaders_put, ROLE_COMMITTEE, ROUTE_WRITE, 8192,
     "block.leaders_set"},
    {0},
};

const i18n_entry structure_messages[] = {
    {"structure.col.leaders", "负责人", "Leaders"},
    {"structure.pos.zone_leader", "片区长", "leader"},
    {"structure.pos.zone_deputy", "副片区长", "deputy"},
    {"structure.pos.block_leader", "楼组长", "block leader"},
    {"structure.pos.courtyard_leader", "院委会主任", "chair"},
    {"structure.tile.blocks_without_leader", "尚无负责人的楼组", "Blocks without a leader"},
    {"structure.unit.blocks", "个", "blocks"},
    {"structure.err.person", "请指定居民（resident_id）或账号（user_id），或两者",
     "Give a resident (resident_id), an account (user_id) or both"},
    {"structure.err.resident_unknown", "本社区没有该居民，或已迁出",
     "No such resident in this community, or moved out"},
    {"structure.err.user_unknown", "本社区没有该账号，或账号已停用",
     "No such account in this community, or it is disabled"},
    {"structure.err.lives_zone", "该居民不住在本片区", "This resident does not live in this zone"},
    {"structure.err.lives_block", "该居民不住在本楼组或其所在片区",
     "This resident lives neither in this block nor in its zone"},
    {"structure.err.lives_courtyard", "院委会成员应是本院落的居民",
     "Courtyard committee members must live in this courtyard"},
    {"structure.err.members_count", "院委会应有 3 到 7 名成员（传空列表表示清空）",
     "A courtyard committee has 3 to 7 members (an empty list clears it)"},
    {"structure.err.members_array", "members 应为成员列表", "members must be a list of members"},
    {"structure.err.members_building", "楼栋设楼组长，请用 leader，不用 members",
     "A building has a leader: use leader, not members"},
    {"structure.err.members_zone", "片区设片区长和副片区长，请用 leader 和 deputy",
     "A zone has a leader and a deputy: use leader and deputy"},
    {"structure.err.leader_courtyard", "院落设院委会，请用 members（可将一人标为主任）",
     "A courtyard has a committee: use members (one may be marked leader)"},
    {"structure.err.one_leader", "院委会最多只能有一名主任", "A courtyard committee has at most one chair"},
    {"structure.err.block_not_empty", "这个楼组还有住户，不能删除；请先把住户移走",
     "This block still has households and cannot be deleted; move them first"},
    {"structure.err.zone_not_empty", "这个片区还有楼组，不能删除；请先删除或移走楼组",
     "This zone still has blocks and cannot be deleted; delete or move them first"},
    {"structure.err.duplicate", "同一人不能同时担任两个职务", "One person cannot hold two posts here"},
    {0, 0, 0},
};
