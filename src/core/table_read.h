/* table_read.h — reading an uploaded table (a registry import, a lab's result file):
 * character set detection, CSV, a minimal XLSX reader (ZIP + XML) and multipart/form-data
 * with one file.
 *
 * Every reader turns its input into one import_table of NUL-terminated UTF-8 cells and
 * is bounded (rows, columns, cell length, decompressed bytes) so that a hostile file
 * costs at most a few times its own size. Errors are i18n keys (import.err.*). */
#ifndef SW_TABLE_READ_H
#define SW_TABLE_READ_H
#include <stddef.h>
#include <stdbool.h>
#include "arena.h"

#define IMPORT_MAX_ROWS 100000          /* data rows, the header not counted */
#define IMPORT_MAX_COLS 64
#define IMPORT_MAX_CELL 4096            /* bytes of one cell */
#define IMPORT_MAX_CELLS 4000000        /* cells in the whole table */
#define IMPORT_MAX_UNZIP (96u << 20)    /* bytes inflated from one ZIP member */

typedef struct import_table {
    int n_rows;               /* rows[0] is the header row */
    int n_cols;               /* every row has n_cols cells ("" when absent) */
    char ***rows;
    int *line;                /* CSV: line where the record starts; XLSX: the sheet's row */
    int err_line;             /* line of a parse error, 0 when not tied to a line */
} import_table;

/* Converts a text file to UTF-8: UTF-8 (BOM stripped), UTF-16 with BOM, else GB18030
 * (which covers GBK and GB2312). *encoding is "utf-8", "utf-16" or "gb18030". */
const char *import_to_utf8(arena *a, const char *data, size_t len, char **out, size_t *out_len,
                           const char **encoding);
/* Parses CSV (comma, or tab/semicolon when the first line says so). Blank rows are
 * skipped; quoted fields may hold delimiters, quotes ("") and newlines. */
const char *import_parse_csv(arena *a, const char *utf8, size_t len, import_table *t);

/* True when the bytes start like a ZIP archive (an .xlsx file). */
bool import_is_zip(const char *data, size_t len);
/* Reads the first worksheet of an .xlsx file. */
const char *import_parse_xlsx(arena *a, const char *data, size_t len, import_table *t);

/* One part of a multipart/form-data body. */
typedef struct import_part {
    const char *name, *filename, *content_type;
    const char *data;         /* points into the body */
    size_t len;
} import_part;
/* Splits a multipart/form-data body; returns the number of parts or -1. */
int import_multipart(arena *a, const char *content_type, const char *body, size_t len,
                     import_part *parts, int max_parts);
#endif
