/* demo_rotation.c — the rotation of the story in the 东环路 demo: courtyard 3巷22号, its
 * 28 households less the 4 away (the 2 tenant households take their turns), one a day
 * 8:00-20:00 in room order, four rounds from 40 days ago. The 40 days so far are
 * recorded: each day done with the key handed to the next household at 20:00, and two
 * households that did not open the door skipped (one of them already called on). */
#include "rotation_int.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include <stdlib.h>
#include <string.h>

#define DEMO_ROUNDS 4
#define DEMO_DAYS_DONE 40

static const demo_plan *sort_plan;   /* qsort has no context: the plan being loaded */

static int by_room(const void *a, const void *b)
{
    return rotation_room_cmp(sort_plan->hh[*(const int *)a].room, sort_plan->hh[*(const int *)b].room);
}

/* The instant of minute m of plan day `day` in the community's zone (UTC+8). */
static int64_t at(int64_t day, int minutes) { return (day * 86400 + minutes * 60LL - 8 * 3600) * 1000000; }

static int insert_rotation(demo_plan *p, store_conn *c)
{
    if (p->shape != DEMO_DONGHUAN || p->n_blocks == 0) return STORE_OK;
    const plan_block *bl = &p->blocks[0];
    int *order = malloc(sizeof *order * (size_t)(bl->n_hh + 1)), n = 0;
    if (!order) return demo_step_fail(p, c, "rotation");
    for (int i = bl->first_hh; i < bl->first_hh + bl->n_hh; i++)
        if (strcmp(p->hh[i].status, "away") && strcmp(p->hh[i].status, "vacant")) order[n++] = i;
    sort_plan = p;
    qsort(order, (size_t)n, sizeof *order, by_room);
    int64_t start = p->today - DEMO_DAYS_DONE;
    char starts_on[11];
    clock_format_date(start, starts_on);
    store_stmt *st;
    int rc = store_run(c, &st, "INSERT INTO rotations (community_id, block_id, name, starts_on, rounds_planned, "
                       "created_by, created_at) VALUES ($1, $2, '3巷22号 门岗轮值', $3, $4, $5, $6) RETURNING id",
                       "iitiii", p->community_id, p->block_id[0], starts_on, (int64_t)DEMO_ROUNDS, p->user_committee,
                       p->now) == STORE_ROW ? STORE_OK : STORE_ERR;
    int64_t rotation = rc ? 0 : store_col_int(st, 0);
    if (!rc) store_done(st);
    for (int k = 0; k < n && !rc; k++)
        rc = store_run(c, NULL, "INSERT INTO rotation_members (community_id, rotation_id, position, household_id) "
                       "VALUES ($1, $2, $3, $4)", "iiii", p->community_id, rotation, (int64_t)k,
                       p->hh_id[order[k]]) == STORE_DONE ? STORE_OK : STORE_ERR;
    /* The days so far: a skip takes no day, so the next household keeps the same one. */
    int64_t day = start;
    for (int seq = 0; day < p->today && seq < n * DEMO_ROUNDS && !rc; seq++) {
        bool skipped = seq == 7 || seq == 31;
        char text[11];
        clock_format_date(day, text);
        int64_t next = p->hh_id[order[(seq + 1) % n]];
        store_stmt *t = store_prepare(c, "INSERT INTO rotation_turns (community_id, rotation_id, seq, day, "
                                         "household_id, round, outcome, handover_to_household_id, handed_over_at, "
                                         "recorded_by, recorded_at, care_called_at, care_called_by) VALUES ($1, $2, "
                                             "$3, "
                                         "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
        if (!t) {
            rc = STORE_ERR;
            break;
        }
        store_bind_int(t, 1, p->community_id);
        store_bind_int(t, 2, rotation);
        store_bind_int(t, 3, seq);
        store_bind_text(t, 4, text);
        store_bind_int(t, 5, p->hh_id[order[seq % n]]);
        store_bind_int(t, 6, seq / n + 1);
        store_bind_text(t, 7, skipped ? "skipped" : "done");
        if (skipped) store_bind_null(t, 8), store_bind_null(t, 9);
        else store_bind_int(t, 8, next), store_bind_int(t, 9, at(day, 1200));
        store_bind_int(t, 10, p->user_committee);
        store_bind_int(t, 11, at(day, 1201));
        if (seq == 7) store_bind_int(t, 12, at(day + 1, 600)), store_bind_int(t, 13, p->user_committee);
        else store_bind_null(t, 12), store_bind_null(t, 13);
        rc = demo_step_done(t);
        if (!skipped) day++;
    }
    free(order);
    return rc ? demo_step_fail(p, c, "rotation") : STORE_OK;
}

const demo_step rotation_demo_steps[] = {
    {70, "rotation", insert_rotation},
    {0},
};
