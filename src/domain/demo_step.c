/* demo_step.c — what the demo's steps share: recording a failure, stepping an INSERT
 * once and resetting the statement for the next row (see demo_step.h). */
#include "demo_step.h"
#include <stdio.h>

int demo_step_fail(demo_plan *p, store_conn *c, const char *what)
{
    snprintf(p->err, sizeof p->err, "demo: %s: %s", what, store_errmsg(c));
    return STORE_ERR;
}

int demo_step_id(store_stmt *st, int64_t *id)
{
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_col_int(st, 0);
        rc = STORE_OK;
    } else if (rc == STORE_DONE) {
        rc = STORE_ERR;
    }
    store_done(st);
    return rc;
}

int demo_step_done(store_stmt *st)
{
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? STORE_OK : rc == STORE_ROW ? STORE_ERR : rc;
}
