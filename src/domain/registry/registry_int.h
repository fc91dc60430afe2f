/* registry_int.h — what the registry's files share with each other and with nobody else:
 * the helpers one file defines and others call, the route tables, catalogues and tiles
 * that capability.c gathers. One declaration each, so the compiler checks every caller
 * against the definition. Files outside src/domain/registry/ do not include this. */
#ifndef SW_REGISTRY_INT_H
#define SW_REGISTRY_INT_H
#include "registry.h"
#include "../demo_step.h"

/* registry.c */
bool registry_query_id(http_req *req, const char *name, int64_t *out);
char *registry_like(http_req *req, const char *q, bool anchor_start);
int registry_age(const char *today, int64_t birth_year, const char *birth_date);
/* A list's title naming the block (with its zone) or zone it is of, when one is given
 * (> 0): "照护名单 · 一片区 1号楼1单元". In the request arena. */
const char *registry_list_title(http_req *req, const char *key, int64_t block_id, int64_t zone_id);

/* registry_people.c */
const char *registry_flag_label(http_req *req, const char *flag);
bool registry_date_ok(const char *s, int *year);
json_t *registry_household_residents(http_req *req, int64_t household_id);
int registry_residents_list(http_req *req);
int registry_resident_get(http_req *req);
int registry_resident_create(http_req *req);
int registry_resident_update(http_req *req);
int registry_resident_move(http_req *req);
int registry_resident_move_out(http_req *req);
int registry_resident_reveal_id(http_req *req);
int registry_flags_list(http_req *req);
int registry_flag_set(http_req *req);
int registry_flag_clear(http_req *req);
int registry_flag_history(http_req *req);
int registry_travel_list(http_req *req);
int registry_travel_add(http_req *req);

/* registry_lists.c */
int registry_block_households(http_req *req);
int registry_block_care_list(http_req *req);
int registry_block_call_list(http_req *req);
int registry_counts(http_req *req);

/* codes.c: what the printed slips of logins.c share with the code sheets */
char *codes_base_url(http_req *req);              /* scheme://Host the request came by */
char *codes_date_text(http_req *req, int64_t us); /* YYYY-MM-DD in the community's zone */

/* structure.c */
void structure_list_leaders_text(http_req *req, json_t *items, bool zones);

/* The tables each file serves, gathered by capability.c. */
extern const http_route registry_routes[], registry_import_routes[], sweep_routes[], codes_routes[],
    retention_routes[], merge_routes[], structure_routes[], logins_routes[];
extern const i18n_entry registry_messages[], registry_import_messages[], sweep_messages[], codes_messages[],
    retention_messages[], merge_messages[], structure_messages[], logins_messages[];
void registry_tiles(http_req *req, json_t *tiles);
void sweep_tiles(http_req *req, json_t *tiles);
void structure_tiles(http_req *req, json_t *tiles);

/* demo_registry.c: places, people, posts, flags and search terms of `shouwang demo`. */
extern const demo_step registry_demo_steps[];
#endif
