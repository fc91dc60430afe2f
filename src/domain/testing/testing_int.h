/* testing_int.h — shared inside the testing-rounds capability (核酸 / 抗原): the words it
 * stores, who may do what, and what its files share with each other and nobody else.
 *
 * Files: testing_rounds.c (rounds, scope, stations, exemptions, door-to-door list),
 * testing_station.c (tubes, boxes, registrations, offline sync, the station's cache),
 * testing_coverage.c (coverage, the not-tested list and its call marks),
 * testing_results.c (tube results typed or imported, tracing, follow-up, antigen
 * reports, the round's summary), demo_testing.c (the demo's rounds).
 *
 * Who sees what: leaders the people of their scope (SCOPE_HOUSEHOLD); committee staff
 * set rounds up; volunteers staffing a station of an open round register at it and see
 * what the station needs (its tubes, the round's people by name, room and masked
 * phone); a resident their own household's samples and antigen reports. */
#ifndef SW_TESTING_INT_H
#define SW_TESTING_INT_H
#include "../../http/http.h"
#include "../scope.h"
#include "../demo_step.h"
#include <stdbool.h>

#define TESTING_LEADERS (ROLE_COMMITTEE | ROLE_ZONE_LEADER | ROLE_BLOCK_LEADER)
#define TESTING_STAFF (TESTING_LEADERS | ROLE_VOLUNTEER)

/* The route tables, catalogues, tiles and demo steps each file contributes,
 * gathered by capability.c. A file with nothing of a kind leaves it out. */
extern const http_route testing_round_routes[], testing_station_routes[], testing_coverage_routes[],
    testing_result_routes[];
extern const i18n_entry testing_round_messages[], testing_station_messages[], testing_coverage_messages[],
    testing_result_messages[];
void testing_tiles(http_req *req, json_t *tiles);
extern const demo_step testing_demo_steps[];
#endif
