/* auth_int.h — what the server and the HTTP layer's route list take from auth.c (not
 * for domain code). */
#ifndef SW_AUTH_INT_H
#define SW_AUTH_INT_H
#include "http.h"

/* Fills req->actor from the session cookie or bearer token. Returns 0 when a valid
 * credential was found, -1 when none or an invalid one (not an error reply). */
int auth_authenticate(http_req *req);
void auth_cache_init(store *db);   /* empties the session cache; watches its tables */
/* The login route counts its failures itself (per account, address and both). */
bool auth_is_login(const http_route *route);
extern const http_route auth_routes[];
extern const i18n_entry http_messages[];
#endif
