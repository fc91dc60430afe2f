/* help_pass.c — exit approvals (出行审批 / 就医): committee staff approve a request for
 * an exit or a hospital visit, recording who approved and on what basis (a hospital's
 * call, a test result), and the approval makes a pass valid from–to with a QR code that
 * a gate checks later through the API.
 *
 * The pass code is a random token: its hash finds it at the gate, and it is kept
 * encrypted under the field key so that the household can show its QR code again.
 * A new approval of the same request revokes the earlier pass; so does DELETE. Every
 * gate check is a write: it goes to the audit log (it reveals who the pass is for). */
#include "help_int.h"
#include "../notify.h"
#include "../../core/clock.h"
#include "../../core/qr.h"
#include "../../core/secret.h"
#include <stdlib.h>
#include <string.h>

#define PASS_PREFIX "SWPASS:"

static const char *const pass_bases[] = {"hospital_call", "test_result", "doctor_note", "other", NULL};

/* "YYYY-MM-DD HH:MM" in the community's time zone → µs UTC; false when malformed. */
static bool pass_parse_local(http_req *req, const char *s, int64_t *us)
{
    int y, mo, d, h, mi;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d %2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5) return false;
    if (!clock_date_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59) return false;
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    int64_t naive = clock_days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL;   /* seconds */
    *us = (naive - clock_tz_offset(tz, naive)) * 1000000;
    return true;
}

static json_t *pass_local(http_req *req, int64_t us)
{
    const char *tz = req->actor.community_timezone && *req->actor.community_timezone ? req->actor.community_timezone
                                                                                     : "Asia/Shanghai";
    char out[32];
    clock_format_local(tz, us, out, sizeof out);
    return json_string(out);
}

/* The request's current pass as JSON, with its QR code when the code can be shown;
 * NULL when it has none. */
static json_t *pass_json(http_req *req, int64_t request_id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT p.id, p.valid_from, p.valid_to, p.basis, p.basis_note, p.code_cipher, "
                  "u.display_name, p.approved_by, p.created_at FROM help_passes p LEFT JOIN users u ON u.id = "
                  "p.approved_by WHERE p.community_id = $1 AND p.request_id = $2 AND p.revoked_at IS NULL",
                  "ii", req->actor.community_id, request_id) != STORE_ROW)
        return NULL;
    int64_t now = clock_now_us();
    json_t *p = json_pack("{s:I, s:o, s:o, s:s, s:s, s:s?, s:s?, s:o, s:b}", "id", (json_int_t)store_col_int(st, 0),
                          "valid_from", pass_local(req, store_col_int(st, 1)), "valid_to",
                          pass_local(req, store_col_int(st, 2)), "basis", store_col_text(st, 3), "basis_text",
                          i18n_text(req->lang, arena_printf(req->a, "help.basis.%s", store_col_text(st, 3))),
                          "basis_note", store_col_text(st, 4), "approved_by",
                          http_by_label(req, store_col_int(st, 7), store_col_text(st, 6)), "approved_at",
                          pass_local(req, store_col_int(st, 8)), "valid_now",
                          store_col_int(st, 1) <= now && now < store_col_int(st, 2));
    char *plain = store_col_null(st, 5) ? NULL : secret_decrypt(req->cfg, store_col_text(st, 5));
    store_done(st);
    if (plain) {
        const char *payload = arena_printf(req->a, PASS_PREFIX "%s", plain);
        free(plain);
        char *svg = qr_svg(payload, NULL);
        json_object_set_new(p, "payload", json_string(payload));
        json_object_set_new(p, "svg", json_string(svg ? svg : ""));
        free(svg);
    }
    return p;
}

/* GET /help-requests/{id}/pass — whoever sees the request. */
static int pass_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) " HELP_FROM "WHERE r.id = $3 AND " HELP_VISIBLE, "iii",
                         req->actor.community_id, req->actor.user_id, id))
        return http_fail_not_found(req);
    json_t *p = pass_json(req, id);
    if (!p) return http_fail_not_found(req);
    return http_reply(req, 200, json_pack("{s:o}", "pass", p));
}

static int pass_revoke_all(http_req *req, int64_t request_id)
{
    return store_run(req->conn, NULL, "UPDATE help_passes SET revoked_at = $3, revoked_by = $4 WHERE community_id = "
                     "$1 AND request_id = $2 AND revoked_at IS NULL", "iiii", req->actor.community_id, request_id,
                     clock_now_us(), req->actor.user_id) == STORE_DONE ? 0 : -1;
}

/* POST /help-requests/{id}/pass {basis, basis_note?, valid_from, valid_to} — committee.
 * Approves an exit or hospital-visit request that is still open: the request is done,
 * the household is told, and the pass is answered with its QR code. */
static int pass_approve(http_req *req)
{
    int64_t id, from, to;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *basis, *note = NULL, *from_s, *to_s;
    if (!http_body_str(req, "basis", 1, 32, &basis)) return -1;
    if (!help_word_in(basis, pass_bases)) return http_fail_field(req, "basis", "help.err.basis");
    if (!http_body_str_opt(req, "basis_note", 1, 500, &note)) return -1;
    if (!http_body_str(req, "valid_from", 1, 32, &from_s)) return -1;
    if (!pass_parse_local(req, from_s, &from)) return http_fail_field(req, "valid_from", "help.err.when");
    if (!http_body_str(req, "valid_to", 1, 32, &to_s)) return -1;
    if (!pass_parse_local(req, to_s, &to)) return http_fail_field(req, "valid_to", "help.err.when");
    if (to <= from) return http_fail_field(req, "valid_to", "help.err.to_before_from");
    if (to - from > 14 * 86400LL * 1000000) return http_fail_field(req, "valid_to", "help.err.pass_too_long");
    if (to <= clock_now_us()) return http_fail_field(req, "valid_to", "help.err.pass_past");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT r.kind, r.state, r.household_id, r.resident_id, r.summary " HELP_FROM
                  "WHERE r.id = $3 AND " HELP_VISIBLE, "iii", req->actor.community_id, req->actor.user_id, id) !=
        STORE_ROW)
        return http_fail_not_found(req);
    const char *kind = arena_strdup(req->a, store_col_text(st, 0)), *state = arena_strdup(req->a,
        store_col_text(st, 1));
    int64_t household = store_col_int(st, 2), resident = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    const char *summary = arena_strdup(req->a, store_col_text(st, 4));
    store_done(st);
    if (strcmp(kind, "exit") && strcmp(kind, "medical_visit"))
        return http_fail(req, 409, "conflict", "kind", "help.err.not_exit");
    if (!help_state_open(state) && strcmp(state, "done"))
        return http_fail(req, 409, "conflict", "state", "help.err.finished");

    char token[44], hash[65];
    secret_token(token);
    secret_token_hash(token, hash);
    char *cipher = secret_encrypt(req->cfg, token);   /* NULL without a field key: shown once */
    int64_t now = clock_now_us();
    if (pass_revoke_all(req, id) < 0) return free(cipher), http_fail_internal(req, "pass revoke");
    st = store_prepare(req->conn, "INSERT INTO help_passes (community_id, request_id, household_id, resident_id, "
                                  "code_hash, code_cipher, valid_from, valid_to, basis, basis_note, approved_by, "
                                  "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    if (!st) return free(cipher), http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_int(st, 3, household);
    if (resident) store_bind_int(st, 4, resident); else store_bind_null(st, 4);
    store_bind_text(st, 5, hash);
    store_bind_text(st, 6, cipher);
    store_bind_int(st, 7, from);
    store_bind_int(st, 8, to);
    store_bind_text(st, 9, basis);
    store_bind_text(st, 10, note);
    store_bind_int(st, 11, req->actor.user_id);
    store_bind_int(st, 12, now);
    int rc = store_step(st);
    store_done(st);
    free(cipher);
    if (rc != STORE_DONE) return http_fail_internal(req, "pass insert");
    if (store_run(req->conn, NULL, "UPDATE help_requests SET state = 'done', due_at = NULL, acknowledged_at = "
                  "COALESCE(acknowledged_at, $2), acknowledged_by = COALESCE(acknowledged_by, $3), finished_at = $2, "
                  "updated_at = $2 WHERE id = $1", "iii", id, now, req->actor.user_id) != STORE_DONE)
        return http_fail_internal(req, "pass request");
    const char *text = arena_printf(req->a, "%s%s%s · %s – %s", i18n_text(LANG_ZH, arena_printf(req->a,
        "help.basis.%s", basis)), note ? "：" : "", note ? note : "", from_s, to_s);
    if (help_event(req->conn, req->actor.community_id, id, req->actor.user_id, "approved", "done", NULL, text) < 0)
        return http_fail_internal(req, "help event");
    json_t *params = json_pack("{s:s}", "summary", summary);
    int64_t told = notify_users_from(req->conn, req->actor.community_id, "help_pass", params,
                                     arena_printf(req->a, "/help/%lld", (long long)id),
                                     "SELECT user_id FROM role_assignments WHERE community_id = $1 AND role = "
                                     "'resident' AND scope_kind = 'household' AND scope_id = $2", "i", household, 0);
    json_decref(params);
    if (told < 0) return http_fail_internal(req, "notify");
    if (resident) req->on_behalf_of = resident;
    http_audit_target(req, "help_request", id, json_pack("{s:s, s:s}", "action", "approve_pass", "basis", basis));
    json_t *p = pass_json(req, id);
    if (!p) return http_fail_internal(req, "pass read");
    if (!json_object_get(p, "payload")) {   /* no field key: this answer is the only time it shows */
        const char *payload = arena_printf(req->a, PASS_PREFIX "%s", token);
        char *svg = qr_svg(payload, NULL);
        json_object_set_new(p, "payload", json_string(payload));
        json_object_set_new(p, "svg", json_string(svg ? svg : ""));
        free(svg);
    }
    return http_reply(req, 201, json_pack("{s:o}", "pass", p));
}

/* DELETE /help-requests/{id}/pass — committee: the pass no longer opens the gate. */
static int pass_revoke(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM help_passes WHERE community_id = $1 AND request_id = $2 "
                         "AND revoked_at IS NULL", "ii", req->actor.community_id, id))
        return http_fail_not_found(req);
    if (pass_revoke_all(req, id) < 0) return http_fail_internal(req, "pass revoke");
    if (help_event(req->conn, req->actor.community_id, id, req->actor.user_id, "pass_revoked", NULL, NULL, NULL) < 0)
        return http_fail_internal(req, "help event");
    http_audit_target(req, "help_request", id, json_pack("{s:s}", "action", "revoke_pass"));
    return http_reply(req, 200, json_pack("{s:b}", "revoked", 1));
}

/* POST /passes/check {code} — a gate (leaders, volunteers): whether the pass lets this
 * person out now, and who it is for. 200 with valid false and a reason for a pass that
 * exists but does not hold now (revoked, expired, not yet); 404 for an unknown code. */
static int pass_check(http_req *req)
{
    const char *code;
    if (!http_body_str(req, "code", 1, 128, &code)) return -1;
    if (!strncmp(code, PASS_PREFIX, strlen(PASS_PREFIX))) code += strlen(PASS_PREFIX);
    char hash[65];
    secret_token_hash(code, hash);
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT p.id, p.request_id, p.valid_from, p.valid_to, p.revoked_at, p.basis, "
                  "rs.name, h.room, b.name FROM help_passes p JOIN households h ON h.id = p.household_id JOIN blocks b "
                  "ON b.id = h.block_id LEFT JOIN residents rs ON rs.id = p.resident_id WHERE p.community_id = $1 AND "
                  "p.code_hash = $2", "it", req->actor.community_id, hash) != STORE_ROW)
        return http_fail(req, 404, "not_found", "code", "help.err.pass_unknown");
    int64_t now = clock_now_us(), pass_id = store_col_int(st, 0), request_id = store_col_int(st, 1);
    const char *reason = !store_col_null(st, 4) ? "revoked" : now < store_col_int(st, 2) ? "not_yet"
                       : now >= store_col_int(st, 3) ? "expired" : NULL;
    json_t *out = json_pack("{s:b, s:s?, s:s?, s:I, s:s?, s:s?, s:s?, s:o, s:o, s:s}", "valid", reason == NULL,
                            "reason", reason, "reason_text",
                            reason ? i18n_text(req->lang, arena_printf(req->a, "help.pass.%s", reason)) : NULL,
                            "request_id", (json_int_t)request_id, "name", store_col_text(st, 6), "room",
                            store_col_text(st, 7), "block_name", store_col_text(st, 8), "valid_from",
                            pass_local(req, store_col_int(st, 2)), "valid_to", pass_local(req, store_col_int(st, 3)),
                            "basis_text",
                            i18n_text(req->lang, arena_printf(req->a, "help.basis.%s", store_col_text(st, 5))));
    store_done(st);
    http_audit_target(req, "help_pass", pass_id, json_pack("{s:b}", "valid", reason == NULL));
    return http_reply(req, 200, out);
}

const http_route help_pass_routes[] = {
    {"GET", "/api/v1/help-requests/{id}/pass", NULL, pass_get, HELP_MEMBERS, 0, 0, NULL},
    {"POST", "/api/v1/help-requests/{id}/pass", NULL, pass_approve, ROLE_COMMITTEE, ROUTE_WRITE | ROUTE_NO_REPLAY,
     2048, "help.pass"},
    {"DELETE", "/api/v1/help-requests/{id}/pass", NULL, pass_revoke, ROLE_COMMITTEE, ROUTE_WRITE, 0,
     "help.pass_revoke"},
    {"POST", "/api/v1/passes/check", NULL, pass_check, HELP_LEADERS | ROLE_VOLUNTEER, ROUTE_WRITE | ROUTE_NO_REPLAY,
     512, "help.pass_check"},
    {0},
};

const i18n_entry help_pass_messages[] = {
    {"help.basis.hospital_call", "医院来电确认", "Confirmed by the hospital's call"},
    {"help.basis.test_result", "核酸/抗原结果", "Test result"},
    {"help.basis.doctor_note", "医生证明", "Doctor's note"},
    {"help.basis.other", "其他依据", "Other basis"},
    {"help.pass.revoked", "通行证已作废", "The pass was revoked"},
    {"help.pass.expired", "通行证已过期", "The pass has expired"},
    {"help.pass.not_yet", "还没到通行证的有效时间", "The pass is not valid yet"},
    {"help.err.basis", "依据只能是 hospital_call、test_result、doctor_note 或 other",
     "Basis must be hospital_call, test_result, doctor_note or other"},
    {"help.err.when", "时间格式应为 YYYY-MM-DD HH:MM（本社区时间）", "Time must be YYYY-MM-DD HH:MM (community time)"},
    {"help.err.to_before_from", "结束时间应晚于开始时间", "The end must be after the start"},
    {"help.err.pass_too_long", "通行证最长 14 天", "A pass lasts at most 14 days"},
    {"help.err.pass_past", "结束时间已经过去", "The end is already past"},
    {"help.err.not_exit", "只有出行审批和就医求助可以开通行证", "Only exit and hospital-visit requests get a pass"},
    {"help.err.pass_unknown", "不认识这个通行证", "Unknown pass"},
    {"notify.help_pass", "出行已批准，请在求助页查看通行证：{summary}",
     "Your exit is approved; the pass is on the request's page: {summary}"},
    {0, 0, 0},
};
