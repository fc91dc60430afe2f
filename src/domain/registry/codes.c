/* codes.c — codes on paper and accounts for residents: scan codes of households and
 * residents (door plates, personal cards), the printable sheets, household invite
 * codes with which residents make their own accounts, password reset codes a leader
 * issues, and sign-ups that staff approve.
 *
 * Rules kept here, documented in docs/api.md ("Codes and resident accounts"):
 * - Every code is random (Crockford base32: no I, L, O, U; typed codes read O as 0 and
 *   I, L as 1), never an id. Only its keyed lookup hash finds it; scan and invite codes
 *   are also kept encrypted under the field key so that a reprinted sheet shows the
 *   same code (no field key: 503, as for ID numbers).
 * - An invite code serves the whole household: each resident (not moved out) makes one
 *   account with it, until it expires (30 days; the committee may set 1 to 90), a newer
 *   code replaces it, or every
 *   resident has an account. Printing a door-plate sheet issues a new code for each
 *   household that has residents without an account and no valid code. Printing is a
 *   POST (a write, with CSRF for cookie sessions); the GET of the same sheet shows the
 *   codes that exist and issues none.
 * - Public routes that take a code count wrong guesses in login_failures (keys
 *   "join:a:<address>", "reset:u:<username>", "reset:a:<address>") and answer 429 with
 *   Retry-After past the limit; sign-ups count every attempt ("signup:a:<address>").
 * - Leader actions (sheets, scans, reset codes) use the block scope of registry.h: a
 *   leader's own household as a resident gives no leader rights over it. A reset code
 *   is refused for an account that reaches a household outside the leader's scope.
 * - Every statement of a write job is checked; a failure fails the job (rolled back). */
#include "../accounts/accounts.h"
#include "codes.h"
#include "registry_int.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/qr.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define SCAN_LEN 16          /* 80 bits */
#define INVITE_LEN 10        /* 50 bits, typed by people: XXXXX-XXXXX */
#define RESET_LEN 8          /* 40 bits, bound to one account, 24 h, throttled */
#define INVITE_DAYS 30
#define RESET_HOURS 24
#define JOIN_FAILURES 10     /* wrong invite codes per address and window */
#define SIGNUPS_PER_ADDRESS 10
#define DAY_US (86400LL * 1000000)

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Household scope for leader actions: committee, zone leader, block leader (no
 * resident clause). Binds $1 community, $2 user; joins h and b. */
#define LEADER_HOUSEHOLD "h.community_id = $1 AND " SCOPE_BLOCK

/* ---------------------------------------------------------------- code helpers */

static void random_code(char *out, int n)
{
    for (int i = 0; i < n; i++) out[i] = ALPHABET[randombytes_uniform(32)];
    out[n] = 0;
}

/* Reads a typed or scanned code into out (n chars + NUL): case, spaces and dashes
 * ignored, O read as 0, I and L as 1. false when it is not n characters of the set. */
static bool normalize_code(const char *in, char *out, int n)
{
    int k = 0;
    for (const char *p = in; p && *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c == 'O') c = '0';
        if (c == 'I' || c == 'L') c = '1';
        if (!strchr(ALPHABET, c) || k == n) return false;
        out[k++] = c;
    }
    out[k] = 0;
    return k == n;
}

/* "ABCDEFGHJK" -> "ABCDE-FGHJK": easier to read aloud and type. */
static char *grouped(http_req *req, const char *code)
{
    size_t n = strlen(code), half = (n + 1) / 2;
    return arena_printf(req->a, "%.*s-%s", (int)half, code, code + half);
}

static void code_hash(http_req *req, const char *purpose, const char *code, char out[65])
{
    char *v = arena_printf(req->a, "%s:%s", purpose, code);
    secret_lookup_hash(req->cfg, v, out);
}

char *codes_date_text(http_req *req, int64_t us)
{
    /* Dates on paper in the community's own zone (China Standard Time unless it says). */
    const char *tz = req->actor.community_timezone;
    char day[11];
    clock_local_date(tz && *tz ? tz : "Asia/Shanghai", us, day, sizeof day);
    return arena_strdup(req->a, day);
}

/* 张三明 -> 张*明, 张三 -> 张*, Li -> L*: enough for a household to recognise its own
 * people, too little to learn a stranger's name from a guessed code. */
static char *mask_name(http_req *req, const char *name)
{
    size_t n = strlen(name), chars = utf8_chars(name);
    if (chars <= 1) return arena_strdup(req->a, "*");
    size_t first = 1;
    while (first < n && ((unsigned char)name[first] & 0xC0) == 0x80) first++;
    size_t last = n - 1;
    while (last > 0 && ((unsigned char)name[last] & 0xC0) == 0x80) last--;
    buf b;
    buf_init(&b, 0);
    buf_append(&b, name, first);
    for (size_t i = 0; i < (chars > 2 ? chars - 2 : 1); i++) buf_puts(&b, "*");
    if (chars > 2) buf_append(&b, name + last, n - last);
    char *s = buf_take(&b, NULL);
    char *out = arena_strdup(req->a, s);
    free(s);
    return out;
}

/* ---------------------------------------------------------------- throttling */

static int fail_throttled(http_req *req, int64_t retry)
{
    req->retry_after = arena_printf(req->a, "%lld", (long long)(retry > 0 ? retry : req->cfg->login_window_s));
    return http_fail(req, 429, "throttled", NULL, "codes.err.throttled");
}

static bool throttled_or_reply(http_req *req, const char *key, int limit)
{
    int64_t retry = throttle_retry_after(req, key, limit);
    if (retry <= 0) return false;
    fail_throttled(req, retry);
    return true;
}

/* ---------------------------------------------------------------- scan codes */

static const char *kind_name(char kind) { return kind == 'H' ? "household" : "resident"; }

static const char *scan_code_new(http_req *req, char kind, int64_t target, bool *made)
{
    char code[SCAN_LEN + 1], hash[65];
    random_code(code, SCAN_LEN);
    code_hash(req, "scan", code, hash);
    char *cipher = secret_encrypt(req->cfg, code);
    if (!cipher) {
        http_fail(req, 503, "unavailable", "code", "codes.err.no_field_key");
        return NULL;
    }
    int rc = store_run(req->conn, NULL,
                       "INSERT INTO scan_codes (community_id, kind, target_id, code_hash, code_cipher, "
                       "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       "itittii", req->actor.community_id, kind_name(kind), target, hash, cipher, req->actor.user_id,
                       clock_now_us());
    free(cipher);
    if (rc != STORE_DONE) {
        http_fail_internal(req, "scan code insert");
        return NULL;
    }
    if (made) *made = true;
    return arena_printf(req->a, "SW1:%c:%s", kind, code);
}

static int scan_code_revoke(http_req *req, char kind, int64_t target)
{
    return store_run(req->conn, NULL, "UPDATE scan_codes SET revoked_at = $1 WHERE community_id = $2 AND kind = $3 "
                                      "AND target_id = $4 AND revoked_at IS NULL",
                     "iiti", clock_now_us(), req->actor.community_id, kind_name(kind), target) == STORE_DONE ? 0 : -1;
}

/* The current scan payload of a record. When it has none (or one stored under a key
 * the server no longer has): with `issue` (write jobs only) a new one is made, else ""
 * is returned. NULL with the error reply set. */
static const char *scan_code(http_req *req, char kind, int64_t target, bool *made, bool issue)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT code_cipher FROM scan_codes WHERE community_id = $1 AND kind = $2 "
                                       "AND target_id = $3 AND revoked_at IS NULL",
                       "iti", req->actor.community_id, kind_name(kind), target);
    if (rc != STORE_ROW && rc != STORE_DONE) {
        http_fail_internal(req, "scan code read");
        return NULL;
    }
    if (rc == STORE_ROW) {
        char *plain = secret_decrypt(req->cfg, store_col_text(st, 0));
        store_done(st);
        if (plain) {
            char *p = arena_printf(req->a, "SW1:%c:%s", kind, plain);
            free(plain);
            return p;
        }
        if (!issue) return "";
        /* Stored under a key the server no longer has: a new code replaces it. */
        if (scan_code_revoke(req, kind, target)) {
            http_fail_internal(req, "scan code revoke");
            return NULL;
        }
    }
    if (!issue) return "";
    return scan_code_new(req, kind, target, made);
}

/* The record of a current code anywhere in the actor's community, without a scope:
 * the caller checks its own (a station, the round's people). */
int codes_lookup(http_req *req, const char *payload, code_target *out)
{
    if (!payload || strncmp(payload, "SW1:", 4) || (payload[4] != 'H' && payload[4] != 'R') || payload[5] != ':')
        return -1;
    char code[SCAN_LEN + 1], hash[65];
    if (!normalize_code(payload + 6, code, SCAN_LEN)) return -1;
    code_hash(req, "scan", code, hash);
    char kind = payload[4];
    store_stmt *st;
    int rc = store_run(req->conn, &st, kind == 'H'
        ? "SELECT h.id, h.id, h.block_id FROM scan_codes s JOIN households h ON h.id = s.target_id "
          "WHERE s.code_hash = $2 AND s.kind = 'household' AND s.revoked_at IS NULL AND s.community_id = $1 "
          "AND h.community_id = $1"
        : "SELECT r.id, h.id, h.block_id FROM scan_codes s JOIN residents r ON r.id = s.target_id "
          "JOIN households h ON h.id = r.household_id WHERE s.code_hash = $2 AND s.kind = 'resident' "
          "AND s.revoked_at IS NULL AND s.community_id = $1 AND r.community_id = $1",
        "it", req->actor.community_id, hash);
    if (rc != STORE_ROW) return 0;
    out->kind = kind;
    out->id = store_col_int(st, 0);
    out->household_id = store_col_int(st, 1);
    out->block_id = store_col_int(st, 2);
    store_done(st);
    return 1;
}

int codes_resolve(http_req *req, const char *payload, code_target *out)
{
    code_target t = {0};
    *out = t;
    int r = codes_lookup(req, payload, &t);
    if (r != 1) return r;
    if (!scope_block_visible(req, t.block_id)) return 0;
    *out = t;
    return 1;
}

static json_t *household_brief(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT h.id, h.room, h.status, h.block_id, b.name FROM households h "
                                  "JOIN blocks b ON b.id = h.block_id WHERE h.id = $1", "i", id) != STORE_ROW)
        return NULL;
    json_t *h = json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)id, "room", store_col_text(st, 1),
                          "status", store_col_text(st, 2), "block_id", (json_int_t)store_col_int(st, 3),
                          "block_name", store_col_text(st, 4));
    store_done(st);
    json_t *people = json_array();
    st = store_prepare(req->conn,
                       "SELECT id, name FROM residents WHERE household_id = $1 AND moved_out_at IS NULL ORDER BY id");
    if (st) {
        store_bind_int(st, 1, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(people, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0),
                                                    "name", store_col_text(st, 1)));
        store_done(st);
    }
    json_object_set_new(h, "residents", people);
    return h;
}

static int codes_resolve_route(http_req *req)
{
    code_target t;
    int r = codes_resolve(req, http_query(req, "payload"), &t);
    if (r < 0) return http_fail_field(req, "payload", "codes.err.payload");
    if (r == 0) return http_fail_not_found(req);
    if (t.kind == 'H') {
        json_t *h = household_brief(req, t.id);
        if (!h) return http_fail_not_found(req);
        return http_reply(req, 200, json_pack("{s:s, s:o}", "kind", "household", "household", h));
    }
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT r.id, r.name, r.household_id, h.room, h.block_id, b.name, r.moved_out_at "
                                  "FROM residents r JOIN households h ON h.id = r.household_id "
                                  "JOIN blocks b ON b.id = h.block_id WHERE r.id = $1", "i", t.id) != STORE_ROW)
        return http_fail_not_found(req);
    json_t *res = json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:b}", "id", (json_int_t)t.id, "name",
                            store_col_text(st, 1), "household_id", (json_int_t)store_col_int(st, 2), "room",
                            store_col_text(st, 3), "block_id", (json_int_t)store_col_int(st, 4), "block_name",
                            store_col_text(st, 5), "moved_out", !store_col_null(st, 6));
    store_done(st);
    return http_reply(req, 200, json_pack("{s:s, s:o}", "kind", "resident", "resident", res));
}

static bool leader_household(http_req *req, int64_t id)
{
    return scope_has(req,
                     "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id WHERE " LEADER_HOUSEHOLD
                     " AND h.id = $3",
                     id);
}

static bool leader_resident(http_req *req, int64_t id)
{
    return scope_has(req,
                     "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                     "JOIN blocks b ON b.id = h.block_id WHERE " LEADER_HOUSEHOLD " AND r.id = $3",
                     id);
}

static int scan_regenerate(http_req *req, char kind)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!(kind == 'H' ? leader_household(req, id) : leader_resident(req, id))) return http_fail_not_found(req);
    if (scan_code_revoke(req, kind, id)) return http_fail_internal(req, "scan code revoke");
    const char *payload = scan_code_new(req, kind, id, NULL);
    if (!payload) return -1;
    char *svg = qr_svg(payload, NULL);
    json_t *out = json_pack("{s:s, s:s}", "payload", payload, "svg", svg ? svg : "");
    free(svg);
    if (kind == 'R') req->on_behalf_of = id;
    http_audit_target(req, kind_name(kind), id, json_pack("{s:s}", "kind", kind_name(kind)));
    return http_reply(req, 201, out);
}

static int scan_regenerate_household(http_req *req) { return scan_regenerate(req, 'H'); }
static int scan_regenerate_resident(http_req *req) { return scan_regenerate(req, 'R'); }

/* ---------------------------------------------------------------- invite codes */

typedef struct invite {
    int64_t id, community_id, household_id, expires_at;
    bool revoked;
    int64_t open;             /* residents of the household without an account */
} invite;

/* -1 on a store error. */
static int64_t residents_without_account(http_req *req, int64_t community, int64_t household)
{
    return store_query_int(
        req->conn, -1,
        "SELECT COUNT(*) FROM residents r WHERE r.community_id = $1 AND r.household_id = $2 AND r.moved_out_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM resident_accounts a WHERE a.community_id = r.community_id AND a.resident_id = "
        "r.id)",
        "ii", community, household);
}

/* The household's valid invite code (not revoked, not expired), decrypted into *code.
 * Returns its id, 0 when none, -1 on a store error (reply set). */
static int64_t invite_current(http_req *req, int64_t household, const char **code, int64_t *expires)
{
    store_stmt *st;
    int64_t id = 0;
    int rc = store_run(req->conn, &st,
                       "SELECT id, code_cipher, expires_at FROM invite_codes WHERE community_id = $1 "
                       "AND household_id = $2 AND revoked_at IS NULL AND expires_at > $3 ORDER BY id DESC",
                       "iii", req->actor.community_id, household, clock_now_us());
    if (rc != STORE_ROW && rc != STORE_DONE) {
        http_fail_internal(req, "invite read");
        return -1;
    }
    if (rc == STORE_ROW) {
        char *plain = secret_decrypt(req->cfg, store_col_text(st, 1));
        if (plain) {
            id = store_col_int(st, 0);
            *expires = store_col_int(st, 2);
            *code = arena_strdup(req->a, plain);
            free(plain);
        }
        store_done(st);
    }
    return id;
}

/* How long new invite codes stay valid: the community's setting "invite_days"
 * (communities.settings), else INVITE_DAYS; -1 on a store error. */
static int64_t invite_days(http_req *req)
{
    store_stmt *st;
    int64_t days = INVITE_DAYS;
    int rc = store_run(req->conn, &st, "SELECT settings FROM communities WHERE id = $1", "i", req->actor.community_id);
    if (rc != STORE_ROW && rc != STORE_DONE) return -1;
    if (rc == STORE_ROW) {
        json_t *s = json_loads(store_col_text(st, 0), 0, NULL);
        json_t *v = json_object_get(s, "invite_days");
        if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 90)
            days = json_integer_value(v);
        json_decref(s);
        store_done(st);
    }
    return days;
}

static int codes_settings_get(http_req *req)
{
    int64_t days = invite_days(req);
    if (days < 0) return http_fail_internal(req, "settings read");
    return http_reply(req, 200, json_pack("{s:I}", "invite_days", (json_int_t)days));
}

static int codes_settings_update(http_req *req)
{
    int64_t days;
    bool present;
    if (!http_body_int_opt(req, "invite_days", 1, 90, &days, &present)) return -1;
    if (!present) return http_fail_field(req, "invite_days", "err.required");
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT settings FROM communities WHERE id = $1", "i", req->actor.community_id);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    if (rc != STORE_ROW) return http_fail_internal(req, "settings read");
    json_t *s = json_loads(store_col_text(st, 0), 0, NULL);
    store_done(st);
    if (!json_is_object(s)) {
        json_decref(s);
        s = json_object();
    }
    /* Other keys of the settings object belong to other capabilities: kept as they are. */
    json_object_set_new(s, "invite_days", json_integer(days));
    char *text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(s);
    rc = store_run(req->conn, NULL, "UPDATE communities SET settings = $1 WHERE id = $2", "ti", text,
                   req->actor.community_id);
    free(text);
    if (rc != STORE_DONE) return http_fail_internal(req, "settings update");
    http_audit_target(req, "community", req->actor.community_id, json_pack("{s:[s]}", "fields", "invite_days"));
    return http_reply(req, 200, json_pack("{s:I}", "invite_days", (json_int_t)days));
}

/* Issues a new invite code for the household, revoking any earlier one. Returns its id,
 * or 0 with the error reply set. */
static int64_t invite_issue(http_req *req, int64_t household, const char **code_out, int64_t *expires)
{
    char code[INVITE_LEN + 1], hash[65];
    int64_t now = clock_now_us();
    random_code(code, INVITE_LEN);
    code_hash(req, "invite", code, hash);
    char *cipher = secret_encrypt(req->cfg, code);
    if (!cipher) {
        http_fail(req, 503, "unavailable", "code", "codes.err.no_field_key");
        return 0;
    }
    int64_t days = invite_days(req);
    if (days < 0 || store_run(req->conn, NULL, "UPDATE invite_codes SET revoked_at = $1 WHERE community_id = $2 "
                                               "AND household_id = $3 AND revoked_at IS NULL",
                              "iii", now, req->actor.community_id, household) != STORE_DONE) {
        free(cipher);
        http_fail_internal(req, "invite revoke");
        return 0;
    }
    store_stmt *st;
    *expires = now + days * DAY_US;
    int rc = store_run(req->conn, &st,
                       "INSERT INTO invite_codes (community_id, household_id, code_hash, code_cipher, "
                       "created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                       "iittiii", req->actor.community_id, household, hash, cipher, req->actor.user_id, now, *expires);
    free(cipher);
    if (rc != STORE_ROW) {
        http_fail_internal(req, "invite insert");
        return 0;
    }
    int64_t id = store_col_int(st, 0);
    store_done(st);
    *code_out = arena_strdup(req->a, code);
    return id;
}

/* Finds an invite by its typed code. Returns 1 found, 0 unknown, -1 on a store error
 * (reply set). */
static int invite_find(http_req *req, const char *code, invite *iv)
{
    char hash[65];
    code_hash(req, "invite", code, hash);
    store_stmt *st;
    int rc = store_run(req->conn, &st,
                       "SELECT id, community_id, household_id, expires_at, revoked_at FROM invite_codes "
                       "WHERE code_hash = $1",
                       "t", hash);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return http_fail_internal(req, "invite read");
    iv->id = store_col_int(st, 0);
    iv->community_id = store_col_int(st, 1);
    iv->household_id = store_col_int(st, 2);
    iv->expires_at = store_col_int(st, 3);
    iv->revoked = !store_col_null(st, 4);
    store_done(st);
    iv->open = residents_without_account(req, iv->community_id, iv->household_id);
    if (iv->open < 0) return http_fail_internal(req, "invite residents");
    return 1;
}

/* A found invite that can no longer be used: the reply says why (409, field code). */
static bool invite_unusable(http_req *req, const invite *iv)
{
    const char *why = iv->revoked ? "codes.err.invite_replaced"
                    : iv->expires_at <= clock_now_us() ? "codes.err.invite_expired"
                    : iv->open == 0 ? "codes.err.invite_used" : NULL;
    if (!why) return false;
    http_fail(req, 409, "conflict", "code", why);
    return true;
}

/* Counts a wrong code from this address and records it; the reply is 404 or 429. */
static int join_wrong_code(http_req *req, const char *akey)
{
    int64_t n = throttle_count(req, akey);
    if (n < 0) return http_fail_internal(req, "throttle");
    json_t *d = json_pack("{s:s}", "reason", "unknown_code");
    int rc = audit_write(req, "join_failed", "invite", 0, d);
    json_decref(d);
    if (rc) return http_fail_internal(req, "audit");
    if (n > JOIN_FAILURES) fail_throttled(req, req->cfg->login_window_s);
    else http_fail(req, 404, "not_found", "code", "codes.err.invite_unknown");
    return 0;   /* keep the counter and the audit entry */
}

static const char *join_key(http_req *req) { return arena_printf(req->a, "join:a:%s", req->address); }

/* GET /join/{code}: what the holder of a door-plate code may see before joining. */
static int join_lookup(http_req *req)
{
    const char *akey = join_key(req);
    if (throttled_or_reply(req, akey, JOIN_FAILURES)) return -1;
    char code[INVITE_LEN + 1];
    if (!normalize_code(http_param(req, "code"), code, INVITE_LEN))
        return http_fail(req, 404, "not_found", "code", "codes.err.invite_unknown");
    invite iv;
    int found = invite_find(req, code, &iv);
    if (found < 0) return -1;
    if (!found) return join_wrong_code(req, akey);
    req->actor.community_id = iv.community_id;
    if (invite_unusable(req, &iv)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st,
                  "SELECT h.room, b.name, c.name FROM households h JOIN blocks b ON b.id = h.block_id "
                  "JOIN communities c ON c.id = h.community_id WHERE h.id = $1",
                  "i", iv.household_id) != STORE_ROW)
        return http_fail_internal(req, "invite household");
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:I}", "room", store_col_text(st, 0), "block_name",
                            store_col_text(st, 1), "community_name", store_col_text(st, 2), "expires_on",
                            codes_date_text(req, iv.expires_at), "expires_at", (json_int_t)iv.expires_at);
    store_done(st);
    json_t *people = json_array();
    json_object_set_new(out, "residents", people);
    arena_on_free(req->a, (void (*)(void *))json_decref, out);
    st = store_prepare(req->conn, "SELECT r.id, r.name, (SELECT COUNT(*) FROM resident_accounts a WHERE "
                                  "a.community_id = r.community_id AND a.resident_id = r.id) FROM residents r "
                                  "WHERE r.household_id = $1 AND r.moved_out_at IS NULL ORDER BY r.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, iv.household_id);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(people, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0),
                                                "name_masked", mask_name(req, store_col_text(st, 1)),
                                                "has_account", store_col_int(st, 2) > 0));
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "invite residents");
    json_incref(out);
    http_audit_target(req, "household", iv.household_id, json_pack("{s:I}", "invite_id", (json_int_t)iv.id));
    return http_reply(req, 200, json_pack("{s:o}", "invite", out));
}

typedef struct new_account {
    char code[INVITE_LEN + 1];
    const char *username, *language, *name, *phone, *address;
    int64_t resident_id, community_id;
    char hash[128];
} new_account;

static bool body_username(http_req *req, const char **out)
{
    if (!http_body_str(req, "username", 1, 64, out)) return false;
    char *login = arena_alloc(req->a, VALIDATE_LOGIN_MAX);
    const char *why = validate_login_name(*out, login);
    if (why) {
        http_fail_field(req, "username", why);
        return false;
    }
    *out = login;
    return true;
}

static bool body_password(http_req *req, const char *field, char hash[128])
{
    const char *pw;
    if (!http_body_str(req, field, 1, 1024, &pw)) return false;
    const char *why = validate_password(pw);
    if (why) {
        http_fail_field(req, field, why);
        return false;
    }
    if (secret_password_hash(pw, hash)) {
        http_fail_internal(req, "hash");
        return false;
    }
    return true;
}

static bool body_language(http_req *req, const char **out)
{
    *out = req->lang == LANG_EN ? "en" : "zh-CN";
    const char *l = NULL;
    if (!http_body_str_opt(req, "language", 1, 8, &l)) return false;
    if (l && validate_lang(l)) {
        http_fail_field(req, "language", "err.lang");
        return false;
    }
    if (l) *out = l;
    return true;
}

static bool username_free(http_req *req, const char *username)
{
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE username = $1", "t", username)) return true;
    http_fail(req, 409, "conflict", "username", "codes.err.username_taken");
    return false;
}

static int join_prepare(http_req *req)
{
    new_account *na = arena_alloc(req->a, sizeof *na);
    req->scratch = na;
    if (throttled_or_reply(req, join_key(req), JOIN_FAILURES)) return -1;
    const char *code;
    bool has_resident;
    if (!http_body_str(req, "code", 1, 64, &code)) return -1;
    if (!body_username(req, &na->username)) return -1;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &na->resident_id, &has_resident)) return -1;
    if (!has_resident) return http_fail_field(req, "resident_id", "err.required");
    if (!body_language(req, &na->language)) return -1;
    if (!normalize_code(code, na->code, INVITE_LEN))
        return http_fail(req, 404, "not_found", "code", "codes.err.invite_unknown");
    if (!username_free(req, na->username)) return -1;
    if (!body_password(req, "password", na->hash)) return -1;
    return 0;
}

/* Inserts a user; 0 with the error reply set when the name was taken meanwhile. */
static int64_t user_insert(http_req *req, int64_t community, const char *username, const char *display,
                           const char *hash, const char *language)
{
    store_stmt *st;
    int64_t now = clock_now_us();
    int rc = store_run(req->conn, &st,
                       "INSERT INTO users (community_id, username, display_name, password_hash, language, "
                       "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                       "itttti", community, username, display, hash, language, now);
    if (rc == STORE_CONSTRAINT) {
        http_fail(req, 409, "conflict", "username", "codes.err.username_taken");
        return 0;
    }
    if (rc != STORE_ROW) {
        http_fail_internal(req, "user insert");
        return 0;
    }
    int64_t id = store_col_int(st, 0);
    store_done(st);
    return id;
}

/* Gives user the resident role of household and, when resident_id is set, links the
 * account to that resident record. -1 with the error reply set. */
static int link_resident(http_req *req, int64_t community, int64_t user_id, int64_t household, int64_t resident_id)
{
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL,
                  "INSERT INTO role_assignments (community_id, user_id, role, scope_kind, scope_id, created_at) "
                  "VALUES ($1, $2, 'resident', 'household', $3, $4)",
                  "iiii", community, user_id, household, now) != STORE_DONE)
        return http_fail_internal(req, "role insert");
    if (!resident_id) return 0;
    int rc = store_run(req->conn, NULL,
                       "INSERT INTO resident_accounts (community_id, resident_id, user_id, created_at) "
                       "VALUES ($1, $2, $3, $4)",
                       "iiii", community, resident_id, user_id, now);
    if (rc == STORE_CONSTRAINT) return http_fail(req, 409, "conflict", "resident_id", "codes.err.resident_has_account");
    return rc == STORE_DONE ? 0 : http_fail_internal(req, "resident account insert");
}

/* A resident of household who may get an account: not moved out, none yet.
 * Returns the resident's name or NULL with the reply set. */
static const char *resident_for_account(http_req *req, int64_t community, int64_t household, int64_t resident_id)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT r.name, r.moved_out_at, (SELECT COUNT(*) FROM resident_accounts a WHERE "
                                       "a.community_id = r.community_id AND a.resident_id = r.id) FROM residents r "
                                       "WHERE r.id = $1 AND r.household_id = $2 AND r.community_id = $3",
                       "iii", resident_id, household, community);
    if (rc != STORE_ROW) {
        if (rc == STORE_DONE) http_fail_field(req, "resident_id", "codes.err.resident_not_here");
        else http_fail_internal(req, "resident read");
        return NULL;
    }
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    bool moved = !store_col_null(st, 1), taken = store_col_int(st, 2) > 0;
    store_done(st);
    if (moved) {
        http_fail_field(req, "resident_id", "codes.err.resident_not_here");
        return NULL;
    }
    if (taken) {
        http_fail(req, 409, "conflict", "resident_id", "codes.err.resident_has_account");
        return NULL;
    }
    return name;
}

static int join_handler(http_req *req)
{
    new_account *na = req->scratch;
    const char *akey = join_key(req);
    /* Checked again where writes are ordered: guesses racing past prepare stop here. */
    if (throttled_or_reply(req, akey, JOIN_FAILURES)) return -1;
    invite iv;
    int found = invite_find(req, na->code, &iv);
    if (found < 0) return -1;
    if (!found) return join_wrong_code(req, akey);
    req->actor.community_id = iv.community_id;
    if (invite_unusable(req, &iv)) return -1;
    const char *name = resident_for_account(req, iv.community_id, iv.household_id, na->resident_id);
    if (!name) return -1;
    int64_t uid = user_insert(req, iv.community_id, na->username, name, na->hash, na->language);
    if (!uid) return -1;
    if (link_resident(req, iv.community_id, uid, iv.household_id, na->resident_id)) return -1;
    if (store_run(req->conn, NULL, "UPDATE invite_codes SET uses = uses + 1 WHERE id = $1", "i", iv.id) != STORE_DONE)
        return http_fail_internal(req, "invite use");
    char *csrf = auth_session_start(req, uid, iv.community_id);
    if (!csrf) return http_fail_internal(req, "session insert");
    req->actor.user_id = uid;
    req->on_behalf_of = na->resident_id;
    http_audit_target(req, "user", uid,
                   json_pack("{s:I, s:I, s:I}", "household_id", (json_int_t)iv.household_id, "resident_id",
                             (json_int_t)na->resident_id, "invite_id", (json_int_t)iv.id));
    json_t *me = auth_me_json(req, uid, csrf);
    return me ? http_reply(req, 201, me) : http_fail_internal(req, "me");
}

/* ---------------------------------------------------------------- printable sheets */

static void html_text(buf *b, http_req *req, const char *key) { buf_html_escape(b, i18n_text(req->lang, key)); }

/* The address people open from the printed invite: the Host the sheet was asked on
 * (nginx forwards it), http or https as the request came. */
char *codes_base_url(http_req *req)
{
    const char *host = http_header(req, "Host");
    bool ok = host && *host && strlen(host) < 200;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(".-:[]", *p);
    return arena_printf(req->a, "%s://%s", req->secure ? "https" : "http", ok ? host : "localhost");
}

static const char SHEET_CSS[] =
    "@page{size:A4;margin:10mm}"
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;color:#000}"
    ".top{padding:4mm 0}.top h1{font-size:14pt;margin:0 0 2mm}.top p{margin:0;font-size:10pt}"
    ".sheet{display:grid;grid-template-columns:1fr 1fr;gap:5mm}"
    ".card{border:1px dashed "
    "#777;padding:4mm;break-inside:avoid;page-break-inside:avoid;display:flex;flex-direction:column}"
    ".plate{height:85mm}.personal{height:62mm}"
    ".card h2{font-size:18pt;margin:0}.card .where{font-size:10pt;margin:0 0 2mm}"
    ".codes{display:flex;gap:4mm;flex:1;align-items:flex-start}"
    ".codes figure{margin:0;flex:1;text-align:center}"
    ".codes figcaption{font-size:9pt}"
    ".qr{width:34mm;height:34mm;display:block;margin:0 auto}"
    ".personal .qr{width:38mm;height:38mm}"
    ".code{font-family:'DejaVu Sans Mono',monospace;font-size:14pt;font-weight:bold;letter-spacing:1px}"
    ".small{font-size:8pt;color:#333}.payload{font-family:monospace;font-size:7pt;color:#555}"
    ".done{font-size:10pt;border:1px solid #999;padding:2mm;margin-top:4mm}"
    "@media screen{body{max-width:200mm;margin:0 auto;padding:4mm}}"
    "@media print{.top{padding:0 0 2mm}.top .note{display:none}}";

static void sheet_head(buf *b, http_req *req, const char *title_key, const char *block_name)
{
    buf_printf(b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>",
               req->lang == LANG_EN ? "en" : "zh-CN");
    buf_html_escape(b, req->actor.community_name);
    buf_puts(b, " ");
    buf_html_escape(b, block_name);
    buf_puts(b, " — ");
    html_text(b, req, title_key);
    buf_printf(b, "</title><style>%s</style></head><body>", SHEET_CSS);
}

static void sheet_top(buf *b, http_req *req, const char *title_key, const char *block_name, const char *note)
{
    buf_puts(b, "<header class=\"top\"><h1>");
    buf_html_escape(b, req->actor.community_name);
    buf_puts(b, " · ");
    buf_html_escape(b, block_name);
    buf_puts(b, " · ");
    html_text(b, req, title_key);
    /* What the sheet is, for which block, when and by whom — kept on paper: a sheet
     * found on a desk a week later says whether its codes are still the current ones. */
    buf_puts(b, "</h1><p class=\"print-meta\">");
    buf_html_escape(b, http_print_meta(req));
    buf_puts(b, "</p><p class=\"note\">");
    buf_html_escape(b, note);
    buf_puts(b, "</p></header><main class=\"sheet\">");
}

static void sheet_reply(http_req *req, buf *b)
{
    buf_puts(b, "</main></body></html>\n");
    size_t n;
    char *data = buf_take(b, &n);
    req->out_raw = arena_strndup(req->a, data, n);
    req->out_raw_len = n;
    free(data);
    req->out_type = "text/html; charset=utf-8";
    req->status = 200;
}

static void figure_qr(buf *b, const char *kind, const char *text)
{
    char *svg = qr_svg(text, NULL);
    buf_printf(b, "<figure data-kind=\"%s\">", kind);
    if (svg) buf_puts(b, svg);
    free(svg);
}

/* One card of a printed sheet: a household (its room, and how many of its residents
 * have no account yet) or a resident (name and room). */
typedef struct sheet_row {
    int64_t id;
    const char *room, *name;
    int64_t open;
} sheet_row;

/* The block's name when the actor may print its sheets; NULL with 404 set. */
static const char *sheet_block(http_req *req, int64_t *block_id)
{
    if (!http_param_id(req, "id", block_id)) return NULL;
    if (!scope_block_visible(req, *block_id)) {
        http_fail_not_found(req);
        return NULL;
    }
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM blocks WHERE id = $1", "i", *block_id) != STORE_ROW) {
        http_fail_not_found(req);
        return NULL;
    }
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return name;
}

/* What both sheets do before their cards: check the block is in the actor's scope (404
 * otherwise), read every row `sql` selects as (id, room, name, open) with $1 the
 * community and $2 the block — in full, because the cards run other statements on this
 * connection — and begin the page in b. Returns the rows (*n of them), or NULL with the
 * reply set. */
static sheet_row *sheet_begin(http_req *req, const char *sql, const char *title_key, const char *note_key,
                              int64_t *block_id, const char **block_name, size_t *n, buf *b)
{
    if (!(*block_name = sheet_block(req, block_id))) return NULL;
    store_stmt *st = store_prepare(req->conn, sql);
    if (!st) {
        http_fail_internal(req, store_errmsg(req->conn));
        return NULL;
    }
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, *block_id);
    size_t cap = 16;
    sheet_row *rows = arena_alloc(req->a, cap * sizeof *rows);
    *n = 0;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (*n == cap) {
            sheet_row *bigger = arena_alloc(req->a, cap * 2 * sizeof *rows);
            memcpy(bigger, rows, *n * sizeof *rows);
            rows = bigger;
            cap *= 2;
        }
        sheet_row *r = &rows[(*n)++];
        r->id = store_col_int(st, 0);
        r->room = arena_strdup(req->a, store_col_text(st, 1));
        r->name = arena_strdup(req->a, store_col_text(st, 2));
        r->open = store_col_int(st, 3);
    }
    store_done(st);
    if (rc != STORE_DONE) {
        http_fail_internal(req, "sheet rows");
        return NULL;
    }
    buf_init(b, 0);
    sheet_head(b, req, title_key, *block_name);
    sheet_top(b, req, title_key, *block_name, i18n_text(req->lang, note_key));
    return rows;
}

/* Ends the page begun by sheet_begin (saying so when it has no card) and answers it. */
static void sheet_end(http_req *req, buf *b, size_t n, const char *empty_key)
{
    if (!n) {
        buf_puts(b, "<p>");
        html_text(b, req, empty_key);
        buf_puts(b, "</p>");
    }
    sheet_reply(req, b);
}

/* A card's note where a code would be: none was issued yet (the GET of a sheet). */
static void not_issued(buf *b, http_req *req)
{
    buf_puts(b, "<p class=\"done\" data-not-issued>");
    html_text(b, req, "codes.sheet.not_issued");
    buf_puts(b, "</p>");
}

/* The door-plate sheet of block {id}. With `issue` (POST, a write job) every household
 * gets a door code and, when some resident has no account, a valid invite code, made
 * where missing and audited; without (GET, a read) the sheet shows the codes that exist
 * and says where none was issued yet. */
static int door_plates_generic(http_req *req, bool issue)
{
    int64_t block_id;
    const char *block_name;
    size_t n;
    buf b;
    sheet_row *rows = sheet_begin(req,
        "SELECT h.id, h.room, '', (SELECT COUNT(*) FROM residents r WHERE r.community_id = h.community_id "
        "AND r.household_id = h.id AND r.moved_out_at IS NULL AND NOT EXISTS (SELECT 1 FROM resident_accounts a "
        "WHERE a.community_id = r.community_id AND a.resident_id = r.id)) "
        "FROM households h WHERE h.community_id = $1 AND h.block_id = $2 ORDER BY h.room, h.id",
        "codes.sheet.door_plates", "codes.sheet.door_note", &block_id, &block_name, &n, &b);
    if (!rows) return -1;

    const char *base = codes_base_url(req);
    int64_t issued = 0, scan_made = 0, with_invite = 0;
    for (size_t i = 0; i < n; i++) {
        bool made = false;
        const char *payload = scan_code(req, 'H', rows[i].id, &made, issue);
        if (!payload) { buf_free(&b); return -1; }
        scan_made += made;
        buf_printf(&b, "<section class=\"card plate\" data-household-id=\"%lld\"><h2>", (long long)rows[i].id);
        buf_html_escape(&b, rows[i].room);
        buf_puts(&b, "</h2><p class=\"where\">");
        buf_html_escape(&b, req->actor.community_name);
        buf_puts(&b, " · ");
        buf_html_escape(&b, block_name);
        buf_puts(&b, "</p><div class=\"codes\">");
        if (*payload) {
            figure_qr(&b, "scan", payload);
            buf_puts(&b, "<figcaption>");
            html_text(&b, req, "codes.sheet.scan_caption");
            buf_puts(&b, "<br><span class=\"payload\">");
            buf_html_escape(&b, payload);
            buf_puts(&b, "</span></figcaption></figure>");
        } else {
            not_issued(&b, req);
        }
        if (rows[i].open > 0) {
            const char *code = NULL;
            int64_t expires = 0, have = invite_current(req, rows[i].id, &code, &expires);
            if (have < 0) { buf_free(&b); return -1; }
            if (!have && issue) {
                if (!invite_issue(req, rows[i].id, &code, &expires)) { buf_free(&b); return -1; }
                issued++;
            }
            if (!code) {
                not_issued(&b, req);
                buf_puts(&b, "</div></section>");
                continue;
            }
            with_invite++;
            const char *typed = grouped(req, code);
            char *url = arena_printf(req->a, "%s/join?code=%s", base, typed);
            figure_qr(&b, "invite", url);
            buf_puts(&b, "<figcaption>");
            html_text(&b, req, "codes.sheet.invite_caption");
            buf_puts(&b, "<br><span class=\"code\" data-invite-code>");
            buf_html_escape(&b, typed);
            buf_puts(&b, "</span><br><span class=\"small\">");
            buf_html_escape(&b, url);
            buf_puts(&b, "<br>");
            html_text(&b, req, "codes.sheet.valid_until");
            buf_puts(&b, " ");
            buf_html_escape(&b, codes_date_text(req, expires));
            buf_puts(&b, "</span></figcaption></figure>");
        } else {
            buf_puts(&b, "<p class=\"done\">");
            html_text(&b, req, "codes.sheet.all_joined");
            buf_puts(&b, "</p>");
        }
        buf_puts(&b, "</div></section>");
    }
    sheet_end(req, &b, n, "codes.sheet.empty");
    if (issue)
        http_audit_target(req, "block", block_id, json_pack("{s:I, s:I, s:I, s:I}", "households", (json_int_t)n,
                                                         "invites_issued", (json_int_t)issued,
                                                         "invites_shown", (json_int_t)with_invite,
                                                         "scan_codes_made", (json_int_t)scan_made));
    return 0;
}

static int door_plates_view(http_req *req) { return door_plates_generic(req, false); }
static int door_plates_issue(http_req *req) { return door_plates_generic(req, true); }

/* The personal-code cards of block {id}: issued where missing with `issue` (POST),
 * shown as they are without (GET). */
static int personal_codes_generic(http_req *req, bool issue)
{
    int64_t block_id;
    const char *block_name;
    size_t n;
    buf b;
    sheet_row *rows =
        sheet_begin(req,
                    "SELECT r.id, h.room, r.name, 0 FROM residents r JOIN households h ON h.id = r.household_id "
                    "WHERE r.community_id = $1 AND h.block_id = $2 AND r.moved_out_at IS NULL AND EXISTS (SELECT 1 "
                    "FROM resident_flags f "
                    "WHERE f.community_id = r.community_id AND f.resident_id = r.id AND f.flag = 'no_smartphone' AND "
                    "f.cleared_at IS NULL) "
                    "ORDER BY h.room, r.id",
                    "codes.sheet.personal_codes", "codes.sheet.personal_note", &block_id, &block_name, &n, &b);
    if (!rows) return -1;

    int64_t made_count = 0;
    for (size_t i = 0; i < n; i++) {
        bool made = false;
        const char *payload = scan_code(req, 'R', rows[i].id, &made, issue);
        if (!payload) { buf_free(&b); return -1; }
        made_count += made;
        buf_printf(&b, "<section class=\"card personal\" data-resident-id=\"%lld\"><h2>", (long long)rows[i].id);
        buf_html_escape(&b, rows[i].name);
        buf_puts(&b, "</h2><p class=\"where\">");
        buf_html_escape(&b, block_name);
        buf_puts(&b, " ");
        buf_html_escape(&b, rows[i].room);
        buf_puts(&b, "</p><div class=\"codes\">");
        if (*payload) {
            figure_qr(&b, "resident", payload);
            buf_puts(&b, "<figcaption><span class=\"payload\">");
            buf_html_escape(&b, payload);
            buf_puts(&b, "</span></figcaption></figure><p class=\"small\">");
            html_text(&b, req, "codes.sheet.personal_caption");
            buf_puts(&b, "</p>");
        } else {
            not_issued(&b, req);
        }
        buf_puts(&b, "</div></section>");
    }
    sheet_end(req, &b, n, "codes.sheet.no_personal");
    if (issue)
        http_audit_target(req, "block", block_id, json_pack("{s:I, s:I}", "residents", (json_int_t)n,
                                                         "scan_codes_made", (json_int_t)made_count));
    return 0;
}

static int personal_codes_view(http_req *req) { return personal_codes_generic(req, false); }
static int personal_codes_issue(http_req *req) { return personal_codes_generic(req, true); }

/* ---------------------------------------------------------------- reset codes */

static int reset_code_issue(http_req *req)
{
    int64_t rid;
    if (!http_param_id(req, "id", &rid)) return -1;
    store_stmt *st = store_prepare(req->conn,
        "SELECT a.user_id, u.username FROM residents r JOIN households h ON h.id = r.household_id "
        "JOIN blocks b ON b.id = h.block_id LEFT JOIN resident_accounts a ON a.community_id = r.community_id "
        "AND a.resident_id = r.id LEFT JOIN users u ON u.id = a.user_id WHERE " LEADER_HOUSEHOLD " AND r.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, rid);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "reset resident");
    }
    int64_t uid = store_col_int(st, 0);
    const char *username = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    if (!uid) return http_fail(req, 409, "conflict", "resident_id", "codes.err.no_account");
    /* Staff and leader accounts are reset by the committee on the command line, never
     * by a code a block leader can ask for. */
    int64_t other = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM role_assignments WHERE user_id = $1 "
                                                   "AND role <> 'resident'", "i", uid);
    if (other < 0) return http_fail_internal(req, "reset roles");
    if (other) return http_fail(req, 409, "conflict", "user", "codes.err.reset_staff");
    /* Nor for an account that reaches a household outside this leader's scope (a second
     * household staff gave it): the code would hand the leader that household. */
    st = store_prepare(req->conn, "SELECT COUNT(*) FROM role_assignments x JOIN households h ON h.id = x.scope_id "
                                  "JOIN blocks b ON b.id = h.block_id WHERE x.user_id = $3 AND x.role = 'resident' "
                                  "AND x.scope_kind = 'household' AND NOT (" LEADER_HOUSEHOLD ")");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, uid);
    rc = store_step(st);
    int64_t outside = rc == STORE_ROW ? store_col_int(st, 0) : -1;
    store_done(st);
    if (outside < 0) return http_fail_internal(req, "reset scope");
    if (outside) return http_fail(req, 409, "conflict", "user", "codes.err.reset_outside");
    int64_t now = clock_now_us(), expires = now + RESET_HOURS * 3600LL * 1000000;
    if (store_run(req->conn, NULL, "UPDATE reset_codes SET expires_at = $1 WHERE user_id = $2 AND used_at IS NULL "
                                   "AND expires_at > $1", "ii", now, uid) != STORE_DONE)
        return http_fail_internal(req, "reset code end");
    char code[RESET_LEN + 1], hash[65];
    random_code(code, RESET_LEN);
    code_hash(req, arena_printf(req->a, "reset:%lld", (long long)uid), code, hash);
    if (store_run(req->conn, &st, "INSERT INTO reset_codes (community_id, user_id, code_hash, created_by, created_at, "
                                  "expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                  "iitiii", req->actor.community_id, uid, hash, req->actor.user_id, now, expires) != STORE_ROW)
        return http_fail_internal(req, "reset code insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    req->on_behalf_of = rid;
    http_audit_target(req, "user", uid,
                   json_pack("{s:I, s:I}", "resident_id", (json_int_t)rid, "reset_code_id", (json_int_t)id));
    return http_reply(req, 201, json_pack("{s:s, s:s, s:I, s:s}", "code", grouped(req, code), "username", username,
                                          "expires_at", (json_int_t)expires,
                                          "expires_on", codes_date_text(req, expires)));
}

typedef struct reset_state {
    const char *username, *code;
    char hash[128];
} reset_state;

static const char *reset_ukey(http_req *req, const char *u) { return arena_printf(req->a, "reset:u:%s", u); }
static const char *reset_akey(http_req *req) { return arena_printf(req->a, "reset:a:%s", req->address); }

static bool reset_throttled(http_req *req, const char *username)
{
    return throttled_or_reply(req, reset_ukey(req, username), req->cfg->login_fail_account) ||
           throttled_or_reply(req, reset_akey(req), req->cfg->login_fail_address);
}

static int reset_prepare(http_req *req)
{
    reset_state *rs = arena_alloc(req->a, sizeof *rs);
    req->scratch = rs;
    if (!http_body_str(req, "username", 1, 64, &rs->username)) return -1;
    rs->username = auth_login_name(req, rs->username);
    if (!http_body_str(req, "code", 1, 64, &rs->code)) return -1;
    if (reset_throttled(req, rs->username)) return -1;
    /* Hashed whatever the code: a wrong code answers no faster than a right one. */
    if (!body_password(req, "new_password", rs->hash)) return -1;
    return 0;
}

static int reset_handler(http_req *req)
{
    reset_state *rs = req->scratch;
    if (reset_throttled(req, rs->username)) return -1;
    store_stmt *st;
    int64_t uid = 0, community = 0, code_id = 0, expires = 0;
    bool used = false;
    int rc = store_run(req->conn, &st, "SELECT id, community_id FROM users WHERE username = $1 AND disabled = 0", "t",
                       rs->username);
    if (rc != STORE_ROW && rc != STORE_DONE) return http_fail_internal(req, "reset user");
    if (rc == STORE_ROW) {
        uid = store_col_int(st, 0);
        community = store_col_int(st, 1);
        store_done(st);
    }
    char code[RESET_LEN + 1], hash[65];
    if (uid && normalize_code(rs->code, code, RESET_LEN)) {
        code_hash(req, arena_printf(req->a, "reset:%lld", (long long)uid), code, hash);
        rc = store_run(req->conn, &st, "SELECT id, expires_at, used_at FROM reset_codes WHERE user_id = $1 "
                                       "AND code_hash = $2 ORDER BY id DESC", "it", uid, hash);
        if (rc != STORE_ROW && rc != STORE_DONE) return http_fail_internal(req, "reset code read");
        if (rc == STORE_ROW) {
            code_id = store_col_int(st, 0);
            expires = store_col_int(st, 1);
            used = !store_col_null(st, 2);
            store_done(st);
        }
    }
    req->actor.community_id = community;
    if (!code_id) {
        int64_t nu = throttle_count(req, reset_ukey(req, rs->username)), na = throttle_count(req, reset_akey(req));
        if (nu < 0 || na < 0) return http_fail_internal(req, "throttle");
        json_t *d = json_pack("{s:s}", "reason", uid ? "wrong_code" : "unknown_user");
        rc = audit_write(req, "password_reset_failed", "user", uid, d);
        json_decref(d);
        if (rc) return http_fail_internal(req, "audit");
        if (nu > req->cfg->login_fail_account || na > req->cfg->login_fail_address)
            fail_throttled(req, req->cfg->login_window_s);
        else
            http_fail_field(req, "code", "codes.err.reset_wrong");
        return 0;   /* keep the counters and the audit entry */
    }
    if (used) return http_fail(req, 409, "conflict", "code", "codes.err.reset_used");
    if (expires <= clock_now_us()) return http_fail(req, 409, "conflict", "code", "codes.err.reset_expired");
    int64_t now = clock_now_us();
    /* A forgotten password may also be a stolen one: every session and every API token
     * ends (accounts_set_password), and the answer says how many tokens, once. */
    int64_t revoked = 0;
    if (accounts_set_password(req->conn, uid, rs->hash, &revoked) != 0 ||
        store_run(req->conn, NULL, "UPDATE reset_codes SET used_at = $1 WHERE id = $2", "ii", now, code_id) !=
            STORE_DONE)
        return http_fail_internal(req, "reset");
    if (store_run(req->conn, NULL, "DELETE FROM login_failures WHERE key = $1 OR key = $2", "tt",
                  arena_printf(req->a, "u:%s", rs->username), reset_ukey(req, rs->username)) != STORE_DONE)
        return http_fail_internal(req, "reset sessions");
    req->actor.user_id = uid;
    http_audit_target(req, "user", uid, json_pack("{s:I, s:I}", "reset_code_id", (json_int_t)code_id,
                                               "tokens_revoked", (json_int_t)revoked));
    return http_reply(req, 200, json_pack("{s:b, s:I}", "ok", 1, "tokens_revoked", (json_int_t)revoked));
}

/* ---------------------------------------------------------------- sign-ups */

static int signup_communities(http_req *req)
{
    json_t *items = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT id, name FROM communities ORDER BY id LIMIT 500");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    while (store_step(st) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0),
                                               "name", store_col_text(st, 1)));
    store_done(st);
    return http_reply(req, 200, json_pack("{s:o}", "communities", items));
}

static const char *signup_key(http_req *req) { return arena_printf(req->a, "signup:a:%s", req->address); }

static int signup_prepare(http_req *req)
{
    new_account *na = arena_alloc(req->a, sizeof *na);
    req->scratch = na;
    if (throttled_or_reply(req, signup_key(req), SIGNUPS_PER_ADDRESS)) return -1;
    bool has_community;
    if (!http_body_int_opt(req, "community_id", 1, INT64_MAX, &na->community_id, &has_community)) return -1;
    if (!body_username(req, &na->username)) return -1;
    if (!http_body_str(req, "name", 1, 64, &na->name)) return -1;
    if (!http_body_str(req, "phone", 1, 32, &na->phone)) return -1;
    const char *why = validate_phone(na->phone);
    if (why) return http_fail_field(req, "phone", why);
    if (!http_body_str(req, "claimed_address", 1, 200, &na->address)) return -1;
    if (!body_language(req, &na->language)) return -1;
    if (has_community) {
        if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM communities WHERE id = $1", "i", na->community_id))
            return http_fail_field(req, "community_id", "codes.err.community");
    } else {
        /* An instance with one community needs no choice. */
        if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM communities", "") != 1)
            return http_fail_field(req, "community_id", "codes.err.community");
        na->community_id = store_query_int(req->conn, 0, "SELECT MIN(id) FROM communities", "");
    }
    if (!username_free(req, na->username)) return -1;
    if (!body_password(req, "password", na->hash)) return -1;
    return 0;
}

static int signup_handler(http_req *req)
{
    new_account *na = req->scratch;
    const char *key = signup_key(req);
    if (throttled_or_reply(req, key, SIGNUPS_PER_ADDRESS)) return -1;
    if (throttle_count(req, key) < 0) return http_fail_internal(req, "throttle");
    int64_t uid = user_insert(req, na->community_id, na->username, na->name, na->hash, na->language);
    if (!uid) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st,
                  "INSERT INTO signups (community_id, user_id, name, phone, claimed_address, created_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                  "iittti", na->community_id, uid, na->name, na->phone, na->address, clock_now_us()) != STORE_ROW)
        return http_fail_internal(req, "signup insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    req->actor.user_id = uid;
    req->actor.community_id = na->community_id;
    http_audit_target(req, "signup", id, json_pack("{s:I}", "user_id", (json_int_t)uid));
    return http_reply(req, 201, json_pack("{s:{s:I, s:s, s:s}}", "signup", "id", (json_int_t)id, "state", "pending",
                                          "username", na->username));
}

#define SIGNUP_COLS                                                                                                    \
    "SELECT s.id, u.username, s.user_id, s.name, s.phone, s.claimed_address, s.state, s.household_id, "                \
    "s.resident_id, s.created_at, s.decided_at, h.room, b.name, s.reason FROM signups s JOIN users u ON u.id = "       \
    "s.user_id "                                                                                                       \
    "LEFT JOIN households h ON h.id = s.household_id LEFT JOIN blocks b ON b.id = h.block_id "

static json_t *signup_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *it = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0),
                           "username", store_col_text(st, 1), "user_id", (json_int_t)store_col_int(st, 2),
                           "name", store_col_text(st, 3), "phone", store_col_text(st, 4),
                           "claimed_address", store_col_text(st, 5), "state", store_col_text(st, 6),
                           "created_at", (json_int_t)store_col_int(st, 9));
    json_object_set_new(it, "household_id", store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)));
    json_object_set_new(it, "resident_id", store_col_null(st, 8) ? json_null() : json_integer(store_col_int(st, 8)));
    json_object_set_new(it, "decided_at", store_col_null(st, 10) ? json_null() : json_integer(store_col_int(st, 10)));
    json_object_set_new(it, "room", store_col_null(st, 11) ? json_null() : json_string(store_col_text(st, 11)));
    json_object_set_new(it, "block_name", store_col_null(st, 12) ? json_null() : json_string(store_col_text(st, 12)));
    json_object_set_new(it, "reason", store_col_null(st, 13) ? json_null() : json_string(store_col_text(st, 13)));
    return it;
}

static const list_column signup_columns[] = {
    {"id", "col.id"}, {"username", "codes.col.username"}, {"name", "reg.col.name"}, {"phone", "reg.col.phone"},
    {"claimed_address", "codes.col.claimed_address"}, {"state", "codes.col.state"}, {"room", "reg.col.room"}, {0, 0},
};

static int signups_list(http_req *req)
{
    const char *state = http_query(req, "state");
    if (state && *state && strcmp(state, "pending") && strcmp(state, "approved") && strcmp(state, "rejected"))
        return http_fail_field(req, "state", "codes.err.signup_state");
    int64_t limit = http_list_limit(req), next = 0;
    store_stmt *st = store_prepare(req->conn, SIGNUP_COLS "WHERE s.community_id = $1 AND ($2 = '' OR s.state = $2) "
                                              "AND s.id > $3 ORDER BY s.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, state ? state : "");
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    json_t *items = http_list_collect(st, limit, signup_item, NULL, &next);
    return http_reply_list(req, "codes.list.signups", signup_columns, items, next);
}

static json_t *signup_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, SIGNUP_COLS "WHERE s.id = $1 AND s.community_id = $2");
    if (!st) return NULL;
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, req->actor.community_id);
    json_t *it = store_step(st) == STORE_ROW ? signup_item(st, NULL) : NULL;
    store_done(st);
    return it;
}

/* The pending sign-up of the path; 0 with 404/409 set. Returns its user id. */
static int64_t signup_pending(http_req *req, int64_t *id)
{
    if (!http_param_id(req, "id", id)) return 0;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT user_id, state FROM signups WHERE id = $1 AND community_id = $2", "ii",
                       *id, req->actor.community_id);
    if (rc != STORE_ROW) {
        if (rc == STORE_DONE) http_fail_not_found(req);
        else http_fail_internal(req, "signup read");
        return 0;
    }
    int64_t uid = store_col_int(st, 0);
    bool pending = !strcmp(store_col_text(st, 1), "pending");
    store_done(st);
    if (!pending) {
        http_fail(req, 409, "conflict", "state", "codes.err.signup_decided");
        return 0;
    }
    return uid;
}

static int signup_decide(http_req *req, int64_t id, const char *state, int64_t household, int64_t resident)
{
    store_stmt *st = store_prepare(req->conn, "UPDATE signups SET state = $1, household_id = $2, resident_id = $3, "
                                              "decided_by = $4, decided_at = $5 WHERE id = $6");
    if (!st) return http_fail_internal(req, "signup update");
    store_bind_text(st, 1, state);
    if (household) store_bind_int(st, 2, household); else store_bind_null(st, 2);
    if (resident) store_bind_int(st, 3, resident); else store_bind_null(st, 3);
    store_bind_int(st, 4, req->actor.user_id);
    store_bind_int(st, 5, clock_now_us());
    store_bind_int(st, 6, id);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return http_fail_internal(req, "signup update");
    json_t *it = signup_read(req, id);
    return it ? http_reply(req, 200, json_pack("{s:o}", "signup", it)) : http_fail_internal(req, "signup read");
}

static int signup_approve(http_req *req)
{
    int64_t id, household = 0, resident = 0;
    bool has_household;
    int64_t uid = signup_pending(req, &id);
    if (!uid) return -1;
    if (!http_body_int_opt(req, "household_id", 1, INT64_MAX, &household, &has_household)) return -1;
    if (!has_household) return http_fail_field(req, "household_id", "err.required");
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &resident, NULL)) return -1;
    if (!scope_household_visible(req, household))
        return http_fail(req, 404, "not_found", "household_id", "err.not_found");
    if (resident && !resident_for_account(req, req->actor.community_id, household, resident)) return -1;
    if (link_resident(req, req->actor.community_id, uid, household, resident)) return -1;
    if (resident) req->on_behalf_of = resident;
    json_t *d = json_pack("{s:I, s:I}", "user_id", (json_int_t)uid, "household_id", (json_int_t)household);
    if (resident) json_object_set_new(d, "resident_id", json_integer(resident));
    http_audit_target(req, "signup", id, d);
    return signup_decide(req, id, "approved", household, resident);
}

/* The households a sign-up may belong to, best first: those where one of the residents
 * has the phone the person gave, then those whose room and block name the address they
 * gave contains, then the room alone, then the block alone (at most 20). ?q= searches
 * with other words than the address given. Each comes with its residents (not moved
 * out), whether they have an account, so staff see whom they link the person to. */
static int signup_households(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT claimed_address, phone FROM signups WHERE id = $1 AND community_id = $2",
                       "ii", id, req->actor.community_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "signup read");
    const char *q = http_query(req, "q");
    const char *address = arena_strdup(req->a, q && *q ? q : store_col_text(st, 0));
    const char *phone = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    st = store_prepare(req->conn,
        "SELECT id, block_name, room, score FROM (SELECT h.id, b.name AS block_name, h.room, "
        "(CASE WHEN EXISTS (SELECT 1 FROM residents r WHERE r.community_id = h.community_id AND r.household_id = h.id "
        "AND r.moved_out_at IS NULL AND r.phone = $3) THEN 4 ELSE 0 END) + "
        "(CASE WHEN $2 LIKE '%' || h.room || '%' THEN 2 ELSE 0 END) + "
        "(CASE WHEN $2 LIKE '%' || b.name || '%' THEN 1 ELSE 0 END) AS score "
        "FROM households h JOIN blocks b ON b.id = h.block_id WHERE h.community_id = $1) x "
        "WHERE score > 0 ORDER BY score DESC, block_name, room, id LIMIT 20");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, address);
    store_bind_text(st, 3, phone);
    json_t *items = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t score = store_col_int(st, 3);
        json_t *why = json_array();
        if (score & 4) json_array_append_new(why, json_string("phone"));
        if (score & 2) json_array_append_new(why, json_string("room"));
        if (score & 1) json_array_append_new(why, json_string("block"));
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)store_col_int(st, 0),
                                               "block_name", store_col_text(st, 1), "room", store_col_text(st, 2),
                                               "matched", why));
    }
    store_done(st);
    if (rc != STORE_DONE) {
        json_decref(items);
        return http_fail_internal(req, "signup households");
    }
    /* The members, in a second pass: the statement above is done with the connection. */
    store_stmt *rs = store_prepare(req->conn,
        "SELECT r.id, r.name, r.birth_year, EXISTS (SELECT 1 FROM resident_accounts a WHERE a.community_id = "
        "r.community_id AND a.resident_id = r.id) FROM residents r WHERE r.community_id = $1 AND r.household_id = $2 "
        "AND r.moved_out_at IS NULL ORDER BY r.id");
    if (!rs) {
        json_decref(items);
        return http_fail_internal(req, store_errmsg(req->conn));
    }
    size_t i;
    json_t *h;
    json_array_foreach(items, i, h) {
        json_t *members = json_array();
        store_bind_int(rs, 1, req->actor.community_id);
        store_bind_int(rs, 2, json_integer_value(json_object_get(h, "id")));
        while (store_step(rs) == STORE_ROW) {
            json_t *m = json_pack("{s:I, s:s, s:b}", "id", (json_int_t)store_col_int(rs, 0), "name",
                                  store_col_text(rs, 1), "has_account", store_col_int(rs, 3) != 0);
            json_object_set_new(m, "birth_year",
                                store_col_null(rs, 2) ? json_null() : json_integer(store_col_int(rs, 2)));
            json_array_append_new(members, m);
        }
        store_done(rs);
        json_object_set_new(h, "residents", members);
    }
    return http_reply(req, 200, json_pack("{s:o, s:s}", "items", items, "searched", address));
}

static int signup_reject(http_req *req)
{
    int64_t id;
    const char *reason = NULL;
    int64_t uid = signup_pending(req, &id);
    if (!uid) return -1;
    if (!http_body_str_opt(req, "reason", 0, 200, &reason)) return -1;
    /* The account stays, without a role: it reaches nothing but its own waiting page,
     * which tells the person the request was refused, why, and to ask their block
     * leader for an invite code instead. */
    if (reason && *reason &&
        store_run(req->conn, NULL, "UPDATE signups SET reason = $1 WHERE id = $2", "ti", reason, id) != STORE_DONE)
        return http_fail_internal(req, "signup reason");
    http_audit_target(req, "signup", id,
                      json_pack("{s:I, s:b}", "user_id", (json_int_t)uid, "reason", reason && *reason));
    return signup_decide(req, id, "rejected", 0, 0);
}

/* ---------------------------------------------------------------- routes */

#define PUBLIC_WRITE (ROUTE_PUBLIC | ROUTE_WRITE | ROUTE_NO_CSRF | ROUTE_NO_REPLAY)

const http_route codes_routes[] = {
    {"GET", "/api/v1/blocks/{id}/door-plates", NULL, door_plates_view, REGISTRY_LEADERS, 0, 0, NULL},
    {"POST", "/api/v1/blocks/{id}/door-plates", NULL, door_plates_issue, REGISTRY_LEADERS,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 1024, "codes.door_plates"},
    {"GET", "/api/v1/blocks/{id}/personal-codes", NULL, personal_codes_view, REGISTRY_LEADERS, 0, 0, NULL},
    {"POST", "/api/v1/blocks/{id}/personal-codes", NULL, personal_codes_issue, REGISTRY_LEADERS,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 1024, "codes.personal_codes"},
    {"GET", "/api/v1/codes/settings", NULL, codes_settings_get, REGISTRY_LEADERS, 0, 0, NULL},
    {"PATCH", "/api/v1/codes/settings", NULL, codes_settings_update, ROLE_COMMITTEE, ROUTE_WRITE, 1024,
     "codes.settings"},
    {"GET", "/api/v1/codes/resolve", NULL, codes_resolve_route, REGISTRY_LEADERS, 0, 0, NULL},
    {"POST", "/api/v1/households/{id}/scan-code", NULL, scan_regenerate_household, REGISTRY_LEADERS, ROUTE_WRITE, 1024,
     "scan_code.regenerate"},
    {"POST", "/api/v1/residents/{id}/scan-code", NULL, scan_regenerate_resident, REGISTRY_LEADERS, ROUTE_WRITE, 1024,
     "scan_code.regenerate"},
    {"POST", "/api/v1/residents/{id}/reset-code", NULL, reset_code_issue, REGISTRY_LEADERS,
     ROUTE_WRITE | ROUTE_NO_REPLAY, 1024, "reset_code.issue"},
    {"GET", "/api/v1/join/{code}", NULL, join_lookup, 0, PUBLIC_WRITE, 0, "invite.view"},
    {"POST", "/api/v1/join", join_prepare, join_handler, 0, PUBLIC_WRITE, 4096, "account.join"},
    {"POST", "/api/v1/password-reset", reset_prepare, reset_handler, 0, PUBLIC_WRITE, 4096, "password_reset"},
    {"GET", "/api/v1/signup/communities", NULL, signup_communities, 0, ROUTE_PUBLIC, 0, NULL},
    {"POST", "/api/v1/signup", signup_prepare, signup_handler, 0, PUBLIC_WRITE, 4096, "signup.create"},
    {"GET", "/api/v1/signups", NULL, signups_list, ROLE_COMMITTEE, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/signups/{id}/households", NULL, signup_households, ROLE_COMMITTEE, 0, 0, NULL},
    {"POST", "/api/v1/signups/{id}/approve", NULL, signup_approve, ROLE_COMMITTEE, ROUTE_WRITE, 1024, "signup.approve"},
    {"POST", "/api/v1/signups/{id}/reject", NULL, signup_reject, ROLE_COMMITTEE, ROUTE_WRITE, 1024, "signup.reject"},
    {0},
};

const i18n_entry codes_messages[] = {
    {"codes.err.throttled", "尝试次数过多，请稍后再试", "Too many attempts; try again later"},
    {"codes.err.no_field_key", "服务器未配置加密密钥，无法生成可打印的码",
     "No field encryption key is configured: printable codes cannot be made"},
    {"codes.err.payload", "不是守望的扫码内容（应为 SW1:H:… 或 SW1:R:…）",
     "Not a Shouwang scan code (SW1:H:… or SW1:R:…)"},
    {"codes.err.invite_unknown", "邀请码不正确，请核对门牌上的邀请码",
     "This invite code is not valid; check the code on your door plate"},
    {"codes.err.invite_expired", "邀请码已过期，请向楼组长索取新的门牌码",
     "This invite code has expired; ask your block leader for a new door plate"},
    {"codes.err.invite_replaced", "此邀请码已被新打印的邀请码取代，请使用最新门牌上的码",
     "This invite code was replaced by a newer one; use the code on the latest door plate"},
    {"codes.err.invite_used", "这户的每位居民都已用邀请码注册了账号",
     "Every resident of this household already has an account"},
    {"codes.err.resident_not_here", "请从这户的居民中选择您自己",
     "Choose yourself among the residents of this household"},
    {"codes.err.resident_has_account", "这位居民已经有账号了；忘记密码请联系楼组长",
     "This resident already has an account; if you forgot the password, ask your block leader"},
    {"codes.err.username_taken", "该用户名已被使用", "This username is taken"},
    {"codes.err.no_account", "这位居民还没有账号", "This resident has no account yet"},
    {"codes.err.reset_staff", "工作人员和楼组长的账号请由居委会重置密码",
     "Staff and leader accounts are reset by the committee"},
    {"codes.err.reset_outside", "该账号还能访问您负责范围以外的住户，请由居委会重置密码",
     "This account also reaches a household outside your scope; the committee resets its password"},
    {"codes.err.reset_wrong", "用户名或重置码不正确", "Wrong username or reset code"},
    {"codes.err.reset_used", "该重置码已使用过，请向楼组长索取新的",
     "This reset code was already used; ask your block leader for a new one"},
    {"codes.err.reset_expired", "该重置码已过期（有效期 24 小时），请向楼组长索取新的",
     "This reset code has expired (valid 24 hours); ask your block leader for a new one"},
    {"codes.err.community", "请选择社区", "Choose a community"},
    {"codes.err.signup_state", "状态只能是 pending、approved 或 rejected",
     "state must be pending, approved or rejected"},
    {"codes.err.signup_decided", "该注册申请已处理过", "This sign-up was already decided"},
    {"codes.list.signups", "注册申请", "Sign-ups"},
    {"codes.col.username", "用户名", "Username"},
    {"codes.col.claimed_address", "自报地址", "Address given"},
    {"codes.col.state", "状态", "State"},
    {"codes.sheet.door_plates", "门牌码", "Door plates"},
    {"codes.sheet.door_note",
     "每户一张：左边是门牌扫码（检测点、门岗使用），右边是居民注册账号用的邀请码。沿虚线剪开，贴在门上或交给住户。",
     "One card per household: on the left the door code (scanned at stations and gates), on the right the invite code "
     "with which residents make their accounts. Cut along the dashed lines; stick on the door or hand to the "
     "household."},
    {"codes.sheet.scan_caption", "门牌码（扫码用）", "Door code (for scanning)"},
    {"codes.sheet.invite_caption", "扫码或输入邀请码注册账号", "Scan, or type the invite code, to make your account"},
    {"codes.sheet.valid_until", "有效期至", "Valid until"},
    {"codes.sheet.all_joined", "这户的居民都已有账号。", "Every resident of this household has an account."},
    {"codes.sheet.empty", "这个楼组还没有住户。", "This block has no households yet."},
    {"codes.sheet.personal_codes", "个人码（无智能手机居民）", "Personal codes (residents without a smartphone)"},
    {"codes.sheet.personal_note",
     "发给没有智能手机的居民：在核酸检测点、门岗出示此卡即可扫码。遗失请联系楼组长重新打印。",
     "For residents without a smartphone: show this card at the testing station or gate to be scanned. "
     "If it is lost, the block leader prints a new one."},
    {"codes.sheet.not_issued", "尚未发码：请在楼组页面点“发码并打印”",
     "No code issued yet: use \"Issue and print\" on the block page"},
    {"codes.sheet.personal_caption", "在检测点出示此码", "Show this code at the testing station"},
    {"codes.sheet.no_personal", "这个楼组没有标记为无智能手机的居民。",
     "No resident of this block is flagged as having no smartphone."},
    {0, 0, 0},
};
