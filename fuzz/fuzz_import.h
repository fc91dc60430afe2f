/* fuzz_import.h — what the import parsers' fuzz targets share: the invariants every
 * table a reader returns must keep, checked on each input (an abort is a finding). */
#ifndef SW_FUZZ_IMPORT_H
#define SW_FUZZ_IMPORT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/domain/registry/import_table.h"

static inline void fuzz_fail(const char *what)
{
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
}

/* A returned table has a header row, n_cols cells in every row, each a terminated
 * string within the cell limit, and stays inside the readers' bounds. */
static inline void fuzz_check_table(const import_table *t)
{
    if (t->n_rows < 1 || t->n_rows > IMPORT_MAX_ROWS + 1) fuzz_fail("row count");
    if (t->n_cols < 1 || t->n_cols > IMPORT_MAX_COLS) fuzz_fail("column count");
    for (int r = 0; r < t->n_rows; r++) {
        if (!t->rows[r]) fuzz_fail("missing row");
        for (int c = 0; c < t->n_cols; c++) {
            if (!t->rows[r][c]) fuzz_fail("missing cell");
            if (strlen(t->rows[r][c]) > IMPORT_MAX_CELL * 4) fuzz_fail("cell past the limit");
        }
    }
    /* The header mapping reads every header cell. */
    for (int c = 0; c < t->n_cols; c++) (void)import_auto_field(t->rows[0][c]);
}

/* An exact-size copy without a terminator, so a reader that treats its input as a C
 * string reads past the allocation and AddressSanitizer reports it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p) abort();
    memcpy(p, data, size);
    return p;
}
#endif
