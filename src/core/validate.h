/* validate.h — pure checks for input values. Each returns NULL when the value is
 * acceptable, or the i18n key of the reason ("err.too_long", ...) when it is not. */
#ifndef SW_VALIDATE_H
#define SW_VALIDATE_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

const char *validate_text(const char *s, size_t min_chars, size_t max_chars); /* UTF-8, no controls */
const char *validate_utf8(const char *s);
/* A login name: 3-32 of letters, digits, _ . - (a mobile number is one), or 2-32 with
 * Chinese characters (and the middle dot of transcribed names). Writes the canonical
 * form to out (VALIDATE_LOGIN_MAX bytes): NFC, full-width letters and digits as ASCII,
 * Latin in lower case. Two logins are the same account when their forms are equal. */
#define VALIDATE_LOGIN_MAX 512
const char *validate_login_name(const char *s, char *out);
const char *validate_username(const char *s);   /* validate_login_name, without the form */
const char *validate_password(const char *s);   /* 8-128 bytes */
const char *validate_phone(const char *s);      /* CN mobile, landline with area code, or +country */
/* A person's name: refuses control, bidi and invisible characters and a blank name;
 * writes the stored form to out (at least strlen(s) + 1 bytes): NFC, ends trimmed,
 * inner runs of spaces as one space. */
const char *validate_name(const char *s, size_t max_chars, char *out);
const char *validate_lang(const char *s);       /* "zh-CN" or "en" */
const char *validate_timezone(const char *s);   /* Area/City known to the system */
const char *validate_cn_id(const char *s);      /* GB 11643 with check digit */
size_t utf8_chars(const char *s);
bool str_is_int(const char *s, int64_t *out);
#endif
