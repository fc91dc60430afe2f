/* help_files.c — attachments of a help request (photos of a prescription, a hospital's
 * letter as PDF): stored on disk outside the database, in the configured files
 * directory (config_files_dir; the backup command copies it with the database), under
 * a random name; the row in help_attachments says whose it is. The type is sniffed from
 * the first bytes (JPEG, PNG, WebP, PDF), never taken from the client, and the size is
 * capped. A file is served only to those who see the request, as an attachment with
 * the sniffed type and `nosniff`.
 *
 * The bytes are written and fsync'ed in the prepare step on the HTTP thread (not in the
 * writer, which must not wait on a 10 MiB write); the job then checks the request and
 * records the row. When the job refuses, it removes the file it was handed. */
#include "help_int.h"
#include "../../core/clock.h"
#include "../../core/files.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HELP_FILE_MAX (10u << 20)
#define HELP_FILES_PER_REQUEST 20

typedef struct help_upload {
    char path[1024];          /* where the bytes are */
    char stored[96];          /* the name under the files directory */
    const char *type, *ext;
    size_t size;
} help_upload;

/* POST /help-requests/{id}/attachments?name=… (the raw bytes as the body): prepare. */
static int help_file_prepare(http_req *req)
{
    if (!req->body_len) return http_fail_field(req, "file", "err.required");
    help_upload *u = arena_alloc(req->a, sizeof *u);
    u->type = files_sniff(req->body, req->body_len, &u->ext);
    if (!u->type) return http_fail_field(req, "file", "help.err.file_type");
    u->size = req->body_len;
    if (files_save(req->cfg, req->actor.community_id, req->body, req->body_len, u->ext, u->stored, u->path))
        return http_fail_internal(req, "file write");
    req->scratch = u;
    return 0;
}

static int help_file_refuse(http_req *req, help_upload *u, int rc)
{
    (void)req;
    unlink(u->path);
    return rc;
}

static int help_file_add(http_req *req)
{
    help_upload *u = req->scratch;
    int64_t id;
    if (!http_param_id(req, "id", &id)) return help_file_refuse(req, u, -1);
    const char *name = http_query(req, "name");
    if (!name || !*name) name = arena_printf(req->a, "attachment.%s", u->ext);
    if (strlen(name) > 120 || validate_utf8(name) || strpbrk(name, "/\\\"\r\n"))
        return help_file_refuse(req, u, http_fail_field(req, "name", "help.err.file_name"));
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) " HELP_FROM "WHERE r.id = $3 AND " HELP_VISIBLE, "iii",
                         req->actor.community_id, req->actor.user_id, id))
        return help_file_refuse(req, u, http_fail_not_found(req));
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM help_attachments WHERE community_id = $1 AND "
                        "request_id = $2", "ii", req->actor.community_id, id) >= HELP_FILES_PER_REQUEST)
        return help_file_refuse(req, u, http_fail(req, 409, "conflict", "file", "help.err.file_count"));
    store_stmt *st = store_prepare(req->conn, "INSERT INTO help_attachments (community_id, request_id, name, type, "
                                              "size, stored_name, created_by, created_at) VALUES ($1, $2, $3, $4, "
                                              "$5, $6, $7, $8) RETURNING id");
    if (!st) return help_file_refuse(req, u, http_fail_internal(req, store_errmsg(req->conn)));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    store_bind_text(st, 3, name);
    store_bind_text(st, 4, u->type);
    store_bind_int(st, 5, (int64_t)u->size);
    store_bind_text(st, 6, u->stored);
    store_bind_int(st, 7, req->actor.user_id);
    store_bind_int(st, 8, clock_now_us());
    int64_t aid = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!aid) return help_file_refuse(req, u, http_fail_internal(req, "attachment insert"));
    if (help_event(req->conn, req->actor.community_id, id, req->actor.user_id, "attachment", NULL, NULL, name) < 0)
        return help_file_refuse(req, u, http_fail_internal(req, "help event"));
    http_audit_target(req, "help_request", id, json_pack("{s:I, s:s}", "attachment_id", (json_int_t)aid, "type",
                                                         u->type));
    return help_reply(req, 201, id);
}

/* GET /help-requests/{id}/attachments/{file} — whoever sees the request. */
static int help_file_get(http_req *req)
{
    int64_t id, aid;
    if (!http_param_id(req, "id", &id) || !http_param_id(req, "file", &aid)) return -1;
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT f.name, f.type, f.stored_name, f.size FROM help_attachments f JOIN "
                  "help_requests r ON r.id = f.request_id JOIN households h ON h.id = r.household_id JOIN blocks b "
                  "ON b.id = r.block_id LEFT JOIN volunteers av ON av.id = r.assigned_volunteer_id WHERE f.id = $3 "
                  "AND f.request_id = $4 AND " HELP_VISIBLE, "iiii", req->actor.community_id, req->actor.user_id, aid,
                  id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *name = arena_strdup(req->a, store_col_text(st, 0)), *type = arena_strdup(req->a,
        store_col_text(st, 1));
    char *bytes = files_load(req->a, req->cfg, store_col_text(st, 2), (size_t)store_col_int(st, 3), HELP_FILE_MAX);
    size_t size = (size_t)store_col_int(st, 3);
    store_done(st);
    if (!bytes) return http_fail(req, 404, "not_found", "file", "help.err.file_gone");
    req->out_raw = bytes;
    req->out_raw_len = size;
    req->out_type = type;
    req->out_filename = name;
    req->status = 200;
    return 0;
}

const http_route help_file_routes[] = {
    {"POST", "/api/v1/help-requests/{id}/attachments", help_file_prepare, help_file_add, HELP_MEMBERS,
     ROUTE_WRITE | ROUTE_RAW_BODY, HELP_FILE_MAX, "help.attachment"},
    {"GET", "/api/v1/help-requests/{id}/attachments/{file}", NULL, help_file_get, HELP_MEMBERS, 0, 0, NULL},
    {0},
};

const i18n_entry help_file_messages[] = {
    {"help.err.file_type", "只能上传照片（JPEG、PNG、WebP）或 PDF", "Only photos (JPEG, PNG, WebP) or PDF files"},
    {"help.err.file_name", "文件名不超过 120 个字符，且不能含 / \\ 或引号",
     "The file name must be at most 120 characters, without / \\ or quotes"},
    {"help.err.file_count", "一条求助最多 20 个附件", "At most 20 attachments per request"},
    {"help.err.file_gone", "文件已不在服务器上", "The file is no longer on the server"},
    {0, 0, 0},
};
