/* demo_care.c — the demo's point-to-point care: most vulnerable residents of the first
 * three blocks get a carer (the demo volunteer and the demo block leader, in turn; every
 * fifth one has nobody yet) and a rhythm, with a week of check-ins. One daily call has
 * had no contact for three days (flagged, the block leader told), one was "not reached"
 * this morning, and yesterday's visit to another found a need that became a help
 * request, already acknowledged. */
#include "care_int.h"
#include "../help/help_int.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include <stdlib.h>
#include <string.h>

#define US_S 1000000LL

static bool care_demo_flag(const char *flag)
{
    static const char *const flags[] = {"alone_elderly", "disabled", "pregnant", "chronic_illness", "bedridden", NULL};
    for (const char *const *f = flags; *f; f++)
        if (!strcmp(*f, flag)) return true;
    return false;
}

/* 10:00 in the community on day `ago` days before today, never later than now. */
static int64_t care_demo_at(const demo_plan *p, int ago, int hour)
{
    int64_t day = p->today - ago;
    int64_t off = clock_tz_offset(p->timezone, p->now / US_S);
    int64_t at = (day * 86400 + hour * 3600 - off) * US_S;
    return at < p->now - 60 * US_S ? at : p->now - 60 * US_S;
}

typedef struct care_demo {
    demo_plan *p;
    store_conn *c;
    store_stmt *checkin;
} care_demo;

static int care_demo_checkin(care_demo *d, int64_t assignment, int64_t resident, int64_t carer, int ago,
                             const char *kind, const char *outcome, const char *needs, int64_t help, int64_t *at_out)
{
    demo_plan *p = d->p;
    int64_t at = care_demo_at(p, ago, 10);
    char day[11];
    clock_local_date(p->timezone, at, day, sizeof day);
    store_stmt *st = d->checkin;
    int bad = store_bind_int(st, 1, p->community_id) | store_bind_int(st, 2, assignment) |
              store_bind_int(st, 3, resident) | store_bind_int(st, 4, at) | store_bind_text(st, 5, day) |
              store_bind_text(st, 6, kind) | store_bind_text(st, 7, outcome) | store_bind_text(st, 8, needs) |
              (help ? store_bind_int(st, 9, help) : store_bind_null(st, 9)) | store_bind_int(st, 10, carer) |
              store_bind_int(st, 11, at);
    if (at_out) *at_out = at;
    return bad ? STORE_ERR : demo_step_done(st);
}

/* The need found on yesterday's visit, as a help request acknowledged by the block
 * leader an hour later. */
static int care_demo_help(care_demo *d, int res, int64_t carer, int64_t at, int64_t *id)
{
    demo_plan *p = d->p;
    const plan_household *hh = &p->hh[p->res[res].household];
    const plan_block *b = &p->blocks[hh->block];
    int64_t zone = b->zone >= 0 ? p->zone_id[b->zone] : 0;
    int64_t leader = p->user_block ? p->user_block : p->user_committee;
    int64_t acked = at + 3600 * US_S;
    store_stmt *st = store_prepare(d->c, "INSERT INTO help_requests (community_id, household_id, block_id, "
                                   "zone_id, resident_id, kind, urgency, summary, details, state, level, ack_due_at, "
                                   "escalations, acknowledged_at, acknowledged_by, channel, created_by, created_at, "
                                   "updated_at) VALUES ($1, $2, $3, $4, $5, 'medicine', 'normal', $6, '{}', "
                                   "'acknowledged', 'block', $7, 0, $8, $9, 'on_behalf', $10, $11, $8) RETURNING id");
    if (!st) return STORE_ERR;
    int bad = store_bind_int(st, 1, p->community_id) | store_bind_int(st, 2, p->hh_id[p->res[res].household]) |
              store_bind_int(st, 3, p->block_id[hh->block]) |
              (zone ? store_bind_int(st, 4, zone) : store_bind_null(st, 4)) | store_bind_int(st, 5, p->res_id[res]) |
              store_bind_text(st, 6, "降压药只剩两天的量，需要代配") | store_bind_int(st, 7, at + HELP_NORMAL_ACK_S * US_S) |
              store_bind_int(st, 8, acked) | store_bind_int(st, 9, leader) | store_bind_int(st, 10, carer) |
              store_bind_int(st, 11, at);
    int rc = bad ? STORE_ERR : store_step(st);
    if (rc != STORE_ROW) return store_done(st), STORE_ERR;
    *id = store_col_int(st, 0);
    store_done(st);
    for (int e = 0; e < 2; e++)
        if (store_run(d->c, NULL, "INSERT INTO help_events (community_id, request_id, at, user_id, kind, state, "
                      "level) VALUES ($1, $2, $3, $4, $5, $6, $7)", "iiiittt", p->community_id, *id,
                      e ? acked : at, e ? leader : carer, e ? "acknowledge" : "created", e ? "acknowledged" : "new",
                      e ? NULL : "block") != STORE_DONE)
            return STORE_ERR;
    return STORE_OK;
}

/* The lapse as the hourly upkeep flagged it early this morning, and the block leader's
 * notification of it, already read. */
static int care_demo_missed(care_demo *d, int64_t assignment, int res)
{
    demo_plan *p = d->p;
    int64_t flagged = care_demo_at(p, 0, 1), leader = p->user_block ? p->user_block : p->user_committee;
    char params[160], link[48];
    snprintf(params, sizeof params, "{\"name\":\"%s\"}", p->res[res].name);
    snprintf(link, sizeof link, "/care/residents/%lld", (long long)p->res_id[res]);
    if (store_run(d->c, NULL, "UPDATE care_assignments SET missed_flagged_at = $2 WHERE id = $1", "ii", assignment,
                  flagged) != STORE_DONE)
        return STORE_ERR;
    return store_run(d->c, NULL, "INSERT INTO notifications (community_id, user_id, kind, params, link, created_at, "
                     "read_at) VALUES ($1, $2, 'care_missed', $3, $4, $5, $6)", "iittii", p->community_id, leader,
                     params, link, flagged, flagged + 3600 * US_S) == STORE_DONE ? STORE_OK : STORE_ERR;
}

static int insert_care(demo_plan *p, store_conn *c)
{
    int64_t carers[2] = {p->user_volunteer ? p->user_volunteer : p->user_committee,
                         p->user_block ? p->user_block : p->user_committee};
    static const char *const rhythms[] = {"daily_call", "twice_weekly_visit", "daily_visit", "weekly_call"};
    care_demo d = {p, c, store_prepare(c, "INSERT INTO care_checkins (community_id, assignment_id, resident_id, at, "
                                          "on_day, kind, outcome, needs, help_request_id, recorded_by, as_leader, "
                                          "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11)")};
    store_stmt *ins = store_prepare(c, "INSERT INTO care_assignments (community_id, resident_id, carer_user_id, "
                                       "rhythm, start_date, note, created_by, created_at, updated_at) VALUES ($1, "
                                       "$2, $3, $4, $5, $6, $7, $8, $8) RETURNING id");
    unsigned char *seen = calloc((size_t)p->n_res + 1, 1);
    if (!d.checkin || !ins || !seen) {
        free(seen);
        return demo_step_fail(p, c, "care");
    }
    char start[11];
    clock_format_date(p->today - 10, start);
    int n = 0, rc = STORE_OK;
    bool missed = false, needs = false, unreached = false;
    for (int i = 0; i < p->n_flags && rc == STORE_OK; i++) {
        const plan_flag *f = &p->flags[i];
        int res = f->resident;
        if (f->cleared_at || !care_demo_flag(f->flag) || seen[res]) continue;
        if (p->hh[p->res[res].household].block >= 3) continue;
        seen[res] = 1;
        if (++n % 5 == 0) continue;   /* nobody yet: the "who has nobody" list */
        int64_t carer = carers[(n / 2) % 2];
        const char *rhythm = rhythms[n % 4];
        int64_t id, created = care_demo_at(p, 10, 9);
        if (store_bind_int(ins, 1, p->community_id) | store_bind_int(ins, 2, p->res_id[res]) |
            store_bind_int(ins, 3, carer) | store_bind_text(ins, 4, rhythm) | store_bind_text(ins, 5, start) |
            store_bind_text(ins, 6, n % 3 ? "" : "耳背，电话铃多响一会儿") | store_bind_int(ins, 7, p->user_committee) |
            store_bind_int(ins, 8, created) || demo_step_id(ins, &id) != STORE_OK) {
            rc = STORE_ERR;
            break;
        }
        bool daily = !strncmp(rhythm, "daily", 5);
        const char *kind = strstr(rhythm, "visit") ? "visit" : "call";
        int64_t rid = p->res_id[res];
        if (daily && !missed && p->hh[p->res[res].household].block == 0) {
            /* Three days without a contact: told to the block leader once. */
            missed = true;
            for (int ago = 7; ago >= 3 && rc == STORE_OK; ago--)
                rc = care_demo_checkin(&d, id, rid, carer, ago, kind, "fine", "", 0, NULL);
            if (rc == STORE_OK) rc = care_demo_missed(&d, id, res);
            continue;
        }
        for (int ago = 6; ago >= 1 && rc == STORE_OK; ago--) {
            if (!daily && ago % (rhythm[0] == 't' ? 3 : 6)) continue;
            if (!needs && ago == 1 && daily) {
                int64_t at = care_demo_at(p, 1, 10), help;
                needs = true;
                rc = care_demo_help(&d, res, carer, at, &help);
                if (rc == STORE_OK)
                    rc = care_demo_checkin(&d, id, rid, carer, 1, kind, "needs", "降压药只剩两天的量，需要代配", help,
                                           NULL);
                continue;
            }
            rc = care_demo_checkin(&d, id, rid, carer, ago, kind, "fine", "", 0, NULL);
        }
        /* Today: half of the daily ones are done; one call went unanswered. */
        if (rc == STORE_OK && daily && n % 2 == 0)
            rc = care_demo_checkin(&d, id, rid, carer, 0, kind, unreached ? "fine" : "not_reached", "", 0, NULL),
            unreached = true;
    }
    free(seen);
    return rc == STORE_OK ? STORE_OK : demo_step_fail(p, c, "care");
}

const demo_step care_demo_steps[] = {
    {90, "point-to-point care", insert_care},
    {0},
};
