/* testing_rounds.c — setting a round up: the round (day, kind, pool size, scope), its
 * state planned → open → closed, its stations with their staff and hours, copied from
 * an earlier round when rounds repeat; who is exempt; the door-to-door list, filled
 * from the registry's flags when the round is made, with its team and outcome.
 * Committee staff set rounds up; leaders read every round of the community and keep
 * the exemptions and door-to-door rows of their scope; a volunteer sees the rounds in
 * which they staff a station and the door-to-door rows of their team. */
#include "testing_int.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *const testing_kinds[] = {"pcr_pooled", "pcr_single", "antigen", NULL};
static const char *const testing_states[] = {"planned", "open", "closed", NULL};
static const char *const testing_duties[] = {"registrar", "queue", "sampler", "runner", NULL};

bool testing_setup_word_in(const char *word, const char *const *list)
{
    for (; word && *list; list++)
        if (!strcmp(word, *list)) return true;
    return false;
}

const char *testing_setup_word(http_req *req, const char *prefix, const char *word)
{
    if (!word) return "";
    return i18n_text(req->lang, arena_printf(req->a, "%s%s", prefix, word));
}

bool testing_setup_query_id(http_req *req, const char *name, int64_t *out)
{
    const char *v = http_query(req, name);
    *out = 0;
    if (!v || !*v) return true;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n <= 0) return http_fail_field(req, name, "testing.err.id"), false;
    *out = n;
    return true;
}

const char *testing_setup_title(http_req *req, const char *key, int64_t block_id)
{
    const char *title = i18n_text(req->lang, key);
    store_stmt *st;
    if (block_id <= 0 || store_run(req->conn, &st, "SELECT name FROM blocks WHERE community_id = $1 AND id = $2",
                                   "ii", req->actor.community_id, block_id) != STORE_ROW)
        return title;
    title = arena_printf(req->a, "%s · %s", title, store_col_text(st, 0));
    store_done(st);
    return title;
}

const char *testing_setup_phone_mask(http_req *req, const char *phone)
{
    if (!phone || strlen(phone) < 8) return phone && *phone ? "****" : "";
    char *m = secret_mask(phone, 3, 4);
    const char *out = arena_strdup(req->a, m ? m : "");
    free(m);
    return out;
}

int testing_setup_list(http_req *req, store_stmt *st, int at, json_t *(*row)(store_stmt *st, void *ctx),
                       const char *title_key, int64_t block_id, const list_column *cols)
{
    int64_t limit = http_list_limit(req), next_after;
    store_bind_int(st, at, http_list_cursor(req));
    store_bind_int(st, at + 1, limit + 1);
    json_t *items = http_list_collect(st, limit, row, req, &next_after);
    return http_reply_list(req, testing_setup_title(req, title_key, block_id), cols, items, next_after);
}

int64_t testing_setup_resident(http_req *req, int64_t round_id, int64_t resident_id)
{
    return store_query_int(req->conn, 0, "SELECT h.block_id FROM residents r JOIN households h ON h.id = "
                           "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND r.community_id = $1 "
                           "AND " TESTING_EXPECTED("$4") " AND " SCOPE_HOUSEHOLD, "iiii", req->actor.community_id,
                           req->actor.user_id, resident_id, round_id);
}


static void testing_copy_text(char *out, size_t n, const char *s)
{
    snprintf(out, n, "%s", s ? s : "");
}

bool testing_round_load(http_req *req, int64_t round_id, testing_round *out)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT id, kind, pool_size, state, on_day, name FROM test_rounds WHERE id = $1 "
                  "AND community_id = $2", "ii", round_id, req->actor.community_id) != STORE_ROW)
        return false;
    out->id = store_col_int(st, 0);
    testing_copy_text(out->kind, sizeof out->kind, store_col_text(st, 1));
    out->pool_size = (int)store_col_int(st, 2);
    testing_copy_text(out->state, sizeof out->state, store_col_text(st, 3));
    testing_copy_text(out->on_day, sizeof out->on_day, store_col_text(st, 4));
    out->name = arena_strdup(req->a, store_col_text(st, 5));
    store_done(st);
    return true;
}

int testing_station_access(http_req *req, int64_t station_id, testing_round *round)
{
    int64_t round_id = store_query_int(req->conn, 0, "SELECT s.round_id FROM test_stations s WHERE s.id = $1 AND "
                                       "s.community_id = $2 AND ($3 = 1 OR EXISTS (SELECT 1 FROM test_station_staff ss "
                                       "WHERE ss.station_id = s.id AND ss.user_id = $4))", "iiii", station_id,
                                       req->actor.community_id, (int64_t)actor_has(&req->actor, ROLE_COMMITTEE),
                                       req->actor.user_id);
    if (!round_id || !testing_round_load(req, round_id, round)) return 0;
    return 1;
}

/* Staffing rounds: a volunteer sees a round through a station they are named at. */
#define TESTING_STAFFS(round) \
    "EXISTS (SELECT 1 FROM test_stations vs JOIN test_station_staff vss ON vss.station_id = vs.id WHERE " \
    "vs.round_id = " round " AND vss.user_id = $2)"

bool testing_round_visible(http_req *req, int64_t round_id)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_rounds t WHERE t.id = $3 AND t.community_id = $1 "
                           "AND ($4 = 1 OR " TESTING_STAFFS("t.id") ")", "iiii", req->actor.community_id,
                           req->actor.user_id, round_id, (int64_t)actor_has(&req->actor, TESTING_LEADERS)) > 0;
}

const char *testing_setup_tz(http_req *req)
{
    const char *tz = req->actor.community_timezone;
    return tz && *tz ? tz : "Asia/Shanghai";
}

json_t *testing_setup_local(http_req *req, int64_t us)
{
    char local[32];
    clock_format_local(testing_setup_tz(req), us, local, sizeof local);
    return json_string(local);
}

json_t *testing_setup_time(http_req *req, store_stmt *st, int col)
{
    return store_col_null(st, col) ? json_null() : testing_setup_local(req, store_col_int(st, col));
}

/* ---------------------------------------------------------------- one round */

#define TESTING_ROUND_COLUMNS \
    "SELECT t.id, t.name, t.on_day, t.kind, t.pool_size, t.state, t.note, t.copied_from, t.created_at, " \
    "t.opened_at, t.closed_at, (SELECT COUNT(*) FROM test_stations c WHERE c.round_id = t.id) "

static json_t *testing_round_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *kind = store_col_text(st, 3), *state = store_col_text(st, 5);
    json_t *r = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0),
                          "name", store_col_text(st, 1), "on_day", store_col_text(st, 2), "kind", kind, "kind_text",
                          testing_setup_word(req, "testing.kind.", kind), "pool_size", (json_int_t)store_col_int(st, 4),
                          "state", state, "state_text", testing_setup_word(req, "testing.state.", state), "note",
                          store_col_text(st, 6), "station_count", (json_int_t)store_col_int(st, 11));
    json_object_set_new(r, "copied_from", store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)));
    json_object_set_new(r, "created_at", testing_setup_time(req, st, 8));
    json_object_set_new(r, "opened_at", testing_setup_time(req, st, 9));
    json_object_set_new(r, "closed_at", testing_setup_time(req, st, 10));
    return r;
}

/* The scope's zones and blocks by name: [{id, name}] each. */
static json_t *testing_scope_json(http_req *req, int64_t round_id)
{
    json_t *zones = json_array(), *blocks = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT s.zone_id, z.name, s.block_id, b.name FROM test_round_scope s "
                                   "LEFT JOIN zones z ON z.id = s.zone_id LEFT JOIN blocks b ON b.id = s.block_id "
                                   "WHERE s.community_id = $1 AND s.round_id = $2 ORDER BY s.id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, round_id);
        while (store_step(st) == STORE_ROW) {
            bool zone = !store_col_null(st, 0);
            json_array_append_new(zone ? zones : blocks,
                                  json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, zone ? 0 : 2), "name",
                                            store_col_text(st, zone ? 1 : 3) ?: ""));
        }
        store_done(st);
    }
    return json_pack("{s:o, s:o}", "zones", zones, "blocks", blocks);
}

static json_t *testing_staff_json(http_req *req, int64_t station_id)
{
    json_t *staff = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT ss.user_id, u.display_name, ss.duty FROM test_station_staff ss "
                                   "JOIN users u ON u.id = ss.user_id WHERE ss.community_id = $1 AND "
                                   "ss.station_id = $2 ORDER BY ss.id");
    if (!st) return staff;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, station_id);
    while (store_step(st) == STORE_ROW) {
        const char *duty = store_col_text(st, 2);
        json_array_append_new(staff, json_pack("{s:I, s:s, s:s, s:s}", "user_id", (json_int_t)store_col_int(st, 0),
                                               "display_name", store_col_text(st, 1), "duty", duty, "duty_text",
                                               testing_setup_word(req, "testing.duty.", duty)));
    }
    store_done(st);
    return staff;
}

#define TESTING_STATION_COLUMNS \
    "SELECT s.id, s.round_id, s.name, s.place, s.opens_at, s.closes_at FROM test_stations s "

static json_t *testing_station_row(store_stmt *st)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "round_id",
                     (json_int_t)store_col_int(st, 1), "name", store_col_text(st, 2), "place", store_col_text(st, 3),
                     "opens_at", store_col_text(st, 4), "closes_at", store_col_text(st, 5));
}

/* The stations of a round, each with its staff. */
static json_t *testing_stations_json(http_req *req, int64_t round_id)
{
    json_t *stations = json_array();
    store_stmt *st = store_prepare(req->conn, TESTING_STATION_COLUMNS "WHERE s.community_id = $1 AND s.round_id = $2 "
                                   "ORDER BY s.id");
    if (!st) return stations;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, round_id);
    while (store_step(st) == STORE_ROW) json_array_append_new(stations, testing_station_row(st));
    store_done(st);
    size_t i;
    json_t *s;
    json_array_foreach(stations, i, s) json_object_set_new(
        s, "staff", testing_staff_json(req, json_integer_value(json_object_get(s, "id"))));
    return stations;
}

/* The whole round: its row, scope and stations; NULL when not in the community. */
static json_t *testing_round_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, TESTING_ROUND_COLUMNS "FROM test_rounds t WHERE t.id = $1 AND t.community_id = $2",
                  "ii", id, req->actor.community_id) != STORE_ROW)
        return NULL;
    json_t *r = testing_round_row(st, req);
    store_done(st);
    json_object_set_new(r, "scope", testing_scope_json(req, id));
    json_object_set_new(r, "stations", testing_stations_json(req, id));
    return r;
}

static json_t *testing_station_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, TESTING_STATION_COLUMNS "WHERE s.id = $1 AND s.community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return NULL;
    json_t *s = testing_station_row(st);
    store_done(st);
    json_object_set_new(s, "staff", testing_staff_json(req, id));
    return s;
}

/* GET /test-rounds/{id} */
static int testing_round_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!testing_round_visible(req, id)) return http_fail_not_found(req);
    json_t *r = testing_round_json(req, id);
    if (!r) return http_fail_not_found(req);
    return http_reply(req, 200, r);
}

/* ---------------------------------------------------------------- the list */

static const list_column testing_round_columns[] = {
    {"on_day", "testing.col.day"}, {"name", "testing.col.name"}, {"kind_text", "testing.col.kind"},
    {"pool_size", "testing.col.pool_size"}, {"state_text", "testing.col.state"},
    {"station_count", "testing.col.stations"}, {"note", "testing.col.note"}, {0, 0},
};

static bool testing_query_date(http_req *req, const char *name, const char **out)
{
    *out = http_query(req, name);
    if (!*out || !**out) return *out = "", true;
    if (!clock_parse_date(*out, NULL, NULL, NULL)) return http_fail_field(req, name, "testing.err.date"), false;
    return true;
}

/* GET /test-rounds?state=&from=&to= */
static int testing_rounds_list(http_req *req)
{
    const char *state = http_query(req, "state"), *from, *to;
    if (state && *state && !testing_setup_word_in(state, testing_states))
        return http_fail_field(req, "state", "testing.err.state_filter");
    if (!testing_query_date(req, "from", &from) || !testing_query_date(req, "to", &to)) return -1;
    store_stmt *st = store_prepare(req->conn, TESTING_ROUND_COLUMNS "FROM test_rounds t WHERE t.community_id = $1 "
                                   "AND ($3 = 1 OR " TESTING_STAFFS("t.id") ") AND ($4 = '' OR t.state = $4) AND "
                                   "($5 = '' OR t.on_day >= $5) AND ($6 = '' OR t.on_day <= $6) AND t.id > $7 "
                                   "ORDER BY t.id LIMIT $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, actor_has(&req->actor, TESTING_LEADERS));
    store_bind_text(st, 4, state ? state : "");
    store_bind_text(st, 5, from);
    store_bind_text(st, 6, to);
    return testing_setup_list(req, st, 7, testing_round_row, "testing.list.rounds", 0, testing_round_columns);
}

/* ---------------------------------------------------------------- body checks */

static bool testing_body_date(http_req *req, const char *field, bool required, const char **out)
{
    if (!(required ? http_body_str(req, field, 1, 16, out) : http_body_str_opt(req, field, 1, 16, out))) return false;
    if (*out && !clock_parse_date(*out, NULL, NULL, NULL))
        return http_fail_field(req, field, "testing.err.date"), false;
    return true;
}

/* scope: {zones: [ids], blocks: [ids]}, each of the community; *given false when absent. */
typedef struct testing_scope {
    bool given;
    size_t n_zones, n_blocks;
    int64_t *zones, *blocks;
} testing_scope;

static bool testing_scope_ids(http_req *req, json_t *scope, const char *key, const char *table, int64_t **out,
                              size_t *n)
{
    json_t *a = json_object_get(scope, key), *x;
    const char *field = arena_printf(req->a, "scope.%s", key);
    *n = 0;
    if (!a || json_is_null(a)) return true;
    if (!json_is_array(a) || json_array_size(a) > 1000)
        return http_fail_field(req, field, "testing.err.scope_ids"), false;
    *out = arena_alloc(req->a, (json_array_size(a) + 1) * sizeof **out);
    size_t i;
    json_array_foreach(a, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return http_fail_field(req, field, "testing.err.scope_ids"), false;
        int64_t id = json_integer_value(x);
        const char *sql = !strcmp(table, "zones") ? "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2"
                                                  : "SELECT COUNT(*) FROM blocks WHERE id = $1 AND community_id = $2";
        if (!store_query_int(req->conn, 0, sql, "ii", id, req->actor.community_id))
            return http_fail_field(req, field, !strcmp(table, "zones") ? "testing.err.zone" : "testing.err.block"),
                   false;
        bool seen = false;
        for (size_t k = 0; k < *n; k++) seen |= (*out)[k] == id;
        if (!seen) (*out)[(*n)++] = id;
    }
    return true;
}

static bool testing_body_scope(http_req *req, testing_scope *sc)
{
    memset(sc, 0, sizeof *sc);
    json_t *o = json_object_get(req->json, "scope");
    if (!o || json_is_null(o)) return true;
    if (!json_is_object(o)) return http_fail_field(req, "scope", "testing.err.scope"), false;
    sc->given = true;
    return testing_scope_ids(req, o, "zones", "zones", &sc->zones, &sc->n_zones) &&
           testing_scope_ids(req, o, "blocks", "blocks", &sc->blocks, &sc->n_blocks);
}

static int testing_scope_write(http_req *req, int64_t round_id, const testing_scope *sc)
{
    int64_t c = req->actor.community_id;
    if (store_run(req->conn, NULL, "DELETE FROM test_round_scope WHERE community_id = $1 AND round_id = $2", "ii", c,
                  round_id) != STORE_DONE)
        return -1;
    for (size_t i = 0; i < sc->n_zones; i++)
        if (store_run(req->conn, NULL, "INSERT INTO test_round_scope (community_id, round_id, zone_id) VALUES ($1, $2, "
                      "$3)", "iii", c, round_id, sc->zones[i]) != STORE_DONE)
            return -1;
    for (size_t i = 0; i < sc->n_blocks; i++)
        if (store_run(req->conn, NULL, "INSERT INTO test_round_scope (community_id, round_id, block_id) VALUES ($1, "
                      "$2, $3)", "iii", c, round_id, sc->blocks[i]) != STORE_DONE)
            return -1;
    return 0;
}

/* The door-to-door list follows the registry: everyone the round expects who is
 * bedridden or in home isolation now, unless already listed. Rows still to visit of
 * people the round no longer expects (the scope changed) go. */
static int testing_doors_fill(http_req *req, int64_t round_id, int64_t now)
{
    if (store_run(req->conn, NULL, "DELETE FROM test_door_visits WHERE community_id = $1 AND round_id = $2 AND "
                  "state = 'to_visit' AND resident_id NOT IN (SELECT r.id FROM residents r JOIN households h ON h.id = "
                  "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.community_id = $1 AND "
                  TESTING_EXPECTED("$2") ")", "ii", req->actor.community_id, round_id) != STORE_DONE)
        return -1;
    return store_run(req->conn, NULL, "INSERT INTO test_door_visits (community_id, round_id, resident_id, reason, "
                     "updated_at) SELECT r.community_id, CAST($2 AS BIGINT), r.id, CASE WHEN EXISTS (SELECT 1 FROM "
                     "resident_flags f WHERE f.community_id = $1 AND f.resident_id = r.id AND f.cleared_at IS NULL "
                     "AND f.flag = 'bedridden') THEN 'bedridden' ELSE 'home_isolation' END, CAST($3 AS BIGINT) FROM "
                     "residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE "
                     "r.community_id = $1 AND " TESTING_EXPECTED("$2") " AND EXISTS (SELECT 1 FROM resident_flags g "
                     "WHERE g.community_id = $1 AND g.resident_id = r.id AND g.cleared_at IS NULL AND g.flag IN "
                     "('bedridden', 'home_isolation')) AND NOT EXISTS (SELECT 1 FROM test_door_visits d WHERE "
                     "d.round_id = $2 AND d.resident_id = r.id)", "iii", req->actor.community_id, round_id,
                     now) == STORE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- stations: body */

typedef struct testing_staff {
    int64_t user_id;
    const char *duty;
} testing_staff;

typedef struct testing_station_body {
    const char *name, *place, *opens_at, *closes_at;
    bool staff_given;
    size_t n_staff;
    testing_staff *staff;
} testing_station_body;

static bool testing_hhmm(const char *s)
{
    return s && strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
           s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' && (s[0] < '2' || s[1] <= '3');
}

static bool testing_body_staff(http_req *req, testing_station_body *b)
{
    json_t *a = json_object_get(req->json, "staff"), *x;
    if (!a || json_is_null(a)) return true;
    if (!json_is_array(a) || json_array_size(a) > 100) return http_fail_field(req, "staff", "testing.err.staff"), false;
    b->staff_given = true;
    b->staff = arena_alloc(req->a, (json_array_size(a) + 1) * sizeof *b->staff);
    size_t i;
    json_array_foreach(a, i, x) {
        const char *f_user = arena_printf(req->a, "staff[%zu].user_id", i);
        const char *f_duty = arena_printf(req->a, "staff[%zu].duty", i);
        json_t *u = json_is_object(x) ? json_object_get(x, "user_id") : NULL, *d = json_object_get(x, "duty");
        if (!json_is_object(x)) return http_fail_field(req, "staff", "testing.err.staff"), false;
        if (!json_is_integer(u) || json_integer_value(u) <= 0)
            return http_fail_field(req, f_user, "testing.err.staff_user"), false;
        const char *duty = d && !json_is_null(d) ? json_string_value(d) : "registrar";
        if (!testing_setup_word_in(duty, testing_duties))
            return http_fail_field(req, f_duty, "testing.err.duty"), false;
        int64_t uid = json_integer_value(u);
        for (size_t k = 0; k < b->n_staff; k++)
            if (b->staff[k].user_id == uid) return http_fail_field(req, f_user, "testing.err.staff_twice"), false;
        if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users u WHERE u.id = $2 AND u.community_id = $1 AND "
                             "u.disabled = 0 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id "
                             "AND ra.community_id = $1 AND ra.role IN ('volunteer', 'committee', 'zone_leader', "
                             "'block_leader'))", "ii", req->actor.community_id, uid))
            return http_fail_field(req, f_user, "testing.err.staff_user"), false;
        b->staff[b->n_staff++] = (testing_staff){uid, duty};
    }
    return true;
}

/* name, place, opens_at, closes_at, staff; all required when creating (but place and
 * staff), each optional when changing. */
static bool testing_body_station(http_req *req, testing_station_body *b, bool create)
{
    memset(b, 0, sizeof *b);
    if (!(create ? http_body_str(req, "name", 1, 100, &b->name) : http_body_str_opt(req, "name", 1, 100, &b->name)))
        return false;
    if (!http_body_str_opt(req, "place", 0, 200, &b->place)) return false;
    static const char *const times[] = {"opens_at", "closes_at"};
    const char **out[] = {&b->opens_at, &b->closes_at};
    for (int i = 0; i < 2; i++) {
        if (!(create ? http_body_str(req, times[i], 1, 8, out[i]) : http_body_str_opt(req, times[i], 1, 8, out[i])))
            return false;
        if (*out[i] && !testing_hhmm(*out[i])) return http_fail_field(req, times[i], "testing.err.hhmm"), false;
    }
    return testing_body_staff(req, b);
}

static int testing_staff_write(http_req *req, int64_t station_id, const testing_station_body *b)
{
    int64_t c = req->actor.community_id;
    if (store_run(req->conn, NULL, "DELETE FROM test_station_staff WHERE community_id = $1 AND station_id = $2", "ii",
                  c, station_id) != STORE_DONE)
        return -1;
    for (size_t i = 0; i < b->n_staff; i++)
        if (store_run(req->conn, NULL, "INSERT INTO test_station_staff (community_id, station_id, user_id, duty) "
                      "VALUES ($1, $2, $3, $4)", "iiit", c, station_id, b->staff[i].user_id,
                      b->staff[i].duty) != STORE_DONE)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------- create, copy, change */

/* The stations (with staff), the scope when the body gave none, and the exemptions
 * that outlast a day (away, recovered) of round `from` into round `to`. */
static int testing_round_copy(http_req *req, int64_t from, int64_t to, bool copy_scope, int64_t now)
{
    int64_t c = req->actor.community_id;
    if (copy_scope && store_run(req->conn, NULL, "INSERT INTO test_round_scope (community_id, round_id, zone_id, "
                                "block_id) SELECT community_id, CAST($3 AS BIGINT), zone_id, block_id FROM "
                                "test_round_scope WHERE community_id = $1 AND round_id = $2 ORDER BY id", "iii", c,
                                from, to) != STORE_DONE)
        return -1;
    json_t *stations = testing_stations_json(req, from), *s;
    size_t i;
    json_array_foreach(stations, i, s) {
        store_stmt *st;
        if (store_run(req->conn, &st, "INSERT INTO test_stations (community_id, round_id, name, place, opens_at, "
                      "closes_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", "iitttti", c, to,
                      json_string_value(json_object_get(s, "name")), json_string_value(json_object_get(s, "place")),
                      json_string_value(json_object_get(s, "opens_at")),
                      json_string_value(json_object_get(s, "closes_at")), now) != STORE_ROW) {
            json_decref(stations);
            return -1;
        }
        int64_t id = store_col_int(st, 0);
        store_done(st);
        if (store_run(req->conn, NULL, "INSERT INTO test_station_staff (community_id, station_id, user_id, duty) "
                      "SELECT ss.community_id, CAST($3 AS BIGINT), ss.user_id, ss.duty FROM test_station_staff ss "
                      "JOIN users u ON u.id = ss.user_id WHERE ss.community_id = $1 AND ss.station_id = $2 AND "
                      "u.disabled = 0 ORDER BY ss.id", "iii", c, json_integer_value(json_object_get(s, "id")),
                      id) != STORE_DONE) {
            json_decref(stations);
            return -1;
        }
    }
    json_decref(stations);
    return store_run(req->conn, NULL, "INSERT INTO test_exemptions (community_id, round_id, resident_id, reason, note, "
                     "created_by, created_at) SELECT e.community_id, CAST($3 AS BIGINT), e.resident_id, e.reason, "
                     "e.note, CAST($4 AS BIGINT), CAST($5 AS BIGINT) FROM test_exemptions e JOIN residents r ON r.id = "
                     "e.resident_id WHERE e.community_id = $1 AND e.round_id = $2 AND e.reason IN ('away', "
                     "'recovered') AND r.moved_out_at IS NULL ORDER BY e.id", "iiiii", c, from, to,
                     req->actor.user_id, now) == STORE_DONE ? 0 : -1;
}

static bool testing_body_pool(http_req *req, const char *kind, int64_t *pool, bool *given)
{
    if (!http_body_int_opt(req, "pool_size", 1, 20, pool, given)) return false;
    if (strcmp(kind, "pcr_pooled") && *given && *pool != 1)
        return http_fail_field(req, "pool_size", "testing.err.pool_single"), false;
    return true;
}

/* POST /test-rounds {name, on_day, kind, pool_size?, note?, scope?, copy_from?} */
static int testing_round_create(http_req *req)
{
    const char *name, *on_day, *kind, *note = "";
    int64_t pool = 0, copy_from = 0;
    bool has_pool = false, has_copy = false;
    testing_scope sc;
    if (!http_body_str(req, "name", 1, 100, &name)) return -1;
    if (!testing_body_date(req, "on_day", true, &on_day)) return -1;
    if (!http_body_str(req, "kind", 1, 16, &kind)) return -1;
    if (!testing_setup_word_in(kind, testing_kinds)) return http_fail_field(req, "kind", "testing.err.kind");
    if (!testing_body_pool(req, kind, &pool, &has_pool)) return -1;
    if (!has_pool) pool = strcmp(kind, "pcr_pooled") ? 1 : 10;
    if (!http_body_str_opt(req, "note", 0, 1000, &note)) return -1;
    if (!testing_body_scope(req, &sc)) return -1;
    if (!http_body_int_opt(req, "copy_from", 1, INT64_MAX, &copy_from, &has_copy)) return -1;
    int64_t c = req->actor.community_id, now = clock_now_us();
    if (has_copy && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_rounds WHERE id = $1 AND "
                                     "community_id = $2", "ii", copy_from, c))
        return http_fail_field(req, "copy_from", "testing.err.copy_from");
    store_stmt *st = store_prepare(req->conn, "INSERT INTO test_rounds (community_id, name, on_day, kind, pool_size, "
                                   "note, copied_from, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
                                   "$6, $7, $8, $9, $9) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, c);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, on_day);
    store_bind_text(st, 4, kind);
    store_bind_int(st, 5, pool);
    store_bind_text(st, 6, note);
    if (has_copy) store_bind_int(st, 7, copy_from); else store_bind_null(st, 7);
    store_bind_int(st, 8, req->actor.user_id);
    store_bind_int(st, 9, now);
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "testing round insert");
    if (sc.given && testing_scope_write(req, id, &sc) < 0) return http_fail_internal(req, "testing round scope");
    if (has_copy && testing_round_copy(req, copy_from, id, !sc.given, now) < 0)
        return http_fail_internal(req, "testing round copy");
    if (testing_doors_fill(req, id, now) < 0) return http_fail_internal(req, "testing round doors");
    json_t *detail = json_pack("{s:s, s:I, s:I, s:I}", "kind", kind, "pool_size", (json_int_t)pool, "zones",
                               (json_int_t)sc.n_zones, "blocks", (json_int_t)sc.n_blocks);
    if (has_copy) json_object_set_new(detail, "copy_from", json_integer(copy_from));
    http_audit_target(req, "test_round", id, detail);
    return http_reply(req, 201, testing_round_json(req, id));
}

/* The round of the path in the actor's community; false with 404 set. */
static bool testing_path_round(http_req *req, testing_round *r)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    if (!testing_round_load(req, id, r)) return http_fail_not_found(req), false;
    return true;
}

/* PATCH /test-rounds/{id} {name?, note?; while planned also on_day?, scope?, pool_size?} */
static int testing_round_patch(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    const char *name = NULL, *note = NULL, *on_day = NULL;
    int64_t pool = 0;
    bool has_pool = false;
    testing_scope sc;
    if (!http_body_str_opt(req, "name", 1, 100, &name)) return -1;
    if (!http_body_str_opt(req, "note", 0, 1000, &note)) return -1;
    if (!testing_body_date(req, "on_day", false, &on_day)) return -1;
    if (!testing_body_pool(req, r.kind, &pool, &has_pool)) return -1;
    if (!testing_body_scope(req, &sc)) return -1;
    if (!name && !note && !on_day && !has_pool && !sc.given) return http_fail_field(req, "name", "err.required");
    if (strcmp(r.state, "planned") && (on_day || has_pool || sc.given))
        return http_fail(req, 409, "conflict", on_day ? "on_day" : has_pool ? "pool_size" : "scope",
                         "testing.err.not_planned");
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE test_rounds SET name = COALESCE($2, name), note = COALESCE($3, note), "
                  "on_day = COALESCE($4, on_day), pool_size = CASE WHEN $5 > 0 THEN $5 ELSE pool_size END, "
                  "updated_at = $6 WHERE id = $1", "itttii", r.id, name, note, on_day, has_pool ? pool : 0,
                  now) != STORE_DONE)
        return http_fail_internal(req, "testing round patch");
    if (sc.given && (testing_scope_write(req, r.id, &sc) < 0 || testing_doors_fill(req, r.id, now) < 0))
        return http_fail_internal(req, "testing round scope");
    json_t *fields = json_array();
    if (name) json_array_append_new(fields, json_string("name"));
    if (note) json_array_append_new(fields, json_string("note"));
    if (on_day) json_array_append_new(fields, json_string("on_day"));
    if (has_pool) json_array_append_new(fields, json_string("pool_size"));
    if (sc.given) json_array_append_new(fields, json_string("scope"));
    http_audit_target(req, "test_round", r.id, json_pack("{s:o}", "fields", fields));
    return http_reply(req, 200, testing_round_json(req, r.id));
}

/* planned → open → closed: one step forward, never back; closing stops registration. */
static int testing_round_step(http_req *req, const char *from, const char *to)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    if (strcmp(r.state, from)) return http_fail(req, 409, "conflict", "state", "testing.err.state_step");
    int64_t now = clock_now_us();
    int rc = !strcmp(to, "open")
                 ? store_run(req->conn, NULL, "UPDATE test_rounds SET state = 'open', opened_at = $2, updated_at = $2 "
                             "WHERE id = $1 AND state = 'planned'", "ii", r.id, now)
                 : store_run(req->conn, NULL, "UPDATE test_rounds SET state = 'closed', closed_at = $2, updated_at = "
                             "$2 WHERE id = $1 AND state = 'open'", "ii", r.id, now);
    if (rc != STORE_DONE) return http_fail_internal(req, "testing round state");
    http_audit_target(req, "test_round", r.id, json_pack("{s:s, s:s}", "from", from, "to", to));
    return http_reply(req, 200, testing_round_json(req, r.id));
}

static int testing_round_open(http_req *req) { return testing_round_step(req, "planned", "open"); }
static int testing_round_close(http_req *req) { return testing_round_step(req, "open", "closed"); }

/* ---------------------------------------------------------------- stations */

static bool testing_times_ordered(http_req *req, const char *opens, const char *closes)
{
    if (strcmp(opens, closes) >= 0) return http_fail_field(req, "closes_at", "testing.err.hours"), false;
    return true;
}

/* POST /test-rounds/{id}/stations {name, place?, opens_at, closes_at, staff?} */
static int testing_station_create(http_req *req)
{
    testing_round r;
    testing_station_body b;
    if (!testing_path_round(req, &r)) return -1;
    if (!testing_body_station(req, &b, true)) return -1;
    if (!testing_times_ordered(req, b.opens_at, b.closes_at)) return -1;
    if (!strcmp(r.state, "closed")) return http_fail(req, 409, "conflict", NULL, "testing.err.closed");
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO test_stations (community_id, round_id, name, place, opens_at, "
                  "closes_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", "iitttti",
                  req->actor.community_id, r.id, b.name, b.place ? b.place : "", b.opens_at, b.closes_at,
                  clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "testing station insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    if (testing_staff_write(req, id, &b) < 0) return http_fail_internal(req, "testing station staff");
    http_audit_target(req, "test_station", id, json_pack("{s:I, s:I}", "round_id", (json_int_t)r.id, "staff",
                                                         (json_int_t)b.n_staff));
    return http_reply(req, 201, testing_station_json(req, id));
}

/* The station of the path with its round; false with 404 set. */
static bool testing_path_station(http_req *req, int64_t *id, testing_round *r)
{
    if (!http_param_id(req, "id", id)) return false;
    int64_t round_id = store_query_int(req->conn, 0, "SELECT round_id FROM test_stations WHERE id = $1 AND "
                                       "community_id = $2", "ii", *id, req->actor.community_id);
    if (!round_id || !testing_round_load(req, round_id, r)) return http_fail_not_found(req), false;
    return true;
}

/* PATCH /test-stations/{id} {name?, place?, opens_at?, closes_at?, staff?} (staff
 * replaces the list). */
static int testing_station_patch(http_req *req)
{
    int64_t id;
    testing_round r;
    testing_station_body b;
    if (!testing_path_station(req, &id, &r)) return -1;
    if (!testing_body_station(req, &b, false)) return -1;
    if (!b.name && !b.place && !b.opens_at && !b.closes_at && !b.staff_given)
        return http_fail_field(req, "name", "err.required");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT opens_at, closes_at FROM test_stations WHERE id = $1", "i", id) != STORE_ROW)
        return http_fail_internal(req, "testing station read");
    const char *opens = b.opens_at ? b.opens_at : arena_strdup(req->a, store_col_text(st, 0));
    const char *closes = b.closes_at ? b.closes_at : arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    if (!testing_times_ordered(req, opens, closes)) return -1;
    if (!strcmp(r.state, "closed")) return http_fail(req, 409, "conflict", NULL, "testing.err.closed");
    if (store_run(req->conn, NULL, "UPDATE test_stations SET name = COALESCE($2, name), place = COALESCE($3, place), "
                  "opens_at = $4, closes_at = $5 WHERE id = $1", "itttt", id, b.name, b.place, opens,
                  closes) != STORE_DONE)
        return http_fail_internal(req, "testing station patch");
    if (b.staff_given && testing_staff_write(req, id, &b) < 0) return http_fail_internal(req, "testing station staff");
    json_t *fields = json_array();
    if (b.name) json_array_append_new(fields, json_string("name"));
    if (b.place) json_array_append_new(fields, json_string("place"));
    if (b.opens_at) json_array_append_new(fields, json_string("opens_at"));
    if (b.closes_at) json_array_append_new(fields, json_string("closes_at"));
    if (b.staff_given) json_array_append_new(fields, json_string("staff"));
    http_audit_target(req, "test_station", id, json_pack("{s:o}", "fields", fields));
    return http_reply(req, 200, testing_station_json(req, id));
}

/* DELETE /test-stations/{id} — only while nothing was sampled, boxed or tubed there:
 * a station that worked is part of the round's record. */
static int testing_station_delete(http_req *req)
{
    int64_t id;
    testing_round r;
    if (!testing_path_station(req, &id, &r)) return -1;
    if (store_query_int(req->conn, 1, "SELECT (SELECT COUNT(*) FROM test_samples WHERE community_id = $2 AND "
                        "station_id = $1) + (SELECT COUNT(*) FROM test_tubes WHERE community_id = $2 AND station_id = "
                        "$1) + (SELECT COUNT(*) FROM test_boxes WHERE community_id = $2 AND station_id = $1)", "ii", id,
                        req->actor.community_id))
        return http_fail(req, 409, "conflict", NULL, "testing.err.station_used");
    if (store_run(req->conn, NULL, "DELETE FROM test_station_staff WHERE community_id = $1 AND station_id = $2", "ii",
                  req->actor.community_id, id) != STORE_DONE ||
        store_run(req->conn, NULL, "DELETE FROM test_stations WHERE id = $1 AND community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "testing station delete");
    http_audit_target(req, "test_station", id, json_pack("{s:I}", "round_id", (json_int_t)r.id));
    return http_reply(req, 200, json_pack("{s:b, s:I}", "deleted", 1, "id", (json_int_t)id));
}

/* ---------------------------------------------------------------- exemptions */

static const char *const testing_exempt_reasons[] = {"recovered", "away", "other", NULL};
static const char *const testing_door_reasons[] = {"bedridden", "home_isolation", "other", NULL};
static const char *const testing_door_states[] = {"to_visit", "sampled", "refused", "not_home", NULL};

/* The resident's columns every list of this file starts with, from r, h, b. */
#define TESTING_PERSON_COLUMNS "r.id, r.name, h.room, b.id, b.name, COALESCE(NULLIF(r.phone, ''), h.phone), "
#define TESTING_PERSON_FROM \
    "JOIN residents r ON r.id = x.resident_id JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = " \
    "h.block_id "

static json_t *testing_person(store_stmt *st, int col, const char *phone)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s}", "resident_id", (json_int_t)store_col_int(st, col), "name",
                     store_col_text(st, col + 1), "room", store_col_text(st, col + 2), "block_id",
                     (json_int_t)store_col_int(st, col + 3), "block_name", store_col_text(st, col + 4), "phone",
                     phone ? phone : "");
}

static json_t *testing_exemption_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    json_t *e = testing_person(st, 1, store_col_text(st, 6));
    const char *reason = store_col_text(st, 7);
    json_object_set_new(e, "id", json_integer(store_col_int(st, 0)));
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "reason_text", json_string(testing_setup_word(req, "testing.exempt.", reason)));
    json_object_set_new(e, "note", json_string(store_col_text(st, 8)));
    json_object_set_new(e, "created_at", testing_setup_time(req, st, 9));
    return e;
}

#define TESTING_EXEMPTION_SELECT \
    "SELECT x.id, " TESTING_PERSON_COLUMNS "x.reason, x.note, x.created_at FROM test_exemptions x " \
    TESTING_PERSON_FROM

static const list_column testing_exemption_columns[] = {
    {"block_name", "testing.col.block"}, {"room", "testing.col.room"}, {"name", "testing.col.resident"},
    {"reason_text", "testing.col.reason"}, {"note", "testing.col.note"}, {0, 0},
};

/* GET /test-rounds/{id}/exemptions?block_id= — the exempt people of the leader's scope. */
static int testing_exemptions_list(http_req *req)
{
    testing_round r;
    int64_t block_id;
    if (!testing_path_round(req, &r) || !testing_setup_query_id(req, "block_id", &block_id)) return -1;
    store_stmt *st = store_prepare(req->conn, TESTING_EXEMPTION_SELECT "WHERE x.community_id = $1 AND x.round_id = $3 "
                                   "AND " SCOPE_HOUSEHOLD " AND ($4 = 0 OR h.block_id = $4) AND x.id > $5 "
                                   "ORDER BY x.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    store_bind_int(st, 4, block_id);
    return testing_setup_list(req, st, 5, testing_exemption_row, "testing.list.exemptions", block_id,
                              testing_exemption_columns);
}

static bool testing_body_resident(http_req *req, int64_t *id)
{
    bool has = false;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, id, &has)) return false;
    if (!has) return http_fail_field(req, "resident_id", "err.required"), false;
    return true;
}

/* POST /test-rounds/{id}/exemptions {resident_id, reason, note?} — someone the round
 * does not expect; once a round, and not once they are sampled. */
static int testing_exemption_create(http_req *req)
{
    testing_round r;
    int64_t resident;
    const char *reason, *note = "";
    if (!testing_path_round(req, &r) || !testing_body_resident(req, &resident)) return -1;
    if (!http_body_str(req, "reason", 1, 16, &reason)) return -1;
    if (!testing_setup_word_in(reason, testing_exempt_reasons))
        return http_fail_field(req, "reason", "testing.err.exempt_reason");
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    if (!testing_setup_resident(req, r.id, resident)) return http_fail_not_found(req);
    if (!strcmp(r.state, "closed")) return http_fail(req, 409, "conflict", NULL, "testing.err.round_closed");
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_exemptions WHERE round_id = $1 AND resident_id = $2",
                        "ii", r.id, resident))
        return http_fail(req, 409, "conflict", "resident_id", "testing.err.exempt_twice");
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_samples WHERE round_id = $1 AND resident_id = $2 AND "
                        "state = 'counted'", "ii", r.id, resident))
        return http_fail(req, 409, "conflict", "resident_id", "testing.err.sampled");
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO test_exemptions (community_id, round_id, resident_id, reason, note, "
                  "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", "iiittii",
                  req->actor.community_id, r.id, resident, reason, note, req->actor.user_id,
                  clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "testing exemption insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "test_exemption", id, json_pack("{s:I, s:I, s:s}", "round_id", (json_int_t)r.id,
                                                           "resident_id", (json_int_t)resident, "reason", reason));
    if (store_run(req->conn, &st, TESTING_EXEMPTION_SELECT "WHERE x.id = $1", "i", id) != STORE_ROW)
        return http_fail_internal(req, "testing exemption read");
    json_t *e = testing_exemption_row(st, req);
    store_done(st);
    return http_reply(req, 201, e);
}

/* DELETE /test-exemptions/{id} — the person is expected again. */
static int testing_exemption_delete(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT x.round_id, x.resident_id, t.state FROM test_exemptions x JOIN test_rounds "
                  "t ON t.id = x.round_id " TESTING_PERSON_FROM "WHERE x.id = $3 AND x.community_id = $1 AND "
                  SCOPE_HOUSEHOLD, "iii", req->actor.community_id, req->actor.user_id, id) != STORE_ROW)
        return http_fail_not_found(req);
    int64_t round_id = store_col_int(st, 0), resident = store_col_int(st, 1);
    bool closed = !strcmp(store_col_text(st, 2), "closed");
    store_done(st);
    if (closed) return http_fail(req, 409, "conflict", NULL, "testing.err.round_closed");
    if (store_run(req->conn, NULL, "DELETE FROM test_exemptions WHERE id = $1", "i", id) != STORE_DONE)
        return http_fail_internal(req, "testing exemption delete");
    http_audit_target(req, "test_exemption", id, json_pack("{s:I, s:I}", "round_id", (json_int_t)round_id,
                                                           "resident_id", (json_int_t)resident));
    return http_reply(req, 200, json_pack("{s:b, s:I}", "deleted", 1, "id", (json_int_t)id));
}

/* ---------------------------------------------------------------- door-to-door */

/* A door-to-door row is the actor's: a leader's of their scope, or a volunteer's who
 * is a member of the team sent ($2 the user). */
#define TESTING_DOOR_TEAM \
    "EXISTS (SELECT 1 FROM team_members tm JOIN volunteers v ON v.id = tm.volunteer_id WHERE tm.team_id = x.team_id " \
    "AND tm.state = 'member' AND v.user_id = $2)"
#define TESTING_DOOR_MINE "((" SCOPE_HOUSEHOLD ") OR " TESTING_DOOR_TEAM ")"

#define TESTING_DOOR_SELECT \
    "SELECT x.id, " TESTING_PERSON_COLUMNS "x.reason, x.team_id, tt.name, x.state, x.note, x.updated_at, " \
    "CASE WHEN " SCOPE_HOUSEHOLD " THEN 1 ELSE 0 END FROM test_door_visits x " TESTING_PERSON_FROM \
    "LEFT JOIN teams tt ON tt.id = x.team_id "

static json_t *testing_door_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    bool leader = store_col_int(st, 13) != 0;
    const char *phone = store_col_text(st, 6);
    json_t *d = testing_person(st, 1, leader ? phone : testing_setup_phone_mask(req, phone));
    const char *reason = store_col_text(st, 7), *state = store_col_text(st, 10);
    json_object_set_new(d, "id", json_integer(store_col_int(st, 0)));
    json_object_set_new(d, "reason", json_string(reason));
    json_object_set_new(d, "reason_text", json_string(testing_setup_word(req, "testing.door.", reason)));
    json_object_set_new(d, "team_id", store_col_null(st, 8) ? json_null() : json_integer(store_col_int(st, 8)));
    json_object_set_new(d, "team_name", json_string(store_col_null(st, 9) ? "" : store_col_text(st, 9)));
    json_object_set_new(d, "state", json_string(state));
    json_object_set_new(d, "state_text", json_string(testing_setup_word(req, "testing.visit.", state)));
    json_object_set_new(d, "note", json_string(store_col_text(st, 11)));
    json_object_set_new(d, "updated_at", testing_setup_time(req, st, 12));
    return d;
}

static const list_column testing_door_columns[] = {
    {"block_name", "testing.col.block"}, {"room", "testing.col.room"}, {"name", "testing.col.resident"},
    {"phone", "testing.col.phone"}, {"reason_text", "testing.col.reason"}, {"team_name", "testing.col.team"},
    {"state_text", "testing.col.visit"}, {"note", "testing.col.note"}, {0, 0},
};

/* GET /test-rounds/{id}/door-visits?block_id=&team_id=&state= — printable: the sheet a
 * team carries door to door. */
static int testing_doors_list(http_req *req)
{
    int64_t id, block_id, team_id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!testing_setup_query_id(req, "block_id", &block_id) || !testing_setup_query_id(req, "team_id", &team_id))
        return -1;
    const char *state = http_query(req, "state");
    if (state && *state && !testing_setup_word_in(state, testing_door_states))
        return http_fail_field(req, "state", "testing.err.visit_state");
    bool leader = actor_has(&req->actor, TESTING_LEADERS);
    /* A volunteer outside every team sent in this round finds no such list. */
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_rounds t WHERE t.id = $1 AND t.community_id = $3 AND "
                         "($4 = 1 OR EXISTS (SELECT 1 FROM test_door_visits x WHERE x.round_id = t.id AND "
                         TESTING_DOOR_TEAM "))", "iiii", id, req->actor.user_id, req->actor.community_id,
                         (int64_t)leader))
        return http_fail_not_found(req);
    store_stmt *st = store_prepare(req->conn, TESTING_DOOR_SELECT "WHERE x.community_id = $1 AND x.round_id = $3 AND "
                                   TESTING_DOOR_MINE " AND ($4 = 0 OR h.block_id = $4) AND ($5 = 0 OR x.team_id = $5) "
                                   "AND ($6 = '' OR x.state = $6) AND x.id > $7 ORDER BY x.id LIMIT $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    store_bind_int(st, 4, block_id);
    store_bind_int(st, 5, team_id);
    store_bind_text(st, 6, state ? state : "");
    return testing_setup_list(req, st, 7, testing_door_row, "testing.list.doors", block_id, testing_door_columns);
}

static json_t *testing_door_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, TESTING_DOOR_SELECT "WHERE x.id = $3", "iii", req->actor.community_id,
                  req->actor.user_id, id) != STORE_ROW)
        return NULL;
    json_t *d = testing_door_row(st, req);
    store_done(st);
    return d;
}

/* POST /test-rounds/{id}/door-visits {resident_id, reason} — someone who cannot come
 * (a broken leg, a new isolation) added by hand. */
static int testing_door_create(http_req *req)
{
    testing_round r;
    int64_t resident;
    const char *reason;
    if (!testing_path_round(req, &r) || !testing_body_resident(req, &resident)) return -1;
    if (!http_body_str(req, "reason", 1, 16, &reason)) return -1;
    if (!testing_setup_word_in(reason, testing_door_reasons))
        return http_fail_field(req, "reason", "testing.err.door_reason");
    if (!testing_setup_resident(req, r.id, resident)) return http_fail_not_found(req);
    if (!strcmp(r.state, "closed")) return http_fail(req, 409, "conflict", NULL, "testing.err.round_closed");
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_door_visits WHERE round_id = $1 AND resident_id = $2",
                        "ii", r.id, resident))
        return http_fail(req, 409, "conflict", "resident_id", "testing.err.door_twice");
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO test_door_visits (community_id, round_id, resident_id, reason, "
                  "updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", "iiitii",
                  req->actor.community_id, r.id, resident, reason, req->actor.user_id, clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "testing door insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "test_door_visit", id, json_pack("{s:I, s:I, s:s}", "round_id", (json_int_t)r.id,
                                                            "resident_id", (json_int_t)resident, "reason", reason));
    return http_reply(req, 201, testing_door_json(req, id));
}

/* PATCH /test-door-visits/{id} {team_id?, state?, note?} — a leader of the resident's
 * scope sends a team (team_id, null for none) and records the outcome; a member of the
 * team sent records the outcome only. */
static int testing_door_patch(http_req *req)
{
    int64_t id, team = 0;
    bool has_team = false, team_null = false;
    const char *state = NULL, *note = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT CASE WHEN " SCOPE_HOUSEHOLD " THEN 1 ELSE 0 END, t.state FROM "
                  "test_door_visits x JOIN test_rounds t ON t.id = x.round_id " TESTING_PERSON_FROM "WHERE x.id = $3 "
                  "AND x.community_id = $1 AND " TESTING_DOOR_MINE, "iii", req->actor.community_id,
                  req->actor.user_id, id) != STORE_ROW)
        return http_fail_not_found(req);
    bool leader = store_col_int(st, 0) != 0, closed = !strcmp(store_col_text(st, 1), "closed");
    store_done(st);
    json_t *tv = json_object_get(req->json, "team_id");
    if (tv && json_is_null(tv)) team_null = has_team = true;
    else if (!http_body_int_opt(req, "team_id", 1, INT64_MAX, &team, &has_team)) return -1;
    if (!http_body_str_opt(req, "state", 1, 16, &state)) return -1;
    if (state && !testing_setup_word_in(state, testing_door_states))
        return http_fail_field(req, "state", "testing.err.visit_state");
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    if (!has_team && !state && !note) return http_fail_field(req, "state", "err.required");
    if (has_team && !leader) return http_fail(req, 403, "forbidden", "team_id", "testing.err.team_leader");
    if (has_team && !team_null && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM teams WHERE id = $1 AND "
                                                   "community_id = $2", "ii", team, req->actor.community_id))
        return http_fail_field(req, "team_id", "testing.err.team");
    if (closed) return http_fail(req, 409, "conflict", NULL, "testing.err.round_closed");
    if (store_run(req->conn, NULL, "UPDATE test_door_visits SET team_id = CASE WHEN $2 = 1 THEN NULL WHEN $3 > 0 THEN "
                  "$3 ELSE team_id END, state = COALESCE($4, state), note = COALESCE($5, note), updated_by = $6, "
                  "updated_at = $7 WHERE id = $1", "iiittii", id, (int64_t)team_null, team, state, note,
                  req->actor.user_id, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "testing door patch");
    json_t *fields = json_array();
    if (has_team) json_array_append_new(fields, json_string("team_id"));
    if (state) json_array_append_new(fields, json_string("state"));
    if (note) json_array_append_new(fields, json_string("note"));
    http_audit_target(req, "test_door_visit", id, json_pack("{s:o}", "fields", fields));
    return http_reply(req, 200, testing_door_json(req, id));
}

const http_route testing_round_routes[] = {
    {"GET", "/api/v1/test-rounds", NULL, testing_rounds_list, TESTING_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/test-rounds/{id}", NULL, testing_round_get, TESTING_STAFF, 0, 0, NULL},
    {"POST", "/api/v1/test-rounds", NULL, testing_round_create, ROLE_COMMITTEE, ROUTE_WRITE, 32768,
     "testing.round.create"},
    {"PATCH", "/api/v1/test-rounds/{id}", NULL, testing_round_patch, ROLE_COMMITTEE, ROUTE_WRITE, 32768,
     "testing.round.change"},
    {"POST", "/api/v1/test-rounds/{id}/open", NULL, testing_round_open, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "testing.round.start"},
    {"POST", "/api/v1/test-rounds/{id}/close", NULL, testing_round_close, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "testing.round.finish"},
    {"POST", "/api/v1/test-rounds/{id}/stations", NULL, testing_station_create, ROLE_COMMITTEE, ROUTE_WRITE, 16384,
     "testing.station.create"},
    {"PATCH", "/api/v1/test-stations/{id}", NULL, testing_station_patch, ROLE_COMMITTEE, ROUTE_WRITE, 16384,
     "testing.station.change"},
    {"DELETE", "/api/v1/test-stations/{id}", NULL, testing_station_delete, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "testing.station.delete"},
    {"GET", "/api/v1/test-rounds/{id}/exemptions", NULL, testing_exemptions_list, TESTING_LEADERS, ROUTE_EXPORTABLE,
     0, NULL},
    {"POST", "/api/v1/test-rounds/{id}/exemptions", NULL, testing_exemption_create, TESTING_LEADERS, ROUTE_WRITE, 4096,
     "testing.exempt"},
    {"DELETE", "/api/v1/test-exemptions/{id}", NULL, testing_exemption_delete, TESTING_LEADERS, ROUTE_WRITE, 1024,
     "testing.exempt.delete"},
    {"GET", "/api/v1/test-rounds/{id}/door-visits", NULL, testing_doors_list, TESTING_STAFF, ROUTE_EXPORTABLE, 0,
     NULL},
    {"POST", "/api/v1/test-rounds/{id}/door-visits", NULL, testing_door_create, TESTING_LEADERS, ROUTE_WRITE, 4096,
     "testing.door.add"},
    {"PATCH", "/api/v1/test-door-visits/{id}", NULL, testing_door_patch, TESTING_STAFF, ROUTE_WRITE, 4096,
     "testing.door.change"},
    {0},
};

const i18n_entry testing_round_messages[] = {
    {"enum.test_round", "核酸筛查轮次", "Testing round"},
    {"enum.test_station", "采样点", "Sampling station"},
    {"enum.test_exemption", "免检登记", "Testing exemption"},
    {"enum.test_door_visit", "上门采样", "Door-to-door sampling"},
    {"testing.list.rounds", "核酸筛查轮次", "Testing rounds"},
    {"testing.list.exemptions", "免检名单", "Exempt from the round"},
    {"testing.list.doors", "上门采样名单", "Door-to-door sampling list"},
    {"testing.col.block", "楼组", "Block"},
    {"testing.col.room", "门牌", "Room"},
    {"testing.col.resident", "姓名", "Name"},
    {"testing.col.phone", "电话", "Phone"},
    {"testing.col.reason", "原因", "Reason"},
    {"testing.col.team", "上门队伍", "Team"},
    {"testing.col.visit", "上门结果", "Visit"},
    {"testing.exempt.recovered", "近期康复", "Recently recovered"},
    {"testing.exempt.away", "不在小区", "Away"},
    {"testing.exempt.other", "其他", "Other"},
    {"testing.door.bedridden", "卧床", "Bedridden"},
    {"testing.door.home_isolation", "居家隔离", "Home isolation"},
    {"testing.door.other", "其他", "Other"},
    {"testing.visit.to_visit", "待上门", "To visit"},
    {"testing.visit.sampled", "已采样", "Sampled"},
    {"testing.visit.refused", "拒绝采样", "Refused"},
    {"testing.visit.not_home", "无人在家", "Not at home"},
    {"testing.col.day", "日期", "Day"},
    {"testing.col.name", "名称", "Name"},
    {"testing.col.kind", "类型", "Kind"},
    {"testing.col.pool_size", "混采人数", "Pool size"},
    {"testing.col.state", "状态", "State"},
    {"testing.col.stations", "采样点数", "Stations"},
    {"testing.col.note", "备注", "Note"},
    {"testing.kind.pcr_pooled", "核酸混采", "PCR pooled"},
    {"testing.kind.pcr_single", "核酸单采", "PCR single"},
    {"testing.kind.antigen", "抗原检测", "Antigen"},
    {"testing.state.planned", "筹备中", "Planned"},
    {"testing.state.open", "采样中", "Open"},
    {"testing.state.closed", "已结束", "Closed"},
    {"testing.duty.registrar", "扫码登记", "Registrar"},
    {"testing.duty.queue", "秩序引导", "Queue"},
    {"testing.duty.sampler", "采样", "Sampler"},
    {"testing.duty.runner", "转运", "Runner"},
    {"testing.err.id", "应为正整数编号", "Must be a positive id"},
    {"testing.err.exempt_reason", "原因只能是 recovered（近期康复）、away（不在小区）或 other（其他）",
     "Reason must be recovered, away or other"},
    {"testing.err.door_reason", "原因只能是 bedridden（卧床）、home_isolation（居家隔离）或 other（其他）",
     "Reason must be bedridden, home_isolation or other"},
    {"testing.err.visit_state", "上门结果只能是 to_visit、sampled、refused 或 not_home",
     "State must be to_visit, sampled, refused or not_home"},
    {"testing.err.round_closed", "轮次已结束，名单不能再改", "The round is closed: its lists stay as they are"},
    {"testing.err.exempt_twice", "此人在本轮已登记免检", "This person is already exempt from the round"},
    {"testing.err.sampled", "此人在本轮已采样", "This person is already sampled in the round"},
    {"testing.err.door_twice", "此人已在本轮上门采样名单中", "This person is already on the round's door-to-door list"},
    {"testing.err.team", "本社区没有这个队伍", "No team of this community has this id"},
    {"testing.err.team_leader", "只有负责该楼组的干部可以安排上门队伍", "Only a leader of the resident's block sends a "
     "team"},
    {"testing.err.date", "日期格式应为 YYYY-MM-DD，且是真实存在的日期", "Must be a real date written YYYY-MM-DD"},
    {"testing.err.state_filter", "状态只能是 planned、open 或 closed", "State must be planned, open or closed"},
    {"testing.err.kind", "类型只能是 pcr_pooled、pcr_single 或 antigen", "Kind must be pcr_pooled, pcr_single or antigen"},
    {"testing.err.pool_single", "单采和抗原检测每管只能 1 人", "A single or antigen round takes one person a tube"},
    {"testing.err.scope", "范围应为对象：{zones: [编号], blocks: [编号]}", "Scope must be an object {zones: [ids], "
     "blocks: [ids]}"},
    {"testing.err.scope_ids", "应为编号列表", "Must be a list of ids"},
    {"testing.err.zone", "本社区没有这个片区", "No zone of this community has this id"},
    {"testing.err.block", "本社区没有这个楼组", "No block of this community has this id"},
    {"testing.err.copy_from", "本社区没有这个轮次可以复制", "No round of this community to copy has this id"},
    {"testing.err.not_planned", "轮次已开始，日期、范围和混采人数不能再改", "The round has begun: its day, scope and "
     "pool size stay as they are"},
    {"testing.err.state_step", "轮次只能按 筹备中→采样中→已结束 的顺序推进", "A round goes planned, then open, then "
     "closed, one step at a time"},
    {"testing.err.closed", "轮次已结束，不能再改采样点", "The round is closed: its stations stay as they are"},
    {"testing.err.hhmm", "时间格式应为 HH:MM（24 小时）", "Time must be written HH:MM (24 hours)"},
    {"testing.err.hours", "结束时间应晚于开始时间", "The closing time must come after the opening time"},
    {"testing.err.staff", "人员应为列表：[{user_id, duty}]", "Staff must be a list [{user_id, duty}]"},
    {"testing.err.staff_user", "应为本社区在用的志愿者或楼组长、片区长、居委干部账号",
     "Must be an active volunteer or leader account of this community"},
    {"testing.err.staff_twice", "同一人在一个采样点只能出现一次", "A person is listed once a station"},
    {"testing.err.duty", "分工只能是 registrar、queue、sampler 或 runner",
     "Duty must be registrar, queue, sampler or runner"},
    {"testing.err.station_used", "该采样点已有采样记录，不能删除", "The station has samples: it cannot be deleted"},
    {0, 0, 0},
};
