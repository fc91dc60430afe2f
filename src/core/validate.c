/* validate.c — pure input checks returning an i18n reason key or NULL. */
#include "validate.h"
#include <string.h>
#include <stdlib.h>
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

/* Strict UTF-8: no overlongs, no surrogates, nothing past U+10FFFF. */
const char *validate_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n;
        unsigned cp;
        if (c < 0x80) { p++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; if (c < 0xC2) return "err.bad_utf8"; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; if (c > 0xF4) return "err.bad_utf8"; }
        else return "err.bad_utf8";
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) return "err.bad_utf8";
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return "err.bad_utf8";
        p += n + 1;
    }
    return NULL;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

const char *validate_text(const char *s, size_t min_chars, size_t max_chars)
{
    if (!s) return "err.required";
    const char *e = validate_utf8(s);
    if (e) return e;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t') return "err.control_chars";
    size_t n = utf8_chars(s);
    if (n < min_chars) return min_chars == 1 ? "err.required" : "err.too_short";
    if (n > max_chars) return "err.too_long";
    return NULL;
}

const char *validate_username(const char *s)
{
    if (!s || !*s) return "err.required";
    char out[VALIDATE_LOGIN_MAX];
    return validate_login_name(s, out);
}

const char *validate_password(const char *s)
{
    if (!s || !*s) return "err.required";
    size_t n = strlen(s);
    if (n < 8) return "err.password_short";
    if (n > 128) return "err.too_long";
    return validate_utf8(s);
}

/* The digits of s from p on, with single '-' between digits allowed; the count in
 * *digits. False on any other character. */
static bool phone_digits(const char *p, size_t *digits)
{
    *digits = 0;
    for (const char *q = p; *q; q++) {
        if (isdigit((unsigned char)*q)) (*digits)++;
        else if (*q == '-' && q > p && isdigit((unsigned char)q[-1]) && isdigit((unsigned char)q[1])) continue;
        else return false;
    }
    return true;
}

/* A mainland number: a mobile is 11 digits 1[3-9]…; a landline is an area code (0 and
 * 2-3 digits) and 7-8 digits, with a '-' between them or not, and an extension after a
 * '-' or 转. A number from Hong Kong, Macau, Taiwan or abroad is written with its '+'
 * and country code (+852 …): 8 digits alone could be a Hong Kong mobile or a landline
 * without its area code, and neither can be dialled as written. Spaces are not
 * accepted: store what the phone dials (the import removes them first). */
const char *validate_phone(const char *s)
{
    if (!s || !*s) return "err.required";
    size_t n = strlen(s), digits;
    if (s[0] == '+') {
        if (!strncmp(s, "+86", 3)) return validate_phone(s + 3);
        if (!isdigit((unsigned char)s[1]) || s[1] == '0' || !phone_digits(s + 1, &digits) || digits < 7 || digits > 15)
            return "err.phone_international";
        return NULL;
    }
    if (s[0] == '0' && s[1] == '0') return "err.phone_international";
    if (s[0] == '1') {
        if (!phone_digits(s, &digits)) return "err.phone_format";
        if (digits != 11) return "err.phone_mobile_length";
        if (strchr(s, '-') || s[1] < '3') return "err.phone_mobile_prefix";
        return NULL;
    }
    if (s[0] == '0') {
        /* area code, local number, extension: 021-64001234-805, 0571 8888 1234转6 */
        char main[40];
        const char *ext = strstr(s, "转");
        size_t ml = ext ? (size_t)(ext - s) : n;
        if (ml >= sizeof main) return "err.phone_landline";
        memcpy(main, s, ml);
        main[ml] = 0;
        if (ext && (!phone_digits(ext + 3, &digits) || digits < 1 || digits > 6 || strchr(ext + 3, '-')))
            return "err.phone_landline";
        char *d1 = strchr(main, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
        if (d2 && !ext) {
            size_t el;
            if (!phone_digits(d2 + 1, &el) || el < 1 || el > 6 || strchr(d2 + 1, '-')) return "err.phone_landline";
            *d2 = 0;
        } else if (d2) return "err.phone_landline";
        if (!phone_digits(main, &digits)) return "err.phone_format";
        if (d1) {
            size_t area = (size_t)(d1 - main), local = strlen(d1 + 1);
            if (area < 3 || area > 4 || local < 7 || local > 8) return "err.phone_landline";
        } else if (digits < 10 || digits > 12) return "err.phone_landline";
        return NULL;
    }
    if (!phone_digits(s, &digits)) return "err.phone_format";
    if (digits >= 7 && digits <= 8) return "err.phone_area_code";
    return "err.phone_format";
}

/* ---------------------------------------------------------------- names
 *
 * A name is printed on lists that people check at a door: what it shows must be what
 * is stored. NFC here covers what names on those lists use: canonical pairs (Latin,
 * Greek, Cyrillic and other letters with combining marks: pinyin tones, Vietnamese,
 * European names typed on a Mac), Hangul syllables from jamo (by arithmetic), and the
 * singletons (CJK compatibility ideographs, U+F900-FAFF and U+2F800-2FA1D, which look
 * like the unified ones). Marks are composed with the letter before them in the order
 * written; a mark that follows one that did not compose is kept as it is (full NFC
 * would reorder marks by combining class first: no name on our lists needs it). The
 * table comes from the Unicode database (scripts/nfc_table.py); no library is needed. */

#include "validate_nfc.h"

static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n) c &= 0x3Fu >> n;
    for (int i = 1; i <= n; i++) c = (c << 6) | (s[i] & 0x3F);
    *p = s + n + 1;
    return c;
}

static size_t utf8_put(char *o, uint32_t c)
{
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12); o[1] = (char)(0x80 | (c >> 6 & 0x3F)); o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18); o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The character first+second compose to, or 0. */
static uint32_t nfc_compose(uint32_t a, uint32_t b)
{
    /* Hangul: L+V -> LV, LV+T -> LVT */
    if (a >= 0x1100 && a < 0x1113 && b >= 0x1161 && b < 0x1176) return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28;
    if (a >= 0xAC00 && a <= 0xD7A3 && (a - 0xAC00) % 28 == 0 && b > 0x11A7 && b < 0x11C3) return a + (b - 0x11A7);
    size_t lo = 0, hi = sizeof nfc_pairs / sizeof nfc_pairs[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nfc_pairs[mid][0] < a || (nfc_pairs[mid][0] == a && nfc_pairs[mid][1] < b)) lo = mid + 1;
        else hi = mid;
    }
    return lo < sizeof nfc_pairs / sizeof nfc_pairs[0] && nfc_pairs[lo][0] == a && nfc_pairs[lo][1] == b
        ? nfc_pairs[lo][2] : 0;
}

static uint32_t nfc_single(uint32_t c)
{
    size_t lo = 0, hi = sizeof nfc_singles / sizeof nfc_singles[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nfc_singles[mid][0] < c) lo = mid + 1;
        else hi = mid;
    }
    return lo < sizeof nfc_singles / sizeof nfc_singles[0] && nfc_singles[lo][0] == c ? nfc_singles[lo][1] : c;
}

static bool name_space(uint32_t c)
{
    return c == ' ' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F;
}

/* Characters that change how the text around them is shown, or show nothing. */
static bool name_bidi(uint32_t c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static bool name_invisible(uint32_t c)
{
    return (c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF || c == 0x00AD ||
           c == 0x180E || c == 0x034F || (c >= 0xFE00 && c <= 0xFE0F) ||
           c == 0x3164 || c == 0x115F || c == 0x1160 || c == 0xFFA0;
}

const char *validate_name(const char *s, size_t max_chars, char *out)
{
    if (!s) return "err.required";
    const char *e = validate_utf8(s);
    if (e) return e;
    /* refusals first, on the text as given */
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t c = utf8_next(&p);
        if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029) return "err.name_control";
        if (name_bidi(c)) return "err.name_bidi";
        if (name_invisible(c)) return "err.name_invisible";
    }
    /* spaces: none at the ends, one ASCII space for a run inside (John Smith) */
    const unsigned char *p = (const unsigned char *)s;
    char *o = out;
    uint32_t starter = 0;     /* the last character that may still take a mark */
    char *starter_at = NULL;
    bool space = false;
    while (*p) {
        uint32_t c = nfc_single(utf8_next(&p));
        if (name_space(c)) { space = o > out; starter = 0; continue; }
        if (space) { *o++ = ' '; space = false; }
        uint32_t k = starter ? nfc_compose(starter, c) : 0;
        if (k) {
            o = starter_at;
            o += utf8_put(o, k);
            starter = k;
            continue;
        }
        starter_at = o;
        o += utf8_put(o, c);
        /* a mark that did not compose blocks the ones after it */
        starter = (c >= 0x300 && c < 0x370) ? 0 : c;
    }
    *o = 0;
    if (!*out) return "err.name_blank";
    if (utf8_chars(out) > max_chars) return "err.too_long";
    return NULL;
}

/* ---------------------------------------------------------------- login names
 *
 * A login is what a person types on a phone: letters, digits and _ . - as before, a
 * mobile number, or a name in Chinese characters. One account per login however it is
 * typed, so the stored form is canonical: NFC (validate_name), full-width forms
 * (Ａ１２, typed with a Chinese keyboard) as their ASCII letters and digits, Latin letters
 * in lower case. Login, reset and the throttling counters use the same form. */

static bool login_char_cjk(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x20000 && c <= 0x323AF) ||
           c == 0x3007;   /* 〇 */
}

const char *validate_login_name(const char *s, char *out)
{
    if (!s || !*s) return "err.required";
    if (strlen(s) >= VALIDATE_LOGIN_MAX / 2) return "err.too_long";
    char nfc[VALIDATE_LOGIN_MAX];
    const char *why = validate_name(s, 64, nfc);
    if (why) return !strcmp(why, "err.name_blank") ? "err.required" : why;
    const unsigned char *p = (const unsigned char *)nfc;
    char *o = out;
    size_t chars = 0;
    bool cjk = false;
    while (*p) {
        uint32_t c = utf8_next(&p);
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;   /* full-width ASCII forms */
        if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        bool ascii = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ascii && !login_char_cjk(c) && c != 0xB7) return "err.username_chars";
        cjk |= !ascii;
        o += utf8_put(o, c);
        chars++;
    }
    *o = 0;
    if (chars < (cjk ? 2u : 3u)) return "err.too_short";
    if (chars > 32) return "err.too_long";
    return NULL;
}

const char *validate_lang(const char *s)
{
    if (!s || !*s) return "err.required";
    return (!strcmp(s, "zh-CN") || !strcmp(s, "en")) ? NULL : "err.lang";
}

const char *validate_timezone(const char *s)
{
    if (!s || !*s) return "err.required";
    if (strlen(s) > 64 || s[0] == '/' || strstr(s, "..")) return "err.timezone";
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("/_-+", *p))) return "err.timezone";
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", s);
    return access(path, R_OK) == 0 ? NULL : "err.timezone";
}

/* GB 11643-1999: 17 digits, weights 2^(17-i) mod 11, check char from "10X98765432". */
const char *validate_cn_id(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!s || !*s) return "err.required";
    if (strlen(s) != 18) return "err.id_length";
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!isdigit((unsigned char)s[i])) return "err.id_format";
        sum += (s[i] - '0') * w[i];
    }
    char c = (char)toupper((unsigned char)s[17]);
    if (c != check[sum % 11]) return "err.id_check_digit";
    int month = (s[10] - '0') * 10 + (s[11] - '0'), day = (s[12] - '0') * 10 + (s[13] - '0');
    if (month < 1 || month > 12 || day < 1 || day > 31) return "err.id_birth_date";
    return NULL;
}

bool str_is_int(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) return false;
    if (out) *out = v;
    return true;
}
