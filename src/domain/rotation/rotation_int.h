/* rotation_int.h — what the files of the rotation capability share: a rotation as read
 * for one request (its row, its fixed order, the turns recorded so far) and the
 * projection of the schedule from them. Nothing outside src/domain/rotation/ includes
 * it; the rest of the program knows the capability only through rotation_capability.
 *
 * The arithmetic (rotation_plan.c): the order of N households repeated over R rounds
 * gives N * R turns; turn seq belongs to household order[seq % N] in round seq / N + 1.
 * A turn done uses a day and hands the key to the household of turn seq + 1; a turn
 * skipped uses no day (the next household takes the same day), so everything after a
 * skip moves up by one household and the plan ends one day earlier per skip. With no
 * skip the plan lasts N * R days: 24 households, 4 rounds, 96 days. */
#ifndef SW_ROTATION_INT_H
#define SW_ROTATION_INT_H
#include "../capability.h"
#include "../scope.h"

/* Who may read rotations, and who may record days and care calls. */
#define ROTATION_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)
#define ROTATION_READERS (ROTATION_LEADERS | ROLE_RESIDENT)
/* The rotation `r` of block `b` is the actor's to read: a leader over the block, or a
 * resident of one of its households. Binds $1, $2 as scope_bind does. */
#define ROTATION_VISIBLE \
    "(" SCOPE_BLOCK " OR EXISTS (SELECT 1 FROM households h WHERE h.block_id = b.id AND " SCOPE_HOUSEHOLD_READ "))"
/* At most this many turns in one plan (households × rounds): a schedule is one reply. */
#define ROTATION_MAX_TURNS 5000

typedef struct rotation_member {
    int64_t household_id;
    const char *room, *status;
} rotation_member;

typedef struct rotation_turn {
    int64_t id, household_id, handover_to, recorded_by;
    int64_t handed_over_at, care_called_at;   /* -1: none */
    int64_t day;                              /* days since 1970-01-01 */
    int seq, round;
    bool skipped;
} rotation_turn;

/* The schedule's figures, from the order and the turns (rotation_plan_compute). */
typedef struct rotation_plan {
    int members, rounds, total;   /* total = members * rounds turns */
    int recorded;                 /* turns recorded: the seq of the next one */
    int skipped;
    int64_t start_day;
    int64_t next_day;             /* the day of turn `recorded` */
    int64_t end_day;              /* the last day of the plan */
} rotation_plan;

typedef struct rotation_ctx {
    int64_t id, block_id, created_by, created_at;
    const char *name, *block_name, *window_start, *window_end, *starts_on, *state;
    int rounds;
    bool leader;                  /* sees every household; else only `mine` */
    int n_members, n_turns, n_mine;
    rotation_member *members;     /* by position; in the request arena */
    rotation_turn *turns;         /* by seq */
    int64_t *mine;                /* the reader's own households (resident view) */
    int64_t today;                /* the community's calendar day now */
    rotation_plan plan;
} rotation_ctx;

/* ---- rotation_plan.c: pure arithmetic, no store ---- */
void rotation_plan_compute(int members, int rounds, int64_t start_day, const rotation_turn *turns, int n_turns,
                           rotation_plan *out);
/* The day of turn seq (recorded or projected), its round (1-based) and member index. */
int64_t rotation_plan_day(const rotation_plan *p, const rotation_turn *turns, int seq);
int rotation_plan_round(const rotation_plan *p, int seq);
int rotation_plan_member(const rotation_plan *p, int seq);
/* Rounds every household has had its turn in (done or skipped). */
int rotation_plan_rounds_done(const rotation_plan *p);
/* Orders room names as people count them: "2号" before "10号", "3-2" before "3-10". */
int rotation_room_cmp(const char *a, const char *b);
/* "HH:MM" with 00 <= HH <= 23, 00 <= MM <= 59 into minutes of the day; -1 otherwise. */
int rotation_parse_hhmm(const char *s);

/* ---- rotation_load.c: reading a rotation as the actor may see it ---- */
/* Loads rotation id with its order and turns. 1 found, 0 not found (or outside the
 * actor's scope), -1 on a store error. */
int rotation_load(http_req *req, int64_t id, rotation_ctx *out);
/* The rotation of path parameter {id}; false with 404 or 500 set. leaders_only: a
 * reader without the leader scope over its block gets 404 too. */
bool rotation_from_path(http_req *req, rotation_ctx *out, bool leaders_only);
const char *rotation_member_room(const rotation_ctx *r, int64_t household_id);
bool rotation_is_mine(const rotation_ctx *r, int64_t household_id);
/* The community's calendar day now. */
int64_t rotation_today(http_req *req);
const char *rotation_tz(http_req *req);
/* A rotation as JSON: its fields, ends_on, rounds_done, today and the current turn. */
json_t *rotation_json(http_req *req, const rotation_ctx *r);
/* One turn of the schedule (recorded or projected) as JSON. */
json_t *rotation_entry_json(http_req *req, const rotation_ctx *r, int seq);
json_t *rotation_date_json(int64_t day);
json_t *rotation_time_json(int64_t us);

/* ---- rotation.c and rotation_turns.c: the routes ---- */
extern const http_route rotation_routes[];
extern const http_route rotation_turn_routes[];
extern const i18n_entry rotation_messages[];
void rotation_tiles(http_req *req, json_t *tiles);
#endif
