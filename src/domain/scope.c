/* scope.c — the scope checks of scope.h, one statement each. */
#include "scope.h"

bool scope_has(http_req *req, const char *count_sql, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, count_sql);
    if (!st) return false;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    bool ok = store_step(st) == STORE_ROW && store_col_int(st, 0) > 0;
    store_done(st);
    return ok;
}

bool scope_block_visible(http_req *req, int64_t block_id)
{
    return scope_has(req, "SELECT COUNT(*) FROM blocks b WHERE " SCOPE_BLOCK " AND b.id = $3", block_id);
}

/* Household within the actor's leader scope: where a leader may write. */
bool scope_household_visible(http_req *req, int64_t household_id)
{
    return scope_has(req,
                     "SELECT COUNT(*) FROM households h JOIN blocks b ON b.id = h.block_id WHERE " SCOPE_HOUSEHOLD
                     " AND h.id = $3",
                     household_id);
}

bool scope_zone_visible(http_req *req, int64_t zone_id)
{
    return scope_has(req, "SELECT COUNT(*) FROM zones z WHERE " SCOPE_ZONE " AND z.id = $3", zone_id);
}
