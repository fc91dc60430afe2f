/* domains.h — the list of capabilities (domains.c) and what the program asks of all of
 * them at once: their routes, their messages, their tiles, their start and hourly hooks. */
#ifndef SW_DOMAINS_H
#define SW_DOMAINS_H
#include "capability.h"

/* Every registered capability, NULL-terminated, in registration order. */
extern const capability *const shouwang_capabilities[];

/* Registers every capability's messages and gathers their route tables; once, at start,
 * before any thread serves requests. */
void domains_init(void);
/* Every capability's route tables, NULL-terminated (after domains_init). */
const http_route *const *domains_routes(void);
/* Runs each capability's on_open hook; -1 when one failed. */
int domains_open(store *s);
/* Runs each capability's hourly hook. */
void domains_hourly(store *s);
/* Runs each capability's tick hook (the server calls it about once a second). */
void domains_tick(store *s);
/* Runs each capability's stop hook (the server, before it closes the store). */
void domains_stop(void);
/* Appends every capability's dashboard tiles for the request's actor. */
void domains_tiles(http_req *req, json_t *tiles);
#endif
