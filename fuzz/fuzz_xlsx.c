/* fuzz_xlsx.c — libFuzzer target: arbitrary bytes as an uploaded .xlsx file, through the
 * ZIP reader (directory, local headers, stored and deflated members, the size bounds),
 * the XML reader and the shared strings, as the registry import reads them. */
#include <stdint.h>
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *file = fuzz_copy(data, size);
    arena *a = arena_new();
    (void)import_is_zip(file, size);
    import_table t;
    memset(&t, 0, sizeof t);
    const char *err = import_parse_xlsx(a, file, size, &t);
    if (!err) fuzz_check_table(&t);
    else if (!*err) fuzz_fail("an error without a message key");
    arena_free(a);
    free(file);
    return 0;
}
