/* import_table.h — the registry import's view of an uploaded table (import.c): the
 * readers of src/core/table_read.h, and the mapping of column headers to the
 * registry's fields. */
#ifndef SW_IMPORT_TABLE_H
#define SW_IMPORT_TABLE_H
#include "../../core/table_read.h"

/* The registry fields a column can feed. */
enum {
    IF_BLOCK, IF_ZONE, IF_ROOM, IF_STATUS, IF_HH_PHONE, IF_NAME, IF_GENDER, IF_BIRTH,
    IF_PHONE, IF_ID_KIND, IF_ID_NUMBER, IF_PARTY, IF_FLOATING, IF_OWNER, IF_COUNT
};
#define IMPORT_IGNORED (-2)   /* a known column the import does not use (与户主关系) */
const char *import_field_name(int field);          /* "block", "id_number", ... */
int import_field_by_name(const char *name);         /* -1 when unknown */
/* The field a header names, in Chinese or English; -1 unknown, IMPORT_IGNORED. */
int import_auto_field(const char *header);
#endif
