/* table_csv.c — the text side of reading an uploaded table: character sets, CSV and
 * multipart bodies. See table_read.h. */
#include "table_read.h"
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

/* ---------------------------------------------------------------- character sets */

/* Strict UTF-8 over a length (NUL bytes refused: a text file has none). */
static bool utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == 0) return false;
        if (c < 0x80) { i++; continue; }
        int k;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; if (c < 0xC2) return false; }
        else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; if (c > 0xF4) return false; }
        else return false;
        if (i + (size_t)k >= n) return false;
        for (int j = 1; j <= k; j++) {
            if ((p[i + (size_t)j] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + (size_t)j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += (size_t)k + 1;
    }
    return true;
}

static const char *convert(arena *a, const char *from, const char *data, size_t len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return "import.err.encoding";
    size_t cap = len * 2 + 16;
    char *dst = xmalloc(cap + 1);
    char *in = (char *)data, *o = dst;
    size_t inleft = len, oleft = cap;
    const char *err = NULL;
    while (inleft) {
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        if (r != (size_t)-1) break;
        if (errno == E2BIG) {
            size_t used = (size_t)(o - dst);
            cap *= 2;
            dst = xrealloc(dst, cap + 1);
            o = dst + used;
            oleft = cap - used;
            continue;
        }
        err = "import.err.encoding";
        break;
    }
    iconv_close(cd);
    if (err) { free(dst); return err; }
    size_t n = (size_t)(o - dst);
    if (memchr(dst, 0, n)) { free(dst); return "import.err.encoding"; }
    *out = arena_strndup(a, dst, n);
    *out_len = n;
    free(dst);
    return NULL;
}

const char *import_to_utf8(arena *a, const char *data, size_t len, char **out, size_t *out_len,
                           const char **encoding)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        *encoding = "utf-16";
        return convert(a, "UTF-16", data, len, out, out_len);
    }
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) { data += 3; len -= 3; }
    if (utf8_valid((const unsigned char *)data, len)) {
        *encoding = "utf-8";
        *out = arena_strndup(a, data, len);
        *out_len = len;
        return NULL;
    }
    *encoding = "gb18030";
    return convert(a, "GB18030", data, len, out, out_len);
}

/* ---------------------------------------------------------------- table building */

typedef struct table_builder {
    arena *a;
    char ***rows;
    int *line;
    int n, cap;
    int n_cols;
    size_t n_total;           /* cells kept so far */
    char *cells[IMPORT_MAX_COLS];
    int n_cells;
} table_builder;

static void tb_cell(table_builder *tb, const char *s, size_t n)
{
    if (tb->n_cells < IMPORT_MAX_COLS) tb->cells[tb->n_cells++] = n ? arena_strndup(tb->a, s, n) : "";
}

/* Ends a record; blank records are dropped. Returns NULL, or the error past a cap. */
static const char *tb_row(table_builder *tb, int line)
{
    bool blank = true;
    for (int i = 0; i < tb->n_cells && blank; i++)
        for (const char *p = tb->cells[i]; *p && blank; p++)
            if (!isspace((unsigned char)*p)) blank = false;
    if (blank) { tb->n_cells = 0; return NULL; }
    if (tb->n > IMPORT_MAX_ROWS) return "import.err.too_many_rows";
    if ((tb->n_total += (size_t)tb->n_cells) > IMPORT_MAX_CELLS) return "import.err.too_large";
    if (tb->n == tb->cap) {
        tb->cap = tb->cap ? tb->cap * 2 : 256;
        tb->rows = xrealloc(tb->rows, (size_t)tb->cap * sizeof *tb->rows);
        tb->line = xrealloc(tb->line, (size_t)tb->cap * sizeof *tb->line);
    }
    char **r = arena_alloc(tb->a, (size_t)tb->n_cells * sizeof(char *) + sizeof(char *));
    memcpy(r, tb->cells, (size_t)tb->n_cells * sizeof(char *));
    r[tb->n_cells] = NULL;
    tb->rows[tb->n] = r;
    tb->line[tb->n] = line;
    tb->n++;
    if (tb->n_cells > tb->n_cols) tb->n_cols = tb->n_cells;
    tb->n_cells = 0;
    return NULL;
}

/* Hands the rows to the table, padding the short ones to n_cols cells. */
static void tb_finish(table_builder *tb, import_table *t)
{
    t->n_rows = tb->n;
    t->n_cols = tb->n_cols;
    t->rows = arena_alloc(tb->a, (size_t)(tb->n ? tb->n : 1) * sizeof(char **));
    t->line = arena_alloc(tb->a, (size_t)(tb->n ? tb->n : 1) * sizeof(int));
    for (int r = 0; r < tb->n; r++) {
        char **row = tb->rows[r];
        int c = 0;
        while (row[c]) c++;
        if (c < tb->n_cols) {
            row = arena_alloc(tb->a, (size_t)(tb->n_cols + 1) * sizeof(char *));
            memcpy(row, tb->rows[r], (size_t)c * sizeof(char *));
            for (; c < tb->n_cols; c++) row[c] = "";
        }
        t->rows[r] = row;
        t->line[r] = tb->line[r];
    }
    free(tb->rows);
    free(tb->line);
    tb->rows = NULL;
    tb->line = NULL;
}

/* ---------------------------------------------------------------- CSV */

/* RFC 4180 fields (quotes, doubled quotes, CR LF) into the table, bounded in rows,
 * columns and cell size: one loop over the characters, kept whole. */
const char *import_parse_csv(arena *a, const char *s, size_t len, import_table *t)
{
    memset(t, 0, sizeof *t);
    if (len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {
        s += 3;
        len -= 3;
    }
    /* The delimiter: what the first line uses most among , TAB ; */
    int commas = 0, tabs = 0, semis = 0;
    for (size_t i = 0; i < len && s[i] != '\n' && s[i] != '\r'; i++) {
        if (s[i] == ',') commas++;
        else if (s[i] == '\t') tabs++;
        else if (s[i] == ';') semis++;
    }
    char delim = ',';
    if (tabs > commas && tabs >= semis) delim = '\t';
    else if (semis > commas && semis > tabs) delim = ';';

    table_builder tb = {.a = a};
    char *cell = xmalloc(IMPORT_MAX_CELL + 1);
    size_t cl = 0;
    int line = 1, rec_line = 1;
    bool quoted = false, in_quotes = false, at_start = true;
    const char *err = NULL;
    size_t i = 0;
    for (;;) {
        if (i >= len) {
            if (in_quotes) { err = "import.err.csv_quote"; t->err_line = rec_line; break; }
            if (!at_start || cl || tb.n_cells || quoted) {
                tb_cell(&tb, cell, cl);
                err = tb_row(&tb, rec_line);
            }
            break;
        }
        char c = s[i++];
        if (in_quotes) {
            if (c == '"') {
                if (i < len && s[i] == '"') { i++; }
                else { in_quotes = false; continue; }
            } else if (c == '\n') {
                line++;
            }
        } else if (c == '"' && at_start && cl == 0) {
            in_quotes = quoted = true;
            at_start = false;
            continue;
        } else if (c == delim) {
            if (tb.n_cells >= IMPORT_MAX_COLS) { err = "import.err.too_many_columns"; t->err_line = rec_line; break; }
            tb_cell(&tb, cell, cl);
            cl = 0;
            quoted = false;
            at_start = true;
            continue;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i < len && s[i] == '\n') i++;
            tb_cell(&tb, cell, cl);
            cl = 0;
            quoted = false;
            at_start = true;
            if ((err = tb_row(&tb, rec_line))) break;
            line++;
            rec_line = line;
            continue;
        }
        at_start = false;
        if (cl >= IMPORT_MAX_CELL) { err = "import.err.cell_too_long"; t->err_line = rec_line; break; }
        cell[cl++] = c;
    }
    free(cell);
    if (err) {
        free(tb.rows);
        free(tb.line);
        return err;
    }
    tb_finish(&tb, t);
    if (t->n_rows == 0) return "import.err.empty";
    return NULL;
}

/* ---------------------------------------------------------------- multipart */

static const char *memfind(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0 || hn < nn) return NULL;
    const char *end = h + hn - nn;
    for (const char *p = h; p <= end; p++) {
        p = memchr(p, n[0], (size_t)(end - p) + 1);
        if (!p) return NULL;
        if (!memcmp(p, n, nn)) return p;
    }
    return NULL;
}

/* The value of a parameter (name="x" or name=x) in a header value; arena copy. */
static const char *header_param(arena *a, const char *v, size_t n, const char *param)
{
    size_t pl = strlen(param);
    for (size_t i = 0; i + pl < n; i++) {
        if ((i == 0 || v[i - 1] == ';' || v[i - 1] == ' ' || v[i - 1] == '\t') &&
            !strncasecmp(v + i, param, pl) && v[i + pl] == '=') {
            const char *p = v + i + pl + 1, *e = v + n;
            if (p < e && *p == '"') {
                p++;
                const char *q = p;
                while (q < e && *q != '"') q++;
                return arena_strndup(a, p, (size_t)(q - p));
            }
            const char *q = p;
            while (q < e && *q != ';' && *q != ' ' && *q != '\r' && *q != '\n') q++;
            return arena_strndup(a, p, (size_t)(q - p));
        }
    }
    return NULL;
}

int import_multipart(arena *a, const char *content_type, const char *body, size_t len,
                     import_part *parts, int max_parts)
{
    if (!content_type) return -1;
    const char *b = header_param(a, content_type, strlen(content_type), "boundary");
    if (!b || !*b || strlen(b) > 200) return -1;
    char *delim = arena_printf(a, "--%s", b);
    size_t dl = strlen(delim);
    const char *p = memfind(body, len, delim, dl);
    if (!p) return -1;
    int n = 0;
    const char *end = body + len;
    for (;;) {
        p += dl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return n;   /* closing delimiter */
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') p += 2;
        else if (p < end && *p == '\n') p++;
        else return -1;
        /* headers up to an empty line */
        const char *hend = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
        size_t hsep = 4;
        if (!hend) { hend = memfind(p, (size_t)(end - p), "\n\n", 2); hsep = 2; }
        if (!hend) return -1;
        import_part part = {0};
        const char *h = p;
        while (h < hend) {
            const char *eol = memchr(h, '\n', (size_t)(hend - h));
            if (!eol) eol = hend;
            size_t hl = (size_t)(eol - h);
            if (hl && h[hl - 1] == '\r') hl--;
            if (hl > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
                part.name = header_param(a, h + 20, hl - 20, "name");
                part.filename = header_param(a, h + 20, hl - 20, "filename");
            } else if (hl > 13 && !strncasecmp(h, "Content-Type:", 13)) {
                const char *v = h + 13;
                size_t vl = hl - 13;
                while (vl && (*v == ' ' || *v == '\t')) { v++; vl--; }
                part.content_type = arena_strndup(a, v, vl);
            }
            h = eol + 1;
        }
        const char *data = hend + hsep;
        char *next_delim = arena_printf(a, "\r\n%s", delim);
        const char *q = memfind(data, (size_t)(end - data), next_delim, dl + 2);
        size_t back = 2;
        if (!q) { q = memfind(data, (size_t)(end - data), next_delim + 1, dl + 1); back = 1; }
        if (!q) return -1;
        part.data = data;
        part.len = (size_t)(q - data);
        if (n < max_parts) parts[n++] = part;
        else return -1;
        p = q + back;
    }
}
