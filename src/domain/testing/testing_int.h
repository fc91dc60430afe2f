/* testing_int.h — shared inside the testing-rounds capability (核酸 / 抗原): the words it
 * stores, who may do what, and what its files share with each other and nobody else.
 *
 * Files: testing_rounds.c (rounds, scope, stations, exemptions, door-to-door list),
 * testing_station.c (tubes, boxes, registrations, offline sync, the station's cache),
 * testing_coverage.c (coverage, the not-tested list and its call marks),
 * testing_results.c (tube results typed or imported, tracing, follow-up, antigen
 * reports, the round's summary), demo_testing.c (the demo's rounds).
 *
 * Who sees what: leaders the people of their scope (SCOPE_HOUSEHOLD); committee staff
 * set rounds up; volunteers staffing a station of an open round register at it and see
 * what the station needs (its tubes, the round's people by name, room and masked
 * phone); a resident their own household's samples and antigen reports. */
#ifndef SW_TESTING_INT_H
#define SW_TESTING_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include "../demo_step.h"
#include <stdbool.h>

#define TESTING_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)
#define TESTING_STAFF (TESTING_LEADERS | ROLE_VOLUNTEER)

/* Who a round expects, as SQL over residents r, households h and blocks b, with the
 * round's id given as an expression (a column or a $n): living in the community, in
 * a household that is lived in, inside the round's scope (no scope row: everyone). */
#define TESTING_IN_SCOPE(round) \
    "(NOT EXISTS (SELECT 1 FROM test_round_scope s WHERE s.round_id = " round ") OR EXISTS (SELECT 1 " \
    "FROM test_round_scope s WHERE s.round_id = " round " AND (s.block_id = b.id OR s.zone_id = b.zone_id)))"
#define TESTING_EXPECTED(round) \
    "r.moved_out_at IS NULL AND h.status IN ('occupied', 'rented_out') AND " TESTING_IN_SCOPE(round)
/* r has a counted sample in the round, or is exempt from it. */
#define TESTING_SAMPLED(round) \
    "EXISTS (SELECT 1 FROM test_samples ts WHERE ts.round_id = " round " AND ts.resident_id = r.id " \
    "AND ts.state = 'counted')"
#define TESTING_EXEMPT(round) \
    "EXISTS (SELECT 1 FROM test_exemptions te WHERE te.round_id = " round " AND te.resident_id = r.id)"

/* What one file defines and the others call: each file declares its own below,
 * under its name, so that parallel work on the files does not collide. */
/* testing_rounds.c */
/* A round as the other files need it: its kind and pool size decide a tube's capacity,
 * its state whether stations may register (open only), on_day the station's day. */
typedef struct testing_round {
    int64_t id;
    char kind[16];            /* pcr_pooled, pcr_single, antigen */
    int pool_size;
    char state[12];           /* planned, open, closed */
    char on_day[11];          /* YYYY-MM-DD */
    const char *name;         /* in the request arena */
} testing_round;
/* The round in the actor's community (no role check: the caller's route did it). */
bool testing_round_load(http_req *req, int64_t round_id, testing_round *out);
/* 1 when the actor may register at the station (committee staff: any station of the
 * community; anyone else: named in its staff), with *round filled; 0 when not found or
 * not allowed (answer 404). */
int testing_station_access(http_req *req, int64_t station_id, testing_round *round);
/* The round is the actor's to see: leaders every round of the community, anyone else
 * a round in which they staff a station. */
bool testing_round_visible(http_req *req, int64_t round_id);
/* Helpers of the set-up and coverage files (testing_rounds.c, testing_coverage.c): a
 * word of a list; a stored word in the reader's language (prefix + word; "" for none); an optional
 * positive id of the query (false with 400 set); a list title with the block's name;
 * a stored time as the community's wall time (or null); a phone with its middle
 * hidden (138****5678), for lists read by people who only need to recognise it. */
bool testing_setup_word_in(const char *word, const char *const *list);
const char *testing_setup_word(http_req *req, const char *prefix, const char *word);
bool testing_setup_query_id(http_req *req, const char *name, int64_t *out);
const char *testing_setup_title(http_req *req, const char *key, int64_t block_id);
json_t *testing_setup_time(http_req *req, store_stmt *st, int col);
const char *testing_setup_tz(http_req *req);              /* the community's zone */
json_t *testing_setup_local(http_req *req, int64_t us);   /* a time as its wall time */
const char *testing_setup_phone_mask(http_req *req, const char *phone);
/* Ends a list handler: binds the cursor as $at and the page size + 1 as $at+1 of a
 * statement ordered by id, collects its rows with row() and replies the list titled
 * title_key (with the block's name when block_id > 0). */
int testing_setup_list(http_req *req, store_stmt *st, int at, json_t *(*row)(store_stmt *st, void *ctx),
                       const char *title_key, int64_t block_id, const list_column *cols);
/* The resident (living, of the round's scope) in the leader's scope: its household's
 * block, or 0 when not (answer 404: another leader's resident does not exist here). */
int64_t testing_setup_resident(http_req *req, int64_t round_id, int64_t resident_id);
/* testing_station.c */
/* testing_coverage.c */
/* testing_results.c */

/* The route tables, tiles and demo steps each file contributes,
 * gathered by capability.c. A file with nothing of a kind leaves it out. */
extern const http_route testing_round_routes[], testing_station_routes[], testing_coverage_routes[],
    testing_result_routes[];
extern const i18n_entry testing_round_messages[], testing_station_messages[], testing_coverage_messages[],
    testing_result_messages[];
void testing_tiles(http_req *req, json_t *tiles);
extern const demo_step testing_demo_steps[];
#endif
