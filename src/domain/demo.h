/* demo.h — the demo community: one deterministic neighbourhood shaped like 阳光绿园
 * (Shanghai, 2022) with its zones, blocks, households, residents, vulnerability flags
 * and six logins, for trying the software and for tests.
 *
 * The same seed always gives the same names, rooms, birth dates and ID numbers, so two
 * loads into two databases hold the same people (ciphertexts differ: random nonces). */
#ifndef SW_DEMO_H
#define SW_DEMO_H
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"
#include "../store/store.h"

#define DEMO_COMMUNITY_NAME "阳光绿园"
#define DEMO_TIMEZONE "Asia/Shanghai"
#define DEMO_PASSWORD "shouwang-demo"

/* demo_load results besides 0. */
enum {
    DEMO_ERR = -1,            /* storage or hashing failure; err tells */
    DEMO_ALREADY_LOADED = -2, /* the community exists; nothing was written */
};

/* Loads the demo community and its six logins (admin, committee, zone, block,
 * volunteer, resident; password DEMO_PASSWORD) in one write job: all or nothing.
 * ID numbers are stored encrypted under cfg's field key (NULL ciphertext when none is
 * configured) with their lookup hash and masked form. Prints counts and the logins to
 * out (NULL: silent). Returns 0, DEMO_ALREADY_LOADED or DEMO_ERR, with err set. */
int demo_load(store *s, const config *cfg, FILE *out, char *err, size_t errlen);

/* GB 11643 check character ('0'..'9' or 'X') of the first 17 digits of a citizen ID
 * number; 0 when they are not 17 digits. */
char demo_id_check_char(const char *first17);

/* 1 when id is 18 characters, 17 digits and the right check character, else 0. */
int demo_id_valid(const char *id);

/* Writes a citizen ID number for a person born on year-month-day in region (6 digits,
 * e.g. "310115"), male or not, drawing the sequence from *rng_state (splitmix64). */
void demo_id_number(uint64_t *rng_state, const char *region, int year, int month, int day,
                    int male, char out[19]);
#endif
