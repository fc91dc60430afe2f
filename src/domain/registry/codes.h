/* codes.h — scan codes of households and residents, for the capabilities that scan
 * them (testing stations, gates, deliveries).
 *
 * A household's door plate carries the QR "SW1:H:<code>", a resident's paper card
 * "SW1:R:<code>"; <code> is 16 random characters of Crockford base32 (80 bits), not
 * the record's id, stored as a keyed lookup hash. A scanning route calls
 * codes_resolve() inside its own handler: the record is found only when it lies in the
 * scanner's registry scope (registry.h), otherwise the code reads as unknown. */
#ifndef SW_CODES_H
#define SW_CODES_H
#include "registry.h"

typedef struct code_target {
    char kind;                /* 'H' household, 'R' resident */
    int64_t id;               /* household id or resident id */
    int64_t household_id;     /* the household (the resident's for 'R') */
    int64_t block_id;
} code_target;

/* Resolves a scanned payload for req's actor on req->conn. Returns 1 and fills *out
 * when the code is current and its record within the actor's scope; 0 when unknown,
 * revoked or outside the scope; -1 when the payload is not a Shouwang scan code. */
int codes_resolve(http_req *req, const char *payload, code_target *out);
/* As codes_resolve within the actor's community but without any scope: for a caller
 * that checks its own (a testing station checks the round's scope). */
int codes_lookup(http_req *req, const char *payload, code_target *out);
#endif
