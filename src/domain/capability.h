/* capability.h — what a capability is to the rest of the program: one value that names
 * its route tables, message catalogues, dashboard tiles and the hooks the program calls
 * at start, every hour and every second. A capability defines `const capability NAME_capability` in its
 * own folder and is registered with one line in domains.c. Nothing else lists it. */
#ifndef SW_CAPABILITY_H
#define SW_CAPABILITY_H
#include "../http/http.h"
#include "../store/store.h"
#include "dashboard.h"

struct demo_step;   /* demo_step.h */

typedef struct capability {
    const char *name;
    const http_route *const *routes;        /* NULL-terminated; order does not matter */
    const i18n_entry *const *messages;      /* NULL-terminated */
    const dashboard_provider *tiles;        /* NULL-terminated, or NULL: in the order shown */
    /* JSON keys of its list items that hold stored words, shown in exports as the
     * catalogue's `enum.<value>` (NULL-terminated, or NULL). */
    const char *const *value_keys;
    /* After the migrations, before serving: rebuild derived rows (0, or -1 to stop). */
    int (*on_open)(store *s);
    /* Once an hour in the server: queue the capability's own upkeep (purges, reminders). */
    void (*hourly)(store *s);
    /* About once a second in the server: work that is due by the clock (escalations).
     * Due times are rows; the hook checks cheaply and queues a write only when one is
     * due, claiming it with a conditional UPDATE so that several processes fire it once. */
    void (*tick)(store *s);
    /* When the server stops, after the last request and before the store closes: ends
     * the capability's own threads (they may still write until it returns), or NULL. */
    void (*stop)(void);
    /* Its steps of `shouwang demo` (ended by a row with run NULL), or NULL: none. */
    const struct demo_step *demo;
    /* Adds what it knows to the "me" answer (GET /me and a login's answer), or NULL. */
    void (*me_extra)(http_req *req, json_t *me);
} capability;
#endif
