/* sheets.c — a bulletin outside the app: the A4 notice for the lobby wall (chosen
 * languages, a QR code to the online version), the public page of a community's public
 * bulletins (no personal data, no session, cacheable: safe to share in a chat group),
 * and the draft of today's daily bulletin filled from the dashboard's figures, so that
 * every figure a capability adds to the dashboard appears in the draft by itself. */
#include "bulletins_int.h"
#include "../domains.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/qr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lang_names[] = {"中文", "English", "日本語", "한국어"};

static const char PRINT_CSS[] =
    "@page{size:A4;margin:15mm}*{box-sizing:border-box}body{margin:0;font-family:'Noto Sans CJK SC','Noto Sans CJK "
    "JP','Noto Sans CJK KR','PingFang SC',sans-serif;color:#000}.meta{font-size:9pt;color:#444;margin:0 0 4mm}"
    ".kind{font-size:14pt;font-weight:bold;border:2px solid #000;display:inline-block;padding:1mm 3mm}"
    ".urgent .kind{background:#000;color:#fff}section{margin:0 0 6mm;break-inside:avoid}h1{font-size:22pt;"
    "margin:2mm 0}h2{font-size:11pt;color:#444;margin:4mm 0 1mm}.body{font-size:13pt;line-height:1.6;"
    "white-space:pre-wrap}.rumour{border-left:3px solid #000;padding-left:3mm;font-style:italic}"
    "footer{display:flex;gap:6mm;align-items:center;border-top:1px solid #000;padding-top:4mm}"
    ".qr{width:38mm;height:38mm;flex:none}footer p{font-size:11pt;margin:0}";

/* GET /bulletins/{id}/print?langs=zh-CN,en: the notice for the wall, in the languages
 * asked for (default: every language it has), with the QR code of its online page. */
static int bulletin_print(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!bulletin_visible(req, id)) return http_fail_not_found(req);
    const char *langs = http_query(req, "langs");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT kind, public, publish_at, revised_at FROM bulletins WHERE id = $1 AND "
                  "community_id = $2", "ii", id, req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *kind = arena_strdup(req->a, store_col_text(st, 0));
    bool public_ = store_col_int(st, 1) != 0;
    int64_t publish_at = store_col_int(st, 2), revised_at = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    store_done(st);
    const char *url = public_ ? arena_printf(req->a, "%s/public/communities/%lld/bulletins#bulletin-%lld",
                                             bulletin_base_url(req), (long long)req->actor.community_id,
                                             (long long)id)
                              : arena_printf(req->a, "%s/bulletins/%lld", bulletin_base_url(req), (long long)id);
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
               req->lang == LANG_EN ? "en" : "zh-CN");
    buf_html_escape(&b, req->actor.community_name);
    buf_printf(&b, "</title><style>%s</style></head><body class=\"%s\"><p class=\"meta\">", PRINT_CSS, kind);
    buf_puts(&b, http_print_meta(req));
    buf_puts(&b, "</p><p><span class=\"kind\">");
    buf_html_escape(&b, i18n_text(req->lang, arena_printf(req->a, "bul.kind.%s", kind)));
    buf_puts(&b, "</span> ");
    buf_html_escape(&b, bulletin_local_time(req, publish_at));
    if (revised_at) {
        buf_puts(&b, " · ");
        buf_html_escape(&b, i18n_text(req->lang, "bul.print.revised"));
        buf_puts(&b, " ");
        buf_html_escape(&b, bulletin_local_time(req, revised_at));
    }
    buf_puts(&b, "</p>");
    st = store_prepare(req->conn, "SELECT t.lang, t.title, t.body, t.rumour FROM bulletin_texts t JOIN bulletins x ON "
                                  "x.id = t.bulletin_id AND x.version = t.version WHERE t.community_id = $1 AND "
                                  "t.bulletin_id = $2 ORDER BY t.id");
    if (!st) return buf_free(&b), http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    int shown = 0;
    while (store_step(st) == STORE_ROW) {
        const char *lang = store_col_text(st, 0);
        if (langs && *langs) {
            const char *hit = strstr(langs, lang);
            size_t n = strlen(lang);
            if (!hit || (hit != langs && hit[-1] != ',') || (hit[n] && hit[n] != ',')) continue;
        }
        int li = 0;
        while (bulletin_langs[li] && strcmp(bulletin_langs[li], lang)) li++;
        buf_printf(&b, "<section lang=\"%s\"><h2>%s</h2><h1>", lang, li < 4 ? lang_names[li] : lang);
        buf_html_escape(&b, store_col_text(st, 1));
        buf_puts(&b, "</h1>");
        if (store_col_text(st, 3)) {
            buf_puts(&b, "<p class=\"body rumour\">");
            buf_html_escape(&b, store_col_text(st, 3));
            buf_puts(&b, "</p>");
        }
        buf_puts(&b, "<div class=\"body\">");
        buf_html_escape(&b, store_col_text(st, 2));
        buf_puts(&b, "</div></section>");
        shown++;
    }
    store_done(st);
    if (!shown) {
        buf_free(&b);
        return http_fail_field(req, "langs", "bul.err.langs");
    }
    char *svg = qr_svg(url, NULL);
    buf_puts(&b, "<footer><div class=\"qr\">");
    buf_puts(&b, svg ? svg : "");
    free(svg);
    buf_puts(&b, "</div><div><p>");
    buf_html_escape(&b, i18n_text(req->lang, "bul.print.scan"));
    buf_puts(&b, "</p><p>");
    buf_html_escape(&b, url);
    buf_puts(&b, "</p></div></footer></body></html>");
    return bulletin_reply_raw(req, &b, "text/html; charset=utf-8");
}

/* FNV-1a: a validator of the public answer's bytes (what readers see changes with
 * them, also when a scheduled bulletin's time comes without any write). */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* GET /public/communities/{id}/bulletins: published public bulletins with every
 * language's text; no author, no receipts, nobody's name. */
static int public_bulletins(http_req *req)
{
    int64_t cid;
    if (!http_param_id(req, "id", &cid)) return -1;
    store_conn *c = http_read_conn(req);
    store_stmt *st;
    if (store_run(c, &st, "SELECT name, timezone FROM communities WHERE id = $1", "i", cid) != STORE_ROW)
        return http_fail_not_found(req);
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    const char *tz = store_col_text(st, 1) ? arena_strdup(req->a, store_col_text(st, 1)) : "Asia/Shanghai";
    store_done(st);
    int64_t now = clock_now_us();
    json_t *items = json_array();
    st = store_prepare(c, "SELECT x.id, x.kind, x.pinned, x.publish_at, x.revised_at, t.lang, t.title, t.body, "
                          "t.rumour FROM bulletins x JOIN bulletin_texts t ON t.community_id = x.community_id AND "
                          "t.bulletin_id = x.id AND t.version = x.version WHERE x.id IN (SELECT y.id FROM bulletins y "
                          "WHERE y.community_id = $1 AND y.public = 1 AND y.state = 'published' AND y.publish_at <= "
                          "$2 ORDER BY y.pinned DESC, y.publish_at DESC, y.id DESC LIMIT 50) "
                          "ORDER BY x.pinned DESC, x.publish_at DESC, x.id DESC, t.id");
    if (!st) return http_fail_internal(req, store_errmsg(c));
    store_bind_int(st, 1, cid);
    store_bind_int(st, 2, now);
    json_t *item = NULL;
    int64_t last = 0;
    while (store_step(st) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        if (id != last) {
            char when[32], revised[32];
            clock_format_local(tz, store_col_int(st, 3), when, sizeof when);
            clock_format_local(tz, store_col_int(st, 4), revised, sizeof revised);
            item = json_pack("{s:I, s:s, s:b, s:o, s:s, s:o}", "id", (json_int_t)id, "kind", store_col_text(st, 1),
                             "pinned", (int)store_col_int(st, 2), "publish_at",
                             bulletin_time_json(store_col_int(st, 3)), "publish_text", when, "texts", json_object());
            json_object_set_new(item, "revised_text", store_col_null(st, 4) ? json_null() : json_string(revised));
            json_array_append_new(items, item);
            last = id;
        }
        json_object_set_new(json_object_get(item, "texts"), store_col_text(st, 5),
                            json_pack("{s:s, s:s, s:s?}", "title", store_col_text(st, 6), "body",
                                      store_col_text(st, 7), "rumour", store_col_text(st, 8)));
    }
    store_done(st);
    json_t *out = json_pack("{s:{s:I, s:s}, s:o}", "community", "id", (json_int_t)cid, "name", name, "items", items);
    char *bytes = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    req->out_etag = arena_printf(req->a, "\"b%016llx\"", (unsigned long long)fnv1a(bytes ? bytes : ""));
    free(bytes);
    req->out_cache_control = "public, max-age=60";
    return http_reply(req, 200, out);
}

/* The figures as lines "· label: value unit". */
static void figures_text(buf *b, json_t *tiles, const char *colon)
{
    size_t i;
    json_t *t;
    json_array_foreach(tiles, i, t) {
        buf_printf(b, "· %s%s%lld %s\n", json_string_value(json_object_get(t, "label")), colon,
                   (long long)json_integer_value(json_object_get(t, "value")),
                   json_string_value(json_object_get(t, "unit")) ? json_string_value(json_object_get(t, "unit")) : "");
    }
}

static json_t *draft_text(http_req *req, lang_id lang, const char *day, json_t **figures)
{
    lang_id saved = req->lang;
    req->lang = lang;
    json_t *tiles = json_array();
    domains_tiles(req, tiles);
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%s\n\n", i18n_text(lang, "bul.draft.intro"));
    figures_text(&b, tiles, lang == LANG_EN ? ": " : "：");
    buf_printf(&b, "\n%s", i18n_text(lang, "bul.draft.outro"));
    size_t len;
    char *body = buf_take(&b, &len);
    json_t *out = json_pack("{s:s, s:s}", "title", arena_printf(req->a, "%s %s", i18n_text(lang, "bul.draft.title"),
                                                                day), "body", body ? body : "");
    free(body);
    if (figures && saved == lang) *figures = json_incref(tiles);
    json_decref(tiles);
    req->lang = saved;
    return out;
}

/* GET /bulletins/draft: today's daily bulletin, drafted from the dashboard's figures as
 * the caller sees them, in Chinese and English (the editor adds the other languages). */
static int bulletin_draft(http_req *req)
{
    const char *day = bulletin_local_day(req, clock_now_us());
    json_t *figures = NULL;
    json_t *zh = draft_text(req, LANG_ZH, day, &figures);
    json_t *en = draft_text(req, LANG_EN, day, &figures);
    return http_reply(req, 200, json_pack("{s:s, s:s, s:{s:o, s:o}, s:o}", "kind", "daily", "date", day, "texts",
                                          "zh-CN", zh, "en", en, "figures", figures ? figures : json_array()));
}

const http_route sheet_routes[] = {
    {"GET", "/api/v1/bulletins/draft", NULL, bulletin_draft, BUL_STAFF, 0, 0, NULL},
    {"GET", "/api/v1/bulletins/{id}/print", NULL, bulletin_print, BUL_READERS, 0, 0, NULL},
    {"GET", "/api/v1/public/communities/{id}/bulletins", NULL, public_bulletins, 0, ROUTE_PUBLIC, 0, NULL},
    {0},
};

const i18n_entry sheet_messages[] = {
    {"bul.kind.daily", "每日通报", "Daily bulletin"},
    {"bul.kind.notice", "通知", "Notice"},
    {"bul.kind.urgent", "紧急通告", "Urgent"},
    {"bul.kind.rumour", "辟谣", "Rumour clarified"},
    {"bul.print.revised", "已修订", "revised"},
    {"bul.print.scan", "扫码查看网上版本（随时更新）", "Scan for the online version (kept up to date)"},
    {"bul.err.langs", "这份通告没有所选语言的版本", "The bulletin has none of the languages asked for"},
    {"bul.draft.title", "每日通报", "Daily bulletin"},
    {"bul.draft.intro", "居民朋友们：截至今日，社区情况如下。", "Dear residents, here is where the community stands today."},
    {"bul.draft.outro", "感谢大家的理解与配合。如有困难，请联系楼组长或居委会。",
     "Thank you for your patience. If you need help, call your block leader or the committee."},
    {0, 0, 0},
};
