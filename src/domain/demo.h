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
#define DEMO_DONGHUAN_NAME "东环路"
#define DEMO_LARGE_NAME "康城"
#define DEMO_LARGE_RESIDENTS 40000

/* The demo communities; several can live in one database.
 *   yangguang: 阳光绿园 (Shanghai, 2022), 6 zones, 62 blocks, ~1,000 households, ~3,000
 *              residents; logins admin, committee, zone, block, volunteer, resident.
 *   donghuan:  东环路 (Chengdu, 2020), no zones, 43 courtyards, 2,300 households, 45% of
 *              residents over 60, 22 households in home isolation in 9 courtyards, a
 *              courtyard committee of 3-7 residents each (block_leader logins dh-cNN-M);
 *              logins dh-committee, dh-block.
 *   large:     康城, 20 zones, 840 blocks, exactly DEMO_LARGE_RESIDENTS residents, for
 *              speed tests; logins lg-committee, lg-block. */
typedef enum { DEMO_YANGGUANG, DEMO_DONGHUAN, DEMO_LARGE } demo_shape;

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

/* demo_load for any shape; the same contract. */
int demo_load_shape(store *s, const config *cfg, demo_shape shape, FILE *out, char *err, size_t errlen);

/* Shape by its name (yangguang, donghuan, large): 0, or -1 when unknown. */
int demo_shape_parse(const char *name, demo_shape *out);

/* The community name a shape loads. */
const char *demo_shape_community(demo_shape shape);

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
