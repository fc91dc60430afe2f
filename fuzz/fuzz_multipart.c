/* fuzz_multipart.c — libFuzzer target: a multipart/form-data upload. The input's first
 * line is the Content-Type header's value (so the boundary parameter is fuzzed too),
 * the rest is the body, not NUL-terminated. Every part returned must lie inside the
 * body. */
#include <stdint.h>
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - data) : size;
    char *ctype = malloc(head + 1);
    if (!ctype) abort();
    memcpy(ctype, data, head);
    ctype[head] = '\0';
    size_t blen = nl ? size - head - 1 : 0;
    char *body = fuzz_copy(nl ? nl + 1 : data + size, blen);
    arena *a = arena_new();
    import_part parts[8];
    int n = import_multipart(a, ctype, body, blen, parts, 8);
    if (n > 8) fuzz_fail("more parts than room");
    for (int i = 0; i < n; i++) {
        if (parts[i].len > blen) fuzz_fail("part longer than the body");
        if (parts[i].len && (parts[i].data < body || parts[i].data + parts[i].len > body + blen))
            fuzz_fail("part outside the body");
        if (parts[i].name) (void)strlen(parts[i].name);
        if (parts[i].filename) (void)strlen(parts[i].filename);
        if (parts[i].content_type) (void)strlen(parts[i].content_type);
    }
    arena_free(a);
    free(body);
    free(ctype);
    return 0;
}
