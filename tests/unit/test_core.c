/* test_core.c — unit tests of the core and of the HTTP layer's pure parts: route
 * matching over the real tables, validation helpers, JSON body decoding, the
 * message catalogue, arena and capped buffer, field encryption and masking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/secret.h"
#include "core/validate.h"
#include "http/http.h"
#include "domain/domains.h"

/* core-1: routes match literal and parameter segments, and 405 is told apart. */
static void test_router(void **state)
{
    (void)state;
    static const struct { const char *method, *path, *pattern, *param; int mismatch; } cases[] = {
        {"GET", "/api/v1/health", "/api/v1/health", NULL, 0},
        {"GET", "/api/v1/jobs/42", "/api/v1/jobs/{id}", "42", 0},
        {"GET", "/api/v1/jobs/42/result", "/api/v1/jobs/{id}/result", "42", 0},
        {"POST", "/api/v1/users/export", "/api/v1/users/export", NULL, 0},
        {"DELETE", "/api/v1/tokens/7", "/api/v1/tokens/{id}", "7", 0},
        {"GET", "/api/v1/residents/duplicates", "/api/v1/residents/duplicates", NULL, 0},
        {"GET", "/api/v1/residents/12", "/api/v1/residents/{id}", "12", 0},
        {"PUT", "/api/v1/health", NULL, NULL, 1},
        {"GET", "/api/v1/jobs/", NULL, NULL, 0},
        {"GET", "/api/v1/jobs//result", NULL, NULL, 0},
        {"GET", "/api/v1/healthz", NULL, NULL, 0},
        {"GET", "/api/v1/health/", NULL, NULL, 0},
        {"GET", "", NULL, NULL, 0},
    };
    domains_init();
    const http_route *const *tables = http_routes_all(domains_routes());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arena *a = arena_new();
        http_req req;
        memset(&req, 0, sizeof req);
        req.a = a;
        bool mismatch;
        const http_route *r = http_route_match(tables, cases[i].method, cases[i].path, &req, &mismatch);
        if (cases[i].pattern) {
            assert_non_null(r);
            assert_string_equal(r->pattern, cases[i].pattern);
            if (cases[i].param) assert_string_equal(http_param(&req, "id"), cases[i].param);
        } else {
            assert_null(r);
            assert_int_equal(mismatch, cases[i].mismatch);
        }
        arena_free(a);
    }
}

/* core-1b: the most specific pattern wins whatever the order of rows and tables: a
 * literal segment beats {name} at the first segment where two patterns differ. */
static int route_stub(http_req *req) { (void)req; return 0; }
static void test_router_specific_wins(void **state)
{
    (void)state;
    static const http_route params[] = {
        {"GET", "/a/{id}", NULL, route_stub, ROLES_ANY, 0, 0, NULL},
        {"GET", "/a/{id}/{sub}", NULL, route_stub, ROLES_ANY, 0, 0, NULL},
        {0},
    };
    static const http_route literals[] = {
        {"GET", "/a/list", NULL, route_stub, ROLES_ANY, 0, 0, NULL},
        {"GET", "/a/{id}/items", NULL, route_stub, ROLES_ANY, 0, 0, NULL},
        {"POST", "/a/list/x", NULL, route_stub, ROLES_ANY, 0, 0, NULL},
        {0},
    };
    const http_route *const one[] = {params, literals, NULL}, *const two[] = {literals, params, NULL};
    const http_route *const *orders[] = {one, two};
    for (int o = 0; o < 2; o++) {
        bool mismatch;
        assert_string_equal(http_route_match(orders[o], "GET", "/a/list", NULL, &mismatch)->pattern, "/a/list");
        assert_string_equal(http_route_match(orders[o], "GET", "/a/7", NULL, &mismatch)->pattern, "/a/{id}");
        assert_string_equal(http_route_match(orders[o], "GET", "/a/7/items", NULL, &mismatch)->pattern,
                            "/a/{id}/items");
        assert_string_equal(http_route_match(orders[o], "GET", "/a/7/other", NULL, &mismatch)->pattern,
                            "/a/{id}/{sub}");
        /* another method's literal row does not hide the GET row of a {name} pattern */
        assert_string_equal(http_route_match(orders[o], "GET", "/a/list/x", NULL, &mismatch)->pattern, "/a/{id}/{sub}");
        assert_null(http_route_match(orders[o], "DELETE", "/a/list", NULL, &mismatch));
        assert_true(mismatch);
    }
}

/* core-2: every route row is well formed: a handler, roles unless public, and
 * WRITE on every state-changing method (so each write is audited and batched). */
static void test_route_table_rows(void **state)
{
    (void)state;
    int n = 0;
    domains_init();
    const http_route *const *tables = http_routes_all(domains_routes());
    for (int t = 0; tables[t]; t++)
        for (const http_route *r = tables[t]; r->method; r++, n++) {
            assert_non_null(r->handler);
            assert_true(r->pattern[0] == '/');
            if (!(r->flags & ROUTE_PUBLIC)) assert_true(r->roles != 0);
            if (strcmp(r->method, "GET")) assert_true(r->flags & ROUTE_WRITE);
            if (r->flags & ROUTE_WRITE && !(r->flags & ROUTE_PUBLIC)) assert_non_null(r->audit_action);
        }
    assert_true(n > 10);
}

static void test_validate(void **state)
{
    (void)state;
    assert_null(validate_cn_id("11010519491231002X"));
    assert_null(validate_cn_id("11010519491231002x"));
    assert_string_equal(validate_cn_id("110105194912310021"), "err.id_check_digit");
    assert_string_equal(validate_cn_id("1101051949123100"), "err.id_length");
    assert_string_equal(validate_cn_id("1101051949123100AX"), "err.id_format");
    assert_null(validate_phone("13812345678"));
    assert_null(validate_phone("021-64381234"));
    assert_string_equal(validate_phone("12812345678"), "err.phone_mobile_prefix");
    assert_string_equal(validate_phone("138 1234 5678"), "err.phone_format");
    assert_null(validate_username("block.leader-1"));
    assert_string_equal(validate_username("Ab"), "err.too_short");
    assert_null(validate_username("Admin"));
    assert_string_equal(validate_username("wang li"), "err.username_chars");
    assert_string_equal(validate_username("王"), "err.too_short");
    assert_string_equal(validate_username("a@b"), "err.username_chars");
    char login[VALIDATE_LOGIN_MAX];
    assert_null(validate_login_name("赵杭杰", login));
    assert_string_equal(login, "赵杭杰");
    assert_null(validate_login_name("１３８１２３４５６７８", login));   /* full-width digits */
    assert_string_equal(login, "13812345678");
    assert_null(validate_login_name(" Zhao.Li ", login));
    assert_string_equal(login, "zhao.li");
    assert_null(validate_login_name("\xef\xa4\x80\xe5\xb1\xb1", login));   /* U+F900 compatibility form */
    assert_string_equal(login, "\xe8\xb1\x88\xe5\xb1\xb1");
    assert_string_equal(validate_password("short"), "err.password_short");
    assert_null(validate_text("陈慧敏", 1, 3));
    assert_string_equal(validate_text("陈慧敏x", 1, 3), "err.too_long");
    assert_string_equal(validate_text("a\x01", 1, 3), "err.control_chars");
    assert_string_equal(validate_utf8("\xC0\xAF"), "err.bad_utf8");
    assert_string_equal(validate_utf8("\xED\xA0\x80"), "err.bad_utf8");
    assert_null(validate_timezone("Asia/Shanghai"));
    assert_non_null(validate_timezone("../etc/passwd"));
    assert_null(validate_lang("en"));
    assert_non_null(validate_lang("fr"));
    int64_t v;
    assert_true(str_is_int("-42", &v));
    assert_int_equal(v, -42);
    assert_false(str_is_int("4x", &v));
    assert_false(str_is_int("99999999999999999999", &v));
}

static void test_json_decode(void **state)
{
    (void)state;
    const char *why;
    json_t *j = http_json_decode("{\"a\":1}", 7, &why);
    assert_non_null(j);
    json_decref(j);
    assert_null(http_json_decode("[1]", 3, &why));
    assert_string_equal(why, "err.json_not_object");
    assert_null(http_json_decode("{\"a\":", 5, &why));
    assert_string_equal(why, "err.bad_json");
    assert_null(http_json_decode("{\"a\":1,\"a\":2}", 13, &why));
    assert_null(http_json_decode("", 0, &why));
}

static void report_missing(const char *key) { fprintf(stderr, "missing translation: %s\n", key); }

/* Every server message exists in both languages. */
static void test_i18n(void **state)
{
    (void)state;
    http_init();
    domains_init();
    assert_int_equal(i18n_check_complete(report_missing), 0);
    assert_string_equal(i18n_text(LANG_EN, "err.not_found"), "Not found");
    assert_string_equal(i18n_text(LANG_ZH, "err.not_found"), "未找到该记录或页面");
    assert_string_equal(i18n_text(LANG_EN, "no.such.key"), "no.such.key");
    assert_int_equal(i18n_from_accept_language("en-US,en;q=0.9"), LANG_EN);
    assert_int_equal(i18n_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), LANG_ZH);
    assert_int_equal(i18n_from_accept_language("fr, en"), LANG_EN);
    assert_int_equal(i18n_from_accept_language(NULL), LANG_ZH);
}

static void test_arena_buf(void **state)
{
    (void)state;
    arena *a = arena_new();
    for (int i = 0; i < 1000; i++) {
        char *s = arena_printf(a, "row %d", i);
        assert_string_equal(s, arena_strdup(a, s));
    }
    char *big = arena_alloc(a, 100000);
    big[99999] = 1;
    arena_free(a);
    buf b;
    buf_init(&b, 10);
    assert_true(buf_puts(&b, "12345"));
    assert_false(buf_puts(&b, "123456"));   /* over the cap: refused and freed */
    assert_null(b.data);
    buf_init(&b, 0);
    assert_true(buf_printf(&b, "%0600d", 7));
    assert_int_equal(b.len, 600);
    buf_free(&b);
    buf_init(&b, 0);
    assert_true(buf_html_escape(&b, "<a href=\"x\">&'</a>"));
    assert_true(buf_html_escape(&b, NULL));
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    buf_free(&b);
}

static void test_secret(void **state)
{
    (void)state;
    assert_int_equal(secret_init(), 0);
    config c;
    config_defaults(&c);
    char err[128];
    assert_int_equal(config_set(&c, "field_key", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", err, sizeof err),
                     0);
    assert_int_not_equal(config_set(&c, "field_key", "k1:short", err, sizeof err), 0);
    char *ct = secret_encrypt(&c, "11010519491231002X");
    assert_non_null(ct);
    assert_null(strstr(ct, "1101051949"));
    assert_memory_equal(ct, "k1:", 3);
    char *pt = secret_decrypt(&c, ct);
    assert_string_equal(pt, "11010519491231002X");
    free(pt);
    /* A relabelled ciphertext (another key id) does not open. */
    config c2 = c;
    snprintf(c2.field_key_id, sizeof c2.field_key_id, "k2");
    ct[1] = '2';
    assert_null(secret_decrypt(&c2, ct));
    free(ct);
    char *m = secret_mask("11010519491231002X", 4, 4);
    assert_string_equal(m, "1101**********002X");
    free(m);
    char h1[65], h2[65];
    secret_lookup_hash(&c, "11010519491231002X", h1);
    secret_lookup_hash(&c, "11010519491231002X", h2);
    assert_string_equal(h1, h2);
    char t1[44], t2[44];
    secret_token(t1);
    secret_token(t2);
    assert_int_equal(strlen(t1), 43);
    assert_string_not_equal(t1, t2);
    assert_true(secret_const_eq("abc", "abc"));
    assert_false(secret_const_eq("abc", "abd"));
}

/* Offsets from the zone files, also across a daylight-saving change, where a cached
 * offset must not outlive its transition. */
static void test_tz_offset(void **state)
{
    (void)state;
    const int64_t berlin_spring = 1774746000;   /* 2026-03-29 01:00 UTC: +1 h becomes +2 h */
    assert_int_equal(clock_tz_offset("Asia/Shanghai", berlin_spring), 8 * 3600);
    assert_int_equal(clock_tz_offset("Europe/Berlin", berlin_spring - 1), 3600);
    assert_int_equal(clock_tz_offset("Europe/Berlin", berlin_spring - 86400), 3600);
    assert_int_equal(clock_tz_offset("Europe/Berlin", berlin_spring), 7200);
    assert_int_equal(clock_tz_offset("Europe/Berlin", berlin_spring - 1), 3600);
    assert_int_equal(clock_tz_offset("Europe/Berlin", berlin_spring + 86400 * 30), 7200);
    assert_int_equal(clock_tz_offset("No/Such_Zone", berlin_spring), 0);
    assert_int_equal(clock_tz_offset("../etc/passwd", berlin_spring), 0);
    char day[11];
    /* 2026-03-28 23:30 UTC is already the 29th in Berlin (+1 h) and in Shanghai. */
    int64_t late = (berlin_spring - 5400) * 1000000LL;
    assert_int_equal(clock_local_date("Europe/Berlin", late, day, sizeof day), 2026);
    assert_string_equal(day, "2026-03-29");
    clock_local_date("America/New_York", late, day, sizeof day);
    assert_string_equal(day, "2026-03-28");
}

/* Calendar days: round trips over four centuries, leap rules, and the strict shape. */
static void test_calendar_days(void **state)
{
    (void)state;
    assert_int_equal(clock_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(clock_days_from_civil(2000, 3, 1) - clock_days_from_civil(2000, 2, 28), 2);
    assert_int_equal(clock_days_from_civil(1900, 3, 1) - clock_days_from_civil(1900, 2, 28), 1);
    for (int64_t day = clock_days_from_civil(1880, 1, 1); day < clock_days_from_civil(2280, 1, 1); day += 7) {
        int y, m, d;
        clock_civil_from_days(day, &y, &m, &d);
        assert_true(clock_date_valid(y, m, d));
        assert_int_equal(clock_days_from_civil(y, m, d), day);
    }
    char out[11];
    clock_format_date(clock_days_from_civil(1956, 3, 12), out);
    assert_string_equal(out, "1956-03-12");
    int y = 0, m = 0, d = 0;
    assert_true(clock_parse_date("2024-02-29", &y, &m, &d));
    assert_true(y == 2024 && m == 2 && d == 29);
    assert_false(clock_parse_date("2023-02-29", NULL, NULL, NULL));
    assert_false(clock_parse_date("2023-13-01", NULL, NULL, NULL));
    assert_false(clock_parse_date("2023-1-01", NULL, NULL, NULL));
    assert_false(clock_parse_date("2023-01-010", NULL, NULL, NULL));
    assert_false(clock_parse_date("", NULL, NULL, NULL));
    assert_false(clock_parse_date(NULL, NULL, NULL, NULL));
}

static void test_config(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    char err[128];
    assert_int_equal(config_set(&c, "trusted_proxies", "127.0.0.1, 10.0.0.2", err, sizeof err), 0);
    assert_true(config_is_trusted_proxy(&c, "10.0.0.2"));
    assert_false(config_is_trusted_proxy(&c, "10.0.0.3"));
    assert_int_not_equal(config_set(&c, "threads", "0", err, sizeof err), 0);
    assert_int_not_equal(config_set(&c, "no_such_setting", "1", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "body_limit", "2048", err, sizeof err), 0);
    assert_int_equal(c.body_limit, 2048);
}

/* core-10: phones as committees write them: mainland mobiles, landlines with their area
 * code (and an extension), other places with their + code; the reason names the rule. */
static void test_phone(void **state)
{
    (void)state;
    http_init();
    domains_init();
    static const char *const ok[] = {
        "13800138000", "19912345678", "021-64001234", "02164001234", "0571-88881234", "057188881234",
        "010-6400123", "021-64001234-805", "021-64001234转805", "+85291234567", "+853-28123456", "+886912345678",
        "+14155550123", "+8613800138000", NULL,
    };
    for (int i = 0; ok[i]; i++) {
        const char *why = validate_phone(ok[i]);
        if (why) fail_msg("%s refused: %s", ok[i], why);
    }
    static const struct { const char *phone, *why; } bad[] = {
        {"1380013800", "err.phone_mobile_length"},     /* the 10-digit "mobile" */
        {"138001380001", "err.phone_mobile_length"},
        {"12812345678", "err.phone_mobile_prefix"},
        {"138-0013-8000", "err.phone_mobile_prefix"},
        {"64001234", "err.phone_area_code"},           /* no area code, or a Hong Kong number without +852 */
        {"6400123", "err.phone_area_code"},
        {"0085291234567", "err.phone_international"},
        {"+0123456", "err.phone_international"},
        {"+852", "err.phone_international"},
        {"+8612345", "err.phone_mobile_length"},
        {"021-640012", "err.phone_landline"},
        {"02-64001234", "err.phone_landline"},
        {"021-64001234-", "err.phone_landline"},
        {"021-64001234-1234567", "err.phone_landline"},
        {"0216400", "err.phone_landline"},
        {"138 0013 8000", "err.phone_format"},
        {"abc", "err.phone_format"},
        {"", "err.required"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = validate_phone(bad[i].phone);
        if (!why || strcmp(why, bad[i].why))
            fail_msg("%s: %s, not %s", bad[i].phone, why ? why : "accepted", bad[i].why);
        assert_string_not_equal(i18n_text(LANG_ZH, why), why);
        assert_string_not_equal(i18n_text(LANG_EN, why), why);
    }
}

/* core-11: names are stored in NFC, trimmed, and refused when they hold what would
 * spoof a printed list: controls, bidi overrides, invisible characters, nothing at all. */
static void test_name(void **state)
{
    (void)state;
    http_init();
    domains_init();
    char out[128];
    static const struct { const char *in, *out; } ok[] = {
        {"陈慧敏", "陈慧敏"},
        {"  王 \u3000", "王"},
        {"Jose\u0301 Garci\u0301a", "Jos\u00e9 Garc\u00eda"},
        {"lu\u0308\u0301", "l\u01d8"},                    /* pinyin lǘ from u + diaeresis + acute */
        {"\u00fc\u0301", "\u01d8"},
        {"Nguye\u0302\u0303n", "Nguy\u1ec5n"},            /* Vietnamese: two marks */
        {"\u1100\u1161\u11a8", "\uac01"},                /* Hangul jamo */
        {"\uf900", "\u8c48"},                              /* a CJK compatibility ideograph */
        {"John\u00a0\u00a0Smith", "John Smith"},
        {"Anna\u2002\u3000Schmidt\u202f", "Anna Schmidt"},
        {"阿依古丽\u00b7买买提", "阿依古丽\u00b7买买提"},
        {"a\u0323\u0302", "\u1ead"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *why = validate_name(ok[i].in, 64, out);
        if (why) fail_msg("name %zu refused: %s", i, why);
        assert_string_equal(out, ok[i].out);
    }
    static const struct { const char *in, *why; } bad[] = {
        {"\u202e\u4e3d\u5f20", "err.name_bidi"},
        {"\u5f20\u2066\u4e09", "err.name_bidi"},
        {"\u5f20\u200b\u4e09", "err.name_invisible"},
        {"\ufeff\u5f20\u4e09", "err.name_invisible"},
        {"\u5f20\u00ad\u4e09", "err.name_invisible"},
        {"\u00a0", "err.name_blank"},
        {"\u3000 ", "err.name_blank"},
        {"", "err.name_blank"},
        {"\u5f20\n\u4e09", "err.name_control"},
        {"\u5f20\t", "err.name_control"},
        {"\u5f20\xC2\x85", "err.name_control"},
        {"\u5f20\u2028", "err.name_control"},
        {"\xC0\xAF", "err.bad_utf8"},
        {"\u9648\u6167\u654f\u9648", "err.too_long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = validate_name(bad[i].in, 3, out);
        if (!why || strcmp(why, bad[i].why)) fail_msg("name %zu: %s, not %s", i, why ? why : "accepted", bad[i].why);
        assert_string_not_equal(i18n_text(LANG_ZH, why), why);
        assert_string_not_equal(i18n_text(LANG_EN, why), why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_router_specific_wins),
        cmocka_unit_test(test_route_table_rows),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_json_decode),
        cmocka_unit_test(test_i18n),
        cmocka_unit_test(test_arena_buf),
        cmocka_unit_test(test_secret),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_tz_offset),
        cmocka_unit_test(test_calendar_days),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
