/* table_xlsx.c — the first worksheet of an .xlsx file, read with a minimal ZIP reader
 * (central directory; stored and deflated members through zlib) and a small tolerant
 * XML scanner for xl/sharedStrings.xml and the sheet. ZIP64, encryption and every part
 * of the format a registry list does not use are refused or ignored. See table_read.h. */
#include "table_read.h"
#include <zlib.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- ZIP */

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool import_is_zip(const char *data, size_t len)
{
    return len >= 4 && !memcmp(data, "PK\x03\x04", 4);
}

typedef struct zip_member {
    char name[256];
    uint32_t method, csize, usize, local;
} zip_member;

typedef struct zip {
    const unsigned char *d;
    size_t n;
    zip_member *m;
    int count;
} zip;

static const char *zip_open(const unsigned char *d, size_t n, zip *z, arena *a)
{
    memset(z, 0, sizeof *z);
    if (n < 22) return "import.err.xlsx";
    size_t lo = n > 22 + 65535 ? n - 22 - 65535 : 0;
    size_t eocd = (size_t)-1;
    for (size_t i = n - 22 + 1; i-- > lo;)
        if (rd32(d + i) == 0x06054b50) { eocd = i; break; }
    if (eocd == (size_t)-1) return "import.err.xlsx";
    uint32_t entries = rd16(d + eocd + 10), cd_size = rd32(d + eocd + 12), cd_off = rd32(d + eocd + 16);
    if (entries == 0xFFFF || cd_off == 0xFFFFFFFFu) return "import.err.xlsx";   /* ZIP64 */
    if ((size_t)cd_off + cd_size > eocd || entries > 10000) return "import.err.xlsx";
    z->d = d;
    z->n = n;
    z->m = arena_alloc(a, (entries ? entries : 1) * sizeof *z->m);
    size_t p = cd_off;
    for (uint32_t i = 0; i < entries; i++) {
        if (p + 46 > eocd || rd32(d + p) != 0x02014b50) return "import.err.xlsx";
        uint32_t flags = rd16(d + p + 8), nl = rd16(d + p + 28), xl = rd16(d + p + 30), cl = rd16(d + p + 32);
        if (p + 46 + nl + xl + cl > eocd) return "import.err.xlsx";
        zip_member *m = &z->m[z->count];
        m->method = rd16(d + p + 10);
        m->csize = rd32(d + p + 20);
        m->usize = rd32(d + p + 24);
        m->local = rd32(d + p + 42);
        if (!(flags & 1) && nl < sizeof m->name) {   /* encrypted members are skipped */
            memcpy(m->name, d + p + 46, nl);
            m->name[nl] = 0;
            z->count++;
        }
        p += 46 + nl + xl + cl;
    }
    return NULL;
}

static const zip_member *zip_find(const zip *z, const char *name)
{
    for (int i = 0; i < z->count; i++)
        if (!strcmp(z->m[i].name, name)) return &z->m[i];
    return NULL;
}

/* Inflates a member into a malloc'd NUL-terminated buffer (at most IMPORT_MAX_UNZIP). */
static const char *zip_read(const zip *z, const zip_member *m, char **out, size_t *out_len)
{
    if ((size_t)m->local + 30 > z->n || rd32(z->d + m->local) != 0x04034b50) return "import.err.xlsx";
    size_t start = (size_t)m->local + 30 + rd16(z->d + m->local + 26) + rd16(z->d + m->local + 28);
    if (start > z->n || m->csize > z->n - start) return "import.err.xlsx";
    const unsigned char *src = z->d + start;
    if (m->method == 0) {
        if (m->csize > IMPORT_MAX_UNZIP) return "import.err.too_large";
        *out = xmalloc((size_t)m->csize + 1);
        memcpy(*out, src, m->csize);
        (*out)[m->csize] = 0;
        *out_len = m->csize;
        return NULL;
    }
    if (m->method != 8) return "import.err.xlsx";
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return "import.err.xlsx";
    /* The declared size is only a hint from the file: the buffer starts small and grows
     * as bytes arrive, so a forged header reserves nothing. */
    size_t cap = m->usize && m->usize < (1u << 16) ? (size_t)m->usize + 1 : 1u << 16;
    char *buf = xmalloc(cap + 1);
    size_t used = 0;
    zs.next_in = (unsigned char *)src;
    zs.avail_in = m->csize;
    const char *err = NULL;
    for (;;) {
        if (used == cap) {
            if (cap >= IMPORT_MAX_UNZIP) { err = "import.err.too_large"; break; }
            cap = cap * 2 > IMPORT_MAX_UNZIP ? IMPORT_MAX_UNZIP : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        zs.next_out = (unsigned char *)buf + used;
        zs.avail_out = (uInt)(cap - used);
        int rc = inflate(&zs, Z_NO_FLUSH);
        used = cap - zs.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) { err = "import.err.xlsx"; break; }
        if (zs.avail_in == 0 && zs.avail_out != 0) { err = "import.err.xlsx"; break; }
    }
    inflateEnd(&zs);
    if (err) { free(buf); return err; }
    buf[used] = 0;
    *out = buf;
    *out_len = used;
    return NULL;
}

/* ---------------------------------------------------------------- XML scanner */

typedef struct xtag {
    const char *name;         /* local name, without a namespace prefix */
    size_t name_len;
    const char *attrs;
    size_t attrs_len;
    bool close, self_close;
} xtag;

/* Advances *pp past the next tag; false at the end. Comments, processing instructions,
 * declarations and CDATA sections are skipped (text lies between tags). */
static bool next_tag(const char **pp, const char *end, xtag *t)
{
    const char *p = *pp;
    for (;;) {
        p = memchr(p, '<', (size_t)(end - p));
        if (!p) return false;
        if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
            const char *q = strstr(p + 4, "-->");
            if (!q) return false;
            p = q + 3;
            continue;
        }
        if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
            const char *q = strstr(p + 9, "]]>");
            if (!q) return false;
            p = q + 3;
            continue;
        }
        if (end - p >= 2 && (p[1] == '?' || p[1] == '!')) {
            const char *q = memchr(p, '>', (size_t)(end - p));
            if (!q) return false;
            p = q + 1;
            continue;
        }
        break;
    }
    const char *q = p + 1;
    t->close = q < end && *q == '/';
    if (t->close) q++;
    const char *n = q;
    while (q < end && !isspace((unsigned char)*q) && *q != '>' && *q != '/') q++;
    const char *colon = memchr(n, ':', (size_t)(q - n));
    t->name = colon ? colon + 1 : n;
    t->name_len = (size_t)(q - t->name);
    const char *a = q;
    /* attribute values may hold '>' only inside quotes */
    char quote = 0;
    while (q < end && (quote || *q != '>')) {
        if (quote && *q == quote) quote = 0;
        else if (!quote && (*q == '"' || *q == '\'')) quote = *q;
        q++;
    }
    if (q >= end) return false;
    t->self_close = q > a && q[-1] == '/';
    t->attrs = a;
    t->attrs_len = (size_t)(q - a) - (t->self_close ? 1 : 0);
    *pp = q + 1;
    return true;
}

static bool tag_is(const xtag *t, const char *name)
{
    size_t n = strlen(name);
    return t->name_len == n && !memcmp(t->name, name, n);
}

/* The raw value of attribute `name` (no prefix) copied into out; false when absent. */
static bool tag_attr(const xtag *t, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = t->attrs, *end = t->attrs + t->attrs_len;
    while (p < end) {
        while (p < end && isspace((unsigned char)*p)) p++;
        const char *k = p;
        while (p < end && *p != '=' && !isspace((unsigned char)*p)) p++;
        size_t kl = (size_t)(p - k);
        while (p < end && (isspace((unsigned char)*p) || *p == '=')) p++;
        if (p >= end || (*p != '"' && *p != '\'')) return false;
        char q = *p++;
        const char *v = p;
        while (p < end && *p != q) p++;
        if (kl == nl && !memcmp(k, name, nl)) {
            size_t vl = (size_t)(p - v);
            if (vl >= cap) vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = 0;
            return true;
        }
        p++;
    }
    return false;
}

/* Appends one code point as UTF-8. */
static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A growing text of one cell, bounded by IMPORT_MAX_CELL. */
typedef struct text {
    char s[IMPORT_MAX_CELL + 8];
    size_t n;
    bool overflow;
} text;

/* Appends the character data at *pp up to the next '<' (entities decoded, CDATA kept). */
static void take_text(const char **pp, const char *end, text *t)
{
    const char *p = *pp;
    while (p < end) {
        if (*p == '<') {
            if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
                const char *q = strstr(p + 9, "]]>");
                if (!q) { p = end; break; }
                for (const char *c = p + 9; c < q; c++)
                    if (t->n < IMPORT_MAX_CELL) t->s[t->n++] = *c; else t->overflow = true;
                p = q + 3;
                continue;
            }
            break;
        }
        char tmp[8];
        size_t tl = 1;
        tmp[0] = *p;
        if (*p == '&') {
            const char *semi = memchr(p, ';', (size_t)(end - p) < 12 ? (size_t)(end - p) : 12);
            if (semi) {
                size_t el = (size_t)(semi - p - 1);
                const char *e = p + 1;
                if (el == 3 && !memcmp(e, "amp", 3)) tmp[0] = '&';
                else if (el == 2 && !memcmp(e, "lt", 2)) tmp[0] = '<';
                else if (el == 2 && !memcmp(e, "gt", 2)) tmp[0] = '>';
                else if (el == 4 && !memcmp(e, "quot", 4)) tmp[0] = '"';
                else if (el == 4 && !memcmp(e, "apos", 4)) tmp[0] = '\'';
                else if (el >= 2 && e[0] == '#') {
                    unsigned long cp = e[1] == 'x' || e[1] == 'X' ? strtoul(e + 2, NULL, 16) : strtoul(e + 1, NULL, 10);
                    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
                    tl = put_utf8(tmp, (unsigned)cp);
                } else {
                    semi = NULL;
                }
                if (semi) p = semi;
            }
        }
        p++;
        for (size_t i = 0; i < tl; i++)
            if (t->n < IMPORT_MAX_CELL) t->s[t->n++] = tmp[i]; else t->overflow = true;
    }
    *pp = p;
}

/* ---------------------------------------------------------------- shared strings */

typedef struct sstrings {
    char **s;
    int n, cap;
} sstrings;

static const char *read_shared(arena *a, const char *x, size_t len, sstrings *ss)
{
    const char *p = x, *end = x + len;
    xtag t;
    text *cur = xcalloc(1, sizeof *cur);
    bool in_si = false;
    int skip = 0;             /* inside <rPh> (phonetic hints): not part of the text */
    const char *err = NULL;
    while (next_tag(&p, end, &t)) {
        if (tag_is(&t, "si")) {
            /* A closing </si> without its opening tag has no text of its own: the file
             * is malformed, and taking cur's length would read a previous string. */
            if (t.close && !in_si) { err = "import.err.xlsx"; break; }
            if (t.close || t.self_close) {
                if (ss->n == ss->cap) {
                    ss->cap = ss->cap ? ss->cap * 2 : 1024;
                    if (ss->cap > 4 * IMPORT_MAX_ROWS * 4) { err = "import.err.too_large"; break; }
                    ss->s = xrealloc(ss->s, (size_t)ss->cap * sizeof *ss->s);
                }
                ss->s[ss->n++] = t.self_close ? "" : arena_strndup(a, cur->s, cur->n);
                in_si = false;
            } else {
                in_si = true;
                cur->n = 0;
            }
        } else if (tag_is(&t, "rPh")) {
            if (!t.self_close) skip += t.close ? -1 : 1;
        } else if (tag_is(&t, "t") && !t.close && !t.self_close && in_si && skip <= 0) {
            take_text(&p, end, cur);
        }
    }
    free(cur);
    return err;
}

/* ---------------------------------------------------------------- the sheet */

/* "C12" -> column 2 (0-based), row 12; false when malformed. */
static bool cell_ref(const char *r, int *col, int *row)
{
    int c = 0, i = 0;
    while (r[i] >= 'A' && r[i] <= 'Z' && i < 4) c = c * 26 + (r[i++] - 'A' + 1);
    if (i == 0) return false;
    *col = c - 1;
    *row = 0;
    if (r[i]) {
        long v = strtol(r + i, NULL, 10);
        *row = v > 0 && v < 2000000 ? (int)v : 0;
    }
    return true;
}

/* Numbers as the sheet shows them: whole numbers without exponent or ".0". */
static const char *number_text(const char *v, char *out, size_t cap)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || !isfinite(d) || fabs(d) >= 1e15 || d != floor(d)) return v;
    snprintf(out, cap, "%.0f", d);
    return out;
}

typedef struct row_acc {
    char *cells[IMPORT_MAX_COLS];
    int n;                    /* highest column set + 1 */
} row_acc;

typedef struct rows_out {
    arena *a;
    char ***rows;
    int *line;
    int n, cap, n_cols;
    size_t n_total;
} rows_out;

static const char *flush_row(rows_out *o, row_acc *r, int line)
{
    const char *err = NULL;
    bool blank = true;
    for (int i = 0; i < r->n && blank; i++)
        if (r->cells[i])
            for (const char *p = r->cells[i]; *p && blank; p++)
                if (!isspace((unsigned char)*p)) blank = false;
    if (!blank && o->n > IMPORT_MAX_ROWS) err = "import.err.too_many_rows";
    else if (!blank && (o->n_total += (size_t)r->n) > IMPORT_MAX_CELLS) err = "import.err.too_large";
    else if (!blank) {
        if (o->n == o->cap) {
            o->cap = o->cap ? o->cap * 2 : 256;
            o->rows = xrealloc(o->rows, (size_t)o->cap * sizeof *o->rows);
            o->line = xrealloc(o->line, (size_t)o->cap * sizeof *o->line);
        }
        char **cells = arena_alloc(o->a, (size_t)(r->n + 1) * sizeof(char *));
        for (int i = 0; i < r->n; i++) cells[i] = r->cells[i] ? r->cells[i] : "";
        o->rows[o->n] = cells;
        o->line[o->n] = line;
        o->n++;
        if (r->n > o->n_cols) o->n_cols = r->n;
    }
    memset(r, 0, sizeof *r);
    return err;
}

/* The first sheet's cells into the table: a small XML scanner over rows and cells
 * (shared, inline and number cells, column letters to indexes); one state machine,
 * kept together so that its bounds checks are read in one place. */
static const char *read_sheet(arena *a, const char *x, size_t len, const sstrings *ss, import_table *tb)
{
    const char *p = x, *end = x + len;
    xtag t;
    rows_out o = {.a = a};
    row_acc *row = xcalloc(1, sizeof *row);
    text *val = xcalloc(1, sizeof *val), *inl = xcalloc(1, sizeof *inl);
    int row_no = 0, col = -1;
    char type[16] = "", ref[32];
    bool in_row = false, in_cell = false, have_v = false, in_is = false;
    const char *err = NULL;
    while (next_tag(&p, end, &t)) {
        if (tag_is(&t, "row")) {
            if (!t.close) {
                if (in_row && (err = flush_row(&o, row, row_no))) break;
                int r = row_no + 1;
                if (tag_attr(&t, "r", ref, sizeof ref)) {
                    long v = strtol(ref, NULL, 10);
                    if (v > 0 && v < 2000000) r = (int)v;
                }
                row_no = r;
                col = -1;
                in_row = !t.self_close;
            } else if (in_row) {
                if ((err = flush_row(&o, row, row_no))) break;
                in_row = false;
            }
        } else if (tag_is(&t, "c") && in_row) {
            if (!t.close) {
                int c = col + 1, r;
                if (tag_attr(&t, "r", ref, sizeof ref) && cell_ref(ref, &c, &r)) { /* column from the ref */ }
                col = c;
                if (!tag_attr(&t, "t", type, sizeof type)) snprintf(type, sizeof type, "n");
                val->n = inl->n = 0;
                val->overflow = inl->overflow = false;
                have_v = false;
                in_cell = !t.self_close;
                in_is = false;
            } else if (in_cell) {
                in_cell = false;
                if (val->overflow || inl->overflow) { err = "import.err.cell_too_long"; tb->err_line = row_no; break; }
                val->s[val->n] = 0;
                inl->s[inl->n] = 0;
                const char *s = "";
                char num[64];
                if (!strcmp(type, "s")) {
                    long i = have_v ? strtol(val->s, NULL, 10) : -1;
                    s = i >= 0 && i < ss->n ? ss->s[i] : "";
                } else if (!strcmp(type, "inlineStr")) {
                    s = inl->s;
                } else if (!strcmp(type, "n")) {
                    s = number_text(val->s, num, sizeof num);
                } else if (!strcmp(type, "e")) {
                    s = "";
                } else {
                    s = val->s;      /* str, b, d */
                }
                /* The same answer as the CSV reader: columns past the limit are refused,
                 * not dropped. */
                if (col >= IMPORT_MAX_COLS && *s) { err = "import.err.too_many_columns"; tb->err_line = row_no; break; }
                if (col >= 0 && *s) {
                    row->cells[col] = arena_strdup(a, s);
                    if (col + 1 > row->n) row->n = col + 1;
                }
            }
        } else if (in_cell && tag_is(&t, "v") && !t.close && !t.self_close) {
            take_text(&p, end, val);
            have_v = true;
        } else if (in_cell && tag_is(&t, "is")) {
            in_is = !t.close && !t.self_close;
        } else if (in_cell && in_is && tag_is(&t, "t") && !t.close && !t.self_close) {
            take_text(&p, end, inl);
        }
    }
    if (!err && in_row) err = flush_row(&o, row, row_no);
    free(row);
    free(val);
    free(inl);
    if (err) {
        free(o.rows);
        free(o.line);
        return err;
    }
    tb->n_rows = o.n;
    tb->n_cols = o.n_cols;
    tb->rows = arena_alloc(a, (size_t)(o.n ? o.n : 1) * sizeof(char **));
    tb->line = arena_alloc(a, (size_t)(o.n ? o.n : 1) * sizeof(int));
    for (int r = 0; r < o.n; r++) {
        char **cells = o.rows[r];
        int c = 0;
        while (cells[c]) c++;
        if (c < o.n_cols) {   /* short rows padded with empty cells */
            cells = arena_alloc(a, (size_t)(o.n_cols + 1) * sizeof(char *));
            memcpy(cells, o.rows[r], (size_t)c * sizeof(char *));
            for (; c < o.n_cols; c++) cells[c] = "";
        }
        tb->rows[r] = cells;
        tb->line[r] = o.line[r];
    }
    free(o.rows);
    free(o.line);
    return o.n ? NULL : "import.err.empty";
}

/* The first worksheet: the workbook's first <sheet>, through its relationship, or
 * else the lowest-numbered xl/worksheets/sheetN.xml. */
static const zip_member *first_sheet(const zip *z)
{
    const zip_member *wb = zip_find(z, "xl/workbook.xml"), *rels = zip_find(z, "xl/_rels/workbook.xml.rels");
    char rid[128] = "", target[300] = "";
    if (wb && rels) {
        char *x;
        size_t n;
        if (!zip_read(z, wb, &x, &n)) {
            const char *p = x;
            xtag t;
            while (next_tag(&p, x + n, &t))
                if (tag_is(&t, "sheet") && !t.close && tag_attr(&t, "r:id", rid, sizeof rid)) break;
            free(x);
        }
        if (*rid && !zip_read(z, rels, &x, &n)) {
            const char *p = x;
            xtag t;
            char id[128];
            while (next_tag(&p, x + n, &t))
                if (tag_is(&t, "Relationship") && tag_attr(&t, "Id", id, sizeof id) && !strcmp(id, rid)) {
                    tag_attr(&t, "Target", target, sizeof target);
                    break;
                }
            free(x);
        }
        if (*target) {
            char path[320];
            if (target[0] == '/') snprintf(path, sizeof path, "%s", target + 1);
            else snprintf(path, sizeof path, "xl/%s", target);
            const zip_member *m = zip_find(z, path);
            if (m) return m;
        }
    }
    const zip_member *best = NULL;
    long best_no = 0;
    for (int i = 0; i < z->count; i++) {
        const char *nm = z->m[i].name;
        if (strncmp(nm, "xl/worksheets/sheet", 19)) continue;
        char *e;
        long no = strtol(nm + 19, &e, 10);
        if (strcmp(e, ".xml")) continue;
        if (!best || no < best_no) { best = &z->m[i]; best_no = no; }
    }
    return best;
}

const char *import_parse_xlsx(arena *a, const char *data, size_t len, import_table *t)
{
    memset(t, 0, sizeof *t);
    zip z;
    const char *err = zip_open((const unsigned char *)data, len, &z, a);
    if (err) return err;
    const zip_member *sheet = first_sheet(&z);
    if (!sheet) return "import.err.xlsx";
    sstrings ss = {0};
    const zip_member *shared = zip_find(&z, "xl/sharedStrings.xml");
    if (shared) {
        char *x;
        size_t n;
        if ((err = zip_read(&z, shared, &x, &n))) return err;
        err = read_shared(a, x, n, &ss);
        free(x);
        if (err) { free(ss.s); return err; }
    }
    char *x;
    size_t n;
    if ((err = zip_read(&z, sheet, &x, &n))) { free(ss.s); return err; }
    err = read_sheet(a, x, n, &ss, t);
    free(x);
    free(ss.s);
    return err;
}
