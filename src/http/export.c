/* export.c — one list reply, three more shapes: CSV (UTF-8 with BOM, so Excel opens it
 * in Chinese), XLSX (libxlsxwriter) and a printable HTML table. Every exporter reads
 * the same items the JSON list would have returned, so scope and masking carry over. */
#include "export_int.h"
#include "../core/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* What every exporter of one reply shares: the community's time zone, and the values
 * already translated (a list repeats a few values many times; the catalogue is a scan). */
typedef struct export_ctx {
    char tz[65];
    struct seen_word { const char *token, *text; } seen[64];
    int n_seen;
} export_ctx;

/* The actor's community's time zone into tz (Asia/Shanghai when it has none). */
static void export_community_tz(http_req *req, char *tz, size_t n)
{
    snprintf(tz, n, "Asia/Shanghai");
    store_stmt *st = NULL;
    if (req->actor.community_id &&
        store_run(req->conn, &st, "SELECT timezone FROM communities WHERE id = $1", "i", req->actor.community_id) ==
            STORE_ROW &&
        store_col_text(st, 0))
        snprintf(tz, n, "%s", store_col_text(st, 0));
    store_done(st);
}

static export_ctx *export_ctx_new(http_req *req)
{
    export_ctx *x = arena_alloc(req->a, sizeof *x);
    memset(x, 0, sizeof *x);
    export_community_tz(req, x->tz, sizeof x->tz);
    return x;
}

const char *http_print_meta(http_req *req)
{
    char tz[65], when[32];
    export_community_tz(req, tz, sizeof tz);
    clock_format_local(tz, clock_now_us(), when, sizeof when);
    const char *community = req->actor.community_name;
    return arena_printf(req->a, "%s%s%s %s · %s", community ? community : "", community ? " · " : "",
                        i18n_text(req->lang, "list.printed_at"), when,
                        req->actor.display_name ? req->actor.display_name : "");
}

enum { VALUE_KEYS_MAX = 64 };
static const char *value_keys[VALUE_KEYS_MAX];
static int n_value_keys;

void http_value_keys_register(const char *const *keys)
{
    for (; keys && *keys && n_value_keys < VALUE_KEYS_MAX; keys++) {
        bool known = false;
        for (int i = 0; i < n_value_keys && !known; i++) known = !strcmp(value_keys[i], *keys);
        if (!known) value_keys[n_value_keys++] = *keys;
    }
}

static bool is_value_key(const char *key)
{
    for (int i = 0; i < n_value_keys; i++)
        if (!strcmp(value_keys[i], key)) return true;
    return false;
}

/* The word for one stored value ("occupied", "block_leader", "zh-CN"): the catalogue's
 * `enum.<value>`, or NULL when the value is not one of the program's words. */
static const char *value_word(http_req *req, export_ctx *x, const char *token, size_t len)
{
    for (int i = 0; i < x->n_seen; i++)
        if (strlen(x->seen[i].token) == len && !memcmp(x->seen[i].token, token, len)) return x->seen[i].text;
    const char *text = i18n_find(req->lang, arena_printf(req->a, "enum.%.*s", (int)len, token));
    if (x->n_seen < (int)(sizeof x->seen / sizeof x->seen[0]))
        x->seen[x->n_seen++] = (struct seen_word){arena_strndup(req->a, token, len), text};
    return text;
}

/* A cell as a person reads it: a UTC time in the community's local time, and in a
 * column of stored words (value_keys) the words (one, or several separated by spaces)
 * in the reader's language; anything else unchanged. */
static const char *cell_readable(http_req *req, export_ctx *x, const char *key, const char *s)
{
    int64_t us;
    if (clock_parse_utc(s, &us)) {
        char *out = arena_alloc(req->a, 20);
        clock_format_local(x->tz, us, out, 20);
        return out;
    }
    size_t n = strlen(s);
    if (!is_value_key(key) || n == 0 || n > 200 ||
        strspn(s, "abcdefghijklmnopqrstuvwxyz_- ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
        return s;
    buf b;
    buf_init(&b, 0);
    for (const char *p = s; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        const char *word = value_word(req, x, p, len);
        if (!word) { buf_free(&b); return s; }
        if (b.len) buf_puts(&b, req->lang == LANG_EN ? ", " : "、");
        buf_puts(&b, word);
        p += len;
    }
    size_t out_len;
    char *data = buf_take(&b, &out_len);
    const char *out = arena_strndup(req->a, data ? data : "", out_len);
    free(data);
    return out;
}

/* The text of one cell; NULL for null. */
static const char *cell_text(http_req *req, export_ctx *x, json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    if (!v || json_is_null(v)) return NULL;
    if (json_is_string(v)) return cell_readable(req, x, key, json_string_value(v));
    if (json_is_integer(v)) return arena_printf(req->a, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) return arena_printf(req->a, "%g", json_real_value(v));
    if (json_is_true(v)) return i18n_text(req->lang, "list.yes");
    if (json_is_false(v)) return i18n_text(req->lang, "list.no");
    char *s = json_dumps(v, JSON_COMPACT);
    char *copy = arena_strdup(req->a, s);
    free(s);
    return copy;
}

/* A cell a spreadsheet would run as a formula gets a leading apostrophe. */
static bool formula_like(const char *s)
{
    return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
}

static void csv_cell(buf *b, const char *s)
{
    if (!s) return;
    bool quote = formula_like(s) || strpbrk(s, ",\"\r\n") != NULL;
    if (quote) buf_puts(b, "\"");
    if (formula_like(s)) buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_puts(b, "\"\"");
        else buf_append(b, p, 1);
    }
    if (quote) buf_puts(b, "\"");
}

static int render_csv(http_req *req, export_ctx *x, list_reply *l)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "\xEF\xBB\xBF");
    for (int c = 0; l->cols[c].key; c++) {
        if (c) buf_puts(&b, ",");
        csv_cell(&b, i18n_text(req->lang, l->cols[c].label_key));
    }
    buf_puts(&b, "\r\n");
    size_t i;
    json_t *item;
    json_array_foreach(l->items, i, item) {
        for (int c = 0; l->cols[c].key; c++) {
            if (c) buf_puts(&b, ",");
            csv_cell(&b, cell_text(req, x, item, l->cols[c].key));
        }
        buf_puts(&b, "\r\n");
    }
    size_t n;
    char *data = buf_take(&b, &n);
    req->out_raw = arena_strndup(req->a, data, n);
    req->out_raw_len = n;
    free(data);
    req->out_type = "text/csv; charset=utf-8";
    req->out_filename = "export.csv";
    req->status = 200;
    return 0;
}

static int render_xlsx(http_req *req, export_ctx *x, list_reply *l)
{
    char path[] = "/tmp/shouwang-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return http_fail_internal(req, "mkstemp");
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (int c = 0; l->cols[c].key; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, i18n_text(req->lang, l->cols[c].label_key), bold);
    size_t i;
    json_t *item;
    json_array_foreach(l->items, i, item) {
        for (int c = 0; l->cols[c].key; c++) {
            json_t *v = json_object_get(item, l->cols[c].key);
            lxw_row_t row = (lxw_row_t)(i + 1);
            if (json_is_integer(v))
                worksheet_write_number(ws, row, (lxw_col_t)c, (double)json_integer_value(v), NULL);
            else {
                /* write_string never makes a formula, so no escaping is needed here. */
                const char *s = cell_text(req, x, item, l->cols[c].key);
                if (s) worksheet_write_string(ws, row, (lxw_col_t)c, s, NULL);
            }
        }
    }
    lxw_error e = workbook_close(wb);
    FILE *f = e == LXW_NO_ERROR ? fopen(path, "rb") : NULL;
    if (!f) {
        unlink(path);
        return http_fail_internal(req, "xlsx write");
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = arena_alloc(req->a, (size_t)n + 1);
    size_t got = fread(data, 1, (size_t)n, f);
    fclose(f);
    unlink(path);
    req->out_raw = data;
    req->out_raw_len = got;
    req->out_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    req->out_filename = "export.xlsx";
    req->status = 200;
    return 0;
}

static int render_html(http_req *req, export_ctx *x, list_reply *l)
{
    buf b;
    buf_init(&b, 0);
    const char *title = i18n_text(req->lang, l->title_key);
    buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
               req->lang == LANG_EN ? "en" : "zh-CN");
    buf_html_escape(&b, title);
    buf_puts(&b, "</title><style>body{font:12pt sans-serif;margin:1cm}table{border-collapse:collapse;width:100%}"
                 "th,td{border:1px solid #000;padding:4px 6px;text-align:left}th{background:#eee}"
                 "@media print{@page{margin:1cm}}</style></head><body><h1>");
    buf_html_escape(&b, title);
    /* Which community, when (the community's local time) and by whom: the header of a
     * sheet carried door to door or pinned at a gate. */
    buf_puts(&b, "</h1><p class=\"print-meta\">");
    buf_html_escape(&b, http_print_meta(req));
    buf_puts(&b, "</p><table><thead><tr>");
    for (int c = 0; l->cols[c].key; c++) {
        buf_puts(&b, "<th>");
        buf_html_escape(&b, i18n_text(req->lang, l->cols[c].label_key));
        buf_puts(&b, "</th>");
    }
    buf_puts(&b, "</tr></thead><tbody>");
    size_t i;
    json_t *item;
    json_array_foreach(l->items, i, item) {
        buf_puts(&b, "<tr>");
        for (int c = 0; l->cols[c].key; c++) {
            buf_puts(&b, "<td>");
            buf_html_escape(&b, cell_text(req, x, item, l->cols[c].key));
            buf_puts(&b, "</td>");
        }
        buf_puts(&b, "</tr>");
    }
    buf_printf(&b, "</tbody></table><p>%s: %zu</p></body></html>", i18n_text(req->lang, "list.total"),
               json_array_size(l->items));
    size_t n;
    char *data = buf_take(&b, &n);
    req->out_raw = arena_strndup(req->a, data, n);
    req->out_raw_len = n;
    free(data);
    req->out_type = "text/html; charset=utf-8";
    req->status = 200;
    return 0;
}

int export_render(http_req *req, list_reply *l, const char *format)
{
    export_ctx *x = export_ctx_new(req);
    if (!strcmp(format, "csv")) return render_csv(req, x, l);
    if (!strcmp(format, "xlsx")) return render_xlsx(req, x, l);
    return render_html(req, x, l);
}
