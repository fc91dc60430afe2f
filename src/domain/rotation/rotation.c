/* rotation.c — the routes that make and read rotations (轮值): create one for a block,
 * list them, read one with its projected schedule, and the schedule as a list for the
 * notice board (CSV, XLSX, print). Recording days and care calls: rotation_turns.c.
 *
 * A new rotation's order is the block's households in room order ("2号" before "10号"),
 * without those away or vacant: nobody is there to keep the gate. Tenants (rented_out)
 * live there and take their turn. The committee may give the order itself instead
 * (household_ids, every one of the block, each once). The order is fixed from then on:
 * a household that moves away later is skipped on its day like any other. */
#include "rotation_int.h"
#include "../../core/clock.h"
#include <stdlib.h>
#include <string.h>

typedef struct rotation_input {
    int64_t block_id, rounds;
    const char *name, *window_start, *window_end, *starts_on;
    rotation_member *members;
    int n_members;
} rotation_input;

/* ---------------------------------------------------------------- creating */

static bool body_int_required(http_req *req, const char *field, int64_t min, int64_t max, int64_t *out)
{
    bool present = false;
    if (!http_body_int_opt(req, field, min, max, out, &present)) return false;
    if (!present) return http_fail_field(req, field, "err.required"), false;
    return true;
}

/* The fields of a new rotation but its members; false with the 400 set. */
static bool create_parse(http_req *req, rotation_input *in)
{
    memset(in, 0, sizeof *in);
    in->window_start = "08:00";
    in->window_end = "20:00";
    if (!body_int_required(req, "block_id", 1, INT64_MAX, &in->block_id)) return false;
    if (!http_body_str(req, "name", 1, 64, &in->name)) return false;
    if (!http_body_str_opt(req, "window_start", 1, 8, &in->window_start)) return false;
    if (!http_body_str_opt(req, "window_end", 1, 8, &in->window_end)) return false;
    int from = rotation_parse_hhmm(in->window_start), to = rotation_parse_hhmm(in->window_end);
    if (from < 0) return http_fail_field(req, "window_start", "rotation.err.hhmm"), false;
    if (to < 0) return http_fail_field(req, "window_end", "rotation.err.hhmm"), false;
    if (to <= from) return http_fail_field(req, "window_end", "rotation.err.window"), false;
    if (!http_body_str(req, "starts_on", 1, 16, &in->starts_on)) return false;
    if (!clock_parse_date(in->starts_on, NULL, NULL, NULL))
        return http_fail_field(req, "starts_on", "rotation.err.date"), false;
    return body_int_required(req, "rounds", 1, 100, &in->rounds);
}

static int member_cmp(const void *a, const void *b)
{
    return rotation_room_cmp(((const rotation_member *)a)->room, ((const rotation_member *)b)->room);
}

/* The block's households that keep the gate, in room order (see the file header). */
static int members_from_block(http_req *req, rotation_input *in)
{
    int64_t cid = req->actor.community_id;
    int64_t n = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM households WHERE community_id = $1 "
                                "AND block_id = $2 AND status NOT IN ('away', 'vacant')", "ii", cid, in->block_id);
    if (n < 0) return -1;
    in->members = arena_alloc(req->a, sizeof *in->members * (size_t)(n + 1));
    store_stmt *st = store_prepare(req->conn, "SELECT id, room, status FROM households WHERE community_id = $1 "
                                              "AND block_id = $2 AND status NOT IN ('away', 'vacant')");
    if (!st) return -1;
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, in->block_id);
    while (store_step(st) == STORE_ROW && in->n_members < n) {
        rotation_member *m = &in->members[in->n_members++];
        m->household_id = store_col_int(st, 0);
        m->room = arena_strdup(req->a, store_col_text(st, 1));
        m->status = arena_strdup(req->a, store_col_text(st, 2));
    }
    store_done(st);
    qsort(in->members, (size_t)in->n_members, sizeof *in->members, member_cmp);
    return 0;
}

/* The order the committee gave: household ids of the block, each once. False with the
 * 400 naming the element. */
static bool members_given(http_req *req, rotation_input *in, json_t *ids)
{
    if (!json_is_array(ids) || json_array_size(ids) > ROTATION_MAX_TURNS)
        return http_fail_field(req, "household_ids", "rotation.err.household_ids"), false;
    size_t n = json_array_size(ids);
    in->members = arena_alloc(req->a, sizeof *in->members * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        const char *field = arena_printf(req->a, "household_ids[%zu]", i);
        if (!json_is_integer(v)) return http_fail_field(req, field, "err.not_integer"), false;
        int64_t id = json_integer_value(v);
        for (int k = 0; k < in->n_members; k++)
            if (in->members[k].household_id == id) return http_fail_field(req, field, "rotation.err.twice"), false;
        store_stmt *st;
        if (store_run(req->conn, &st, "SELECT room, status FROM households WHERE id = $1 AND community_id = $2 "
                                      "AND block_id = $3", "iii", id, req->actor.community_id,
                      in->block_id) != STORE_ROW)
            return http_fail_field(req, field, "rotation.err.not_in_block"), false;
        rotation_member *m = &in->members[in->n_members++];
        m->household_id = id;
        m->room = arena_strdup(req->a, store_col_text(st, 0));
        m->status = arena_strdup(req->a, store_col_text(st, 1));
        store_done(st);
    }
    return true;
}

static int insert_rotation(http_req *req, const rotation_input *in, int64_t *id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO rotations (community_id, block_id, name, window_start, window_end, "
                                  "starts_on, rounds_planned, state, created_by, created_at) "
                                  "VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9) RETURNING id",
                  "iittttiii", req->actor.community_id, in->block_id, in->name, in->window_start, in->window_end,
                  in->starts_on, in->rounds, req->actor.user_id, clock_now_us()) != STORE_ROW)
        return -1;
    *id = store_col_int(st, 0);
    store_done(st);
    for (int i = 0; i < in->n_members; i++)
        if (store_run(req->conn, NULL, "INSERT INTO rotation_members (community_id, rotation_id, position, "
                                       "household_id) VALUES ($1, $2, $3, $4)", "iiii", req->actor.community_id,
                      *id, (int64_t)i, in->members[i].household_id) != STORE_DONE)
            return -1;
    return 0;
}

static int rotation_create(http_req *req)
{
    rotation_input in;
    if (!create_parse(req, &in)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM blocks WHERE id = $1 AND community_id = $2", "ii",
                         in.block_id, req->actor.community_id))
        return http_fail_field(req, "block_id", "rotation.err.no_such_block");
    json_t *ids = json_object_get(req->json, "household_ids");
    if (ids && !json_is_null(ids)) {
        if (!members_given(req, &in, ids)) return -1;
    } else if (members_from_block(req, &in)) {
        return http_fail_internal(req, "rotation members");
    }
    if (!in.n_members) return http_fail_field(req, ids ? "household_ids" : "block_id", "rotation.err.no_members");
    if (in.n_members * in.rounds > ROTATION_MAX_TURNS) return http_fail_field(req, "rounds", "rotation.err.too_long");
    int64_t id;
    if (insert_rotation(req, &in, &id)) return http_fail_internal(req, "rotation insert");
    http_audit_target(req, "rotation", id, json_pack("{s:I, s:i, s:I}", "block_id", (json_int_t)in.block_id,
                                                     "members", in.n_members, "rounds", (json_int_t)in.rounds));
    rotation_ctx r;
    if (rotation_load(req, id, &r) != 1) return http_fail_internal(req, "rotation reread");
    return http_reply(req, 201, json_pack("{s:o}", "rotation", rotation_json(req, &r)));
}

/* ---------------------------------------------------------------- reading */

static const list_column rotation_columns[] = {
    {"name", "rotation.col.name"}, {"block_name", "rotation.col.block"}, {"starts_on", "rotation.col.starts_on"},
    {"ends_on", "rotation.col.ends_on"}, {"rounds_planned", "rotation.col.rounds"},
    {"members", "rotation.col.members"}, {"state", "rotation.col.state"}, {0, 0},
};

static json_t *id_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I}", "id", (json_int_t)store_col_int(st, 0));
}

/* GET /rotations[?block_id=]: those the actor may read, in id order, paged. */
static int rotations_list(http_req *req)
{
    int64_t block = 0;
    const char *q = http_query(req, "block_id");
    if (q && *q) {
        char *end;
        block = strtoll(q, &end, 10);
        if (*end || block < 1) return http_fail_field(req, "block_id", "err.not_integer");
    }
    int64_t limit = http_list_limit(req), next = 0;
    store_stmt *st = store_prepare(req->conn, "SELECT r.id FROM rotations r JOIN blocks b ON b.id = r.block_id "
                                              "WHERE r.community_id = $1 AND r.id > $3 AND ($4 = 0 OR r.block_id = $4) "
                                              "AND " ROTATION_VISIBLE " ORDER BY r.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, block);
    store_bind_int(st, 5, limit + 1);
    json_t *ids = http_list_collect(st, limit, id_item, NULL, &next);
    store_done(st);
    json_t *items = json_array();
    for (size_t i = 0; i < json_array_size(ids); i++) {
        rotation_ctx r;
        if (rotation_load(req, json_integer_value(json_object_get(json_array_get(ids, i), "id")), &r) == 1)
            json_array_append_new(items, rotation_json(req, &r));
    }
    json_decref(ids);
    return http_reply_list(req, "rotation.list.rotations", rotation_columns, items, next);
}

/* The schedule the reader may see: every turn for a leader, their own household's
 * turns for a resident. */
static json_t *schedule_json(http_req *req, const rotation_ctx *r)
{
    json_t *out = json_array();
    for (int s = 0; s < r->plan.total; s++) {
        json_t *e = rotation_entry_json(req, r, s);
        if (r->leader || json_is_true(json_object_get(e, "mine"))) json_array_append_new(out, e);
        else json_decref(e);
    }
    return out;
}

static int rotation_get(http_req *req)
{
    rotation_ctx r;
    if (!rotation_from_path(req, &r, false)) return -1;
    json_t *members = json_array();
    for (int i = 0; i < r.n_members; i++)
        if (r.leader || rotation_is_mine(&r, r.members[i].household_id))
            json_array_append_new(members, json_pack("{s:i, s:I, s:s, s:s}", "position", i, "household_id",
                                                     (json_int_t)r.members[i].household_id, "room", r.members[i].room,
                                                     "status", r.members[i].status));
    return http_reply(req, 200, json_pack("{s:o, s:o, s:o}", "rotation", rotation_json(req, &r), "members", members,
                                          "schedule", schedule_json(req, &r)));
}

static const list_column schedule_columns[] = {
    {"no", "rotation.col.no"}, {"day", "rotation.col.day"}, {"weekday_text", "rotation.col.weekday"},
    {"room", "rotation.col.room"}, {"round", "rotation.col.round"}, {"state", "rotation.col.state"},
    {"handover_to_room", "rotation.col.handover_to"}, {"handed_over_at", "rotation.col.handed_over_at"}, {0, 0},
};

/* GET /rotations/{id}/schedule: the schedule as a list, for the notice board. */
static int rotation_schedule(http_req *req)
{
    rotation_ctx r;
    if (!rotation_from_path(req, &r, false)) return -1;
    json_t *items = schedule_json(req, &r);
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        int seq = (int)json_integer_value(json_object_get(e, "seq"));
        int wd = (int)json_integer_value(json_object_get(e, "weekday"));
        json_object_set_new(e, "id", json_integer(seq + 1));
        json_object_set_new(e, "no", json_integer(seq + 1));
        json_object_set_new(e, "weekday_text",
                            json_string(i18n_text(req->lang, arena_printf(req->a, "rotation.weekday.%d", wd))));
    }
    const char *title = arena_printf(req->a, "%s · %s · %s", i18n_text(req->lang, "rotation.list.schedule"),
                                     r.block_name, r.name);
    return http_reply_list(req, title, schedule_columns, items, 0);
}

const http_route rotation_routes[] = {
    {"GET", "/api/v1/rotations", NULL, rotations_list, ROTATION_READERS, 0, 0, NULL},
    {"POST", "/api/v1/rotations", NULL, rotation_create, ROLE_COMMITTEE, ROUTE_WRITE, 262144, "rotation.create"},
    {"GET", "/api/v1/rotations/{id}", NULL, rotation_get, ROTATION_READERS, 0, 0, NULL},
    {"GET", "/api/v1/rotations/{id}/schedule", NULL, rotation_schedule, ROTATION_READERS, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};
