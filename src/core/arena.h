/* arena.h — per-request memory.
 *
 * Everything a request allocates comes from its arena and is freed at once when the
 * request completes; handlers never free. Objects that own other resources (a jansson
 * value, a statement) register a cleanup that runs when the arena is freed.
 * Out of memory aborts in one place (xmalloc), so callers skip NULL checks. */
#ifndef SW_ARENA_H
#define SW_ARENA_H
#include <stddef.h>
#include <stdarg.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);                       /* accepts NULL */
void *arena_alloc(arena *a, size_t n);           /* zeroed, 16-byte aligned */
char *arena_strdup(arena *a, const char *s);     /* NULL -> NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);
/* Runs fn(p) when the arena is freed, last registered first. */
void arena_on_free(arena *a, void (*fn)(void *), void *p);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
#endif
