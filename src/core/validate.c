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
    size_t n = strlen(s);
    if (n < 3) return "err.too_short";
    if (n > 32) return "err.too_long";
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("_.-", *p)))
            return "err.username_chars";
    return NULL;
}

const char *validate_password(const char *s)
{
    if (!s || !*s) return "err.required";
    size_t n = strlen(s);
    if (n < 8) return "err.password_short";
    if (n > 128) return "err.too_long";
    return validate_utf8(s);
}

/* Mobile: 11 digits starting 1[3-9]. Landline: 7-12 digits, optional leading 0 area
 * code with one dash. Spaces are not accepted: store what the phone dials. */
const char *validate_phone(const char *s)
{
    if (!s || !*s) return "err.required";
    size_t n = strlen(s), digits = 0;
    int dashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i])) digits++;
        else if (s[i] == '-' && i > 0 && i + 1 < n) dashes++;
        else return "err.phone_format";
    }
    if (dashes > 1) return "err.phone_format";
    if (digits == 11 && s[0] == '1' && !dashes) return (s[1] >= '3' && s[1] <= '9') ? NULL : "err.phone_format";
    if (digits >= 7 && digits <= 12 && (s[0] == '0' || !dashes)) return NULL;
    return "err.phone_format";
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
