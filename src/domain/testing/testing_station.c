/* testing_station.c — registration at a station (采样点登记): transport boxes and tubes by
 * their scanned codes, finding the round's people by code, name, phone tail or room, one
 * durable write per sample, the offline queue taken exactly once (/sync), the people a
 * station caches to work without the network, conflicts to settle, and door-to-door
 * samples. Every station route checks that the actor staffs the station (committee: any)
 * and that the round is open; a station outside that reads as not found. */
#include "testing_int.h"
#include "../registry/codes.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TST_SYNC_MAX 500
#define TST_LOOKUP_MAX 30
#define TST_CODE_MAX 64
/* A queued registration may be synced the next day; older is a mistake. */
#define TST_BACKDATE_MS (2 * 86400LL * 1000)
#define TST_AHEAD_MS (5 * 60LL * 1000)

typedef struct tst_station {
    int64_t id, round_id, capacity;
    const char *name, *on_day;
} tst_station;

/* An error of one registration, told as the single route tells it or as one item of a
 * sync: status, code, field and the catalogue key of the reason. */
typedef struct tst_err {
    int status;
    const char *code, *field, *key;
} tst_err;

static bool tst_fail(tst_err *e, int status, const char *code, const char *field, const char *key)
{
    e->status = status, e->code = code, e->field = field, e->key = key;
    return false;
}

/* ---------------------------------------------------------------- access */


/* The station of the path when the actor may register at it and (for writes) its
 * round is open; false with 404 (not found or not theirs) or 409 (round not open) set.
 * Reads (the station's state, a look-up) also answer for a round planned or closed:
 * what a station did stays readable. */
static bool tst_station_load(http_req *req, int64_t id, tst_station *s, bool must_be_open)
{
    testing_round round;
    s->id = id;
    s->name = NULL;
    if (testing_station_access(req, id, &round) != 1) return http_fail_not_found(req), false;
    s->round_id = round.id;
    s->capacity = round.pool_size;
    s->on_day = arena_strdup(req->a, round.on_day);
    if (must_be_open && strcmp(round.state, "open"))
        return http_fail(req, 409, "conflict", NULL, "testing.st.err.round_not_open"), false;
    return true;
}

static bool tst_path_station_any(http_req *req, tst_station *s, bool must_be_open)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    return tst_station_load(req, id, s, must_be_open);
}

static bool tst_path_station(http_req *req, tst_station *s) { return tst_path_station_any(req, s, true); }

/* ---------------------------------------------------------------- small readers */

/* A scanned or typed code of a tube or box: 1..64 visible characters, spaces around
 * dropped. NULL when it is no such text. */
static const char *tst_clean_code(http_req *req, const char *in)
{
    if (!in) return NULL;
    while (*in == ' ') in++;
    size_t n = strlen(in);
    while (n && in[n - 1] == ' ') n--;
    if (!n || n > TST_CODE_MAX) return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) return NULL;
    return arena_printf(req->a, "%.*s", (int)n, in);
}

static bool tst_item_str(json_t *o, const char *field, bool required, size_t max, const char **out, tst_err *e)
{
    json_t *v = json_object_get(o, field);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? tst_fail(e, 400, "validation_failed", field, "testing.st.err.required") : true;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return tst_fail(e, 400, "validation_failed", field, "testing.st.err.not_string");
    if (!json_string_length(v)) return tst_fail(e, 400, "validation_failed", field, "testing.st.err.required");
    if (json_string_length(v) > max) return tst_fail(e, 400, "validation_failed", field, "testing.st.err.too_long");
    *out = json_string_value(v);
    return true;
}

static bool tst_item_int(json_t *o, const char *field, bool required, int64_t *out, bool *given, tst_err *e)
{
    json_t *v = json_object_get(o, field);
    *given = false;
    if (!v || json_is_null(v))
        return required ? tst_fail(e, 400, "validation_failed", field, "testing.st.err.required") : true;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return tst_fail(e, 400, "validation_failed", field, "testing.st.err.not_id");
    *out = json_integer_value(v);
    *given = true;
    return true;
}

/* ---------------------------------------------------------------- boxes and tubes */

typedef struct tst_tube {
    int64_t id, station_id, box_id, samples, capacity;
    bool closed, has_result;
    const char *code;
} tst_tube;

/* 1 found, 0 not, -1 store error. */
static int tst_tube_find(http_req *req, int64_t round, const char *code, tst_tube *t)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT id, station_id, box_id, samples, capacity, closed_at, result FROM "
                       "test_tubes WHERE community_id = $1 AND round_id = $2 AND code = $3", "iit",
                       req->actor.community_id, round, code);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return -1;
    t->id = store_col_int(st, 0);
    t->station_id = store_col_int(st, 1);
    t->box_id = store_col_int(st, 2);
    t->samples = store_col_int(st, 3);
    t->capacity = store_col_int(st, 4);
    t->closed = !store_col_null(st, 5);
    t->has_result = !store_col_null(st, 6);
    t->code = arena_strdup(req->a, code);
    store_done(st);
    return 1;
}

static json_t *tst_tube_json(const tst_tube *t)
{
    return json_pack("{s:I, s:s, s:I, s:I, s:b}", "id", (json_int_t)t->id, "code", t->code, "samples",
                     (json_int_t)t->samples, "capacity", (json_int_t)t->capacity, "closed", t->closed);
}

/* An id, or NULL for 0, as parameter idx. */
static void tst_bind_id(store_stmt *st, int idx, int64_t id)
{
    if (id) store_bind_int(st, idx, id);
    else store_bind_null(st, idx);
}

/* The open box of a station, 0 when none; -1 on a store error. */
static int64_t tst_open_box(http_req *req, int64_t station)
{
    int64_t id = 0;
    if (store_query_int_checked(req->conn, &id, 0, "SELECT MAX(id) FROM test_boxes WHERE community_id = $1 AND "
                                "station_id = $2 AND closed_at IS NULL", "ii", req->actor.community_id, station))
        return -1;
    return id;
}

/* Opens a box at the station (its previous open box closes). The id, or 0 after a
 * store error. */
static int64_t tst_box_new(http_req *req, const tst_station *s, const char *code)
{
    int64_t now = clock_now_us(), c = req->actor.community_id;
    if (store_run(req->conn, NULL, "UPDATE test_boxes SET closed_at = $3 WHERE community_id = $1 AND station_id = $2 "
                  "AND closed_at IS NULL", "iii", c, s->id, now) != STORE_DONE)
        return 0;
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO test_boxes (community_id, round_id, station_id, code, opened_by, "
                  "opened_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", "iiitii", c, s->round_id, s->id, code,
                  req->actor.user_id, now) != STORE_ROW)
        return 0;
    int64_t id = store_col_int(st, 0);
    store_done(st);
    return id;
}

/* Opens a tube (a station's previous open tube closes; a door-to-door tube, station 0,
 * closes nothing). Fills *t; false after a store error. */
static bool tst_tube_new(http_req *req, int64_t round, int64_t station, int64_t box, const char *code,
                         int64_t capacity, tst_tube *t)
{
    int64_t now = clock_now_us(), c = req->actor.community_id;
    if (station && store_run(req->conn, NULL, "UPDATE test_tubes SET closed_at = $3 WHERE community_id = $1 AND "
                             "station_id = $2 AND closed_at IS NULL", "iii", c, station, now) != STORE_DONE)
        return false;
    store_stmt *st = store_prepare(req->conn, "INSERT INTO test_tubes (community_id, round_id, station_id, box_id, "
                                   "code, capacity, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                                   "RETURNING id");
    if (!st) return false;
    store_bind_int(st, 1, c);
    store_bind_int(st, 2, round);
    tst_bind_id(st, 3, station);
    tst_bind_id(st, 4, box);
    store_bind_text(st, 5, code);
    store_bind_int(st, 6, capacity);
    store_bind_int(st, 7, req->actor.user_id);
    store_bind_int(st, 8, now);
    bool ok = store_step(st) == STORE_ROW;
    if (ok) {
        *t = (tst_tube){.id = store_col_int(st, 0), .station_id = station, .box_id = box, .capacity = capacity,
                        .code = arena_strdup(req->a, code)};
    }
    store_done(st);
    return ok;
}

/* ---------------------------------------------------------------- one registration */

typedef struct tst_sample_in {
    const char *idem, *tube_code, *box_code, *via;
    int64_t resident_id, taken_at;   /* taken_at in microseconds */
    bool queued;
} tst_sample_in;

/* Reads one registration from a JSON object (the body, or an item of a sync). */
static bool tst_sample_read(http_req *req, json_t *o, tst_sample_in *in, bool resident_required, tst_err *e)
{
    const char *tube, *box;
    int64_t ms = 0;
    bool given;
    if (!json_is_object(o)) return tst_fail(e, 400, "validation_failed", "items", "testing.st.err.item");
    if (!tst_item_str(o, "idem_key", true, 64, &in->idem, e)) return false;
    if (strlen(in->idem) < 8) return tst_fail(e, 400, "validation_failed", "idem_key", "testing.st.err.idem_key");
    if (resident_required && !tst_item_int(o, "resident_id", true, &in->resident_id, &given, e)) return false;
    if (!tst_item_str(o, "tube_code", true, 200, &tube, e)) return false;
    if (!(in->tube_code = tst_clean_code(req, tube)))
        return tst_fail(e, 400, "validation_failed", "tube_code", "testing.st.err.code_text");
    if (!tst_item_str(o, "box_code", false, 200, &box, e)) return false;
    if (box && !(in->box_code = tst_clean_code(req, box)))
        return tst_fail(e, 400, "validation_failed", "box_code", "testing.st.err.code_text");
    if (!tst_item_int(o, "taken_at", false, &ms, &given, e)) {
        e->key = "testing.st.err.taken_at";
        return false;
    }
    int64_t now_ms = clock_now_us() / 1000;
    if (given && (ms > now_ms + TST_AHEAD_MS || ms < now_ms - TST_BACKDATE_MS))
        return tst_fail(e, 400, "validation_failed", "taken_at", "testing.st.err.taken_at");
    in->taken_at = given ? ms * 1000 : clock_now_us();
    json_t *q = json_object_get(o, "queued");
    if (q && !json_is_boolean(q) && !json_is_null(q))
        return tst_fail(e, 400, "validation_failed", "queued", "testing.st.err.queued");
    in->queued = q && json_is_true(q);
    return true;
}

/* Where and when a person's counted sample of the round was taken, for the answer. */
static json_t *tst_first_json(http_req *req, int64_t sample)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT ts.id, ts.taken_at, ts.via, COALESCE(s.name, ''), COALESCE(t.code, '') "
                  "FROM test_samples ts LEFT JOIN test_stations s ON s.id = ts.station_id LEFT JOIN test_tubes t ON "
                  "t.id = ts.tube_id WHERE ts.id = $1 AND ts.community_id = $2", "ii", sample,
                  req->actor.community_id) != STORE_ROW)
        return json_null();
    json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s}", "sample_id", (json_int_t)store_col_int(st, 0), "taken_at",
                          testing_setup_local(req, store_col_int(st, 1)), "via", store_col_text(st, 2), "station",
                          store_col_text(st, 3), "tube_code", store_col_text(st, 4));
    store_done(st);
    return o;
}

/* The answer for a sample row that exists (a first registration or its replay). */
static json_t *tst_row_answer(http_req *req, int64_t sample)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT ts.state, ts.conflict_with, r.id, r.name, h.room, t.id, t.code, t.samples, "
                  "t.capacity, t.closed_at FROM test_samples ts JOIN residents r ON r.id = ts.resident_id JOIN "
                  "households h ON h.id = ts.household_id LEFT JOIN test_tubes t ON t.id = ts.tube_id WHERE ts.id = $1 "
                  "AND ts.community_id = $2", "ii", sample, req->actor.community_id) != STORE_ROW)
        return NULL;
    bool counted = !strcmp(store_col_text(st, 0), "counted");
    int64_t other = store_col_int(st, 1);
    json_t *a = json_pack("{s:s, s:I, s:{s:I, s:s, s:s}}", "status", counted ? "counted" : "conflict", "sample_id",
                          (json_int_t)sample, "resident", "id", (json_int_t)store_col_int(st, 2), "name",
                          store_col_text(st, 3), "room", store_col_text(st, 4));
    if (store_col_null(st, 5)) {
        json_object_set_new(a, "tube", json_null());
    } else {
        tst_tube t = {.id = store_col_int(st, 5), .code = arena_strdup(req->a, store_col_text(st, 6)),
                      .samples = store_col_int(st, 7), .capacity = store_col_int(st, 8),
                      .closed = !store_col_null(st, 9)};
        json_object_set_new(a, "tube", tst_tube_json(&t));
    }
    store_done(st);
    if (!counted && other) json_object_set_new(a, "first", tst_first_json(req, other));
    return a;
}

/* The person of a registration as a read found them: expected by the round (in its
 * scope, living there) and what the answer shows. Read on the snapshot before the
 * write for a single registration, inside the write for a sync item or a door sample. */
typedef struct tst_who {
    bool expected;
    int64_t household;
    const char *name, *room;
} tst_who;

/* false after a store error; p->expected false when the round does not expect them. */
static bool tst_who_read(http_req *req, int64_t round, int64_t resident, tst_who *p)
{
    store_stmt *st;
    *p = (tst_who){0};
    int rc = store_run(req->conn, &st, "SELECT r.name, h.room, r.household_id FROM residents r JOIN households h ON "
                       "h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND r.community_id = "
                       "$1 AND " TESTING_EXPECTED("$2"), "iii", req->actor.community_id, round, resident);
    if (rc == STORE_DONE) return true;
    if (rc != STORE_ROW) return false;
    *p = (tst_who){.expected = true, .household = store_col_int(st, 2),
                      .name = arena_strdup(req->a, store_col_text(st, 0)),
                      .room = arena_strdup(req->a, store_col_text(st, 1))};
    store_done(st);
    return true;
}

/* Takes a place in the tube of the code in one statement: the tube's station, its room,
 * no result, and open unless the registration was queued (it was already in the tube
 * when the station closed it) are the statement's conditions; a full tube closes
 * itself. With clear, also that the key is new, the person not yet counted and the
 * round open: the common registration's whole check in the statement that writes.
 * 1 taken (*t filled), 0 refused (nothing changed), -1 store error. */
static int tst_tube_take(http_req *req, int64_t round, int64_t station, const tst_sample_in *in, bool clear,
                         tst_tube *t)
{
    store_stmt *st = store_prepare(req->conn, "UPDATE test_tubes SET samples = samples + 1, closed_at = CASE WHEN "
        "samples + 1 >= capacity THEN COALESCE(closed_at, $5) ELSE closed_at END WHERE round_id = $2 AND code = $3 "
        "AND community_id = $1 AND COALESCE(station_id, 0) = $4 AND result IS NULL AND samples < capacity AND "
        "(closed_at IS NULL OR $6 = 1) AND ($7 = 0 OR (NOT EXISTS (SELECT 1 FROM test_samples k WHERE "
        "k.community_id = $1 AND k.idem_key = $8) AND NOT EXISTS (SELECT 1 FROM test_samples x WHERE x.round_id = $2 "
        "AND x.resident_id = $9 AND x.state = 'counted' AND x.community_id = $1) AND EXISTS (SELECT 1 FROM "
        "test_rounds r WHERE r.id = $2 AND r.community_id = $1 AND r.state = 'open'))) RETURNING id, samples, "
        "capacity, closed_at, box_id");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, round);
    store_bind_text(st, 3, in->tube_code);
    store_bind_int(st, 4, station);
    store_bind_int(st, 5, clock_now_us());
    store_bind_int(st, 6, in->queued);
    store_bind_int(st, 7, clear);
    store_bind_text(st, 8, in->idem);
    store_bind_int(st, 9, in->resident_id);
    int rc = store_step(st);
    if (rc == STORE_DONE) return store_done(st), 0;
    if (rc != STORE_ROW) return store_done(st), -1;
    *t = (tst_tube){.id = store_col_int(st, 0), .station_id = station, .samples = store_col_int(st, 1),
                    .capacity = store_col_int(st, 2), .closed = !store_col_null(st, 3),
                    .box_id = store_col_null(st, 4) ? 0 : store_col_int(st, 4),
                    .code = arena_strdup(req->a, in->tube_code)};
    store_done(st);
    return 1;
}

/* The tube of the code could not take the sample: why (it is another station's, closed,
 * full), or a new tube opened (in the scanned box, else the station's open box) and its
 * first place taken. false with *e. */
static bool tst_tube_open_or_refuse(http_req *req, const tst_station *s, int64_t round, int64_t capacity,
                                    const tst_sample_in *in, tst_tube *t, tst_err *e)
{
    int64_t c = req->actor.community_id, station = s ? s->id : 0;
    int found = tst_tube_find(req, round, in->tube_code, t);
    if (found < 0) return tst_fail(e, 500, "internal", NULL, NULL);
    if (found) {
        if (t->station_id != station)
            return tst_fail(e, 409, "conflict", "tube_code", "testing.st.err.tube_other_station");
        if (t->has_result || (t->closed && !in->queued && t->samples < t->capacity))
            return tst_fail(e, 409, "conflict", "tube_code", "testing.st.err.tube_closed");
        return tst_fail(e, 409, "conflict", "tube_code", "testing.st.err.tube_full");
    }
    int64_t box = 0;
    if (in->box_code && station) {
        if (store_query_int_checked(req->conn, &box, 0, "SELECT id FROM test_boxes WHERE community_id = $1 AND "
                                    "round_id = $2 AND code = $3", "iit", c, round, in->box_code))
            return tst_fail(e, 500, "internal", NULL, NULL);
        if (!box && !(box = tst_box_new(req, s, in->box_code))) return tst_fail(e, 500, "internal", NULL, NULL);
    } else if (station && (box = tst_open_box(req, station)) < 0) {
        return tst_fail(e, 500, "internal", NULL, NULL);
    }
    if (!tst_tube_new(req, round, station, box, in->tube_code, capacity, t))
        return tst_fail(e, 500, "internal", NULL, NULL);
    if (tst_tube_take(req, round, station, in, false, t) != 1)
        return tst_fail(e, 500, "internal", NULL, NULL);
    return true;
}

/* The sample row (counted, or a conflict with the person's counted row); its id, or 0
 * after a store error. */
static int64_t tst_sample_insert(http_req *req, int64_t round, int64_t station, const tst_sample_in *in,
                                 const tst_who *p, int64_t tube, int64_t counted)
{
    store_stmt *st = store_prepare(req->conn, "INSERT INTO test_samples (community_id, round_id, resident_id, "
                                   "household_id, tube_id, station_id, via, state, conflict_with, idem_key, taken_at, "
                                   "recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                                   "$12, $13) RETURNING id");
    if (!st) return 0;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, round);
    store_bind_int(st, 3, in->resident_id);
    store_bind_int(st, 4, p->household);
    store_bind_int(st, 5, tube);
    tst_bind_id(st, 6, station);
    store_bind_text(st, 7, in->via);
    store_bind_text(st, 8, counted ? "conflict" : "counted");
    tst_bind_id(st, 9, counted);
    store_bind_text(st, 10, in->idem);
    store_bind_int(st, 11, in->taken_at);
    store_bind_int(st, 12, req->actor.user_id);
    store_bind_int(st, 13, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return id;
}

/* One registration inside the current write, with the person p as read before: the
 * statements that must see the latest state only — one read for the person's counted
 * sample, a row of the same key and the round still open; the tube's place taken and
 * checked in one statement (a new tube only when the code is new); the sample row
 * written (counted, or kept as a conflict when it was queued and the person is already
 * counted). An online duplicate writes nothing. Returns true with *answer, or false
 * with *e (status 500: a store error, the whole write fails). */
static bool tst_sample_apply(http_req *req, const tst_station *s, int64_t round, int64_t capacity,
                             const tst_sample_in *in, const tst_who *p, json_t **answer, int64_t *sample_out,
                             tst_err *e)
{
    int64_t c = req->actor.community_id, station = s ? s->id : 0;
    *sample_out = 0;
    tst_tube t;
    /* The common case in two statements: the place taken with every check, the row. */
    int took = p->expected ? tst_tube_take(req, round, station, in, true, &t) : 0;
    if (took < 0) return tst_fail(e, 500, "internal", NULL, NULL);
    if (took) {
        int64_t id = tst_sample_insert(req, round, station, in, p, t.id, 0);
        if (!id) return tst_fail(e, 500, "internal", NULL, NULL);
        *sample_out = id;
        *answer = json_pack("{s:s, s:I, s:{s:I, s:s, s:s}, s:o}", "status", "counted", "sample_id", (json_int_t)id,
                            "resident", "id", (json_int_t)in->resident_id, "name", p->name, "room", p->room, "tube",
                            tst_tube_json(&t));
        return true;
    }
    /* Refused: nothing changed; the slow way tells why, or opens the tube. */
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT (SELECT MAX(x.id) FROM test_samples x WHERE x.round_id = $2 AND "
                       "x.resident_id = $3 AND x.state = 'counted' AND x.community_id = $1), (SELECT MAX(k.id) FROM "
                       "test_samples k WHERE k.community_id = $1 AND k.idem_key = $4), (SELECT COUNT(*) FROM "
                       "test_rounds t WHERE t.id = $2 AND t.community_id = $1 AND t.state = 'open')", "iiit", c, round,
                       in->resident_id, in->idem);
    if (rc != STORE_ROW) return tst_fail(e, 500, "internal", NULL, NULL);
    int64_t counted = store_col_null(st, 0) ? 0 : store_col_int(st, 0);
    int64_t replay = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
    bool open = store_col_int(st, 2) > 0;
    store_done(st);
    /* The same key again: the first answer, nothing new. */
    if (replay) {
        int64_t who = store_query_int(req->conn, 0, "SELECT resident_id FROM test_samples WHERE id = $1", "i", replay);
        if (who != in->resident_id)
            return tst_fail(e, 422, "validation_failed", "idem_key", "testing.st.err.idem_reused");
        *answer = tst_row_answer(req, replay);
        if (!*answer) return tst_fail(e, 500, "internal", NULL, NULL);
        json_object_set_new(*answer, "replayed", json_true());
        *sample_out = replay;
        return true;
    }
    /* Closed since the station was read (the read before the write saw it open). */
    if (!open) return tst_fail(e, 409, "conflict", NULL, "testing.st.err.round_not_open");
    if (!p->expected) return tst_fail(e, 422, "validation_failed", "resident_id", "testing.st.err.resident");
    json_t *who = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)in->resident_id, "name", p->name, "room", p->room);
    if (counted && !in->queued) {
        /* Seen at once: the station tells the person; nothing is written. */
        int found = tst_tube_find(req, round, in->tube_code, &t);
        if (found < 0) return json_decref(who), tst_fail(e, 500, "internal", NULL, NULL);
        *answer = json_pack("{s:s, s:n, s:o, s:o, s:o}", "status", "duplicate", "sample_id", "resident", who,
                            "first", tst_first_json(req, counted), "tube", found ? tst_tube_json(&t) : json_null());
        return true;
    }
    took = tst_tube_take(req, round, station, in, false, &t);
    if (took < 0) return json_decref(who), tst_fail(e, 500, "internal", NULL, NULL);
    if (!took && !tst_tube_open_or_refuse(req, s, round, capacity, in, &t, e)) return json_decref(who), false;

    int64_t id = tst_sample_insert(req, round, station, in, p, t.id, counted);
    if (!id) return json_decref(who), tst_fail(e, 500, "internal", NULL, NULL);
    *sample_out = id;
    *answer = json_pack("{s:s, s:I, s:o, s:o}", "status", counted ? "conflict" : "counted", "sample_id",
                        (json_int_t)id, "resident", who, "tube", tst_tube_json(&t));
    if (counted) json_object_set_new(*answer, "first", tst_first_json(req, counted));
    return true;
}

static int tst_reply_err(http_req *req, const tst_err *e)
{
    if (e->status == 500) return http_fail_internal(req, "testing sample");
    return http_fail(req, e->status, e->code, e->field, e->key);
}

/* What the read before the write of a single registration hands to it. */
typedef struct tst_sample_prep {
    tst_station s;
    tst_sample_in in;
    tst_who p;
} tst_sample_prep;

/* The station and the actor's place at it, the round open, the body, the person
 * expected by the round: NULL after the reply was set. */
static tst_sample_prep *tst_sample_load(http_req *req)
{
    tst_sample_prep *pr = arena_alloc(req->a, sizeof *pr);
    *pr = (tst_sample_prep){.in = {.via = "station"}};
    tst_err e;
    if (!tst_path_station(req, &pr->s)) return NULL;
    if (!tst_sample_read(req, req->json, &pr->in, true, &e)) return tst_reply_err(req, &e), NULL;
    if (!tst_who_read(req, pr->s.round_id, pr->in.resident_id, &pr->p))
        return http_fail_internal(req, "testing person"), NULL;
    return pr;
}

/* POST /test-stations/{id}/samples, before the write, on PostgreSQL: the load on a read
 * snapshot, so its round trips leave the one writer connection. On SQLite the reads
 * cost less in the write than a read transaction of their own (measured: more CPU a
 * registration), so the write does them. A person who moves out between the two steps
 * is still registered: they were there when scanned; the round is checked again. */
static int tst_sample_prepare(http_req *req)
{
    if (store_conn_kind(req->conn) == STORE_SQLITE) return 0;
    tst_sample_prep *pr = tst_sample_load(req);
    if (!pr) return -1;
    req->scratch = pr;
    return 0;
}

/* POST /test-stations/{id}/samples {idem_key, resident_id, tube_code, box_code?, taken_at?, queued?} */
static int tst_sample(http_req *req)
{
    tst_sample_prep *pr = req->scratch ? req->scratch : tst_sample_load(req);
    if (!pr) return -1;
    tst_err e;
    json_t *answer;
    int64_t id;
    if (!tst_sample_apply(req, &pr->s, pr->s.round_id, pr->s.capacity, &pr->in, &pr->p, &answer, &id, &e))
        return tst_reply_err(req, &e);
    const char *status = json_string_value(json_object_get(answer, "status"));
    http_audit_target(req, id ? "test_sample" : "test_station", id ? id : pr->s.id,
                      json_pack("{s:I, s:I, s:s, s:b}", "station_id", (json_int_t)pr->s.id, "resident_id",
                                (json_int_t)pr->in.resident_id, "status", status, "queued", pr->in.queued));
    return http_reply(req, id && !json_object_get(answer, "replayed") ? 201 : 200, answer);
}
/* POST /test-stations/{id}/sync {items: [...]} — a station's offline queue in one durable
 * write; each item in a savepoint of its own, so one bad item is reported and rolled
 * back alone while the others commit. */
static int tst_sync(http_req *req)
{
    tst_station s;
    if (!tst_path_station(req, &s)) return -1;
    json_t *items = json_object_get(req->json, "items");
    if (!json_is_array(items)) return http_fail_field(req, "items", "testing.st.err.items");
    if (json_array_size(items) > TST_SYNC_MAX) return http_fail_field(req, "items", "testing.st.err.too_many");
    json_t *results = json_array();
    int64_t n_counted = 0, n_conflict = 0, n_dup = 0, n_err = 0;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        tst_sample_in in = {.via = "station"};
        tst_err e = {0};
        json_t *answer = NULL;
        int64_t id = 0;
        json_t *key = json_is_object(item) ? json_object_get(item, "idem_key") : NULL;
        json_t *r = json_pack("{s:O?}", "idem_key", json_is_string(key) ? key : NULL);
        if (store_exec(req->conn, "SAVEPOINT testing_item") != STORE_OK) {
            json_decref(results), json_decref(r);
            return http_fail_internal(req, "testing sync savepoint");
        }
        bool ok = tst_sample_read(req, item, &in, true, &e);
        if (ok) {
            in.queued = true;
            tst_who p;
            if (!tst_who_read(req, s.round_id, in.resident_id, &p)) {
                json_decref(results), json_decref(r);
                return http_fail_internal(req, "testing sync person");
            }
            ok = tst_sample_apply(req, &s, s.round_id, s.capacity, &in, &p, &answer, &id, &e);
        }
        if (!ok && e.status == 500) {
            json_decref(results), json_decref(r);
            return http_fail_internal(req, "testing sync");
        }
        if (!ok && store_exec(req->conn, "ROLLBACK TO SAVEPOINT testing_item") != STORE_OK) {
            json_decref(results), json_decref(r);
            return http_fail_internal(req, "testing sync rollback");
        }
        if (store_exec(req->conn, "RELEASE SAVEPOINT testing_item") != STORE_OK) {
            json_decref(results), json_decref(r);
            json_decref(answer);
            return http_fail_internal(req, "testing sync release");
        }
        if (ok) {
            const char *status = json_string_value(json_object_get(answer, "status"));
            json_object_set_new(r, "status", json_string(status));
            if (id) json_object_set_new(r, "sample_id", json_integer(id));
            json_object_set(r, "tube", json_object_get(answer, "tube"));
            json_object_set(r, "resident", json_object_get(answer, "resident"));
            if (json_object_get(answer, "first")) json_object_set(r, "first", json_object_get(answer, "first"));
            if (!strcmp(status, "counted")) n_counted++;
            else if (!strcmp(status, "conflict")) n_conflict++;
            else n_dup++;
            json_decref(answer);
        } else {
            n_err++;
            json_object_set_new(r, "status", json_string("error"));
            json_object_set_new(r, "error", json_pack("{s:s, s:s?, s:s}", "code", e.code, "field", e.field,
                                                      "message", i18n_text(req->lang, e.key)));
        }
        json_array_append_new(results, r);
    }
    http_audit_target(req, "test_station", s.id,
                      json_pack("{s:I, s:I, s:I, s:I, s:I}", "items", (json_int_t)json_array_size(items), "counted",
                                (json_int_t)n_counted, "conflict", (json_int_t)n_conflict, "duplicate",
                                (json_int_t)n_dup, "errors", (json_int_t)n_err));
    return http_reply(req, 200, json_pack("{s:o}", "results", results));
}

/* ---------------------------------------------------------------- state, boxes, tubes */

/* GET /test-stations/{id}/state — what the station's screen shows. */
static int tst_state(http_req *req)
{
    tst_station s;
    if (!tst_path_station_any(req, &s, false)) return -1;
    int64_t c = req->actor.community_id;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM test_stations WHERE id = $1", "i", s.id) != STORE_ROW)
        return http_fail_internal(req, "station name");
    s.name = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    json_t *out = json_pack("{s:{s:I, s:s, s:I, s:s, s:I}}", "station", "id", (json_int_t)s.id, "name", s.name,
                            "round_id", (json_int_t)s.round_id, "on_day", s.on_day, "capacity",
                            (json_int_t)s.capacity);
    int rc = store_run(req->conn, &st, "SELECT id, code, samples, capacity FROM test_tubes WHERE community_id = $1 AND "
                       "round_id = $2 AND station_id = $3 AND closed_at IS NULL ORDER BY id DESC LIMIT 1", "iii", c,
                       s.round_id, s.id);
    if (rc == STORE_ROW) {
        json_object_set_new(out, "tube", json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)store_col_int(st, 0),
                                                   "code", store_col_text(st, 1), "samples",
                                                   (json_int_t)store_col_int(st, 2), "capacity",
                                                   (json_int_t)store_col_int(st, 3)));
        store_done(st);
    } else {
        json_object_set_new(out, "tube", json_null());
    }
    rc = store_run(req->conn, &st, "SELECT b.id, b.code, (SELECT COUNT(*) FROM test_tubes t WHERE t.community_id = $1 "
                   "AND t.box_id = b.id) FROM test_boxes b WHERE b.community_id = $1 AND b.round_id = $2 AND "
                   "b.station_id = $3 AND b.closed_at IS NULL ORDER BY b.id DESC LIMIT 1", "iii", c, s.round_id,
                   s.id);
    if (rc == STORE_ROW) {
        json_object_set_new(out, "box", json_pack("{s:I, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "code",
                                                  store_col_text(st, 1), "tubes", (json_int_t)store_col_int(st, 2)));
        store_done(st);
    } else {
        json_object_set_new(out, "box", json_null());
    }
    rc = store_run(req->conn, &st, "SELECT (SELECT COUNT(*) FROM test_samples WHERE community_id = $1 AND round_id = "
                   "$2 AND station_id = $3 AND state = 'counted'), (SELECT COUNT(*) FROM test_tubes WHERE community_id "
                   "= $1 AND round_id = $2 AND station_id = $3), (SELECT COUNT(*) FROM test_boxes WHERE community_id "
                   "= $1 AND round_id = $2 AND station_id = $3), (SELECT COUNT(*) FROM test_samples WHERE "
                   "community_id = $1 AND round_id = $2 AND station_id = $3 AND state = 'conflict')", "iii", c,
                   s.round_id, s.id);
    if (rc != STORE_ROW) return json_decref(out), http_fail_internal(req, "station counts");
    json_object_set_new(out, "counts", json_pack("{s:I, s:I, s:I, s:I}", "samples", (json_int_t)store_col_int(st, 0),
                                                 "tubes", (json_int_t)store_col_int(st, 1), "boxes",
                                                 (json_int_t)store_col_int(st, 2), "conflicts",
                                                 (json_int_t)store_col_int(st, 3)));
    store_done(st);
    json_t *last = json_array();
    st = store_prepare(req->conn, "SELECT ts.id, r.name, h.room, COALESCE(t.code, ''), ts.taken_at, ts.state FROM "
                       "test_samples ts JOIN residents r ON r.id = ts.resident_id JOIN households h ON h.id = "
                       "ts.household_id LEFT JOIN test_tubes t ON t.id = ts.tube_id WHERE ts.community_id = $1 AND "
                       "ts.round_id = $2 AND ts.station_id = $3 AND ts.state <> 'void' ORDER BY ts.id DESC LIMIT 10");
    if (!st) return json_decref(out), json_decref(last), http_fail_internal(req, "station last");
    store_bind_int(st, 1, c);
    store_bind_int(st, 2, s.round_id);
    store_bind_int(st, 3, s.id);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(last, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)store_col_int(st, 0),
                                              "name", store_col_text(st, 1), "room", store_col_text(st, 2), "tube_code",
                                              store_col_text(st, 3), "taken_at",
                                              testing_setup_local(req, store_col_int(st, 4)), "state",
                                              store_col_text(st, 5)));
    store_done(st);
    json_object_set_new(out, "last", last);
    return http_reply(req, 200, out);
}

static bool tst_body_code(http_req *req, const char **code)
{
    const char *raw;
    if (!http_body_str(req, "code", 1, 200, &raw)) return false;
    if (!(*code = tst_clean_code(req, raw))) return http_fail_field(req, "code", "testing.st.err.code_text"), false;
    return true;
}

/* POST /test-stations/{id}/boxes {code} */
static int tst_box_open(http_req *req)
{
    tst_station s;
    const char *code;
    if (!tst_path_station(req, &s) || !tst_body_code(req, &code)) return -1;
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_boxes WHERE community_id = $1 AND round_id = $2 AND "
                        "code = $3", "iit", req->actor.community_id, s.round_id, code))
        return http_fail(req, 409, "conflict", "code", "testing.st.err.box_code_used");
    int64_t id = tst_box_new(req, &s, code);
    if (!id) return http_fail_internal(req, "box open");
    http_audit_target(req, "test_box", id, json_pack("{s:I}", "station_id", (json_int_t)s.id));
    return http_reply(req, 201, json_pack("{s:{s:I, s:s, s:I}}", "box", "id", (json_int_t)id, "code", code, "tubes",
                                          (json_int_t)0));
}

/* POST /test-stations/{id}/tubes {code} — the next tube, in the open box if any. */
static int tst_tube_open(http_req *req)
{
    tst_station s;
    const char *code;
    if (!tst_path_station(req, &s) || !tst_body_code(req, &code)) return -1;
    tst_tube t;
    int found = tst_tube_find(req, s.round_id, code, &t);
    if (found < 0) return http_fail_internal(req, "tube find");
    if (found) return http_fail(req, 409, "conflict", "code", "testing.st.err.tube_code_used");
    int64_t box = tst_open_box(req, s.id);
    if (box < 0 || !tst_tube_new(req, s.round_id, s.id, box, code, s.capacity, &t))
        return http_fail_internal(req, "tube open");
    http_audit_target(req, "test_tube", t.id, json_pack("{s:I, s:I}", "station_id", (json_int_t)s.id, "box_id",
                                                        (json_int_t)box));
    return http_reply(req, 201, json_pack("{s:o}", "tube", tst_tube_json(&t)));
}

/* The box or tube of the path (table given) through its station's access. */
static int64_t tst_path_thing(http_req *req, bool tube, tst_station *s)
{
    int64_t id, station = 0;
    if (!http_param_id(req, "id", &id)) return 0;
    if (store_query_int_checked(req->conn, &station, 0, tube ? "SELECT station_id FROM test_tubes WHERE id = $1 AND "
                                "community_id = $2" : "SELECT station_id FROM test_boxes WHERE id = $1 AND "
                                "community_id = $2", "ii", id, req->actor.community_id))
        return http_fail_internal(req, "station of"), 0;
    if (!station) return http_fail_not_found(req), 0;
    return tst_station_load(req, station, s, true) ? id : 0;
}

/* POST /test-tubes/{id}/close */
static int tst_tube_close(http_req *req)
{
    tst_station s;
    int64_t id = tst_path_thing(req, true, &s);
    if (!id) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "UPDATE test_tubes SET closed_at = COALESCE(closed_at, $2) WHERE id = $1 RETURNING "
                  "code, samples, capacity", "ii", id, clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "tube close");
    tst_tube t = {.id = id, .code = arena_strdup(req->a, store_col_text(st, 0)), .samples = store_col_int(st, 1),
                  .capacity = store_col_int(st, 2), .closed = true};
    store_done(st);
    http_audit_target(req, "test_tube", id, json_pack("{s:I, s:I}", "station_id", (json_int_t)s.id, "samples",
                                                      (json_int_t)t.samples));
    return http_reply(req, 200, json_pack("{s:o}", "tube", tst_tube_json(&t)));
}

/* POST /test-boxes/{id}/close */
static int tst_box_close(http_req *req)
{
    tst_station s;
    int64_t id = tst_path_thing(req, false, &s);
    if (!id) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "UPDATE test_boxes SET closed_at = COALESCE(closed_at, $2) WHERE id = $1 RETURNING "
                  "code, (SELECT COUNT(*) FROM test_tubes t WHERE t.box_id = $1)", "ii", id,
                  clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "box close");
    json_t *box = json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)id, "code", store_col_text(st, 0), "tubes",
                            (json_int_t)store_col_int(st, 1), "closed", 1);
    store_done(st);
    http_audit_target(req, "test_box", id, json_pack("{s:I}", "station_id", (json_int_t)s.id));
    return http_reply(req, 200, json_pack("{s:o}", "box", box));
}

/* ---------------------------------------------------------------- people */

/* One expected person of round $2 (community $1): the columns every people answer reads. */
#define TST_PERSON_COLUMNS \
    "SELECT r.id, r.name, r.household_id, h.room, b.name, r.phone, h.phone, ts.taken_at, COALESCE(st.name, ''), " \
    "CASE WHEN " TESTING_EXEMPT("$2") " THEN 1 ELSE 0 END, b.id "
#define TST_PERSON_FROM \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id " \
    "LEFT JOIN test_samples ts ON ts.round_id = $2 AND ts.resident_id = r.id AND ts.state = 'counted' " \
    "LEFT JOIN test_stations st ON st.id = ts.station_id "
#define TST_PERSON_WHERE "WHERE r.community_id = $1 AND " TESTING_EXPECTED("$2")

static json_t *tst_person(http_req *req, store_stmt *st)
{
    const char *phone = store_col_text(st, 5);
    if (!phone || !*phone) phone = store_col_text(st, 6);
    char *masked = phone && *phone ? secret_mask(phone, 3, 4) : NULL;
    json_t *p = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:b, s:b}", "resident_id",
                          (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "household_id",
                          (json_int_t)store_col_int(st, 2), "room", store_col_text(st, 3), "block",
                          store_col_text(st, 4), "block_id", (json_int_t)store_col_int(st, 10), "phone_masked",
                          masked ? masked : "", "sampled", !store_col_null(st, 7), "exempt", store_col_int(st, 9) != 0);
    free(masked);
    if (!store_col_null(st, 7))
        json_object_set_new(p, "sampled_at",
                            json_pack("{s:o, s:s}", "taken_at", testing_setup_local(req, store_col_int(st, 7)),
                                      "station", store_col_text(st, 8)));
    return p;
}

/* GET /test-stations/{id}/lookup?code=SW1:…|q=name, phone tail or room */
static int tst_lookup(http_req *req)
{
    tst_station s;
    if (!tst_path_station_any(req, &s, false)) return -1;
    const char *code = http_query(req, "code"), *q = http_query(req, "q"), *kind = "search";
    int64_t target = 0;
    store_stmt *st;
    if (code && *code) {
        code_target t;
        int r = codes_lookup(req, code, &t);
        if (r < 0) return http_fail_field(req, "code", "testing.st.err.code");
        kind = t.kind == 'H' ? "household" : "resident";
        target = r ? t.id : -1;
        st = store_prepare(req->conn, t.kind == 'H'
                           ? TST_PERSON_COLUMNS TST_PERSON_FROM TST_PERSON_WHERE
                             " AND r.household_id = $3 ORDER BY r.id"
                           : TST_PERSON_COLUMNS TST_PERSON_FROM TST_PERSON_WHERE " AND r.id = $3 ORDER BY r.id");
        if (!st) return http_fail_internal(req, "lookup");
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, s.round_id);
        store_bind_int(st, 3, target);
    } else if (q && *q) {
        /* LIKE's own wildcards are not searched for: they would widen the match. */
        char *term = arena_strdup(req->a, q);
        for (char *p = term; *p; p++)
            if (*p == '%' || *p == '_') *p = ' ';
        size_t n = strlen(term);
        if (n > 64) return http_fail_field(req, "q", "testing.st.err.too_long");
        bool tail = n == 4 && strspn(term, "0123456789") == 4;
        st = store_prepare(req->conn, TST_PERSON_COLUMNS TST_PERSON_FROM TST_PERSON_WHERE
                           " AND (r.name LIKE $3 OR h.room = $4 OR ($5 <> '' AND (r.phone LIKE $5 OR h.phone LIKE $5)))"
                           " ORDER BY r.id LIMIT 30");
        if (!st) return http_fail_internal(req, "lookup");
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, s.round_id);
        store_bind_text(st, 3, arena_printf(req->a, "%s%%", term));
        store_bind_text(st, 4, term);
        store_bind_text(st, 5, tail ? arena_printf(req->a, "%%%s", term) : "");
    } else {
        return http_fail_field(req, "q", "testing.st.err.lookup");
    }
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW && json_array_size(items) < TST_LOOKUP_MAX)
        json_array_append_new(items, tst_person(req, st));
    store_done(st);
    return http_reply(req, 200, json_pack("{s:s, s:o}", "kind", kind, "items", items));
}

/* The hex SHA-256 of salt ":" code: what the browser computes with crypto.subtle to
 * recognise a scanned code in its cache without the network and without the codes. */
static json_t *tst_digest(http_req *req, const char *salt, const char *cipher)
{
    if (!cipher) return json_null();
    char *plain = secret_decrypt(req->cfg, cipher);
    if (!plain) return json_null();
    char *text = arena_printf(req->a, "%s:%s", salt, plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return json_string(hex);
}

/* GET /test-stations/{id}/people — the station's cache for the day: every expected person
 * of the round with the digests of their codes. A write (audited): a list of people
 * leaves the server. The salt is the same all day for the station, so a reload keeps the
 * cache valid, and differs between stations and days. */
static int tst_people(http_req *req)
{
    tst_station s;
    if (!tst_path_station(req, &s)) return -1;
    char salt[65];
    secret_lookup_hash(req->cfg, arena_printf(req->a, "testing-people:%lld:%s", (long long)s.id, s.on_day), salt);
    salt[32] = 0;
    store_stmt *st = store_prepare(req->conn, TST_PERSON_COLUMNS ", sr.code_cipher, sh.code_cipher " TST_PERSON_FROM
        "LEFT JOIN scan_codes sr ON sr.community_id = $1 AND sr.kind = 'resident' AND sr.target_id = r.id AND "
        "sr.revoked_at IS NULL LEFT JOIN scan_codes sh ON sh.community_id = $1 AND sh.kind = 'household' AND "
        "sh.target_id = h.id AND sh.revoked_at IS NULL " TST_PERSON_WHERE " ORDER BY r.id");
    if (!st) return http_fail_internal(req, "people");
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, s.round_id);
    json_t *people = json_array();
    while (store_step(st) == STORE_ROW) {
        json_t *p = tst_person(req, st);
        json_object_set_new(p, "code_digest", tst_digest(req, salt, store_col_text(st, 11)));
        json_object_set_new(p, "household_code_digest", tst_digest(req, salt, store_col_text(st, 12)));
        json_array_append_new(people, p);
    }
    store_done(st);
    http_audit_target(req, "test_station", s.id, json_pack("{s:s, s:I}", "what", "people", "rows",
                                                           (json_int_t)json_array_size(people)));
    return http_reply(req, 200, json_pack("{s:I, s:s, s:s, s:o}", "station_id", (json_int_t)s.id, "salt", salt, "day",
                                          s.on_day, "people", people));
}

/* ---------------------------------------------------------------- lists */

static json_t *tst_station_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:b}", "id", (json_int_t)store_col_int(st, 0),
                     "name", store_col_text(st, 1), "place", store_col_text(st, 2), "round_id",
                     (json_int_t)store_col_int(st, 3), "round_name", store_col_text(st, 4), "on_day",
                     store_col_text(st, 5), "opens_at", store_col_text(st, 6), "closes_at", store_col_text(st, 7),
                     "samples", (json_int_t)store_col_int(st, 8), "staffed", store_col_int(st, 9) != 0);
}

static const list_column tst_station_columns[] = {
    {"on_day", "testing.col.day"}, {"round_name", "testing.st.col.round"}, {"name", "testing.st.col.station"},
    {"place", "testing.st.col.place"}, {"opens_at", "testing.st.col.opens"}, {"closes_at", "testing.st.col.closes"},
    {"samples", "testing.st.col.samples"}, {0, 0},
};

/* GET /test-stations?round_id= — the stations of open rounds: a volunteer's own (where
 * they are staff), every station for committee staff and leaders. */
static int tst_stations(http_req *req)
{
    const char *rq = http_query(req, "round_id");
    int64_t round = 0;
    if (rq && *rq) {
        char *end;
        round = strtoll(rq, &end, 10);
        if (*end || round <= 0) return http_fail_field(req, "round_id", "testing.st.err.not_id");
    }
    bool leader = actor_has(&req->actor, TESTING_LEADERS);
    store_stmt *st = store_prepare(req->conn, "SELECT s.id, s.name, s.place, r.id, r.name, r.on_day, s.opens_at, "
        "s.closes_at, (SELECT COUNT(*) FROM test_samples ts WHERE ts.community_id = $1 AND ts.round_id = r.id AND "
        "ts.station_id = s.id AND ts.state = 'counted'), CASE WHEN EXISTS (SELECT 1 FROM test_station_staff f WHERE "
        "f.station_id = s.id AND f.user_id = $2) THEN 1 ELSE 0 END FROM test_stations s JOIN test_rounds r ON r.id = "
        "s.round_id WHERE s.community_id = $1 AND r.community_id = $1 AND r.state = 'open' AND ($3 = 1 OR EXISTS "
        "(SELECT 1 FROM test_station_staff f WHERE f.station_id = s.id AND f.user_id = $2)) AND ($4 = 0 OR r.id = $4) "
        "AND s.id > $5 ORDER BY s.id LIMIT $6");
    if (!st) return http_fail_internal(req, "stations");
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, req->actor.user_id);
    store_bind_int(st, 3, leader);
    store_bind_int(st, 4, round);
    return testing_setup_list(req, st, 5, tst_station_item, "testing.st.title.stations", 0, tst_station_columns);
}

static json_t *tst_conflict_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:o, s:s}", "id",
                     (json_int_t)store_col_int(st, 0), "resident_id", (json_int_t)store_col_int(st, 1), "name",
                     store_col_text(st, 2), "room", store_col_text(st, 3), "block", store_col_text(st, 4), "station",
                     store_col_text(st, 5), "tube_code", store_col_text(st, 6), "taken_at",
                     testing_setup_local(req, store_col_int(st, 7)), "other_id", (json_int_t)store_col_int(st, 8),
                     "other_station", store_col_text(st, 9), "other_tube_code", store_col_text(st, 10),
                     "other_taken_at",
                     store_col_null(st, 11) ? json_null() : testing_setup_local(req, store_col_int(st, 11)), "state",
                     store_col_text(st, 12));
}

static const list_column tst_conflict_columns[] = {
    {"block", "testing.st.col.block"}, {"room", "testing.st.col.room"}, {"name", "testing.st.col.person"},
    {"station", "testing.st.col.station"}, {"tube_code", "testing.st.col.tube"},
    {"taken_at", "testing.st.col.taken_at"},
    {"other_station", "testing.st.col.other_station"}, {"other_tube_code", "testing.st.col.other_tube"},
    {"other_taken_at", "testing.st.col.other_taken_at"}, {0, 0},
};

/* GET /test-rounds/{id}/conflicts?settled=1&block_id= — registrations of a person counted
 * elsewhere, in the leader's scope: open ones (default) or settled. */
static int tst_conflicts(http_req *req)
{
    int64_t round, block = 0;
    if (!http_param_id(req, "id", &round)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_rounds WHERE id = $1 AND community_id = $2", "ii",
                         round, req->actor.community_id))
        return http_fail_not_found(req);
    const char *settled = http_query(req, "settled"), *bq = http_query(req, "block_id");
    if (settled && *settled && strcmp(settled, "0") && strcmp(settled, "1"))
        return http_fail_field(req, "settled", "testing.st.err.settled");
    if (bq && *bq) {
        char *end;
        block = strtoll(bq, &end, 10);
        if (*end || block <= 0) return http_fail_field(req, "block_id", "testing.st.err.not_id");
    }
    store_stmt *st = store_prepare(req->conn, "SELECT ts.id, r.id, r.name, h.room, b.name, COALESCE(s1.name, ''), "
        "COALESCE(t1.code, ''), ts.taken_at, COALESCE(o.id, 0), COALESCE(s2.name, ''), COALESCE(t2.code, ''), "
        "o.taken_at, ts.state FROM test_samples ts JOIN residents r ON r.id = ts.resident_id JOIN households h ON "
        "h.id = ts.household_id JOIN blocks b ON b.id = h.block_id LEFT JOIN test_stations s1 ON s1.id = "
        "ts.station_id LEFT JOIN test_tubes t1 ON t1.id = ts.tube_id LEFT JOIN test_samples o ON o.id = "
        "ts.conflict_with LEFT JOIN test_stations s2 ON s2.id = o.station_id LEFT JOIN test_tubes t2 ON t2.id = "
        "o.tube_id WHERE ts.community_id = $1 AND ts.round_id = $3 AND ts.conflict_with IS NOT NULL AND "
        "(($4 = 0 AND ts.state = 'conflict') OR ($4 = 1 AND ts.settled_at IS NOT NULL)) AND ($5 = 0 OR h.block_id = "
        "$5) AND " SCOPE_HOUSEHOLD " AND ts.id > $6 ORDER BY ts.id LIMIT $7");
    if (!st) return http_fail_internal(req, "conflicts");
    scope_bind(req, st);
    store_bind_int(st, 3, round);
    store_bind_int(st, 4, settled && !strcmp(settled, "1"));
    store_bind_int(st, 5, block);
    return testing_setup_list(req, st, 6, tst_conflict_item, "testing.st.title.conflicts", 0, tst_conflict_columns);
}

/* POST /test-samples/{id}/settle {keep: "this"|"other"} — one of two registrations of a
 * person is voided; the tube it was in counts one sample less, in the same write. */
static int tst_settle(http_req *req)
{
    int64_t id;
    const char *keep;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT ts.state, ts.conflict_with, ts.tube_id, ts.round_id FROM "
                       "test_samples ts JOIN households h ON h.id = ts.household_id JOIN blocks b ON b.id = "
                       "h.block_id WHERE ts.id = $3 AND ts.community_id = $1 AND " SCOPE_HOUSEHOLD, "iii",
                       req->actor.community_id, req->actor.user_id, id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "settle");
    bool conflict = !strcmp(store_col_text(st, 0), "conflict");
    int64_t other = store_col_int(st, 1), tube = store_col_int(st, 2);
    store_done(st);
    if (!http_body_str(req, "keep", 1, 16, &keep)) return -1;
    if (strcmp(keep, "this") && strcmp(keep, "other")) return http_fail_field(req, "keep", "testing.st.err.keep");
    if (!conflict || !other) return http_fail(req, 409, "conflict", NULL, "testing.st.err.not_conflict");
    int64_t now = clock_now_us(), me = req->actor.user_id, c = req->actor.community_id;
    int64_t voided = !strcmp(keep, "this") ? other : id;
    int64_t void_tube = voided == id ? tube : store_query_int(req->conn, 0, "SELECT COALESCE(tube_id, 0) FROM "
                                                              "test_samples WHERE id = $1", "i", other);
    /* The void first: one counted row per person and round (a unique index). */
    if (store_run(req->conn, NULL, "UPDATE test_samples SET state = 'void', settled_by = $2, settled_at = $3 WHERE id "
                  "= $1 AND community_id = $4", "iiii", voided, me, now, c) != STORE_DONE ||
        store_run(req->conn, NULL, "UPDATE test_samples SET state = CASE WHEN id = $1 AND $4 = 1 THEN 'counted' ELSE "
                  "state END, settled_by = $2, settled_at = $3 WHERE id = $1", "iiii", id, me, now,
                  (int64_t)(voided != id)) != STORE_DONE)
        return http_fail_internal(req, "settle write");
    /* Conflict rows that pointed at the voided counted row now point at the kept one. */
    if (voided == other && store_run(req->conn, NULL, "UPDATE test_samples SET conflict_with = $1 WHERE community_id = "
                                     "$3 AND conflict_with = $2 AND state = 'conflict'", "iii", id, other,
                                     c) != STORE_DONE)
        return http_fail_internal(req, "settle repoint");
    if (void_tube && store_run(req->conn, NULL, "UPDATE test_tubes SET samples = samples - 1 WHERE id = $1 AND samples "
                               "> 0", "i", void_tube) != STORE_DONE)
        return http_fail_internal(req, "settle tube");
    http_audit_target(req, "test_sample", id, json_pack("{s:s, s:I}", "keep", keep, "voided", (json_int_t)voided));
    return http_reply(req, 200, json_pack("{s:I, s:I, s:I}", "kept", (json_int_t)(voided == id ? other : id),
                                          "voided", (json_int_t)voided, "tube_id", (json_int_t)void_tube));
}

/* POST /test-door-visits/{id}/sample {idem_key, tube_code} — the team at the door: the
 * sample counted (into a door-to-door tube, without a station) and the visit marked
 * sampled in the same write. The team's members and leaders of the resident's scope. */
static int tst_door_sample(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT v.round_id, v.resident_id, r.pool_size, r.state FROM test_door_visits v "
        "JOIN test_rounds r ON r.id = v.round_id JOIN residents p ON p.id = v.resident_id JOIN households h ON h.id = "
        "p.household_id JOIN blocks b ON b.id = h.block_id WHERE v.id = $3 AND v.community_id = $1 AND (("
        SCOPE_HOUSEHOLD ") OR EXISTS (SELECT 1 FROM team_members tm JOIN volunteers vo ON vo.id = "
        "tm.volunteer_id WHERE tm.team_id = v.team_id AND tm.state = 'member' AND vo.user_id = $2))", "iii",
        req->actor.community_id, req->actor.user_id, id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "door visit");
    int64_t round = store_col_int(st, 0), capacity = store_col_int(st, 2);
    tst_sample_in in = {.via = "door", .resident_id = store_col_int(st, 1)};
    bool open = !strcmp(store_col_text(st, 3), "open");
    store_done(st);
    if (!open) return http_fail(req, 409, "conflict", NULL, "testing.st.err.round_not_open");
    tst_err e;
    json_t *answer;
    int64_t sample;
    if (!tst_sample_read(req, req->json, &in, false, &e)) return tst_reply_err(req, &e);
    in.queued = false;
    tst_who p;
    if (!tst_who_read(req, round, in.resident_id, &p)) return http_fail_internal(req, "door person");
    if (!tst_sample_apply(req, NULL, round, capacity, &in, &p, &answer, &sample, &e)) return tst_reply_err(req, &e);
    const char *status = json_string_value(json_object_get(answer, "status"));
    if (!strcmp(status, "counted") &&
        store_run(req->conn, NULL, "UPDATE test_door_visits SET state = 'sampled', updated_by = $2, updated_at = $3 "
                  "WHERE id = $1", "iii", id, req->actor.user_id, clock_now_us()) != STORE_DONE)
        return json_decref(answer), http_fail_internal(req, "door visit state");
    http_audit_target(req, "test_door_visit", id, json_pack("{s:I, s:s}", "sample_id", (json_int_t)sample, "status",
                                                            status));
    return http_reply(req, sample && !json_object_get(answer, "replayed") ? 201 : 200, answer);
}

const http_route testing_station_routes[] = {
    {"GET", "/api/v1/test-stations", NULL, tst_stations, TESTING_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/test-stations/{id}/state", NULL, tst_state, TESTING_STAFF, 0, 0, NULL},
    {"GET", "/api/v1/test-stations/{id}/lookup", NULL, tst_lookup, TESTING_STAFF, 0, 0, NULL},
    {"GET", "/api/v1/test-stations/{id}/people", NULL, tst_people, TESTING_STAFF, ROUTE_WRITE | ROUTE_NO_REPLAY, 0,
     "testing.station.people"},
    {"POST", "/api/v1/test-stations/{id}/boxes", NULL, tst_box_open, TESTING_STAFF, ROUTE_WRITE, 1024,
     "testing.box.open"},
    {"POST", "/api/v1/test-boxes/{id}/close", NULL, tst_box_close, TESTING_STAFF, ROUTE_WRITE, 1024,
     "testing.box.close"},
    {"POST", "/api/v1/test-stations/{id}/tubes", NULL, tst_tube_open, TESTING_STAFF, ROUTE_WRITE, 1024,
     "testing.tube.open"},
    {"POST", "/api/v1/test-tubes/{id}/close", NULL, tst_tube_close, TESTING_STAFF, ROUTE_WRITE, 1024,
     "testing.tube.close"},
    {"POST", "/api/v1/test-stations/{id}/samples", tst_sample_prepare, tst_sample, TESTING_STAFF,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 4096, "testing.sample"},
    {"POST", "/api/v1/test-stations/{id}/sync", NULL, tst_sync, TESTING_STAFF, ROUTE_WRITE | ROUTE_NO_REPLAY,
     512 * 1024, "testing.sync"},
    {"GET", "/api/v1/test-rounds/{id}/conflicts", NULL, tst_conflicts, TESTING_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/test-samples/{id}/settle", NULL, tst_settle, TESTING_LEADERS, ROUTE_WRITE, 1024,
     "testing.settle"},
    {"POST", "/api/v1/test-door-visits/{id}/sample", NULL, tst_door_sample, TESTING_STAFF,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 4096, "testing.door_sample"},
    {0},
};

const i18n_entry testing_station_messages[] = {
    {"testing.st.err.round_not_open", "这一轮检测尚未开始或已经结束", "This testing round is not open"},
    {"testing.st.err.required", "必填", "Required"},
    {"testing.st.err.not_string", "应为文字", "Must be text"},
    {"testing.st.err.too_long", "太长了", "Too long"},
    {"testing.st.err.not_id", "应为正整数编号", "Must be a positive whole number (an id)"},
    {"testing.st.err.item", "每一项应为对象", "Each item must be an object"},
    {"testing.st.err.items", "items 应为登记的数组", "items must be an array of registrations"},
    {"testing.st.err.too_many", "一次最多同步 500 条", "At most 500 items in one sync"},
    {"testing.st.err.idem_key", "幂等键至少 8 个字符（由采样点生成的 UUID）",
     "The idempotency key must be at least 8 characters (a UUID made by the station)"},
    {"testing.st.err.idem_reused", "这个幂等键已用于另一位居民的登记", "This idempotency key was used for another resident"},
    {"testing.st.err.code_text", "编码应为 1 到 64 个可见字符", "A code must be 1 to 64 visible characters"},
    {"testing.st.err.taken_at", "采样时间应为毫秒时间戳，在过去两天内且不晚于现在",
     "taken_at must be epoch milliseconds within the last two days and not ahead"},
    {"testing.st.err.queued", "queued 应为 true 或 false", "queued must be true or false"},
    {"testing.st.err.resident", "这位居民不在本轮检测的范围内（或已迁出）",
     "This resident is not expected in this round (outside its scope, or moved out)"},
    {"testing.st.err.tube_full", "这支采样管已满，请换新管", "This tube is full: start a new tube"},
    {"testing.st.err.tube_closed", "这支采样管已封管或已有结果", "This tube is closed or already has a result"},
    {"testing.st.err.tube_other_station", "这支采样管属于另一个采样点", "This tube belongs to another station"},
    {"testing.st.err.tube_code_used", "本轮已用过这个管码", "This tube code is already used in the round"},
    {"testing.st.err.box_code_used", "本轮已用过这个转运箱码", "This box code is already used in the round"},
    {"testing.st.err.code", "不是守望的居民码或门牌码", "Not a Shouwang resident or door-plate code"},
    {"testing.st.err.lookup", "请扫码（code）或输入姓名、手机尾号、房号（q）",
     "Give a scanned code (code) or a name, phone tail or room (q)"},
    {"testing.st.err.keep", "keep 只能是 this（保留本条）或 other（保留另一条）", "keep must be this or other"},
    {"testing.st.err.not_conflict", "这条登记没有待处理的冲突", "This registration has no open conflict"},
    {"testing.st.err.settled", "settled 只能是 0 或 1", "settled must be 0 or 1"},
    {"testing.st.title.stations", "采样点", "Testing stations"},
    {"testing.st.title.conflicts", "重复登记待处理", "Registrations to settle"},
    {"testing.st.col.round", "检测轮次", "Round"},
    {"testing.st.col.station", "采样点", "Station"},
    {"testing.st.col.place", "地点", "Place"},
    {"testing.st.col.opens", "开始", "Opens"},
    {"testing.st.col.closes", "结束", "Closes"},
    {"testing.st.col.samples", "已采样", "Sampled"},
    {"testing.st.col.block", "楼组", "Block"},
    {"testing.st.col.room", "房号", "Room"},
    {"testing.st.col.person", "姓名", "Name"},
    {"testing.st.col.tube", "管码", "Tube"},
    {"testing.st.col.taken_at", "采样时间", "Taken at"},
    {"testing.st.col.other_station", "另一处采样点", "Other station"},
    {"testing.st.col.other_tube", "另一处管码", "Other tube"},
    {"testing.st.col.other_taken_at", "另一处采样时间", "Other taken at"},
    {"enum.test_sample", "采样登记", "testing registration"},
    {"enum.test_tube", "采样管", "sample tube"},
    {"enum.test_box", "转运箱", "transport box"},
    {"enum.test_door_visit", "上门采样", "door-to-door sampling"},
    {0, 0, 0},
};
