/* demo_volunteers.c — the demo's volunteer corps, after the story of 阳光绿园: up to 300
 * volunteers (party members first, a few sunk-down cadres from the street office), some
 * waiting for approval, protective-suit training for the sampling team; three gates in
 * three shifts a day, a sorting area and a sampling point for the coming two weeks with
 * the first days partly filled; open tasks; and a week of past hours in the time bank. */
#include "volunteers_int.h"
#include "../demo_step.h"
#include "../accounts/accounts.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include <stdio.h>
#include <string.h>

#define DEMO_VOLUNTEERS 300
#define DEMO_CADRES 20
#define US_MIN (60LL * 1000000)

/* The instant of minute m of plan day `day` in Shanghai (UTC+8, no summer time). */
static int64_t at(int64_t day, int minutes) { return (day * 86400 + minutes * 60LL - 8 * 3600) * 1000000; }

typedef struct demo_vol {
    store_stmt *ins;
    int64_t *ids;
    int n;
    int n_party;              /* ids[2 .. 2 + n_party) are party members */
    int64_t teamlead;         /* the team leader's volunteer record */
} demo_vol;

static int vol_insert(demo_plan *p, store_stmt *st, int64_t user, int64_t res, const char *name, const char *phone,
                      const char *kind, const char *org, const char *skills, const char *state, int64_t zone,
                      int64_t *id)
{
    int bad = store_bind_int(st, 1, p->community_id) | (user ? store_bind_int(st, 2, user) : store_bind_null(st, 2)) |
              (res ? store_bind_int(st, 3, res) : store_bind_null(st, 3)) | store_bind_text(st, 4, name) |
              store_bind_text(st, 5, phone) | store_bind_text(st, 6, kind) | store_bind_text(st, 7, org) |
              store_bind_text(st, 8, skills) | store_bind_text(st, 9, state) |
              (zone ? store_bind_int(st, 10, zone) : store_bind_null(st, 10)) | store_bind_int(st, 11,
                  p->user_committee) |
              store_bind_int(st, 12, p->now);
    return bad ? STORE_ERR : demo_step_id(st, id);
}

static const char *const SKILLS[] = {"", "lifting", "driving", "medical", "it", "languages", "lifting,driving", ""};

/* The volunteers: the two demo logins that volunteer, then residents (party members
 * first), then cadres. */
static int insert_people(demo_plan *p, store_conn *c, demo_vol *v)
{
    v->ins = store_prepare(c,
        "INSERT INTO volunteers (community_id, user_id, resident_id, name, phone, kind, organisation, "
                              "skills, availability, zone_id, health, state, signed_up_by, approved_at, created_at, "
                              "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '[]', $10, 'healthy', $9, $11, "
                                  "$12, $12, "
                              "$12) RETURNING id");
    if (!v->ins) return demo_step_fail(p, c, "volunteers");
    int target = p->n_res / 10 < DEMO_VOLUNTEERS ? p->n_res / 10 : DEMO_VOLUNTEERS;
    if (target < 30) target = 30;
    v->ids = xcalloc((size_t)target + 2, sizeof *v->ids);
    int rc = vol_insert(p, v->ins, p->user_volunteer, 0, "刘子轩", "13900000101", "student", "华东师范大学", "it,languages",
                        "active", p->zone_id[0], &v->ids[v->n++]);
    const plan_resident *leader = &p->res[p->leader_res];
    if (!rc)
        rc = vol_insert(p, v->ins, p->user_block, p->res_id[p->leader_res], leader->name, leader->phone, "resident",
            NULL,
                        "", "active", p->zone_id[p->blocks[p->hh[leader->household].block].zone >= 0
                                                  ? p->blocks[p->hh[leader->household].block].zone : 0],
                        &v->ids[v->n++]);
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (int i = 0; i < p->n_res && v->n < target - DEMO_CADRES && !rc; i++) {
            const plan_resident *r = &p->res[i];
            if (i == p->leader_res || i == p->resident_res || r->party != (pass == 0) || !r->phone[0]) continue;
            if (r->birth_year < p->ref_year - 65 || r->birth_year > p->ref_year - 18) continue;
            int z = p->blocks[p->hh[r->household].block].zone;
            int k = v->n++;
            if (pass == 0) v->n_party++;
            const char *state = k % 30 == 7 ? "applied" : k % 50 == 9 ? "paused" : "active";
            rc = vol_insert(p, v->ins, 0, p->res_id[i], r->name, r->phone, "resident", NULL, SKILLS[k % 8], state,
                            z >= 0 ? p->zone_id[z] : 0, &v->ids[k]);
        }
    for (int k = 0; k < DEMO_CADRES && !rc; k++) {
        char name[16], phone[16];
        static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"};
        static const char *const GIVEN[] = {"建华", "志强", "丽娟", "海燕", "国庆"};
        snprintf(name, sizeof name, "%s%s", SURNAMES[k % 10], GIVEN[k % 5]);
        snprintf(phone, sizeof phone, "1370021%04d", k % 10000);
        rc = vol_insert(p, v->ins, 0, 0, name, phone, "cadre", "街道办事处", SKILLS[(k + 3) % 8], "active", 0,
                        &v->ids[v->n++]);
    }
    if (rc) return demo_step_fail(p, c, "volunteers");
    /* The sampling team's training: every fifth volunteer after the demo logins, valid for
     * a year. */
    char until[11];
    clock_format_date(p->today + 365, until);
    for (int i = 5; i < v->n && !rc; i += 5)
        rc = store_run(c, NULL, "INSERT INTO volunteer_qualifications (community_id, volunteer_id, qualification, "
                       "expires_on, recorded_by, recorded_at) VALUES ($1, $2, 'protective_suit', $3, $4, $5)", "iitii",
                       p->community_id, v->ids[i], until, p->user_committee, p->now) == STORE_DONE ? 0 : STORE_ERR;
    return rc ? demo_step_fail(p, c, "qualifications") : STORE_OK;
}

/* Six posts; shifts for today and 13 days on; today's and tomorrow's partly filled. */
static int insert_posts_and_shifts(demo_plan *p, store_conn *c, const demo_vol *v)
{
    static const struct { const char *name, *kind, *place; } POSTS[] = {
        {"东门岗", "gate", "东大门"}, {"南门岗", "gate", "南大门"}, {"北门岗", "gate", "北侧小门"},
        {"物资分拣点", "sorting", "中心广场"}, {"核酸采样点", "sampling", "篮球场"}, {"夜间巡逻", "patrol", "全小区"},
    };
    static const int TIMES[3][2] = {{0, 480}, {480, 960}, {960, 1440}};
    int rc = STORE_OK, next_vol = 2;
    for (int k = 0; k < 6 && !rc; k++) {
        char code[44];
        secret_token(code);
        store_stmt *st;
        if (store_run(c, &st, "INSERT INTO posts (community_id, name, kind, place, code, created_by, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", "ittttii", p->community_id, POSTS[k].name,
                      POSTS[k].kind, POSTS[k].place, code, p->user_committee, p->now) != STORE_ROW)
            return demo_step_fail(p, c, "posts");
        int64_t post = store_col_int(st, 0);
        store_done(st);
        for (int64_t day = p->today; day < p->today + 14 && !rc; day++) {
            int n_times = k < 3 ? 3 : 1;
            for (int t = 0; t < n_times && !rc; t++) {
                int s = k < 3 ? TIMES[t][0] : k == 5 ? 1200 : 480, e = k < 3 ? TIMES[t][1] : k == 5 ? 1440 : 1200;
                int need = k < 3 ? 2 : k == 3 ? 6 : k == 4 ? 4 : 2;
                const char *qual = k == 4 ? "protective_suit" : NULL;
                if (store_run(c, &st, "INSERT INTO shifts (community_id, post_id, starts_at, ends_at, need, taken, "
                              "qualification, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) "
                              "RETURNING id", "iiiiitii", p->community_id, post, at(day, s), at(day, e), (int64_t)need,
                              qual, p->user_committee, p->now) != STORE_ROW)
                    return demo_step_fail(p, c, "shifts");
                int64_t shift = store_col_int(st, 0);
                store_done(st);
                if (day > p->today + 1 || qual) continue;
                /* Fill all but the last place of each of the first two days' shifts. */
                int fill = need - 1;
                for (int f = 0; f < fill && !rc; f++, next_vol++) {
                    int64_t vid = v->ids[next_vol % v->n];
                    rc = store_run(c, NULL,
                        "INSERT INTO shift_assignments (community_id, shift_id, volunteer_id, state, "
                                   "source, confirmation, queued_at, updated_at) VALUES ($1, $2, $3, 'assigned', "
                                       "'leader', "
                                   "$4, $5, $5)", "iiiti", p->community_id, shift, vid, f % 3 ? "confirmed" : "pending",
                                   p->now) == STORE_DONE ? 0 : STORE_ERR;
                }
                if (!rc) rc = store_run(c, NULL, "UPDATE shifts SET taken = $1 WHERE id = $2", "ii", (int64_t)fill,
                    shift) ==
                              STORE_DONE ? 0 : STORE_ERR;
            }
        }
    }
    return rc ? demo_step_fail(p, c, "shift assignments") : STORE_OK;
}

/* Open tasks to grab, and a week of past hours (with their points) for the first 60. */
static int insert_tasks_and_hours(demo_plan *p, store_conn *c, const demo_vol *v)
{
    static const struct { const char *title, *place, *kind; int start, end, slots; } TASKS[] = {
        {"团购物资搬运到各楼栋", "中心广场", "delivery", 600, 720, 12},
        {"快递消杀与分拣", "南门快递点", "parcels", 840, 1020, 8},
        {"为独居老人送药", "各楼栋", "care", 900, 1020, 4},
    };
    int rc = STORE_OK;
    for (int k = 0; k < 3 && !rc; k++)
        rc = store_run(c, NULL,
            "INSERT INTO tasks (community_id, title, place, starts_at, ends_at, slots, service_kind, "
                       "minutes, state, posted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, "
                           "$10)",
                       "ittiiitiii", p->community_id, TASKS[k].title, TASKS[k].place, at(p->today + 1, TASKS[k].start),
                       at(p->today + 1, TASKS[k].end), (int64_t)TASKS[k].slots, TASKS[k].kind,
                       (int64_t)(TASKS[k].end - TASKS[k].start), p->user_committee,
                           p->now) == STORE_DONE ? 0 : STORE_ERR;
    static const char *const KINDS[] = {"gate", "parcels", "sampling", "delivery"};
    for (int i = 0; i < 60 && i < v->n && !rc; i++)
        for (int d = 1; d <= 7 && !rc; d += 1 + i % 3) {
            char day[11];
            clock_format_date(p->today - d, day);
            const char *kind = KINDS[(i + d) % 4];
            int64_t minutes = 240 + 60 * (i % 5);
            store_stmt *st;
            if (store_run(c, &st, "INSERT INTO volunteer_hours (community_id, volunteer_id, service_kind, minutes, "
                          "worked_on, source, state, entered_by, confirmed_by, confirmed_at, created_at) VALUES ($1, "
                              "$2, "
                          "$3, $4, $5, 'group', 'verified', $6, $6, $7, $7) RETURNING id", "iititii", p->community_id,
                          v->ids[i], kind, minutes, day, p->user_committee, p->now) != STORE_ROW)
                return demo_step_fail(p, c, "hours");
            int64_t hours = store_col_int(st, 0);
            store_done(st);
            if (store_run(c, &st, "INSERT INTO ledger_txns (community_id, kind, hours_id, created_by, created_at) "
                          "VALUES ($1, 'hours', $2, $3, $4) RETURNING id", "iiii", p->community_id, hours,
                          p->user_committee, p->now) != STORE_ROW)
                return demo_step_fail(p, c, "ledger");
            int64_t txn = store_col_int(st, 0), points = minutes * VOL_DEFAULT_POINTS_PER_HOUR / 60;
            store_done(st);
            rc = store_run(c, NULL, "INSERT INTO ledger_entries (community_id, txn_id, account, volunteer_id, points, "
                           "created_at) VALUES ($1, $2, 'volunteer', $3, $4, $5)", "iiiii", p->community_id, txn,
                           v->ids[i], points, p->now) == STORE_DONE &&
                 store_run(c, NULL, "INSERT INTO ledger_entries (community_id, txn_id, account, points, created_at) "
                           "VALUES ($1, $2, 'issued', $3, $4)", "iiii", p->community_id, txn, -points,
                               p->now) == STORE_DONE
                 ? 0 : STORE_ERR;
        }
    return rc ? demo_step_fail(p, c, "hours") : STORE_OK;
}

/* One team row and its members: ids[first, first + n), the first `cap` members and
 * the rest on the waitlist (or pending when the team wants approval). */
static int team_insert(demo_plan *p, store_conn *c, const demo_vol *v, const char *name, const char *kind, int64_t cap,
                       const char *qual, int approval, int64_t leader, int first, int n, int step)
{
    store_stmt *st;
    if (store_run(c, &st, "INSERT INTO teams (community_id, name, kind, leader_volunteer_id, cap, qualification, "
                  "requires_approval, created_by, created_at) VALUES ($1, $2, $3, CASE WHEN $4 = 0 THEN NULL ELSE $4 "
                      "END, "
                  "CASE WHEN $5 = 0 THEN NULL ELSE $5 END, $6, $7, $8, $9) RETURNING id", "ittiitiii", p->community_id,
                  name, kind, leader, cap, qual, (int64_t)approval, p->user_committee, p->now) != STORE_ROW)
        return STORE_ERR;
    int64_t team = store_col_int(st, 0), members = 0;
    store_done(st);
    int rc = STORE_OK;
    /* The leader is the first member. */
    if (leader) {
        rc = store_run(c, NULL, "INSERT INTO team_members (community_id, team_id, volunteer_id, state, queued_at, "
                       "updated_at) VALUES ($1, $2, $3, 'member', $4, $4)", "iiii", p->community_id, team, leader,
                       p->now) == STORE_DONE ? 0 : STORE_ERR;
        members = 1;
    }
    for (int i = 0; i < n && first + i * step < v->n && !rc; i++) {
        int64_t vid = v->ids[first + i * step];
        if (vid == leader) continue;
        const char *state = !cap || members < cap ? "member" : approval ? "pending" : "waitlist";
        if (!strcmp(state, "member")) members++;
        rc = store_run(c, NULL, "INSERT INTO team_members (community_id, team_id, volunteer_id, state, queued_at, "
                       "updated_at) VALUES ($1, $2, $3, $4, $5, $5)", "iiiti", p->community_id, team, vid, state,
                       p->now + i) == STORE_DONE ? 0 : STORE_ERR;
    }
    if (!rc) rc = store_run(c, NULL, "UPDATE teams SET members = $1 WHERE id = $2", "ii", members, team) == STORE_DONE
                  ? 0 : STORE_ERR;
    return rc;
}

/* The story's teams: the party members' duty group (260 of them), a youth commando for
 * parcels led by the `teamlead` login (full, with a waitlist), the sampling assistants
 * (protective-suit training, leader's approval), patrol, delivery and the gate team. */
static int insert_teams(demo_plan *p, store_conn *c, demo_vol *v)
{
    const char *login = p->shape == DEMO_DONGHUAN ? "dh-teamlead" : p->shape == DEMO_LARGE ? "lg-teamlead" : "teamlead";
    int64_t user = 0;
    int rc = accounts_create_user_hashed(c, p->community_id, login, "张卫东", p->pw_hash, "zh-CN", &user);
    if (!rc) rc = accounts_assign_role(c, p->community_id, user, "volunteer", "community", p->community_id);
    if (!rc) rc = vol_insert(p, v->ins, user, 0, "张卫东", "13900000202", "company", "上海城投", "driving,lifting", "active",
                             p->zone_id[0], &v->teamlead);
    /* The commando: the last 45 signed up (the cadres and the youngest non-party ones). */
    int party = v->n_party < 260 ? v->n_party : 260, rest = v->n > 47 ? v->n - 45 : 2;
    if (!rc) rc = team_insert(p, c, v, "党员先锋队", "party_duty", 260, NULL, 0, 0, 2, party, 1);
    if (!rc) rc = team_insert(p, c, v, "青年突击队", "commando", 40, NULL, 0, v->teamlead, rest, 45, 1);
    if (!rc) rc = team_insert(p, c, v, "采样协助组", "sampling", 30, "protective_suit", 1, 0, 5, 32, 5);
    if (!rc) rc = team_insert(p, c, v, "巡逻队", "patrol", 20, NULL, 0, 0, 3, 12, 7);
    if (!rc) rc = team_insert(p, c, v, "物资配送组", "delivery", 50, NULL, 0, 0, 4, 30, 3);
    if (!rc) rc = team_insert(p, c, v, "门岗组", "gate", 0, NULL, 0, 0, 6, 36, 2);
    return rc ? demo_step_fail(p, c, "teams") : STORE_OK;
}

static int insert_volunteers(demo_plan *p, store_conn *c)
{
    demo_vol v = {0};
    int rc = insert_people(p, c, &v);
    if (!rc) rc = insert_teams(p, c, &v);
    if (!rc) rc = insert_posts_and_shifts(p, c, &v);
    if (!rc) rc = insert_tasks_and_hours(p, c, &v);
    free(v.ids);
    return rc;
}

const demo_step volunteer_demo_steps[] = {
    {60, "volunteers", insert_volunteers},
    {0},
};
