/* buf.c — capped growable buffer; see buf.h. */
#include "buf.h"
#include <assert.h>
#include "arena.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

bool buf_append(buf *b, const void *p, size_t n)
{
    assert(b && (p || n == 0) && b->len <= b->cap);
    if (b->max && b->len + n > b->max) {
        buf_free(b);
        return false;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return true;
}

bool buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

bool buf_printf(buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return false;
    if ((size_t)n < sizeof small) return buf_append(b, small, (size_t)n);
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bool ok = buf_append(b, big, (size_t)n);
    free(big);
    return ok;
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool buf_html_escape(buf *b, const char *s)
{
    bool ok = true;
    for (const char *p = s ? s : ""; *p && ok; p++) {
        switch (*p) {
        case '<': ok = buf_puts(b, "&lt;"); break;
        case '>': ok = buf_puts(b, "&gt;"); break;
        case '&': ok = buf_puts(b, "&amp;"); break;
        case '"': ok = buf_puts(b, "&quot;"); break;
        case '\'': ok = buf_puts(b, "&#39;"); break;
        default: ok = buf_append(b, p, 1);
        }
    }
    return ok;
}

char *buf_take(buf *b, size_t *len)
{
    char *d = b->data ? b->data : xstrdup("");
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
