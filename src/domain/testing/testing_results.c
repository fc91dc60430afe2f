/* testing_results.c — what comes back from the lab and what follows: tube results typed
 * by the committee or imported from the lab's file, the tracing list of a tube's people,
 * their follow-up, antigen self-reports, a household's own results, the round's summary
 * and the dashboard's testing tiles. Tables in 033_testing.sql (indexes in 036).
 *
 * A positive tube opens a follow-up for each of its counted samples in the same write;
 * a result corrected away from positive removes the follow-ups nobody has worked on yet
 * (still open, never updated): they came only from the wrong result, and the audit log
 * keeps the change. Follow-ups someone already changed stay as they are. */
#include "testing_int.h"
#include "../dashboard.h"
#include "../../core/clock.h"
#include "../../core/files.h"
#include "../../core/log.h"
#include "../../core/table_read.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const testing_results_words[] = {"negative", "positive", "invalid", NULL};
static const char *const testing_followup_states[] = {"open", "retest", "cleared", "isolated", NULL};

/* The actor is committee staff of the community ($1, $2 as in scope.h). */
#define TESTING_IS_COMMITTEE \
    "EXISTS (SELECT 1 FROM role_assignments rc WHERE rc.user_id = $2 AND rc.community_id = $1 " \
    "AND rc.role = 'committee')"
/* Tube t holds someone of the actor's leader scope (committee: every tube). */
#define TESTING_TUBE_VISIBLE \
    "(" TESTING_IS_COMMITTEE " OR EXISTS (SELECT 1 FROM test_samples vs JOIN households h ON h.id = " \
    "vs.household_id JOIN blocks b ON b.id = h.block_id WHERE vs.community_id = $1 AND vs.tube_id = t.id " \
    "AND vs.state = 'counted' AND " SCOPE_HOUSEHOLD "))"
/* Household h is the actor's own as a resident (the resident clause of SCOPE_HOUSEHOLD_READ
 * alone: a leader sees no other household's results here). */
#define TESTING_OWN_HOUSEHOLD \
    "EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 AND ra.community_id = $1 " \
    "AND ra.role = 'resident' AND ra.scope_kind = 'household' AND ra.scope_id = h.id " \
    "AND NOT EXISTS (SELECT 1 FROM resident_accounts ac WHERE ac.user_id = $2 AND NOT EXISTS (SELECT 1 " \
    "FROM residents ar WHERE ar.id = ac.resident_id AND ar.household_id = h.id AND ar.moved_out_at IS NULL)))"

/* A name outside the reader's scope: the surname only (张**). */
static const char *testing_mask_name(http_req *req, const char *name)
{
    if (!name || !*name) return "";
    size_t first = 1;
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80) first++;
    return arena_printf(req->a, "%.*s**", (int)first, name);
}

/* The round of path parameter `id` in the actor's community; false with 404 set. */
static bool testing_path_round(http_req *req, testing_round *r)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    if (!testing_round_load(req, id, r)) return http_fail_not_found(req), false;
    return true;
}

/* ---------------------------------------------------------------- tubes */

#define TESTING_TUBE_COLUMNS \
    "SELECT t.id, t.code, t.station_id, sn.name, t.box_id, bx.code, t.samples, t.capacity, t.closed_at, t.result, " \
    "t.result_source, t.opened_at, t.result_at, t.round_id FROM test_tubes t LEFT JOIN test_stations sn ON sn.id = " \
    "t.station_id LEFT JOIN test_boxes bx ON bx.id = t.box_id "

static json_t *testing_tube_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *result = store_col_text(st, 9), *state = store_col_null(st, 8) ? "open" : "closed";
    json_t *t = json_pack("{s:I, s:I, s:s, s:I, s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "round_id",
                          (json_int_t)store_col_int(st, 13), "code", store_col_text(st, 1), "samples",
                          (json_int_t)store_col_int(st, 6), "capacity", (json_int_t)store_col_int(st, 7), "state",
                          state, "state_text", testing_setup_word(req, "testing.res.tube.", state));
    json_object_set_new(t, "station_id", store_col_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)));
    json_object_set_new(t, "station_name", json_string(store_col_null(st, 3) ? "" : store_col_text(st, 3)));
    json_object_set_new(t, "box_id", store_col_null(st, 4) ? json_null() : json_integer(store_col_int(st, 4)));
    json_object_set_new(t, "box_code", json_string(store_col_null(st, 5) ? "" : store_col_text(st, 5)));
    json_object_set_new(t, "result", result ? json_string(result) : json_null());
    json_object_set_new(t, "result_text", json_string(result ? testing_setup_word(req, "testing.res.result.", result)
                                                             : i18n_text(req->lang, "testing.res.result.none")));
    json_object_set_new(t, "result_source", store_col_null(st, 10) ? json_null() : json_string(store_col_text(st, 10)));
    json_object_set_new(t, "opened_at", testing_setup_time(req, st, 11));
    json_object_set_new(t, "closed_at", testing_setup_time(req, st, 8));
    json_object_set_new(t, "result_at", testing_setup_time(req, st, 12));
    return t;
}

static json_t *testing_tube_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, TESTING_TUBE_COLUMNS "WHERE t.id = $1 AND t.community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return json_null();
    json_t *t = testing_tube_row(st, req);
    store_done(st);
    return t;
}

static const list_column testing_tube_columns[] = {
    {"code", "testing.res.col.tube"}, {"station_name", "testing.res.col.station"},
    {"box_code", "testing.res.col.box"}, {"samples", "testing.res.col.samples"},
    {"state_text", "testing.res.col.state"}, {"result_text", "testing.res.col.result"},
    {"result_at", "testing.res.col.result_at"}, {0, 0},
};

/* GET /test-rounds/{id}/tubes?result=&station_id=&box_id=&state= — the round's tubes; a
 * zone or block leader sees those holding someone of their scope. result=none: no
 * result yet. */
static int testing_tubes(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    const char *result = http_query(req, "result"), *state = http_query(req, "state");
    int64_t station, box;
    if (result && *result && strcmp(result, "none") && !testing_setup_word_in(result, testing_results_words))
        return http_fail_field(req, "result", "testing.res.err.result_filter");
    if (state && *state && strcmp(state, "open") && strcmp(state, "closed"))
        return http_fail_field(req, "state", "testing.res.err.tube_state");
    if (!testing_setup_query_id(req, "station_id", &station) || !testing_setup_query_id(req, "box_id", &box)) return -1;
    store_stmt *st = store_prepare(req->conn, TESTING_TUBE_COLUMNS "WHERE t.community_id = $1 AND t.round_id = $3 "
        "AND ($4 = '' OR ($4 = 'none' AND t.result IS NULL) OR t.result = $4) AND ($5 = 0 OR t.station_id = $5) "
        "AND ($6 = 0 OR t.box_id = $6) AND ($7 = '' OR ($7 = 'open' AND t.closed_at IS NULL) OR ($7 = 'closed' AND "
        "t.closed_at IS NOT NULL)) AND " TESTING_TUBE_VISIBLE " AND t.id > $8 ORDER BY t.id LIMIT $9");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    store_bind_text(st, 4, result ? result : "");
    store_bind_int(st, 5, station);
    store_bind_int(st, 6, box);
    store_bind_text(st, 7, state ? state : "");
    return testing_setup_list(req, st, 8, testing_tube_row, "testing.res.list.tubes", 0, testing_tube_columns);
}

typedef struct testing_change {
    int64_t opened, removed;
    bool changed;
} testing_change;

/* Sets a closed tube's result (source entered or imported) and keeps the follow-ups in
 * step with it; inside a write job. STORE_OK, or an error after which the job fails. */
static int testing_set_result(http_req *req, int64_t tube, const char *result, const char *source,
                              testing_change *ch)
{
    int64_t c = req->actor.community_id, now = clock_now_us();
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT result FROM test_tubes WHERE id = $1 AND community_id = $2", "ii", tube, c) !=
        STORE_ROW)
        return STORE_ERR;
    bool was_positive = !store_col_null(st, 0) && !strcmp(store_col_text(st, 0), "positive");
    ch->changed = store_col_null(st, 0) || strcmp(store_col_text(st, 0), result);
    store_done(st);
    if (store_run(req->conn, NULL, "UPDATE test_tubes SET result = $3, result_source = $4, result_by = $5, "
                  "result_at = $6 WHERE id = $1 AND community_id = $2", "iittii", tube, c, result, source,
                  req->actor.user_id, now) != STORE_DONE)
        return STORE_ERR;
    bool positive = !strcmp(result, "positive");
    if (was_positive && !positive) {
        st = store_prepare(req->conn, "DELETE FROM test_followups WHERE community_id = $1 AND tube_id = $2 AND "
                                      "state = 'open' AND updated_at = created_at");
        if (!st || store_bind_int(st, 1, c) | store_bind_int(st, 2, tube) || store_step(st) != STORE_DONE)
            return store_done(st), STORE_ERR;
        ch->removed += store_changes(st);
        store_done(st);
    } else if (positive && !was_positive) {
        st = store_prepare(req->conn, "INSERT INTO test_followups (community_id, round_id, tube_id, sample_id, "
            "resident_id, state, note, created_at, updated_by, updated_at) SELECT s.community_id, s.round_id, "
            "s.tube_id, s.id, s.resident_id, 'open', '', CAST($3 AS BIGINT), CAST($4 AS BIGINT), CAST($3 AS BIGINT) "
            "FROM test_samples s WHERE s.community_id = $1 AND s.tube_id = $2 AND s.state = 'counted' AND NOT EXISTS "
            "(SELECT 1 FROM test_followups f WHERE f.round_id = s.round_id AND f.resident_id = s.resident_id)");
        if (!st || store_bind_int(st, 1, c) | store_bind_int(st, 2, tube) | store_bind_int(st, 3, now) |
                       store_bind_int(st, 4, req->actor.user_id) ||
            store_step(st) != STORE_DONE)
            return store_done(st), STORE_ERR;
        ch->opened += store_changes(st);
        store_done(st);
    }
    return STORE_OK;
}

/* PUT /test-tubes/{id}/result {result} — the committee types a lab result. */
static int testing_tube_result(http_req *req)
{
    int64_t id;
    const char *result;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "result", 1, 16, &result)) return -1;
    if (!testing_setup_word_in(result, testing_results_words))
        return http_fail_field(req, "result", "testing.res.err.result");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT closed_at, round_id FROM test_tubes WHERE id = $1 AND community_id = $2",
                  "ii", id, req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    bool open = store_col_null(st, 0);
    store_done(st);
    if (open) return http_fail(req, 409, "conflict", "result", "testing.res.err.tube_open");
    testing_change ch = {0};
    if (testing_set_result(req, id, result, "entered", &ch)) return http_fail_internal(req, "tube result");
    http_audit_target(req, "test_tube", id, json_pack("{s:s, s:b, s:I, s:I}", "result", result, "changed", ch.changed,
                                                      "followups_opened", (json_int_t)ch.opened, "followups_removed",
                                                      (json_int_t)ch.removed));
    return http_reply(req, 200, json_pack("{s:o, s:I, s:I}", "tube", testing_tube_json(req, id), "followups_opened",
                                          (json_int_t)ch.opened, "followups_removed", (json_int_t)ch.removed));
}

/* ---------------------------------------------------------------- the lab's file */

typedef struct testing_lab_row {
    int line;
    const char *code, *result;   /* result NULL: a value we do not read */
    const char *raw;
} testing_lab_row;

typedef struct testing_lab_file {
    testing_lab_row *rows;
    int n;
} testing_lab_file;

/* A header cell without spaces, ASCII lower-cased. */
static const char *testing_header(http_req *req, const char *cell)
{
    char *out = arena_alloc(req->a, strlen(cell) + 1), *o = out;
    for (const char *p = cell; *p; p++)
        if (!isspace((unsigned char)*p) && *p != '_') *o++ = (char)tolower((unsigned char)*p);
    *o = 0;
    return out;
}

/* The lab's words for a result, in Chinese or English. */
static const char *testing_lab_value(http_req *req, const char *cell)
{
    static const char *const neg[] = {"阴性", "阴", "negative", "neg", "-", NULL};
    static const char *const pos[] = {"阳性", "阳", "positive", "pos", "+", NULL};
    static const char *const inv[] = {"无效", "invalid", "inv", NULL};
    const char *v = testing_header(req, cell);
    return testing_setup_word_in(v, neg)   ? "negative"
           : testing_setup_word_in(v, pos) ? "positive"
           : testing_setup_word_in(v, inv) ? "invalid"
                                           : NULL;
}

/* The multipart body's file read into rows of (tube code, result), in req->scratch; no
 * database. */
static int testing_lab_read(http_req *req, const char *ctype)
{
    import_part parts[4];
    int n = ctype ? import_multipart(req->a, ctype, req->body, req->body_len, parts, 4) : -1;
    const import_part *file = NULL;
    for (int i = 0; i < n && !file; i++)
        if (parts[i].filename || (parts[i].name && !strcmp(parts[i].name, "file"))) file = &parts[i];
    if (!file || !file->len) return http_fail_field(req, "file", "testing.res.err.file");
    import_table t = {0};
    const char *err;
    if (import_is_zip(file->data, file->len)) {
        err = import_parse_xlsx(req->a, file->data, file->len, &t);
    } else {
        char *text;
        size_t len;
        const char *enc;
        err = import_to_utf8(req->a, file->data, file->len, &text, &len, &enc);
        if (!err) err = import_parse_csv(req->a, text, len, &t);
    }
    if (err) return http_fail(req, 422, "validation_failed", "file", err);
    static const char *const code_words[] = {"管码", "试管编码", "试管码", "试管条码", "采样管编码", "管号", "条码",
                                             "tube", "tubecode", "code", NULL};
    static const char *const result_words[] = {"结果", "检测结果", "核酸结果", "result", NULL};
    int code_col = -1, result_col = -1;
    for (int c = 0; c < t.n_cols; c++) {
        const char *h = testing_header(req, t.rows[0][c]);
        if (code_col < 0 && testing_setup_word_in(h, code_words)) code_col = c;
        else if (result_col < 0 && testing_setup_word_in(h, result_words)) result_col = c;
    }
    if (code_col < 0) return http_fail(req, 422, "validation_failed", "file", "testing.res.err.no_code_column");
    if (result_col < 0) return http_fail(req, 422, "validation_failed", "file", "testing.res.err.no_result_column");
    testing_lab_file *f = arena_alloc(req->a, sizeof *f);
    f->rows = arena_alloc(req->a, sizeof *f->rows * (size_t)(t.n_rows > 1 ? t.n_rows : 1));
    f->n = 0;
    for (int i = 1; i < t.n_rows; i++) {
        testing_lab_row *row = &f->rows[f->n++];
        row->line = t.line ? t.line[i] : i + 1;
        row->code = testing_header(req, t.rows[i][code_col]);
        for (char *p = (char *)row->code; *p; p++) *p = (char)toupper((unsigned char)*p);
        row->raw = t.rows[i][result_col];
        row->result = testing_lab_value(req, row->raw);
    }
    if (!f->n) return http_fail(req, 422, "validation_failed", "file", "testing.res.err.no_rows");
    req->scratch = f;
    return 0;
}

static void testing_bad_row(http_req *req, json_t *bad, const testing_lab_row *row, const char *reason)
{
    json_array_append_new(bad, json_pack("{s:i, s:s, s:s, s:s}", "line", row->line, "code", row->code, "reason",
                                         reason, "message",
                                         i18n_text(req->lang, arena_printf(req->a, "testing.res.row.%s", reason))));
}

typedef struct testing_import_run {
    bool dry_run;
    job_ctx *jc;              /* a background run: its job row */
    bool progress;            /* report rows checked on the job row (a read connection only) */
    int64_t round;
    json_t *report;
} testing_import_run;

/* Checks every row against the round's tubes and, unless a dry run or a row is bad,
 * applies them; the report in run->report. 0, or -1 with the reply set (422 with the
 * report for bad rows: the caller's transaction then changes nothing). */
static int testing_import_rows(http_req *req, testing_lab_file *f, testing_import_run *run)
{
    int64_t *tubes = arena_alloc(req->a, sizeof *tubes * (size_t)f->n);
    json_t *bad = json_array(), *unknown = json_array();
    int64_t counts[3] = {0}, changes = 0;
    for (int i = 0; i < f->n; i++) {
        testing_lab_row *row = &f->rows[i];
        tubes[i] = 0;
        if (run->progress && i % 200 == 0) job_progress(run->jc, i, f->n);
        if (!*row->code) { testing_bad_row(req, bad, row, "no_code"); continue; }
        if (!row->result) { testing_bad_row(req, bad, row, "result"); continue; }
        bool dup = false;
        for (int j = 0; j < i && !dup; j++) dup = !strcmp(f->rows[j].code, row->code);
        if (dup) { testing_bad_row(req, bad, row, "duplicate"); continue; }
        store_stmt *st;
        if (store_run(req->conn, &st, "SELECT id, closed_at, result FROM test_tubes WHERE community_id = $1 AND "
                      "round_id = $2 AND code = $3", "iit", req->actor.community_id, run->round, row->code) !=
            STORE_ROW) {
            json_array_append_new(unknown, json_pack("{s:i, s:s}", "line", row->line, "code", row->code));
            testing_bad_row(req, bad, row, "unknown");
            continue;
        }
        bool open = store_col_null(st, 1);
        if (store_col_null(st, 2) || strcmp(store_col_text(st, 2), row->result)) changes++;
        tubes[i] = store_col_int(st, 0);
        store_done(st);
        if (open) { testing_bad_row(req, bad, row, "tube_open"); continue; }
        for (int k = 0; k < 3; k++)
            if (!strcmp(row->result, testing_results_words[k])) counts[k]++;
    }
    run->report = json_pack("{s:b, s:i, s:{s:I, s:I, s:I}, s:I, s:o, s:o}", "dry_run", run->dry_run, "rows", f->n,
                            "counts", "negative", (json_int_t)counts[0], "positive", (json_int_t)counts[1],
                            "invalid", (json_int_t)counts[2], "changes", (json_int_t)changes, "unknown_codes",
                            unknown, "bad_rows", bad);
    if (run->dry_run) return 0;
    if (json_array_size(bad)) {
        http_fail(req, 422, "validation_failed", "file", "testing.res.err.import_rows");
        json_object_set_new(json_object_get(req->out, "error"), "report", run->report);
        run->report = NULL;
        return -1;
    }
    testing_change ch = {0};
    for (int i = 0; i < f->n; i++)
        if (testing_set_result(req, tubes[i], f->rows[i].result, "imported", &ch))
            return http_fail_internal(req, "import result");
    json_object_set_new(run->report, "followups_opened", json_integer(ch.opened));
    json_object_set_new(run->report, "followups_removed", json_integer(ch.removed));
    req->audit_detail = json_pack("{s:i, s:I, s:I, s:I, s:I}", "rows", f->n, "positive", (json_int_t)counts[1],
                                  "changes", (json_int_t)changes, "followups_opened", (json_int_t)ch.opened,
                                  "followups_removed", (json_int_t)ch.removed);
    return 0;
}

/* ?async=1: a long file is read, checked and applied by the server's job pool; the
 * request answers 202 with the job, whose progress (rows checked) and final report
 * GET /api/v1/jobs/{id} shows, as the registry import does. */
typedef struct testing_import_bg {
    int64_t community_id, user_id, round;
    unsigned roles;
    bool dry_run;
    char *body, *ctype, *address;
    size_t body_len;
} testing_import_bg;

static void testing_import_bg_free(void *p)
{
    testing_import_bg *bg = p;
    free(bg->body);
    free(bg->ctype);
    free(bg->address);
    free(bg);
}

typedef struct testing_import_job {
    http_req *req;
    testing_import_run *run;
} testing_import_job;

/* The job's final row: the report (or the refusal with its report) as its result. */
static int testing_import_record(store_conn *c, http_req *req, testing_import_run *run, int64_t rows)
{
    json_t *body = run->report ? json_incref(run->report) : json_incref(req->out);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    json_t *msg = json_object_get(json_object_get(req->out, "error"), "message");
    job_result r = {.state = text ? "done" : "failed", .done = rows, .total = rows,
                    .error = msg ? json_string_value(msg) : NULL, .type = "application/json",
                    .name = "import-report.json", .data = text, .len = text ? strlen(text) : 0};
    if (!text) r.error = i18n_text(req->lang, "err.internal");
    int rc = job_record(c, run->jc->id, &r);
    free(text);
    return rc;
}

static int testing_import_write(store_conn *c, void *p)
{
    testing_import_job *j = p;
    http_req *req = j->req;
    req->conn = c;
    if (testing_import_rows(req, req->scratch, j->run)) return -1;
    if (!j->run->dry_run &&
        audit_write(req, "testing.results_import", "test_round", j->run->round, req->audit_detail))
        return -1;
    return testing_import_record(c, req, j->run, ((testing_lab_file *)req->scratch)->n);
}

/* The final row of a run that wrote nothing: a dry run's report, or the refusal. */
static int testing_import_refused(store_conn *c, void *p)
{
    testing_import_job *j = p;
    j->req->conn = c;
    testing_lab_file *f = j->req->scratch;
    return testing_import_record(c, j->req, j->run, f ? f->n : 0);
}

static void testing_import_bg_run(job_ctx *jc)
{
    testing_import_bg *bg = jc->arg;
    job_actor who = {bg->community_id, bg->user_id, bg->roles, bg->address,
                     "/api/v1/test-rounds/{id}/results/import", bg->body, bg->body_len};
    http_req *req = job_request(jc, &who);
    arena *a = req->a;
    /* First the check, on a read connection, reporting progress (the job row is
     * written by a write of its own, which a write job must not wait for); then the
     * write, which checks again inside its transaction and applies. */
    testing_import_run run = {.dry_run = true, .jc = jc, .progress = true, .round = bg->round};
    testing_import_job j = {req, &run};
    int rc = testing_lab_read(req, bg->ctype);
    if (!rc) {
        req->conn = store_acquire(jc->db);
        rc = testing_import_rows(req, req->scratch, &run);
        store_release(jc->db, req->conn);
        req->conn = NULL;
    }
    bool bad = !rc && json_array_size(json_object_get(run.report, "bad_rows")) > 0;
    if (!rc && !bg->dry_run && bad) {
        http_fail(req, 422, "validation_failed", "file", "testing.res.err.import_rows");
        json_object_set_new(json_object_get(req->out, "error"), "report", run.report);
        run.report = NULL;
        rc = -1;
    } else if (!rc && !bg->dry_run) {
        json_decref(run.report);
        run = (testing_import_run){.dry_run = false, .jc = jc, .round = bg->round};
        if (job_stopping()) rc = http_fail(req, 503, "unavailable", NULL, "err.job_interrupted");
        else rc = store_write_sync(jc->db, testing_import_write, &j);
    } else if (!rc) {
        job_progress(jc, ((testing_lab_file *)req->scratch)->n, ((testing_lab_file *)req->scratch)->n);
        rc = -1;   /* a dry run: its report is the job's result */
    }
    if (rc && store_write_sync(jc->db, testing_import_refused, &j) != 0)
        log_error("results import job %lld: cannot store the result", (long long)jc->id);
    json_decref(run.report);
    json_decref(req->audit_detail);
    arena_free(a);
}

/* POST /test-rounds/{id}/results/import[?dry_run=1][&async=1]: prepare (HTTP thread, no
 * database) reads the file unless a background run will. */
static int testing_import_prepare(http_req *req)
{
    const char *async = http_query(req, "async");
    if (async && !strcmp(async, "1")) return req->body_len ? 0 : http_fail_field(req, "file", "testing.res.err.file");
    return testing_lab_read(req, http_header(req, "Content-Type"));
}

/* All rows or none: a row without a known closed tube of the round or a readable
 * result refuses the whole file (422 with the rows), so a file fixed and sent again is
 * applied once. */
static int testing_import(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    if (!strcmp(r.kind, "antigen")) return http_fail(req, 422, "validation_failed", "file", "testing.res.err.antigen");
    const char *dry = http_query(req, "dry_run"), *async = http_query(req, "async");
    testing_import_run run = {.dry_run = dry && !strcmp(dry, "1"), .round = r.id};
    if (async && !strcmp(async, "1")) {
        const char *ctype = http_header(req, "Content-Type");
        testing_import_bg *bg = xcalloc(1, sizeof *bg);
        *bg = (testing_import_bg){.community_id = req->actor.community_id, .user_id = req->actor.user_id,
                                  .round = r.id, .roles = req->actor.roles, .dry_run = run.dry_run,
                                  .body = xmalloc(req->body_len + 1), .body_len = req->body_len,
                                  .ctype = xstrdup(ctype ? ctype : ""),
                                  .address = xstrdup(req->address ? req->address : "")};
        memcpy(bg->body, req->body, req->body_len);
        bg->body[req->body_len] = 0;
        int64_t job = job_start(req, "results_import", testing_import_bg_run, bg, testing_import_bg_free);
        if (!job) return -1;
        http_audit_target(req, "job", job, json_pack("{s:b, s:b}", "async", 1, "dry_run", run.dry_run));
        return http_reply(req, 202, json_pack("{s:{s:I, s:s, s:s}}", "job", "id", (json_int_t)job, "kind",
                                              "results_import", "state", "queued"));
    }
    if (testing_import_rows(req, req->scratch, &run)) return -1;
    if (!run.dry_run) http_audit_target(req, "test_round", r.id, req->audit_detail);
    return http_reply(req, 200, run.report);
}

/* ---------------------------------------------------------------- tracing */

/* The people of a tube, for GET (phones masked) and for the audited reveal (full phones
 * of the people in the reader's scope). One query on the tube's index. */
static int testing_people(http_req *req, bool reveal)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn, "SELECT s.id, r.id, r.name, r.phone, h.phone, h.room, b.id, b.name, "
        "z.name, f.id, f.state, f.note, CASE WHEN " SCOPE_HOUSEHOLD " THEN 1 ELSE 0 END, s.taken_at, s.via FROM "
        "test_samples s JOIN residents r ON r.id = s.resident_id JOIN households h ON h.id = s.household_id JOIN "
        "blocks b ON b.id = h.block_id LEFT JOIN zones z ON z.id = b.zone_id LEFT JOIN test_followups f ON "
        "f.round_id = s.round_id AND f.resident_id = s.resident_id WHERE s.community_id = $1 AND s.tube_id = $3 AND "
        "s.state = 'counted' ORDER BY s.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    json_t *people = json_array();
    int in_scope = 0, revealed = 0;
    while (store_step(st) == STORE_ROW) {
        bool mine = store_col_int(st, 12) != 0;
        const char *phone = store_col_text(st, 3);
        if (!phone || !*phone) phone = store_col_text(st, 4);
        const char *name = store_col_text(st, 2);
        json_t *p = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:b}", "sample_id", (json_int_t)store_col_int(st, 0),
                              "resident_id", (json_int_t)(mine ? store_col_int(st, 1) : 0), "name",
                              mine ? name : testing_mask_name(req, name), "room", mine ? store_col_text(st, 5) : "",
                              "block_name", store_col_text(st, 7), "zone_name",
                              store_col_null(st, 8) ? "" : store_col_text(st, 8), "in_scope", mine);
        bool full = reveal && mine && phone && *phone;
        json_object_set_new(p, "phone", json_string(full ? phone : testing_setup_phone_mask(req, phone)));
        json_object_set_new(p, "phone_full", json_boolean(full));
        json_object_set_new(p, "taken_at", testing_setup_time(req, st, 13));
        json_object_set_new(p, "via", json_string(store_col_text(st, 14)));
        if (store_col_null(st, 9) || !mine) {
            json_object_set_new(p, "followup", json_null());
        } else {
            const char *state = store_col_text(st, 10);
            json_object_set_new(p, "followup",
                                json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 9), "state",
                                          state, "state_text", testing_setup_word(req, "testing.res.fu.", state),
                                          "note", store_col_text(st, 11)));
        }
        in_scope += mine;
        revealed += full;
        json_array_append_new(people, p);
    }
    store_done(st);
    bool committee = actor_has(&req->actor, ROLE_COMMITTEE);
    json_t *tube = testing_tube_json(req, id);
    if (json_is_null(tube) || (!in_scope && !committee)) {
        json_decref(people);
        json_decref(tube);
        return http_fail_not_found(req);
    }
    if (reveal)
        http_audit_target(req, "test_tube", id, json_pack("{s:i, s:i}", "people", (int)json_array_size(people),
                                                          "phones_revealed", revealed));
    return http_reply(req, 200, json_pack("{s:o, s:o, s:b}", "tube", tube, "people", people, "revealed", reveal));
}

/* GET /test-tubes/{id}/people — the tracing list, phones masked. */
static int testing_tube_people(http_req *req) { return testing_people(req, false); }

/* POST /test-tubes/{id}/people/reveal — the same with the phones to call, audited. */
static int testing_tube_reveal(http_req *req) { return testing_people(req, true); }

/* ---------------------------------------------------------------- follow-ups */

#define TESTING_FU_COLUMNS \
    "SELECT f.id, f.round_id, tr.name, tr.on_day, f.tube_id, t.code, r.id, r.name, r.phone, h.phone, h.room, b.id, " \
    "b.name, f.state, f.note, f.created_at, f.updated_at, f.ended_at FROM test_followups f JOIN test_rounds tr ON " \
    "tr.id = f.round_id LEFT JOIN test_tubes t ON t.id = f.tube_id JOIN residents r ON r.id = f.resident_id JOIN " \
    "households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "

static json_t *testing_fu_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *phone = store_col_text(st, 8), *state = store_col_text(st, 13);
    if (!phone || !*phone) phone = store_col_text(st, 9);
    json_t *f = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id",
        (json_int_t)store_col_int(st, 0), "round_id", (json_int_t)store_col_int(st, 1), "round_name",
        store_col_text(st, 2), "on_day", store_col_text(st, 3), "tube_code",
        store_col_null(st, 5) ? "" : store_col_text(st, 5), "resident_id", (json_int_t)store_col_int(st, 6), "name",
        store_col_text(st, 7), "phone", testing_setup_phone_mask(req, phone), "room", store_col_text(st, 10),
        "block_id", (json_int_t)store_col_int(st, 11), "block_name", store_col_text(st, 12), "state", state,
        "state_text", testing_setup_word(req, "testing.res.fu.", state), "note", store_col_text(st, 14));
    json_object_set_new(f, "tube_id", store_col_null(st, 4) ? json_null() : json_integer(store_col_int(st, 4)));
    json_object_set_new(f, "created_at", testing_setup_time(req, st, 15));
    json_object_set_new(f, "updated_at", testing_setup_time(req, st, 16));
    json_object_set_new(f, "ended_at", testing_setup_time(req, st, 17));
    return f;
}

static const list_column testing_fu_columns[] = {
    {"round_name", "testing.res.col.round"}, {"tube_code", "testing.res.col.tube"},
    {"block_name", "testing.res.col.block"}, {"room", "testing.res.col.room"}, {"name", "testing.res.col.name"},
    {"phone", "testing.res.col.phone"}, {"state_text", "testing.res.col.state"}, {"note", "testing.res.col.note"},
    {"updated_at", "testing.res.col.updated_at"}, {0, 0},
};

/* GET /test-followups?round_id=&state=&block_id= — the leader's scope; state=active:
 * open and retest (what still needs someone). */
static int testing_followups(http_req *req)
{
    int64_t round, block;
    if (!testing_setup_query_id(req, "round_id", &round) || !testing_setup_query_id(req, "block_id", &block)) return -1;
    const char *state = http_query(req, "state");
    if (state && *state && strcmp(state, "active") && !testing_setup_word_in(state, testing_followup_states))
        return http_fail_field(req, "state", "testing.res.err.fu_filter");
    store_stmt *st = store_prepare(req->conn, TESTING_FU_COLUMNS "WHERE f.community_id = $1 AND " SCOPE_HOUSEHOLD
        " AND ($3 = 0 OR f.round_id = $3) AND ($4 = '' OR f.state = $4 OR ($4 = 'active' AND f.state IN ('open', "
        "'retest'))) AND ($5 = 0 OR h.block_id = $5) AND f.id > $6 ORDER BY f.id LIMIT $7");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, round);
    store_bind_text(st, 4, state ? state : "");
    store_bind_int(st, 5, block);
    return testing_setup_list(req, st, 6, testing_fu_row, "testing.res.list.followups", 0, testing_fu_columns);
}

/* PATCH /test-followups/{id} {state?, note?} — a leader of the person's scope; ended_at
 * is set when it ends (cleared, isolated) and cleared when it reopens. Each change is
 * an audit entry: the history. */
static int testing_followup_patch(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *state = NULL, *note = NULL;
    if (!http_body_str_opt(req, "state", 1, 16, &state)) return -1;
    if (state && !testing_setup_word_in(state, testing_followup_states))
        return http_fail_field(req, "state", "testing.res.err.fu_state");
    if (!http_body_str_opt(req, "note", 0, 1000, &note)) return -1;
    if (!state && !note) return http_fail_field(req, "state", "testing.res.err.fu_nothing");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT f.state FROM test_followups f JOIN residents r ON r.id = f.resident_id JOIN "
                  "households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE f.id = $3 AND "
                  "f.community_id = $1 AND " SCOPE_HOUSEHOLD, "iii", req->actor.community_id, req->actor.user_id,
                  id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *before = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    const char *after = state ? state : before;
    bool ended = !strcmp(after, "cleared") || !strcmp(after, "isolated");
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE test_followups SET state = $2, note = COALESCE($3, note), updated_by = $4, "
                  "updated_at = $5, ended_at = CASE WHEN $6 = 0 THEN NULL WHEN ended_at IS NOT NULL AND state = $2 "
                  "THEN ended_at ELSE $5 END WHERE id = $1", "ittiii", id, after, note, req->actor.user_id, now,
                  (int64_t)ended) != STORE_DONE)
        return http_fail_internal(req, "followup patch");
    json_t *fields = json_array();
    if (state) json_array_append_new(fields, json_string("state"));
    if (note) json_array_append_new(fields, json_string("note"));
    http_audit_target(req, "test_followup", id, json_pack("{s:s, s:s, s:o}", "from", before, "to", after, "fields",
                                                          fields));
    if (store_run(req->conn, &st, TESTING_FU_COLUMNS "WHERE f.id = $1 AND f.community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_internal(req, "followup read");
    json_t *f = testing_fu_row(st, req);
    store_done(st);
    return http_reply(req, 200, json_pack("{s:o}", "followup", f));
}

/* ---------------------------------------------------------------- antigen */

/* POST /test-rounds/{id}/antigen {resident_id, result, taken_at?} — a resident for the
 * people of their own household (via self), a leader for a resident of their scope (via
 * leader, on behalf). One report a person a round: a second is refused (409) naming
 * who reported and when, never replaced. A positive report opens a follow-up. */
static int testing_antigen_report(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    int64_t resident, now = clock_now_us(), taken = now;
    bool has = false;
    const char *result, *at = NULL;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &resident, &has)) return -1;
    if (!has) return http_fail_field(req, "resident_id", "err.required");
    if (!http_body_str(req, "result", 1, 16, &result)) return -1;
    if (!testing_setup_word_in(result, testing_results_words))
        return http_fail_field(req, "result", "testing.res.err.result");
    if (!http_body_str_opt(req, "taken_at", 1, 32, &at)) return -1;
    if (at && !clock_parse_utc(at, &taken)) return http_fail_field(req, "taken_at", "testing.res.err.taken_at");
    if (taken > now + 300LL * 1000000 || taken < now - 3 * 86400LL * 1000000)
        return http_fail_field(req, "taken_at", "testing.res.err.taken_range");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT h.id, CASE WHEN " SCOPE_HOUSEHOLD " THEN 1 ELSE 0 END, CASE WHEN "
                  TESTING_OWN_HOUSEHOLD " THEN 1 ELSE 0 END FROM residents r JOIN households h ON h.id = "
                  "r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND r.community_id = $1 AND "
                  "r.moved_out_at IS NULL", "iii", req->actor.community_id, req->actor.user_id, resident) != STORE_ROW)
        return http_fail_not_found(req);
    int64_t household = store_col_int(st, 0);
    bool leader = store_col_int(st, 1) != 0, own = store_col_int(st, 2) != 0;
    store_done(st);
    if (!leader && !own) return http_fail_not_found(req);
    if (strcmp(r.kind, "antigen"))
        return http_fail(req, 422, "validation_failed", "round", "testing.res.err.not_antigen");
    if (strcmp(r.state, "open")) return http_fail(req, 409, "conflict", "round", "testing.res.err.round_closed");
    const char *via = own ? "self" : "leader";
    if (store_run(req->conn, &st, "SELECT s.id, s.created_at, u.id, u.display_name FROM test_samples s LEFT JOIN "
                  "users u ON u.id = s.recorded_by WHERE s.round_id = $1 AND s.resident_id = $2 AND s.state = "
                  "'counted'", "ii", r.id, resident) == STORE_ROW) {
        const char *who = store_col_null(st, 2) ? i18n_text(req->lang, "testing.res.by_household")
                                                : http_by_label(req, store_col_int(st, 2), store_col_text(st, 3));
        json_t *when = testing_setup_time(req, st, 1);
        int64_t sid = store_col_int(st, 0);
        store_done(st);
        http_fail(req, 409, "conflict", "resident_id", "testing.res.err.reported");
        json_t *err = json_object_get(req->out, "error");
        json_object_set_new(err, "message", json_string(arena_printf(req->a, "%s: %s, %s",
            json_string_value(json_object_get(err, "message")), who ? who : "", json_string_value(when))));
        json_object_set_new(err, "reported_by", json_string(who ? who : ""));
        json_object_set_new(err, "reported_at", when);
        json_object_set_new(err, "sample_id", json_integer(sid));
        return -1;
    }
    if (store_run(req->conn, &st, "INSERT INTO test_samples (community_id, round_id, resident_id, household_id, via, "
                  "state, result, taken_at, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, 'counted', $6, $7, "
                  "$8, $9) RETURNING id", "iiiittiii", req->actor.community_id, r.id, resident, household, via, result,
                  taken, req->actor.user_id, now) != STORE_ROW)
        return http_fail_internal(req, "antigen insert");
    int64_t sample = store_col_int(st, 0);
    store_done(st);
    bool positive = !strcmp(result, "positive");
    if (positive && store_run(req->conn, NULL, "INSERT INTO test_followups (community_id, round_id, sample_id, "
                              "resident_id, state, note, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, "
                              "'open', '', $5, $6, $5)", "iiiiii", req->actor.community_id, r.id, sample, resident, now,
                              req->actor.user_id) != STORE_DONE)
        return http_fail_internal(req, "antigen followup");
    if (!own) req->on_behalf_of = resident;
    http_audit_target(req, "test_sample", sample, json_pack("{s:I, s:s, s:s, s:b}", "round_id", (json_int_t)r.id,
                                                            "result", result, "via", via, "followup", positive));
    return http_reply(req, 201,
                      json_pack("{s:{s:I, s:I, s:I, s:s, s:s, s:s, s:b}}", "sample", "id", (json_int_t)sample,
                                "round_id", (json_int_t)r.id, "resident_id", (json_int_t)resident, "result", result,
                                "result_text", testing_setup_word(req, "testing.res.result.", result), "via", via,
                                "followup", positive));
}

static json_t *testing_antigen_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *result = store_col_text(st, 5), *via = store_col_text(st, 6);
    json_t *a = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                          "resident_id", (json_int_t)store_col_int(st, 1), "name", store_col_text(st, 2), "room",
                          store_col_text(st, 3), "block_name", store_col_text(st, 4), "result", result ? result : "",
                          "result_text", testing_setup_word(req, "testing.res.result.", result), "via", via, "via_text",
                          testing_setup_word(req, "testing.res.via.", via));
    json_object_set_new(a, "reported_by", json_string(store_col_null(st, 7)
                                                          ? i18n_text(req->lang, "testing.res.by_household")
                                                          : http_by_label(req, store_col_int(st, 7),
                                                                          store_col_text(st, 8)) ?: ""));
    json_object_set_new(a, "taken_at", testing_setup_time(req, st, 9));
    json_object_set_new(a, "photo", store_col_null(st, 10) ? json_null()
                                        : json_string(arena_printf(req->a, "/api/v1/test-samples/%lld/photo",
                                                                   (long long)store_col_int(st, 0))));
    return a;
}

static const list_column testing_antigen_columns[] = {
    {"block_name", "testing.res.col.block"}, {"room", "testing.res.col.room"}, {"name", "testing.res.col.name"},
    {"result_text", "testing.res.col.result"}, {"via_text", "testing.res.col.via"},
    {"reported_by", "testing.res.col.reported_by"}, {"taken_at", "testing.res.col.taken_at"}, {0, 0},
};

/* GET /test-rounds/{id}/antigen?result= — the reports of the leader's scope. */
static int testing_antigen_list(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    const char *result = http_query(req, "result");
    if (result && *result && !testing_setup_word_in(result, testing_results_words))
        return http_fail_field(req, "result", "testing.res.err.result");
    store_stmt *st = store_prepare(req->conn, "SELECT s.id, r.id, r.name, h.room, b.name, s.result, s.via, u.id, "
        "u.display_name, s.taken_at, s.photo_path FROM test_samples s JOIN residents r ON r.id = s.resident_id JOIN "
        "households h ON h.id = s.household_id JOIN blocks b ON b.id = h.block_id LEFT JOIN users u ON u.id = "
        "s.recorded_by WHERE s.community_id = $1 AND s.round_id = $3 AND s.state = 'counted' AND s.result IS NOT "
        "NULL AND ($4 = '' OR s.result = $4) AND " SCOPE_HOUSEHOLD " AND s.id > $5 ORDER BY s.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    store_bind_text(st, 4, result ? result : "");
    return testing_setup_list(req, st, 5, testing_antigen_row, "testing.res.list.antigen", 0, testing_antigen_columns);
}

#define TESTING_PHOTO_MAX (5u << 20)

/* An antigen report's sample the actor may see: of their own household or, for a
 * leader, of their scope ($1, $2; $3 the sample). */
#define TESTING_SAMPLE_OF_ACTOR \
    "FROM test_samples s JOIN test_rounds tr ON tr.id = s.round_id JOIN households h ON h.id = s.household_id " \
    "JOIN blocks b ON b.id = h.block_id WHERE s.id = $3 AND s.community_id = $1 AND tr.kind = 'antigen' AND " \
    "s.state = 'counted' AND ((" SCOPE_HOUSEHOLD ") OR " TESTING_OWN_HOUSEHOLD ")"

typedef struct testing_photo {
    char stored[96], path[1024];
} testing_photo;

/* POST /test-samples/{id}/photo (the raw bytes): prepare — a photo (JPEG, PNG, WebP by
 * its first bytes) written durably before the job records it. */
static int testing_photo_prepare(http_req *req)
{
    const char *ext = NULL;
    if (!req->body_len) return http_fail_field(req, "file", "testing.res.err.photo_type");
    const char *type = files_sniff(req->body, req->body_len, &ext);
    if (!type || strncmp(type, "image/", 6)) return http_fail_field(req, "file", "testing.res.err.photo_type");
    testing_photo *ph = arena_alloc(req->a, sizeof *ph);
    if (files_save(req->cfg, req->actor.community_id, req->body, req->body_len, ext, ph->stored, ph->path))
        return http_fail_internal(req, "photo write");
    req->scratch = ph;
    return 0;
}

/* The job: the sample must be the actor's to see and have no photo yet (one photo a
 * report: a second is refused, the first stays); a refusal removes the file. */
static int testing_photo_add(http_req *req)
{
    testing_photo *ph = req->scratch;
    int64_t id;
    int rc = -1;
    store_stmt *st;
    if (!http_param_id(req, "id", &id)) goto refuse;
    if (store_run(req->conn, &st, "SELECT s.photo_path " TESTING_SAMPLE_OF_ACTOR, "iii", req->actor.community_id,
                  req->actor.user_id, id) != STORE_ROW) {
        http_fail_not_found(req);
        goto refuse;
    }
    bool has = !store_col_null(st, 0);
    store_done(st);
    if (has) {
        http_fail(req, 409, "conflict", "file", "testing.res.err.photo_exists");
        goto refuse;
    }
    if (store_run(req->conn, NULL, "UPDATE test_samples SET photo_path = $2 WHERE id = $1", "it", id, ph->stored) !=
        STORE_DONE) {
        http_fail_internal(req, "photo record");
        goto refuse;
    }
    http_audit_target(req, "test_sample", id, json_pack("{s:b}", "photo", 1));
    return http_reply(req, 201, json_pack("{s:I, s:s}", "sample_id", (json_int_t)id, "photo",
                                          arena_printf(req->a, "/api/v1/test-samples/%lld/photo", (long long)id)));
refuse:
    unlink(ph->path);
    return rc;
}

/* GET /test-samples/{id}/photo — whoever sees the report. */
static int testing_photo_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT s.photo_path " TESTING_SAMPLE_OF_ACTOR " AND s.photo_path IS NOT NULL",
                  "iii", req->actor.community_id, req->actor.user_id, id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *stored = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    size_t size = 0;
    char *bytes = files_read(req->a, req->cfg, stored, TESTING_PHOTO_MAX, &size);
    if (!bytes) return http_fail(req, 404, "not_found", "file", "testing.res.err.photo_gone");
    req->out_raw = bytes;
    req->out_raw_len = size;
    req->out_type = files_type_of(stored);
    req->out_filename = arena_printf(req->a, "antigen-%lld%s", (long long)id, strrchr(stored, '.'));
    req->status = 200;
    return 0;
}

/* ---------------------------------------------------------------- a household's own */

static json_t *testing_mine_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *result = store_col_text(st, 6), *kind = store_col_text(st, 4);
    json_t *m = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                          "round_id", (json_int_t)store_col_int(st, 1), "round_name", store_col_text(st, 2), "on_day",
                          store_col_text(st, 3), "kind", kind, "kind_text",
                          testing_setup_word(req, "testing.res.kind.", kind),
                          "resident_id", (json_int_t)store_col_int(st, 7), "name", store_col_text(st, 5),
                          "via", store_col_text(st, 8), "result_text",
                          result ? testing_setup_word(req, "testing.res.result.", result)
                                 : i18n_text(req->lang, "testing.res.result.none"));
    json_object_set_new(m, "result", result ? json_string(result) : json_null());
    json_object_set_new(m, "taken_at", testing_setup_time(req, st, 9));
    return m;
}

static const list_column testing_mine_columns[] = {
    {"on_day", "testing.res.col.day"}, {"round_name", "testing.res.col.round"}, {"name", "testing.res.col.name"},
    {"result_text", "testing.res.col.result"}, {0, 0},
};

/* GET /me/tests — the samples and results of the caller's own household (a tube's
 * result for a PCR sample, the reported one for antigen): all a resident sees of testing. */
static int testing_me(http_req *req)
{
    store_stmt *st = store_prepare(req->conn, "SELECT s.id, tr.id, tr.name, tr.on_day, tr.kind, r.name, "
        "COALESCE(t.result, s.result), r.id, s.via, s.taken_at FROM test_samples s JOIN test_rounds tr ON tr.id = "
        "s.round_id JOIN residents r ON r.id = s.resident_id JOIN households h ON h.id = s.household_id LEFT JOIN "
        "test_tubes t ON t.id = s.tube_id WHERE s.community_id = $1 AND h.community_id = $1 AND s.state = 'counted' "
        "AND " TESTING_OWN_HOUSEHOLD " AND s.id > $3 ORDER BY s.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    return testing_setup_list(req, st, 3, testing_mine_row, "testing.res.list.mine", 0, testing_mine_columns);
}

/* GET /me/antigen?household_id= — the open antigen rounds and, for each, the people of
 * the caller's own household (or, for a leader, of a household of their scope) with
 * what is already reported: the page a household reports on. */
static int testing_me_antigen(http_req *req)
{
    int64_t household;
    if (!testing_setup_query_id(req, "household_id", &household)) return -1;
    if (household && !scope_household_visible(req, household)) return http_fail_not_found(req);
    json_t *rounds = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT id, name, on_day FROM test_rounds WHERE community_id = $1 AND "
                                              "kind = 'antigen' AND state = 'open' ORDER BY on_day DESC, id DESC "
                                              "LIMIT 5");
    if (!st || store_bind_int(st, 1, req->actor.community_id)) return json_decref(rounds), http_fail_internal(req, "");
    while (store_step(st) == STORE_ROW)
        json_array_append_new(rounds, json_pack("{s:I, s:s, s:s, s:[]}", "id", (json_int_t)store_col_int(st, 0),
                                                "name", store_col_text(st, 1), "on_day", store_col_text(st, 2),
                                                "people"));
    store_done(st);
    st = store_prepare(req->conn, "SELECT r.id, r.name, s.id, s.result, s.created_at, u.id, u.display_name, h.room, "
        "CASE WHEN s.photo_path IS NULL THEN 0 ELSE 1 END "
        "FROM residents r JOIN households h ON h.id = r.household_id LEFT JOIN test_samples s ON s.round_id = $3 AND "
        "s.resident_id = r.id AND s.state = 'counted' LEFT JOIN users u ON u.id = s.recorded_by WHERE "
        "r.community_id = $1 AND r.moved_out_at IS NULL AND (($4 = 0 AND " TESTING_OWN_HOUSEHOLD ") OR h.id = $4) "
        "ORDER BY r.id");
    if (!st) return json_decref(rounds), http_fail_internal(req, store_errmsg(req->conn));
    for (size_t i = 0; i < json_array_size(rounds); i++) {
        json_t *round = json_array_get(rounds, i), *people = json_object_get(round, "people");
        scope_bind(req, st);
        store_bind_int(st, 3, json_integer_value(json_object_get(round, "id")));
        store_bind_int(st, 4, household);
        while (store_step(st) == STORE_ROW) {
            json_t *p = json_pack("{s:I, s:s, s:s}", "resident_id", (json_int_t)store_col_int(st, 0), "name",
                                  store_col_text(st, 1), "room", store_col_text(st, 7));
            if (store_col_null(st, 2)) {
                json_object_set_new(p, "reported", json_null());
            } else {
                const char *result = store_col_text(st, 3);
                json_t *by = json_string(store_col_null(st, 5) ? i18n_text(req->lang, "testing.res.by_household")
                                         : http_by_label(req, store_col_int(st, 5), store_col_text(st, 6)) ?: "");
                json_object_set_new(p, "reported",
                                    json_pack("{s:I, s:s, s:s, s:o, s:o, s:b}", "sample_id",
                                              (json_int_t)store_col_int(st, 2), "result", result ? result : "",
                                              "result_text", testing_setup_word(req, "testing.res.result.", result),
                                              "by", by, "at", testing_setup_time(req, st, 4), "photo",
                                              store_col_int(st, 8) != 0));
            }
            json_array_append_new(people, p);
        }
        store_done(st);
    }
    return http_reply(req, 200, json_pack("{s:o}", "rounds", rounds));
}

/* ---------------------------------------------------------------- summary and tiles */

typedef struct testing_coverage {
    int64_t expected, sampled, exempt;
} testing_coverage;

/* Who the round expects in the actor's scope, who is sampled and who exempt. */
static int testing_coverage_of(http_req *req, int64_t round, testing_coverage *cv)
{
    store_stmt *st = store_prepare(req->conn, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN " TESTING_SAMPLED("$3")
        " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN NOT " TESTING_SAMPLED("$3") " AND " TESTING_EXEMPT("$3")
        " THEN 1 ELSE 0 END), 0) FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = "
        "h.block_id WHERE r.community_id = $1 AND " TESTING_EXPECTED("$3") " AND " SCOPE_HOUSEHOLD);
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, round);
    int rc = store_step(st) == STORE_ROW ? 0 : -1;
    if (!rc) cv->expected = store_col_int(st, 0), cv->sampled = store_col_int(st, 1), cv->exempt = store_col_int(st, 2);
    store_done(st);
    return rc;
}

static int64_t testing_percent(const testing_coverage *cv)
{
    int64_t due = cv->expected - cv->exempt;
    return due > 0 ? cv->sampled * 100 / due : 0;
}

/* The follow-ups of the actor's scope in one state, or still needing someone (open,
 * retest) for state ""; of one round, or all rounds for round 0. */
static int64_t testing_count_followups(http_req *req, int64_t round, const char *state)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM test_followups f JOIN residents r ON r.id = "
                           "f.resident_id JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = "
                           "h.block_id WHERE f.community_id = $1 AND (f.state = $4 OR ($4 = '' AND f.state IN ('open', "
                           "'retest'))) AND ($3 = 0 OR f.round_id = $3) AND " SCOPE_HOUSEHOLD, "iiit",
                           req->actor.community_id, req->actor.user_id, round, state);
}

/* GET /test-rounds/{id}/summary — tubes and boxes of the whole round (the logistics are
 * the same for every reader); people, positives and follow-ups of the reader's scope. */
static int testing_summary(http_req *req)
{
    testing_round r;
    if (!testing_path_round(req, &r)) return -1;
    int64_t c = req->actor.community_id, u = req->actor.user_id;
    testing_coverage cv = {0};
    if (testing_coverage_of(req, r.id, &cv)) return http_fail_internal(req, "coverage");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN result = 'negative' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN result = "
                  "'positive' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN result = 'invalid' THEN 1 ELSE 0 END), 0) "
                  "FROM test_tubes WHERE community_id = $1 AND round_id = $2", "ii", c, r.id) != STORE_ROW)
        return http_fail_internal(req, "tubes");
    int64_t tubes = store_col_int(st, 0), open = store_col_int(st, 1), neg = store_col_int(st, 2);
    int64_t pos = store_col_int(st, 3), inv = store_col_int(st, 4);
    store_done(st);
    if (store_run(req->conn, &st, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END), 0) "
                  "FROM test_boxes WHERE community_id = $1 AND round_id = $2", "ii", c, r.id) != STORE_ROW)
        return http_fail_internal(req, "boxes");
    int64_t boxes = store_col_int(st, 0), boxes_open = store_col_int(st, 1);
    store_done(st);
    /* The people of the reader's scope counted in the round, and those of them positive
     * (their tube's result for PCR, their own for antigen): one pass over the samples. */
    if (store_run(req->conn, &st, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.result = 'positive' OR s.result = "
                  "'positive' THEN 1 ELSE 0 END), 0) FROM test_samples s JOIN households h ON h.id = s.household_id "
                  "JOIN blocks b ON b.id = h.block_id LEFT JOIN test_tubes t ON t.id = s.tube_id WHERE "
                  "s.community_id = $1 AND s.round_id = $3 AND s.state = 'counted' AND " SCOPE_HOUSEHOLD,
                  "iii", c, u, r.id) != STORE_ROW)
        return http_fail_internal(req, "samples");
    int64_t sampled = store_col_int(st, 0), people = store_col_int(st, 1);
    store_done(st);
    json_t *fu = json_object();
    for (int i = 0; testing_followup_states[i]; i++)
        json_object_set_new(fu, testing_followup_states[i],
                            json_integer(testing_count_followups(req, r.id, testing_followup_states[i])));
    int64_t to_test = cv.expected - cv.sampled - cv.exempt;
    return http_reply(req, 200, json_pack("{s:{s:I, s:s, s:s, s:s, s:s}, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, "
                                          "s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:o}",
        "round", "id", (json_int_t)r.id, "name", r.name, "on_day", r.on_day, "kind", r.kind, "state", r.state,
        "sampled", (json_int_t)sampled,
        "tubes", "total", (json_int_t)tubes, "open", (json_int_t)open, "closed", (json_int_t)(tubes - open),
        "negative", (json_int_t)neg, "positive", (json_int_t)pos, "invalid", (json_int_t)inv, "pending",
        (json_int_t)(tubes - neg - pos - inv),
        "boxes", "total", (json_int_t)boxes, "open", (json_int_t)boxes_open, "closed", (json_int_t)(boxes - boxes_open),
        "coverage", "expected", (json_int_t)cv.expected, "sampled", (json_int_t)cv.sampled, "exempt",
        (json_int_t)cv.exempt, "to_test", (json_int_t)(to_test > 0 ? to_test : 0), "percent",
        (json_int_t)testing_percent(&cv),
        "positives", "tubes", (json_int_t)pos, "people", (json_int_t)people, "followups", fu));
}

/* Leaders: the current round's coverage and not-yet-tested people of their scope (the
 * latest open pooled or single round), and the follow-ups still open. */
void testing_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, TESTING_LEADERS) || req->actor.community_id <= 0) return;
    int64_t round = store_query_int(req->conn, 0, "SELECT id FROM test_rounds WHERE community_id = $1 AND state = "
                                    "'open' AND kind <> 'antigen' ORDER BY on_day DESC, id DESC LIMIT 1", "i",
                                    req->actor.community_id);
    testing_coverage cv = {0};
    if (round && !testing_coverage_of(req, round, &cv)) {
        dashboard_tile(req, tiles, "testing_coverage", "testing.res.tile.coverage", testing_percent(&cv),
                       "testing.res.unit.percent");
        dashboard_tile_link(tiles, arena_printf(req->a, "/testing/%lld/coverage", (long long)round));
        int64_t to_test = cv.expected - cv.sampled - cv.exempt;
        dashboard_tile(req, tiles, "testing_not_tested", "testing.res.tile.not_tested", to_test > 0 ? to_test : 0,
                       "testing.res.unit.people");
        dashboard_tile_link(tiles, arena_printf(req->a, "/testing/%lld/not-tested", (long long)round));
    }
    dashboard_tile(req, tiles, "testing_followups", "testing.res.tile.followups", testing_count_followups(req, 0, ""),
                   "testing.res.unit.people");
    dashboard_tile_link(tiles, "/testing/followups");
}

const http_route testing_result_routes[] = {
    {"GET", "/api/v1/test-rounds/{id}/tubes", NULL, testing_tubes, TESTING_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"PUT", "/api/v1/test-tubes/{id}/result", NULL, testing_tube_result, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "testing.tube_result"},
    {"POST", "/api/v1/test-rounds/{id}/results/import", testing_import_prepare, testing_import, ROLE_COMMITTEE,
     ROUTE_WRITE | ROUTE_RAW_BODY, 8u << 20, "testing.results_import"},
    {"GET", "/api/v1/test-tubes/{id}/people", NULL, testing_tube_people, TESTING_LEADERS, 0, 0, NULL},
    {"POST", "/api/v1/test-tubes/{id}/people/reveal", NULL, testing_tube_reveal, TESTING_LEADERS,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 1024, "testing.trace_reveal"},
    {"GET", "/api/v1/test-followups", NULL, testing_followups, TESTING_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"PATCH", "/api/v1/test-followups/{id}", NULL, testing_followup_patch, TESTING_LEADERS, ROUTE_WRITE, 4096,
     "testing.followup"},
    {"POST", "/api/v1/test-rounds/{id}/antigen", NULL, testing_antigen_report, TESTING_LEADERS | ROLE_RESIDENT,
     ROUTE_WRITE, 1024, "testing.antigen"},
    {"GET", "/api/v1/test-rounds/{id}/antigen", NULL, testing_antigen_list, TESTING_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"POST", "/api/v1/test-samples/{id}/photo", testing_photo_prepare, testing_photo_add,
     TESTING_LEADERS | ROLE_RESIDENT, ROUTE_WRITE | ROUTE_RAW_BODY, TESTING_PHOTO_MAX, "testing.photo"},
    {"GET", "/api/v1/test-samples/{id}/photo", NULL, testing_photo_get, TESTING_LEADERS | ROLE_RESIDENT, 0, 0, NULL},
    {"GET", "/api/v1/me/tests", NULL, testing_me, ROLE_RESIDENT, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/me/antigen", NULL, testing_me_antigen, TESTING_LEADERS | ROLE_RESIDENT, 0, 0, NULL},
    {"GET", "/api/v1/test-rounds/{id}/summary", NULL, testing_summary, TESTING_LEADERS, 0, 0, NULL},
    {0},
};

const i18n_entry testing_result_messages[] = {
    {"enum.test_tube", "试管", "Sample tube"},
    {"enum.test_followup", "阳性追踪", "Positive follow-up"},
    {"enum.test_sample", "检测记录", "Test sample"},
    {"enum.test_round", "检测轮次", "Testing round"},
    {"testing.res.list.tubes", "试管与结果", "Tubes and results"},
    {"testing.res.list.followups", "阳性追踪名单", "Positive follow-ups"},
    {"testing.res.list.antigen", "抗原结果上报", "Antigen reports"},
    {"testing.res.list.mine", "我家的检测结果", "My household's tests"},
    {"testing.res.col.tube", "管码", "Tube"},
    {"testing.res.col.station", "采样点", "Station"},
    {"testing.res.col.box", "转运箱", "Box"},
    {"testing.res.col.samples", "份数", "Samples"},
    {"testing.res.col.state", "状态", "Status"},
    {"testing.res.col.result", "结果", "Result"},
    {"testing.res.col.result_at", "出结果时间", "Result at"},
    {"testing.res.col.round", "轮次", "Round"},
    {"testing.res.col.day", "日期", "Day"},
    {"testing.res.col.block", "楼组", "Block"},
    {"testing.res.col.room", "门牌", "Room"},
    {"testing.res.col.name", "姓名", "Name"},
    {"testing.res.col.phone", "电话", "Phone"},
    {"testing.res.col.note", "备注", "Note"},
    {"testing.res.col.updated_at", "更新时间", "Updated"},
    {"testing.res.col.via", "方式", "How"},
    {"testing.res.col.reported_by", "上报人", "Reported by"},
    {"testing.res.col.taken_at", "检测时间", "Taken at"},
    {"testing.res.tube.open", "未封管", "Open"},
    {"testing.res.tube.closed", "已封管", "Closed"},
    {"testing.res.result.negative", "阴性", "Negative"},
    {"testing.res.result.positive", "阳性", "Positive"},
    {"testing.res.result.invalid", "无效（需重采）", "Invalid (sample again)"},
    {"testing.res.result.none", "待出结果", "Awaiting result"},
    {"testing.res.fu.open", "待处置", "Open"},
    {"testing.res.fu.retest", "已单采复核", "Retest taken"},
    {"testing.res.fu.cleared", "已排除", "Cleared"},
    {"testing.res.fu.isolated", "已隔离转运", "Isolated"},
    {"testing.res.via.station", "采样点", "At a station"},
    {"testing.res.via.door", "上门采样", "Door-to-door"},
    {"testing.res.via.self", "本户自报", "Reported by the household"},
    {"testing.res.via.leader", "代为上报", "Reported on their behalf"},
    {"testing.res.kind.pcr_pooled", "核酸（混采）", "PCR (pooled)"},
    {"testing.res.kind.pcr_single", "核酸（单采）", "PCR (single)"},
    {"testing.res.kind.antigen", "抗原", "Antigen"},
    {"testing.res.by_household", "本户自报", "The household"},
    {"testing.res.row.no_code", "缺少管码", "No tube code"},
    {"testing.res.row.result", "结果只能是阴性、阳性或无效", "The result must be negative, positive or invalid"},
    {"testing.res.row.duplicate", "同一管码在文件中出现了两次", "The same tube code appears twice in the file"},
    {"testing.res.row.unknown", "本轮没有这个管码", "No tube of this round has this code"},
    {"testing.res.row.tube_open", "这管还没有封管", "This tube is not closed yet"},
    {"testing.res.err.result", "结果只能是 negative（阴性）、positive（阳性）或 invalid（无效）",
     "Result must be negative, positive or invalid"},
    {"testing.res.err.result_filter", "结果筛选只能是 negative、positive、invalid 或 none（待出结果）",
     "Result filter must be negative, positive, invalid or none"},
    {"testing.res.err.tube_state", "状态只能是 open（未封管）或 closed（已封管）", "State must be open or closed"},
    {"testing.res.err.tube_open", "试管还没有封管，不能录入结果", "The tube is not closed yet: no result can be entered"},
    {"testing.res.err.file", "请上传实验室的结果文件（CSV 或 XLSX）", "Upload the lab's result file (CSV or XLSX)"},
    {"testing.res.err.no_code_column", "文件中找不到管码列（管码、试管编码或 tube）",
     "The file has no tube code column (管码, 试管编码 or tube)"},
    {"testing.res.err.no_result_column", "文件中找不到结果列（结果或 result）",
     "The file has no result column (结果 or result)"},
    {"testing.res.err.no_rows", "文件中没有结果行", "The file has no result rows"},
    {"testing.res.err.import_rows", "文件中有无法导入的行，整份文件未导入；请改正后重新上传",
     "Some rows cannot be imported, so nothing was: correct them and upload the file again"},
    {"testing.res.err.antigen", "抗原轮次没有试管，结果由居民或楼组长上报",
     "An antigen round has no tubes: results are reported by households or leaders"},
    {"testing.res.err.not_antigen", "这一轮不是抗原检测", "This round is not an antigen round"},
    {"testing.res.err.round_closed", "这一轮抗原检测没有在进行中，不能上报", "This antigen round is not open for reports"},
    {"testing.res.err.reported", "这位居民本轮已经上报过", "This resident's result was already reported in this round"},
    {"testing.res.err.taken_at", "时间格式应为 YYYY-MM-DDTHH:MM:SSZ", "Must be a time written YYYY-MM-DDTHH:MM:SSZ"},
    {"testing.res.err.taken_range", "检测时间应在三天之内，且不能晚于现在",
     "The test must have been taken within the last three days, not later than now"},
    {"testing.res.err.fu_filter", "状态只能是 open、retest、cleared、isolated 或 active（待处置与复核中）",
     "State must be open, retest, cleared, isolated or active"},
    {"testing.res.err.fu_state", "状态只能是 open（待处置）、retest（已复核）、cleared（已排除）或 isolated（已隔离）",
     "State must be open, retest, cleared or isolated"},
    {"testing.res.err.fu_nothing", "请给出新的状态或备注", "Give a new state or a note"},
    {"testing.res.err.photo_type", "请上传照片（JPEG、PNG 或 WebP），不超过 5 MB",
     "Upload a photo (JPEG, PNG or WebP) of at most 5 MB"},
    {"testing.res.err.photo_exists", "这条上报已经有照片了", "This report already has a photo"},
    {"testing.res.err.photo_gone", "照片已不在服务器上", "The photo is no longer on the server"},
    {"testing.res.tile.coverage", "本轮核酸覆盖率", "Testing coverage this round"},
    {"testing.res.tile.not_tested", "本轮尚未检测", "Not yet tested this round"},
    {"testing.res.tile.followups", "待处置的阳性追踪", "Positive follow-ups open"},
    {"testing.res.unit.percent", "%", "%"},
    {"testing.res.unit.people", "人", "people"},
    {0, 0, 0},
};
