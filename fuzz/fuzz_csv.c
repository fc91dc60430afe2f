/* fuzz_csv.c — libFuzzer target: arbitrary bytes as an uploaded text file, through the
 * character set detection (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and
 * the CSV reader, as POST /api/v1/registry/import does with a committee's file. */
#include <stdint.h>
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *file = fuzz_copy(data, size);
    arena *a = arena_new();
    char *utf8 = NULL;
    size_t len = 0;
    const char *encoding = NULL;
    const char *err = import_to_utf8(a, file, size, &utf8, &len, &encoding);
    if (!err) {
        if (!utf8 || !encoding) fuzz_fail("conversion without output");
        import_table t;
        memset(&t, 0, sizeof t);
        if (!import_parse_csv(a, utf8, len, &t)) fuzz_check_table(&t);
    } else if (!*err) {
        fuzz_fail("an error without a message key");
    }
    arena_free(a);
    free(file);
    return 0;
}
