/* demo.c — `shouwang demo`: plans a demo community (demo_plan.c), then runs every
 * capability's demo steps (their `demo` member, see demo_step.h) in one write job, by
 * ascending order, so the load is all or nothing. A new capability that wants demo data
 * adds its steps to its own descriptor; nothing here changes. */
#include "demo_step.h"
#include "domains.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/clock.h"

enum { DEMO_MAX_STEPS = 32 };

/* Every capability's steps, sorted by order (stable: equal orders keep the list's). */
static int demo_steps(const demo_step **out)
{
    int n = 0;
    for (const capability *const *c = shouwang_capabilities; *c; c++)
        for (const demo_step *s = (*c)->demo; s && s->run; s++) {
            assert(n < DEMO_MAX_STEPS);
            int i = n++;
            while (i > 0 && out[i - 1]->order > s->order) {
                out[i] = out[i - 1];
                i--;
            }
            out[i] = s;
        }
    return n;
}

static int demo_job(store_conn *c, void *ctx)
{
    demo_plan *p = ctx;
    if (store_query_int(c, 0, "SELECT id FROM communities WHERE name = $1", "t", p->community)) {
        p->already = 1;
        return STORE_ERR;
    }
    /* SQLite keeps about 2 MB of pages by default; a transaction that dirties more
     * spills pages to the WAL and writes the same index pages again and again (40,000
     * residents: 800,000 writes, 20 s). A bigger cache for this job keeps it in
     * memory until the commit; the writer's own size comes back afterwards. */
    int64_t cache = 0;
    if (store_conn_kind(c) == STORE_SQLITE) {
        cache = store_query_int(c, -2000, "PRAGMA cache_size", NULL);
        store_exec(c, "PRAGMA cache_size = -262144");
    }
    const demo_step *steps[DEMO_MAX_STEPS];
    int n = demo_steps(steps), rc = STORE_OK;
    for (int i = 0; i < n && rc == STORE_OK; i++) rc = steps[i]->run(p, c);
    if (store_conn_kind(c) == STORE_SQLITE) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size = %" PRId64, cache);
        store_exec(c, sql);
    }
    return rc;
}

int demo_load(store *s, const config *cfg, FILE *out, char *err, size_t errlen)
{
    return demo_load_shape(s, cfg, DEMO_YANGGUANG, out, err, errlen);
}

int demo_load_shape(store *s, const config *cfg, demo_shape shape, FILE *out, char *err, size_t errlen)
{
    int64_t t0 = clock_mono_us();
    demo_plan *p = demo_plan_new(cfg, shape, err, errlen);
    if (!p) return DEMO_ERR;
    int rc = store_write_sync(s, demo_job, p);
    int result = 0;
    if (p->already) {
        snprintf(err, errlen, "demo already loaded: community %s exists", p->community);
        result = DEMO_ALREADY_LOADED;
    } else if (rc != 0) {
        snprintf(err, errlen, "%s", p->err[0] ? p->err : "demo: the write failed and was rolled back");
        result = DEMO_ERR;
    } else if (out) {
        demo_plan_summary(p, out, clock_mono_us() - t0);
        /* What the load cost, for the large one's "seconds, not minutes". */
        if (shape == DEMO_LARGE)
            fprintf(out, "  plan (names, IDs encrypted one by one) %" PRId64 " ms, write %" PRId64 " ms\n",
                    p->plan_us / 1000, (clock_mono_us() - t0 - p->plan_us) / 1000);
    }
    demo_plan_free(p);
    return result;
}
