/* auth.c — who is calling: session cookies, bearer tokens, login with throttling,
 * logout, and the messages of the HTTP layer.
 *
 * Session and API tokens are 256 random bits; the database keeps only their BLAKE2b
 * hash, so a copy of the database does not log anyone in. Throttling counters live in
 * the database (not in memory) so several server processes share them. */
#include "auth_int.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../core/secret.h"
#include "../core/validate.h"
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_ROLE_ROW(id, bit, name, kind) {id, name, kind},
const http_role http_roles[] = {HTTP_ROLES(HTTP_ROLE_ROW){0, NULL, NULL}};
#undef HTTP_ROLE_ROW

static const http_role *role_named(const char *name)
{
    for (const http_role *r = http_roles; name && r->name; r++)
        if (!strcmp(r->name, name)) return r;
    return NULL;
}

unsigned auth_role_bit(const char *name)
{
    const http_role *r = role_named(name);
    return r ? r->bit : 0;
}

const char *auth_role_name(unsigned bit)
{
    for (const http_role *r = http_roles; r->name; r++)
        if (r->bit == bit) return r->name;
    return "";
}

const char *auth_role_scope_kind(const char *name)
{
    const http_role *r = role_named(name);
    return r ? r->scope_kind : NULL;
}

static char scope_letter(const char *kind)
{
    if (!strcmp(kind, "community")) return 'c';
    if (!strcmp(kind, "zone")) return 'z';
    if (!strcmp(kind, "block")) return 'b';
    if (!strcmp(kind, "household")) return 'h';
    return 'g';
}

struct by_label {
    int64_t user_id;
    const char *role;            /* NULL: the account holds none */
    struct by_label *next;
};

/* The account's first role in http_roles order (roles.h), looked up once per request. */
static const char *first_role(http_req *req, int64_t user_id)
{
    for (struct by_label *b = req->by_labels; b; b = b->next)
        if (b->user_id == user_id) return b->role;
    struct by_label *b = arena_alloc(req->a, sizeof *b);
    b->user_id = user_id;
    const size_t n_roles = sizeof http_roles / sizeof *http_roles - 1;   /* without the end row */
    size_t best = n_roles;
    /* In a write job this is the writer's own connection: read there, in its transaction. */
    store_stmt *st = store_prepare(http_read_conn(req), "SELECT role FROM role_assignments WHERE user_id = $1");
    if (st) {
        store_bind_int(st, 1, user_id);
        while (store_step(st) == STORE_ROW)
            for (size_t i = 0; i < best; i++)
                if (!strcmp(http_roles[i].name, store_col_text(st, 0))) best = i;
        store_done(st);
    }
    b->role = best < n_roles ? http_roles[best].name : NULL;
    b->next = req->by_labels;
    req->by_labels = b;
    return b->role;
}

const char *http_by_label(http_req *req, int64_t user_id, const char *name)
{
    if (!name) return NULL;
    const char *role = user_id ? first_role(req, user_id) : NULL;
    if (!role) return name;
    const char *word = i18n_text(req->lang, arena_printf(req->a, "enum.%s", role));
    return arena_printf(req->a, req->lang == LANG_ZH ? "%s（%s）" : "%s (%s)", name, word);
}

/* Loads the role rows of a user into the actor. */
static int load_roles(http_req *req, int64_t user_id)
{
    store_stmt *st = store_prepare(http_read_conn(req),
        "SELECT role, scope_kind, scope_id FROM role_assignments WHERE user_id = $1 ORDER BY id");
    if (!st) return -1;
    store_bind_int(st, 1, user_id);
    int cap = 8;
    actor_role *list = arena_alloc(req->a, (size_t)cap * sizeof *list);
    int n = 0;
    while (store_step(st) == STORE_ROW) {
        if (n == cap) {
            actor_role *bigger = arena_alloc(req->a, (size_t)cap * 2 * sizeof *list);
            memcpy(bigger, list, (size_t)n * sizeof *list);
            list = bigger;
            cap *= 2;
        }
        list[n].role = auth_role_bit(store_col_text(st, 0));
        list[n].scope_kind = scope_letter(store_col_text(st, 1));
        list[n].scope_id = store_col_int(st, 2);
        req->actor.roles |= list[n].role;
        n++;
    }
    store_done(st);
    req->actor.role_list = list;
    req->actor.n_roles = n;
    return 0;
}

typedef struct touch_ctx {
    int64_t id, now;
    bool token;          /* an API token's last use, else a session's last activity */
} touch_ctx;

static int touch_job(store_conn *c, void *p)
{
    touch_ctx *t = p;
    /* A last-use time is not something the session cache holds as truth (it keeps its
     * own copy), so this write does not advance the watched epoch. */
    store_quiet(c, true);
    int rc = store_run(c, NULL, t->token ? "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
                                         : "UPDATE sessions SET last_seen_at = $1 WHERE id = $2",
                       "ii", t->now, t->id) == STORE_DONE ? 0 : -1;
    store_quiet(c, false);
    return rc;
}

static void touch_done(int rc, void *p)
{
    (void)rc;
    free(p);
}

/* Records activity without making the request wait. A write per request would cost a
 * flush each, so at most once a minute — or, with an idle limit under two minutes,
 * every half of it, so a session in use never reaches its idle limit. True when a
 * write was queued. */
static bool touch_later(http_req *req, int64_t id, bool token, int64_t last, int64_t now)
{
    int64_t every = 60 * 1000000LL, half_idle = req->cfg->session_idle_s * 1000000 / 2;
    if (!token && half_idle < every) every = half_idle;
    if (now - last <= every) return false;
    touch_ctx *t = xmalloc(sizeof *t);
    *t = (touch_ctx){.id = id, .now = now, .token = token};
    if (store_write(req->db, touch_job, t, touch_done, t)) {
        free(t);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- session cache
 * Who a cookie or token belongs to is read from the database once and then kept in
 * memory, so an authenticated read need not touch the database at all. An entry is
 * good while the store's epoch it was filled under holds: every committed write to
 * users, sessions, api_tokens, role_assignments or communities advances it before the
 * write is answered (store_watch), so a logout, a password change, a revoked token, a
 * changed role or a moved-out resident is honoured by this server at once. Another
 * process on the same database (a second server, a command) advances the epoch row in
 * the database; it is read at most AUTH_CACHE_CHECK_US apart, which bounds how long
 * such a change takes to be honoured here (docs/ARCHITECTURE.md). Expiry and the idle
 * limit are checked on every request from the entry's own times. */

#define AUTH_CACHE_SLOTS 4096           /* direct-mapped: a colliding session just refills */
#define AUTH_CACHE_CHECK_US 1000000LL   /* changes made by other processes: within 1 s */

typedef struct cache_entry {
    char hash[65];                      /* "" when empty */
    bool token;
    bool must_change_password;          /* a one-time password: the session is gated */
    uint64_t epoch, outside;            /* when filled: store_epoch and outside_epoch */
    int64_t user_id, community_id, id, last, expires;
    char *username, *display_name, *language, *csrf, *community_name, *community_timezone;
    int n_roles;
    actor_role *roles;
} cache_entry;

static struct {
    pthread_mutex_t mu;
    store *db;
    cache_entry slot[AUTH_CACHE_SLOTS];
    _Atomic uint64_t outside;           /* advanced when the database's epoch row moved */
    _Atomic int64_t db_epoch, checked_us;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void entry_clear(cache_entry *e)
{
    free(e->username);
    free(e->display_name);
    free(e->language);
    free(e->csrf);
    free(e->community_name);
    free(e->community_timezone);
    free(e->roles);
    memset(e, 0, sizeof *e);
}

void auth_cache_init(store *db)
{
    static const char *const watched[] = {"users", "sessions", "api_tokens", "role_assignments", "communities"};
    for (size_t i = 0; i < sizeof watched / sizeof *watched; i++) store_watch(db, watched[i]);
    pthread_mutex_lock(&cache.mu);
    for (int i = 0; i < AUTH_CACHE_SLOTS; i++) entry_clear(&cache.slot[i]);
    cache.db = db;
    atomic_store(&cache.checked_us, 0);
    pthread_mutex_unlock(&cache.mu);
}

static size_t slot_of(const char *hash)
{
    size_t h = 0;
    for (int i = 0; i < 8; i++) h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 32) - 'a' + 10);
    return h % AUTH_CACHE_SLOTS;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

/* Reads the database's epoch row when the last read is older than the bound; one
 * request at a time does it. */
static void cache_check_outside(http_req *req, int64_t now)
{
    int64_t checked = atomic_load(&cache.checked_us);
    if (now - checked < AUTH_CACHE_CHECK_US) return;
    if (!atomic_compare_exchange_strong(&cache.checked_us, &checked, now)) return;
    int64_t v = 0;
    if (store_epoch_read(http_read_conn(req), &v) != 0) {
        atomic_fetch_add(&cache.outside, 1);    /* cannot tell: trust nothing cached */
        return;
    }
    if (v != atomic_load(&cache.db_epoch)) {
        atomic_store(&cache.db_epoch, v);
        atomic_fetch_add(&cache.outside, 1);
    }
}

/* Fills the actor from a good entry; 0 on a hit. */
static int cache_lookup(http_req *req, const char *hash, bool token, int64_t now)
{
    int rc = -1;
    int64_t id = 0, last = 0;
    pthread_mutex_lock(&cache.mu);
    cache_entry *e = &cache.slot[slot_of(hash)];
    if (cache.db == req->db && e->hash[0] && e->token == token && !strcmp(e->hash, hash) &&
        e->epoch == store_epoch(req->db) && e->outside == atomic_load(&cache.outside) && e->expires > now &&
        (token || e->last + req->cfg->session_idle_s * 1000000 > now)) {
        actor *a = &req->actor;
        a->user_id = e->user_id;
        a->community_id = e->community_id;
        a->username = arena_strdup(req->a, e->username);
        a->display_name = arena_strdup(req->a, e->display_name);
        a->language = arena_strdup(req->a, e->language);
        a->community_name = arena_strdup(req->a, e->community_name);
        a->community_timezone = arena_strdup(req->a, e->community_timezone);
        a->via_token = token;
        a->must_change_password = e->must_change_password;
        if (!token) {
            a->session_id = e->id;
            a->csrf_token = arena_strdup(req->a, e->csrf);
        }
        a->n_roles = e->n_roles;
        a->role_list = arena_alloc(req->a, (size_t)(e->n_roles ? e->n_roles : 1) * sizeof *a->role_list);
        for (int i = 0; i < e->n_roles; i++) {
            a->role_list[i] = e->roles[i];
            a->roles |= e->roles[i].role;
        }
        id = e->id;
        last = e->last;
        rc = 0;
    }
    pthread_mutex_unlock(&cache.mu);
    if (rc == 0 && touch_later(req, id, token, last, now)) {
        pthread_mutex_lock(&cache.mu);
        if (!strcmp(e->hash, hash)) e->last = now;
        pthread_mutex_unlock(&cache.mu);
    }
    return rc;
}

static void cache_store(http_req *req, const char *hash, bool token, int64_t id, int64_t last, int64_t expires,
                        uint64_t epoch, uint64_t outside)
{
    const actor *a = &req->actor;
    pthread_mutex_lock(&cache.mu);
    if (cache.db == req->db) {
        cache_entry *e = &cache.slot[slot_of(hash)];
        entry_clear(e);
        snprintf(e->hash, sizeof e->hash, "%s", hash);
        e->token = token;
        e->must_change_password = a->must_change_password;
        e->epoch = epoch;
        e->outside = outside;
        e->user_id = a->user_id;
        e->community_id = a->community_id;
        e->id = id;
        e->last = last;
        e->expires = expires;
        e->username = dup_or_null(a->username);
        e->display_name = dup_or_null(a->display_name);
        e->language = dup_or_null(a->language);
        e->csrf = dup_or_null(a->csrf_token);
        e->community_name = dup_or_null(a->community_name);
        e->community_timezone = dup_or_null(a->community_timezone);
        e->n_roles = a->n_roles;
        if (a->n_roles) {
            e->roles = xmalloc((size_t)a->n_roles * sizeof *e->roles);
            memcpy(e->roles, a->role_list, (size_t)a->n_roles * sizeof *e->roles);
        }
    }
    pthread_mutex_unlock(&cache.mu);
}

/* Must run before the request's first read: the epochs are taken first, so an entry is
 * never tagged newer than the snapshot it was read from. */
int auth_authenticate(http_req *req)
{
    const char *cookie = http_cookie(req, "sw_session");
    const char *authz = http_header(req, "Authorization");
    int64_t now = clock_now_us();
    uint64_t epoch = store_epoch(req->db);
    char hash[65];
    store_stmt *st;
    bool token = authz && !strncmp(authz, "Bearer ", 7);
    if (token) secret_token_hash(authz + 7, hash);
    else if (cookie && *cookie) secret_token_hash(cookie, hash);
    else return -1;
    cache_check_outside(req, now);
    uint64_t outside = atomic_load(&cache.outside);
    if (cache_lookup(req, hash, token, now) == 0) return 0;

    store_conn *conn = http_read_conn(req);
    int64_t id, last, expires;
    if (token) {
        /* A token ends when it expires, when it is revoked, and when the password it was
         * made under changes (password_stamp: the hash the account had then; a reset
         * with a code changes it as surely as a change on the account page). */
        if (store_run(conn, &st,
                "SELECT t.user_id, u.community_id, u.username, u.display_name, u.language, u.disabled, "
                "t.id, NULL, COALESCE(t.last_used_at, 0), t.expires_at, c.name, c.timezone, u.must_change_password "
                "FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN communities c ON c.id = u.community_id "
                "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 "
                "AND t.password_stamp = u.password_hash", "ti", hash, now) != STORE_ROW)
            return -1;
        req->actor.via_token = true;
    } else {
        if (store_run(conn, &st,
                "SELECT s.user_id, u.community_id, u.username, u.display_name, u.language, u.disabled, "
                "s.id, s.csrf_token, s.last_seen_at, s.expires_at, c.name, c.timezone, u.must_change_password "
                "FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN communities c ON c.id = u.community_id "
                "WHERE s.token_hash = $1", "t", hash) != STORE_ROW)
            return -1;
        int64_t last_seen = store_col_int(st, 8), exp = store_col_int(st, 9);
        if (exp <= now || last_seen + req->cfg->session_idle_s * 1000000 <= now) {
            store_done(st);
            return -1;
        }
        req->actor.session_id = store_col_int(st, 6);
        req->actor.csrf_token = arena_strdup(req->a, store_col_text(st, 7));
    }
    id = store_col_int(st, 6);
    last = store_col_int(st, 8);
    expires = store_col_int(st, 9);
    req->actor.user_id = store_col_int(st, 0);
    req->actor.community_id = store_col_int(st, 1);
    req->actor.username = arena_strdup(req->a, store_col_text(st, 2));
    req->actor.display_name = arena_strdup(req->a, store_col_text(st, 3));
    req->actor.language = arena_strdup(req->a, store_col_text(st, 4));
    int disabled = (int)store_col_int(st, 5);
    req->actor.community_name = arena_strdup(req->a, store_col_text(st, 10));
    req->actor.community_timezone = arena_strdup(req->a, store_col_text(st, 11));
    req->actor.must_change_password = store_col_int(st, 12) != 0;
    store_done(st);
    if (disabled) return -1;
    if (load_roles(req, req->actor.user_id) != 0) return -1;
    if (touch_later(req, id, token, last, now)) last = now;
    cache_store(req, hash, token, id, last, expires, epoch, outside);
    return 0;
}

const char *auth_login_name(http_req *req, const char *typed)
{
    char *out = arena_alloc(req->a, VALIDATE_LOGIN_MAX);
    return validate_login_name(typed, out) ? typed : out;
}

/* ---------------------------------------------------------------- the "me" shape */

#define ME_EXTRA_MAX 8
static void (*me_extra[ME_EXTRA_MAX])(http_req *, json_t *);
static int n_me_extra;

void http_me_extra_register(void (*fn)(http_req *req, json_t *me))
{
    for (int i = 0; i < n_me_extra; i++)
        if (me_extra[i] == fn) return;
    assert(n_me_extra < ME_EXTRA_MAX);
    me_extra[n_me_extra++] = fn;
}

static json_t *me_finish(http_req *req, json_t *me)
{
    for (int i = 0; me && i < n_me_extra; i++) me_extra[i](req, me);
    return me;
}

json_t *auth_me_json(http_req *req, int64_t user_id, const char *csrf)
{
    store_stmt *st;
    if (store_run(req->conn, &st,
            "SELECT u.id, u.username, u.display_name, u.language, u.community_id, c.name, c.timezone, "
            "u.must_change_password FROM users u LEFT JOIN communities c ON c.id = u.community_id WHERE u.id = $1",
            "i", user_id) != STORE_ROW)
        return NULL;
    json_t *user = json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0),
                             "username", store_col_text(st, 1), "display_name", store_col_text(st, 2),
                             "language", store_col_text(st, 3), "must_change_password", store_col_int(st, 7) != 0);
    json_t *community = json_null();
    if (!store_col_null(st, 4)) {
        json_object_set_new(user, "community_id", json_integer(store_col_int(st, 4)));
        community = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 4),
                              "name", store_col_text(st, 5), "timezone", store_col_text(st, 6));
    } else {
        json_object_set_new(user, "community_id", json_null());
    }
    store_done(st);
    json_t *roles = json_array();
    st = store_prepare(req->conn,
                       "SELECT role, scope_kind, scope_id FROM role_assignments WHERE user_id = $1 ORDER BY id");
    if (st) {
        store_bind_int(st, 1, user_id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(roles, json_pack("{s:s, s:s, s:I}", "role", store_col_text(st, 0),
                                                   "scope_kind", store_col_text(st, 1),
                                                   "scope_id", (json_int_t)store_col_int(st, 2)));
        store_done(st);
    }
    json_object_set_new(user, "roles", roles);
    return me_finish(req, json_pack("{s:o, s:o, s:o}", "user", user, "community", community,
                                    "csrf_token", csrf ? json_string(csrf) : json_null()));
}

/* The same shape from the request's actor, without another query. */
json_t *auth_me_json_actor(http_req *req, bool with_csrf)
{
    const actor *a = &req->actor;
    json_t *roles = json_array();
    for (int i = 0; i < a->n_roles; i++) {
        const actor_role *r = &a->role_list[i];
        const char *kind = r->scope_kind == 'c' ? "community" : r->scope_kind == 'z' ? "zone"
                         : r->scope_kind == 'b' ? "block" : r->scope_kind == 'h' ? "household" : "global";
        json_array_append_new(roles, json_pack("{s:s, s:s, s:I}", "role", auth_role_name(r->role),
                                               "scope_kind", kind, "scope_id", (json_int_t)r->scope_id));
    }
    json_t *user = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:b}", "id", (json_int_t)a->user_id,
                             "username", a->username, "display_name", a->display_name, "language", a->language,
                             "community_id", a->community_id ? json_integer(a->community_id) : json_null(),
                             "roles", roles, "must_change_password", a->must_change_password);
    json_t *community = a->community_id && a->community_name
        ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)a->community_id, "name", a->community_name,
                    "timezone", a->community_timezone ? a->community_timezone : "Asia/Shanghai")
        : json_null();
    return me_finish(req, json_pack("{s:o, s:o, s:o}", "user", user, "community", community, "csrf_token",
                                    with_csrf && a->csrf_token ? json_string(a->csrf_token) : json_null()));
}

/* ---------------------------------------------------------------- login
 *
 * Three counters per failed login, so that guessing is slow but an attacker cannot
 * lock the owner out:
 *   ua:<address>|<username>  this address against this account: locks after
 *                            login_fail_account failures (5) — the attacker's address,
 *                            not the owner's;
 *   a:<address>              this address against any account (login_fail_address);
 *   u:<username>             the account from every address: locks only after ten
 *                            times login_fail_account (a spread-out attack), and does
 *                            not apply to a device the account logged in from before
 *                            (the sw_device cookie). A correct password from such a
 *                            device, or a reset with a code, lifts it. */

#define LOGIN_ACCOUNT_WIDE_FACTOR 10

typedef struct login_state {
    const char *username;
    int64_t user_id;        /* 0: unknown user */
    int64_t device_id;      /* a known device of this account sent its cookie, else 0 */
    bool ok;
    bool one_time;          /* the account's password is a printed one-time password */
    char ukey[300], uakey[360], akey[96];
} login_state;

/* A hash to verify against when the user is unknown, so both answers take as long. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy_hash(void) { secret_password_hash("not-a-real-password", dummy_hash); }

/* Seconds to wait, 0 when free, -1 on a storage error. */
static int64_t throttle_retry_checked(http_req *req, const char *key, int limit)
{
    int64_t now = clock_now_us(), window = req->cfg->login_window_s * 1000000;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT window_start, failures FROM login_failures WHERE key = $1", "t", key);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return -1;
    int64_t start = store_col_int(st, 0), failures = store_col_int(st, 1), retry = 0;
    if (start + window > now && failures >= limit) retry = (start + window - now) / 1000000 + 1;
    store_done(st);
    return retry;
}

int64_t throttle_retry_after(http_req *req, const char *key, int limit)
{
    int64_t r = throttle_retry_checked(req, key, limit);
    return r < 0 ? 0 : r;
}

/* The longest wait of the counters that apply, or -1 on a storage error. */
static int64_t login_retry(http_req *req, const login_state *ls)
{
    int64_t r1 = throttle_retry_checked(req, ls->uakey, req->cfg->login_fail_account);
    int64_t r2 = throttle_retry_checked(req, ls->akey, req->cfg->login_fail_address);
    int64_t r3 = ls->device_id ? 0
        : throttle_retry_checked(req, ls->ukey, req->cfg->login_fail_account * LOGIN_ACCOUNT_WIDE_FACTOR);
    if (r1 < 0 || r2 < 0 || r3 < 0) return -1;
    int64_t r = r1 > r2 ? r1 : r2;
    return r3 > r ? r3 : r;
}

static int login_prepare(http_req *req)
{
    login_state *ls = arena_alloc(req->a, sizeof *ls);
    req->scratch = ls;
    const char *password;
    if (!http_body_str(req, "username", 1, 64, &ls->username)) return -1;
    if (!http_body_str(req, "password", 1, 1024, &password)) return -1;
    /* 赵杭杰, ＺＨＡＯ and Zhao are typed forms of one login: one account, one counter. */
    ls->username = auth_login_name(req, ls->username);
    snprintf(ls->ukey, sizeof ls->ukey, "u:%s", ls->username);
    snprintf(ls->uakey, sizeof ls->uakey, "ua:%s|%s", req->address, ls->username);
    snprintf(ls->akey, sizeof ls->akey, "a:%s", req->address);
    const char *device = http_cookie(req, "sw_device");
    if (device && *device) {
        char dhash[65];
        secret_token_hash(device, dhash);
        ls->device_id = store_query_int(req->conn, 0,
                                        "SELECT d.id FROM known_devices d JOIN users u ON u.id = d.user_id WHERE "
                                        "d.device_hash = $1 AND u.username = $2",
                                        "tt", dhash, ls->username);
    }
    int64_t retry = login_retry(req, ls);
    if (retry < 0) return http_fail_internal(req, "throttle read");
    if (retry > 0) {
        req->retry_after = arena_printf(req->a, "%lld", (long long)retry);
        return http_fail(req, 429, "throttled", NULL, "err.throttled");
    }
    store_stmt *st;
    char *hash = NULL;
    if (store_run(req->conn, &st, "SELECT id, password_hash, disabled, must_change_password FROM users "
                                  "WHERE username = $1", "t", ls->username) == STORE_ROW) {
        if (!store_col_int(st, 2)) {
            ls->user_id = store_col_int(st, 0);
            hash = arena_strdup(req->a, store_col_text(st, 1));
            ls->one_time = store_col_int(st, 3) != 0;
        }
        store_done(st);
    }
    /* A one-time password is printed in groups ("48271 93605"): typed with or without
     * the space or a dash, it is the same password. */
    if (ls->one_time) {
        char *digits = arena_strdup(req->a, password), *o = digits;
        for (const char *p = password; *p; p++)
            if (*p != ' ' && *p != '-') *o++ = *p;
        *o = 0;
        password = digits;
    }
    pthread_once(&dummy_once, make_dummy_hash);
    bool match = secret_password_verify(hash ? hash : dummy_hash, password);
    ls->ok = hash && match;
    return 0;
}

/* Counts one failure and returns the count in the window (atomic on both backends:
 * one upsert), or -1 on a storage error. */
int64_t throttle_count(http_req *req, const char *key)
{
    int64_t now = clock_now_us(), cutoff = now - req->cfg->login_window_s * 1000000;
    store_stmt *st;
    if (store_run(req->conn, &st,
        "INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END, "
        "window_start = CASE WHEN login_failures.window_start < $3 THEN $2 ELSE login_failures.window_start END "
        "RETURNING failures",
        "tii", key, now, cutoff) != STORE_ROW)
        return -1;
    int64_t n = store_col_int(st, 0);
    store_done(st);
    return n;
}

static int login_throttled(http_req *req, int64_t retry)
{
    req->retry_after = arena_printf(req->a, "%lld", (long long)(retry > 0 ? retry : req->cfg->login_window_s));
    http_fail(req, 429, "throttled", NULL, "err.throttled");
    return 0;
}

/* A wrong password or unknown user: counted and audited even though the answer is an
 * error (the job keeps these writes); a failed write fails the job. */
static int login_failed(http_req *req, login_state *ls)
{
    int64_t nua = throttle_count(req, ls->uakey), na = throttle_count(req, ls->akey),
            nu = throttle_count(req, ls->ukey);
    if (nua < 0 || na < 0 || nu < 0) return http_fail_internal(req, "throttle");
    json_t *d = json_pack("{s:s}", "reason", ls->user_id ? "wrong_password" : "unknown_user");
    int rc = audit_write(req, "login_failed", "user", ls->user_id, d);
    json_decref(d);
    if (rc) return http_fail_internal(req, "audit write failed");
    if (nua > req->cfg->login_fail_account || na > req->cfg->login_fail_address ||
        (!ls->device_id && nu > req->cfg->login_fail_account * LOGIN_ACCOUNT_WIDE_FACTOR))
        return login_throttled(req, req->cfg->login_window_s);
    http_fail(req, 401, "unauthenticated", NULL, "err.login_failed");
    return 0;
}

/* Remembers the device a login came from (a cookie only the login route receives),
 * or refreshes it; a device is how the owner passes an account-wide lock. */
static int login_device(http_req *req, login_state *ls, int64_t community, int64_t now)
{
    if (ls->device_id)
        return store_run(req->conn, NULL, "UPDATE known_devices SET last_used_at = $1 WHERE id = $2", "ii", now,
                         ls->device_id) == STORE_DONE ? 0 : -1;
    char token[44], hash[65];
    secret_token(token);
    secret_token_hash(token, hash);
    if (store_run(req->conn, NULL,
            "INSERT INTO known_devices (community_id, user_id, device_hash, created_at, last_used_at) "
            "VALUES ($1, $2, $3, $4, $4)", "iiti", community, ls->user_id, hash, now) != STORE_DONE)
        return -1;
    req->set_cookie[req->n_set_cookie++] = arena_printf(req->a,
        "sw_device=%s; Path=/api/v1/session; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
        365LL * 86400, req->secure ? "; Secure" : "");
    return 0;
}

char *auth_session_start(http_req *req, int64_t user_id, int64_t community)
{
    char token[44], hash[65], csrf[44];
    secret_token(token);
    secret_token(csrf);
    secret_token_hash(token, hash);
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL,
                  "INSERT INTO sessions (community_id, user_id, token_hash, csrf_token, created_at, last_seen_at, "
                  "expires_at, address) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
                  "iittiit", community, user_id, hash, csrf, now, now + req->cfg->session_abs_s * 1000000,
                  req->address) != STORE_DONE)
        return NULL;
    req->set_cookie[req->n_set_cookie++] = arena_printf(req->a,
        "sw_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
        (long long)req->cfg->session_abs_s, req->secure ? "; Secure" : "");
    return arena_strdup(req->a, csrf);
}

static int login_handler(http_req *req)
{
    login_state *ls = req->scratch;
    /* Checked again here, where writes are ordered: guesses that raced past the check
     * in prepare while the password was being verified are not evaluated. */
    int64_t retry = login_retry(req, ls);
    if (retry < 0) return http_fail_internal(req, "throttle read");
    if (retry > 0) return login_throttled(req, retry);
    if (!ls->ok) return login_failed(req, ls);
    int64_t slip = 0;
    if (ls->one_time) {
        /* The one-time password works once, while its slip lives (not used, replaced or
         * expired). A right one past that is no guess: answered, not counted. */
        store_stmt *sl;
        int rc = store_run(req->conn, &sl, "UPDATE login_slips SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL "
                                           "AND revoked_at IS NULL AND expires_at > $1 RETURNING id",
                           "ii", clock_now_us(), ls->user_id);
        if (rc == STORE_ROW) {
            slip = store_col_int(sl, 0);
            store_done(sl);
        } else if (rc != STORE_DONE) {
            return http_fail_internal(req, "slip use");
        }
        if (!slip) {
            /* In the account's community log: staff see that an old slip was tried. */
            req->actor.community_id = store_query_int(req->conn, 0, "SELECT community_id FROM users WHERE id = $1",
                                                      "i", ls->user_id);
            json_t *d = json_pack("{s:s}", "reason", "slip_spent");
            rc = audit_write(req, "login_failed", "user", ls->user_id, d);
            json_decref(d);
            if (rc) return http_fail_internal(req, "audit write failed");
            http_fail(req, 401, "unauthenticated", "password", "err.slip_spent");
            return 0;
        }
    }
    int64_t now = clock_now_us(), community;
    if (store_query_int_checked(req->conn, &community, 0, "SELECT community_id FROM users WHERE id = $1", "i",
                                ls->user_id))
        return http_fail_internal(req, "user read");
    const char *csrf = auth_session_start(req, ls->user_id, community);
    if (!csrf) return http_fail_internal(req, "session insert");
    /* The right password lifts this address's lock on the account and the account-wide
     * one (the owner is here); the address counter stays, it covers other accounts. */
    if (store_run(req->conn, NULL, "DELETE FROM login_failures WHERE key = $1 OR key = $2", "tt", ls->uakey, ls->ukey)
        != STORE_DONE)
        return http_fail_internal(req, "throttle reset");
    if (login_device(req, ls, community, now)) return http_fail_internal(req, "device");
    req->actor.user_id = ls->user_id;
    req->actor.community_id = community;
    json_t *detail = slip ? json_pack("{s:I}", "slip_id", (json_int_t)slip) : NULL;
    int arc = audit_write(req, "login", "user", ls->user_id, detail);
    json_decref(detail);
    if (arc) return http_fail_internal(req, "audit write failed");
    json_t *me = auth_me_json(req, ls->user_id, csrf);
    if (!me) return http_fail_internal(req, "me");
    return http_reply(req, 200, me);
}

bool auth_is_login(const http_route *route) { return route->handler == login_handler; }

static int logout_handler(http_req *req)
{
    if (req->actor.session_id &&
        store_run(req->conn, NULL, "DELETE FROM sessions WHERE id = $1", "i", req->actor.session_id) != STORE_DONE)
        return http_fail_internal(req, "session delete");
    req->set_cookie[req->n_set_cookie++] = arena_printf(req->a,
        "sw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", req->secure ? "; Secure" : "");
    return http_reply(req, 200, json_pack("{s:b}", "ok", 1));
}

static int health_handler(http_req *req)
{
    /* Migrations run before the server starts, so the level read then is still true.
     * Health asks the database nothing (it is polled often): it tells what the last
     * uses of the connections found, which the per-second timers keep fresh. While the
     * database is away it answers 503, so a balancer sends work elsewhere. */
    int64_t level = http_migration_level();
    int64_t away = store_unreachable_since(req->db);
    json_t *out = json_pack("{s:s, s:s, s:s, s:I}", "status", away ? "degraded" : "ok", "version", http_version(),
                            "backend", store_backend_name(req->db), "migration", (json_int_t)level);
    if (!away) return http_reply(req, 200, out);
    json_object_set_new(out, "database", json_string("unreachable"));
    json_object_set_new(out, "unreachable_for_s", json_integer((clock_now_us() - away) / 1000000));
    req->retry_after = "2";
    return http_reply(req, 503, out);
}

const http_route auth_routes[] = {
    {"GET", "/api/v1/health", NULL, health_handler, 0, ROUTE_PUBLIC, 0, NULL},
    {"POST", "/api/v1/session", login_prepare, login_handler, 0, ROUTE_PUBLIC | ROUTE_WRITE | ROUTE_NO_CSRF, 4096,
     NULL},
    {"DELETE", "/api/v1/session", NULL, logout_handler, ROLES_ANY, ROUTE_WRITE | ROUTE_ANY_USER, 0, "logout"},
    {0},
};

const i18n_entry http_messages[] = {
    {"err.not_found", "未找到该记录或页面", "Not found"},
    {"err.internal", "服务器内部错误，请稍后再试", "Internal error; please try again later"},
    {"err.unauthenticated", "请先登录", "Please log in"},
    {"err.login_failed", "用户名或密码错误", "Wrong username or password"},
    {"err.forbidden", "您的角色无权进行此操作", "Your role may not do this"},
    {"err.csrf", "请求缺少有效的安全令牌，请刷新页面后重试", "Missing or invalid CSRF token; reload the page and try again"},
    {"err.method_not_allowed", "不支持该请求方法", "Method not allowed"},
    {"err.body_too_large", "提交的内容过大", "Request body too large"},
    {"err.headers_too_large", "请求头过大", "Request headers too large"},
    {"err.overloaded", "服务器繁忙，请稍后再试", "Server busy; please try again shortly"},
    {"err.shutting_down", "服务器正在关闭，请稍后再试", "Server is shutting down; try again shortly"},
    {"err.write_failed", "保存失败，未做任何更改，请重试", "Could not save; nothing was changed. Please retry"},
    {"err.db_unavailable", "数据库暂时无法连接，未做任何更改，请稍后重试",
     "The database cannot be reached just now; nothing was changed. Please retry shortly"},
    {"err.throttled", "登录失败次数过多，请稍后再试", "Too many failed logins; try again later"},
    {"err.bad_json", "请求内容不是有效的 JSON", "Request body is not valid JSON"},
    {"err.json_not_object", "请求内容必须是 JSON 对象", "Request body must be a JSON object"},
    {"err.required", "此项必填", "This field is required"},
    {"err.too_short", "内容太短", "Too short"},
    {"err.too_long", "内容太长", "Too long"},
    {"err.not_string", "应为文本", "Must be text"},
    {"err.not_integer", "应为整数", "Must be a whole number"},
    {"err.out_of_range", "数值超出允许范围", "Value out of range"},
    {"err.bad_utf8", "包含无效字符编码", "Contains invalid UTF-8"},
    {"err.control_chars", "包含不允许的控制字符", "Contains control characters"},
    {"err.username_chars", "用户名可用字母、数字和 _ . -，也可以是手机号或中文姓名",
     "A username may hold letters, digits and _ . -, or be a phone number or a name in Chinese"},
    {"err.password_short", "密码至少 8 位", "Password must be at least 8 characters"},
    {"err.phone_format", "电话号码格式不正确", "Phone number format is invalid"},
    {"err.lang", "语言只能是 zh-CN 或 en", "Language must be zh-CN or en"},
    {"err.timezone", "未知的时区", "Unknown time zone"},
    {"err.id_length", "身份证号应为 18 位", "ID number must have 18 characters"},
    {"err.id_format", "身份证号格式不正确", "ID number format is invalid"},
    {"err.id_check_digit", "身份证号校验位不正确", "ID number check digit is wrong"},
    {"err.id_birth_date", "身份证号中的出生日期无效", "Birth date in the ID number is invalid"},
    {"err.format", "导出格式只能是 csv 或 xlsx", "Export format must be csv or xlsx"},
    {"err.lang", "语言只能是 zh-CN 或 en", "Language must be zh-CN or en"},
    {"err.idempotency_key", "Idempotency-Key 长度应为 1 到 128 个字符", "Idempotency-Key must be 1 to 128 characters"},
    {"err.idempotency_key_reused", "该幂等键已用于另一个不同的请求", "This Idempotency-Key was used for a different request"},
    {"err.idempotency_in_progress", "相同的请求正在处理中，请稍候", "The same request is still being processed"},
    {"err.idempotency_already_done", "该请求已经完成；出于安全原因不再重复显示结果",
     "This request was already done; for safety its answer is not shown again"},
    {"err.too_many_attempts", "来自此地址的无效请求过多，请稍后再试", "Too many refused attempts from this address; try again later"},
    {"err.too_many_query", "查询参数过多（最多 64 个）", "Too many query parameters (at most 64)"},
    {"err.cursor", "分页游标无效", "Invalid page cursor"},
    {"err.content_type", "请求内容类型必须是 application/json", "Content-Type must be application/json"},
    {"err.origin", "请求来自其他网站，已拒绝", "The request came from another site and was refused"},
    {"err.headers_too_large_uri", "请求地址过长", "Request URL too long"},
    {"err.bad_request", "请求格式不正确", "Malformed request"},
    {"list.yes", "是", "yes"},
    {"list.no", "否", "no"},
    {"list.printed_at", "打印时间", "Printed at"},
    {"list.total", "合计", "Total"},
    {"err.conflict", "与现有记录冲突", "Conflicts with an existing record"},
    {"err.slip_spent", "这张登录单的一次性密码已用过、已过期或已被新单取代，请向居委会索取新的登录单",
     "This slip's one-time password was used, has expired or was replaced; ask the committee for a new slip"},
    {"err.password_change_required", "请先设置您自己的密码", "Set your own password first"},
    {0, 0, 0},
};
