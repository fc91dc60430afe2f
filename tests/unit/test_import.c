/* test_import.c — unit tests of the registry import's readers (table_csv.c,
 * table_xlsx.c): CSV quoting, line ends, BOM and embedded newlines; GBK/GB18030 and
 * UTF-16 detection; the XLSX reader on a workbook written here with libxlsxwriter;
 * multipart bodies; the header vocabulary; and the bounds on hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/registry/import_table.h"
#include "domain/domains.h"
#include "core/i18n.h"
#include <xlsxwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); fclose(f); return NULL; }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void test_csv_basic(void **state)
{
    (void)state;
    arena *a = arena_new();
    import_table t;
    const char *csv = "\xEF\xBB\xBF" "楼组,房号,姓名,备注\r\n"
                      "1号楼1单元,101,\"张,三\",\"他说\"\"好\"\"\"\r\n"
                      "\r\n"
                      "1号楼1单元,102,李四,\"第一行\r\n第二行\"\r\n"
                      "1号楼1单元,103,王五\n"
                      "1号楼1单元,104,,\"\"";
    assert_null(import_parse_csv(a, csv, strlen(csv), &t));
    assert_int_equal(t.n_rows, 5);
    assert_int_equal(t.n_cols, 4);
    assert_string_equal(t.rows[0][0], "楼组");             /* BOM stripped */
    assert_string_equal(t.rows[1][2], "张,三");
    assert_string_equal(t.rows[1][3], "他说\"好\"");
    assert_int_equal(t.line[1], 2);
    assert_string_equal(t.rows[2][3], "第一行\r\n第二行");
    assert_int_equal(t.line[2], 4);                          /* the blank line 3 is skipped */
    assert_string_equal(t.rows[3][2], "王五");
    assert_string_equal(t.rows[3][3], "");                   /* short row padded */
    assert_int_equal(t.line[3], 6);                          /* the quoted newline counted */
    assert_string_equal(t.rows[4][2], "");
    assert_int_equal(t.line[4], 7);

    /* tab-separated text as Excel's "Unicode text" writes it */
    const char *tsv = "block\troom\tname\n2号楼1单元\t201\tAnn, Lee\n";
    assert_null(import_parse_csv(a, tsv, strlen(tsv), &t));
    assert_int_equal(t.n_cols, 3);
    assert_string_equal(t.rows[1][2], "Ann, Lee");

    /* an unclosed quote names the line where its record began */
    const char *bad = "a,b\n1,\"open\n2,3\n";
    assert_string_equal(import_parse_csv(a, bad, strlen(bad), &t), "import.err.csv_quote");
    assert_int_equal(t.err_line, 2);
    assert_string_equal(import_parse_csv(a, "\r\n\r\n", 4, &t), "import.err.empty");
    arena_free(a);
}

static void test_csv_bounds(void **state)
{
    (void)state;
    arena *a = arena_new();
    import_table t;
    size_t n = IMPORT_MAX_CELL + 100;
    char *big = malloc(n + 8);
    memcpy(big, "a\n", 2);
    memset(big + 2, 'x', n);
    big[n + 2] = '\n';
    assert_string_equal(import_parse_csv(a, big, n + 3, &t), "import.err.cell_too_long");
    assert_int_equal(t.err_line, 2);
    free(big);

    char cols[IMPORT_MAX_COLS * 2 + 8];
    size_t k = 0;
    for (int i = 0; i < IMPORT_MAX_COLS + 2; i++) cols[k++] = ',';
    cols[k++] = '\n';
    assert_string_equal(import_parse_csv(a, cols, k, &t), "import.err.too_many_columns");

    /* 64 non-empty cells a row: the cell cap trips before the row cap */
    size_t wide_rows = IMPORT_MAX_CELLS / IMPORT_MAX_COLS + 10, w = 0;
    char *wide = malloc(wide_rows * IMPORT_MAX_COLS * 2);
    for (size_t r = 0; r < wide_rows; r++)
        for (int c = 0; c < IMPORT_MAX_COLS; c++) { wide[w++] = 'x'; wide[w++] = c + 1 < IMPORT_MAX_COLS ? ',' : '\n'; }
    assert_string_equal(import_parse_csv(a, wide, w, &t), "import.err.too_large");
    free(wide);

    size_t rows = IMPORT_MAX_ROWS + 3;
    char *many = malloc(rows * 2);
    for (size_t i = 0; i < rows; i++) { many[2 * i] = 'x'; many[2 * i + 1] = '\n'; }
    assert_string_equal(import_parse_csv(a, many, rows * 2, &t), "import.err.too_many_rows");
    free(many);
    arena_free(a);
}

static void test_encodings(void **state)
{
    (void)state;
    arena *a = arena_new();
    char *out;
    size_t n;
    const char *enc;
    /* "楼组,姓名\n1号楼,张三\n" in GBK */
    const char gbk[] = "\xC2\xA5\xD7\xE9,\xD0\xD5\xC3\xFB\n1\xBA\xC5\xC2\xA5,\xD5\xC5\xC8\xFD\n";
    assert_null(import_to_utf8(a, gbk, sizeof gbk - 1, &out, &n, &enc));
    assert_string_equal(enc, "gb18030");
    assert_string_equal(out, "楼组,姓名\n1号楼,张三\n");
    assert_int_equal(n, strlen(out));

    const char *utf8 = "\xEF\xBB\xBF姓名\n张三\n";
    assert_null(import_to_utf8(a, utf8, strlen(utf8), &out, &n, &enc));
    assert_string_equal(enc, "utf-8");
    assert_string_equal(out, "姓名\n张三\n");

    /* UTF-16LE with BOM: "名\n" */
    const char u16[] = "\xFF\xFE\x0D\x54\x0A\x00";
    assert_null(import_to_utf8(a, u16, sizeof u16 - 1, &out, &n, &enc));
    assert_string_equal(enc, "utf-16");
    assert_string_equal(out, "名\n");

    /* bytes that are neither UTF-8 nor GB18030 */
    const char junk[] = "ab\x81\x20";
    assert_string_equal(import_to_utf8(a, junk, sizeof junk - 1, &out, &n, &enc), "import.err.encoding");
    arena_free(a);
}

static void test_xlsx(void **state)
{
    (void)state;
    char path[] = "/tmp/sw-import-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
    worksheet_write_string(ws, 0, 0, "楼组", NULL);
    worksheet_write_string(ws, 0, 1, "房号", NULL);
    worksheet_write_string(ws, 0, 2, "姓名", NULL);
    worksheet_write_string(ws, 0, 4, "手机", NULL);
    worksheet_write_string(ws, 1, 0, "1号楼1单元", NULL);
    worksheet_write_number(ws, 1, 1, 101, NULL);
    worksheet_write_string(ws, 1, 2, "A & <B> \"C\"", NULL);
    worksheet_write_number(ws, 1, 4, 13800138000.0, NULL);
    worksheet_write_string(ws, 3, 2, "第三行", NULL);
    worksheet_write_number(ws, 3, 3, 1.5, NULL);
    worksheet_write_string(ws, 3, 0, "1号楼1单元", NULL);   /* same shared string */
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "other");
    worksheet_write_string(ws2, 0, 0, "not read", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    size_t len;
    char *data = read_all(path, &len);
    unlink(path);
    assert_non_null(data);
    assert_true(import_is_zip(data, len));
    arena *a = arena_new();
    import_table t;
    assert_null(import_parse_xlsx(a, data, len, &t));
    assert_int_equal(t.n_rows, 3);
    assert_int_equal(t.n_cols, 5);
    assert_string_equal(t.rows[0][0], "楼组");
    assert_string_equal(t.rows[0][3], "");
    assert_string_equal(t.rows[1][1], "101");
    assert_string_equal(t.rows[1][2], "A & <B> \"C\"");
    assert_string_equal(t.rows[1][4], "13800138000");
    assert_int_equal(t.line[1], 2);
    assert_string_equal(t.rows[2][0], "1号楼1单元");
    assert_string_equal(t.rows[2][2], "第三行");
    assert_string_equal(t.rows[2][3], "1.5");
    assert_int_equal(t.line[2], 4);

    /* truncated or damaged archives are refused, never read past their end */
    for (size_t cut = 0; cut < len; cut += len / 23 + 1)
        assert_non_null(import_parse_xlsx(a, data, cut, &t));
    char *bad = malloc(len);
    memcpy(bad, data, len);
    for (size_t i = 40; i < len; i += 97) bad[i] ^= 0x5A;
    const char *err = import_parse_xlsx(a, bad, len, &t);
    (void)err;   /* any answer is fine as long as nothing overruns (ASan watches) */
    free(bad);
    free(data);
    arena_free(a);
}

static void test_xlsx_fixture(void **state)
{
    (void)state;
    size_t len;
    char *data = read_all("fixtures/import/residents.xlsx", &len);
    if (!data) data = read_all("tests/fixtures/import/residents.xlsx", &len);
    if (!data) data = read_all("../tests/fixtures/import/residents.xlsx", &len);
    if (!data) skip();
    arena *a = arena_new();
    import_table t;
    assert_null(import_parse_xlsx(a, data, len, &t));
    assert_int_equal(t.n_rows, 4);
    assert_string_equal(t.rows[0][11], "业主/租户");
    assert_string_equal(t.rows[1][5], "Anna Schmidt");
    assert_string_equal(t.rows[1][4], "2150001111");
    assert_string_equal(t.rows[3][5], "<周>\"老\"伯");
    assert_int_equal(t.line[3], 5);
    free(data);
    arena_free(a);
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

/* A one-member ZIP whose sheet inflates past IMPORT_MAX_UNZIP; its header claims 1 KiB. */
static void test_xlsx_bomb(void **state)
{
    (void)state;
    size_t total = IMPORT_MAX_UNZIP + (1u << 20), chunk = 1u << 20;
    unsigned char *zeros = calloc(1, chunk);
    size_t cap = total / 500 + 4096, used = 0;
    unsigned char *comp = malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    for (size_t done = 0; done < total; done += chunk) {
        zs.next_in = zeros;
        zs.avail_in = (uInt)chunk;
        int flush = done + chunk >= total ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = comp + used;
            zs.avail_out = (uInt)(cap - used);
            deflate(&zs, flush);
            used = cap - zs.avail_out;
        } while (zs.avail_in);
    }
    deflateEnd(&zs);
    free(zeros);
    const char *name = "xl/worksheets/sheet1.xml";
    size_t nl = strlen(name), n = 30 + nl + used + 46 + nl + 22;
    unsigned char *z = calloc(1, n), *p = z;
    put32(p, 0x04034b50); put16(p + 8, 8); put32(p + 18, (uint32_t)used);
    put32(p + 22, 1024); put16(p + 26, (unsigned)nl);
    memcpy(p + 30, name, nl);
    memcpy(p + 30 + nl, comp, used);
    p += 30 + nl + used;
    size_t cd = (size_t)(p - z);
    put32(p, 0x02014b50); put16(p + 10, 8); put32(p + 20, (uint32_t)used); put32(p + 24, 1024);
    put16(p + 28, (unsigned)nl); put32(p + 42, 0);
    memcpy(p + 46, name, nl);
    p += 46 + nl;
    put32(p, 0x06054b50); put16(p + 8, 1); put16(p + 10, 1);
    put32(p + 12, (uint32_t)(46 + nl)); put32(p + 16, (uint32_t)cd);
    free(comp);
    arena *a = arena_new();
    import_table t;
    assert_string_equal(import_parse_xlsx(a, (const char *)z, n, &t), "import.err.too_large");
    free(z);
    arena_free(a);
}

/* Shared strings whose </si> closes nothing: refused, with no stale or uninitialised
 * text taken (the file stays in tests/fixtures as the regression case). */
static void test_xlsx_orphan_si(void **state)
{
    (void)state;
    size_t len;
    char *data = read_all("fixtures/import/orphan-si.xlsx", &len);
    if (!data) data = read_all("tests/fixtures/import/orphan-si.xlsx", &len);
    if (!data) data = read_all("../tests/fixtures/import/orphan-si.xlsx", &len);
    assert_non_null(data);
    arena *a = arena_new();
    import_table t;
    assert_string_equal(import_parse_xlsx(a, data, len, &t), "import.err.xlsx");
    free(data);
    arena_free(a);
}

/* A cell past column 64 is refused as the CSV reader refuses it, naming the line. */
static void test_xlsx_too_many_columns(void **state)
{
    (void)state;
    char path[] = "/tmp/sw-import-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
    worksheet_write_string(ws, 0, 0, "楼组", NULL);
    worksheet_write_string(ws, 1, 0, "1号楼1单元", NULL);
    worksheet_write_string(ws, 1, 64, "第65列", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    size_t len;
    char *data = read_all(path, &len);
    unlink(path);
    assert_non_null(data);
    arena *a = arena_new();
    import_table t;
    assert_string_equal(import_parse_xlsx(a, data, len, &t), "import.err.too_many_columns");
    assert_int_equal(t.err_line, 2);
    free(data);
    arena_free(a);
}

/* Random damage to a real workbook and to CSV text: answers, never overruns. */
static void test_mutations(void **state)
{
    (void)state;
    size_t len;
    char *data = read_all("fixtures/import/residents.xlsx", &len);
    if (!data) data = read_all("tests/fixtures/import/residents.xlsx", &len);
    if (!data) data = read_all("../tests/fixtures/import/residents.xlsx", &len);
    if (!data) skip();
    uint64_t seed = 0x1234567;
    char *m = malloc(len);
    for (int round = 0; round < 300; round++) {
        memcpy(m, data, len);
        int flips = 1 + round % 8;
        for (int i = 0; i < flips; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            m[(seed >> 33) % len] = (char)(seed >> 20);
        }
        arena *a = arena_new();
        import_table t;
        const char *err = import_parse_xlsx(a, m, len, &t);
        if (!err)
            for (int r = 0; r < t.n_rows; r++)
                for (int c = 0; c < t.n_cols; c++) assert_non_null(t.rows[r][c]);
        char *u;
        size_t ul;
        const char *enc;
        if (!import_to_utf8(a, m, len, &u, &ul, &enc)) (void)import_parse_csv(a, u, ul, &t);
        arena_free(a);
    }
    free(m);
    free(data);
}

static void test_multipart(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char body[] = "--XyZ\r\n"
                        "Content-Disposition: form-data; name=\"mapping\"\r\n\r\n"
                        "{\"room\":\"Flat\"}\r\n"
                        "--XyZ\r\n"
                        "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
                        "Content-Type: text/csv\r\n\r\n"
                        "a,b\r\n--not-the-boundary\r\n1,2\r\n"
                        "--XyZ--\r\n";
    import_part parts[4];
    int n = import_multipart(a, "multipart/form-data; boundary=XyZ", body, sizeof body - 1, parts, 4);
    assert_int_equal(n, 2);
    assert_string_equal(parts[0].name, "mapping");
    assert_null(parts[0].filename);
    assert_int_equal(parts[0].len, strlen("{\"room\":\"Flat\"}"));
    assert_string_equal(parts[1].name, "file");
    assert_string_equal(parts[1].filename, "a.csv");
    assert_string_equal(parts[1].content_type, "text/csv");
    assert_int_equal(parts[1].len, strlen("a,b\r\n--not-the-boundary\r\n1,2"));
    assert_memory_equal(parts[1].data, "a,b\r\n", 5);
    assert_int_equal(import_multipart(a, "multipart/form-data", body, sizeof body - 1, parts, 4), -1);
    assert_int_equal(import_multipart(a, "multipart/form-data; boundary=XyZ", body, 40, parts, 4), -1);
    arena_free(a);
}

static void test_header_vocabulary(void **state)
{
    (void)state;
    static const struct { const char *header; int field; } cases[] = {
        {"楼组", IF_BLOCK}, {"楼号", IF_BLOCK}, {"Block", IF_BLOCK}, {"片区", IF_ZONE}, {"zone", IF_ZONE},
        {"房号", IF_ROOM}, {"门牌", IF_ROOM}, {"Address", IF_ROOM}, {"户状态", IF_STATUS}, {"Status", IF_STATUS},
        {"户电话", IF_HH_PHONE}, {"Household phone", IF_HH_PHONE}, {"姓名", IF_NAME}, {" 姓 名 ", IF_NAME},
        {"姓名（必填）", IF_NAME}, {"*姓名", IF_NAME}, {"性别", IF_GENDER}, {"出生年份", IF_BIRTH},
        {"出生日期", IF_BIRTH}, {"birth", IF_BIRTH}, {"手机", IF_PHONE}, {"电话", IF_PHONE}, {"Phone", IF_PHONE},
        {"证件类型", IF_ID_KIND}, {"id_kind", IF_ID_KIND}, {"身份证号", IF_ID_NUMBER}, {"证件号码", IF_ID_NUMBER},
        {"ID number", IF_ID_NUMBER}, {"党员", IF_PARTY}, {"party_member", IF_PARTY}, {"流动人口", IF_FLOATING},
        {"Floating", IF_FLOATING}, {"业主/租户", IF_OWNER}, {"owner", IF_OWNER},
        {"与户主关系", IMPORT_IGNORED}, {"兴趣爱好", -1}, {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (import_auto_field(cases[i].header) != cases[i].field) fail_msg("header '%s'", cases[i].header);
    }
    for (int f = 0; f < IF_COUNT; f++) assert_int_equal(import_field_by_name(import_field_name(f)), f);
    assert_int_equal(import_field_by_name("nope"), -1);
}

static void test_messages_complete(void **state)
{
    (void)state;
    http_init();
    domains_init();
    assert_int_equal(i18n_check_complete(NULL), 0);
    static const char *const keys[] = {"import.err.encoding", "import.err.xlsx", "import.err.block_unknown",
                                       "import.err.rows_invalid", "import.err.duplicate_id"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        assert_string_not_equal(i18n_text(LANG_ZH, keys[i]), keys[i]);
        assert_string_not_equal(i18n_text(LANG_EN, keys[i]), keys[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_basic), cmocka_unit_test(test_csv_bounds), cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_xlsx), cmocka_unit_test(test_xlsx_fixture), cmocka_unit_test(test_xlsx_bomb),
        cmocka_unit_test(test_xlsx_orphan_si), cmocka_unit_test(test_xlsx_too_many_columns),
        cmocka_unit_test(test_mutations), cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_header_vocabulary), cmocka_unit_test(test_messages_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
