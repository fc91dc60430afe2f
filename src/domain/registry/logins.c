/* logins.c — logins made from the app, for the people who lead and live in the blocks:
 * an account for the holder of a post on the structure page (a zone or block leader, a
 * courtyard committee member), for a resident from their record (as a resident, or as a
 * volunteer), or a new slip for an account that exists. Owns login_slips
 * (015_login_slips.sql); the login routes of src/http/auth.c honour what it sets.
 *
 * A slip is printed (an A5 page, like the code sheets of codes.c) with the community,
 * the name, the post, the login, a one-time password (ten digits, typed on any phone)
 * and the QR of a one-time login link. Rules, documented in docs/api.md ("Logins made
 * from the app"):
 * - The one-time password becomes the account's password and must_change_password is
 *   set: a session of the account reaches only "me", logout and setting its password
 *   until the person chose their own (POST /me/first-password).
 * - A slip works once (the password or the link, whichever comes first), for 7 days; a
 *   new slip revokes the older ones and ends the account's sessions and API tokens.
 * - Committee staff make logins for the whole community; a zone leader for the posts of
 *   the blocks of their zones and the residents living there, and new slips only for
 *   accounts whose every role lies there; a block leader makes none (403). A staff
 *   account (committee, superuser) gets no slip: `shouwang user passwd`.
 * - The slip can be printed again while it is live: its secrets are kept encrypted
 *   under the field key (without one, 503, as for the code sheets). */
#include "registry_int.h"
#include "../accounts/accounts.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/qr.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLIP_DAYS 7
#define SLIP_DIGITS 10        /* 33 bits, behind the login throttling, for 7 days */
#define DAY_US (86400LL * 1000000)

/* Where an actor may make logins: committee staff the community, a zone leader the
 * blocks of their zones. Binds $1 community, $2 user; b is the block. */
#define LOGIN_BLOCK_SCOPE \
    "b.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = $2 " \
    "AND ra.community_id = $1 AND (ra.role = 'committee' " \
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id = b.zone_id)))"

/* What the prepare step makes on the HTTP thread (hashing takes ~50 ms). */
typedef struct slip_new {
    char password[SLIP_DIGITS + 1];
    char hash[128];
    char token[44], link_hash[65];
    const char *username;     /* stored form, or NULL when not given */
    const char *language;
    bool volunteer;           /* a resident's login with the volunteer role too */
} slip_new;

static int slip_prepare(http_req *req)
{
    slip_new *sn = arena_alloc(req->a, sizeof *sn);
    memset(sn, 0, sizeof *sn);
    const char *username = NULL, *role = NULL;
    if (!http_body_str_opt(req, "username", 1, 64, &username)) return -1;
    if (username) {
        char *login = arena_alloc(req->a, VALIDATE_LOGIN_MAX);
        const char *why = validate_login_name(username, login);
        if (why) return http_fail_field(req, "username", why);
        sn->username = login;
    }
    sn->language = req->lang == LANG_EN ? "en" : "zh-CN";
    if (!http_body_str_opt(req, "language", 1, 8, &sn->language)) return -1;
    if (validate_lang(sn->language)) return http_fail_field(req, "language", "err.lang");
    if (!http_body_str_opt(req, "role", 1, 16, &role)) return -1;
    if (role && strcmp(role, "resident") && strcmp(role, "volunteer"))
        return http_fail_field(req, "role", "logins.err.role");
    sn->volunteer = role && !strcmp(role, "volunteer");
    for (int i = 0; i < SLIP_DIGITS; i++) sn->password[i] = (char)('0' + randombytes_uniform(10));
    sn->password[SLIP_DIGITS] = 0;
    if (secret_password_hash(sn->password, sn->hash)) return http_fail_internal(req, "hash");
    secret_token(sn->token);
    secret_token_hash(sn->token, sn->link_hash);
    req->scratch = sn;
    return 0;
}

/* "4827193605" -> "48271 93605": read aloud and typed in two halves. */
static char *password_grouped(http_req *req, const char *p)
{
    return arena_printf(req->a, "%.5s %s", p, p + 5);
}

static char *slip_link(http_req *req, const char *token)
{
    return arena_printf(req->a, "%s/first-login?token=%s", codes_base_url(req), token);
}

/* Makes the slip of account uid: its one-time password becomes the password (sessions
 * and API tokens end), the account must set its own at first login, older live slips
 * are revoked. Adds slip_id, revoked_slip_ids and tokens_revoked to the audit detail
 * (which the caller writes). Returns the slip id, or 0 with the reply set. */
static int64_t slip_issue(http_req *req, const slip_new *sn, int64_t uid, const char *post_title,
                          int64_t resident_id, int64_t *expires, json_t *detail)
{
    char *secret = arena_printf(req->a, "%s %s", sn->password, sn->token);
    char *cipher = secret_encrypt(req->cfg, secret);
    sodium_memzero(secret, strlen(secret));
    if (!cipher) return http_fail(req, 503, "unavailable", "slip", "codes.err.no_field_key"), 0;
    int64_t now = clock_now_us(), tokens = 0, id = 0;
    *expires = now + SLIP_DAYS * DAY_US;
    json_t *revoked = json_array();
    json_object_set_new(detail, "revoked_slip_ids", revoked);
    store_stmt *st;
    int rc = store_run(req->conn, &st, "UPDATE login_slips SET revoked_at = $1 WHERE community_id = $2 "
                                       "AND user_id = $3 AND used_at IS NULL AND revoked_at IS NULL RETURNING id",
                       "iii", now, req->actor.community_id, uid);
    if (rc == STORE_ROW) {
        do json_array_append_new(revoked, json_integer(store_col_int(st, 0)));
        while ((rc = store_step(st)) == STORE_ROW);
        store_done(st);
    }
    if (rc == STORE_DONE && !accounts_set_password(req->conn, uid, sn->hash, &tokens) &&
        store_run(req->conn, NULL, "UPDATE users SET must_change_password = 1 WHERE id = $1", "i", uid) == STORE_DONE &&
        (st = store_prepare(req->conn, "INSERT INTO login_slips (community_id, user_id, link_hash, secret_cipher, "
                                       "post_title, resident_id, created_by, created_at, expires_at) "
                                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"))) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, uid);
        store_bind_text(st, 3, sn->link_hash);
        store_bind_text(st, 4, cipher);
        if (post_title) store_bind_text(st, 5, post_title); else store_bind_null(st, 5);
        if (resident_id) store_bind_int(st, 6, resident_id); else store_bind_null(st, 6);
        store_bind_int(st, 7, req->actor.user_id);
        store_bind_int(st, 8, now);
        store_bind_int(st, 9, *expires);
        if (store_step(st) == STORE_ROW) id = store_col_int(st, 0);
        store_done(st);
    }
    free(cipher);
    if (!id) return http_fail_internal(req, "slip insert"), 0;
    json_object_set_new(detail, "slip_id", json_integer(id));
    json_object_set_new(detail, "tokens_revoked", json_integer(tokens));
    return id;
}

/* 201 {"user": {...}, "slip": {...}}: the slip's secrets are in the answer once (the
 * route keeps no answer for an Idempotency-Key), and on its printable page. */
static int slip_reply(http_req *req, int64_t uid, int64_t slip_id, const slip_new *sn, int64_t expires)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT username, display_name FROM users WHERE id = $1", "i", uid) != STORE_ROW)
        return http_fail_internal(req, "user read");
    json_t *user = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)uid, "username", store_col_text(st, 0),
                             "display_name", store_col_text(st, 1));
    json_t *slip = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)slip_id,
                             "username", store_col_text(st, 0), "password", password_grouped(req, sn->password),
                             "link", slip_link(req, sn->token), "expires_at", (json_int_t)expires,
                             "expires_on", codes_date_text(req, expires),
                             "url", arena_printf(req->a, "/api/v1/login-slips/%lld", (long long)slip_id));
    store_done(st);
    return http_reply(req, 201, json_pack("{s:o, s:o}", "user", user, "slip", slip));
}

/* 409 that names the account the person already has, so the page can link to it. */
static int fail_has_login(http_req *req, const char *field, const char *key, int64_t uid)
{
    http_fail(req, 409, "conflict", field, key);
    json_object_set_new(req->out, "user_id", json_integer(uid));
    return -1;
}

/* A new account with the slip's hash as its password; 0 with the reply set. */
static int64_t login_create(http_req *req, const slip_new *sn, const char *display_name)
{
    if (!sn->username) return http_fail_field(req, "username", "err.required"), 0;
    int64_t taken = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM users WHERE username = $1", "t",
                                    sn->username);
    if (taken < 0) return http_fail_internal(req, "user read"), 0;
    if (taken) return http_fail(req, 409, "conflict", "username", "err.username_taken"), 0;
    int64_t uid;
    int rc = accounts_create_user_hashed(req->conn, req->actor.community_id, sn->username, display_name, sn->hash,
                                         sn->language, &uid);
    if (rc == STORE_CONSTRAINT) return http_fail(req, 409, "conflict", "username", "err.username_taken"), 0;
    return rc ? (http_fail_internal(req, "user insert"), 0) : uid;
}

/* Links a resident record to a new account and gives it the resident role over the
 * household, as joining with an invite code does. -1 with the reply set. */
static int link_resident(http_req *req, int64_t uid, int64_t resident_id, int64_t household_id)
{
    if (accounts_assign_role(req->conn, req->actor.community_id, uid, "resident", "household", household_id) ||
        store_run(req->conn, NULL, "INSERT INTO resident_accounts (community_id, resident_id, user_id, created_at) "
                                   "VALUES ($1, $2, $3, $4)",
                  "iiii", req->actor.community_id, resident_id, uid, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "resident link");
    return 0;
}

/* ---------------------------------------------------------------- from a post */

/* The post {id} as the actor may make its login: any post for committee staff, a
 * post of a block of their zones for a zone leader. */
typedef struct post_row {
    int64_t zone_id, block_id, resident_id, user_id, household_id, resident_user;
    const char *position, *name, *place, *kind;
    bool moved_out;
} post_row;

static int post_read(http_req *req, int64_t id, post_row *p)
{
    store_stmt *st = store_prepare(req->conn,
        "SELECT COALESCE(sl.zone_id, 0), COALESCE(sl.block_id, 0), COALESCE(sl.resident_id, 0), "
        "COALESCE(sl.user_id, 0), COALESCE(r.household_id, 0), sl.position, COALESCE(r.name, u.display_name), "
        "COALESCE(b.name, z.name), COALESCE(b.kind, 'zone'), r.moved_out_at, "
        "(SELECT a.user_id FROM resident_accounts a WHERE a.community_id = sl.community_id "
        "AND a.resident_id = sl.resident_id) "
        "FROM structure_leaders sl LEFT JOIN blocks b ON b.id = sl.block_id LEFT JOIN zones z ON z.id = sl.zone_id "
        "LEFT JOIN residents r ON r.id = sl.resident_id LEFT JOIN users u ON u.id = sl.user_id "
        "WHERE sl.id = $3 AND sl.community_id = $1 AND EXISTS (SELECT 1 FROM role_assignments ra "
        "WHERE ra.user_id = $2 AND ra.community_id = $1 AND (ra.role = 'committee' OR (ra.role = 'zone_leader' "
        "AND ra.scope_kind = 'zone' AND sl.block_id IS NOT NULL AND ra.scope_id = b.zone_id)))");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        p->zone_id = store_col_int(st, 0);
        p->block_id = store_col_int(st, 1);
        p->resident_id = store_col_int(st, 2);
        p->user_id = store_col_int(st, 3);
        p->household_id = store_col_int(st, 4);
        p->position = arena_strdup(req->a, store_col_text(st, 5));
        p->name = arena_strdup(req->a, store_col_text(st, 6) ? store_col_text(st, 6) : "");
        p->place = arena_strdup(req->a, store_col_text(st, 7));
        p->kind = arena_strdup(req->a, store_col_text(st, 8));
        p->moved_out = !store_col_null(st, 9);
        p->resident_user = store_col_null(st, 10) ? 0 : store_col_int(st, 10);
    }
    store_done(st);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    return rc == STORE_ROW ? 0 : http_fail_internal(req, "post read");
}

/* "1号楼1单元 · 楼组长": the post as the slip prints it. */
static const char *post_title(http_req *req, const post_row *p)
{
    const char *key = p->zone_id ? (!strcmp(p->position, "deputy") ? "structure.pos.zone_deputy"
                                                                    : "structure.pos.zone_leader")
                    : !strcmp(p->kind, "courtyard") ? (!strcmp(p->position, "leader") ? "structure.pos.courtyard_leader"
                                                                                       : "logins.pos.member")
                    : "structure.pos.block_leader";
    return arena_printf(req->a, "%s · %s", p->place, i18n_text(req->lang, key));
}

/* The scope the post gives its account (as structure.c's PUT does). */
static int post_link_account(http_req *req, int64_t post_id, const post_row *p, int64_t uid)
{
    if (store_run(req->conn, NULL, "UPDATE structure_leaders SET user_id = $1 WHERE id = $2 AND community_id = $3",
                  "iii", uid, post_id, req->actor.community_id) != STORE_DONE ||
        accounts_assign_role(req->conn, req->actor.community_id, uid, p->zone_id ? "zone_leader" : "block_leader",
                             p->zone_id ? "zone" : "block", p->zone_id ? p->zone_id : p->block_id))
        return http_fail_internal(req, "post account");
    return 0;
}

static int post_login(http_req *req)
{
    slip_new *sn = req->scratch;
    int64_t id, expires;
    post_row p = {0};
    if (!http_param_id(req, "id", &id) || post_read(req, id, &p)) return -1;
    if (p.user_id) return fail_has_login(req, "user_id", "logins.err.post_has_login", p.user_id);
    req->on_behalf_of = p.resident_id;
    if (p.resident_user) {
        /* The person has a login already (as a resident): the post takes that account. */
        if (post_link_account(req, id, &p, p.resident_user)) return -1;
        http_audit_target(req, "user", p.resident_user, json_pack("{s:I, s:b}", "post_id", (json_int_t)id,
                                                               "linked_existing", 1));
        json_t *me = auth_me_json(req, p.resident_user, NULL);
        if (!me) return http_fail_internal(req, "user read");
        json_t *user = json_incref(json_object_get(me, "user"));
        json_decref(me);
        return http_reply(req, 200, json_pack("{s:o, s:n, s:b}", "user", user, "slip", "linked", 1));
    }
    int64_t uid = login_create(req, sn, p.name);
    if (!uid || post_link_account(req, id, &p, uid)) return -1;
    if (p.resident_id && !p.moved_out && link_resident(req, uid, p.resident_id, p.household_id)) return -1;
    json_t *detail = json_pack("{s:I}", "post_id", (json_int_t)id);
    http_audit_target(req, "user", uid, detail);
    int64_t slip = slip_issue(req, sn, uid, post_title(req, &p), p.resident_id, &expires, detail);
    return slip ? slip_reply(req, uid, slip, sn, expires) : -1;
}

/* ---------------------------------------------------------------- from a resident */

static int resident_login(http_req *req)
{
    slip_new *sn = req->scratch;
    int64_t rid, expires;
    if (!http_param_id(req, "id", &rid)) return -1;
    if (sn->volunteer && !actor_has(&req->actor, ROLE_COMMITTEE))
        return http_fail(req, 403, "forbidden", "role", "logins.err.volunteer");
    store_stmt *st = store_prepare(req->conn,
        "SELECT r.name, r.household_id, r.moved_out_at, (SELECT a.user_id FROM resident_accounts a "
        "WHERE a.community_id = r.community_id AND a.resident_id = r.id) FROM residents r "
        "JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "
        "WHERE r.id = $3 AND r.community_id = $1 AND " LOGIN_BLOCK_SCOPE);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, rid);
    int rc = store_step(st);
    if (rc != STORE_ROW) {
        store_done(st);
        return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "resident read");
    }
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    int64_t household = store_col_int(st, 1), has = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    bool moved = !store_col_null(st, 2);
    store_done(st);
    if (has) return fail_has_login(req, "resident_id", "logins.err.resident_has_login", has);
    if (moved) return http_fail(req, 409, "conflict", "resident_id", "logins.err.moved_out");
    int64_t uid = login_create(req, sn, name);
    if (!uid || link_resident(req, uid, rid, household)) return -1;
    if (sn->volunteer &&
        accounts_assign_role(req->conn, req->actor.community_id, uid, "volunteer", "community",
                             req->actor.community_id))
        return http_fail_internal(req, "volunteer role");
    req->on_behalf_of = rid;
    json_t *detail = json_pack("{s:I, s:s}", "resident_id", (json_int_t)rid, "role",
                               sn->volunteer ? "volunteer" : "resident");
    http_audit_target(req, "user", uid, detail);
    int64_t slip = slip_issue(req, sn, uid, i18n_text(req->lang, sn->volunteer ? "enum.volunteer" : "enum.resident"),
                              rid, &expires, detail);
    return slip ? slip_reply(req, uid, slip, sn, expires) : -1;
}

/* ---------------------------------------------------------------- a new slip */

/* A new slip for an account that exists (the person forgot the password, or the first
 * slip was lost). A zone leader reaches an account only when its every role is a block
 * of their zones or a household there. */
static int slip_again(http_req *req)
{
    slip_new *sn = req->scratch;
    int64_t uid, expires;
    if (!http_param_id(req, "id", &uid)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE id = $1 AND community_id = $2 "
                                       "AND disabled = 0", "ii", uid, req->actor.community_id))
        return http_fail_not_found(req);
    int64_t staff = store_query_int(req->conn, -1, "SELECT COUNT(*) FROM role_assignments WHERE user_id = $1 "
                                                   "AND role IN ('committee', 'superuser')", "i", uid);
    if (staff < 0) return http_fail_internal(req, "roles read");
    if (staff) return http_fail(req, 409, "conflict", "user_id", "logins.err.staff");
    if (!actor_has(&req->actor, ROLE_COMMITTEE)) {
        store_stmt *st = store_prepare(req->conn,
            "SELECT COUNT(*), SUM(CASE WHEN (x.role = 'block_leader' AND x.scope_kind = 'block' AND x.scope_id IN "
            "(SELECT b.id FROM blocks b WHERE " LOGIN_BLOCK_SCOPE ")) OR (x.role = 'resident' AND x.scope_kind = "
            "'household' AND x.scope_id IN (SELECT h.id FROM households h JOIN blocks b ON b.id = h.block_id WHERE "
            LOGIN_BLOCK_SCOPE ")) THEN 1 ELSE 0 END) FROM role_assignments x WHERE x.user_id = $3");
        if (!st) return http_fail_internal(req, store_errmsg(req->conn));
        scope_bind(req, st);
        store_bind_int(st, 3, uid);
        int64_t all = -1, inside = -1;
        if (store_step(st) == STORE_ROW) {
            all = store_col_int(st, 0);
            inside = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
        }
        store_done(st);
        if (all < 0) return http_fail_internal(req, "roles read");
        if (!all || inside != all) return http_fail_not_found(req);
    }
    json_t *detail = json_object();
    http_audit_target(req, "user", uid, detail);
    int64_t slip = slip_issue(req, sn, uid, NULL, 0, &expires, detail);
    return slip ? slip_reply(req, uid, slip, sn, expires) : -1;
}

/* ---------------------------------------------------------------- the printed slip */

static const char SLIP_CSS[] =
    "@page{size:A5;margin:12mm}"
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;color:#000}"
    ".slip{border:1px dashed #777;padding:6mm;max-width:130mm;margin:0 auto}"
    ".slip h1{font-size:15pt;margin:0 0 1mm}.slip .who{font-size:20pt;font-weight:bold;margin:2mm 0 0}"
    ".slip .post{font-size:11pt;margin:0 0 4mm}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:2mm 4mm;margin:0 0 4mm;font-size:12pt}"
    "dt{color:#333}dd{margin:0;overflow-wrap:anywhere}"
    ".secret{font-family:'DejaVu Sans Mono',monospace;font-size:18pt;font-weight:bold;letter-spacing:1px}"
    "figure{margin:0 0 3mm;text-align:center}.qr{width:42mm;height:42mm;display:block;margin:0 auto}"
    "figcaption{font-size:10pt}ol{font-size:10pt;padding-left:5mm;margin:0}.small{font-size:9pt;color:#333}"
    "@media screen{body{padding:4mm}}";

static void slip_row(buf *b, http_req *req, const char *label_key, const char *value, const char *cls)
{
    buf_puts(b, "<dt>");
    buf_html_escape(b, i18n_text(req->lang, label_key));
    buf_printf(b, "</dt><dd%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    buf_html_escape(b, value);
    buf_puts(b, "</dd>");
}

static void slip_text(buf *b, http_req *req, const char *tag, const char *key)
{
    buf_printf(b, "<%s>", tag);
    buf_html_escape(b, i18n_text(req->lang, key));
    buf_printf(b, "</%s>", tag);
}

/* GET /login-slips/{id}: the slip again while it lives, for committee staff or the
 * leader who made it. No script, no external asset; inline print CSS. */
static int slip_print(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st,
        "SELECT s.secret_cipher, s.post_title, s.expires_at, s.used_at, s.revoked_at, u.username, u.display_name "
        "FROM login_slips s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.community_id = $2 "
        "AND ($3 = 1 OR s.created_by = $4)",
        "iiii", id, req->actor.community_id, (int64_t)actor_has(&req->actor, ROLE_COMMITTEE), req->actor.user_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? http_fail_not_found(req) : http_fail_internal(req, "slip read");
    char *secret = secret_decrypt(req->cfg, store_col_text(st, 0));
    const char *title = store_col_null(st, 1) ? NULL : arena_strdup(req->a, store_col_text(st, 1));
    int64_t expires = store_col_int(st, 2);
    bool used = !store_col_null(st, 3), revoked = !store_col_null(st, 4);
    const char *username = arena_strdup(req->a, store_col_text(st, 5));
    const char *name = arena_strdup(req->a, store_col_text(st, 6));
    store_done(st);
    const char *why = used ? "logins.err.slip_used" : revoked ? "logins.err.slip_replaced"
                    : expires <= clock_now_us() ? "logins.err.slip_expired" : !secret ? "codes.err.no_field_key" : NULL;
    char *space = secret ? strchr(secret, ' ') : NULL;
    if (!why && !space) why = "codes.err.no_field_key";
    if (why) {
        if (secret) sodium_memzero(secret, strlen(secret));
        free(secret);
        return http_fail(req, 409, "conflict", "slip", why);
    }
    *space = 0;
    const char *password = password_grouped(req, secret), *link = slip_link(req, space + 1);
    sodium_memzero(secret, strlen(secret) + 1 + strlen(space + 1));
    free(secret);

    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>",
               req->lang == LANG_EN ? "en" : "zh-CN");
    buf_html_escape(&b, name);
    buf_puts(&b, " — ");
    buf_html_escape(&b, i18n_text(req->lang, "logins.slip.title"));
    buf_printf(&b, "</title><style>%s</style></head><body><main class=\"slip\" data-slip-id=\"%lld\"><h1>", SLIP_CSS,
               (long long)id);
    buf_html_escape(&b, req->actor.community_name);
    buf_puts(&b, " · ");
    buf_html_escape(&b, i18n_text(req->lang, "logins.slip.title"));
    buf_puts(&b, "</h1><p class=\"who\" data-name>");
    buf_html_escape(&b, name);
    buf_puts(&b, "</p><p class=\"post\" data-post>");
    buf_html_escape(&b, title ? title : "");
    buf_puts(&b, "</p><dl>");
    slip_row(&b, req, "logins.slip.username", username, "secret");
    slip_row(&b, req, "logins.slip.password", password, "secret");
    slip_row(&b, req, "logins.slip.valid_until", codes_date_text(req, expires), NULL);
    buf_puts(&b, "</dl><figure data-kind=\"login\">");
    char *svg = qr_svg(link, NULL);
    if (svg) buf_puts(&b, svg);
    free(svg);
    buf_puts(&b, "<figcaption>");
    buf_html_escape(&b, i18n_text(req->lang, "logins.slip.qr_caption"));
    buf_puts(&b, "</figcaption></figure><ol>");
    slip_text(&b, req, "li", "logins.slip.step1");
    slip_text(&b, req, "li", "logins.slip.step2");
    slip_text(&b, req, "li", "logins.slip.step3");
    buf_puts(&b, "</ol>");
    buf_puts(&b, "<p class=\"small\">");
    buf_html_escape(&b, i18n_text(req->lang, "logins.slip.once"));
    buf_puts(&b, "</p></main></body></html>\n");
    size_t n;
    char *data = buf_take(&b, &n);
    req->out_raw = arena_strndup(req->a, data, n);
    req->out_raw_len = n;
    sodium_memzero(data, n);
    free(data);
    req->out_type = "text/html; charset=utf-8";
    req->status = 200;
    return 0;
}

/* ---------------------------------------------------------------- the one-time link */

/* POST /session/link {"token"}: the QR of a slip logs its person in once; the session
 * must set its password first, as after the one-time password. */
static int link_login(http_req *req)
{
    const char *token;
    if (!http_body_str(req, "token", 1, 128, &token)) return -1;
    char hash[65];
    secret_token_hash(token, hash);
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT s.id, s.user_id, s.community_id, s.used_at, s.revoked_at, s.expires_at, "
                                       "u.disabled FROM login_slips s JOIN users u ON u.id = s.user_id "
                                       "WHERE s.link_hash = $1", "t", hash);
    if (rc == STORE_DONE) return http_fail(req, 404, "not_found", "token", "logins.err.link_unknown");
    if (rc != STORE_ROW) return http_fail_internal(req, "slip read");
    int64_t slip = store_col_int(st, 0), uid = store_col_int(st, 1), community = store_col_int(st, 2);
    bool spent = !store_col_null(st, 3) || !store_col_null(st, 4) || store_col_int(st, 5) <= clock_now_us();
    bool disabled = store_col_int(st, 6) != 0;
    store_done(st);
    if (disabled) return http_fail(req, 404, "not_found", "token", "logins.err.link_unknown");
    if (spent) return http_fail(req, 409, "conflict", "token", "logins.err.link_spent");
    if (store_run(req->conn, NULL, "UPDATE login_slips SET used_at = $1 WHERE id = $2", "ii", clock_now_us(), slip) !=
        STORE_DONE)
        return http_fail_internal(req, "slip use");
    const char *csrf = auth_session_start(req, uid, community);
    if (!csrf) return http_fail_internal(req, "session");
    req->actor.user_id = uid;
    req->actor.community_id = community;
    http_audit_target(req, "user", uid, json_pack("{s:I, s:s}", "slip_id", (json_int_t)slip, "via", "link"));
    json_t *me = auth_me_json(req, uid, csrf);
    return me ? http_reply(req, 200, me) : http_fail_internal(req, "me");
}

/* ---------------------------------------------------------------- routes */

#define LOGIN_MAKERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER)
#define SECRET_WRITE (ROUTE_WRITE | ROUTE_NO_REPLAY)

const http_route logins_routes[] = {
    {"POST", "/api/v1/posts/{id}/login", slip_prepare, post_login, LOGIN_MAKERS, SECRET_WRITE, 4096, "login.create"},
    {"POST", "/api/v1/residents/{id}/login", slip_prepare, resident_login, LOGIN_MAKERS, SECRET_WRITE, 4096,
     "login.create"},
    {"POST", "/api/v1/users/{id}/login-slip", slip_prepare, slip_again, LOGIN_MAKERS, SECRET_WRITE, 4096,
     "login_slip.issue"},
    {"GET", "/api/v1/login-slips/{id}", NULL, slip_print, LOGIN_MAKERS, 0, 0, NULL},
    {"POST", "/api/v1/session/link", NULL, link_login, 0,
     ROUTE_PUBLIC | ROUTE_WRITE | ROUTE_NO_CSRF | ROUTE_NO_REPLAY, 1024, "login"},
    {0},
};

const i18n_entry logins_messages[] = {
    {"logins.err.role", "角色只能是 resident 或 volunteer", "role must be resident or volunteer"},
    {"logins.err.volunteer", "只有居委会可以开设志愿者账号", "Only the committee makes volunteer logins"},
    {"logins.err.post_has_login", "这个职务的人已有账号；如需重置，请为该账号打印新的登录单",
     "The holder of this post has a login; to reset it, print a new slip for that login"},
    {"logins.err.resident_has_login", "这位居民已有账号；如需重置，请为该账号打印新的登录单",
     "This resident has a login; to reset it, print a new slip for that login"},
    {"logins.err.moved_out", "这位居民已迁出", "This resident has moved out"},
    {"logins.err.staff", "居委会工作人员的账号不用登录单，请用命令行 shouwang user passwd 重置",
     "Committee staff accounts get no slip; reset them with shouwang user passwd"},
    {"logins.err.slip_used", "这张登录单已经用过了", "This slip was already used"},
    {"logins.err.slip_replaced", "这张登录单已被新打印的登录单取代", "A newer slip replaced this one"},
    {"logins.err.slip_expired", "这张登录单已过期，请重新打印", "This slip has expired; print a new one"},
    {"logins.err.link_unknown", "登录链接无效，请核对登录单", "This login link is not valid; check the slip"},
    {"logins.err.link_spent", "这个登录链接已用过、已过期或已被新登录单取代，请向居委会索取新的登录单",
     "This login link was used, has expired or was replaced; ask the committee for a new slip"},
    {"logins.pos.member", "院委会委员", "committee member"},
    {"logins.slip.title", "登录单", "Login slip"},
    {"logins.slip.username", "登录名", "Login"},
    {"logins.slip.password", "一次性密码", "One-time password"},
    {"logins.slip.valid_until", "有效期至", "Valid until"},
    {"logins.slip.qr_caption", "用手机扫码直接登录（仅限一次）", "Scan with your phone to log in (once)"},
    {"logins.slip.step1", "扫描二维码，或打开守望登录页，输入登录名和一次性密码。",
     "Scan the QR code, or open the Shouwang login page and type the login and the one-time password."},
    {"logins.slip.step2", "第一次登录后，设置您自己的密码（至少 8 位）。",
     "After the first login, set your own password (8 characters or more)."},
    {"logins.slip.step3", "以后用登录名和您自己的密码登录。", "From then on, log in with the login and your own password."},
    {"logins.slip.once", "一次性密码和二维码只能用一次，有效 7 天；重新打印的登录单会让旧的失效。请妥善保管，不要转给他人。",
     "The one-time password and the QR code work once, for 7 days; a newer slip makes this one void. "
     "Keep it to yourself."},
    {0, 0, 0},
};
