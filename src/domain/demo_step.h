/* demo_step.h — the demo as steps: the plan of one demo community (demo_plan.c draws
 * it in memory) and the steps that write it, each owned by the capability whose tables
 * it fills (its `demo` member in capability.h). demo.c runs every capability's steps in
 * one write job, in the order of their `order` numbers:
 *    0 accounts: the community            10 registry: zones, blocks, households, residents
 *   20 accounts: the logins and roles      30 registry: the structure's posts
 *   40 registry: vulnerability flags       50 registry: the residents' search terms
 * A step returns STORE_OK, or an error after demo_step_fail (the whole load rolls back).
 * Only the demo's files include this header. */
#ifndef SW_DEMO_STEP_H
#define SW_DEMO_STEP_H
#include "demo.h"

typedef struct plan_block {
    int zone;                 /* index into the plan's zones; -1: no zone */
    char name[40];            /* 3号楼2单元 */
    int floors, flats;
    int first_hh, n_hh;       /* households [first_hh, first_hh + n_hh) */
} plan_block;

/* One member of a courtyard committee (院委会): a resident with a block_leader login. */
typedef struct plan_member {
    int block, res, hh;
    char username[24];
    int64_t user_id;
} plan_member;

typedef struct plan_household {
    int block;
    char room[56];            /* 3号楼2单元502 */
    const char *status;
    char phone[12];
    const char *notes;
    int first, count;         /* residents [first, first + count) */
    int forced;               /* holds a demo login: never drawn for isolation */
} plan_household;

typedef struct plan_resident {
    int household;
    char name[48];
    char gender[2];
    int birth_year;
    char birth_date[11];      /* empty: not recorded */
    char phone[12];
    const char *id_kind;
    char *id_cipher;          /* NULL without a field key */
    char id_hash[65];
    char *id_masked;
    const char *languages;
    int owner, floating, party;
} plan_resident;

typedef struct plan_flag {
    int resident;
    const char *flag;
    char detail[192];         /* JSON; no_smartphone gets its relay filled in at insert */
    int64_t set_at, cleared_at;  /* cleared_at 0: still set */
} plan_flag;

typedef struct demo_plan {
    const config *cfg;
    const struct shape_spec *spec;
    demo_shape shape;
    const char *community, *timezone;
    uint64_t rng;
    int64_t now;              /* µs UTC */
    int64_t today;            /* day number in Shanghai */
    int ref_year;
    plan_block *blocks;
    int n_blocks;
    char (*zones)[24];
    int n_zones;
    plan_household *hh;
    int n_hh;
    plan_resident *res;
    int n_res, cap_res;
    plan_flag *flags;
    int n_flags, cap_flags;
    uint64_t *phones, *ids;   /* open-addressing sets of 2^set_bits slots */
    int set_bits;
    plan_member *members;
    int n_members;
    int n_rented_highrise;
    int leader_res, leader_hh, resident_res, resident_hh;
    int n_passports;
    char pw_hash[128];
    /* filled by the write job */
    int already;
    int64_t community_id, *zone_id, *block_id, *hh_id, *res_id;
    int64_t *relay;           /* per block: the login relaying for people without phones */
    int64_t user_admin, user_committee, user_zone, user_block, user_volunteer, user_resident;
    char err[256];
    int64_t plan_us;          /* how long planning took (the large shape prints it) */
} demo_plan;

typedef int (*demo_step_fn)(demo_plan *p, store_conn *c);
typedef struct demo_step {
    int order;                /* steps of all capabilities run by ascending order */
    const char *name;
    demo_step_fn run;
} demo_step;

/* demo_step.c: what every step's statements share. */
/* Records what failed (with the store's message) in p->err; returns STORE_ERR. */
int demo_step_fail(demo_plan *p, store_conn *c, const char *what);
/* Steps an INSERT ... RETURNING id once and resets the statement for reuse. */
int demo_step_id(store_stmt *st, int64_t *id);
/* Steps a statement that returns no row once and resets it. */
int demo_step_done(store_stmt *st);

/* demo_plan.c: the plan. */
/* Draws the whole community of `shape` (and hashes the demo password); NULL with err set. */
demo_plan *demo_plan_new(const config *cfg, demo_shape shape, char *err, size_t errlen);
void demo_plan_free(demo_plan *p);
/* Counts and logins of a loaded plan, as `shouwang demo` prints them. */
void demo_plan_summary(const demo_plan *p, FILE *out, int64_t elapsed_us);
#endif
