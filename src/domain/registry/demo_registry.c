/* demo_registry.c — the registry's steps of `shouwang demo`: the community's places and
 * people, the structure's posts, the vulnerability flags and the residents' search terms,
 * written from the plan (demo_step.h) with statements prepared once and reused. */
#include "registry_int.h"
#include "search_terms.h"
#include "../demo_step.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int insert_registry(demo_plan *p, store_conn *c)
{
    int64_t cid = p->community_id, now = p->now;
    store_stmt *st = store_prepare(c, "INSERT INTO zones (community_id, name, sort_order, created_at) "
                                      "VALUES ($1, $2, $3, $4) RETURNING id");
    if (!st) return demo_step_fail(p, c, "zones");
    for (int i = 0; i < p->n_zones; i++) {
        int rc = store_bind_int(st, 1, cid) | store_bind_text(st, 2, p->zones[i]) |
                 store_bind_int(st, 3, i + 1) | store_bind_int(st, 4, now);
        if (rc || demo_step_id(st, &p->zone_id[i])) { store_done(st); return demo_step_fail(p, c, "zones"); }
    }

    st = store_prepare(c, "INSERT INTO blocks (community_id, zone_id, name, kind, sort_order, created_at) "
                          "VALUES ($1, $2, $3, $6, $4, $5) RETURNING id");
    if (!st) return demo_step_fail(p, c, "blocks");
    for (int i = 0; i < p->n_blocks; i++) {
        int zone = p->blocks[i].zone;
        int rc = store_bind_int(st, 1, cid) |
                 (zone < 0 ? store_bind_null(st, 2) : store_bind_int(st, 2, p->zone_id[zone])) |
                 store_bind_text(st, 3, p->blocks[i].name) | store_bind_int(st, 4, i + 1) |
                 store_bind_int(st, 5, now) | store_bind_text(st, 6, zone < 0 ? "courtyard" : "building");
        if (rc || demo_step_id(st, &p->block_id[i])) { store_done(st); return demo_step_fail(p, c, "blocks"); }
    }

    st = store_prepare(c, "INSERT INTO households (community_id, block_id, room, status, phone, notes, "
                          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id");
    if (!st) return demo_step_fail(p, c, "households");
    for (int i = 0; i < p->n_hh; i++) {
        const plan_household *h = &p->hh[i];
        int rc = store_bind_int(st, 1, cid) | store_bind_int(st, 2, p->block_id[h->block]) |
                 store_bind_text(st, 3, h->room) | store_bind_text(st, 4, h->status) |
                 store_bind_text(st, 5, h->phone) | store_bind_text(st, 6, h->notes) |
                 store_bind_int(st, 7, now);
        if (rc || demo_step_id(st, &p->hh_id[i])) { store_done(st); return demo_step_fail(p, c, "households"); }
    }

    st = store_prepare(c, "INSERT INTO residents (community_id, household_id, name, gender, birth_year, "
                          "birth_date, phone, id_kind, id_cipher, id_hash, id_masked, languages, owner, "
                          "floating, party_member, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                          "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id");
    if (!st) return demo_step_fail(p, c, "residents");
    for (int i = 0; i < p->n_res; i++) {
        const plan_resident *r = &p->res[i];
        int rc = store_bind_int(st, 1, cid) | store_bind_int(st, 2, p->hh_id[r->household]) |
                 store_bind_text(st, 3, r->name) | store_bind_text(st, 4, r->gender) |
                 store_bind_int(st, 5, r->birth_year) |
                 store_bind_text(st, 6, r->birth_date[0] ? r->birth_date : NULL) |
                 store_bind_text(st, 7, r->phone) | store_bind_text(st, 8, r->id_kind) |
                 store_bind_text(st, 9, r->id_cipher) | store_bind_text(st, 10, r->id_hash) |
                 store_bind_text(st, 11, r->id_masked) | store_bind_text(st, 12, r->languages) |
                 store_bind_int(st, 13, r->owner) | store_bind_int(st, 14, r->floating) |
                 store_bind_int(st, 15, r->party) | store_bind_int(st, 16, now);
        if (rc || demo_step_id(st, &p->res_id[i])) { store_done(st); return demo_step_fail(p, c, "residents"); }
    }
    return STORE_OK;
}

/* A resident of household h who can hold a post: an adult of 40 to 75 with a phone, in
 * an occupied household that holds no demo login; a party member first (the story's
 * block leaders are mostly retired party members). -1 when none. */
static int post_candidate(const demo_plan *p, const plan_household *h, const unsigned char *taken)
{
    if (h->forced || h->count == 0 || strcmp(h->status, "occupied")) return -1;
    int best = -1;
    for (int r = h->first; r < h->first + h->count; r++) {
        int age = p->ref_year - p->res[r].birth_year;
        if (taken[r] || age < 40 || age > 75 || !p->res[r].phone[0]) continue;
        if (best < 0 || (p->res[r].party && !p->res[best].party)) best = r;
    }
    return best;
}

/* The posts of structure_leaders (009_structure.sql), so that the structure page shows
 * who leads what. 阳光绿园 as in the story: every block has a leader and every zone a
 * leader and a deputy; the demo logins hold the first zone and the first block, and
 * the other posts go to residents without an account (elderly volunteers, as most
 * block leaders are), drawn in block order without a random draw, so the rest of the
 * demo is unchanged. Every 东环路 courtyard committee (its first member chairs it). The
 * large estate: its first block. The role assignments of the logins already exist. */
static int insert_posts(demo_plan *p, store_conn *c)
{
    store_stmt *st =
        store_prepare(c,
                      "INSERT INTO structure_leaders (community_id, zone_id, block_id, position, "
                      "resident_id, user_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    if (!st) return demo_step_fail(p, c, "posts");
#define POST(zone, block, position, res, user) \
    ((store_bind_int(st, 1, p->community_id) | ((zone) ? store_bind_int(st, 2, (zone)) : store_bind_null(st, 2)) | \
      ((block) ? store_bind_int(st, 3, (block)) : store_bind_null(st, 3)) | store_bind_text(st, 4, (position)) | \
      ((res) >= 0 ? store_bind_int(st, 5, p->res_id[(res)]) : store_bind_null(st, 5)) | \
      ((user) ? store_bind_int(st, 6, (user)) : store_bind_null(st, 6)) | store_bind_int(st, 7, p->user_committee) | \
      store_bind_int(st, 8, p->now)) ? STORE_ERR : demo_step_done(st))
    int rc = STORE_OK;
    if (p->shape == DEMO_DONGHUAN) {
        for (int i = 0; i < p->n_members && !rc; i++) {
            const plan_member *m = &p->members[i];
            int chair = i == 0 || p->members[i - 1].block != m->block;
            rc = POST(0, p->block_id[m->block], chair ? "leader" : "member", m->res, m->user_id);
        }
    } else if (p->shape == DEMO_LARGE) {
        rc = POST(0, p->block_id[0], "leader", p->leader_res, p->user_block);
    } else {
        unsigned char *taken = xcalloc((size_t)p->n_res + 1, 1);
        taken[p->leader_res] = 1;
        rc = POST(0, p->block_id[0], "leader", p->leader_res, p->user_block);
        /* a leader for every other block: the first candidate of its households */
        for (int b = 1; b < p->n_blocks && !rc; b++) {
            int leader = -1;
            for (int i = p->blocks[b].first_hh; i < p->blocks[b].first_hh + p->blocks[b].n_hh && leader < 0; i++)
                leader = post_candidate(p, &p->hh[i], taken);
            if (leader < 0) continue;
            taken[leader] = 1;
            rc = POST(0, p->block_id[b], "leader", leader, 0);
        }
        /* every zone: the zone login leads the first, residents lead the others; each
         * has a deputy, from the zone's households after the block leaders */
        for (int z = 0; z < p->n_zones && !rc; z++) {
            int need = z == 0 ? 1 : 2, got[2] = {-1, -1}, n = 0;
            for (int i = 0; i < p->n_hh && n < need; i++) {
                if (p->blocks[p->hh[i].block].zone != z) continue;
                int r = post_candidate(p, &p->hh[i], taken);
                if (r < 0) continue;
                taken[r] = 1;
                got[n++] = r;
            }
            if (z == 0) {
                rc = POST(p->zone_id[0], 0, "leader", -1, p->user_zone);
                if (!rc && got[0] >= 0) rc = POST(p->zone_id[0], 0, "deputy", got[0], 0);
            } else {
                if (got[0] >= 0) rc = POST(p->zone_id[z], 0, "leader", got[0], 0);
                if (!rc && got[1] >= 0) rc = POST(p->zone_id[z], 0, "deputy", got[1], 0);
            }
        }
        free(taken);
    }
#undef POST
    store_done(st);
    return rc ? demo_step_fail(p, c, "posts") : STORE_OK;
}

static int insert_flags(demo_plan *p, store_conn *c)
{
    store_stmt *st = store_prepare(c, "INSERT INTO resident_flags (community_id, resident_id, flag, detail, "
                                      "set_by, set_at, cleared_at) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    if (!st) return demo_step_fail(p, c, "flags");
    for (int i = 0; i < p->n_flags; i++) {
        const plan_flag *f = &p->flags[i];
        char detail[256];
        const char *d = f->detail;
        /* Where the block's leader has a login, the relay names her. */
        int64_t relay = p->relay[p->hh[p->res[f->resident].household].block];
        if (!strcmp(f->flag, "no_smartphone") && relay) {
            snprintf(detail, sizeof detail, "{\"relay\":\"block_leader\",\"relay_user_id\":%" PRId64 "}", relay);
            d = detail;
        }
        int rc = store_bind_int(st, 1, p->community_id) | store_bind_int(st, 2, p->res_id[f->resident]) |
                 store_bind_text(st, 3, f->flag) | store_bind_text(st, 4, d) |
                 store_bind_int(st, 5, p->user_committee) | store_bind_int(st, 6, f->set_at) |
                 (f->cleared_at ? store_bind_int(st, 7, f->cleared_at) : store_bind_null(st, 7));
        if (rc || demo_step_done(st)) { store_done(st); return demo_step_fail(p, c, "flags"); }
    }
    return STORE_OK;
}

static int insert_search_terms(demo_plan *p, store_conn *c)
{
    return search_terms_community(c, p->community_id) == STORE_OK ? STORE_OK
                                                                  : demo_step_fail(p, c, "search terms");
}

const demo_step registry_demo_steps[] = {
    {10, "places and people", insert_registry},
    {30, "posts", insert_posts},
    {40, "flags", insert_flags},
    {50, "search terms", insert_search_terms},
    {0},
};
