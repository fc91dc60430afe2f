/* test_fuzz_corpus.c — every committed fuzz input of the import parsers (fuzz/corpus/
 * csv, xlsx, multipart: the seeds and every input that ever crashed anything) run once
 * through the same checks as the fuzz targets, in the unit stage with gcc, AddressSanitizer
 * and UBSan, so a fixed crash stays fixed without clang or libFuzzer. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../fuzz/fuzz_import.h"

#define LLVMFuzzerTestOneInput fuzz_csv_one
#include "../../fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_xlsx_one
#include "../../fuzz/fuzz_xlsx.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_multipart_one
#include "../../fuzz/fuzz_multipart.c"
#undef LLVMFuzzerTestOneInput

/* The corpus directory from the repository root, tests/ or build/unit/. */
static DIR *open_corpus(const char *target, char *path, size_t cap)
{
    static const char *const roots[] = {"fuzz/corpus", "../fuzz/corpus", "../../fuzz/corpus"};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
        snprintf(path, cap, "%s/%s", roots[i], target);
        DIR *d = opendir(path);
        if (d) return d;
    }
    return NULL;
}

static int replay(const char *target, int (*one)(const uint8_t *, size_t))
{
    char dir[256];
    DIR *d = open_corpus(target, dir, sizeof dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char file[600];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        FILE *f = fopen(file, "rb");
        assert_non_null(f);
        uint8_t *buf = malloc(1 << 20);
        assert_non_null(buf);
        size_t len = fread(buf, 1, 1 << 20, f);
        fclose(f);
        assert_int_equal(one(buf, len), 0);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void test_csv_corpus(void **state)
{
    (void)state;
    assert_true(replay("csv", fuzz_csv_one) >= 5);
}

static void test_xlsx_corpus(void **state)
{
    (void)state;
    assert_true(replay("xlsx", fuzz_xlsx_one) >= 5);
}

static void test_multipart_corpus(void **state)
{
    (void)state;
    assert_true(replay("multipart", fuzz_multipart_one) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_corpus),
        cmocka_unit_test(test_xlsx_corpus),
        cmocka_unit_test(test_multipart_corpus),
    };
    return cmocka_run_group_tests_name("fuzz corpus", tests, NULL, NULL);
}
