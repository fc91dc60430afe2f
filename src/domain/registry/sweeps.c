/* sweeps.c — sweeps (排摸): a door-to-door or phone survey of a target set of households.
 * Part of the community registry; see registry.h for the scope rule. Tables in
 * 004_sweeps.sql.
 *
 * The committee drafts a sweep (title, questions, target), opens it — the target
 * households are materialized from the registry at that moment — and closes it. Zone
 * and block leaders record an outcome for each household within their scope
 * (answered, not at home, refused) with the answers; a later record replaces the
 * current one and the earlier stays as history. Progress, the household lists and the
 * results are all read through SCOPE_HOUSEHOLD, so a block leader counts, lists and
 * records only the households of their blocks; anything outside is 404.
 *
 * Counting: targets = answered + not_home + refused + pending. A household is reached
 * when it answered or refused; not_home still has to be visited again, so
 * remaining = pending + not_home and percent = reached / targets (rounded down to one
 * decimal, so 100 means every household was reached). */
#include "registry_int.h"
#include "../dashboard.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SWEEP_MAX_QUESTIONS 50
#define SWEEP_MAX_CHOICES 30
#define SWEEP_MAX_LIST 20000

/* The targets of sweep $3 visible to the actor: t, its household h and h's block b. */
#define TARGETS_FROM \
    " FROM sweep_targets t JOIN households h ON h.id = t.household_id JOIN blocks b ON b.id = h.block_id "
#define TARGETS_WHERE " t.community_id = $1 AND t.sweep_id = $3 AND " SCOPE_HOUSEHOLD " "

#define COUNT_COLUMNS \
    "COUNT(*), COALESCE(SUM(CASE WHEN t.outcome = 'answered' THEN 1 ELSE 0 END), 0), " \
    "COALESCE(SUM(CASE WHEN t.outcome = 'not_home' THEN 1 ELSE 0 END), 0), " \
    "COALESCE(SUM(CASE WHEN t.outcome = 'refused' THEN 1 ELSE 0 END), 0)"

typedef struct sweep_row {
    int64_t id, created_by, created_at, opened_at, closed_at, followup_of;
    const char *title, *description, *target_kind, *state;
    json_t *questions;        /* owned by the request arena */
    json_t *target_filter;    /* owned by the request arena */
} sweep_row;

static bool is_committee(http_req *req) { return actor_has(&req->actor, ROLE_COMMITTEE); }

static json_t *arena_json(http_req *req, json_t *j)
{
    if (j) arena_on_free(req->a, (void (*)(void *))json_decref, j);
    return j;
}

static json_t *time_json(int64_t us, bool null)
{
    if (null) return json_null();
    char when[32];
    clock_format_utc(us, when, sizeof when);
    return json_string(when);
}

static json_t *text_json(const char *s) { return s ? json_string(s) : json_null(); }

/* "2026-12-03 16:11" on the community's clock: what a person reads on a printed sheet
 * or in a spreadsheet (the JSON keeps the UTC instant for programs). */
static json_t *local_time_json(http_req *req, int64_t us, bool null)
{
    if (null) return json_null();
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone
        ? req->actor.community_timezone : "Asia/Shanghai";
    int64_t secs = us / 1000000;
    time_t t = (time_t)(secs + clock_tz_offset(tz, secs));
    struct tm tm;
    char when[32];
    if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm)) return json_null();
    return json_string(when);
}

/* The vulnerability flags a sweep may target (the registry's list, resident_flags.flag). */
static bool flag_ok(const char *f)
{
    static const char *const flags[] = {
        "alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden", "no_smartphone", "home_isolation",
        NULL,
    };
    for (int i = 0; f && flags[i]; i++)
        if (!strcmp(f, flags[i])) return true;
    return false;
}

/* Question types whose answers come from a list and so can be counted. */
static bool type_listed(const char *type)
{
    return !strcmp(type, "yes_no") || !strcmp(type, "choice") || !strcmp(type, "multi");
}

/* ---------------------------------------------------------------- loading */

/* Finds sweep `id` as the actor may see it: committee staff any sweep of the community,
 * leaders an open or closed sweep with at least one target household in their scope.
 * Returns 1 found, 0 not found, -1 on a store error. */
static int sweep_find(http_req *req, int64_t id, sweep_row *out)
{
    store_stmt *st = store_prepare(req->conn,
        "SELECT s.id, s.title, s.description, s.questions, s.target_kind, s.target_filter, s.state, "
        "s.created_by, s.created_at, s.opened_at, s.closed_at, s.followup_of FROM sweeps s "
        "WHERE s.community_id = $1 AND s.id = $3 AND ($4 = 1 OR (s.state <> 'draft' AND EXISTS (SELECT 1"
        TARGETS_FROM "WHERE t.community_id = $1 AND t.sweep_id = s.id AND " SCOPE_HOUSEHOLD ")))");
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    store_bind_int(st, 4, is_committee(req) ? 1 : 0);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? 0 : -1;
    }
    memset(out, 0, sizeof *out);
    out->id = store_col_int(st, 0);
    out->title = arena_strdup(req->a, store_col_text(st, 1));
    out->description = arena_strdup(req->a, store_col_text(st, 2));
    out->questions = arena_json(req, json_loads(store_col_text(st, 3), 0, NULL));
    out->target_kind = arena_strdup(req->a, store_col_text(st, 4));
    out->target_filter = arena_json(req, json_loads(store_col_text(st, 5), 0, NULL));
    out->state = arena_strdup(req->a, store_col_text(st, 6));
    out->created_by = store_col_int(st, 7);
    out->created_at = store_col_int(st, 8);
    out->opened_at = store_col_null(st, 9) ? -1 : store_col_int(st, 9);
    out->closed_at = store_col_null(st, 10) ? -1 : store_col_int(st, 10);
    out->followup_of = store_col_null(st, 11) ? 0 : store_col_int(st, 11);
    store_done(st);
    if (!out->questions) out->questions = arena_json(req, json_array());
    if (!out->target_filter) out->target_filter = arena_json(req, json_object());
    return 1;
}

/* Reads the sweep of path parameter {id}; false with the error set (404 or 500). */
static bool sweep_from_path(http_req *req, sweep_row *s)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    int f = sweep_find(req, id, s);
    if (f < 0) {
        http_fail_internal(req, store_errmsg(req->conn));
        return false;
    }
    if (!f) {
        http_fail_not_found(req);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- progress */

typedef struct sweep_counts {
    int64_t targets, answered, not_home, refused;
} sweep_counts;

static void counts_read(store_stmt *st, int first, sweep_counts *c)
{
    c->targets = store_col_int(st, first);
    c->answered = store_col_int(st, first + 1);
    c->not_home = store_col_int(st, first + 2);
    c->refused = store_col_int(st, first + 3);
}

/* Adds targets, answered, not_home, refused, pending, reached, remaining and percent. */
static json_t *counts_put(json_t *o, const sweep_counts *c)
{
    int64_t pending = c->targets - c->answered - c->not_home - c->refused;
    int64_t reached = c->answered + c->refused;
    double percent = c->targets ? (double)(reached * 1000 / c->targets) / 10.0 : 0.0;
    json_object_set_new(o, "targets", json_integer(c->targets));
    json_object_set_new(o, "answered", json_integer(c->answered));
    json_object_set_new(o, "not_home", json_integer(c->not_home));
    json_object_set_new(o, "refused", json_integer(c->refused));
    json_object_set_new(o, "pending", json_integer(pending));
    json_object_set_new(o, "reached", json_integer(reached));
    json_object_set_new(o, "remaining", json_integer(pending + c->not_home));
    json_object_set_new(o, "percent", json_real(percent));
    return o;
}

/* The counts of one sweep over the households the actor may see. */
static int sweep_counts_scoped(http_req *req, int64_t sweep_id, sweep_counts *c)
{
    memset(c, 0, sizeof *c);
    store_stmt *st = store_prepare(req->conn, "SELECT " COUNT_COLUMNS TARGETS_FROM "WHERE" TARGETS_WHERE);
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, sweep_id);
    int rc = store_step(st);
    if (rc == STORE_ROW) counts_read(st, 0, c);
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- targets of a draft */

/* The households a filter target matches: of zone z, block bl, status st, with a
 * resident living there whose flag fl is current; 0 and '' mean any. The placeholders
 * are parameters so that one text serves statements numbered differently. */
#define MATCH_FROM(z, bl, st, fl) \
    " FROM households h JOIN blocks b ON b.id = h.block_id WHERE h.community_id = $1 " \
    "AND (" z " = 0 OR b.zone_id = " z ") AND (" bl " = 0 OR h.block_id = " bl ") " \
    "AND (" st " = '' OR h.status = " st ") AND (" fl " = '' OR EXISTS (SELECT 1 FROM residents r " \
    "JOIN resident_flags f ON f.community_id = r.community_id AND f.resident_id = r.id " \
    "WHERE r.community_id = $1 AND r.household_id = h.id AND r.moved_out_at IS NULL " \
    "AND f.flag = " fl " AND f.cleared_at IS NULL)) "

typedef struct target_filter_v {
    int64_t zone, block;
    const char *status, *flag;    /* "" for any */
} target_filter_v;

static target_filter_v filter_values(json_t *f)
{
    const char *status = json_string_value(json_object_get(f, "status"));
    const char *flag = json_string_value(json_object_get(f, "flag"));
    return (target_filter_v){json_integer_value(json_object_get(f, "zone_id")),
                             json_integer_value(json_object_get(f, "block_id")), status ? status : "",
                             flag ? flag : ""};
}

/* How many households the target of a draft covers: what opening it now would fix
 * (once open, the fixed targets are counted with the progress, within the scope). */
static int64_t target_count(http_req *req, const sweep_row *s)
{
    int64_t cid = req->actor.community_id;
    if (!strcmp(s->target_kind, "list"))
        return (int64_t)json_array_size(json_object_get(s->target_filter, "household_ids"));
    target_filter_v v = filter_values(s->target_filter);
    return store_query_int(req->conn, 0, "SELECT COUNT(*)" MATCH_FROM("$2", "$3", "$4", "$5"), "iiitt", cid, v.zone,
                           v.block, v.status, v.flag);
}

static const char *name_of(http_req *req, const char *sql, int64_t id)
{
    store_stmt *st;
    const char *name = NULL;
    if (store_run(req->conn, &st, sql, "ii", req->actor.community_id, id) == STORE_ROW) {
        name = arena_strdup(req->a, store_col_text(st, 0));
        store_done(st);
    }
    return name ? name : "?";
}

/* The target as a person says it: 全部住户, 第一片区 · 1号楼 · 自住 · 有独居老人的住户,
 * 指定住户, 上次未排摸到的住户 — in the request's language. */
static const char *target_label(http_req *req, const sweep_row *s)
{
    lang_id l = req->lang;
    if (!strcmp(s->target_kind, "all")) return i18n_text(l, "sweep.target.all");
    if (!strcmp(s->target_kind, "list"))
        return i18n_text(l, s->followup_of ? "sweep.target.followup" : "sweep.target.list");
    target_filter_v v = filter_values(s->target_filter);
    const char *out = "";
    if (v.zone) out = name_of(req, "SELECT name FROM zones WHERE community_id = $1 AND id = $2", v.zone);
    if (v.block)
        out = arena_printf(req->a, "%s%s%s", out, *out ? " · " : "",
                           name_of(req, "SELECT name FROM blocks WHERE community_id = $1 AND id = $2", v.block));
    if (*v.status)
        out = arena_printf(req->a, "%s%s%s", out, *out ? " · " : "",
                           i18n_text(l, arena_printf(req->a, "sweep.status.%s", v.status)));
    if (*v.flag) {
        const char *text = i18n_text(l, "sweep.target.flag"), *at = strstr(text, "{flag}");
        if (at)
            out = arena_printf(req->a, "%s%s%.*s%s%s", out, *out ? " · " : "", (int)(at - text), text,
                               registry_flag_label(req, v.flag), at + 6);
    }
    return out;
}

/* The sweeps that follow sweep id up, as the actor may see them (drafts for staff only). */
static json_t *followups_json(http_req *req, int64_t id)
{
    json_t *out = json_array();
    store_stmt *st = store_prepare(req->conn,
        "SELECT s.id, s.title, s.state FROM sweeps s WHERE s.community_id = $1 AND s.followup_of = $3 "
        "AND ($4 = 1 OR (s.state <> 'draft' AND EXISTS (SELECT 1" TARGETS_FROM
        "WHERE t.community_id = $1 AND t.sweep_id = s.id AND " SCOPE_HOUSEHOLD "))) ORDER BY s.id");
    if (!st) return out;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    store_bind_int(st, 4, is_committee(req) ? 1 : 0);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(out, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "title",
                                             store_col_text(st, 1), "state", store_col_text(st, 2)));
    store_done(st);
    return out;
}

static json_t *sweep_json(http_req *req, const sweep_row *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "title", json_string(s->title));
    json_object_set_new(o, "description", json_string(s->description ? s->description : ""));
    json_object_set(o, "questions", s->questions);
    json_object_set_new(o, "target_kind", json_string(s->target_kind));
    json_object_set(o, "target_filter", s->target_filter);
    json_object_set_new(o, "state", json_string(s->state));
    json_object_set_new(o, "created_by", s->created_by ? json_integer(s->created_by) : json_null());
    json_object_set_new(o, "created_at", time_json(s->created_at, false));
    json_object_set_new(o, "opened_at", time_json(s->opened_at, s->opened_at < 0));
    json_object_set_new(o, "closed_at", time_json(s->closed_at, s->closed_at < 0));
    json_object_set_new(o, "target_label", json_string(target_label(req, s)));
    /* The sweep this one follows up: a leader who sees this one has a target of it in
     * scope, and so sees the first sweep too (its targets are a superset). */
    json_object_set_new(o, "followup_of", s->followup_of ? json_integer(s->followup_of) : json_null());
    if (s->followup_of) {
        store_stmt *st;
        if (store_run(req->conn, &st, "SELECT title FROM sweeps WHERE community_id = $1 AND id = $2", "ii",
                      req->actor.community_id, s->followup_of) == STORE_ROW) {
            json_object_set_new(o, "followup_of_title", json_string(store_col_text(st, 0)));
            store_done(st);
        }
    }
    json_object_set_new(o, "followups", followups_json(req, s->id));
    sweep_counts c;
    if (sweep_counts_scoped(req, s->id, &c) == 0) json_object_set_new(o, "progress", counts_put(json_object(), &c));
    else memset(&c, 0, sizeof c);
    bool draft = !strcmp(s->state, "draft");
    json_object_set_new(o, "target_count", json_integer(draft ? target_count(req, s) : c.targets));
    return o;
}

/* ---------------------------------------------------------------- create */

static bool key_ok(const char *k)
{
    static const char *const reserved[] = {"outcome", "answers", "note", "method", "resident_id", NULL};
    size_t n = strlen(k);
    if (n < 1 || n > 32 || k[0] < 'a' || k[0] > 'z') return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(k, reserved[i])) return false;
    return true;
}

static int fail_q(http_req *req, size_t i, const char *prop, const char *why)
{
    const char *field =
        prop ? arena_printf(req->a, "questions[%zu].%s", i, prop) : arena_printf(req->a, "questions[%zu]", i);
    return http_fail_field(req, field, why);
}

/* A text property of a question: NULL with the error set when invalid. */
static bool q_text(http_req *req, json_t *q, size_t i, const char *prop, bool required, const char **out)
{
    json_t *v = json_object_get(q, prop);
    if (!v || json_is_null(v)) {
        if (required) { fail_q(req, i, prop, "err.required"); return false; }
        *out = NULL;
        return true;
    }
    if (!json_is_string(v)) { fail_q(req, i, prop, "err.not_string"); return false; }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        fail_q(req, i, prop, "err.control_chars");
        return false;
    }
    const char *why = validate_text(json_string_value(v), 1, 200);
    if (why) { fail_q(req, i, prop, why); return false; }
    *out = json_string_value(v);
    return true;
}

/* Checks the question set and returns it normalized (only the known properties), or
 * NULL with the error set. */
static json_t *questions_parse(http_req *req)
{
    json_t *qs = json_object_get(req->json, "questions");
    if (!qs || json_is_null(qs)) { http_fail_field(req, "questions", "err.required"); return NULL; }
    if (!json_is_array(qs) || json_array_size(qs) == 0) {
        http_fail_field(req, "questions", "err.sweep_questions");
        return NULL;
    }
    if (json_array_size(qs) > SWEEP_MAX_QUESTIONS) {
        http_fail_field(req, "questions", "err.sweep_too_many_questions");
        return NULL;
    }
    json_t *out = arena_json(req, json_array());
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q) {
        if (!json_is_object(q)) { fail_q(req, i, NULL, "err.sweep_question_object"); return NULL; }
        /* The key is the answer's field name, for programs; people never see it. A
         * question without one is given q1, q2, … once every given key is known. */
        json_t *kv = json_object_get(q, "key");
        const char *key = "";
        if (kv && !json_is_null(kv)) {
            key = json_string_value(kv);
            if (!key || strlen(key) != json_string_length(kv) || !key_ok(key)) {
                fail_q(req, i, "key", "err.sweep_question_key");
                return NULL;
            }
            size_t j;
            json_t *prev;
            json_array_foreach(out, j, prev) {
                if (!strcmp(json_string_value(json_object_get(prev, "key")), key)) {
                    fail_q(req, i, "key", "err.sweep_question_key_taken");
                    return NULL;
                }
            }
        }
        const char *label_zh, *label_en;
        if (!q_text(req, q, i, "label_zh", true, &label_zh)) return NULL;
        if (!q_text(req, q, i, "label_en", false, &label_en)) return NULL;
        const char *type = json_string_value(json_object_get(q, "type"));
        if (!json_object_get(q, "type") || json_is_null(json_object_get(q, "type"))) {
            fail_q(req, i, "type", "err.required");
            return NULL;
        }
        if (!type || (strcmp(type, "yes_no") && strcmp(type, "text") && strcmp(type, "choice") &&
                      strcmp(type, "multi") && strcmp(type, "number"))) {
            fail_q(req, i, "type", "err.sweep_question_type");
            return NULL;
        }
        json_t *req_v = json_object_get(q, "required");
        if (req_v && !json_is_null(req_v) && !json_is_boolean(req_v)) {
            fail_q(req, i, "required", "err.sweep_not_boolean");
            return NULL;
        }
        json_t *nq = json_pack("{s:s, s:s, s:s, s:s, s:b}", "key", key, "label_zh", label_zh, "label_en",
                               label_en ? label_en : label_zh, "type", type, "required", json_is_true(req_v));
        json_array_append_new(out, nq);
        json_t *choices = json_object_get(q, "choices");
        bool has_choices = choices && !json_is_null(choices);
        if (strcmp(type, "choice") && strcmp(type, "multi")) {
            if (has_choices) { fail_q(req, i, "choices", "err.sweep_choices_only_choice"); return NULL; }
            continue;
        }
        if (!has_choices) { fail_q(req, i, "choices", "err.required"); return NULL; }
        if (!json_is_array(choices) || json_array_size(choices) < 1 || json_array_size(choices) > SWEEP_MAX_CHOICES) {
            fail_q(req, i, "choices", "err.sweep_choices");
            return NULL;
        }
        json_t *nc = json_array();
        json_object_set_new(nq, "choices", nc);
        size_t k;
        json_t *c;
        json_array_foreach(choices, k, c) {
            const char *s = json_string_value(c);
            if (!s || strlen(s) != json_string_length(c) || validate_text(s, 1, 100)) {
                fail_q(req, i, "choices", "err.sweep_choices");
                return NULL;
            }
            size_t m;
            json_t *seen;
            json_array_foreach(nc, m, seen) {
                if (!strcmp(json_string_value(seen), s)) {
                    fail_q(req, i, "choices", "err.sweep_choices_repeated");
                    return NULL;
                }
            }
            json_array_append_new(nc, json_string(s));
        }
    }
    int n = 0;
    json_array_foreach(out, i, q) {
        if (*json_string_value(json_object_get(q, "key"))) continue;
        const char *key;
        bool taken;
        do {
            key = arena_printf(req->a, "q%d", ++n);
            taken = false;
            size_t j;
            json_t *other;
            json_array_foreach(out, j, other)
                if (!strcmp(json_string_value(json_object_get(other, "key")), key)) taken = true;
        } while (taken);
        json_object_set_new(q, "key", json_string(key));
    }
    return out;
}

static bool in_community(http_req *req, const char *table_sql, int64_t id)
{
    return store_query_int(req->conn, 0, table_sql, "ii", req->actor.community_id, id) > 0;
}

/* An integer property of target_filter: false with the error set when of another type. */
static bool filter_int(http_req *req, json_t *f, const char *prop, int64_t *out)
{
    json_t *v = json_object_get(f, prop);
    *out = 0;
    if (!v || json_is_null(v)) return true;
    const char *field = arena_printf(req->a, "target_filter.%s", prop);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        http_fail_field(req, field, "err.not_integer");
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool status_ok(const char *s)
{
    return s && (!strcmp(s, "occupied") || !strcmp(s, "away") || !strcmp(s, "vacant") || !strcmp(s, "rented_out"));
}

/* Checks target_kind with its filter or household list; returns the target_filter to
 * store, or NULL with the error set. */
static json_t *target_parse(http_req *req, const char **kind_out)
{
    const char *kind = "all";
    if (!http_body_str_opt(req, "target_kind", 1, 16, &kind)) return NULL;
    if (strcmp(kind, "all") && strcmp(kind, "filter") && strcmp(kind, "list")) {
        http_fail_field(req, "target_kind", "err.sweep_target_kind");
        return NULL;
    }
    *kind_out = kind;
    json_t *f = json_object_get(req->json, "target_filter");
    json_t *ids = json_object_get(req->json, "household_ids");
    bool has_f = f && !json_is_null(f), has_ids = ids && !json_is_null(ids);
    if (has_ids && strcmp(kind, "list")) { http_fail_field(req, "household_ids", "err.sweep_list_only"); return NULL; }
    if (has_f && strcmp(kind, "filter")) {
        http_fail_field(req, "target_filter", "err.sweep_filter_only");
        return NULL;
    }
    json_t *out = arena_json(req, json_object());
    if (!strcmp(kind, "filter")) {
        if (!has_f) { http_fail_field(req, "target_filter", "err.required"); return NULL; }
        if (!json_is_object(f)) { http_fail_field(req, "target_filter", "err.sweep_filter"); return NULL; }
        const char *k;
        json_t *v;
        json_object_foreach(f, k, v) {
            if (strcmp(k, "zone_id") && strcmp(k, "block_id") && strcmp(k, "status") && strcmp(k, "flag")) {
                http_fail_field(req, "target_filter", "err.sweep_filter");
                return NULL;
            }
        }
        int64_t zone = 0, block = 0;
        if (!filter_int(req, f, "zone_id", &zone) || !filter_int(req, f, "block_id", &block)) return NULL;
        json_t *sv = json_object_get(f, "status");
        const char *status = NULL;
        if (sv && !json_is_null(sv)) {
            status = json_string_value(sv);
            if (!status_ok(status)) { http_fail_field(req, "target_filter.status", "err.sweep_status"); return NULL; }
        }
        json_t *fv = json_object_get(f, "flag");
        const char *flag = NULL;
        if (fv && !json_is_null(fv)) {
            flag = json_string_value(fv);
            if (!flag_ok(flag)) { http_fail_field(req, "target_filter.flag", "err.sweep_flag"); return NULL; }
        }
        if (!zone && !block && !status && !flag) {
            http_fail_field(req, "target_filter", "err.sweep_filter");
            return NULL;
        }
        if (zone && !in_community(req, "SELECT COUNT(*) FROM zones WHERE community_id = $1 AND id = $2", zone)) {
            http_fail_field(req, "target_filter.zone_id", "err.sweep_no_such_zone");
            return NULL;
        }
        if (block && !in_community(req, "SELECT COUNT(*) FROM blocks WHERE community_id = $1 AND id = $2", block)) {
            http_fail_field(req, "target_filter.block_id", "err.sweep_no_such_block");
            return NULL;
        }
        if (zone) json_object_set_new(out, "zone_id", json_integer(zone));
        if (block) json_object_set_new(out, "block_id", json_integer(block));
        if (status) json_object_set_new(out, "status", json_string(status));
        if (flag) json_object_set_new(out, "flag", json_string(flag));
    } else if (!strcmp(kind, "list")) {
        if (!has_ids) { http_fail_field(req, "household_ids", "err.required"); return NULL; }
        if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > SWEEP_MAX_LIST) {
            http_fail_field(req, "household_ids", "err.sweep_household_ids");
            return NULL;
        }
        size_t n = json_array_size(ids), m = 0;
        int64_t *v = arena_alloc(req->a, sizeof *v * n);
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x) {
            if (!json_is_integer(x) || json_integer_value(x) <= 0) {
                http_fail_field(req, "household_ids", "err.sweep_household_ids");
                return NULL;
            }
            v[i] = json_integer_value(x);
        }
        qsort(v, n, sizeof *v, cmp_id);
        json_t *list = json_array();
        json_object_set_new(out, "household_ids", list);
        store_stmt *st =
            store_prepare(req->conn, "SELECT COUNT(*) FROM households WHERE community_id = $1 AND id = $2");
        if (!st) { http_fail_internal(req, store_errmsg(req->conn)); return NULL; }
        for (i = 0; i < n; i++) {
            if (m && v[i] == v[m - 1]) continue;     /* a repeated id counts once */
            v[m++] = v[i];
            store_bind_int(st, 1, req->actor.community_id);
            store_bind_int(st, 2, v[i]);
            int64_t found = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
            store_done(st);
            if (!found) {
                http_fail_field(req, "household_ids", "err.sweep_no_such_household");
                return NULL;
            }
            json_array_append_new(list, json_integer(v[i]));
        }
    }
    return out;
}

/* A draft as the body gives it (POST creates one, PUT replaces one). */
typedef struct sweep_body {
    const char *title, *description, *kind;
    char *questions, *target;   /* JSON texts, arena-owned */
    size_t nquestions;
} sweep_body;

static bool sweep_body_parse(http_req *req, sweep_body *b)
{
    b->description = "";
    b->kind = "all";
    if (!http_body_str(req, "title", 1, 100, &b->title)) return false;
    if (!http_body_str_opt(req, "description", 0, 2000, &b->description)) return false;
    json_t *questions = questions_parse(req);
    if (!questions) return false;
    json_t *target = target_parse(req, &b->kind);
    if (!target) return false;
    char *q = json_dumps(questions, JSON_COMPACT), *t = json_dumps(target, JSON_COMPACT);
    b->questions = arena_strdup(req->a, q);
    b->target = arena_strdup(req->a, t);
    free(q);
    free(t);
    b->nquestions = json_array_size(questions);
    return true;
}

/* Answers with the sweep as stored now; detail (may be NULL) goes to the audit entry. */
static int sweep_reply(http_req *req, int status, int64_t id, json_t *detail)
{
    http_audit_target(req, "sweep", id, detail);
    sweep_row s;
    if (sweep_find(req, id, &s) != 1) return http_fail_internal(req, "sweep reload");
    return http_reply(req, status, json_pack("{s:o}", "sweep", sweep_json(req, &s)));
}

static int sweeps_create(http_req *req)
{
    sweep_body b;
    if (!sweep_body_parse(req, &b)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st,
        "INSERT INTO sweeps (community_id, title, description, questions, target_kind, target_filter, state, "
        "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) RETURNING id",
        "itttttii", req->actor.community_id, b.title, b.description, b.questions, b.kind, b.target,
        req->actor.user_id, clock_now_us());
    if (rc != STORE_ROW) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t id = store_col_int(st, 0);
    store_done(st);
    return sweep_reply(req, 201, id,
                       json_pack("{s:s, s:I}", "target_kind", b.kind, "questions", (json_int_t)b.nquestions));
}

/* PUT /sweeps/{id}: the committee corrects a draft (title, questions, target — the
 * whole draft, as POST takes it). Once open, the questions and households are what the
 * leaders are working from, so only a draft changes. */
static int sweep_update(http_req *req)
{
    sweep_body b;
    if (!sweep_body_parse(req, &b)) return -1;
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    if (strcmp(s.state, "draft")) return http_fail(req, 409, "conflict", "state", "err.sweep_draft_only");
    if (store_run(req->conn, NULL,
                  "UPDATE sweeps SET title = $3, description = $4, questions = $5, target_kind = $6, "
                  "target_filter = $7 WHERE community_id = $1 AND id = $2 AND state = 'draft'",
                  "iittttt", req->actor.community_id, s.id, b.title, b.description, b.questions, b.kind,
                  b.target) != STORE_DONE)
        return http_fail_internal(req, store_errmsg(req->conn));
    return sweep_reply(req, 200, s.id,
                       json_pack("{s:s, s:I}", "target_kind", b.kind, "questions", (json_int_t)b.nquestions));
}

/* DELETE /sweeps/{id}: a draft nobody has worked on goes; an opened sweep holds
 * records and stays (closing is how it ends). */
static int sweep_delete(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    if (strcmp(s.state, "draft")) return http_fail(req, 409, "conflict", "state", "err.sweep_draft_only");
    if (store_run(req->conn, NULL, "DELETE FROM sweeps WHERE community_id = $1 AND id = $2 AND state = 'draft'", "ii",
                  req->actor.community_id, s.id) != STORE_DONE)
        return http_fail_internal(req, store_errmsg(req->conn));
    http_audit_target(req, "sweep", s.id,
                      json_pack("{s:s, s:I}", "target_kind", s.target_kind, "questions",
                                (json_int_t)json_array_size(s.questions)));
    return http_reply(req, 200, json_pack("{s:b, s:I}", "deleted", 1, "id", (json_int_t)s.id));
}

/* The first max_chars characters of UTF-8 text s. */
static const char *utf8_prefix(http_req *req, const char *s, size_t max_chars)
{
    size_t chars = 0;
    const char *p = s;
    while (*p && chars < max_chars) {
        p++;
        while ((*p & 0xC0) == 0x80) p++;
        chars++;
    }
    return arena_strndup(req->a, s, (size_t)(p - s));
}

/* POST /sweeps/{id}/followup: the households a closed sweep did not reach (never
 * visited, or not at home at the last visit) become a new draft with the same
 * questions, titled as a follow-up and linked back. A draft, so that the committee
 * reads the count and opens it when the leaders are ready; one follow-up per sweep
 * (a second tap finds the first; the follow-up has its own follow-up if needed). */
static int sweep_followup(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    if (strcmp(s.state, "closed")) return http_fail(req, 409, "conflict", "state", "err.sweep_not_closed");
    int64_t cid = req->actor.community_id;
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM sweeps WHERE community_id = $1 AND followup_of = $2", "ii",
                        cid, s.id))
        return http_fail(req, 409, "conflict", "followup_of", "err.sweep_followup_exists");
    store_stmt *st = store_prepare(req->conn,
        "SELECT household_id FROM sweep_targets WHERE community_id = $1 AND sweep_id = $2 "
        "AND outcome IN ('pending', 'not_home') ORDER BY household_id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, s.id);
    json_t *ids = arena_json(req, json_array());
    while (store_step(st) == STORE_ROW) json_array_append_new(ids, json_integer(store_col_int(st, 0)));
    store_done(st);
    if (!json_array_size(ids)) return http_fail(req, 409, "conflict", "state", "err.sweep_all_reached");
    const char *title = arena_printf(req->a, "%s%s", i18n_text(req->lang, "sweep.followup_prefix"), s.title);
    char *q = json_dumps(s.questions, JSON_COMPACT);
    json_t *target = json_pack("{s:O}", "household_ids", ids);
    char *t = json_dumps(target, JSON_COMPACT);
    json_decref(target);
    int rc = store_run(req->conn, &st,
        "INSERT INTO sweeps (community_id, title, description, questions, target_kind, target_filter, state, "
        "created_by, created_at, followup_of) VALUES ($1, $2, $3, $4, 'list', $5, 'draft', $6, $7, $8) RETURNING id",
        "ittttiii", cid, utf8_prefix(req, title, 100), s.description ? s.description : "", q, t, req->actor.user_id,
        clock_now_us(), s.id);
    free(q);
    free(t);
    if (rc != STORE_ROW) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t id = store_col_int(st, 0);
    store_done(st);
    return sweep_reply(req, 201, id,
                       json_pack("{s:I, s:I}", "followup_of", (json_int_t)s.id, "households",
                                 (json_int_t)json_array_size(ids)));
}

/* ---------------------------------------------------------------- open and close */

static int sweep_open(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    if (strcmp(s.state, "draft")) return http_fail(req, 409, "conflict", "state", "err.sweep_not_draft");
    int64_t now = clock_now_us(), cid = req->actor.community_id;
    if (!strcmp(s.target_kind, "list")) {
        store_stmt *st = store_prepare(req->conn,
            "INSERT INTO sweep_targets (community_id, sweep_id, household_id, block_id, updated_at) "
            "SELECT h.community_id, CAST($2 AS BIGINT), h.id, h.block_id, CAST($3 AS BIGINT) FROM households h "
            "WHERE h.community_id = $1 AND h.id = $4");
        if (!st) return http_fail_internal(req, store_errmsg(req->conn));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(s.target_filter, "household_ids"), i, v) {
            store_bind_int(st, 1, cid);
            store_bind_int(st, 2, s.id);
            store_bind_int(st, 3, now);
            store_bind_int(st, 4, json_integer_value(v));
            int rc = store_step(st);
            store_done(st);
            if (rc != STORE_DONE) return http_fail_internal(req, store_errmsg(req->conn));
        }
    } else {
        target_filter_v v = filter_values(s.target_filter);
        int rc = store_run(req->conn, NULL,
            "INSERT INTO sweep_targets (community_id, sweep_id, household_id, block_id, updated_at) "
            "SELECT h.community_id, CAST($2 AS BIGINT), h.id, h.block_id, CAST($3 AS BIGINT)"
            MATCH_FROM("$4", "$5", "$6", "$7"),
            "iiiiitt", cid, s.id, now, v.zone, v.block, v.status, v.flag);
        if (rc != STORE_DONE) return http_fail_internal(req, store_errmsg(req->conn));
    }
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM sweep_targets WHERE community_id = $1 AND sweep_id = $2",
                         "ii", cid, s.id))
        return http_fail(req, 409, "conflict", "target_filter", "err.sweep_no_targets");
    if (store_run(req->conn, NULL, "UPDATE sweeps SET state = 'open', opened_at = $3 "
                  "WHERE community_id = $1 AND id = $2 AND state = 'draft'", "iii", cid, s.id, now) != STORE_DONE)
        return http_fail_internal(req, store_errmsg(req->conn));
    if (sweep_find(req, s.id, &s) != 1) return http_fail_internal(req, "sweep reload");
    http_audit_target(req, "sweep", s.id, NULL);
    return http_reply(req, 200, json_pack("{s:o}", "sweep", sweep_json(req, &s)));
}

static int sweep_close(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    if (strcmp(s.state, "open")) return http_fail(req, 409, "conflict", "state", "err.sweep_not_open");
    if (store_run(req->conn, NULL, "UPDATE sweeps SET state = 'closed', closed_at = $3 "
                  "WHERE community_id = $1 AND id = $2 AND state = 'open'", "iii", req->actor.community_id, s.id,
                  clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, store_errmsg(req->conn));
    if (sweep_find(req, s.id, &s) != 1) return http_fail_internal(req, "sweep reload");
    http_audit_target(req, "sweep", s.id, NULL);
    return http_reply(req, 200, json_pack("{s:o}", "sweep", sweep_json(req, &s)));
}

/* ---------------------------------------------------------------- list and detail */

static const list_column sweep_columns[] = {
    {"id", "col.id"}, {"title", "sweep.col.title"}, {"state_label", "sweep.col.state"},
    {"targets", "sweep.col.targets"}, {"answered", "sweep.col.answered"}, {"not_home", "sweep.col.not_home"},
    {"refused", "sweep.col.refused"}, {"remaining", "sweep.col.remaining"}, {"percent", "sweep.col.percent"},
    {"target_label", "sweep.col.target"}, {"opened_at_local", "sweep.col.opened_at"},
    {"closed_at_local", "sweep.col.closed_at"}, {0, 0},
};

static json_t *sweep_id_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_integer(store_col_int(st, 0));
}

static int sweeps_list(http_req *req)
{
    const char *state = http_query(req, "state");
    if (state && strcmp(state, "draft") && strcmp(state, "open") && strcmp(state, "closed"))
        return http_fail_field(req, "state", "err.sweep_state_filter");
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn,
        "SELECT s.id FROM sweeps s WHERE s.community_id = $1 AND s.id > $4 AND ($5 = '' OR s.state = $5) "
        "AND ($3 = 1 OR (s.state <> 'draft' AND EXISTS (SELECT 1" TARGETS_FROM
        "WHERE t.community_id = $1 AND t.sweep_id = s.id AND " SCOPE_HOUSEHOLD "))) ORDER BY s.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, is_committee(req) ? 1 : 0);
    store_bind_int(st, 4, cursor);
    store_bind_text(st, 5, state ? state : "");
    store_bind_int(st, 6, limit + 1);
    /* Ids first, then each sweep with its progress (sweep_find runs its own queries). */
    int64_t next_after;
    json_t *ids = http_list_collect(st, limit, sweep_id_item, NULL, &next_after);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        sweep_row s;
        if (sweep_find(req, json_integer_value(id), &s) != 1) continue;
        json_t *o = sweep_json(req, &s);
        /* Flat copies of the progress for the exported table. */
        json_t *p = json_object_get(o, "progress");
        if (p) json_object_update(o, p);
        /* A long household list is summed up here; GET /sweeps/{id} has it in full. */
        json_t *hl = json_object_get(s.target_filter, "household_ids");
        if (hl)
            json_object_set_new(o, "target_filter",
                                json_pack("{s:I}", "household_count", (json_int_t)json_array_size(hl)));
        json_object_set_new(o, "state_label",
                            json_string(i18n_text(req->lang, arena_printf(req->a, "sweep.state.%s", s.state))));
        json_object_set_new(o, "opened_at_local", local_time_json(req, s.opened_at, s.opened_at < 0));
        json_object_set_new(o, "closed_at_local", local_time_json(req, s.closed_at, s.closed_at < 0));
        json_array_append_new(items, o);
    }
    json_decref(ids);
    return http_reply_list(req, "list.sweeps", sweep_columns, items, next_after);
}

static int sweep_get(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    return http_reply(req, 200, json_pack("{s:o}", "sweep", sweep_json(req, &s)));
}

/* The title of a list of one sweep, as its printed sheet and file say it: what the list
 * is, the sweep, and the block when the list is of one (?block_id=). */
static const char *sweep_list_title(http_req *req, const char *key, const sweep_row *s)
{
    const char *title = arena_printf(req->a, "%s · %s", i18n_text(req->lang, key), s->title);
    const char *v = http_query(req, "block_id");
    int64_t block;
    if (v && *v && str_is_int(v, &block) && block > 0)
        title = arena_printf(req->a, "%s · %s", title,
                             name_of(req, "SELECT name FROM blocks WHERE community_id = $1 AND id = $2", block));
    return title;
}

/* ---------------------------------------------------------------- progress by block or zone */

static const list_column progress_block_columns[] = {
    {"zone_name", "sweep.col.zone"}, {"block_name", "sweep.col.block"}, {"targets", "sweep.col.targets"},
    {"answered", "sweep.col.answered"}, {"not_home", "sweep.col.not_home"}, {"refused", "sweep.col.refused"},
    {"remaining", "sweep.col.remaining"}, {"percent", "sweep.col.percent"}, {0, 0},
};
static const list_column progress_zone_columns[] = {
    {"zone_name", "sweep.col.zone"}, {"targets", "sweep.col.targets"}, {"answered", "sweep.col.answered"},
    {"not_home", "sweep.col.not_home"}, {"refused", "sweep.col.refused"}, {"remaining", "sweep.col.remaining"},
    {"percent", "sweep.col.percent"}, {0, 0},
};

static int sweep_progress(http_req *req)
{
    const char *by = http_query(req, "by");
    if (!by || !*by) by = "block";
    bool zones = !strcmp(by, "zone");
    if (!zones && strcmp(by, "block")) return http_fail_field(req, "by", "err.sweep_by");
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    store_stmt *st = store_prepare(req->conn, zones
        ? "SELECT b.zone_id, z.name, 0, '', " COUNT_COLUMNS TARGETS_FROM "LEFT JOIN zones z ON z.id = b.zone_id "
          "WHERE" TARGETS_WHERE "GROUP BY b.zone_id, z.name, z.sort_order ORDER BY z.sort_order, b.zone_id"
        : "SELECT b.zone_id, z.name, b.id, b.name, " COUNT_COLUMNS TARGETS_FROM "LEFT JOIN zones z ON z.id = b.zone_id "
          "WHERE" TARGETS_WHERE "GROUP BY b.zone_id, z.name, b.id, b.name, b.sort_order "
          "ORDER BY b.sort_order, b.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, s.id);
    json_t *items = json_array();
    sweep_counts total = {0, 0, 0, 0};
    while (store_step(st) == STORE_ROW) {
        sweep_counts c;
        counts_read(st, 4, &c);
        total.targets += c.targets;
        total.answered += c.answered;
        total.not_home += c.not_home;
        total.refused += c.refused;
        json_t *o = json_object();
        json_object_set_new(o, "zone_id", store_col_null(st, 0) ? json_null() : json_integer(store_col_int(st, 0)));
        json_object_set_new(o, "zone_name", text_json(store_col_text(st, 1)));
        if (!zones) {
            json_object_set_new(o, "block_id", json_integer(store_col_int(st, 2)));
            json_object_set_new(o, "block_name", text_json(store_col_text(st, 3)));
        }
        json_array_append_new(items, counts_put(o, &c));
    }
    store_done(st);
    int rc = http_reply_list(req, sweep_list_title(req, "list.sweep_progress", &s),
                             zones ? progress_zone_columns : progress_block_columns, items, 0);
    /* The JSON answer also carries the sweep and its total; exports hold the rows only. */
    if (rc == 0 && req->out && json_is_object(req->out)) {
        json_object_set_new(req->out, "by", json_string(by));
        json_object_set_new(req->out, "sweep", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s.id, "title", s.title,
                                                         "state", s.state));
        json_object_set_new(req->out, "total", counts_put(json_object(), &total));
    }
    return rc;
}

/* ---------------------------------------------------------------- households of a sweep */

/* Reads ?state=, ?block_id= and ?zone_id= of the household lists; false with the error set. */
static bool list_filters(http_req *req, const char **state, int64_t *block, int64_t *zone, bool results)
{
    *state = http_query(req, "state");
    if (*state && !**state) *state = NULL;
    if (*state) {
        const char *s = *state;
        bool ok = !strcmp(s, "answered") || !strcmp(s, "not_home") || !strcmp(s, "refused") ||
                  (!results && (!strcmp(s, "pending") || !strcmp(s, "remaining")));
        if (!ok) { http_fail_field(req, "state", "err.sweep_state_filter"); return false; }
    }
    const char *v;
    *block = *zone = 0;
    if ((v = http_query(req, "block_id")) && *v && (!str_is_int(v, block) || *block <= 0)) {
        http_fail_field(req, "block_id", "err.not_integer");
        return false;
    }
    if ((v = http_query(req, "zone_id")) && *v && (!str_is_int(v, zone) || *zone <= 0)) {
        http_fail_field(req, "zone_id", "err.not_integer");
        return false;
    }
    return true;
}

#define HOUSEHOLD_SELECT \
    "SELECT h.id, h.room, h.phone, h.status, b.id, b.name, b.zone_id, z.name, t.outcome, " \
    "a.recorded_at, u.display_name, a.method, a.note, a.answers, a.id, " \
    "(SELECT r.name FROM residents r WHERE r.community_id = $1 AND r.household_id = h.id " \
    "ORDER BY r.owner DESC, r.id LIMIT 1)" TARGETS_FROM \
    "LEFT JOIN zones z ON z.id = b.zone_id " \
    "LEFT JOIN sweep_answers a ON a.community_id = t.community_id AND a.sweep_id = t.sweep_id " \
    "AND a.household_id = t.household_id AND a.current = 1 " \
    "LEFT JOIN users u ON u.id = a.recorded_by " \
    "WHERE" TARGETS_WHERE

/* One household row of HOUSEHOLD_SELECT as JSON. */
static json_t *household_item(http_req *req, store_stmt *st)
{
    const char *outcome = store_col_text(st, 8);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(store_col_int(st, 0)));
    json_object_set_new(o, "household_id", json_integer(store_col_int(st, 0)));
    json_object_set_new(o, "room", text_json(store_col_text(st, 1)));
    json_object_set_new(o, "phone", text_json(store_col_text(st, 2)));
    json_object_set_new(o, "household_status", text_json(store_col_text(st, 3)));
    json_object_set_new(o, "block_id", json_integer(store_col_int(st, 4)));
    json_object_set_new(o, "block_name", text_json(store_col_text(st, 5)));
    json_object_set_new(o, "zone_id", store_col_null(st, 6) ? json_null() : json_integer(store_col_int(st, 6)));
    json_object_set_new(o, "zone_name", text_json(store_col_text(st, 7)));
    json_object_set_new(o, "outcome", text_json(outcome));
    json_object_set_new(o, "outcome_label",
                        json_string(i18n_text(req->lang, arena_printf(req->a, "sweep.outcome.%s", outcome))));
    json_object_set_new(o, "recorded_at", time_json(store_col_int(st, 9), store_col_null(st, 9)));
    json_object_set_new(o, "recorded_at_local", local_time_json(req, store_col_int(st, 9), store_col_null(st, 9)));
    json_object_set_new(o, "recorded_by", text_json(store_col_text(st, 10)));
    json_object_set_new(o, "method", text_json(store_col_text(st, 11)));
    json_object_set_new(o, "note", text_json(store_col_text(st, 12)));
    json_t *answers = store_col_null(st, 13) ? NULL : json_loads(store_col_text(st, 13), 0, NULL);
    json_object_set_new(o, "answers", answers ? answers : json_object());
    json_object_set_new(o, "answer_id", store_col_null(st, 14) ? json_null() : json_integer(store_col_int(st, 14)));
    json_object_set_new(o, "contact", text_json(store_col_text(st, 15)));
    return o;
}

/* The options of a question whose answers come from a list, as [[value, label], …]:
 * "true"/"false" with 是/否 for yes_no, the choices (value and label alike) otherwise. */
static json_t *question_options(http_req *req, json_t *q)
{
    json_t *out = json_array();
    if (!strcmp(json_string_value(json_object_get(q, "type")), "yes_no")) {
        json_array_append_new(out, json_pack("[s, s]", "true", i18n_text(req->lang, "sweep.yes")));
        json_array_append_new(out, json_pack("[s, s]", "false", i18n_text(req->lang, "sweep.no")));
        return out;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(q, "choices"), i, c) json_array_append_new(out, json_pack("[O, O]", c, c));
    return out;
}

/* Whether an answer object gives `value` (an option of question q). */
static bool answer_has(json_t *answers, json_t *q, const char *value)
{
    json_t *v = json_object_get(answers, json_string_value(json_object_get(q, "key")));
    if (json_is_boolean(v)) return !strcmp(value, json_is_true(v) ? "true" : "false");
    if (json_is_string(v)) return !strcmp(json_string_value(v), value);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), value)) return true;
    return false;
}

static json_t *question_by_key(const sweep_row *s, const char *key)
{
    size_t i;
    json_t *q;
    json_array_foreach(s->questions, i, q) if (!strcmp(json_string_value(json_object_get(q, "key")), key)) return q;
    return NULL;
}

/* Reads ?question=&answer= (the households behind one count of the tally): false with
 * the error set; *q stays NULL when not asked. */
static bool answer_filter(http_req *req, const sweep_row *s, json_t **q, const char **value)
{
    const char *key = http_query(req, "question");
    *q = NULL;
    *value = http_query(req, "answer");
    if (!key || !*key) {
        if (*value && **value) {
            http_fail_field(req, "question", "err.required");
            return false;
        }
        return true;
    }
    json_t *found = question_by_key(s, key);
    if (!found || !type_listed(json_string_value(json_object_get(found, "type")))) {
        http_fail_field(req, "question", "err.sweep_unknown_question");
        return false;
    }
    if (!*value || !**value) {
        http_fail_field(req, "answer", "err.required");
        return false;
    }
    json_t *options = question_options(req, found), *o;
    size_t i;
    bool ok = false;
    json_array_foreach(options, i, o) if (!strcmp(json_string_value(json_array_get(o, 0)), *value)) ok = true;
    json_decref(options);
    if (!ok) {
        http_fail_field(req, "answer", "err.sweep_expect_choice");
        return false;
    }
    *q = found;
    return true;
}

/* Runs the household query of sweep s with the list filters; items in *items_out. */
static int households_query(http_req *req, const sweep_row *s, bool results, json_t **items_out, int64_t *next)
{
    const char *state, *value;
    int64_t block, zone;
    json_t *fq;
    if (!list_filters(req, &state, &block, &zone, results)) return -1;
    if (!answer_filter(req, s, &fq, &value)) return -1;
    if (fq && !state) state = "answered";
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn, HOUSEHOLD_SELECT
        "AND ($4 = '' OR t.outcome = $4 OR ($4 = 'remaining' AND t.outcome IN ('pending', 'not_home'))) "
        "AND ($5 = 0 OR h.block_id = $5) AND ($6 = 0 OR b.zone_id = $6) AND ($7 = 0 OR t.outcome <> 'pending') "
        "AND h.id > $8 ORDER BY h.id LIMIT $9");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, s->id);
    store_bind_text(st, 4, state ? state : "");
    store_bind_int(st, 5, block);
    store_bind_int(st, 6, zone);
    store_bind_int(st, 7, results ? 1 : 0);
    store_bind_int(st, 8, cursor);
    /* An answer filter is applied here, on the parsed answers, so the scan goes on
     * until a page of matches is found. */
    store_bind_int(st, 9, fq ? INT64_MAX / 2 : limit + 1);
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    bool more = false;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *item = household_item(req, st);
        if (fq && !answer_has(json_object_get(item, "answers"), fq, value)) {
            json_decref(item);
            continue;
        }
        if (n == limit) { more = true; json_decref(item); break; }
        last = store_col_int(st, 0);
        json_array_append_new(items, item);
        n++;
    }
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) {
        json_decref(items);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    *items_out = items;
    *next = more ? last : 0;
    return 0;
}

static const list_column household_columns[] = {
    {"zone_name", "sweep.col.zone"}, {"block_name", "sweep.col.block"}, {"room", "sweep.col.room"},
    {"contact", "sweep.col.contact"}, {"phone", "sweep.col.phone"}, {"outcome_label", "sweep.col.outcome"},
    {"recorded_at_local", "sweep.col.recorded_at"}, {"recorded_by", "sweep.col.recorded_by"},
    {"note", "sweep.col.note"}, {0, 0},
};

static int sweep_households(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    json_t *items;
    int64_t next;
    if (households_query(req, &s, false, &items, &next)) return -1;
    return http_reply_list(req, sweep_list_title(req, "list.sweep_households", &s), household_columns, items, next);
}

/* Results: the households with a record, one column per question (labels in the
 * request's language), built in the request arena. */
static int sweep_results(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    json_t *items;
    int64_t next;
    if (households_query(req, &s, true, &items, &next)) return -1;
    static const list_column fixed[] = {
        {"household_id", "sweep.col.household_id"}, {"zone_name", "sweep.col.zone"}, {"block_name", "sweep.col.block"},
        {"room", "sweep.col.room"}, {"outcome_label", "sweep.col.outcome"}, {"method_label", "sweep.col.method"},
        {"recorded_at_local", "sweep.col.recorded_at"}, {"recorded_by", "sweep.col.recorded_by"},
    };
    size_t nf = sizeof fixed / sizeof fixed[0], nq = json_array_size(s.questions);
    list_column *cols = arena_alloc(req->a, sizeof *cols * (nf + nq + 2));
    memcpy(cols, fixed, sizeof fixed);
    size_t i;
    json_t *q;
    json_array_foreach(s.questions, i, q) {
        const char *label = json_string_value(json_object_get(q, req->lang == LANG_EN ? "label_en" : "label_zh"));
        cols[nf + i].key = arena_printf(req->a, "q_%s", json_string_value(json_object_get(q, "key")));
        cols[nf + i].label_key = arena_strdup(req->a, label ? label : json_string_value(json_object_get(q, "key")));
    }
    cols[nf + nq].key = "note";
    cols[nf + nq].label_key = "sweep.col.note";
    json_t *item;
    size_t k;
    json_array_foreach(items, k, item) {
        const char *m = json_string_value(json_object_get(item, "method"));
        json_object_set_new(item, "method_label",
                            m ? json_string(i18n_text(req->lang, arena_printf(req->a, "sweep.method.%s", m)))
                              : json_null());
        json_t *answers = json_object_get(item, "answers");
        json_array_foreach(s.questions, i, q) {
            const char *key = json_string_value(json_object_get(q, "key"));
            json_t *v = json_object_get(answers, key);
            if (json_is_array(v)) {
                /* Several choices read as one cell: 降压药、降糖药. */
                const char *text = "";
                size_t k2;
                json_t *c;
                json_array_foreach(v, k2, c)
                    text = arena_printf(req->a, "%s%s%s", text, k2 ? (req->lang == LANG_EN ? ", " : "、") : "",
                                        json_string_value(c));
                json_object_set_new(item, cols[nf + i].key, json_string(text));
            } else {
                json_object_set(item, cols[nf + i].key, v ? v : json_null());
            }
        }
    }
    int rc = http_reply_list(req, sweep_list_title(req, "list.sweep_results", &s), cols, items, next);
    if (rc == 0 && req->out && json_is_object(req->out)) json_object_set(req->out, "questions", s.questions);
    return rc;
}

/* ---------------------------------------------------------------- tally */

typedef struct tally_group {
    int64_t block_id, answered;
    const char *block_name;
} tally_group;

/* GET /sweeps/{id}/tally: for every question answered from a list (yes/no, single or
 * multiple choice), how many households gave each answer — over the actor's scope,
 * the whole sweep or ?by=block one block at a time, narrowed by ?block_id= ?zone_id=.
 * Counted here from the current records' answers (JSON, so not in SQL that both
 * databases run alike); a sweep holds at most the community's households. */
static int sweep_tally(http_req *req)
{
    const char *by = http_query(req, "by"), *v;
    bool blocks = by && !strcmp(by, "block");
    if (by && *by && !blocks && strcmp(by, "sweep")) return http_fail_field(req, "by", "err.sweep_tally_by");
    int64_t block = 0, zone = 0;
    if ((v = http_query(req, "block_id")) && *v && (!str_is_int(v, &block) || block <= 0))
        return http_fail_field(req, "block_id", "err.not_integer");
    if ((v = http_query(req, "zone_id")) && *v && (!str_is_int(v, &zone) || zone <= 0))
        return http_fail_field(req, "zone_id", "err.not_integer");
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;

    /* The groups: each block of the scope with targets (by=block), else one. */
    size_t ng = 0, cap = 1;
    tally_group *groups = arena_alloc(req->a, sizeof *groups);
    groups[0] = (tally_group){0, 0, NULL};
    store_stmt *st = store_prepare(req->conn,
        "SELECT b.id, b.name, COALESCE(SUM(CASE WHEN t.outcome = 'answered' THEN 1 ELSE 0 END), 0)" TARGETS_FROM
        "WHERE" TARGETS_WHERE "AND ($4 = 0 OR h.block_id = $4) AND ($5 = 0 OR b.zone_id = $5) "
        "GROUP BY b.id, b.name, b.sort_order ORDER BY b.sort_order, b.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, s.id);
    store_bind_int(st, 4, block);
    store_bind_int(st, 5, zone);
    while (store_step(st) == STORE_ROW) {
        if (!blocks) {
            groups[0].answered += store_col_int(st, 2);
            ng = 1;
            continue;
        }
        if (ng == cap) {
            tally_group *more = arena_alloc(req->a, sizeof *more * cap * 2);
            memcpy(more, groups, sizeof *groups * ng);
            groups = more;
            cap *= 2;
        }
        groups[ng++] = (tally_group){store_col_int(st, 0), store_col_int(st, 2),
                                     arena_strdup(req->a, store_col_text(st, 1))};
    }
    store_done(st);
    if (!blocks) ng = 1;

    /* Counting slots: group × (question, option). */
    size_t nq = json_array_size(s.questions), nslots = 0;
    size_t *first = arena_alloc(req->a, sizeof *first * (nq + 1));
    json_t **options = arena_alloc(req->a, sizeof *options * (nq + 1));
    size_t i;
    json_t *q;
    json_array_foreach(s.questions, i, q) {
        first[i] = nslots;
        bool listed = type_listed(json_string_value(json_object_get(q, "type")));
        options[i] = listed ? arena_json(req, question_options(req, q)) : NULL;
        nslots += options[i] ? json_array_size(options[i]) : 0;
    }
    int64_t *counts = arena_alloc(req->a, sizeof *counts * (nslots ? nslots : 1) * ng);
    memset(counts, 0, sizeof *counts * (nslots ? nslots : 1) * ng);

    st = store_prepare(req->conn,
        "SELECT b.id, a.answers" TARGETS_FROM
        "JOIN sweep_answers a ON a.community_id = t.community_id AND a.sweep_id = t.sweep_id "
        "AND a.household_id = t.household_id AND a.current = 1 "
        "WHERE" TARGETS_WHERE "AND t.outcome = 'answered' AND ($4 = 0 OR h.block_id = $4) "
        "AND ($5 = 0 OR b.zone_id = $5) "
        "ORDER BY b.sort_order, b.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, s.id);
    store_bind_int(st, 4, block);
    store_bind_int(st, 5, zone);
    size_t g = 0;
    while (store_step(st) == STORE_ROW) {
        if (blocks) {
            /* Both queries run in block order, so the group only moves forward. */
            int64_t bid = store_col_int(st, 0);
            if (groups[g].block_id != bid) {
                size_t k = 0;
                while (k < ng && groups[k].block_id != bid) k++;
                if (k == ng) continue;
                g = k;
            }
        }
        json_t *answers = json_loads(store_col_text(st, 1), 0, NULL);
        if (!answers) continue;
        json_array_foreach(s.questions, i, q) {
            if (!options[i]) continue;
            size_t k;
            json_t *o;
            json_array_foreach(options[i], k, o) {
                if (answer_has(answers, q, json_string_value(json_array_get(o, 0))))
                    counts[g * nslots + first[i] + k]++;
            }
        }
        json_decref(answers);
    }
    store_done(st);

    json_t *items = json_array(), *listed = json_array();
    bool en = req->lang == LANG_EN;
    json_array_foreach(s.questions, i, q) {
        if (!options[i]) continue;
        json_array_append_new(listed, json_pack("{s:O, s:O, s:O, s:O}", "key", json_object_get(q, "key"),
                                                "label_zh", json_object_get(q, "label_zh"),
                                                "label_en", json_object_get(q, "label_en"),
                                                "type", json_object_get(q, "type")));
    }
    for (g = 0; g < ng; g++) {
        json_array_foreach(s.questions, i, q) {
            if (!options[i]) continue;
            size_t k;
            json_t *o;
            json_array_foreach(options[i], k, o) {
                json_t *row = json_pack("{s:O, s:O, s:O, s:O, s:I, s:I}", "question_key", json_object_get(q, "key"),
                                        "question", json_object_get(q, en ? "label_en" : "label_zh"), "answer",
                                        json_array_get(o, 0), "answer_label", json_array_get(o, 1), "households",
                                        (json_int_t)counts[g * nslots + first[i] + k], "answered",
                                        (json_int_t)groups[g].answered);
                if (blocks) {
                    json_object_set_new(row, "block_id", json_integer(groups[g].block_id));
                    json_object_set_new(row, "block_name", text_json(groups[g].block_name));
                }
                json_array_append_new(items, row);
            }
        }
    }
    static const list_column sweep_cols[] = {
        {"question", "sweep.col.question"}, {"answer_label", "sweep.col.answer"},
        {"households", "sweep.col.households"}, {"answered", "sweep.col.answered_households"}, {0, 0},
    };
    static const list_column block_cols[] = {
        {"block_name", "sweep.col.block"}, {"question", "sweep.col.question"}, {"answer_label", "sweep.col.answer"},
        {"households", "sweep.col.households"}, {"answered", "sweep.col.answered_households"}, {0, 0},
    };
    const char *title = sweep_list_title(req, "list.sweep_tally", &s);
    int64_t answered = 0;
    for (g = 0; g < ng; g++) answered += groups[g].answered;
    int rc = http_reply_list(req, title, blocks ? block_cols : sweep_cols, items, 0);
    if (rc == 0 && req->out && json_is_object(req->out)) {
        json_object_set_new(req->out, "by", json_string(blocks ? "block" : "sweep"));
        json_object_set_new(req->out, "questions", listed);
        json_object_set_new(req->out, "answered", json_integer(answered));
        json_object_set_new(req->out, "sweep", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s.id, "title", s.title,
                                                         "state", s.state));
    } else {
        json_decref(listed);
    }
    return rc;
}

/* ---------------------------------------------------------------- one household: record and history */

/* Finds the target household of sweep s within the actor's scope: 1, 0 or -1. */
static int target_find(http_req *req, int64_t sweep_id, int64_t household_id)
{
    store_stmt *st =
        store_prepare(req->conn, "SELECT t.outcome" TARGETS_FROM "WHERE" TARGETS_WHERE "AND t.household_id = $4");
    if (!st) return -1;
    scope_bind(req, st);
    store_bind_int(st, 3, sweep_id);
    store_bind_int(st, 4, household_id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

static int fail_answer(http_req *req, const char *key, const char *why)
{
    return http_fail_field(req, arena_strdup(req->a, key), why);
}

/* Checks answers against the questions; returns the normalized object (arena-owned)
 * or NULL with the error set, naming the question key as the field. */
static json_t *answers_parse(http_req *req, const sweep_row *s, bool answered)
{
    json_t *in = json_object_get(req->json, "answers");
    json_t *out = arena_json(req, json_object());
    if (!in || json_is_null(in)) in = NULL;
    else if (!json_is_object(in)) { http_fail_field(req, "answers", "err.sweep_answers_object"); return NULL; }
    if (!answered) {
        if (in && json_object_size(in)) {
            http_fail_field(req, "answers", "err.sweep_answers_need_answered");
            return NULL;
        }
        return out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        json_t *q = NULL, *x;
        size_t i;
        json_array_foreach(s->questions, i, x) {
            if (!strcmp(json_string_value(json_object_get(x, "key")), key)) { q = x; break; }
        }
        if (!q) { fail_answer(req, key, "err.sweep_unknown_question"); return NULL; }
        if (json_is_null(v)) continue;
        const char *type = json_string_value(json_object_get(q, "type"));
        if (!strcmp(type, "yes_no")) {
            if (!json_is_boolean(v)) { fail_answer(req, key, "err.sweep_expect_yes_no"); return NULL; }
        } else if (!strcmp(type, "multi")) {
            if (!json_is_array(v)) { fail_answer(req, key, "err.sweep_expect_choices"); return NULL; }
            size_t k, m;
            json_t *c, *d;
            json_array_foreach(v, k, c) {
                if (!json_is_string(c)) { fail_answer(req, key, "err.sweep_expect_choices"); return NULL; }
                bool ok = false;
                json_array_foreach(json_object_get(q, "choices"), m, d) if (json_equal(c, d)) ok = true;
                if (!ok) { fail_answer(req, key, "err.sweep_expect_choice"); return NULL; }
            }
            /* Kept in the order of the question's list, each once; none chosen is no answer. */
            json_t *picked = json_array();
            json_array_foreach(json_object_get(q, "choices"), m, d) {
                json_array_foreach(v, k, c) if (json_equal(c, d)) { json_array_append(picked, d); break; }
            }
            if (json_array_size(picked)) json_object_set(out, key, picked);
            json_decref(picked);
            continue;
        } else if (!strcmp(type, "number")) {
            if (!json_is_number(v)) { fail_answer(req, key, "err.sweep_expect_number"); return NULL; }
            double d = json_number_value(v);
            if (d < -1e12 || d > 1e12) { fail_answer(req, key, "err.out_of_range"); return NULL; }
        } else {
            if (!json_is_string(v)) { fail_answer(req, key, "err.not_string"); return NULL; }
            const char *t = json_string_value(v);
            if (strlen(t) != json_string_length(v)) { fail_answer(req, key, "err.control_chars"); return NULL; }
            const char *why = validate_text(t, 1, 1000);
            if (why) { fail_answer(req, key, why); return NULL; }
            if (!strcmp(type, "choice")) {
                bool ok = false;
                size_t k;
                json_t *c;
                json_array_foreach(json_object_get(q, "choices"), k, c) if (!strcmp(json_string_value(c), t))
                {
                    ok = true;
                    break;
                }
                if (!ok) { fail_answer(req, key, "err.sweep_expect_choice"); return NULL; }
            }
        }
        json_object_set(out, key, v);
    }
    size_t i;
    json_t *q;
    json_array_foreach(s->questions, i, q) {
        const char *k = json_string_value(json_object_get(q, "key"));
        if (json_is_true(json_object_get(q, "required")) && !json_object_get(out, k)) {
            fail_answer(req, k, "err.required");
            return NULL;
        }
    }
    return out;
}

static json_t *answer_json(http_req *req, store_stmt *st)
{
    /* columns: id, outcome, answers, method, note, recorded_by, display_name, on_behalf_of, recorded_at, current */
    json_t *answers = json_loads(store_col_text(st, 2), 0, NULL);
    json_t *o = json_object();
    (void)req;
    json_object_set_new(o, "id", json_integer(store_col_int(st, 0)));
    json_object_set_new(o, "outcome", text_json(store_col_text(st, 1)));
    json_object_set_new(o, "answers", answers ? answers : json_object());
    json_object_set_new(o, "method", text_json(store_col_text(st, 3)));
    json_object_set_new(o, "note", text_json(store_col_text(st, 4)));
    json_object_set_new(o, "recorded_by", json_integer(store_col_int(st, 5)));
    json_object_set_new(o, "recorded_by_name", text_json(store_col_text(st, 6)));
    json_object_set_new(o, "recorded_by_label", text_json(http_by_label(req, store_col_int(st, 5),
                                                                         store_col_text(st, 6))));
    json_object_set_new(o, "resident_id", store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)));
    json_object_set_new(o, "recorded_at", time_json(store_col_int(st, 8), false));
    json_object_set_new(o, "current", json_boolean(store_col_int(st, 9) == 1));
    return o;
}

#define ANSWER_SELECT \
    "SELECT a.id, a.outcome, a.answers, a.method, a.note, a.recorded_by, u.display_name, a.on_behalf_of, " \
    "a.recorded_at, a.current FROM sweep_answers a LEFT JOIN users u ON u.id = a.recorded_by " \
    "WHERE a.community_id = $1 AND a.sweep_id = $2 AND a.household_id = $3 "

/* Records a household's answer to a sweep: checks the leader's scope and the answers,
 * sets the household's outcome, marks the earlier answer no longer current and writes
 * the new one (for whom, by whom) in one write. */
static int sweep_record(http_req *req)
{
    const char *outcome = NULL, *method = "visit", *note = "";
    if (!http_body_str(req, "outcome", 1, 16, &outcome)) return -1;
    if (strcmp(outcome, "answered") && strcmp(outcome, "not_home") && strcmp(outcome, "refused"))
        return http_fail_field(req, "outcome", "err.sweep_outcome");
    if (!http_body_str_opt(req, "method", 1, 16, &method)) return -1;
    if (strcmp(method, "visit") && strcmp(method, "phone")) return http_fail_field(req, "method", "err.sweep_method");
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    int64_t resident = 0;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &resident, NULL)) return -1;

    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    int64_t hid;
    if (!http_param_id(req, "household_id", &hid)) return -1;
    /* The sweep is visible to the actor here, so its state may be told before the
     * household is looked up. */
    if (strcmp(s.state, "open")) return http_fail(req, 409, "conflict", "state", "err.sweep_not_open");
    int f = target_find(req, s.id, hid);
    if (f < 0) return http_fail_internal(req, store_errmsg(req->conn));
    if (!f) return http_fail_not_found(req);
    json_t *answers = answers_parse(req, &s, !strcmp(outcome, "answered"));
    if (!answers) return -1;
    int64_t cid = req->actor.community_id;
    if (resident && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM residents WHERE community_id = $1 "
                                     "AND household_id = $2 AND id = $3", "iii", cid, hid, resident))
        return http_fail_field(req, "resident_id", "err.sweep_resident");

    int64_t now = clock_now_us();
    /* The target row first: its row lock orders concurrent records of one household. */
    if (store_run(req->conn, NULL, "UPDATE sweep_targets SET outcome = $4, updated_at = $5 "
                  "WHERE community_id = $1 AND sweep_id = $2 AND household_id = $3", "iiiti", cid, s.id, hid, outcome,
                  now) != STORE_DONE ||
        store_run(req->conn, NULL, "UPDATE sweep_answers SET current = 0 WHERE community_id = $1 AND sweep_id = $2 "
                  "AND household_id = $3 AND current = 1", "iii", cid, s.id, hid) != STORE_DONE)
        return http_fail_internal(req, store_errmsg(req->conn));
    char *atext = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO sweep_answers (community_id, sweep_id, household_id, outcome, answers, method, note, recorded_by, "
        "on_behalf_of, recorded_at, current) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id");
    int rc = STORE_ERR;
    int64_t aid = 0;
    if (st) {
        store_bind_int(st, 1, cid);
        store_bind_int(st, 2, s.id);
        store_bind_int(st, 3, hid);
        store_bind_text(st, 4, outcome);
        store_bind_text(st, 5, atext);
        store_bind_text(st, 6, method);
        store_bind_text(st, 7, note);
        store_bind_int(st, 8, req->actor.user_id);
        if (resident) store_bind_int(st, 9, resident); else store_bind_null(st, 9);
        store_bind_int(st, 10, now);
        rc = store_step(st);
        if (rc == STORE_ROW) aid = store_col_int(st, 0);
        store_done(st);
    }
    free(atext);
    if (rc != STORE_ROW) return http_fail_internal(req, store_errmsg(req->conn));

    json_t *answer = NULL;
    if (store_run(req->conn, &st, ANSWER_SELECT "AND a.id = $4", "iiii", cid, s.id, hid, aid) == STORE_ROW) {
        answer = answer_json(req, st);
        store_done(st);
    }
    if (!answer) return http_fail_internal(req, "answer reload");
    req->on_behalf_of = resident;
    http_audit_target(req, "sweep", s.id,
                      json_pack("{s:I, s:I, s:s}", "household_id", (json_int_t)hid, "answer_id", (json_int_t)aid,
                                "outcome", outcome));
    return http_reply(req, 200, json_pack("{s:I, s:I, s:o}", "sweep_id", (json_int_t)s.id,
                                          "household_id", (json_int_t)hid, "answer", answer));
}

static int sweep_household_get(http_req *req)
{
    sweep_row s;
    if (!sweep_from_path(req, &s)) return -1;
    int64_t hid;
    if (!http_param_id(req, "household_id", &hid)) return -1;
    store_stmt *st = store_prepare(req->conn, HOUSEHOLD_SELECT "AND t.household_id = $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, s.id);
    store_bind_int(st, 4, hid);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return http_fail_not_found(req);
    }
    json_t *item = household_item(req, st);
    store_done(st);
    json_t *history = json_array();
    if ((st = store_prepare(req->conn, ANSWER_SELECT "ORDER BY a.id DESC"))) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, s.id);
        store_bind_int(st, 3, hid);
        while (store_step(st) == STORE_ROW) json_array_append_new(history, answer_json(req, st));
        store_done(st);
    }
    json_object_set_new(item, "history", history);
    /* Who lives there and what to mind at the door (独居老人, 卧床, …): name, age,
     * phone and flags, no more. The household is in the actor's scope (found above). */
    json_t *people = json_array(), *all = registry_household_residents(req, hid), *r;
    size_t i;
    json_array_foreach(all, i, r) {
        json_array_append_new(people, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(r, "id"),
                                                "name", json_object_get(r, "name"), "age", json_object_get(r, "age"),
                                                "phone", json_object_get(r, "phone"),
                                                "flags", json_object_get(r, "flags"),
                                                "flags_text", json_object_get(r, "flags_text")));
    }
    json_decref(all);
    json_object_set_new(item, "residents", people);
    return http_reply(req, 200, json_pack("{s:o}", "household", item));
}

/* ---------------------------------------------------------------- templates */

/* The sweeps a committee runs again and again, ready to adjust. Question labels in both
 * languages; the choices are answers people read aloud at the door, so they come in
 * the language of the one who creates the sweep ('|' separates them). */
typedef struct sweep_template_q {
    const char *key, *type, *zh, *en, *choices_zh, *choices_en;
    bool required;
} sweep_template_q;

typedef struct sweep_template {
    const char *key, *title_zh, *title_en, *description_zh, *description_en;
    sweep_template_q questions[6];
} sweep_template;

static const sweep_template sweep_templates[] = {
    {"returnees", "返沪人员排摸", "Returnees to Shanghai",
     "了解近14天从外地或境外返沪的人员", "Who came back to Shanghai from elsewhere in the last 14 days",
     {{"returned", "yes_no", "近14天家中是否有人返沪", "Anyone back in Shanghai within 14 days", NULL, NULL, true},
      {"came_from", "choice", "从哪里返沪", "Came back from", "外省市|境外", "Another province|Abroad", false},
      {"returned_count", "number", "返沪人数", "How many came back", NULL, NULL, false},
      {"returned_on", "text", "返沪日期", "Date of return", NULL, NULL, false},
      {0}}},
    {"medicine", "配药需求排摸", "Medicine needs",
     "了解家中需要配药的人员和药品", "Who in the household needs medicine, and which",
     {{"needs_medicine", "yes_no", "家中是否有人需要配药", "Anyone in the household needs medicine", NULL, NULL, true},
      {"medicine_kinds", "multi", "需要哪类药", "Which kinds of medicine",
       "降压药|降糖药|心脏病用药|精神类药物|抗肿瘤药|其他",
       "Blood pressure|Diabetes|Heart|Mental health|Cancer|Other", false},
      {"runs_out_soon", "yes_no", "三天内是否会断药", "Runs out within three days", NULL, NULL, false},
      {"medicine_detail", "text", "药品名称和用量", "Medicine names and amounts", NULL, NULL, false},
      {0}}},
    {"vaccination", "疫苗接种排摸", "Vaccination",
     "了解家中未接种疫苗的人员和原因", "Who in the household is not vaccinated, and why",
     {{"all_vaccinated", "yes_no", "家中人员是否都已接种", "Everyone in the household vaccinated", NULL, NULL, true},
      {"unvaccinated_count", "number", "未接种人数", "How many not vaccinated", NULL, NULL, false},
      {"reasons", "multi", "未接种原因", "Why not vaccinated", "有禁忌症|担心副作用|行动不便|其他",
       "Medical reason|Worried about side effects|Cannot get there|Other", false},
      {"home_visit", "yes_no", "是否需要上门接种", "Needs a vaccination at home", NULL, NULL, false},
      {0}}},
};

static json_t *split_choices(const char *s)
{
    json_t *out = json_array();
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        json_array_append_new(out, json_stringn(s, n));
        s = bar ? bar + 1 : NULL;
    }
    return out;
}

/* GET /sweeps/templates: the templates, each with a title, description and questions
 * that POST /sweeps takes as they are. */
static int sweep_templates_list(http_req *req)
{
    bool en = req->lang == LANG_EN;
    json_t *items = json_array();
    for (size_t i = 0; i < sizeof sweep_templates / sizeof sweep_templates[0]; i++) {
        const sweep_template *t = &sweep_templates[i];
        json_t *qs = json_array();
        for (const sweep_template_q *q = t->questions; q->key; q++) {
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "key", q->key, "label_zh", q->zh, "label_en", q->en,
                                  "type", q->type, "required", q->required);
            if (q->choices_zh) json_object_set_new(o, "choices", split_choices(en ? q->choices_en : q->choices_zh));
            json_array_append_new(qs, o);
        }
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}", "key", t->key,
                                               "title", en ? t->title_en : t->title_zh,
                                               "description", en ? t->description_en : t->description_zh,
                                               "questions", qs));
    }
    return http_reply(req, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- tables */

/* ---------------------------------------------------------------- dashboard */

/* One tile per open sweep that touches the actor's scope: the share of its target
 * households reached (answered or refused) among those the actor may see. */
void sweep_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, REGISTRY_LEADERS)) return;
    store_stmt *st = store_prepare(req->conn,
        "SELECT id, title FROM sweeps WHERE community_id = $1 AND state = 'open' ORDER BY id LIMIT 20");
    if (!st) return;
    store_bind_int(st, 1, req->actor.community_id);
    int64_t ids[20];
    const char *titles[20];
    int n = 0;
    while (n < 20 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        titles[n++] = arena_strdup(req->a, store_col_text(st, 1));
    }
    store_done(st);
    for (int i = 0; i < n; i++) {
        sweep_counts c;
        if (sweep_counts_scoped(req, ids[i], &c) || c.targets == 0) continue;
        int64_t reached = c.answered + c.refused;
        dashboard_tile_text(req, tiles, arena_printf(req->a, "sweep_%lld", (long long)ids[i]),
                            arena_printf(req->a, "%s%s", i18n_text(req->lang, "tile.sweep_progress"), titles[i]),
                            reached * 100 / c.targets, "unit.percent");
        dashboard_tile_link(tiles, arena_printf(req->a, "/sweeps/%lld", (long long)ids[i]));
    }
}

const http_route sweep_routes[] = {
    {"GET", "/api/v1/sweeps", NULL, sweeps_list, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/sweeps", NULL, sweeps_create, ROLE_COMMITTEE, ROUTE_WRITE, 0, "sweep.create"},
    {"GET", "/api/v1/sweeps/templates", NULL, sweep_templates_list, ROLE_COMMITTEE, 0, 0, NULL},
    {"GET", "/api/v1/sweeps/{id}", NULL, sweep_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PUT", "/api/v1/sweeps/{id}", NULL, sweep_update, ROLE_COMMITTEE, ROUTE_WRITE, 0, "sweep.update"},
    {"DELETE", "/api/v1/sweeps/{id}", NULL, sweep_delete, ROLE_COMMITTEE, ROUTE_WRITE, 0, "sweep.delete"},
    {"POST", "/api/v1/sweeps/{id}/followup", NULL, sweep_followup, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "sweep.followup"},
    {"GET", "/api/v1/sweeps/{id}/tally", NULL, sweep_tally, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/sweeps/{id}/open", NULL, sweep_open, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "sweep.open"},
    {"POST", "/api/v1/sweeps/{id}/close", NULL, sweep_close, ROLE_COMMITTEE, ROUTE_WRITE, 4096, "sweep.close"},
    {"GET", "/api/v1/sweeps/{id}/progress", NULL, sweep_progress, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/sweeps/{id}/households", NULL, sweep_households, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/sweeps/{id}/households/{household_id}", NULL, sweep_household_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PUT", "/api/v1/sweeps/{id}/households/{household_id}", NULL, sweep_record, REGISTRY_LEADERS, ROUTE_WRITE, 65536,
     "sweep.record"},
    {"GET", "/api/v1/sweeps/{id}/results", NULL, sweep_results, REGISTRY_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};

const i18n_entry sweep_messages[] = {
    {"tile.sweep_progress", "排摸进度：", "Sweep done: "},
    {"err.sweep_questions", "请至少设置一个问题", "Give at least one question"},
    {"err.sweep_too_many_questions", "问题最多 50 个", "At most 50 questions"},
    {"err.sweep_question_object", "每个问题应为一个对象", "Each question must be an object"},
    {"err.sweep_question_key", "问题标识只能用小写字母、数字和下划线，以字母开头，最长 32 位",
     "Question key: lowercase letters, digits and _, starting with a letter, at most 32"},
    {"err.sweep_question_key_taken", "问题标识重复", "This question key is used twice"},
    {"err.sweep_question_type", "问题类型只能是 是否题、单选、多选、数字 或 文字",
     "Question type must be yes/no, single choice, multiple choice, number or text"},
    {"err.sweep_not_boolean", "应为 true 或 false", "Must be true or false"},
    {"err.sweep_choices", "选项应为 1 到 30 个非空文本", "Choices must be 1 to 30 non-empty texts"},
    {"err.sweep_choices_repeated", "选项重复", "A choice is listed twice"},
    {"err.sweep_choices_only_choice", "只有选择题可以设置选项", "Only choice questions have choices"},
    {"err.sweep_expect_choices", "应为若干选项组成的列表", "Must be a list of the question's choices"},
    {"err.sweep_flag", "不是登记的重点人群标记之一", "Not one of the registry's flags"},
    {"err.sweep_draft_only", "只有草稿可以修改或删除", "Only a draft can be changed or deleted"},
    {"err.sweep_not_closed", "排摸结束后才能发起补访", "A follow-up starts from a closed sweep"},
    {"err.sweep_followup_exists", "该排摸已有补访", "This sweep already has a follow-up"},
    {"err.sweep_all_reached", "所有住户都已排摸到，无需补访", "Every household was reached; there is nothing to follow up"},
    {"err.sweep_tally_by", "分组只能是 sweep 或 block", "Group by sweep or block"},
    {"sweep.followup_prefix", "补访：", "Follow-up: "},
    {"sweep.yes", "是", "Yes"},
    {"sweep.no", "否", "No"},
    {"sweep.target.all", "全部住户", "All households"},
    {"sweep.target.list", "指定住户", "Chosen households"},
    {"sweep.target.followup", "上次未排摸到的住户", "Households not reached last time"},
    {"sweep.target.flag", "有{flag}的住户", "Households with a resident flagged “{flag}”"},
    {"sweep.status.occupied", "自住", "Occupied"},
    {"sweep.status.away", "外出", "Away"},
    {"sweep.status.vacant", "空置", "Vacant"},
    {"sweep.status.rented_out", "出租", "Rented out"},
    {"list.sweep_tally", "排摸结果统计", "Sweep tally"},
    {"sweep.col.target", "排摸对象", "Target"},
    {"sweep.col.question", "问题", "Question"},
    {"sweep.col.answer", "回答", "Answer"},
    {"sweep.col.households", "户数", "Households"},
    {"sweep.col.answered_households", "已回答户数", "Households answered"},
    {"err.sweep_target_kind", "排摸对象只能是 all、filter 或 list", "Target kind must be all, filter or list"},
    {"err.sweep_filter", "筛选条件只能包含 片区、楼组、户状态、重点人群标记，且至少一项",
     "The filter takes a zone, a block, a household status and a flag, at least one of them"},
    {"err.sweep_filter_only", "只有按条件筛选时才能设置筛选条件", "A filter is given only with target kind filter"},
    {"err.sweep_list_only", "只有按名单排摸时才能列出住户", "Household ids are given only with target kind list"},
    {"err.sweep_status", "住户状态只能是 occupied、away、vacant 或 rented_out",
     "Household status must be occupied, away, vacant or rented_out"},
    {"err.sweep_no_such_zone", "本社区没有该片区", "No such zone in this community"},
    {"err.sweep_no_such_block", "本社区没有该楼组", "No such block in this community"},
    {"err.sweep_household_ids", "住户名单应为 1 到 20000 个住户编号", "Household ids must be a list of 1 to 20,000 ids"},
    {"err.sweep_no_such_household", "名单中有不属于本社区的住户", "A listed household is not in this community"},
    {"err.sweep_no_targets", "没有符合条件的住户，排摸无法开始", "No household matches the target; the sweep cannot open"},
    {"err.sweep_not_draft", "排摸已开始，不能再次开始", "The sweep has already been opened"},
    {"err.sweep_not_open", "排摸未在进行中", "The sweep is not open"},
    {"err.sweep_state_filter", "不支持的状态筛选", "Unknown state filter"},
    {"err.sweep_by", "分组只能是 block 或 zone", "Group by block or zone"},
    {"err.sweep_outcome", "结果只能是 answered、not_home 或 refused", "Outcome must be answered, not_home or refused"},
    {"err.sweep_method", "方式只能是 visit 或 phone", "Method must be visit or phone"},
    {"err.sweep_answers_object", "回答应为一个对象", "Answers must be an object"},
    {"err.sweep_answers_need_answered", "未见到或拒绝时不能填写回答", "Answers go with the outcome answered only"},
    {"err.sweep_unknown_question", "该排摸没有这个问题", "This sweep has no such question"},
    {"err.sweep_expect_yes_no", "应回答是或否（true/false）", "Must be yes or no (true/false)"},
    {"err.sweep_expect_number", "应为数字", "Must be a number"},
    {"err.sweep_expect_choice", "不是该问题的选项之一", "Not one of the question's choices"},
    {"err.sweep_resident", "该居民不属于这一户", "This resident does not live in this household"},
    {"list.sweeps", "排摸任务", "Sweeps"},
    {"list.sweep_progress", "排摸进度", "Sweep progress"},
    {"list.sweep_households", "排摸住户清单", "Sweep households"},
    {"list.sweep_results", "排摸结果", "Sweep results"},
    {"sweep.col.title", "标题", "Title"},
    {"sweep.col.state", "状态", "State"},
    {"sweep.col.targets", "应排摸户数", "Households"},
    {"sweep.col.answered", "已回答", "Answered"},
    {"sweep.col.not_home", "未见到", "Not at home"},
    {"sweep.col.refused", "拒绝", "Refused"},
    {"sweep.col.remaining", "待排摸", "Remaining"},
    {"sweep.col.percent", "完成率(%)", "Done (%)"},
    {"sweep.col.opened_at", "开始时间", "Opened"},
    {"sweep.col.closed_at", "结束时间", "Closed"},
    {"sweep.col.zone", "片区", "Zone"},
    {"sweep.col.block", "楼组", "Block"},
    {"sweep.col.room", "房号", "Room"},
    {"sweep.col.contact", "联系人", "Contact"},
    {"sweep.col.phone", "电话", "Phone"},
    {"sweep.col.outcome", "结果", "Outcome"},
    {"sweep.col.method", "方式", "Method"},
    {"sweep.col.recorded_at", "登记时间", "Recorded"},
    {"sweep.col.recorded_by", "登记人", "Recorded by"},
    {"sweep.col.note", "备注", "Note"},
    {"sweep.col.household_id", "住户编号", "Household"},
    {"sweep.state.draft", "草稿", "Draft"},
    {"sweep.state.open", "进行中", "Open"},
    {"sweep.state.closed", "已结束", "Closed"},
    {"sweep.outcome.pending", "未排摸", "Not yet visited"},
    {"sweep.outcome.answered", "已回答", "Answered"},
    {"sweep.outcome.not_home", "未见到", "Not at home"},
    {"sweep.outcome.refused", "拒绝", "Refused"},
    {"sweep.method.visit", "上门", "Visit"},
    {"sweep.method.phone", "电话", "Phone"},
    {0, 0, 0},
};
