/* bulletins.c — the bulletin (通告) itself: writing one in up to four languages for the
 * community, some zones or some blocks, now or at a time; the readers' list (pinned
 * first, then newest) and view in their language; revising (a new version, the older
 * texts kept and listed for staff); withdrawing. Tables in 027_bulletins.sql.
 *
 * Scheduling needs no timer: a reader's statement asks publish_at <= now, so a bulletin
 * written for 18:00 appears at 18:00. An urgent one tells the members in its scope when
 * it is written live, or at the first tick once its time has come (capability.c). The
 * same moment announces it to the committee's chat-group channels (../outbox.h): the
 * row's announce_at is its due time, claimed once like a help request's due_at; a
 * revision of a live bulletin's texts is announced again as its new version. */
#include "bulletins_int.h"
#include "../notify.h"
#include "../outbox.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const bulletin_langs[] = {"zh-CN", "en", "ja", "ko", NULL};
static const char *const bulletin_kinds[] = {"daily", "notice", "urgent", "rumour", NULL};
static const char *const bulletin_scopes[] = {"community", "zones", "blocks", NULL};

#define BUL_NLANG 4
#define BUL_MAX_TARGETS 200
#define US_DAY (86400LL * 1000000)

static int word_index(const char *word, const char *const *list)
{
    for (int i = 0; word && list[i]; i++)
        if (!strcmp(word, list[i])) return i;
    return -1;
}

bool bulletin_is_staff(http_req *req) { return actor_has(&req->actor, BUL_STAFF); }

void bulletin_visible_bind(http_req *req, store_stmt *st, int64_t now)
{
    scope_bind(req, st);
    store_bind_int(st, 3, bulletin_is_staff(req) ? 1 : 0);
    store_bind_int(st, 4, now);
}

bool bulletin_visible(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, "SELECT COUNT(*) FROM bulletins x WHERE " BUL_VISIBLE " AND x.id = $5");
    if (!st) return false;
    bulletin_visible_bind(req, st, clock_now_us());
    store_bind_int(st, 5, id);
    bool seen = store_step(st) == STORE_ROW && store_col_int(st, 0) > 0;
    store_done(st);
    return seen;
}

bool bulletin_live(http_req *req, int64_t id)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM bulletins WHERE id = $1 AND community_id = $2 AND "
                           "state = 'published' AND publish_at <= $3", "iii", id, req->actor.community_id,
                           clock_now_us()) > 0;
}

const char *bulletin_reader_lang(http_req *req)
{
    const char *q = http_query(req, "text_lang");
    if (q && word_index(q, bulletin_langs) >= 0) return q;
    const char *h = http_header(req, "Accept-Language");
    while (h && *h) {
        while (*h == ' ' || *h == ',') h++;
        if (!strncasecmp(h, "ja", 2)) return "ja";
        if (!strncasecmp(h, "ko", 2)) return "ko";
        if (!strncasecmp(h, "en", 2)) return "en";
        if (!strncasecmp(h, "zh", 2)) return "zh-CN";
        h = strchr(h, ',');
    }
    return req->lang == LANG_EN ? "en" : "zh-CN";
}

static const char *community_tz(http_req *req)
{
    const char *tz = req->actor.community_timezone;
    return tz && *tz ? tz : "Asia/Shanghai";
}

const char *bulletin_local_time(http_req *req, int64_t us)
{
    char when[32];
    clock_format_local(community_tz(req), us, when, sizeof when);
    return arena_strdup(req->a, when);
}

const char *bulletin_local_day(http_req *req, int64_t us)
{
    char day[16];
    if (clock_local_date(community_tz(req), us, day, sizeof day) < 0) return "";
    return arena_strdup(req->a, day);
}

json_t *bulletin_time_json(int64_t us)
{
    char when[32];
    clock_format_utc(us, when, sizeof when);
    return json_string(when);
}

int bulletin_reply_raw(http_req *req, buf *b, const char *type)
{
    size_t len;
    char *bytes = buf_take(b, &len);
    req->out_raw = arena_strndup(req->a, bytes ? bytes : "", bytes ? len : 0);
    req->out_raw_len = bytes ? len : 0;
    free(bytes);
    req->out_type = type;
    req->status = 200;
    return 0;
}

/* Only a plain host name or address is echoed into a printed link. */
const char *bulletin_base_url(http_req *req)
{
    const char *host = http_header(req, "Host");
    bool ok = host && *host && strlen(host) < 200;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(".-:[]", *p);
    return arena_printf(req->a, "%s://%s", req->secure ? "https" : "http", ok ? host : "localhost");
}

/* ---------------------------------------------------------------- telling people */

/* Every member whose scope meets the bulletin's audience: $1 community, $2 bulletin,
 * $3 1 when it is for the whole community. Bounded: a notice wall, not a mass mailer. */
#define BUL_AUDIENCE_BLOCKS \
    "SELECT b.%s FROM bulletin_targets t JOIN blocks b ON b.community_id = t.community_id AND (b.id = t.block_id " \
    "OR b.zone_id = t.zone_id) WHERE t.community_id = $1 AND t.bulletin_id = $2"
static const char NOTIFY_SQL[] =
    "SELECT DISTINCT ra.user_id FROM role_assignments ra WHERE ra.community_id = $1 AND ra.role <> 'superuser' "
    "AND ($3 = 1 OR ra.role = 'committee' "
    "OR (ra.role = 'zone_leader' AND ra.scope_kind = 'zone' AND ra.scope_id IN (SELECT b.zone_id FROM "
    "bulletin_targets t JOIN blocks b ON b.community_id = t.community_id AND (b.id = t.block_id OR b.zone_id = "
    "t.zone_id) WHERE t.community_id = $1 AND t.bulletin_id = $2)) "
    "OR (ra.role = 'block_leader' AND ra.scope_kind = 'block' AND ra.scope_id IN (SELECT b.id FROM "
    "bulletin_targets t JOIN blocks b ON b.community_id = t.community_id AND (b.id = t.block_id OR b.zone_id = "
    "t.zone_id) WHERE t.community_id = $1 AND t.bulletin_id = $2)) "
    "OR (ra.role = 'resident' AND ra.scope_kind = 'household' AND ra.scope_id IN (SELECT h.id FROM households h "
    "JOIN blocks b ON b.id = h.block_id JOIN bulletin_targets t ON t.community_id = b.community_id AND (b.id = "
    "t.block_id OR b.zone_id = t.zone_id) WHERE h.community_id = $1 AND t.bulletin_id = $2))) "
    "ORDER BY ra.user_id LIMIT 5000";

int64_t bulletin_notify_due(store_conn *c, int64_t community_id, int64_t id, int64_t now)
{
    store_stmt *st;
    int rc = store_run(c, &st, "UPDATE bulletins SET notified_at = $3 WHERE id = $2 AND community_id = $1 AND kind = "
                       "'urgent' AND state = 'published' AND publish_at <= $3 AND notified_at IS NULL RETURNING "
                       "scope_kind", "iii", community_id, id, now);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return -1;
    bool all = !strcmp(store_col_text(st, 0), "community");
    store_done(st);
    if (store_run(c, &st, "SELECT title FROM bulletin_texts t JOIN bulletins x ON x.id = t.bulletin_id AND x.version = "
                  "t.version WHERE t.community_id = $1 AND t.bulletin_id = $2 AND t.lang = 'zh-CN'", "ii",
                  community_id, id) != STORE_ROW)
        return -1;
    json_t *params = json_pack("{s:s, s:I}", "title", store_col_text(st, 0), "bulletin_id", (json_int_t)id);
    store_done(st);
    char link[48];
    snprintf(link, sizeof link, "/bulletins/%lld", (long long)id);
    int64_t told = notify_users_from(c, community_id, "bulletin_urgent", params, link, NOTIFY_SQL, "ii", id, all);
    json_decref(params);
    return told;
}

int bulletin_announce_due(store_conn *c, int64_t community_id, int64_t id, int64_t now)
{
    store_stmt *st;
    int rc = store_run(c, &st, "UPDATE bulletins SET announce_at = NULL WHERE id = $2 AND community_id = $1 AND "
                       "state = 'published' AND publish_at <= $3 AND announce_at <= $3 RETURNING version, public",
                       "iii", community_id, id, now);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return -1;
    int64_t version = store_col_int(st, 0);
    bool public_ = store_col_int(st, 1) != 0;
    store_done(st);
    if (store_run(c, &st, "SELECT title, body FROM bulletin_texts WHERE community_id = $1 AND bulletin_id = $2 AND "
                  "version = $3 AND lang = 'zh-CN'", "iii", community_id, id, version) != STORE_ROW)
        return -1;
    char key[64], link[96];
    snprintf(key, sizeof key, "bulletin:%lld:v%lld", (long long)id, (long long)version);
    if (public_)
        snprintf(link, sizeof link, "/public/communities/%lld/bulletins#bulletin-%lld", (long long)community_id,
                 (long long)id);
    else
        snprintf(link, sizeof link, "/bulletins/%lld", (long long)id);
    rc = outbox_event(c, community_id, "bulletin.published", key, store_col_text(st, 0), store_col_text(st, 1), link);
    store_done(st);
    return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- reading */

#define BUL_SELECT \
    "SELECT x.id, x.kind, x.scope_kind, x.pinned, x.public, x.publish_at, x.state, x.version, x.revised_at, " \
    "x.withdrawn_at, COALESCE(tl.title, zh.title), COALESCE(tl.body, zh.body), COALESCE(tl.rumour, zh.rumour), " \
    "COALESCE(tl.lang, zh.lang), x.created_at, (SELECT COUNT(*) FROM bulletin_receipts r JOIN role_assignments rr " \
    "ON rr.scope_id = r.household_id AND rr.user_id = $2 AND rr.community_id = $1 AND rr.role = 'resident' AND " \
    "rr.scope_kind = 'household' WHERE r.community_id = x.community_id AND r.bulletin_id = x.id) " \
    "FROM bulletins x JOIN bulletin_texts zh ON zh.community_id = x.community_id AND zh.bulletin_id = x.id " \
    "AND zh.version = x.version AND zh.lang = 'zh-CN' LEFT JOIN bulletin_texts tl ON tl.community_id = " \
    "x.community_id AND tl.bulletin_id = x.id AND tl.version = x.version AND tl.lang = $5 WHERE " BUL_VISIBLE

static json_t *bulletin_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    int64_t publish_at = store_col_int(st, 5), now = clock_now_us();
    bool revised = !store_col_null(st, 8);
    json_t *b = json_pack("{s:I, s:s, s:s, s:b, s:b, s:o, s:s, s:b, s:s, s:I, s:b, s:s, s:s, s:s?, s:s, s:b}",
                          "id", (json_int_t)store_col_int(st, 0), "kind", store_col_text(st, 1), "scope",
                          store_col_text(st, 2), "pinned", (int)store_col_int(st, 3), "public",
                          (int)store_col_int(st, 4), "publish_at", bulletin_time_json(publish_at), "publish_text",
                          bulletin_local_time(req, publish_at), "scheduled", publish_at > now, "state",
                          store_col_text(st, 6), "version", (json_int_t)store_col_int(st, 7), "revised", revised,
                          "title", store_col_text(st, 10), "body", store_col_text(st, 11), "rumour",
                          store_col_text(st, 12), "lang", store_col_text(st, 13), "read",
                          store_col_int(st, 15) > 0);
    json_object_set_new(b, "revised_at", revised ? bulletin_time_json(store_col_int(st, 8)) : json_null());
    json_object_set_new(b, "revised_text", revised ? json_string(bulletin_local_time(req, store_col_int(st, 8)))
                                                   : json_null());
    json_object_set_new(b, "withdrawn_at", store_col_null(st, 9) ? json_null()
                                                                 : bulletin_time_json(store_col_int(st, 9)));
    return b;
}

/* GET /bulletins?kind= : pinned first, then newest; the cursor is an offset, as the
 * order is not by id. */
static int bulletins_list(http_req *req)
{
    const char *kind = http_query(req, "kind");
    if (kind && *kind && word_index(kind, bulletin_kinds) < 0) return http_fail_field(req, "kind", "bul.err.kind");
    int64_t limit = http_list_limit(req), offset = http_list_cursor(req);
    store_stmt *st = store_prepare(req->conn, BUL_SELECT " AND ($6 = '' OR x.kind = $6) "
                                   "ORDER BY x.pinned DESC, x.publish_at DESC, x.id DESC LIMIT $7 OFFSET $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    bulletin_visible_bind(req, st, clock_now_us());
    store_bind_text(st, 5, bulletin_reader_lang(req));
    store_bind_text(st, 6, kind ? kind : "");
    store_bind_int(st, 7, limit + 1);
    store_bind_int(st, 8, offset);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, bulletin_item, req, &next_after);
    return http_reply_list(req, "bul.list.bulletins", NULL, items, next_after ? offset + limit : 0);
}

/* The current version's texts by language, and the zones and blocks it is for. */
static void bulletin_details(http_req *req, json_t *b, int64_t id)
{
    json_t *texts = json_object(), *langs = json_array(), *targets = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT t.lang, t.title, t.body, t.rumour FROM bulletin_texts t JOIN "
                                   "bulletins x ON x.id = t.bulletin_id AND x.version = t.version WHERE "
                                   "t.community_id = $1 AND t.bulletin_id = $2 ORDER BY t.id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            json_object_set_new(texts, store_col_text(st, 0),
                                json_pack("{s:s, s:s, s:s?}", "title", store_col_text(st, 1), "body",
                                          store_col_text(st, 2), "rumour", store_col_text(st, 3)));
            json_array_append_new(langs, json_string(store_col_text(st, 0)));
        }
        store_done(st);
    }
    st = store_prepare(req->conn, "SELECT t.zone_id, z.name, t.block_id, b.name FROM bulletin_targets t LEFT JOIN "
                                  "zones z ON z.id = t.zone_id LEFT JOIN blocks b ON b.id = t.block_id WHERE "
                                  "t.community_id = $1 AND t.bulletin_id = $2 ORDER BY t.id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            bool zone = !store_col_null(st, 0);
            json_array_append_new(targets, json_pack("{s:s, s:I, s:s?}", "kind", zone ? "zone" : "block", "id",
                                                     (json_int_t)store_col_int(st, zone ? 0 : 2), "name",
                                                     store_col_text(st, zone ? 1 : 3)));
        }
        store_done(st);
    }
    json_object_set_new(b, "texts", texts);
    json_object_set_new(b, "languages", langs);
    json_object_set_new(b, "targets", targets);
}

/* The bulletin as the actor may see it; NULL with 404/500 set. */
static json_t *bulletin_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, BUL_SELECT " AND x.id = $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), NULL;
    bulletin_visible_bind(req, st, clock_now_us());
    store_bind_text(st, 5, bulletin_reader_lang(req));
    store_bind_int(st, 6, id);
    int rc = store_step(st);
    json_t *b = rc == STORE_ROW ? bulletin_item(st, req) : NULL;
    store_done(st);
    if (!b) return rc == STORE_DONE ? (http_fail_not_found(req), NULL) : (http_fail_internal(req, "bulletin"), NULL);
    bulletin_details(req, b, id);
    return b;
}

static int bulletin_reply(http_req *req, int status, int64_t id)
{
    json_t *b = bulletin_read(req, id);
    if (!b) return -1;
    return http_reply(req, status, json_pack("{s:o}", "bulletin", b));
}

static int bulletin_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return bulletin_reply(req, 200, id);
}

/* GET /bulletins/{id}/versions: every version's texts, newest first (staff). */
static int bulletin_versions(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM bulletins WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    json_t *versions = json_array();
    store_stmt *st = store_prepare(req->conn, "SELECT v.version, v.edited_at, v.edited_by, u.display_name FROM "
                                   "bulletin_versions v LEFT JOIN users u ON u.id = v.edited_by WHERE "
                                   "v.community_id = $1 AND v.bulletin_id = $2 ORDER BY v.version DESC");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    while (store_step(st) == STORE_ROW) {
        int64_t at = store_col_int(st, 1);
        json_array_append_new(versions, json_pack("{s:I, s:o, s:s, s:s?, s:o}", "version",
                                                  (json_int_t)store_col_int(st, 0), "edited_at",
                                                  bulletin_time_json(at), "edited_text", bulletin_local_time(req, at),
                                                  "edited_by", http_by_label(req, store_col_int(st, 2),
                                                                             store_col_text(st, 3)),
                                                  "texts", json_object()));
    }
    store_done(st);
    st = store_prepare(req->conn, "SELECT version, lang, title, body, rumour FROM bulletin_texts WHERE community_id = "
                                  "$1 AND bulletin_id = $2 ORDER BY version DESC, id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    while (store_step(st) == STORE_ROW) {
        size_t i;
        json_t *v;
        json_array_foreach(versions, i, v) {
            if (json_integer_value(json_object_get(v, "version")) != store_col_int(st, 0)) continue;
            json_object_set_new(json_object_get(v, "texts"), store_col_text(st, 1),
                                json_pack("{s:s, s:s, s:s?}", "title", store_col_text(st, 2), "body",
                                          store_col_text(st, 3), "rumour", store_col_text(st, 4)));
        }
    }
    store_done(st);
    return http_reply(req, 200, json_pack("{s:I, s:o}", "bulletin_id", (json_int_t)id, "versions", versions));
}

/* ---------------------------------------------------------------- writing */

typedef struct bul_text { const char *title, *body, *rumour; bool present; } bul_text;

typedef struct bul_input {
    const char *kind, *scope;
    bul_text texts[BUL_NLANG];
    bool has_texts;
    int64_t ids[BUL_MAX_TARGETS];
    size_t n_ids;
    bool has_scope;
    int64_t publish_at;
    bool has_publish;
    int64_t pinned, public_;
    bool has_pinned, has_public;
} bul_input;

static bool text_field(http_req *req, json_t *v, const char *lang, const char *name, size_t max, bool required,
                       const char **out)
{
    json_t *x = json_object_get(v, name);
    const char *field = arena_printf(req->a, "texts.%s.%s", lang, name);
    *out = NULL;
    if (!x || json_is_null(x) || (!required && json_is_string(x) && !*json_string_value(x))) {
        if (required) return http_fail_field(req, field, "err.required"), false;
        return true;
    }
    if (!json_is_string(x)) return http_fail_field(req, field, "bul.err.text"), false;
    const char *e = validate_text(json_string_value(x), 1, max);
    if (e) return http_fail_field(req, field, e), false;
    *out = json_string_value(x);
    return true;
}

static bool texts_parse(http_req *req, bul_input *in)
{
    json_t *t = json_object_get(req->json, "texts");
    if (!t) return true;
    if (!json_is_object(t)) return http_fail_field(req, "texts", "bul.err.texts"), false;
    in->has_texts = true;
    const char *key;
    json_t *v;
    json_object_foreach(t, key, v) {
        int li = word_index(key, bulletin_langs);
        if (li < 0) return http_fail_field(req, "texts", "bul.err.lang"), false;
        if (json_is_null(v)) continue;
        const char *field = arena_printf(req->a, "texts.%s", key);
        if (!json_is_object(v)) return http_fail_field(req, field, "bul.err.texts"), false;
        bul_text *x = &in->texts[li];
        /* A language left empty in the editor is no version of it. */
        json_t *title = json_object_get(v, "title"), *body = json_object_get(v, "body");
        if (li > 0 && (!title || (json_is_string(title) && !*json_string_value(title))) &&
            (!body || (json_is_string(body) && !*json_string_value(body))))
            continue;
        if (!text_field(req, v, key, "title", 120, true, &x->title) ||
            !text_field(req, v, key, "body", 10000, true, &x->body) ||
            !text_field(req, v, key, "rumour", 2000, false, &x->rumour))
            return false;
        x->present = true;
    }
    if (!in->texts[0].present) return http_fail_field(req, "texts.zh-CN", "bul.err.zh_required"), false;
    return true;
}

/* zone_ids / block_ids: each one of the community's. */
static bool targets_parse(http_req *req, bul_input *in)
{
    if (!strcmp(in->scope, "community")) return true;
    bool zones = !strcmp(in->scope, "zones");
    const char *name = zones ? "zone_ids" : "block_ids";
    json_t *a = json_object_get(req->json, name);
    if (!json_is_array(a) || !json_array_size(a)) return http_fail_field(req, name, "bul.err.targets"), false;
    if (json_array_size(a) > BUL_MAX_TARGETS) return http_fail_field(req, name, "err.too_long"), false;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        const char *field = arena_printf(req->a, "%s[%zu]", name, i);
        if (!json_is_integer(x)) return http_fail_field(req, field, "err.not_integer"), false;
        int64_t id = json_integer_value(x);
        if (!store_query_int(req->conn, 0, zones ? "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2"
                                                 : "SELECT COUNT(*) FROM blocks WHERE id = $1 AND community_id = $2",
                             "ii", id, req->actor.community_id))
            return http_fail_field(req, field, zones ? "bul.err.zone" : "bul.err.block"), false;
        bool again = false;
        for (size_t k = 0; k < in->n_ids; k++) again |= in->ids[k] == id;
        if (!again) in->ids[in->n_ids++] = id;
    }
    return true;
}

static bool bool_field(http_req *req, const char *name, int64_t *out, bool *has)
{
    json_t *x = json_object_get(req->json, name);
    *has = x != NULL;
    if (!x) return true;
    if (!json_is_boolean(x)) return http_fail_field(req, name, "bul.err.boolean"), false;
    *out = json_is_true(x);
    return true;
}

/* The fields of POST and PATCH; false with the 400 naming the field. */
static bool bulletin_parse(http_req *req, bool create, bul_input *in)
{
    memset(in, 0, sizeof *in);
    if (!(create ? http_body_str(req, "kind", 1, 16, &in->kind) : http_body_str_opt(req, "kind", 1, 16, &in->kind)))
        return false;
    if (in->kind && word_index(in->kind, bulletin_kinds) < 0)
        return http_fail_field(req, "kind", "bul.err.kind"), false;
    if (!texts_parse(req, in)) return false;
    if (create && !in->has_texts) return http_fail_field(req, "texts.zh-CN", "bul.err.zh_required"), false;
    if (in->kind && !strcmp(in->kind, "rumour") && in->has_texts && !in->texts[0].rumour)
        return http_fail_field(req, "texts.zh-CN.rumour", "bul.err.rumour_required"), false;
    if (!http_body_str_opt(req, "scope", 1, 16, &in->scope)) return false;
    if (in->scope && word_index(in->scope, bulletin_scopes) < 0)
        return http_fail_field(req, "scope", "bul.err.scope"), false;
    if (!in->scope && create) in->scope = "community";
    in->has_scope = in->scope != NULL;
    if (in->scope && !targets_parse(req, in)) return false;
    int64_t now = clock_now_us();
    json_t *p = json_object_get(req->json, "publish_at");
    in->has_publish = p != NULL || create;
    in->publish_at = now;
    if (p && !json_is_null(p)) {
        const char *s = json_string_value(p);
        if (!s || !clock_parse_utc(s, &in->publish_at))
            return http_fail_field(req, "publish_at", "bul.err.time"), false;
        if (in->publish_at > now + 366 * US_DAY) return http_fail_field(req, "publish_at", "bul.err.too_far"), false;
        if (in->publish_at < now) in->publish_at = now;   /* "now" typed a minute ago */
    }
    return bool_field(req, "pinned", &in->pinned, &in->has_pinned) &&
           bool_field(req, "public", &in->public_, &in->has_public);
}

static int texts_insert(http_req *req, int64_t id, int64_t version, const bul_input *in, const char *kind)
{
    bool rumour = !strcmp(kind, "rumour");
    for (int i = 0; i < BUL_NLANG; i++) {
        const bul_text *t = &in->texts[i];
        if (!t->present) continue;
        if (store_run(req->conn, NULL, "INSERT INTO bulletin_texts (community_id, bulletin_id, version, lang, title, "
                      "body, rumour) VALUES ($1, $2, $3, $4, $5, $6, $7)", "iiitttt", req->actor.community_id, id,
                      version, bulletin_langs[i], t->title, t->body, rumour ? t->rumour : NULL) != STORE_DONE)
            return -1;
    }
    return store_run(req->conn, NULL, "INSERT INTO bulletin_versions (community_id, bulletin_id, version, edited_by, "
                     "edited_at) VALUES ($1, $2, $3, $4, $5)", "iiiii", req->actor.community_id, id, version,
                     req->actor.user_id, clock_now_us()) == STORE_DONE ? 0 : -1;
}

static int targets_put(http_req *req, int64_t id, const bul_input *in)
{
    if (store_run(req->conn, NULL, "DELETE FROM bulletin_targets WHERE community_id = $1 AND bulletin_id = $2", "ii",
                  req->actor.community_id, id) != STORE_DONE)
        return -1;
    bool zones = !strcmp(in->scope, "zones");
    for (size_t i = 0; i < in->n_ids; i++)
        if (store_run(req->conn, NULL, zones ? "INSERT INTO bulletin_targets (community_id, bulletin_id, zone_id) "
                                               "VALUES ($1, $2, $3)"
                                             : "INSERT INTO bulletin_targets (community_id, bulletin_id, block_id) "
                                               "VALUES ($1, $2, $3)", "iii", req->actor.community_id, id,
                      in->ids[i]) != STORE_DONE)
            return -1;
    return 0;
}

static json_t *langs_json(const bul_input *in)
{
    json_t *a = json_array();
    for (int i = 0; i < BUL_NLANG; i++)
        if (in->texts[i].present) json_array_append_new(a, json_string(bulletin_langs[i]));
    return a;
}

/* POST /bulletins {kind, texts, scope, zone_ids|block_ids, publish_at, pinned, public} */
static int bulletin_create(http_req *req)
{
    bul_input in;
    if (!bulletin_parse(req, true, &in)) return -1;
    int64_t now = clock_now_us(), id = 0;
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO bulletins (community_id, kind, scope_kind, pinned, public, publish_at, "
                  "created_by, created_at, updated_at, announce_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $6) "
                  "RETURNING id",
                  "ittiiiii", req->actor.community_id, in.kind, in.scope, in.pinned, in.public_, in.publish_at,
                  req->actor.user_id, now) == STORE_ROW) {
        id = store_col_int(st, 0);
        store_done(st);
    }
    if (!id || texts_insert(req, id, 1, &in, in.kind) < 0 || targets_put(req, id, &in) < 0)
        return http_fail_internal(req, "bulletin insert");
    if (bulletin_notify_due(req->conn, req->actor.community_id, id, now) < 0 ||
        bulletin_announce_due(req->conn, req->actor.community_id, id, now) < 0)
        return http_fail_internal(req, "notify");
    http_audit_target(req, "bulletin", id, json_pack("{s:s, s:s, s:I, s:o}", "kind", in.kind, "scope", in.scope,
                                                     "targets", (json_int_t)in.n_ids, "languages", langs_json(&in)));
    return bulletin_reply(req, 201, id);
}

/* PATCH /bulletins/{id}: new texts make a new version (the old ones stay); readers see
 * "revised" with the time once a live bulletin's texts changed. */
static int bulletin_update(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT kind, state, version, publish_at FROM bulletins WHERE id = $1 AND "
                  "community_id = $2", "ii", id, req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *kind = arena_strdup(req->a, store_col_text(st, 0));
    bool withdrawn = !strcmp(store_col_text(st, 1), "withdrawn");
    int64_t version = store_col_int(st, 2), was_at = store_col_int(st, 3);
    store_done(st);
    bul_input in;
    if (!bulletin_parse(req, false, &in)) return -1;
    if (withdrawn) return http_fail(req, 409, "conflict", NULL, "bul.err.withdrawn");
    if (in.kind && !strcmp(in.kind, "rumour") && !in.has_texts &&
        !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM bulletin_texts t JOIN bulletins x ON x.id = "
                         "t.bulletin_id AND x.version = t.version WHERE t.bulletin_id = $1 AND t.lang = 'zh-CN' AND "
                         "t.rumour IS NOT NULL", "i", id))
        return http_fail_field(req, "texts.zh-CN.rumour", "bul.err.rumour_required");
    if (in.kind) kind = in.kind;
    int64_t now = clock_now_us();
    bool revise = in.has_texts, live = was_at <= now;
    if (store_run(req->conn, NULL, "UPDATE bulletins SET kind = $1, pinned = CASE WHEN $2 = 1 THEN $3 ELSE pinned END, "
                  "public = CASE WHEN $4 = 1 THEN $5 ELSE public END, publish_at = CASE WHEN $6 = 1 THEN $7 ELSE "
                  "publish_at END, scope_kind = COALESCE($8, scope_kind), version = version + $9, revised_at = CASE "
                  "WHEN $10 = 1 THEN $11 ELSE revised_at END, updated_at = $11 WHERE id = $12 AND community_id = $13",
                  "tiiiiiitiiiii", kind, (int64_t)in.has_pinned, in.pinned, (int64_t)in.has_public, in.public_,
                  (int64_t)(in.has_publish && !live), in.publish_at, in.scope, (int64_t)revise,
                  (int64_t)(revise && live), now, id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "bulletin update");
    if (revise && texts_insert(req, id, version + 1, &in, kind) < 0) return http_fail_internal(req, "bulletin texts");
    if (in.has_scope && targets_put(req, id, &in) < 0) return http_fail_internal(req, "bulletin targets");
    /* New texts, or a new time for one not yet live: (re)announced when live. */
    if ((revise || (in.has_publish && !live)) &&
        store_run(req->conn, NULL, "UPDATE bulletins SET announce_at = publish_at WHERE id = $1 AND community_id = $2",
                  "ii", id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "bulletin announce");
    if (bulletin_notify_due(req->conn, req->actor.community_id, id, now) < 0 ||
        bulletin_announce_due(req->conn, req->actor.community_id, id, now) < 0)
        return http_fail_internal(req, "notify");
    json_t *fields = json_array();
    const char *keys[] = {"kind", "texts", "scope", "publish_at", "pinned", "public"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        if (json_object_get(req->json, keys[k])) json_array_append_new(fields, json_string(keys[k]));
    http_audit_target(req, "bulletin", id, json_pack("{s:o, s:I}", "fields", fields, "version",
                                                     (json_int_t)(version + revise)));
    return bulletin_reply(req, 200, id);
}

/* POST /bulletins/{id}/withdraw: readers no longer find it (404); staff still do. */
static int bulletin_withdraw(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t now = clock_now_us();
    int rc = store_run(req->conn, NULL, "UPDATE bulletins SET state = 'withdrawn', withdrawn_at = $1, withdrawn_by = "
                       "$2, updated_at = $1, announce_at = NULL WHERE id = $3 AND community_id = $4 AND state = "
                       "'published' RETURNING id",
                       "iiii", now, req->actor.user_id, id, req->actor.community_id);
    if (rc == STORE_DONE) {
        if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM bulletins WHERE id = $1 AND community_id = $2", "ii",
                             id, req->actor.community_id))
            return http_fail_not_found(req);
        return http_fail(req, 409, "conflict", NULL, "bul.err.withdrawn");
    }
    if (rc != STORE_ROW) return http_fail_internal(req, "withdraw");
    http_audit_target(req, "bulletin", id, NULL);
    return bulletin_reply(req, 200, id);
}

const http_route bulletin_routes[] = {
    {"GET", "/api/v1/bulletins", NULL, bulletins_list, BUL_READERS, 0, 0, NULL},
    {"POST", "/api/v1/bulletins", NULL, bulletin_create, BUL_STAFF, ROUTE_WRITE, 96 * 1024, "bulletin.create"},
    {"GET", "/api/v1/bulletins/{id}", NULL, bulletin_get, BUL_READERS, 0, 0, NULL},
    {"PATCH", "/api/v1/bulletins/{id}", NULL, bulletin_update, BUL_STAFF, ROUTE_WRITE, 96 * 1024, "bulletin.update"},
    {"GET", "/api/v1/bulletins/{id}/versions", NULL, bulletin_versions, BUL_STAFF, 0, 0, NULL},
    {"POST", "/api/v1/bulletins/{id}/withdraw", NULL, bulletin_withdraw, BUL_STAFF, ROUTE_WRITE, 256,
     "bulletin.withdraw"},
    {0},
};

const i18n_entry bulletin_messages[] = {
    {"bul.list.bulletins", "通告", "Bulletins"},
    {"bul.err.kind", "类型只能是 daily、notice、urgent 或 rumour", "Kind must be daily, notice, urgent or rumour"},
    {"bul.err.texts", "应为按语言给出的标题和正文", "Give a title and a body per language"},
    {"bul.err.text", "应为文字", "Must be text"},
    {"bul.err.lang", "语言只能是 zh-CN、en、ja 或 ko", "Languages are zh-CN, en, ja or ko"},
    {"bul.err.zh_required", "须有中文版本（标题和正文）", "A Chinese version (title and body) is required"},
    {"bul.err.rumour_required", "辟谣须引述所回应的谣言", "A rumour clarification must quote the rumour it answers"},
    {"bul.err.scope", "范围只能是 community、zones 或 blocks", "Scope must be community, zones or blocks"},
    {"bul.err.targets", "请至少选择一个片区或楼组", "Choose at least one zone or block"},
    {"bul.err.zone", "本社区没有这个片区", "No such zone in this community"},
    {"bul.err.block", "本社区没有这个楼组", "No such block in this community"},
    {"bul.err.time", "时间格式应为 2026-12-04T08:00:00Z", "Time must be like 2026-12-04T08:00:00Z"},
    {"bul.err.too_far", "发布时间不能超过一年以后", "The publishing time cannot be more than a year ahead"},
    {"bul.err.boolean", "应为 true 或 false", "Must be true or false"},
    {"bul.err.withdrawn", "这份通告已撤回", "This bulletin has been withdrawn"},
    {0, 0, 0},
};
