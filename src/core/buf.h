/* buf.h — a growable byte buffer with a cap (like curl's dynbuf).
 * An append past the cap fails and leaves the buffer freed, so callers cannot leak. */
#ifndef SW_BUF_H
#define SW_BUF_H
#include <stddef.h>
#include <stdbool.h>

typedef struct buf {
    char *data;       /* always NUL-terminated when len > 0 */
    size_t len, cap, max;
} buf;

void buf_init(buf *b, size_t max);             /* max 0 = unbounded */
bool buf_append(buf *b, const void *p, size_t n);
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s (NULL as "") with < > & " ' written as HTML entities: text in printable pages. */
bool buf_html_escape(buf *b, const char *s);
void buf_free(buf *b);
/* Hands over the bytes (caller frees with free()); the buffer is empty afterwards. */
char *buf_take(buf *b, size_t *len);
#endif
