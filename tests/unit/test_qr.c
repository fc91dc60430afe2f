/* test_qr.c — the QR-to-SVG module: sizes by version, structure of the SVG, the quiet
 * zone, determinism, and refusal of what cannot be encoded. It decodes nothing: the
 * symbol's content is libqrencode's business; the drawing is ours. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/qr.h"

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* qr-1: table of texts and the symbol width (version 1 is 21 modules, +4 per version)
 * at level M; the viewBox adds the quiet zone on each side. */
static void test_sizes(void **state)
{
    (void)state;
    static const struct { const char *text; int min_modules, max_modules; } cases[] = {
        {"A", 21, 21},
        {"SW1:H:0123456789ABCDEF", 25, 29},
        {"https://shouwang.example.org/join?code=ABCDE-FGHJK", 33, 41},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int w = 0;
        char *svg = qr_svg(cases[i].text, &w);
        assert_non_null(svg);
        assert_true(w >= cases[i].min_modules && w <= cases[i].max_modules);
        assert_int_equal((w - 21) % 4, 0);
        char vb[64];
        snprintf(vb, sizeof vb, "viewBox=\"0 0 %d %d\"", w + 2 * QR_QUIET_ZONE, w + 2 * QR_QUIET_ZONE);
        assert_non_null(strstr(svg, vb));
        free(svg);
    }
}

/* qr-2: one svg element, one white background, one path; runs start inside the quiet
 * zone's border; the three finder patterns put a 7-module run at (4,4). */
static void test_structure(void **state)
{
    (void)state;
    int w = 0;
    char *svg = qr_svg("SW1:R:ZYXWVTSRQPNMKJHG", &w);
    assert_non_null(svg);
    assert_int_equal(strncmp(svg, "<svg ", 5), 0);
    assert_int_equal(count(svg, "<svg"), 1);
    assert_int_equal(count(svg, "</svg>"), 1);
    assert_int_equal(count(svg, "<path"), 1);
    assert_int_equal(count(svg, "<rect"), 1);
    assert_non_null(strstr(svg, "M4 4h7v1h-7z"));
    assert_null(strstr(svg, "width=\"100")); /* no fixed page size */
    /* every run lies inside the symbol, never in the quiet zone */
    const char *p = strstr(svg, " d=\"");
    assert_non_null(p);
    int x, y, run, n = 0;
    for (p = strchr(p, 'M'); p; p = strchr(p + 1, 'M')) {
        assert_int_equal(sscanf(p, "M%d %dh%d", &x, &y, &run), 3);
        assert_true(x >= QR_QUIET_ZONE && y >= QR_QUIET_ZONE);
        assert_true(x + run <= QR_QUIET_ZONE + w && y < QR_QUIET_ZONE + w);
        assert_true(run >= 1);
        n++;
    }
    assert_true(n > 20);
    free(svg);
}

/* qr-3: the same text gives the same bytes; a different text other bytes. */
static void test_determinism(void **state)
{
    (void)state;
    char *a = qr_svg("SW1:H:AAAAAAAAAAAAAAAA", NULL), *b = qr_svg("SW1:H:AAAAAAAAAAAAAAAA", NULL);
    char *c = qr_svg("SW1:H:AAAAAAAAAAAAAAAB", NULL);
    assert_non_null(a);
    assert_non_null(c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    free(a);
    free(b);
    free(c);
}

/* qr-4: empty and over-long texts are refused (level M holds at most 2,331 bytes). */
static void test_refusals(void **state)
{
    (void)state;
    assert_null(qr_svg("", NULL));
    assert_null(qr_svg(NULL, NULL));
    char *big = malloc(4001);
    memset(big, 'x', 4000);
    big[4000] = 0;
    assert_null(qr_svg(big, NULL));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
