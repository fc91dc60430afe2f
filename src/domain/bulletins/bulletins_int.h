/* bulletins_int.h — shared inside the bulletins capability (通告): the words it stores,
 * the SQL that says who sees which bulletin, and its files' route tables and catalogues.
 *
 * Who sees what: committee staff every bulletin of the community, scheduled and
 * withdrawn ones too; everyone else the published ones (publish_at passed, not
 * withdrawn) whose audience reaches a household they may read (scope.h's
 * SCOPE_HOUSEHOLD_READ: a resident their household's block, a block leader their
 * blocks, a zone leader their zone), or that are for the whole community. Anything
 * else is 404. Receipts are per household; leaders see counts and the households
 * that have not seen a bulletin in their own scope (SCOPE_BLOCK, SCOPE_HOUSEHOLD). */
#ifndef SW_BULLETINS_INT_H
#define SW_BULLETINS_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include <stdbool.h>

#define BUL_STAFF ROLE_COMMITTEE
#define BUL_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)
#define BUL_READERS (BUL_LEADERS | ROLE_VOLUNTEER | ROLE_RESIDENT)

/* Whether household h of block b is in the audience of bulletin x. */
#define BUL_AUDIENCE \
    "(x.scope_kind = 'community' OR EXISTS (SELECT 1 FROM bulletin_targets t WHERE t.community_id = x.community_id " \
    "AND t.bulletin_id = x.id AND (t.block_id = b.id OR t.zone_id = b.zone_id)))"

/* Whether bulletin x is visible: $1 community, $2 user, $3 1 for staff, $4 now. */
#define BUL_VISIBLE \
    "x.community_id = $1 AND ($3 = 1 OR (x.state = 'published' AND x.publish_at <= $4 AND (x.scope_kind = " \
    "'community' OR EXISTS (SELECT 1 FROM bulletin_targets t JOIN blocks b ON b.community_id = t.community_id " \
    "AND (b.id = t.block_id OR b.zone_id = t.zone_id) JOIN households h ON h.community_id = b.community_id " \
    "AND h.block_id = b.id WHERE t.community_id = x.community_id AND t.bulletin_id = x.id AND " \
    SCOPE_HOUSEHOLD_READ "))))"

extern const char *const bulletin_langs[];   /* zh-CN, en, ja, ko */

bool bulletin_is_staff(http_req *req);
/* Binds $1..$4 of a BUL_VISIBLE statement. */
void bulletin_visible_bind(http_req *req, store_stmt *st, int64_t now);
/* Whether bulletin id is visible to the actor (see above). */
bool bulletin_visible(http_req *req, int64_t id);
/* Whether bulletin id is published now (not scheduled, not withdrawn). */
bool bulletin_live(http_req *req, int64_t id);
/* The language a reader asked for: ?text_lang= (?lang= is the app's own, zh-CN or en),
 * else the first of Accept-Language among the four, else the app's language. */
const char *bulletin_reader_lang(http_req *req);
/* The community's local "YYYY-MM-DD HH:MM" and day "YYYY-MM-DD", in the request arena. */
const char *bulletin_local_time(http_req *req, int64_t us);
const char *bulletin_local_day(http_req *req, int64_t us);
json_t *bulletin_time_json(int64_t us);
/* Replies 200 with the bytes of b as `type`; frees b. */
struct buf;
int bulletin_reply_raw(http_req *req, struct buf *b, const char *type);
/* "https://host" of this request, for links printed on paper. */
const char *bulletin_base_url(http_req *req);
/* Tells the members in scope of an urgent bulletin that is live and not yet told (once:
 * notified_at is claimed first). Inside a write job. Returns how many, or -1. */
int64_t bulletin_notify_due(store_conn *c, int64_t community_id, int64_t id, int64_t now);
/* Announces a live bulletin whose announce_at has passed to the chat-group channels
 * (outbox_event "bulletin.published", key bulletin:<id>:v<version>), once: announce_at
 * is claimed first. Inside a write job. 0, or -1 on a store error. */
int bulletin_announce_due(store_conn *c, int64_t community_id, int64_t id, int64_t now);
/* The urgent bulletins that became live since the last hour: told once. */
void bulletin_hourly(store *s);
/* About once a second: bulletins whose time has come are told and announced. */
void bulletin_tick(store *s);
void bulletin_tiles(http_req *req, json_t *tiles);

extern const http_route bulletin_routes[], receipt_routes[], sheet_routes[];
extern const i18n_entry bulletin_messages[], receipt_messages[], sheet_messages[];
#endif
