/* import.c — import of households and residents from a CSV or XLSX file (committee).
 *
 *   POST /api/v1/registry/import?dry_run=1   the report only
 *   POST /api/v1/registry/import             the report, and the rows written
 *
 * The body is the file itself (text/csv, the XLSX type, or multipart/form-data with
 * one file part and an optional `mapping` field). The flow has three stages:
 *
 *   1. read (prepare step, HTTP thread, no database): bytes -> table (src/core/table_csv.c,
 *      table_xlsx.c), headers -> fields (the confirmed ?mapping= first, then the
 *      header vocabulary), each row checked on its own; ID numbers are encrypted, hashed
 *      and masked here so that the writer never waits for libsodium;
 *   2. plan (on a connection): the community's blocks, households and residents are
 *      loaded once into hash maps, each row is matched (household by block and room,
 *      resident by the ID lookup hash, else by household, name and phone) and marked
 *      create / update / unchanged / error;
 *   3. write (the write job): the plan is made again on the writer's connection, so
 *      that nothing changed in between, and applied with statements prepared once. One
 *      job is one transaction: a row with an error means 422 and nothing written.
 *
 * A dry run does stage 2 on a read connection and answers the report. The route's audit
 * entry `registry.import` (dry runs too: they read personal data) carries counts only.
 * With ?async=1 the same three stages run on the server's job pool and the report
 * becomes the result of a row in `jobs` (see "background runs" below). */
#include "registry_int.h"
#include "search_terms.h"
#include "import_table.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include "../../core/validate.h"
#include "../../core/log.h"
#include <ctype.h>
#include <stdint.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define IMPORT_BODY_LIMIT (20u << 20)
#define REPORT_ROWS 1000          /* rows listed in the report besides those with errors */
#define REPORT_ERROR_ROWS 10000   /* rows with errors listed at most */

/* ---------------------------------------------------------------- string map */

/* Open addressing, sized at init to twice the keys it will ever hold (the stored rows
 * plus one per file row), so a probe always meets an empty slot. */
typedef struct smap {
    const char **k;
    int *v;
    size_t mask, used;
} smap;

static void smap_init(arena *a, smap *m, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2) cap <<= 1;
    m->k = arena_alloc(a, cap * sizeof *m->k);
    m->v = arena_alloc(a, cap * sizeof *m->v);
    m->mask = cap - 1;
    m->used = 0;
}

static size_t smap_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

/* The value for key, or -1. */
static int smap_get(const smap *m, const char *key)
{
    for (size_t i = smap_hash(key) & m->mask;; i = (i + 1) & m->mask) {
        if (!m->k[i]) return -1;
        if (!strcmp(m->k[i], key)) return m->v[i];
    }
}

/* Sets key (kept by reference: an arena string) to v. */
static void smap_put(smap *m, const char *key, int v)
{
    size_t i = smap_hash(key) & m->mask;
    while (m->k[i] && strcmp(m->k[i], key)) i = (i + 1) & m->mask;
    if (!m->k[i]) {
        m->used++;
        assert(m->used <= m->mask);   /* an empty slot is left: smap_get ends */
    }
    m->k[i] = key;
    m->v[i] = v;
}

/* ---------------------------------------------------------------- fields
 *
 * The readers (import_csv.c) know the columns of the first import: IF_BLOCK ..
 * IF_OWNER. The columns committees keep beside them are known here: the person type,
 * the head of household and the relation to them, and one column per vulnerability
 * flag. Their header words are compared after the same normalisation as there (case,
 * spaces, _ - * : and a bracketed note ignored), and a leading 是否 is dropped
 * (是否独居老人). They are looked at before the readers' vocabulary, which still lists
 * 与户主关系 as known-and-ignored. */

#define N_FLAGS 7
enum { IF_PERSON_TYPE = IF_COUNT, IF_HEAD, IF_RELATION, IF_FLAG0, NF = IF_FLAG0 + N_FLAGS };

static const char *const flag_names[N_FLAGS] = {
    "alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden", "no_smartphone", "home_isolation",
};
static const char *const extra_names[IF_FLAG0 - IF_COUNT] = {"person_type", "household_head", "relation"};

static const char *field_name(int f)
{
    if (f < IF_COUNT) return import_field_name(f);
    if (f < IF_FLAG0) return extra_names[f - IF_COUNT];
    return f < NF ? flag_names[f - IF_FLAG0] : "";
}

static int field_by_name(const char *name)
{
    for (int f = IF_COUNT; f < NF; f++)
        if (!strcmp(field_name(f), name)) return f;
    return import_field_by_name(name);
}

static void header_key(const char *h, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)h;
    while (*p && o + 4 < cap) {
        if (*p == ' ' || *p == '\t' || *p == '_' || *p == '-' || *p == '*' || *p == ':' || *p == '\r' || *p == '\n') {
            p++;
            continue;
        }
        if (!strncmp((const char *)p, "\u3000", 3) || !strncmp((const char *)p, "\uff1a", 3) ||
            !strncmp((const char *)p, "\uff0a", 3)) { p += 3; continue; }
        if (*p == '(' || !strncmp((const char *)p, "\uff08", 3)) break;
        out[o++] = (char)tolower(*p);
        p++;
    }
    out[o] = 0;
    if (!strncmp(out, "是否", 6) && out[6]) memmove(out, out + 6, o - 5);
}

static int auto_field(const char *header)
{
    static const struct { const char *word; int field; } words[] = {
        {"人员类型", IF_PERSON_TYPE}, {"户籍类别", IF_PERSON_TYPE}, {"户口性质", IF_PERSON_TYPE},
        {"人口类型", IF_PERSON_TYPE}, {"人员类别", IF_PERSON_TYPE}, {"户籍性质", IF_PERSON_TYPE},
        {"persontype", IF_PERSON_TYPE},
        {"户主", IF_HEAD}, {"householdhead", IF_HEAD}, {"headofhousehold", IF_HEAD},
        {"与户主关系", IF_RELATION}, {"关系", IF_RELATION}, {"relation", IF_RELATION}, {"relationship", IF_RELATION},
        {"独居老人", IF_FLAG0 + 0}, {"孤老", IF_FLAG0 + 0}, {"独居", IF_FLAG0 + 0}, {"孤寡老人", IF_FLAG0 + 0},
        {"alone_elderly", IF_FLAG0 + 0},
        {"残疾", IF_FLAG0 + 1}, {"残疾人", IF_FLAG0 + 1}, {"disabled", IF_FLAG0 + 1},
        {"孕妇", IF_FLAG0 + 2}, {"孕产妇", IF_FLAG0 + 2}, {"预产期", IF_FLAG0 + 2}, {"pregnant", IF_FLAG0 + 2},
        {"慢病", IF_FLAG0 + 3}, {"慢性病", IF_FLAG0 + 3}, {"chronic_illness", IF_FLAG0 + 3},
        {"卧床", IF_FLAG0 + 4}, {"长期卧床", IF_FLAG0 + 4}, {"bedridden", IF_FLAG0 + 4},
        {"无智能手机", IF_FLAG0 + 5}, {"no_smartphone", IF_FLAG0 + 5},
        {"居家隔离", IF_FLAG0 + 6}, {"home_isolation", IF_FLAG0 + 6},
    };
    char n[256], w[64];
    header_key(header, n, sizeof n);
    if (*n)
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            header_key(words[i].word, w, sizeof w);
            if (!strcmp(n, w)) return words[i].field;
        }
    return import_auto_field(header);
}

/* ---------------------------------------------------------------- the plan */

typedef struct irow {
    int line;
    const char *cell[NF];         /* trimmed cell, NULL when the field has no column */
    const char *block, *zone, *room, *name, *phone, *hh_phone, *status, *gender, *birth_date, *id_kind;
    const char *person_type, *relation;
    int birth_year;               /* 0: not given */
    int party, floating, owner, head;   /* -1: not given */
    int flag[N_FLAGS];            /* -1 not given, 0 not set, 1 set */
    const char *flag_detail[N_FLAGS];   /* JSON when set with facts; NULL: keep what is stored */
    unsigned flag_change;         /* stage 2: bit f when flag f is set or cleared by this row */
    json_t *warnings;             /* array, arena-owned */
    bool has_id;
    char id_hash[65];
    const char *id_cipher, *id_masked;
    json_t *errors;               /* array, arena-owned */
    size_t n_static;              /* errors found in stage 1 */
    int block_idx;                /* stage 2: index into the plan's blocks, -1 */
    /* stage 2 */
    int hh, res;
    bool res_new, res_changed, touched_hh, update_id;
    const char *action;
} irow;

typedef struct phh {
    int64_t id, block_id;
    int new_block;                /* index into blocks of a block this import creates, -1 */
    const char *room, *status, *phone, *db_status, *db_phone;
    bool is_new;
} phh;

typedef struct pres {
    int64_t id;
    int hh, next_same;            /* next resident with the same household and name */
    const char *name, *phone, *gender, *birth_date, *id_kind, *id_hash, *person_type, *relation;
    int birth_year, owner, floating, party, head;
    const char *flag_cur[N_FLAGS];   /* detail of the current entry, NULL when not set */
    int claimed;                  /* row index, -1 */
    int64_t moved_from;           /* the household it lived in, when the file moves it */
} pres;

typedef struct pblock {
    int64_t id;                   /* 0 for a block this import creates */
    const char *name, *zone;
    int zone_idx;                 /* index into zones, -1 without zone */
    int households;               /* new ones only: households the file puts there */
} pblock;

typedef struct pzone {
    int64_t id;                   /* 0 for a zone this import creates */
    const char *name;
    int blocks, households;       /* new ones only */
} pzone;

typedef struct import_job {
    bool dry_run;
    const char *format, *encoding;
    import_table t;
    int col[NF];                  /* column of each field, -1 */
    const char *block_kind;       /* of the blocks this import creates */
    bool accept_warnings;
    json_t *mapping, *unmapped, *ignored;
    irow *rows;
    int n;
    /* the plan */
    phh *hh;
    int n_hh, cap_hh;
    pres *res;
    int n_res, cap_res;
    int households_new, households_changed, residents_new, residents_changed, unchanged, errors, warnings;
    pblock *blocks;
    int n_blocks, cap_blocks;
    pzone *zones;
    int n_zones, cap_zones;
    int zones_new, blocks_new;
    char today[11];               /* the community's day: no birth after it */
    /* background runs (?async=1) */
    int64_t job_id;
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} import_job;

/* ---------------------------------------------------------------- values */

/* Trims ASCII space, U+3000 and U+00A0 at both ends, and the marks spreadsheets use to
 * keep digits as text: a leading ' and the ="..." form. */
static const char *trim(arena *a, const char *s)
{
    const char *b = s, *e = s + strlen(s);
    for (;;) {
        if (b < e && isspace((unsigned char)*b)) b++;
        else if (e - b >= 3 && !memcmp(b, "\u3000", 3)) b += 3;
        else if (e - b >= 2 && !memcmp(b, "\u00a0", 2)) b += 2;
        else break;
    }
    for (;;) {
        if (e > b && isspace((unsigned char)e[-1])) e--;
        else if (e - b >= 3 && !memcmp(e - 3, "\u3000", 3)) e -= 3;
        else if (e - b >= 2 && !memcmp(e - 2, "\u00a0", 2)) e -= 2;
        else break;
    }
    if (e - b >= 3 && b[0] == '=' && b[1] == '"' && e[-1] == '"') { b += 2; e--; }
    else if (e > b && *b == '\'') b++;
    return arena_strndup(a, b, (size_t)(e - b));
}

static bool word_in(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (!strcasecmp(v, *words)) return true;
    return false;
}

static const char *const yes_words[] = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", NULL};
static const char *const no_words[] = {"否", "无", "不是", "n", "no", "false", "0", "×", "-", NULL};

/* 1, 0, or -2 when not a yes/no. */
static int parse_bool(const char *v, const char *const *extra_yes, const char *const *extra_no)
{
    if (word_in(v, yes_words) || (extra_yes && word_in(v, extra_yes))) return 1;
    if (word_in(v, no_words) || (extra_no && word_in(v, extra_no))) return 0;
    return -2;
}

/* A date cell: 1956, 1956-03-12, 1956/3/12, 1956.3.12, 19560312, 1956年3月12日,
 * 1956年3月, 1956-03, or an Excel day number (22352). *m and *d are 0 when not given.
 * Returns 0, DATE_NOT (not a date), DATE_MONTH or DATE_DAY (the part that cannot be). */
enum { DATE_OK, DATE_NOT, DATE_MONTH, DATE_DAY };

static int parse_date(const char *v, int *year, int *month, int *day)
{
    int y = 0, m = -1, d = -1, n = 0;   /* -1: the part is not written */
    size_t len = strlen(v);
    int64_t num;
    if (str_is_int(v, &num)) {
        if (len == 4) y = (int)num;
        else if (len == 8) { y = (int)(num / 10000); m = (int)(num / 100 % 100); d = (int)(num % 100); }
        else if (num >= 366 && num < 2958466) {
            /* Days since 1899-12-30 (Excel's epoch, leap-year bug included). */
            clock_civil_from_days(num - 25569, &y, &m, &d);
        } else return DATE_NOT;
    } else {
        char sep[8];
        if (sscanf(v, "%4d年%2d月%2d日%n", &y, &m, &d, &n) == 3 && (size_t)n == len) {}
        else if (sscanf(v, "%4d年%2d月%2d%n", &y, &m, &d, &n) == 3 && (size_t)n == len) {}
        else if ((n = 0, sscanf(v, "%4d年%2d月%n", &y, &m, &n) == 2) && (size_t)n == len) d = -1;
        else if ((n = 0, sscanf(v, "%4d年%n", &y, &n) == 1) && (size_t)n == len) m = -1;
        else if ((n = 0, sscanf(v, "%4d%1[-/.]%2d%1[-/.]%2d%n", &y, sep, &m, sep, &d, &n) == 5) && (size_t)n == len) {}
        else if ((n = 0, sscanf(v, "%4d%1[-/.]%2d%n", &y, sep, &m, &n) == 3) && (size_t)n == len) d = -1;
        else return DATE_NOT;
    }
    *year = y;
    *month = m < 0 ? 0 : m;
    *day = d < 0 ? 0 : d;
    if (y < 1) return DATE_NOT;
    if (m >= 0 && (m < 1 || m > 12)) return DATE_MONTH;
    if (d >= 0 && !clock_date_valid(y, m, d)) return DATE_DAY;
    return DATE_OK;
}

/* Why a date cell cannot be a date, in the request's language: which part is wrong
 * (2月30日不存在, no month 13), else the general rule given by key. */
static const char *date_reason(http_req *req, const char *v, const char *key)
{
    int y, m, d;
    switch (parse_date(v, &y, &m, &d)) {
    case DATE_MONTH: return arena_printf(req->a, i18n_text(req->lang, "import.err.date_month"), m);
    case DATE_DAY: return arena_printf(req->a, i18n_text(req->lang, "import.err.date_day"), y, m, d);
    default: return i18n_text(req->lang, key);
    }
}

/* Year, or year and date (see parse_date); 1900 to today ("YYYY-MM-DD", the
 * community's day). NULL, or the reason. */
static const char *parse_birth(http_req *req, const char *v, const char *today, int *year, const char **date)
{
    int y, m, d;
    *date = NULL;
    if (parse_date(v, &y, &m, &d) != DATE_OK) return date_reason(req, v, "import.err.birth");
    if (y < 1900 || y > (int)strtol(today, NULL, 10)) return i18n_text(req->lang, "import.err.birth");
    char iso[40];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m ? m : 1, d ? d : 1);
    if (strcmp(iso, today) > 0) return i18n_text(req->lang, "import.err.birth_future");
    *year = y;
    if (m && d) *date = arena_strdup(req->a, iso);
    return NULL;
}

/* A full date (due date, start of isolation) as YYYY-MM-DD, or NULL. */
static const char *parse_full_date(arena *a, const char *v)
{
    int y, m, d;
    if (parse_date(v, &y, &m, &d) != DATE_OK || !m || !d || y < 1900 || y > 2200) return NULL;
    return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

static const char *parse_person_type(const char *v)
{
    static const char *const reg[] = {"户籍", "户籍人口", "常住", "常住人口", "本地", "本市户籍", "registered", NULL};
    static const char *const flo[] = {"流动", "流动人口", "外来", "外来人口", "暂住", "暂住人口", "floating", NULL};
    static const char *const foreign[] = {"外籍", "外籍人员", "境外", "境外人员", "外国人", "外国籍", "foreign",
                                          "foreigner", "foreign national", NULL};
    if (word_in(v, reg)) return "registered";
    if (word_in(v, flo)) return "floating";
    if (word_in(v, foreign)) return "foreign";
    return NULL;
}

static const char *parse_status(const char *v)
{
    static const char *const occupied[] = {"自住", "居住", "在住", "常住", "入住", "occupied", NULL};
    static const char *const away[] = {"外出", "不在", "外地", "离沪", "away", NULL};
    static const char *const vacant[] = {"空置", "空关", "空房", "vacant", NULL};
    static const char *const rented[] = {"出租", "出租户", "租住", "rented", "rented_out", "rented out", NULL};
    if (word_in(v, occupied)) return "occupied";
    if (word_in(v, away)) return "away";
    if (word_in(v, vacant)) return "vacant";
    if (word_in(v, rented)) return "rented_out";
    return NULL;
}

static const char *parse_gender(const char *v)
{
    static const char *const m[] = {"男", "男性", "m", "male", NULL};
    static const char *const f[] = {"女", "女性", "f", "female", NULL};
    if (word_in(v, m)) return "m";
    if (word_in(v, f)) return "f";
    return NULL;
}

static const char *parse_id_kind(const char *v)
{
    static const char *const cn[] = {"身份证", "居民身份证", "二代身份证", "cn_id", "id", "id card", NULL};
    static const char *const pp[] = {"护照", "passport", NULL};
    static const char *const other[] = {"其他", "其它", "港澳通行证", "台胞证", "港澳台居民居住证",
                                        "外国人永久居留身份证", "外国人永久居留证", "other", NULL};
    if (word_in(v, cn)) return "cn_id";
    if (word_in(v, pp)) return "passport";
    if (word_in(v, other)) return "other";
    return NULL;
}

/* Phone numbers as dialled: spaces and a +86 / 0086 prefix removed. A landline that
 * a spreadsheet kept as a number lost its leading 0 (021-50001111 became 2150001111):
 * 9 to 11 digits starting 2-9 that are a landline with the 0 get it back. Nothing is
 * done to a number starting with 1: a 10-digit "mobile" is refused as it is. */
static const char *clean_phone(arena *a, const char *v)
{
    char *o = arena_alloc(a, strlen(v) + 2), *w = o + 1;
    if (!strncmp(v, "+86", 3)) v += 3;
    else if (!strncmp(v, "0086", 4)) v += 4;
    for (; *v; v++)
        if (*v != ' ' && *v != '\t') *w++ = *v;
    *w = 0;
    size_t n = strlen(o + 1);
    if (n >= 9 && n <= 11 && o[1] >= '2' && o[1] <= '9' && strspn(o + 1, "0123456789") == n) {
        o[0] = '0';
        if (!validate_phone(o)) return o;
    }
    return o + 1;
}

/* ---------------------------------------------------------------- stage 1: read */

/* An error of the row, on the column of field: the message of key, or the text
 * itself when row_error_text (a message made with the cell's values). */
static void row_error_text(import_job *ij, irow *r, int field, const char *text)
{
    const char *col = ij->col[field] >= 0 ? ij->t.rows[0][ij->col[field]] : "";
    json_array_append_new(r->errors, json_pack("{s:s, s:s, s:s}", "column", col, "field", field_name(field),
                                               "message", text));
}

static void row_error(http_req *req, import_job *ij, irow *r, int field, const char *key)
{
    row_error_text(ij, r, field, i18n_text(req->lang, key));
}

/* A warning: the row imports once the user has accepted it (?accept_warnings=1). */
static void row_warning(import_job *ij, irow *r, int field, const char *text)
{
    const char *col = ij->col[field] >= 0 ? ij->t.rows[0][ij->col[field]] : "";
    json_array_append_new(r->warnings, json_pack("{s:s, s:s, s:s}", "column", col, "field", field_name(field),
                                                 "message", text));
}

/* A flag cell: yes (是, √, 1, Y, ✓ ...), no, or a fact that says yes and is kept
 * in the entry's detail as the form would: the due date of a pregnancy, the condition
 * of a chronic illness (高血压 氨氯地平), who relays for someone without a smartphone,
 * the start of home isolation (a date, else today with the text as the reason), the
 * kind of a disability, a note otherwise. A plain yes keeps the detail of a flag that
 * is already set. */
static void read_flag(http_req *req, import_job *ij, irow *r, int i, const char *v)
{
    int f = IF_FLAG0 + i;
    const char *flag = flag_names[i], *why;
    static const char *const yes[] = {"☑", "●", "是的", NULL};
    static const char *const no[] = {"/", "—", NULL};
    int b = parse_bool(v, yes, no);
    r->flag[i] = b != 0;
    if (b >= 0) {
        if (b && !strcmp(flag, "home_isolation"))
            r->flag_detail[i] = arena_printf(req->a, "{\"start\":\"%s\"}", ij->today);
        return;
    }
    if ((why = validate_text(v, 1, 128)) || strchr(v, '\n')) {
        row_error(req, ij, r, f, why ? why : "import.err.flag");
        return;
    }
    json_t *d;
    const char *date = parse_full_date(req->a, v);
    if (!strcmp(flag, "pregnant")) {
        if (!date) { row_error(req, ij, r, f, "import.err.flag_pregnant"); return; }
        d = json_pack("{s:s}", "due_date", date);
    } else if (!strcmp(flag, "home_isolation")) {
        d = date ? json_pack("{s:s}", "start", date) : json_pack("{s:s, s:s}", "start", ij->today, "reason", v);
    } else if (!strcmp(flag, "chronic_illness")) {
        d = json_pack("{s:s}", "condition", v);
    } else if (!strcmp(flag, "no_smartphone")) {
        d = json_pack("{s:s}", "relay_name", v);
    } else if (!strcmp(flag, "disabled")) {
        d = json_pack("{s:s}", "kind", v);
    } else {
        d = json_pack("{s:s}", "note", v);
    }
    char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    r->flag_detail[i] = arena_strdup(req->a, text ? text : "{}");
    free(text);
    json_decref(d);
}

static const char *cellv(const irow *r, int f) { return r->cell[f] && *r->cell[f] ? r->cell[f] : NULL; }

/* Zone and block names the import may create are printed like people's names: the
 * same normalisation and the same refusals, with a reason that speaks of the cell. */
static const char *place_name(arena *a, const char **v)
{
    char *out = arena_alloc(a, strlen(*v) + 1);
    const char *why = validate_name(*v, 64, out);
    if (!why) { *v = out; return NULL; }
    return strncmp(why, "err.name_", 9) ? why : "import.err.place_chars";
}

/* Reads and checks every cell of one row into r (errors and warnings named by column).
 * One check per column, in the column order of the report; long by the number of
 * columns, not by its logic. */
static void read_row(http_req *req, import_job *ij, irow *r)
{
    const char *v, *why;
    r->party = r->floating = r->owner = r->head = -1;
    r->res = r->hh = r->block_idx = -1;
    for (int i = 0; i < N_FLAGS; i++) r->flag[i] = -1;
    if (!(r->block = cellv(r, IF_BLOCK))) row_error(req, ij, r, IF_BLOCK, "err.required");
    else if ((why = validate_text(r->block, 1, 64)) || (why = place_name(req->a, &r->block))) {
        row_error(req, ij, r, IF_BLOCK, why);
        r->block = NULL;
    }
    if ((r->zone = cellv(r, IF_ZONE)) &&
        ((why = validate_text(r->zone, 1, 64)) || (why = place_name(req->a, &r->zone)))) {
        row_error(req, ij, r, IF_ZONE, why);
        r->zone = NULL;
    }
    if (!(r->room = cellv(r, IF_ROOM))) row_error(req, ij, r, IF_ROOM, "err.required");
    else if ((why = validate_text(r->room, 1, 64))) row_error(req, ij, r, IF_ROOM, why);
    else {
        /* a room is printed on door plates and lists too: no spoofing characters, but
         * kept as written so that it still matches the stored one */
        const char *room = r->room;
        if ((why = place_name(req->a, &room))) row_error(req, ij, r, IF_ROOM, why);
    }
    if (!(v = cellv(r, IF_NAME))) row_error(req, ij, r, IF_NAME, "err.name_blank");
    else {
        char *name = arena_alloc(req->a, strlen(v) + 1);
        if ((why = validate_name(v, 64, name))) row_error(req, ij, r, IF_NAME, why);
        else r->name = name;
    }
    if ((v = cellv(r, IF_STATUS)) && !(r->status = parse_status(v)))
        row_error(req, ij, r, IF_STATUS, "import.err.status");
    if ((v = cellv(r, IF_HH_PHONE))) {
        r->hh_phone = clean_phone(req->a, v);
        if ((why = validate_phone(r->hh_phone))) row_error(req, ij, r, IF_HH_PHONE, why);
    }
    if ((v = cellv(r, IF_PHONE))) {
        r->phone = clean_phone(req->a, v);
        if ((why = validate_phone(r->phone))) row_error(req, ij, r, IF_PHONE, why);
    }
    if ((v = cellv(r, IF_GENDER)) && !(r->gender = parse_gender(v)))
        row_error(req, ij, r, IF_GENDER, "import.err.gender");
    if ((v = cellv(r, IF_BIRTH)) && (why = parse_birth(req, v, ij->today, &r->birth_year, &r->birth_date)))
        row_error_text(ij, r, IF_BIRTH, why);
    if ((v = cellv(r, IF_PERSON_TYPE)) && !(r->person_type = parse_person_type(v)))
        row_error(req, ij, r, IF_PERSON_TYPE, "import.err.person_type");
    if ((v = cellv(r, IF_RELATION))) {
        static const char *const self[] = {"户主", "本人", "户主本人", "head", "self", NULL};
        if ((why = validate_text(v, 1, 32))) row_error(req, ij, r, IF_RELATION, why);
        else {
            r->relation = v;
            r->head = word_in(v, self);
        }
    }
    if ((v = cellv(r, IF_HEAD))) {
        /* 是/否 (户主 itself says yes), or the head's name on every member's row */
        static const char *const self[] = {"户主", "本人", NULL};
        int b = parse_bool(v, self, NULL);
        if (b >= 0) r->head = b;
        else if (r->name) r->head = !strcmp(v, r->name);
    }
    for (int i = 0; i < N_FLAGS; i++)
        if ((v = cellv(r, IF_FLAG0 + i))) read_flag(req, ij, r, i, v);
    if ((v = cellv(r, IF_PARTY))) {
        static const char *const y[] = {"党员", "中共党员", "预备党员", "中共预备党员", NULL};
        static const char *const n[] = {"群众", "团员", "共青团员", "无党派", "民主党派", "非党员", NULL};
        if ((r->party = parse_bool(v, y, n)) < 0) row_error(req, ij, r, IF_PARTY, "import.err.bool");
    }
    if ((v = cellv(r, IF_FLOATING))) {
        static const char *const y[] = {"流动人口", "流动", "外来", NULL};
        static const char *const n[] = {"常住", "户籍", "本地", NULL};
        if ((r->floating = parse_bool(v, y, n)) < 0) row_error(req, ij, r, IF_FLOATING, "import.err.bool");
    }
    if (r->floating < 0 && r->person_type) r->floating = !strcmp(r->person_type, "floating");
    if ((v = cellv(r, IF_OWNER))) {
        static const char *const y[] = {"业主", "产权人", "owner", NULL};
        static const char *const n[] = {"租户", "租客", "承租人", "tenant", NULL};
        if ((r->owner = parse_bool(v, y, n)) < 0) row_error(req, ij, r, IF_OWNER, "import.err.owner");
    }
    /* a foreign national's number is a passport's unless the row says otherwise */
    const char *kind = r->person_type && !strcmp(r->person_type, "foreign") ? "passport" : "cn_id";
    if ((v = cellv(r, IF_ID_KIND)) && !(kind = parse_id_kind(v)))
        row_error(req, ij, r, IF_ID_KIND, "import.err.id_kind");
    if ((v = cellv(r, IF_ID_NUMBER)) && kind) {
        size_t n = strlen(v);
        char *id = arena_alloc(req->a, n + 1), *w = id;
        for (const char *p = v; *p; p++)
            if (*p != ' ') *w++ = (char)toupper((unsigned char)*p);
        *w = 0;
        why = NULL;
        if (!strcmp(kind, "cn_id")) why = validate_cn_id(id);
        else {
            size_t l = strlen(id);
            bool ok = l >= (strcmp(kind, "passport") ? 3u : 5u) && l <= 32;
            for (const char *p = id; *p && ok; p++)
                ok = !strcmp(kind, "passport") ? isalnum((unsigned char)*p) : (*p > 0x20 && *p < 0x7f);
            if (!ok) why = !strcmp(kind, "passport") ? "import.err.passport" : "import.err.id_other";
        }
        if (why) row_error(req, ij, r, IF_ID_NUMBER, why);
        else {
            r->has_id = true;
            r->id_kind = kind;
            secret_lookup_hash(req->cfg, id, r->id_hash);
            char *c = secret_encrypt(req->cfg, id), *m = secret_mask(id, 4, 4);
            r->id_cipher = c ? arena_strdup(req->a, c) : NULL;
            r->id_masked = arena_strdup(req->a, m);
            free(c);
            free(m);
            /* The birth date in the number against the one in its column: the user
             * decides which is right, nothing is picked silently. */
            if (!strcmp(kind, "cn_id") && r->birth_year) {
                char idd[11];
                snprintf(idd, sizeof idd, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
                if (r->birth_date ? strcmp(r->birth_date, idd) : (int)strtol(idd, NULL, 10) != r->birth_year)
                    row_warning(ij, r, IF_BIRTH,
                                arena_printf(req->a, i18n_text(req->lang, "import.warn.birth_id"), idd));
            }
        }
    }
    r->n_static = json_array_size(r->errors);
}

/* The confirmed mapping {field: header} from ?mapping= or the multipart field. */
static int apply_mapping(http_req *req, import_job *ij, const char *text)
{
    json_error_t e;
    json_t *m = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(m)) {
        json_decref(m);
        return http_fail_field(req, "mapping", "import.err.mapping");
    }
    arena_on_free(req->a, (void (*)(void *))json_decref, m);
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v) {
        int f = field_by_name(k);
        if (f < 0) return http_fail_field(req, "mapping", "import.err.mapping");
        if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) { ij->col[f] = -2; continue; }
        if (!json_is_string(v)) return http_fail_field(req, "mapping", "import.err.mapping");
        int found = -1;
        for (int c = 0; c < ij->t.n_cols && found < 0; c++)
            if (!strcmp(trim(req->a, ij->t.rows[0][c]), json_string_value(v))) found = c;
        if (found < 0) return http_fail_field(req, "mapping", "import.err.mapping");
        ij->col[f] = found;
    }
    return 0;
}

/* The uploaded file into rows: the format (CSV in its character set, or XLSX), the
 * header row, the column mapping (given or guessed), then read_row for each row. */
static int read_file(http_req *req, import_job *ij, const char *ctype, const char *mapping)
{
    const char *data = req->body;
    size_t len = req->body_len;
    if (!data || !len) return http_fail_field(req, "file", "import.err.empty");
    if (ctype && !strncasecmp(ctype, "multipart/form-data", 19)) {
        import_part parts[8];
        int n = import_multipart(req->a, ctype, req->body, req->body_len, parts, 8);
        if (n < 0) return http_fail_field(req, "file", "import.err.multipart");
        data = NULL;
        for (int i = 0; i < n; i++) {
            if (parts[i].name && !strcmp(parts[i].name, "mapping") && !parts[i].filename)
                mapping = arena_strndup(req->a, parts[i].data, parts[i].len);
            else if (parts[i].filename || (parts[i].name && !strcmp(parts[i].name, "file"))) {
                if (data) return http_fail_field(req, "file", "import.err.multipart");
                data = parts[i].data;
                len = parts[i].len;
                ctype = parts[i].content_type;
            }
        }
        if (!data || !len) return http_fail_field(req, "file", "import.err.empty");
    }
    const char *err;
    if (import_is_zip(data, len)) {
        ij->format = "xlsx";
        ij->encoding = "utf-8";
        err = import_parse_xlsx(req->a, data, len, &ij->t);
    } else if (len >= 8 && !memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
        return http_fail_field(req, "file", "import.err.xls");      /* Excel 97-2003 */
    } else if (ctype && strstr(ctype, "spreadsheetml")) {
        return http_fail_field(req, "file", "import.err.xlsx");
    } else if (ctype && (strstr(ctype, "json") || strstr(ctype, "x-www-form-urlencoded"))) {
        return http_fail(req, 415, "unsupported_media_type", "file", "import.err.media_type");
    } else {
        /* text/csv, text/plain, application/octet-stream, and application/vnd.ms-excel,
         * which Windows browsers send for .csv files */
        char *text;
        size_t tl;
        ij->format = "csv";
        err = import_to_utf8(req->a, data, len, &text, &tl, &ij->encoding);
        if (!err) err = import_parse_csv(req->a, text, tl, &ij->t);
    }
    if (err) {
        http_fail_field(req, "file", err);
        if (ij->t.err_line)
            json_object_set_new(json_object_get(req->out, "error"), "line", json_integer(ij->t.err_line));
        return -1;
    }

    /* Columns: the confirmed mapping first, then the vocabulary for the rest. */
    for (int f = 0; f < NF; f++) ij->col[f] = -1;
    if (mapping && *mapping && apply_mapping(req, ij, mapping)) return -1;
    bool used[IMPORT_MAX_COLS] = {0};
    for (int f = 0; f < NF; f++)
        if (ij->col[f] >= 0) used[ij->col[f]] = true;
    ij->mapping = json_object();
    ij->unmapped = json_array();
    ij->ignored = json_array();
    arena_on_free(req->a, (void (*)(void *))json_decref, ij->mapping);
    arena_on_free(req->a, (void (*)(void *))json_decref, ij->unmapped);
    arena_on_free(req->a, (void (*)(void *))json_decref, ij->ignored);
    for (int c = 0; c < ij->t.n_cols; c++) {
        const char *h = trim(req->a, ij->t.rows[0][c]);
        ij->t.rows[0][c] = (char *)h;
        if (used[c]) continue;
        int f = auto_field(h);
        if (f >= 0 && ij->col[f] == -1) { ij->col[f] = c; continue; }
        if (!*h) continue;
        json_array_append_new(f == IMPORT_IGNORED ? ij->ignored : ij->unmapped, json_string(h));
    }
    for (int f = 0; f < NF; f++) {
        if (ij->col[f] == -2) ij->col[f] = -1;
        if (ij->col[f] >= 0) json_object_set_new(ij->mapping, field_name(f), json_string(ij->t.rows[0][ij->col[f]]));
    }
    if (ij->col[IF_BLOCK] < 0 || ij->col[IF_ROOM] < 0 || ij->col[IF_NAME] < 0) {
        http_fail_field(req, "mapping", "import.err.mapping_missing");
        json_t *missing = json_array();
        if (ij->col[IF_BLOCK] < 0) json_array_append_new(missing, json_string("block"));
        if (ij->col[IF_ROOM] < 0) json_array_append_new(missing, json_string("room"));
        if (ij->col[IF_NAME] < 0) json_array_append_new(missing, json_string("name"));
        json_object_set_new(req->out, "missing", missing);
        json_object_set(req->out, "mapping", ij->mapping);
        json_object_set(req->out, "unmapped_headers", ij->unmapped);
        return -1;
    }

    ij->n = ij->t.n_rows - 1;
    ij->rows = arena_alloc(req->a, (size_t)(ij->n ? ij->n : 1) * sizeof *ij->rows);
    json_t *all_errors = json_array();   /* owns every row's error array */
    arena_on_free(req->a, (void (*)(void *))json_decref, all_errors);
    for (int i = 0; i < ij->n; i++) {
        irow *r = &ij->rows[i];
        char **cells = ij->t.rows[i + 1];
        r->line = ij->t.line[i + 1];
        for (int f = 0; f < NF; f++)
            r->cell[f] = ij->col[f] >= 0 ? trim(req->a, cells[ij->col[f]]) : NULL;
        r->errors = json_array();
        json_array_append_new(all_errors, r->errors);
        r->warnings = json_array();
        json_array_append_new(all_errors, r->warnings);
        read_row(req, ij, r);
        if (ij->progress && (i + 1) % 2000 == 0) ij->progress(ij->progress_ctx, i + 1, ij->n);
    }
    return 0;
}

/* ---------------------------------------------------------------- stage 2: plan */

static const char *sql_zones = "SELECT id, name FROM zones WHERE community_id = $1 ORDER BY id";
static const char *sql_blocks =
    "SELECT b.id, b.name, COALESCE(z.name, ''), b.zone_id FROM blocks b LEFT JOIN zones z ON z.id = b.zone_id "
    "WHERE " SCOPE_BLOCK " ORDER BY b.id";
static const char *sql_households =
    "SELECT h.id, h.block_id, h.room, h.status, h.phone FROM households h JOIN blocks b ON b.id = h.block_id "
    "WHERE " SCOPE_HOUSEHOLD " ORDER BY h.id";
static const char *sql_residents =
    "SELECT r.id, r.household_id, r.name, r.phone, r.gender, r.birth_year, r.birth_date, r.id_kind, r.id_hash, "
    "r.owner, r.floating, r.party_member, r.person_type, r.household_head, r.relation "
    "FROM residents r JOIN households h ON h.id = r.household_id "
    "JOIN blocks b ON b.id = h.block_id WHERE r.community_id = $1 AND r.moved_out_at IS NULL AND " SCOPE_HOUSEHOLD
    " ORDER BY r.id";
/* Current flags of the community's residents (the import is the committee's). */
static const char *sql_flags =
    "SELECT resident_id, flag, detail FROM resident_flags WHERE community_id = $1 AND cleared_at IS NULL ORDER BY id";

static int add_block(arena *a, import_job *ij)
{
    if (ij->n_blocks == ij->cap_blocks) {
        int cap = ij->cap_blocks ? ij->cap_blocks * 2 : 256;
        pblock *n = arena_alloc(a, (size_t)cap * sizeof *n);
        if (ij->n_blocks) memcpy(n, ij->blocks, (size_t)ij->n_blocks * sizeof *n);
        ij->blocks = n;
        ij->cap_blocks = cap;
    }
    memset(&ij->blocks[ij->n_blocks], 0, sizeof ij->blocks[0]);
    ij->blocks[ij->n_blocks].zone_idx = -1;
    return ij->n_blocks++;
}

static int add_zone(arena *a, import_job *ij)
{
    if (ij->n_zones == ij->cap_zones) {
        int cap = ij->cap_zones ? ij->cap_zones * 2 : 64;
        pzone *n = arena_alloc(a, (size_t)cap * sizeof *n);
        if (ij->n_zones) memcpy(n, ij->zones, (size_t)ij->n_zones * sizeof *n);
        ij->zones = n;
        ij->cap_zones = cap;
    }
    memset(&ij->zones[ij->n_zones], 0, sizeof ij->zones[0]);
    return ij->n_zones++;
}

static int add_hh(arena *a, import_job *ij)
{
    if (ij->n_hh == ij->cap_hh) {
        int cap = ij->cap_hh ? ij->cap_hh * 2 : 1024;
        phh *n = arena_alloc(a, (size_t)cap * sizeof *n);
        if (ij->n_hh) memcpy(n, ij->hh, (size_t)ij->n_hh * sizeof *n);
        ij->hh = n;
        ij->cap_hh = cap;
    }
    memset(&ij->hh[ij->n_hh], 0, sizeof ij->hh[0]);
    return ij->n_hh++;
}

static int add_res(arena *a, import_job *ij)
{
    if (ij->n_res == ij->cap_res) {
        int cap = ij->cap_res ? ij->cap_res * 2 : 4096;
        pres *n = arena_alloc(a, (size_t)cap * sizeof *n);
        if (ij->n_res) memcpy(n, ij->res, (size_t)ij->n_res * sizeof *n);
        ij->res = n;
        ij->cap_res = cap;
    }
    memset(&ij->res[ij->n_res], 0, sizeof ij->res[0]);
    ij->res[ij->n_res].claimed = -1;
    ij->res[ij->n_res].next_same = -1;
    return ij->n_res++;
}

static const char *sdup(arena *a, store_stmt *st, int col)
{
    return store_col_null(st, col) ? NULL : arena_strdup(a, store_col_text(st, col));
}

static bool same(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

/* The lookups the match works with: stored and planned rows by name and by id. */
typedef struct plan_maps {
    smap zmap, zid;         /* zones by name, by id */
    smap bmap, bzmap, bid;  /* blocks by name (-2: ambiguous), by zone + name, by id */
    smap hmap, hid;         /* households by block index + room, by id */
    smap idmap, nmap, rid;  /* residents by ID hash, by household + name (chained), by id */
} plan_maps;

/* Zones by name (the first of a name), then blocks: by name, and by zone + name; a
 * name used twice without zone is ambiguous. */
static int plan_load_places(http_req *req, import_job *ij, store_conn *conn, plan_maps *pm)
{
    arena *a = req->a;
    store_stmt *st = store_prepare(conn, sql_zones);
    if (!st) return http_fail_internal(req, store_errmsg(conn));
    store_bind_int(st, 1, req->actor.community_id);
    while (store_step(st) == STORE_ROW) {
        int z = add_zone(a, ij);
        ij->zones[z].id = store_col_int(st, 0);
        ij->zones[z].name = sdup(a, st, 1);
    }
    store_done(st);
    smap_init(a, &pm->zmap, (size_t)(ij->n_zones + ij->n));
    smap_init(a, &pm->zid, (size_t)ij->n_zones);
    for (int i = ij->n_zones - 1; i >= 0; i--) {
        smap_put(&pm->zmap, ij->zones[i].name, i);
        smap_put(&pm->zid, arena_printf(a, "%lld", (long long)ij->zones[i].id), i);
    }
    if (!(st = store_prepare(conn, sql_blocks))) return http_fail_internal(req, store_errmsg(conn));
    scope_bind(req, st);
    while (store_step(st) == STORE_ROW) {
        int i = add_block(a, ij);
        ij->blocks[i].id = store_col_int(st, 0);
        ij->blocks[i].name = sdup(a, st, 1);
        ij->blocks[i].zone = sdup(a, st, 2);
        ij->blocks[i].zone_idx =
            store_col_null(st, 3) ? -1 : smap_get(&pm->zid, arena_printf(a, "%lld", (long long)store_col_int(st, 3)));
    }
    store_done(st);
    int nb = ij->n_blocks;
    smap_init(a, &pm->bmap, (size_t)(nb + ij->n));
    smap_init(a, &pm->bzmap, (size_t)(nb + ij->n));
    smap_init(a, &pm->bid, (size_t)nb);
    for (int i = 0; i < nb; i++) {
        pblock *bl = &ij->blocks[i];
        smap_put(&pm->bmap, bl->name, smap_get(&pm->bmap, bl->name) != -1 ? -2 : i);
        smap_put(&pm->bzmap, arena_printf(a, "%s\x1f%s", bl->zone, bl->name), i);
        smap_put(&pm->bid, arena_printf(a, "%lld", (long long)bl->id), i);
    }
    return 0;
}

/* Households, keyed by block (its index in blocks) and room. */
static int plan_load_households(http_req *req, import_job *ij, store_conn *conn, plan_maps *pm)
{
    arena *a = req->a;
    store_stmt *st = store_prepare(conn, sql_households);
    if (!st) return http_fail_internal(req, store_errmsg(conn));
    scope_bind(req, st);
    while (store_step(st) == STORE_ROW) {
        int i = add_hh(a, ij);
        phh *h = &ij->hh[i];
        h->id = store_col_int(st, 0);
        h->block_id = store_col_int(st, 1);
        h->new_block = -1;
        h->room = sdup(a, st, 2);
        h->status = h->db_status = sdup(a, st, 3);
        h->phone = h->db_phone = sdup(a, st, 4);
    }
    store_done(st);
    smap_init(a, &pm->hmap, (size_t)(ij->n_hh + ij->n));
    smap_init(a, &pm->hid, (size_t)ij->n_hh);
    for (int i = 0; i < ij->n_hh; i++) {
        int bi = smap_get(&pm->bid, arena_printf(a, "%lld", (long long)ij->hh[i].block_id));
        smap_put(&pm->hmap, arena_printf(a, "%d\x1f%s", bi, ij->hh[i].room), i);
        smap_put(&pm->hid, arena_printf(a, "%lld", (long long)ij->hh[i].id), i);
    }
    return 0;
}

/* Residents, keyed by ID hash and by household + name; their flags when the file has
 * flag columns. */
static int plan_load_residents(http_req *req, import_job *ij, store_conn *conn, plan_maps *pm)
{
    arena *a = req->a;
    store_stmt *st = store_prepare(conn, sql_residents);
    if (!st) return http_fail_internal(req, store_errmsg(conn));
    scope_bind(req, st);
    while (store_step(st) == STORE_ROW) {
        int hh = smap_get(&pm->hid, arena_printf(a, "%lld", (long long)store_col_int(st, 1)));
        if (hh < 0) continue;
        int i = add_res(a, ij);
        pres *p = &ij->res[i];
        p->id = store_col_int(st, 0);
        p->hh = hh;
        p->name = sdup(a, st, 2);
        p->phone = sdup(a, st, 3);
        p->gender = sdup(a, st, 4);
        p->birth_year = store_col_null(st, 5) ? 0 : (int)store_col_int(st, 5);
        p->birth_date = sdup(a, st, 6);
        p->id_kind = sdup(a, st, 7);
        p->id_hash = sdup(a, st, 8);
        p->owner = (int)store_col_int(st, 9);
        p->floating = (int)store_col_int(st, 10);
        p->party = (int)store_col_int(st, 11);
        p->person_type = sdup(a, st, 12);
        p->head = (int)store_col_int(st, 13);
        p->relation = sdup(a, st, 14);
    }
    store_done(st);
    smap_init(a, &pm->idmap, (size_t)(ij->n_res + ij->n));
    smap_init(a, &pm->nmap, (size_t)(ij->n_res + ij->n));
    smap_init(a, &pm->rid, (size_t)ij->n_res);
    for (int i = 0; i < ij->n_res; i++) {
        pres *p = &ij->res[i];
        if (p->id_hash && *p->id_hash) smap_put(&pm->idmap, p->id_hash, i);
        const char *k = arena_printf(a, "%d\x1f%s", p->hh, p->name);
        p->next_same = smap_get(&pm->nmap, k);
        smap_put(&pm->nmap, k, i);
        smap_put(&pm->rid, arena_printf(a, "%lld", (long long)p->id), i);
    }
    bool want_flags = false;
    for (int f = 0; f < N_FLAGS; f++) want_flags |= ij->col[IF_FLAG0 + f] >= 0;
    if (!want_flags || !ij->n_res) return 0;
    if (!(st = store_prepare(conn, sql_flags))) return http_fail_internal(req, store_errmsg(conn));
    store_bind_int(st, 1, req->actor.community_id);
    while (store_step(st) == STORE_ROW) {
        int i = smap_get(&pm->rid, arena_printf(a, "%lld", (long long)store_col_int(st, 0)));
        const char *flag = store_col_text(st, 1);
        for (int f = 0; f < N_FLAGS && i >= 0; f++)
            if (!strcmp(flag, flag_names[f])) ij->res[i].flag_cur[f] = sdup(a, st, 2);
    }
    store_done(st);
    return 0;
}

/* The block of row r (checked even when other cells are wrong: one report says it
 * all). A block the community does not have yet is made, in its zone (made too when
 * new); the report lists them. Its index, or -1 after a row error. */
static int plan_match_block(http_req *req, import_job *ij, irow *r, plan_maps *pm)
{
    arena *a = req->a;
    int b = r->zone ? smap_get(&pm->bzmap, arena_printf(a, "%s\x1f%s", r->zone, r->block))
                    : smap_get(&pm->bmap, r->block);
    if (b == -2) {
        row_error(req, ij, r, IF_BLOCK, "import.err.block_ambiguous");
        return -1;
    }
    /* A name the community has, in another zone, is a mistake of the zone column
     * (第一片区 for 一片区) more often than a second block: refused as before. */
    if (b < 0 && r->zone && smap_get(&pm->bmap, r->block) != -1) {
        row_error(req, ij, r, IF_BLOCK, "import.err.block_zone");
        return -1;
    }
    if (b >= 0) return b;
    int z = -1;
    if (r->zone && (z = smap_get(&pm->zmap, r->zone)) < 0) {
        z = add_zone(a, ij);
        ij->zones[z].name = r->zone;
        smap_put(&pm->zmap, r->zone, z);
    }
    b = add_block(a, ij);
    pblock *nbk = &ij->blocks[b];
    nbk->name = r->block;
    nbk->zone = r->zone ? r->zone : "";
    nbk->zone_idx = z;
    if (z >= 0) ij->zones[z].blocks++;
    smap_put(&pm->bzmap, arena_printf(a, "%s\x1f%s", nbk->zone, r->block), b);
    smap_put(&pm->bmap, r->block, smap_get(&pm->bmap, r->block) != -1 ? -2 : b);
    return b;
}

/* The household of row r in block b: as written, or with the block's name in front
 * (1号楼1单元101); a new one when neither is there. */
static int plan_match_household(arena *a, import_job *ij, irow *r, int b, plan_maps *pm)
{
    pblock *bl = &ij->blocks[b];
    int hh = smap_get(&pm->hmap, arena_printf(a, "%d\x1f%s", b, r->room));
    if (hh < 0 && strncmp(r->room, bl->name, strlen(bl->name)))
        hh = smap_get(&pm->hmap, arena_printf(a, "%d\x1f%s%s", b, bl->name, r->room));
    if (hh >= 0) {
        phh *h = &ij->hh[hh];
        if (r->status && !same(r->status, h->status)) { h->status = r->status; r->touched_hh = true; }
        if (r->hh_phone && !same(r->hh_phone, h->phone)) { h->phone = r->hh_phone; r->touched_hh = true; }
        return hh;
    }
    hh = add_hh(a, ij);
    phh *h = &ij->hh[hh];
    h->is_new = true;
    h->block_id = bl->id;
    h->new_block = bl->id ? -1 : b;
    h->room = r->room;
    h->status = r->status ? r->status : "occupied";
    h->phone = r->hh_phone ? r->hh_phone : "";
    smap_put(&pm->hmap, arena_printf(a, "%d\x1f%s", b, r->room), hh);
    if (!bl->id) {
        bl->households++;
        if (bl->zone_idx >= 0) ij->zones[bl->zone_idx].households++;
    }
    return hh;
}

/* A resident the match did not find: planned new in household hh. */
static int plan_new_resident(arena *a, import_job *ij, irow *r, int hh, plan_maps *pm)
{
    int m = add_res(a, ij);
    pres *p = &ij->res[m];
    p->hh = hh;
    p->name = r->name;
    p->phone = r->phone ? r->phone : "";
    p->gender = r->gender ? r->gender : "";
    p->birth_year = r->birth_year;
    p->birth_date = r->birth_date;
    p->id_kind = r->has_id ? r->id_kind : NULL;
    p->id_hash = r->has_id ? r->id_hash : NULL;
    p->owner = r->owner > 0;
    p->floating = r->floating > 0;
    p->party = r->party > 0;
    p->person_type = r->person_type;
    p->head = r->head > 0;
    p->relation = r->relation ? r->relation : "";
    r->res_new = true;
    if (r->has_id) smap_put(&pm->idmap, r->id_hash, m);
    const char *k = arena_printf(a, "%d\x1f%s", hh, r->name);
    p->next_same = smap_get(&pm->nmap, k);
    smap_put(&pm->nmap, k, m);
    return m;
}

/* A resident the match found: fields the file gives replace the stored ones; empty
 * cells keep them. */
static void plan_update_resident(import_job *ij, irow *r, int m, int hh)
{
    pres *p = &ij->res[m];
    bool ch = false;
#define SETS(dst, v) do { if ((v) && !same((dst), (v))) { (dst) = (v); ch = true; } } while (0)
#define SETI(dst, v) do { if ((v) >= 0 && (dst) != (v)) { (dst) = (v); ch = true; } } while (0)
    if (p->hh != hh) {
        if (!p->moved_from) p->moved_from = ij->hh[p->hh].id;
        p->hh = hh;
        ch = true;
    }
    SETS(p->name, r->name);
    SETS(p->phone, r->phone);
    SETS(p->gender, r->gender);
    if (r->birth_year && p->birth_year != r->birth_year) { p->birth_year = r->birth_year; ch = true; }
    SETS(p->birth_date, r->birth_date);
    SETI(p->owner, r->owner);
    SETI(p->floating, r->floating);
    SETI(p->party, r->party);
    SETS(p->person_type, r->person_type);
    SETI(p->head, r->head);
    SETS(p->relation, r->relation);
#undef SETS
#undef SETI
    if (r->has_id && (!same(p->id_hash, r->id_hash) || !same(p->id_kind, r->id_kind))) {
        p->id_hash = r->id_hash;
        p->id_kind = r->id_kind;
        r->update_id = ch = true;
    }
    r->res_changed = ch;
}

/* The resident of row r in household hh: by ID hash, else by household, name and a
 * phone that agrees; new when none. Its index, or -1 after a row error. */
static int plan_match_resident(http_req *req, import_job *ij, irow *r, int hh, plan_maps *pm)
{
    int m = -1;
    if (r->has_id) {
        m = smap_get(&pm->idmap, r->id_hash);
        if (m >= 0 && ij->res[m].claimed >= 0) {
            row_error(req, ij, r, IF_ID_NUMBER, "import.err.duplicate_id");
            return -1;
        }
    }
    if (m < 0) {
        for (int c = smap_get(&pm->nmap, arena_printf(req->a, "%d\x1f%s", hh, r->name)); c >= 0;
             c = ij->res[c].next_same) {
            pres *p = &ij->res[c];
            if (p->claimed >= 0) continue;
            if (r->has_id && p->id_hash && *p->id_hash && strcmp(p->id_hash, r->id_hash)) continue;
            if (r->phone && p->phone && *p->phone && strcmp(r->phone, p->phone)) continue;
            m = c;
            break;
        }
    }
    if (m < 0) return plan_new_resident(req->a, ij, r, hh, pm);
    plan_update_resident(ij, r, m, hh);
    return m;
}

/* Flags of row r on resident m: a yes sets one that is not set (a fact replaces a
 * different one), a no clears one that is set. */
static void plan_flags(import_job *ij, irow *r, int m)
{
    pres *p = &ij->res[m];
    for (int f = 0; f < N_FLAGS; f++) {
        if (r->flag[f] < 0) continue;
        const char *cur = p->flag_cur[f];
        bool change = r->flag[f] ? !cur || (r->flag_detail[f] && strcmp(cur, r->flag_detail[f])) : cur != NULL;
        if (!change) continue;
        r->flag_change |= 1u << f;
        p->flag_cur[f] = r->flag[f] ? (r->flag_detail[f] ? r->flag_detail[f] : "{}") : NULL;
    }
}

/* The report's counts and each row's action, from the finished plan. */
static void plan_count(import_job *ij)
{
    for (int i = 0; i < ij->n_zones; i++) ij->zones_new += !ij->zones[i].id;
    for (int i = 0; i < ij->n_blocks; i++) ij->blocks_new += !ij->blocks[i].id;
    for (int i = 0; i < ij->n_hh; i++) {
        phh *h = &ij->hh[i];
        if (h->is_new) ij->households_new++;
        else if (!same(h->status, h->db_status) || !same(h->phone, h->db_phone)) ij->households_changed++;
    }
    for (int ri = 0; ri < ij->n; ri++) {
        irow *r = &ij->rows[ri];
        if (json_array_size(r->warnings)) ij->warnings++;
        if (json_array_size(r->errors)) { r->action = "error"; ij->errors++; continue; }
        phh *h = &ij->hh[r->hh];
        bool hh_changed = !h->is_new && (!same(h->status, h->db_status) || !same(h->phone, h->db_phone));
        if (r->res_new) { r->action = "create"; ij->residents_new++; }
        else if (r->res_changed || r->flag_change) { r->action = "update"; ij->residents_changed++; }
        else if (r->touched_hh && hh_changed) r->action = "update";
        else { r->action = "unchanged"; ij->unchanged++; }
    }
}

/* Runs the match on conn: loads what the community has, matches every row to a block,
 * household and resident (planning new ones), then counts. Returns 0, or -1 after an
 * error reply. */
static int plan(http_req *req, import_job *ij, store_conn *conn)
{
    ij->n_hh = ij->cap_hh = ij->n_res = ij->cap_res = ij->n_blocks = ij->n_zones = 0;
    ij->households_new = ij->households_changed = ij->residents_new = ij->residents_changed = 0;
    ij->unchanged = ij->errors = ij->warnings = ij->zones_new = ij->blocks_new = 0;
    plan_maps pm;
    if (plan_load_places(req, ij, conn, &pm) || plan_load_households(req, ij, conn, &pm) ||
        plan_load_residents(req, ij, conn, &pm))
        return -1;
    for (int ri = 0; ri < ij->n; ri++) {
        irow *r = &ij->rows[ri];
        while (json_array_size(r->errors) > r->n_static) json_array_remove(r->errors, json_array_size(r->errors) - 1);
        r->hh = r->res = r->block_idx = -1;
        r->res_new = r->res_changed = r->touched_hh = r->update_id = false;
        r->flag_change = 0;
        r->action = "error";
        if (!r->block) continue;
        int b = plan_match_block(req, ij, r, &pm);
        if (b < 0) continue;
        r->block_idx = b;
        if (r->n_static) continue;
        int hh = plan_match_household(req->a, ij, r, b, &pm);
        r->hh = hh;
        int m = plan_match_resident(req, ij, r, hh, &pm);
        if (m < 0) continue;
        plan_flags(ij, r, m);
        ij->res[m].claimed = ri;
        r->res = m;
    }
    plan_count(ij);
    return 0;
}

static json_t *report(import_job *ij)
{
    json_t *rows = json_array();
    int listed = 0, listed_err = 0;
    bool truncated = false;
    for (int i = 0; i < ij->n; i++) {
        irow *r = &ij->rows[i];
        bool err = json_array_size(r->errors) > 0;
        if (err ? listed_err >= REPORT_ERROR_ROWS : listed >= REPORT_ROWS) { truncated = true; continue; }
        if (err) listed_err++; else listed++;
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:O, s:O}", "line", r->line, "action", r->action,
                                              "kind", "resident", "errors", r->errors, "warnings", r->warnings));
    }
    /* what the import makes besides households and residents */
    json_t *zones = json_array(), *blocks = json_array();
    for (int i = 0; i < ij->n_zones; i++)
        if (!ij->zones[i].id)
            json_array_append_new(zones,
                                  json_pack("{s:s, s:i, s:i}", "name", ij->zones[i].name, "blocks", ij->zones[i].blocks,
                                            "households", ij->zones[i].households));
    for (int i = 0; i < ij->n_blocks; i++)
        if (!ij->blocks[i].id)
            json_array_append_new(blocks, json_pack("{s:s?, s:s, s:s, s:i}", "zone",
                                                    ij->blocks[i].zone_idx >= 0 ? ij->blocks[i].zone : NULL,
                                                    "name", ij->blocks[i].name, "kind", ij->block_kind,
                                                    "households", ij->blocks[i].households));
    json_t *out = json_pack("{s:b, s:s, s:s, s:O, s:O, s:O, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:o, s:o, s:o, s:b}",
                     "dry_run", ij->dry_run, "format", ij->format, "encoding", ij->encoding,
                     "mapping", ij->mapping, "unmapped_headers", ij->unmapped, "ignored_headers", ij->ignored,
                     "summary", "rows", ij->n, "households_new", ij->households_new,
                     "households_changed", ij->households_changed, "residents_new", ij->residents_new,
                     "residents_changed", ij->residents_changed, "unchanged", ij->unchanged, "errors", ij->errors,
                     "new_zones", zones, "new_blocks", blocks, "rows", rows, "rows_truncated", truncated);
    json_t *summary = json_object_get(out, "summary");
    json_object_set_new(summary, "zones_new", json_integer(ij->zones_new));
    json_object_set_new(summary, "blocks_new", json_integer(ij->blocks_new));
    json_object_set_new(summary, "warnings", json_integer(ij->warnings));
    return out;
}

/* 422 with the report and the usual error object: rows with errors, or rows with
 * warnings that the request did not accept (field accept_warnings). */
static int reply_invalid(http_req *req, import_job *ij)
{
    json_t *body = report(ij);
    bool warn = !ij->errors;
    json_object_set_new(body, "error",
                        json_pack("{s:s, s:s, s:s?}", "code", "validation_failed", "message",
                                  i18n_text(req->lang, warn ? "import.err.warnings" : "import.err.rows_invalid"),
                                  "field", warn ? "accept_warnings" : NULL));
    http_reply(req, 422, body);
    return -1;
}

/* A real run stops at rows with errors, and at warnings nobody accepted. */
static bool refused(import_job *ij) { return ij->errors || (ij->warnings && !ij->accept_warnings); }

/* ---------------------------------------------------------------- stage 3: write */

/* The flags a row sets or clears, as the form does (a new entry closes the current
 * one, pointing at it), with the import as the entry's source. -1 on a store error. */
static int apply_flags(http_req *req, irow *r, int64_t resident, int64_t now)
{
    store_conn *c = req->conn;
    int64_t community = req->actor.community_id;
    for (int f = 0; f < N_FLAGS; f++) {
        if (!(r->flag_change & (1u << f))) continue;
        int64_t entry = 0;
        store_stmt *st;
        if (r->flag[f]) {
            if (store_run(c, &st,
                          "INSERT INTO resident_flags (community_id, resident_id, flag, detail, set_by, set_at, "
                          "source) VALUES ($1, $2, $3, $4, $5, $6, 'import') RETURNING id",
                          "iittii", community, resident, flag_names[f], r->flag_detail[f] ? r->flag_detail[f] : "{}",
                          req->actor.user_id, now) != STORE_ROW)
                return -1;
            entry = store_col_int(st, 0);
            store_done(st);
        }
        st = store_prepare(c, "UPDATE resident_flags SET cleared_at = $1, cleared_by = $2, replaced_by = $3 "
                              "WHERE community_id = $4 AND resident_id = $5 AND flag = $6 AND cleared_at IS NULL "
                              "AND id <> $7");
        if (!st) return -1;
        store_bind_int(st, 1, now);
        store_bind_int(st, 2, req->actor.user_id);
        if (entry) store_bind_int(st, 3, entry); else store_bind_null(st, 3);
        store_bind_int(st, 4, community);
        store_bind_int(st, 5, resident);
        store_bind_text(st, 6, flag_names[f]);
        store_bind_int(st, 7, entry);
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE) return -1;
    }
    return 0;
}

/* Writes the plan in one write job: new zones, blocks, households, residents, their
 * changes, flags and history, in dependency order. Long because each kind of row is a
 * short loop of its own that must run in this order inside the one transaction. */
static int apply(http_req *req, import_job *ij)
{
    store_conn *c = req->conn;
    int64_t now = clock_now_us(), community = req->actor.community_id;
    store_stmt *ins_hh = store_prepare(c,
        "INSERT INTO households (community_id, block_id, room, status, phone, notes, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, '', $6, $6) RETURNING id");
    store_stmt *upd_hh = store_prepare(c,
        "UPDATE households SET status = $1, phone = $2, updated_at = $3 WHERE id = $4 AND community_id = $5");
#define INS_RES "INSERT INTO residents (community_id, household_id, name, gender, birth_year, birth_date, phone, " \
        "id_kind, id_cipher, id_hash, id_masked, owner, floating, party_member, created_at, updated_at, person_type, " \
        "household_head, relation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, " \
        "$16, $17, $18)"
    store_stmt *ins_res = store_prepare(c, INS_RES);
    /* with the id, for the few new residents whose flags are written too */
    store_stmt *ins_res_id = store_prepare(c, INS_RES " RETURNING id");
#undef INS_RES
    store_stmt *upd_res = store_prepare(c,
        "UPDATE residents SET household_id = $1, name = $2, gender = $3, birth_year = $4, birth_date = $5, "
        "phone = $6, owner = $7, floating = $8, party_member = $9, updated_at = $10, person_type = $13, "
        "household_head = $14, relation = $15 WHERE id = $11 AND community_id = $12");
    store_stmt *upd_id = store_prepare(c,
                                       "UPDATE residents SET id_kind = $1, id_cipher = $2, id_hash = $3, id_masked = "
                                       "$4 WHERE id = $5 AND community_id = $6");
    if (!ins_hh || !upd_hh || !ins_res || !ins_res_id || !upd_res || !upd_id)
        return http_fail_internal(req, store_errmsg(c));

    /* zones and blocks the community does not have yet, after the ones it has */
    int64_t zsort = 0, bsort = 0;
    if (ij->zones_new)
        zsort = store_query_int(c, 0, "SELECT COALESCE(MAX(sort_order), 0) FROM zones WHERE community_id = $1", "i",
                                community);
    if (ij->blocks_new)
        bsort = store_query_int(c, 0, "SELECT COALESCE(MAX(sort_order), 0) FROM blocks WHERE community_id = $1", "i",
                                community);
    for (int i = 0; i < ij->n_zones; i++) {
        pzone *z = &ij->zones[i];
        if (z->id) continue;
        store_stmt *st;
        if (store_run(c, &st, "INSERT INTO zones (community_id, name, sort_order, created_at) VALUES ($1, $2, $3, $4) "
                              "RETURNING id", "itii", community, z->name, ++zsort, now) != STORE_ROW)
            return http_fail_internal(req, store_errmsg(c));
        z->id = store_col_int(st, 0);
        store_done(st);
    }
    for (int i = 0; i < ij->n_blocks; i++) {
        pblock *bl = &ij->blocks[i];
        if (bl->id) continue;
        store_stmt *st = store_prepare(c,
                                       "INSERT INTO blocks (community_id, zone_id, name, kind, sort_order, created_at) "
                                       "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
        if (!st) return http_fail_internal(req, store_errmsg(c));
        store_bind_int(st, 1, community);
        if (bl->zone_idx >= 0) store_bind_int(st, 2, ij->zones[bl->zone_idx].id); else store_bind_null(st, 2);
        store_bind_text(st, 3, bl->name);
        store_bind_text(st, 4, ij->block_kind);
        store_bind_int(st, 5, ++bsort);
        store_bind_int(st, 6, now);
        int rc = store_step(st);
        if (rc == STORE_ROW) bl->id = store_col_int(st, 0);
        store_done(st);
        if (rc != STORE_ROW) return http_fail_internal(req, store_errmsg(c));
    }

    for (int i = 0; i < ij->n_hh; i++) {
        phh *h = &ij->hh[i];
        if (h->is_new) {
            if (h->new_block >= 0) h->block_id = ij->blocks[h->new_block].id;
            store_bind_int(ins_hh, 1, community);
            store_bind_int(ins_hh, 2, h->block_id);
            store_bind_text(ins_hh, 3, h->room);
            store_bind_text(ins_hh, 4, h->status);
            store_bind_text(ins_hh, 5, h->phone);
            store_bind_int(ins_hh, 6, now);
            int rc = store_step(ins_hh);
            if (rc == STORE_ROW) h->id = store_col_int(ins_hh, 0);
            store_done(ins_hh);
            if (rc != STORE_ROW) return http_fail_internal(req, store_errmsg(c));
        } else if (!same(h->status, h->db_status) || !same(h->phone, h->db_phone)) {
            store_bind_text(upd_hh, 1, h->status);
            store_bind_text(upd_hh, 2, h->phone);
            store_bind_int(upd_hh, 3, now);
            store_bind_int(upd_hh, 4, h->id);
            store_bind_int(upd_hh, 5, community);
            int rc = store_step(upd_hh);
            store_done(upd_hh);
            if (rc != STORE_DONE) return http_fail_internal(req, store_errmsg(c));
        }
    }
    /* Households of this import only change status and phone, never their room: only
     * the residents written below need new search terms: the changed ones as they are
     * written, the new ones at the end. */
    search_terms_writer *terms = search_terms_begin(c, community);
    if (!terms) return http_fail_internal(req, "search terms");
    for (int i = 0; i < ij->n; i++) {
        irow *r = &ij->rows[i];
        if (strcmp(r->action, "create") && strcmp(r->action, "update")) continue;
        if (r->res < 0) continue;
        pres *p = &ij->res[r->res];
        int64_t hh_id = ij->hh[p->hh].id;
        int rc;
        if (r->res_new) {
            store_stmt *s = r->flag_change ? ins_res_id : ins_res;
            store_bind_int(s, 1, community);
            store_bind_int(s, 2, hh_id);
            store_bind_text(s, 3, p->name);
            store_bind_text(s, 4, p->gender);
            if (p->birth_year) store_bind_int(s, 5, p->birth_year); else store_bind_null(s, 5);
            store_bind_text(s, 6, p->birth_date);
            store_bind_text(s, 7, p->phone);
            store_bind_text(s, 8, r->has_id ? r->id_kind : NULL);
            store_bind_text(s, 9, r->has_id ? r->id_cipher : NULL);
            store_bind_text(s, 10, r->has_id ? r->id_hash : NULL);
            store_bind_text(s, 11, r->has_id ? r->id_masked : NULL);
            store_bind_int(s, 12, p->owner);
            store_bind_int(s, 13, p->floating);
            store_bind_int(s, 14, p->party);
            store_bind_int(s, 15, now);
            store_bind_text(s, 16, p->person_type);
            store_bind_int(s, 17, p->head);
            store_bind_text(s, 18, p->relation ? p->relation : "");
            rc = store_step(s);
            if (rc == STORE_ROW) {
                p->id = store_col_int(s, 0);
                rc = STORE_DONE;
            }
            store_done(s);
        } else if (r->res_changed) {
            store_stmt *s = upd_res;
            store_bind_int(s, 1, hh_id);
            store_bind_text(s, 2, p->name);
            store_bind_text(s, 3, p->gender ? p->gender : "");
            if (p->birth_year) store_bind_int(s, 4, p->birth_year); else store_bind_null(s, 4);
            store_bind_text(s, 5, p->birth_date);
            store_bind_text(s, 6, p->phone ? p->phone : "");
            store_bind_int(s, 7, p->owner);
            store_bind_int(s, 8, p->floating);
            store_bind_int(s, 9, p->party);
            store_bind_int(s, 10, now);
            store_bind_int(s, 11, p->id);
            store_bind_int(s, 12, community);
            store_bind_text(s, 13, p->person_type);
            store_bind_int(s, 14, p->head);
            store_bind_text(s, 15, p->relation ? p->relation : "");
            rc = store_step(s);
            store_done(s);
            if (rc == STORE_DONE && r->update_id) {
                s = upd_id;
                store_bind_text(s, 1, r->id_kind);
                store_bind_text(s, 2, r->id_cipher);
                store_bind_text(s, 3, r->id_hash);
                store_bind_text(s, 4, r->id_masked);
                store_bind_int(s, 5, p->id);
                store_bind_int(s, 6, community);
                rc = store_step(s);
                store_done(s);
            }
            if (rc == STORE_DONE) rc = search_terms_add(terms, p->id, true) == STORE_OK ? STORE_DONE : STORE_ERR;
            /* access follows the person: an account linked to a moved resident reads the
             * new household, not the old one, from this same transaction on */
            if (rc == STORE_DONE && p->moved_from && p->moved_from != hh_id &&
                !registry_access_follow(req, p->id, p->moved_from, NULL))
                rc = STORE_ERR;
        } else if (!r->flag_change) {
            continue;   /* only the household changed */
        } else rc = STORE_DONE;
        if (rc == STORE_DONE && r->flag_change && apply_flags(req, r, p->id, now)) rc = STORE_ERR;
        if (rc != STORE_DONE) {
            search_terms_end(terms);
            return http_fail_internal(req, store_errmsg(c));
        }
    }
    /* The new residents by their creation time, all in one go: an INSERT ... RETURNING
     * per resident would make SQLite keep a statement journal for each. */
    if (search_terms_created(terms, now) != STORE_OK || search_terms_end(terms) != STORE_OK)
        return http_fail_internal(req, "search terms");
    return 0;
}

/* Counts for the audit entry: never names, numbers or rooms. */
static json_t *audit_counts(import_job *ij)
{
    return json_pack("{s:b, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "dry_run", ij->dry_run,
                     "format", ij->format, "rows", ij->n, "zones_new", ij->zones_new, "blocks_new", ij->blocks_new,
                     "households_new", ij->households_new, "households_changed", ij->households_changed,
                     "residents_new", ij->residents_new, "residents_changed", ij->residents_changed,
                     "unchanged", ij->unchanged, "errors", ij->errors, "warnings", ij->warnings);
}

/* ---------------------------------------------------------------- background runs
 *
 * ?async=1: the write job inserts a `jobs` row (kind "import") through job_start and
 * answers 202; once that commits, a worker of the server's job pool reads and checks
 * the rows (progress every 2,000 rows in done/total), plans, and runs the same
 * one-transaction write as a request would, updating the job row in that transaction.
 * The report is the job's result (JSON); a file with errors ends `done` with the job's
 * error set and nothing written. When the server is stopping before the write starts,
 * the job ends failed (interrupted) and nothing is written. */

typedef struct async_import {
    int64_t community_id, user_id;
    unsigned roles;
    bool dry_run, accept_warnings;
    const char *block_kind;   /* a static string */
    char today[11];
    char *body, *ctype, *mapping, *address;
    size_t body_len;
} async_import;

static void async_free(void *p)
{
    async_import *bg = p;
    free(bg->body);
    free(bg->ctype);
    free(bg->mapping);
    free(bg->address);
    free(bg);
}

static void async_progress(void *ctx, int done, int total)
{
    job_progress(ctx, done, total);
}

/* The final job row: the report as result; written with the import when there is one. */
static int job_final(store_conn *c, http_req *req, import_job *ij)
{
    bool report_ready = req->out && (req->status == 200 || req->status == 422);
    json_t *err = json_object_get(json_object_get(req->out, "error"), "message");
    char *result = report_ready ? json_dumps(req->out, JSON_COMPACT) : NULL;
    job_result r = {.state = report_ready ? "done" : "failed", .done = ij->n, .total = ij->n,
                    .error = err ? json_string_value(err) : NULL};
    if (!req->out) r.error = i18n_text(req->lang, "err.internal");
    if (result) {
        r.type = "application/json";
        r.name = "import-report.json";
        r.data = result;
        r.len = strlen(result);
    }
    int rc = job_record(c, ij->job_id, &r);
    free(result);
    return rc;
}

static int job_final_write(store_conn *c, void *p)
{
    http_req *req = p;
    return job_final(c, req, req->scratch);
}

static int async_write(store_conn *c, void *p)
{
    http_req *req = p;
    import_job *ij = req->scratch;
    req->conn = c;
    if (plan(req, ij, c)) return -1;
    if (refused(ij)) return reply_invalid(req, ij);
    if (apply(req, ij)) return -1;
    json_t *detail = audit_counts(ij);
    int rc = audit_write(req, "registry.import.result", "job", ij->job_id, detail);
    json_decref(detail);
    if (rc) return http_fail_internal(req, "audit write failed");
    http_reply(req, 200, report(ij));
    if (job_final(c, req, ij)) return http_fail_internal(req, "job update");
    return 0;
}

static void async_run(job_ctx *jc)
{
    async_import *bg = jc->arg;
    job_actor who = {bg->community_id, bg->user_id, bg->roles, bg->address, "/api/v1/registry/import", bg->body,
                     bg->body_len};
    http_req *req = job_request(jc, &who);
    arena *a = req->a;
    import_job *ij = arena_alloc(a, sizeof *ij);
    ij->dry_run = bg->dry_run;
    ij->accept_warnings = bg->accept_warnings;
    ij->block_kind = bg->block_kind;
    memcpy(ij->today, bg->today, sizeof ij->today);
    ij->job_id = jc->id;
    ij->progress = async_progress;
    ij->progress_ctx = jc;
    req->scratch = ij;

    req->conn = store_acquire(jc->db);
    int rc = read_file(req, ij, bg->ctype, bg->mapping);
    if (!rc) {
        job_progress(jc, ij->n, ij->n);
        rc = plan(req, ij, req->conn);
    }
    store_release(jc->db, req->conn);
    req->conn = NULL;
    bool written = false;
    if (!rc) {
        if (ij->dry_run) http_reply(req, 200, report(ij));
        else if (refused(ij)) reply_invalid(req, ij);
        else if (job_stopping()) http_fail(req, 503, "unavailable", NULL, "err.job_interrupted");
        else {
            rc = store_write_sync(jc->db, async_write, req);
            written = rc == 0;
            if (rc && (!req->out || req->status < 400)) http_fail(req, 503, "unavailable", NULL, "err.write_failed");
        }
    }
    if (!written && store_write_sync(jc->db, job_final_write, req) != 0)
        log_error("import job %lld: cannot store the result", (long long)jc->id);
    arena_free(a);
}

/* In the write job: the file is copied for the worker and the job row inserted. */
static int async_start(http_req *req, import_job *ij)
{
    const char *ctype = http_header(req, "Content-Type"), *mapping = http_query(req, "mapping");
    async_import *bg = xcalloc(1, sizeof *bg);
    bg->community_id = req->actor.community_id;
    bg->user_id = req->actor.user_id;
    bg->roles = req->actor.roles;
    bg->dry_run = ij->dry_run;
    bg->accept_warnings = ij->accept_warnings;
    bg->block_kind = ij->block_kind;
    memcpy(bg->today, ij->today, sizeof bg->today);
    bg->body = xmalloc(req->body_len + 1);
    memcpy(bg->body, req->body, req->body_len);
    bg->body[req->body_len] = 0;
    bg->body_len = req->body_len;
    bg->ctype = ctype ? xstrdup(ctype) : NULL;
    bg->mapping = mapping ? xstrdup(mapping) : NULL;
    bg->address = xstrdup(req->address ? req->address : "");
    ij->job_id = job_start(req, "import", async_run, bg, async_free);
    if (!ij->job_id) return -1;
    http_audit_target(req, "job", ij->job_id, json_pack("{s:b, s:b}", "async", 1, "dry_run", ij->dry_run));
    return http_reply(req, 202, json_pack("{s:{s:I, s:s, s:s}}", "job", "id", (json_int_t)ij->job_id,
                                          "kind", "import", "state", "queued"));
}

/* ---------------------------------------------------------------- handlers */

static bool query_flag(http_req *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

static int import_prepare(http_req *req)
{
    import_job *ij = arena_alloc(req->a, sizeof *ij);
    ij->dry_run = query_flag(req, "dry_run");
    ij->accept_warnings = query_flag(req, "accept_warnings");
    const char *kind = http_query(req, "block_kind");
    if (!kind || !*kind || !strcmp(kind, "building")) ij->block_kind = "building";
    else if (!strcmp(kind, "courtyard")) ij->block_kind = "courtyard";
    else return http_fail_field(req, "block_kind", "import.err.block_kind");
    registry_current_year(req, ij->today);
    if (query_flag(req, "async")) {
        /* The file is read on a worker; the write job only records the job. */
        if (!req->body_len) return http_fail_field(req, "file", "import.err.empty");
        req->scratch = ij;
        return 0;
    }
    if (read_file(req, ij, http_header(req, "Content-Type"), http_query(req, "mapping"))) return -1;
    /* A first plan on a read connection: a dry run answers from it, and a real run
     * with errors is refused here without taking the writer's time. */
    if (plan(req, ij, req->conn)) return -1;
    if (!ij->dry_run && refused(ij)) return reply_invalid(req, ij);
    req->scratch = ij;
    return 0;
}

static int import_run(http_req *req)
{
    import_job *ij = req->scratch;
    if (!ij) return http_fail_internal(req, "import without prepare");
    if (query_flag(req, "async")) return async_start(req, ij);
    if (!ij->dry_run) {
        if (plan(req, ij, req->conn)) return -1;
        if (refused(ij)) return reply_invalid(req, ij);
        if (apply(req, ij)) return -1;
    }
    /* The route's audit entry (written with the rows) carries the counts. */
    http_audit_target(req, "community", req->actor.community_id, audit_counts(ij));
    return http_reply(req, 200, report(ij));
}

const http_route registry_import_routes[] = {
    {"POST", "/api/v1/registry/import", import_prepare, import_run, ROLE_COMMITTEE, ROUTE_WRITE | ROUTE_RAW_BODY,
     IMPORT_BODY_LIMIT, "registry.import"},
    {0},
};

const i18n_entry registry_import_messages[] = {
    /* The checks of core/validate.c that forms and the import share. */
    {"err.phone_mobile_length", "手机号应为 11 位数字", "A mobile number has 11 digits"},
    {"err.phone_mobile_prefix", "手机号应为以 13–19 开头的 11 位数字",
     "A mobile number is 11 digits starting 13 to 19"},
    {"err.phone_landline", "固定电话应为区号（0 加 2–3 位）加 7–8 位号码，分机号用 - 或 转 隔开",
     "A landline is an area code (0 and 2-3 digits) and 7-8 digits; an extension follows a - or 转"},
    {"err.phone_area_code", "固定电话请加区号（如 021-64001234）；港澳台及境外号码请加 + 和国家或地区代码",
     "Add the area code to a landline (021-64001234); a Hong Kong, Macau, Taiwan or foreign number needs + and its "
     "country code"},
    {"err.phone_international", "港澳台及境外号码应以 + 和国家或地区代码开头（如 +852 91234567）",
     "A Hong Kong, Macau, Taiwan or foreign number starts with + and its country code (+852 91234567)"},
    {"err.name_control", "姓名不能包含换行或其他控制字符",
     "The name must not contain line breaks or other control characters"},
    {"err.name_bidi", "姓名不能包含改变文字方向的字符（如 U+202E）",
     "The name must not contain characters that change the text direction (such as U+202E)"},
    {"err.name_invisible", "姓名不能包含零宽字符、BOM 等不可见字符",
     "The name must not contain zero-width characters, a BOM or other invisible characters"},
    {"err.name_blank", "姓名不能为空或只有空格", "The name must not be empty or only spaces"},
    {"import.err.encoding", "无法识别文件编码，请使用 UTF-8 或 GBK/GB18030 编码的 CSV",
     "Unknown text encoding; use a UTF-8 or GBK/GB18030 CSV file"},
    {"import.err.csv_quote", "CSV 文件中有未闭合的引号", "The CSV file has an unclosed quote"},
    {"import.err.too_many_rows", "文件超过 100000 行", "The file has more than 100,000 rows"},
    {"import.err.too_many_columns", "文件超过 64 列", "The file has more than 64 columns"},
    {"import.err.cell_too_long", "单元格内容过长（最多 4096 字节）", "A cell is too long (at most 4,096 bytes)"},
    {"import.err.empty", "文件中没有数据", "The file holds no data"},
    {"import.err.xlsx", "无法读取该 XLSX 文件，请另存为 .xlsx 或 CSV 后重试",
     "Cannot read this XLSX file; save it again as .xlsx or CSV"},
    {"import.err.xls", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV",
     "Old .xls files are not supported; save as .xlsx or CSV in Excel"},
    {"import.err.too_large", "文件解压后过大", "The file is too large once uncompressed"},
    {"import.err.media_type", "请上传 CSV 或 XLSX 文件", "Upload a CSV or XLSX file"},
    {"import.err.multipart", "上传内容格式不正确，请只附带一个文件", "Malformed upload; attach exactly one file"},
    {"import.err.mapping", "列对应关系无效：字段名或表头不存在", "Invalid column mapping: unknown field or header"},
    {"import.err.mapping_missing", "缺少必需的列：楼组、房号、姓名", "Required columns missing: block, room, name"},
    {"import.err.rows_invalid", "部分行有错误，未导入任何内容，请查看报告",
     "Some rows have errors; nothing was imported. See the report"},
    {"import.err.block_unknown", "本社区没有这个楼组", "No block of this name in the community"},
    {"import.err.block_zone", "该片区下没有这个楼组", "This block is not in the given zone"},
    {"import.err.block_ambiguous", "有多个同名楼组，请填写片区", "Several blocks have this name; give the zone"},
    {"import.err.status", "户状态应为 自住、外出、空置 或 出租", "Status must be occupied, away, vacant or rented out"},
    {"import.err.gender", "性别应为 男 或 女", "Gender must be 男/女 (m/f)"},
    {"import.err.birth", "出生年份或日期无效（应在 1900 年至今之间）",
     "Invalid birth year or date (1900 to this year)"},
    {"import.err.birth_future", "出生日期晚于今天", "The birth date is after today"},
    {"import.err.date_month", "没有 %d 月", "There is no month %d"},
    {"import.err.date_day", "%1$d年%2$d月%3$d日不存在",
     "%1$04d-%2$02d-%3$02d does not exist: month %2$d has no day %3$d"},
    {"import.warn.birth_id", "与身份证号中的出生日期 %s 不一致；确认后按本列导入",
     "Differs from the birth date in the ID number (%s); once accepted, this column is imported"},
    {"import.err.warnings", "部分行有需要确认的提示，请核对后确认再导入，未导入任何内容",
     "Some rows have warnings to check; nothing was imported. Accept them to import"},
    {"import.err.block_kind", "新楼组的类型应为 building（楼栋）或 courtyard（院落）",
     "The kind of new blocks must be building or courtyard"},
    {"import.err.person_type", "人员类型应为 户籍、流动 或 外籍",
     "Person type must be registered (户籍), floating (流动) or foreign (外籍)"},
    {"import.err.place_chars", "不能包含换行、改变文字方向的字符（如 U+202E）或零宽字符、BOM 等不可见字符",
     "Must not contain line breaks, characters that change the text direction (such as U+202E) or invisible ones "
     "(zero-width, BOM)"},
    {"import.err.flag", "应填 是、否 或一段说明（不换行）", "Must be yes, no or a short fact on one line"},
    {"import.err.flag_pregnant", "应填 是、否 或预产期（日期）", "Must be yes, no or the due date"},
    {"import.err.bool", "应填 是 或 否", "Must be yes or no"},
    {"import.err.owner", "应填 业主 或 租户", "Must be owner or tenant"},
    {"import.err.id_kind", "证件类型应为 身份证、护照 或 其他", "Document kind must be ID card, passport or other"},
    {"import.err.passport", "护照号码格式不正确", "Passport number format is invalid"},
    {"import.err.id_other", "证件号码格式不正确", "Document number format is invalid"},
    {"import.err.duplicate_id", "文件中有重复的证件号码", "This document number appears twice in the file"},
    {0, 0, 0},
};
