/* accounts.c — communities, users, role assignments, API tokens, "me", and the audit
 * log reader. Owns the tables of 001_foundation.sql other than sessions and jobs.
 *
 * Scope: committee staff see the users of their own community; a superuser sees every
 * community. Password hashing (argon2id, ~50 ms) runs in a route's prepare step on the
 * HTTP thread, never inside the writer, so it cannot stall the group commit. */
#include "accounts_int.h"
#include "../capability.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned accounts_role_bit(const char *role) { return auth_role_bit(role); }
const char *accounts_role_name(unsigned bit) { return auth_role_name(bit); }

int accounts_create_community(store_conn *c, const char *name, const char *timezone, int64_t *id_out)
{
    store_stmt *st;
    int rc = store_run(c, &st, "INSERT INTO communities (name, timezone, created_at) VALUES ($1, $2, $3) RETURNING id",
                       "tti", name, timezone ? timezone : "Asia/Shanghai", clock_now_us());
    if (rc != STORE_ROW) return rc;
    if (id_out) *id_out = store_col_int(st, 0);
    store_done(st);
    return 0;
}

int accounts_create_user_hashed(store_conn *c, int64_t community_id, const char *username, const char *display_name,
                                const char *hash, const char *language, int64_t *id_out)
{
    store_stmt *st = store_prepare(c,
        "INSERT INTO users (community_id, username, display_name, password_hash, language, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id");
    if (!st) return STORE_ERR;
    if (community_id) store_bind_int(st, 1, community_id); else store_bind_null(st, 1);
    store_bind_text(st, 2, username);
    store_bind_text(st, 3, display_name);
    store_bind_text(st, 4, hash);
    store_bind_text(st, 5, language ? language : "zh-CN");
    store_bind_int(st, 6, clock_now_us());
    int rc = store_step(st);
    if (rc == STORE_ROW && id_out) *id_out = store_col_int(st, 0);
    store_done(st);
    return rc == STORE_ROW ? 0 : rc;
}

int accounts_create_user(store_conn *c, int64_t community_id, const char *username, const char *display_name,
                         const char *password, const char *language, int64_t *id_out)
{
    char hash[128];
    if (secret_password_hash(password, hash)) return STORE_ERR;
    return accounts_create_user_hashed(c, community_id, username, display_name, hash, language, id_out);
}

int accounts_assign_role(store_conn *c, int64_t community_id, int64_t user_id, const char *role,
                         const char *scope_kind, int64_t scope_id)
{
    store_stmt *st = store_prepare(c,
        "INSERT INTO role_assignments (community_id, user_id, role, scope_kind, scope_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, role, scope_kind, scope_id) DO NOTHING");
    if (!st) return STORE_ERR;
    if (community_id) store_bind_int(st, 1, community_id); else store_bind_null(st, 1);
    store_bind_int(st, 2, user_id);
    store_bind_text(st, 3, role);
    store_bind_text(st, 4, scope_kind);
    store_bind_int(st, 5, scope_id);
    store_bind_int(st, 6, clock_now_us());
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : rc;
}

int accounts_revoke_tokens(store_conn *c, int64_t user_id, int64_t *revoked)
{
    *revoked = 0;
    store_stmt *st =
        store_prepare(c, "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL");
    if (!st) return STORE_ERR;
    store_bind_int(st, 1, clock_now_us());
    store_bind_int(st, 2, user_id);
    int rc = store_step(st);
    if (rc == STORE_DONE) *revoked = store_changes(st);
    store_done(st);
    return rc == STORE_DONE ? 0 : (rc ? rc : STORE_ERR);
}

int accounts_set_password(store_conn *c, int64_t user_id, const char *hash, int64_t *tokens_revoked)
{
    /* A password the person chose (or staff set) is no one-time password any more. */
    int rc = store_run(c, NULL, "UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 "
                                "WHERE id = $3", "tii", hash, clock_now_us(), user_id);
    if (rc != STORE_DONE) return rc ? rc : STORE_ERR;
    /* A new password ends every session and every API token of the user: whoever
     * learnt the old one keeps nothing it opened. */
    if (store_run(c, NULL, "DELETE FROM sessions WHERE user_id = $1", "i", user_id) != STORE_DONE) return STORE_ERR;
    int64_t n;
    rc = accounts_revoke_tokens(c, user_id, &n);
    if (tokens_revoked) *tokens_revoked = n;
    return rc;
}

/* ---------------------------------------------------------------- command-line jobs */

int accounts_password_job(store_conn *c, void *p)
{
    accounts_password_set *j = p;
    if (store_query_int_checked(c, &j->user_id, 0, "SELECT id FROM users WHERE username = $1", "t", j->username))
        return j->error = "cannot read the user", -1;
    if (!j->user_id) return j->error = "no such user", -1;
    int64_t community;
    if (store_query_int_checked(c, &community, 0, "SELECT community_id FROM users WHERE id = $1", "i", j->user_id))
        return j->error = "cannot read the user", -1;
    if (accounts_set_password(c, j->user_id, j->hash, &j->tokens_revoked))
        return j->error = "cannot set the password", -1;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"tokens_revoked\":%lld}", (long long)j->tokens_revoked);
    if (audit_write_raw(c, community, 0, "user.password", "user", j->user_id, j->address, detail))
        return j->error = "cannot write the audit entry", -1;
    return 0;
}

int accounts_community_add_job(store_conn *c, void *p)
{
    accounts_community_add *j = p;
    if (accounts_create_community(c, j->name, j->timezone ? j->timezone : "Asia/Shanghai", &j->community_id))
        return j->error = "cannot create the community", -1;
    if (accounts_create_user_hashed(c, j->community_id, j->username, j->display_name ? j->display_name : j->username,
                                    j->hash, j->language, &j->user_id))
        return j->error = "cannot create the user (username taken?)", -1;
    if (accounts_assign_role(c, j->community_id, j->user_id, "committee", "community", j->community_id))
        return j->error = "cannot assign the role", -1;
    if (audit_write_raw(c, j->community_id, 0, "community.create", "community", j->community_id, j->address, "{}") ||
        audit_write_raw(c, j->community_id, 0, "user.create", "user", j->user_id, j->address, "{}"))
        return j->error = "cannot write the audit entry", -1;
    return 0;
}

/* ---------------------------------------------------------------- me */

/* The latest sign-up of an account that holds no role yet: what the person sent and
 * when, so the app can say what the committee is checking. Only the account's own
 * data, read back to itself. NULL when the account never signed up (or on a read
 * error: the answer then simply has no sign-up to show). */
static json_t *me_pending_signup(http_req *req)
{
    store_stmt *st;
    if (store_run(req->conn, &st,
                  "SELECT s.id, s.state, s.created_at, s.decided_at, s.name, s.phone, s.claimed_address, c.id, c.name, "
                  "s.reason "
                  "FROM signups s JOIN communities c ON c.id = s.community_id "
                  "WHERE s.user_id = $1 ORDER BY s.id DESC LIMIT 1",
                  "i", req->actor.user_id) != STORE_ROW)
        return NULL;
    char submitted[32], decided[32];
    clock_format_utc(store_col_int(st, 2), submitted, sizeof submitted);
    json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(st, 0),
                            "status", store_col_text(st, 1), "submitted_at", submitted,
                            "name", store_col_text(st, 4), "phone", store_col_text(st, 5),
                            "claimed_address", store_col_text(st, 6),
                            "community_id", (json_int_t)store_col_int(st, 7), "community_name", store_col_text(st, 8));
    if (store_col_null(st, 3)) {
        json_object_set_new(out, "decided_at", json_null());
    } else {
        clock_format_utc(store_col_int(st, 3), decided, sizeof decided);
        json_object_set_new(out, "decided_at", json_string(decided));
    }
    json_object_set_new(out, "reason", store_col_null(st, 9) ? json_null() : json_string(store_col_text(st, 9)));
    store_done(st);
    return out;
}

/* Open to an account without roles (ROUTE_ANY_USER): such an account is a sign-up
 * waiting for the committee, and the app needs this answer to tell the person so. */
/* The name of a zone, block or household scope ("第1片区 1号楼1单元", "1号楼1单元 101"),
 * so a home says "1号楼1单元" and never "楼组 #1". Only these kinds need the database: a
 * committee member's /me stays an answer from memory. */
static void me_scope_names(http_req *req, json_t *me)
{
    json_t *user = json_object_get(me, "user"), *roles = json_object_get(user, "roles");
    int64_t community = json_integer_value(json_object_get(user, "community_id"));
    static const struct { const char *kind, *sql; } names[] = {
        {"zone", "SELECT name FROM zones WHERE community_id = $1 AND id = $2"},
        {"block", "SELECT CASE WHEN z.name IS NULL THEN b.name ELSE z.name || ' ' || b.name END FROM blocks b "
                  "LEFT JOIN zones z ON z.id = b.zone_id WHERE b.community_id = $1 AND b.id = $2"},
        {"household", "SELECT b.name || ' ' || h.room FROM households h JOIN blocks b ON b.id = h.block_id "
                      "WHERE h.community_id = $1 AND h.id = $2"},
    };
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r) {
        const char *kind = json_string_value(json_object_get(r, "scope_kind"));
        for (size_t k = 0; kind && k < sizeof names / sizeof *names; k++) {
            if (strcmp(kind, names[k].kind)) continue;
            store_stmt *st;
            if (store_run(http_read_conn(req), &st, names[k].sql, "ii", community,
                          (int64_t)json_integer_value(json_object_get(r, "scope_id"))) == STORE_ROW) {
                json_object_set_new(r, "scope_name", json_string(store_col_text(st, 0)));
                store_done(st);
            }
        }
    }
}

static int me_get(http_req *req)
{
    json_t *me = auth_me_json_actor(req, true);
    if (req->actor.n_roles == 0) {
        json_t *signup = me_pending_signup(req);
        json_object_set_new(me, "pending_signup", signup ? signup : json_null());
    }
    return http_reply(req, 200, me);
}

static int me_patch(http_req *req)
{
    const char *language = NULL, *display = NULL;
    if (!http_body_str_opt(req, "language", 1, 8, &language)) return -1;
    if (language && validate_lang(language)) return http_fail_field(req, "language", "err.lang");
    if (!http_body_str_opt(req, "display_name", 1, 64, &display)) return -1;
    json_t *fields = json_array();
    if (language) json_array_append_new(fields, json_string("language"));
    if (display) json_array_append_new(fields, json_string("display_name"));
    /* Sent ahead (store_run_later): the own row of a signed-in user cannot be refused. */
    if (store_run_later(req->conn,
                        "UPDATE users SET language = COALESCE($1, language), display_name = COALESCE($2, "
                        "display_name), updated_at = $3 WHERE id = $4",
                        "ttii", language, display, clock_now_us(), req->actor.user_id) != STORE_DONE) {
        json_decref(fields);
        return http_fail_internal(req, "me update");
    }
    http_audit_target(req, "user", req->actor.user_id, json_pack("{s:o}", "fields", fields));
    /* No CSRF token in a write's answer: it is kept for idempotent replays, and a
     * replay to another session must not hand out this session's token. */
    if (language) req->actor.language = language;
    if (display) req->actor.display_name = display;
    return http_reply(req, 200, auth_me_json_actor(req, false));
}

typedef struct password_change {
    char hash[128];
} password_change;

static int password_prepare(http_req *req)
{
    const char *old_pw, *new_pw;
    if (!http_body_str(req, "old_password", 1, 1024, &old_pw)) return -1;
    if (!http_body_str(req, "new_password", 1, 1024, &new_pw)) return -1;
    const char *why = validate_password(new_pw);
    if (why) return http_fail_field(req, "new_password", why);
    char *hash = NULL;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT password_hash FROM users WHERE id = $1", "i", req->actor.user_id) ==
        STORE_ROW) {
        hash = arena_strdup(req->a, store_col_text(st, 0));
        store_done(st);
    }
    if (!hash || !secret_password_verify(hash, old_pw)) return http_fail_field(req, "old_password", "err.old_password");
    password_change *pc = arena_alloc(req->a, sizeof *pc);
    if (secret_password_hash(new_pw, pc->hash)) return http_fail_internal(req, "hash");
    req->scratch = pc;
    return 0;
}

static int password_change_handler(http_req *req)
{
    password_change *pc = req->scratch;
    int64_t revoked;
    if (accounts_set_password(req->conn, req->actor.user_id, pc->hash, &revoked))
        return http_fail_internal(req, "password");
    http_audit_target(req, "user", req->actor.user_id, json_pack("{s:I}", "tokens_revoked", (json_int_t)revoked));
    /* The current session was ended with the others; the client logs in again. The
     * count tells an integration's owner that its tokens need replacing. */
    req->set_cookie[req->n_set_cookie++] = "sw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    return http_reply(req, 200, json_pack("{s:b, s:I}", "ok", 1, "tokens_revoked", (json_int_t)revoked));
}

/* The first password of an account made with a printed slip. The session came from the
 * one-time password or link just now, which stands for the old password; every other
 * session and token of the account ends, and this one is replaced by a new session so
 * the person goes on to their home. The answer holds the new CSRF token: never kept
 * for an Idempotency-Key (ROUTE_NO_REPLAY). */
static int first_password_prepare(http_req *req)
{
    const char *new_pw;
    if (!http_body_str(req, "new_password", 1, 1024, &new_pw)) return -1;
    const char *why = validate_password(new_pw);
    if (why) return http_fail_field(req, "new_password", why);
    if (!req->actor.must_change_password)
        return http_fail(req, 409, "conflict", "new_password", "err.no_first_password");
    password_change *pc = arena_alloc(req->a, sizeof *pc);
    if (secret_password_hash(new_pw, pc->hash)) return http_fail_internal(req, "hash");
    req->scratch = pc;
    return 0;
}

static int first_password_handler(http_req *req)
{
    password_change *pc = req->scratch;
    int64_t revoked, uid = req->actor.user_id;
    /* Checked again where writes are ordered: two tabs set it once. */
    if (!store_query_int(req->conn, 0, "SELECT must_change_password FROM users WHERE id = $1", "i", uid))
        return http_fail(req, 409, "conflict", "new_password", "err.no_first_password");
    if (accounts_set_password(req->conn, uid, pc->hash, &revoked)) return http_fail_internal(req, "first password");
    const char *csrf = auth_session_start(req, uid, req->actor.community_id);
    if (!csrf) return http_fail_internal(req, "session");
    http_audit_target(req, "user", uid, NULL);
    json_t *me = auth_me_json(req, uid, csrf);
    return me ? http_reply(req, 200, me) : http_fail_internal(req, "me");
}

/* ---------------------------------------------------------------- users */

/* 0 for a superuser (every community), else the actor's community. */
static int64_t community_filter(http_req *req)
{
    return actor_has(&req->actor, ROLE_SUPERUSER) ? 0 : req->actor.community_id;
}

static const list_column user_columns[] = {
    {"id", "col.id"}, {"username", "col.username"}, {"display_name", "col.display_name"},
    {"roles_text", "col.roles"}, {"language", "col.language"}, {"created_at", "col.created_at"}, {0, 0},
};

static json_t *user_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    char when[32];
    clock_format_utc(store_col_int(st, 4), when, sizeof when);
    return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                     "username", store_col_text(st, 1), "display_name", store_col_text(st, 2),
                     "language", store_col_text(st, 3), "created_at", when);
}

static int users_list(http_req *req)
{
    const char *role = http_query(req, "role"), *q = http_query(req, "q");
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    char *like = arena_printf(req->a, "%%%s%%", q ? q : "");
    store_stmt *st = store_prepare(req->conn,
        "SELECT u.id, u.username, u.display_name, u.language, u.created_at, u.community_id FROM users u "
        "WHERE ($1 = 0 OR u.community_id = $1) "
        "AND ($2 = '' OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.role = $2)) "
        "AND ($3 = '' OR LOWER(u.username) LIKE LOWER($4) OR LOWER(u.display_name) LIKE LOWER($4)) "
        "AND u.id > $5 ORDER BY u.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, community_filter(req));
    store_bind_text(st, 2, role ? role : "");
    store_bind_text(st, 3, q ? q : "");
    store_bind_text(st, 4, like);
    store_bind_int(st, 5, cursor);
    store_bind_int(st, 6, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, user_row, NULL, &next_after);
    /* Roles per listed user, in one more query per page. */
    store_stmt *rs = store_prepare(
        req->conn, "SELECT role, scope_kind, scope_id FROM role_assignments WHERE user_id = $1 ORDER BY id");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *roles = json_array();
        char text[256] = "";
        store_bind_int(rs, 1, json_integer_value(json_object_get(item, "id")));
        while (store_step(rs) == STORE_ROW) {
            json_array_append_new(roles, json_pack("{s:s, s:s, s:I}", "role", store_col_text(rs, 0),
                                  "scope_kind", store_col_text(rs, 1), "scope_id", (json_int_t)store_col_int(rs, 2)));
            size_t l = strlen(text);
            snprintf(text + l, sizeof text - l, "%s%s", l ? " " : "", store_col_text(rs, 0));
        }
        store_done(rs);
        json_object_set_new(item, "roles", roles);
        json_object_set_new(item, "roles_text", json_string(text));
    }
    return http_reply_list(req, "list.users", user_columns, items, next_after);
}

typedef struct new_user {
    const char *username, *display_name, *language;
    char hash[128];
    json_t *roles;
} new_user;

/* The scope kind of a role an account may be given here: any but superuser, which only
 * the command line grants. */
static const char *scope_for_role(const char *role)
{
    return role && strcmp(role, "superuser") ? auth_role_scope_kind(role) : NULL;
}

static int users_create_prepare(http_req *req)
{
    new_user *nu = arena_alloc(req->a, sizeof *nu);
    const char *password;
    nu->language = "zh-CN";
    if (!http_body_str(req, "username", 1, 64, &nu->username)) return -1;
    char *login = arena_alloc(req->a, VALIDATE_LOGIN_MAX);
    const char *why = validate_login_name(nu->username, login);
    if (why) return http_fail_field(req, "username", why);
    nu->username = login;
    if (!http_body_str(req, "display_name", 1, 64, &nu->display_name)) return -1;
    if (!http_body_str(req, "password", 1, 1024, &password)) return -1;
    if ((why = validate_password(password))) return http_fail_field(req, "password", why);
    if (!http_body_str_opt(req, "language", 1, 8, &nu->language)) return -1;
    if (validate_lang(nu->language)) return http_fail_field(req, "language", "err.lang");
    nu->roles = json_object_get(req->json, "roles");
    if (!json_is_array(nu->roles) || json_array_size(nu->roles) == 0 || json_array_size(nu->roles) > 16)
        return http_fail_field(req, "roles", "err.roles");
    size_t i;
    json_t *r;
    json_array_foreach(nu->roles, i, r) {
        const char *role = json_string_value(json_object_get(r, "role"));
        if (!role || !scope_for_role(role)) return http_fail_field(req, "roles", "err.role_unknown");
        /* Only a superuser makes committee accounts of another kind of authority. */
        if (!strcmp(role, "committee") && !actor_has(&req->actor, ROLE_SUPERUSER | ROLE_COMMITTEE))
            return http_fail(req, 403, "forbidden", NULL, "err.forbidden");
    }
    if (secret_password_hash(password, nu->hash)) return http_fail_internal(req, "hash");
    req->scratch = nu;
    return 0;
}

/* A scope id must name a zone, block or household of the caller's community:
 * 1 yes, 0 no, -1 on a storage error. */
static int scope_in_community(http_req *req, const char *kind, int64_t id, int64_t community)
{
    const char *sql = !strcmp(kind, "zone") ? "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2"
                    : !strcmp(kind, "block") ? "SELECT COUNT(*) FROM blocks WHERE id = $1 AND community_id = $2"
                    : "SELECT COUNT(*) FROM households WHERE id = $1 AND community_id = $2";
    int64_t n;
    if (store_query_int_checked(req->conn, &n, 0, sql, "ii", id, community)) return -1;
    return n > 0;
}

static int users_create(http_req *req)
{
    new_user *nu = req->scratch;
    int64_t community = req->actor.community_id;
    json_t *c = json_object_get(req->json, "community_id");
    if (actor_has(&req->actor, ROLE_SUPERUSER) && json_is_integer(c)) community = json_integer_value(c);
    if (!community) return http_fail_field(req, "community_id", "err.required");
    int64_t n;
    if (store_query_int_checked(req->conn, &n, 0, "SELECT COUNT(*) FROM communities WHERE id = $1", "i", community))
        return http_fail_internal(req, "community read");
    if (!n) return http_fail_field(req, "community_id", "err.not_found");
    if (store_query_int_checked(req->conn, &n, 0, "SELECT COUNT(*) FROM users WHERE username = $1", "t", nu->username))
        return http_fail_internal(req, "user read");
    if (n) return http_fail(req, 409, "conflict", "username", "err.username_taken");
    int64_t id;
    if (accounts_create_user_hashed(req->conn, community, nu->username, nu->display_name, nu->hash, nu->language, &id))
        return http_fail(req, 409, "conflict", "username", "err.username_taken");
    size_t i;
    json_t *r;
    json_array_foreach(nu->roles, i, r) {
        const char *role = json_string_value(json_object_get(r, "role"));
        const char *kind = scope_for_role(role);
        int64_t scope = community;
        if (strcmp(kind, "community")) {
            json_t *sid = json_object_get(r, "scope_id");
            int in = json_is_integer(sid) ? scope_in_community(req, kind, json_integer_value(sid), community) : 0;
            if (in < 0) return http_fail_internal(req, "scope read");
            if (!in) return http_fail_field(req, "roles", "err.scope");
            scope = json_integer_value(sid);
        }
        int rc = accounts_assign_role(req->conn, community, id, role, kind, scope);
        if (rc == STORE_CONSTRAINT) continue;    /* the same role twice: once is enough */
        if (rc) return http_fail_internal(req, "role insert");
    }
    http_audit_target(req, "user", id, NULL);
    json_t *me = auth_me_json(req, id, NULL);
    if (!me) return http_fail_internal(req, "user read");
    json_t *user = json_incref(json_object_get(me, "user"));
    json_decref(me);
    return http_reply(req, 201, json_pack("{s:o}", "user", user));
}

static int users_export(http_req *req) { return job_export_start(req, "GET", "/api/v1/users"); }

/* ---------------------------------------------------------------- tokens
 * A token is shown once, when made; the database keeps its hash. It ends at its expiry
 * (expires_in_days, 90 unless asked, at most 365), when revoked, and when the
 * account's password changes (see auth.c). */

#define TOKEN_DAYS_DEFAULT 90
#define TOKEN_DAYS_MAX 365

static int tokens_create(http_req *req)
{
    const char *name;
    int64_t days = TOKEN_DAYS_DEFAULT;
    if (!http_body_str(req, "name", 1, 64, &name)) return -1;
    if (!http_body_int_opt(req, "expires_in_days", 1, TOKEN_DAYS_MAX, &days, NULL)) return -1;
    char token[44], hash[65];
    secret_token(token);
    secret_token_hash(token, hash);
    int64_t now = clock_now_us(), expires = now + days * 86400 * 1000000LL;
    store_stmt *st;
    if (store_run(req->conn, &st,
            "INSERT INTO api_tokens (community_id, user_id, name, token_hash, created_at, expires_at, password_stamp) "
            "VALUES ($1, $2, $3, $4, $5, $6, (SELECT password_hash FROM users WHERE id = $2)) RETURNING id",
            "iittii", req->actor.community_id, req->actor.user_id, name, hash, now, expires) != STORE_ROW)
        return http_fail_internal(req, "token insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    http_audit_target(req, "api_token", id, json_pack("{s:I}", "expires_in_days", (json_int_t)days));
    char when[32];
    clock_format_utc(expires, when, sizeof when);
    return http_reply(req, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token,
                                          "expires_at", when));
}

static json_t *token_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    char created[32], expires[32], used[32];
    clock_format_utc(store_col_int(st, 2), created, sizeof created);
    clock_format_utc(store_col_int(st, 3), expires, sizeof expires);
    json_t *item = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "name",
                             store_col_text(st, 1), "created_at", created, "expires_at", expires);
    if (store_col_null(st, 4)) {
        json_object_set_new(item, "last_used_at", json_null());
    } else {
        clock_format_utc(store_col_int(st, 4), used, sizeof used);
        json_object_set_new(item, "last_used_at", json_string(used));
    }
    return item;
}

/* The tokens that still work: not revoked, not expired, made under the current password. */
static int tokens_list(http_req *req)
{
    store_stmt *st = store_prepare(
        req->conn,
        "SELECT t.id, t.name, t.created_at, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = "
        "t.user_id "
        "WHERE t.user_id = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND t.password_stamp = u.password_hash "
        "AND t.id > $3 ORDER BY t.id LIMIT $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t limit = http_list_limit(req);
    store_bind_int(st, 1, req->actor.user_id);
    store_bind_int(st, 2, clock_now_us());
    store_bind_int(st, 3, http_list_cursor(req));
    store_bind_int(st, 4, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, token_row, NULL, &next_after);
    return http_reply_list(req, "list.tokens", NULL, items, next_after);
}

static int tokens_revoke(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    int rc = store_run(req->conn, &st,
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id",
            "iii", clock_now_us(), id, req->actor.user_id);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    if (rc != STORE_ROW) return http_fail_internal(req, "token revoke");
    store_done(st);
    http_audit_target(req, "api_token", id, NULL);
    return http_reply(req, 200, json_pack("{s:b}", "ok", 1));
}

/* ---------------------------------------------------------------- communities */

static json_t *community_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
                     "timezone", store_col_text(st, 2), "committee_accounts", (json_int_t)store_col_int(st, 3));
}

/* Each community with the number of its committee accounts: one without any is
 * shown to the superuser as still needing its first. */
#define COMMUNITY_SELECT \
    "SELECT c.id, c.name, c.timezone, (SELECT COUNT(*) FROM role_assignments ra WHERE ra.community_id = c.id " \
    "AND ra.role = 'committee') FROM communities c "

static int communities_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, COMMUNITY_SELECT "WHERE c.id > $1 ORDER BY c.id LIMIT $2");
    store_bind_int(st, 1, http_list_cursor(req));
    store_bind_int(st, 2, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, community_row, NULL, &next_after);
    static const list_column cols[] = {{"id", "col.id"}, {"name", "col.name"}, {"timezone", "col.timezone"},
                                       {"committee_accounts", "col.committee_accounts"}, {0, 0}};
    return http_reply_list(req, "list.communities", cols, items, next_after);
}

static json_t *community_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, COMMUNITY_SELECT "WHERE c.id = $1", "i", id) != STORE_ROW) return NULL;
    json_t *out = community_row(st, NULL);
    store_done(st);
    return out;
}

/* A new community, and with `committee` its first committee account in the same
 * write (the password hashed here, before the write job), so that no community is
 * left without anyone to run it. */
typedef struct new_community {
    const char *name, *tz, *username, *display_name;
    char hash[128];
} new_community;

static int communities_prepare(http_req *req)
{
    new_community *nc = arena_alloc(req->a, sizeof *nc);
    memset(nc, 0, sizeof *nc);
    nc->tz = "Asia/Shanghai";
    if (!http_body_str(req, "name", 1, 64, &nc->name)) return -1;
    if (!http_body_str_opt(req, "timezone", 1, 64, &nc->tz)) return -1;
    if (validate_timezone(nc->tz)) return http_fail_field(req, "timezone", "err.timezone");
    json_t *committee = json_object_get(req->json, "committee");
    if (committee && !json_is_null(committee)) {
        if (!json_is_object(committee)) return http_fail_field(req, "committee", "err.committee_object");
        const char *u = json_string_value(json_object_get(committee, "username"));
        const char *d = json_string_value(json_object_get(committee, "display_name"));
        const char *pw = json_string_value(json_object_get(committee, "password"));
        if (!u || !*u) return http_fail_field(req, "committee.username", "err.required");
        char *login = arena_alloc(req->a, VALIDATE_LOGIN_MAX);
        const char *why = validate_login_name(u, login);
        if (why) return http_fail_field(req, "committee.username", why);
        if (!d || !*d || strlen(d) > 64) return http_fail_field(req, "committee.display_name", "err.required");
        if (!pw) return http_fail_field(req, "committee.password", "err.required");
        if ((why = validate_password(pw))) return http_fail_field(req, "committee.password", why);
        if (secret_password_hash(pw, nc->hash)) return http_fail_internal(req, "hash");
        nc->username = login;
        nc->display_name = d;
    }
    req->scratch = nc;
    return 0;
}

static int communities_create(http_req *req)
{
    new_community *nc = req->scratch;
    int64_t id, uid = 0;
    if (accounts_create_community(req->conn, nc->name, nc->tz, &id)) return http_fail_internal(req, "community insert");
    http_audit_target(req, "community", id, NULL);
    if (nc->username) {
        int64_t n;
        if (store_query_int_checked(req->conn, &n, 0, "SELECT COUNT(*) FROM users WHERE username = $1", "t",
                                    nc->username))
            return http_fail_internal(req, "user read");
        if (n || accounts_create_user_hashed(req->conn, id, nc->username, nc->display_name, nc->hash, NULL, &uid))
            return http_fail(req, 409, "conflict", "committee.username", "err.username_taken");
        if (accounts_assign_role(req->conn, id, uid, "committee", "community", id))
            return http_fail_internal(req, "committee account");
        http_audit_target(req, "user", uid, json_pack("{s:I}", "community_id", (json_int_t)id));
    }
    json_t *c = community_json(req, id);
    if (!c) return http_fail_internal(req, "community read");
    json_t *out = json_pack("{s:o}", "community", c);
    if (uid) json_object_set_new(out, "committee", json_pack("{s:I, s:s}", "id", (json_int_t)uid, "username",
                                                             nc->username));
    return http_reply(req, 201, out);
}

static int communities_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *c = community_json(req, id);
    return c ? http_reply(req, 200, json_pack("{s:o}", "community", c)) : http_fail_not_found(req);
}

/* The settings that are the instance's to keep per community: its name and its time
 * zone (every "today", due time and printed date of the community follows the zone).
 * The community's own settings (help limits, retention, codes) are its committee's. */
static int communities_update(http_req *req)
{
    int64_t id;
    const char *name = NULL, *tz = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str_opt(req, "name", 1, 64, &name)) return -1;
    if (!http_body_str_opt(req, "timezone", 1, 64, &tz)) return -1;
    if (tz && validate_timezone(tz)) return http_fail_field(req, "timezone", "err.timezone");
    store_stmt *st;
    int rc = store_run(req->conn, &st, "UPDATE communities SET name = COALESCE($1, name), timezone = COALESCE($2, "
                       "timezone) WHERE id = $3 RETURNING id", "tti", name, tz, id);
    store_done(st);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    if (rc != STORE_ROW) return http_fail_internal(req, "community update");
    json_t *fields = json_array();
    if (name) json_array_append_new(fields, json_string("name"));
    if (tz) json_array_append_new(fields, json_string("timezone"));
    http_audit_target(req, "community", id, json_pack("{s:o}", "fields", fields));
    json_t *c = community_json(req, id);
    if (!c) return http_fail_internal(req, "community read");
    return http_reply(req, 200, json_pack("{s:o}", "community", c));
}

/* ---------------------------------------------------------------- audit log (read only) */

static const list_column audit_columns[] = {
    {"id", "col.id"}, {"at", "col.at"}, {"user_id", "col.user_id"}, {"action", "col.action"},
    {"target_type", "col.target_type"}, {"target_id", "col.target_id"}, {"address", "col.address"}, {0, 0},
};

static json_t *audit_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    char when[32];
    clock_format_utc(store_col_int(st, 1), when, sizeof when);
    json_t *detail = json_loads(store_col_text(st, 7), 0, NULL);
    json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)store_col_int(st, 0), "at", when,
                             "action", store_col_text(st, 3), "target_type", store_col_text(st, 4),
                             "address", store_col_text(st, 6), "detail", detail ? detail : json_object());
    json_object_set_new(item, "user_id", store_col_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)));
    json_object_set_new(item, "target_id", store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
    json_object_set_new(item, "on_behalf_of", store_col_null(st, 8) ? json_null() : json_integer(store_col_int(st, 8)));
    return item;
}

static int audit_list(http_req *req)
{
    const char *action = http_query(req, "action"), *uid = http_query(req, "user_id");
    int64_t user_id = 0;
    if (uid && !str_is_int(uid, &user_id)) return http_fail_field(req, "user_id", "err.not_integer");
    int64_t limit = http_list_limit(req), cursor = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn,
        "SELECT id, at, user_id, action, target_type, target_id, address, detail, on_behalf_of FROM audit_log "
        "WHERE ($1 = 0 OR community_id = $1) AND ($2 = '' OR action = $2) AND ($3 = 0 OR user_id = $3) "
        "AND id > $4 ORDER BY id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, community_filter(req));
    store_bind_text(st, 2, action ? action : "");
    store_bind_int(st, 3, user_id);
    store_bind_int(st, 4, cursor);
    store_bind_int(st, 5, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, audit_row, NULL, &next_after);
    return http_reply_list(req, "list.audit", audit_columns, items, next_after);
}

const http_route accounts_routes[] = {
    {"GET", "/api/v1/me", NULL, me_get, ROLES_ANY, ROUTE_ANY_USER, 0, NULL},
    {"PATCH", "/api/v1/me", NULL, me_patch, ROLES_ANY, ROUTE_WRITE, 4096, "me.update"},
    {"POST", "/api/v1/me/password", password_prepare, password_change_handler, ROLES_ANY,
     ROUTE_WRITE | ROUTE_ANY_USER, 4096, "me.password"},
    {"POST", "/api/v1/me/first-password", first_password_prepare, first_password_handler, ROLES_ANY,
     ROUTE_WRITE | ROUTE_ANY_USER | ROUTE_NO_REPLAY, 4096, "me.first_password"},
    {"GET", "/api/v1/users", NULL, users_list, ROLES_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/users", users_create_prepare, users_create, ROLES_STAFF, ROUTE_WRITE, 16384, "user.create"},
    {"POST", "/api/v1/users/export", NULL, users_export, ROLES_STAFF, ROUTE_WRITE, 4096, "export.start"},
    {"GET", "/api/v1/tokens", NULL, tokens_list, ROLES_ANY, 0, 0, NULL},
    {"POST", "/api/v1/tokens", NULL, tokens_create, ROLES_ANY, ROUTE_WRITE | ROUTE_NO_REPLAY, 4096, "token.create"},
    {"DELETE", "/api/v1/tokens/{id}", NULL, tokens_revoke, ROLES_ANY, ROUTE_WRITE, 0, "token.revoke"},
    {"GET", "/api/v1/communities", NULL, communities_list, ROLE_SUPERUSER, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/communities", communities_prepare, communities_create, ROLE_SUPERUSER, ROUTE_WRITE, 4096,
     "community.create"},
    {"GET", "/api/v1/communities/{id}", NULL, communities_get, ROLE_SUPERUSER, 0, 0, NULL},
    {"PATCH", "/api/v1/communities/{id}", NULL, communities_update, ROLE_SUPERUSER, ROUTE_WRITE, 4096,
     "community.update"},
    {"GET", "/api/v1/audit", NULL, audit_list, ROLES_STAFF, ROUTE_EXPORTABLE, 0, NULL},
    {0},
};

const i18n_entry accounts_messages[] = {
    {"err.old_password", "原密码不正确", "The current password is wrong"},
    {"err.no_first_password", "这个账号已经设置过自己的密码", "This account has already set its own password"},
    {"err.roles", "请至少指定一个角色", "Give at least one role"},
    {"err.role_unknown", "未知的角色", "Unknown role"},
    {"err.scope", "角色的范围不属于本社区", "The role's scope is not in this community"},
    {"err.username_taken", "该用户名已被使用", "This username is taken"},
    {"list.users", "账号列表", "Accounts"},
    {"list.tokens", "接口令牌", "API tokens"},
    {"list.communities", "社区列表", "Communities"},
    {"col.committee_accounts", "居委会账号数", "Committee accounts"},
    {"err.committee_object", "committee 应为对象：用户名、姓名、初始密码",
     "committee must be an object: username, display_name, password"},
    {"list.audit", "操作日志", "Audit log"},
    {"col.id", "编号", "ID"},
    {"col.username", "用户名", "Username"},
    {"col.display_name", "姓名", "Name"},
    {"col.roles", "角色", "Roles"},
    {"col.language", "语言", "Language"},
    {"col.created_at", "创建时间", "Created"},
    {"col.name", "名称", "Name"},
    {"col.timezone", "时区", "Time zone"},
    {"col.at", "时间", "Time"},
    {"col.user_id", "操作人", "User"},
    {"col.action", "操作", "Action"},
    {"col.target_type", "对象类型", "Target type"},
    {"col.target_id", "对象编号", "Target"},
    {"col.address", "来源地址", "Address"},
    {0, 0, 0},
};

/* Accounts of the community by role, for committee staff. */
static void accounts_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, ROLE_COMMITTEE)) return;
    int64_t c = req->actor.community_id;
    dashboard_tile(req, tiles, "accounts", "tile.accounts",
                   store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users WHERE community_id = $1", "i", c),
                   "unit.people");
    dashboard_tile(req, tiles, "block_leaders", "tile.block_leaders",
                   store_query_int(req->conn, 0,
                                   "SELECT COUNT(DISTINCT user_id) FROM role_assignments "
                                   "WHERE community_id = $1 AND role = 'block_leader'",
                                   "i", c),
                   "unit.people");
    dashboard_tile(req, tiles, "volunteers", "tile.volunteers",
                   store_query_int(req->conn, 0,
                                   "SELECT COUNT(DISTINCT user_id) FROM role_assignments "
                                   "WHERE community_id = $1 AND role = 'volunteer'",
                                   "i", c),
                   "unit.people");
}

static const i18n_entry accounts_tile_messages[] = {
    {"tile.accounts", "账号", "Accounts"},
    {"tile.block_leaders", "楼组长", "Block leaders"},
    {"tile.volunteers", "志愿者", "Volunteers"},
    /* roles and languages as exports and prints show them (export.c, docs/glossary.md) */
    {"enum.superuser", "系统管理员", "Instance administrator"},
    {"enum.committee", "居委干部", "Committee staff"},
    {"enum.zone_leader", "片区长", "Zone leader"},
    {"enum.block_leader", "楼组长", "Block leader"},
    {"enum.volunteer", "志愿者", "Volunteer"},
    {"enum.resident", "居民", "Resident"},
    {"enum.zh-CN", "中文", "Chinese"},
    {"enum.en", "英文", "English"},
    {"enum.zh", "中文", "Chinese"},
    {0, 0, 0},
};

static const http_route *const accounts_route_tables[] = {accounts_routes, NULL};
static const i18n_entry *const accounts_catalogues[] = {accounts_messages, accounts_tile_messages, NULL};
static const dashboard_provider accounts_providers[] = {accounts_tiles, NULL};
/* target_type: an audit entry's kind of record, read on prints and exports as the
 * catalogue's enum.<type> that each capability adds for the targets it audits. */
static const char *const accounts_value_keys[] = {"roles_text", "language", "role", "target_type", NULL};
const capability accounts_capability = {
    .name = "accounts", .routes = accounts_route_tables, .messages = accounts_catalogues,
    .tiles = accounts_providers, .value_keys = accounts_value_keys, .me_extra = me_scope_names,
    .demo = accounts_demo_steps,
};
