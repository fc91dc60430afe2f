/* files.h — uploaded files kept on disk beside the database (help-request attachments,
 * antigen photos): the type told by the first bytes, never by the client; a random name
 * under the configured files directory (config_files_dir, one folder a community);
 * bytes made durable before the row that names them commits. */
#ifndef SW_FILES_H
#define SW_FILES_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "config.h"

/* The media type of the bytes by their signature (JPEG, PNG, WebP, PDF) and *ext its
 * file extension, or NULL when not one of them. */
const char *files_sniff(const void *data, size_t n, const char **ext);
/* The media type a stored name's extension stands for (as files_sniff named it). */
const char *files_type_of(const char *stored);
/* Writes data durably under <files_dir>/<community>/ with a random name ending in .ext:
 * stored gets the name relative to files_dir (for the row), path the full path (to
 * remove the file when the row is not written). 0, or -1 on a file-system error. */
int files_save(const config *cfg, int64_t community_id, const void *data, size_t n, const char *ext,
               char stored[96], char path[1024]);
/* The bytes of a stored file of `size` bytes (at most max), in the arena; NULL when it is
 * gone or not of that size. */
char *files_load(arena *a, const config *cfg, const char *stored, size_t size, size_t max);
/* The bytes of a stored file whatever its size (at most max), *len set; NULL when it is
 * gone or larger. */
char *files_read(arena *a, const config *cfg, const char *stored, size_t max, size_t *len);
#endif
