/* demo_help.c — the demo's help requests: the first block's households (the demo block
 * leader's and the demo resident's) asking for medicine, food, a repair, care and a
 * hospital visit in every status, one handed to 120, and two overdue elsewhere, one of
 * them escalated to the committee; each with its timeline. */
#include "help_int.h"
#include "../demo_step.h"
#include <stdio.h>
#include <string.h>

#define US_MIN (60LL * 1000000)

typedef struct demo_request {
    int block;                /* plan block; -1: the demo resident's household */
    int nth;                  /* the block's nth household */
    const char *kind, *urgency, *summary, *details, *state, *level;
    int minutes_ago, ack_after, escalations;
    const char *handed_to, *reason;
} demo_request;

static const demo_request DEMO_REQUESTS[] = {
    {-1, 0, "medicine", "normal", "降压药（苯磺酸氨氯地平）快吃完了，需要配一盒",
     "{\"medicine\":\"苯磺酸氨氯地平片 5mg\",\"pharmacy\":\"社区卫生服务中心\"}", "acknowledged", "block", 120, 12, 0,
     NULL, NULL},
    {-1, 0, "supplies", "normal", "家里米和菜不够三天了", "{}", "done", "block", 26 * 60, 20, 0, NULL, NULL},
    {0, 1, "care", "urgent", "独居老人摔倒在家，能说话但起不来", "{}", "in_progress", "block", 40, 4, 0, NULL, NULL},
    {0, 2, "repair", "normal", "厨房水管漏水", "{}", "new", "block", 30, 0, 0, NULL, NULL},
    {0, 3, "medicine", "normal", "胰岛素需要续配", "{\"medicine\":\"门冬胰岛素注射液\",\"hospital\":\"区中心医院\"}", "new",
     "zone", 5 * 60, 0, 1, NULL, NULL},
    {0, 4, "medical_visit", "urgent", "透析病人今天需要去医院透析", "{\"hospital\":\"区中心医院肾内科\"}", "done", "block",
     3 * 60, 3, 0, "emergency_120", NULL},
    {0, 5, "psych", "normal", "封控太久，心里很焦虑，想找人聊聊", "{}", "declined", "block", 8 * 60, 30, 0, NULL,
     "已转介区心理援助热线 962525，对方已联系"},
    {0, 6, "other", "normal", "想问快递什么时候能进小区", "{}", "cancelled", "block", 6 * 60, 0, 0, NULL, "已在公告里看到"},
    {5, 0, "supplies", "urgent", "孕妇临近预产期，家里没有吃的了", "{}", "new", "committee", 50, 0, 2, NULL, NULL},
    {10, 1, "exit", "normal", "下周一需要出小区去医院复查", "{\"destination\":\"市第六人民医院\"}", "new", "block", 60, 0, 0,
     NULL, NULL},
};

static int help_demo_event(demo_plan *p, store_stmt *ev, int64_t id, int64_t at, int64_t user, const char *kind,
                           const char *state, const char *level, const char *text)
{
    int bad = store_bind_int(ev, 1, p->community_id) | store_bind_int(ev, 2, id) | store_bind_int(ev, 3, at) |
              (user ? store_bind_int(ev, 4, user) : store_bind_null(ev, 4)) | store_bind_text(ev, 5, kind) |
              store_bind_text(ev, 6, state) | store_bind_text(ev, 7, level) | store_bind_text(ev, 8, text);
    return bad ? STORE_ERR : demo_step_done(ev);
}

static int insert_help(demo_plan *p, store_conn *c)
{
    store_stmt *ins = store_prepare(c, "INSERT INTO help_requests (community_id, household_id, block_id, zone_id, "
                                       "resident_id, kind, urgency, summary, details, state, level, ack_due_at, "
                                       "due_at, escalations, acknowledged_at, acknowledged_by, handed_to, handed_at, "
                                       "reason, channel, created_by, created_at, updated_at, finished_at) VALUES ($1, "
                                       "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
                                       "$19, $20, $21, $22, $23, $24) RETURNING id");
    store_stmt *ev = store_prepare(c, "INSERT INTO help_events (community_id, request_id, at, user_id, kind, state, "
                                      "level, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    if (!ins || !ev) return demo_step_fail(p, c, "help requests");
    /* Shapes without a resident or block leader login: the committee stands in. */
    int64_t asker = p->user_resident ? p->user_resident : p->user_committee;
    int64_t leader = p->user_block ? p->user_block : p->user_committee;
    for (size_t i = 0; i < sizeof DEMO_REQUESTS / sizeof *DEMO_REQUESTS; i++) {
        const demo_request *d = &DEMO_REQUESTS[i];
        int blk = d->block < 0 ? p->hh[p->resident_hh].block : d->block % p->n_blocks;
        const plan_block *b = &p->blocks[blk];
        int hh = d->block < 0 ? p->resident_hh : b->first_hh + d->nth % (b->n_hh ? b->n_hh : 1);
        int64_t zone = b->zone >= 0 ? p->zone_id[b->zone] : 0;
        const char *level = !strcmp(d->level, "zone") && !zone ? "committee" : d->level;
        int64_t created = p->now - d->minutes_ago * US_MIN;
        int64_t limit = (!strcmp(d->urgency, "urgent") ? HELP_URGENT_ACK_S : HELP_NORMAL_ACK_S) * 1000000LL;
        bool is_new = !strcmp(d->state, "new"), finished = !help_state_open(d->state);
        /* A new request waits for the next level's deadline; the committee keeps it. */
        int64_t due = !is_new || !strcmp(level, "committee") ? 0 : created + limit * (d->escalations + 1);
        int64_t acked = is_new || !d->ack_after ? 0 : created + d->ack_after * US_MIN;
        int64_t acker = acked ? (d->block <= 0 ? leader : p->user_committee) : 0;
        int64_t finished_at = finished ? created + (d->minutes_ago / 2 + 1) * US_MIN : 0;
        int64_t resident = p->hh[hh].count ? p->res_id[p->hh[hh].first] : 0;
        int bad = store_bind_int(ins, 1, p->community_id) | store_bind_int(ins, 2, p->hh_id[hh]) |
                  store_bind_int(ins, 3, p->block_id[blk]) |
                  (zone ? store_bind_int(ins, 4, zone) : store_bind_null(ins, 4)) |
                  (resident ? store_bind_int(ins, 5, resident) : store_bind_null(ins, 5)) |
                  store_bind_text(ins, 6, d->kind) | store_bind_text(ins, 7, d->urgency) |
                  store_bind_text(ins, 8, d->summary) | store_bind_text(ins, 9, d->details) |
                  store_bind_text(ins, 10, d->state) | store_bind_text(ins, 11, level) |
                  store_bind_int(ins, 12, created + limit) | (due ? store_bind_int(ins, 13, due) : store_bind_null(ins,
                      13)) |
                  store_bind_int(ins, 14, d->escalations) |
                  (acked ? store_bind_int(ins, 15, acked) : store_bind_null(ins, 15)) |
                  (acker ? store_bind_int(ins, 16, acker) : store_bind_null(ins, 16)) |
                  store_bind_text(ins, 17, d->handed_to) |
                  (d->handed_to ? store_bind_int(ins, 18, acked) : store_bind_null(ins, 18)) |
                  store_bind_text(ins, 19, d->reason) |
                  store_bind_text(ins, 20, d->block < 0 ? "app" : "on_behalf") |
                  store_bind_int(ins, 21, d->block < 0 ? asker : leader) |
                  store_bind_int(ins, 22, created) | store_bind_int(ins, 23, finished_at ? finished_at : created) |
                  (finished_at ? store_bind_int(ins, 24, finished_at) : store_bind_null(ins, 24));
        int64_t id;
        if (bad || demo_step_id(ins, &id) != STORE_OK) return demo_step_fail(p, c, "help request");
        int rc = help_demo_event(p, ev, id, created, d->block < 0 ? asker : leader, "created", "new", "block", NULL);
        for (int e = 0; !rc && e < d->escalations; e++)
            rc = help_demo_event(p, ev, id, created + limit * (e + 1), 0, "escalated", NULL,
                                 e + 1 == d->escalations ? level : "zone", NULL);
        if (!rc && d->handed_to)
            rc = help_demo_event(p, ev, id, acked, acker, "hand_over", "acknowledged", NULL, d->handed_to);
        else if (!rc && acked)
            rc = help_demo_event(p, ev, id, acked, acker, "acknowledge", "acknowledged", NULL, NULL);
        int64_t closer = !strcmp(d->state, "cancelled") ? asker : acker ? acker : leader;
        const char *step = !strcmp(d->state, "done") ? "done" : !strcmp(d->state, "declined") ? "decline" : "cancel";
        if (!rc && finished_at) rc = help_demo_event(p, ev, id, finished_at, closer, step, d->state, NULL, d->reason);
        if (rc) return demo_step_fail(p, c, "help events");
    }
    return STORE_OK;
}

const demo_step help_demo_steps[] = {
    {80, "help requests", insert_help},
    {0},
};
