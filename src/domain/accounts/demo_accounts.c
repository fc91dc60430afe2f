/* demo_accounts.c — the accounts' steps of `shouwang demo`: the community itself, then
 * the demo logins and their role assignments (see demo_step.h for the order). */
#include "accounts_int.h"
#include "../demo_step.h"
#include <stdio.h>
#include <string.h>

/* Refuses to load over logins of the same names; then adds the community. */
static int insert_community(demo_plan *p, store_conn *c)
{
    static const char *const logins[] = {"admin", "committee", "zone", "block", "volunteer", "resident"};
    static const char *const logins_dh[] = {"dh-committee", "dh-block"};
    static const char *const logins_lg[] = {"lg-committee", "lg-block"};
    const char *const *names = logins;
    size_t n = sizeof logins / sizeof logins[0];
    if (p->shape == DEMO_DONGHUAN) names = logins_dh, n = 2;
    if (p->shape == DEMO_LARGE) names = logins_lg, n = 2;
    for (size_t i = 0; i < n; i++)
        if (store_query_int(c, 0, "SELECT id FROM users WHERE username = $1", "t", names[i])) {
            snprintf(p->err, sizeof p->err, "demo: a user named %s already exists", names[i]);
            return STORE_ERR;
        }
    if (accounts_create_community(c, p->community, p->timezone, &p->community_id))
        return demo_step_fail(p, c, "community");
    return STORE_OK;
}

static int insert_users_yangguang(demo_plan *p, store_conn *c)
{
    int64_t cid = p->community_id;
    const char *h = p->pw_hash;
    int rc = accounts_create_user_hashed(c, 0, "admin", "系统管理员", h, "zh-CN", &p->user_admin);
    if (!rc) rc = accounts_assign_role(c, 0, p->user_admin, "superuser", "global", 0);
    if (!rc) rc = accounts_create_user_hashed(c, cid, "committee", "陈慧敏", h, "zh-CN", &p->user_committee);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_committee, "committee", "community", cid);
    if (!rc) rc = accounts_create_user_hashed(c, cid, "zone", "周建国", h, "zh-CN", &p->user_zone);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_zone, "zone_leader", "zone", p->zone_id[0]);
    /* One person, three roles: she leads block 1, lives there, and volunteers. */
    if (!rc) rc = accounts_create_user_hashed(c, cid, "block", p->res[p->leader_res].name, h, "zh-CN",
                                              &p->user_block);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_block, "block_leader", "block", p->block_id[0]);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_block, "resident", "household", p->hh_id[p->leader_hh]);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_block, "volunteer", "community", cid);
    if (!rc) rc = accounts_create_user_hashed(c, cid, "volunteer", "刘子轩", h, "zh-CN", &p->user_volunteer);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_volunteer, "volunteer", "community", cid);
    if (!rc) rc = accounts_create_user_hashed(c, cid, "resident", p->res[p->resident_res].name, h, "zh-CN",
                                              &p->user_resident);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_resident, "resident", "household", p->hh_id[p->resident_hh]);
    return rc ? demo_step_fail(p, c, "demo logins") : STORE_OK;
}

/* 东环路: the committee's login and the courtyard committees; each member leads the
 * courtyard and is a resident of their home. */
static int insert_users_donghuan(demo_plan *p, store_conn *c)
{
    int64_t cid = p->community_id;
    int rc = accounts_create_user_hashed(c, cid, "dh-committee", "刘晓梅", p->pw_hash, "zh-CN", &p->user_committee);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_committee, "committee", "community", cid);
    for (int i = 0; i < p->n_members && !rc; i++) {
        plan_member *m = &p->members[i];
        rc = accounts_create_user_hashed(c, cid, m->username, p->res[m->res].name, p->pw_hash, "zh-CN", &m->user_id);
        if (!rc) rc = accounts_assign_role(c, cid, m->user_id, "block_leader", "block", p->block_id[m->block]);
        if (!rc) rc = accounts_assign_role(c, cid, m->user_id, "resident", "household", p->hh_id[m->hh]);
        if (!rc && p->relay[m->block] == 0) p->relay[m->block] = m->user_id;
    }
    if (!rc) p->user_block = p->members[0].user_id;
    return rc ? demo_step_fail(p, c, "demo logins") : STORE_OK;
}

/* The large estate: its committee and the leader of its first block. */
static int insert_users_large(demo_plan *p, store_conn *c)
{
    int64_t cid = p->community_id;
    int rc = accounts_create_user_hashed(c, cid, "lg-committee", "徐丽华", p->pw_hash, "zh-CN", &p->user_committee);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_committee, "committee", "community", cid);
    if (!rc) rc = accounts_create_user_hashed(c, cid, "lg-block", p->res[p->leader_res].name, p->pw_hash, "zh-CN",
                                              &p->user_block);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_block, "block_leader", "block", p->block_id[0]);
    if (!rc) rc = accounts_assign_role(c, cid, p->user_block, "resident", "household", p->hh_id[p->leader_hh]);
    if (!rc) p->relay[0] = p->user_block;
    return rc ? demo_step_fail(p, c, "demo logins") : STORE_OK;
}

static int insert_users(demo_plan *p, store_conn *c)
{
    if (p->shape == DEMO_DONGHUAN) return insert_users_donghuan(p, c);
    if (p->shape == DEMO_LARGE) return insert_users_large(p, c);
    int rc = insert_users_yangguang(p, c);
    p->relay[0] = p->user_block;
    return rc;
}

const demo_step accounts_demo_steps[] = {
    {0, "community", insert_community},
    {20, "logins", insert_users},
    {0},
};
