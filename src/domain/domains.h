/* domains.h — the list of capabilities: their route tables and message catalogues.
 * A new capability adds its table here (and nothing in other capabilities' files). */
#ifndef SW_DOMAINS_H
#define SW_DOMAINS_H
#include "../http/http.h"
extern const http_route *const shouwang_route_tables[];
/* Registers every capability's messages with the catalogue. */
void domains_register_messages(void);
#endif
