/* accounts.h — users, role assignments, communities (the rows other modules and the CLI
 * create). All functions run on a connection the caller owns (inside a write job for
 * writes) and return 0, or a STORE_* error code. */
#ifndef SW_ACCOUNTS_H
#define SW_ACCOUNTS_H
#include <stdint.h>
#include "../store/store.h"
#include "../http/http.h"

extern const http_route accounts_routes[];
extern const i18n_entry accounts_messages[];

int accounts_create_community(store_conn *c, const char *name, const char *timezone,
                              int64_t *id_out);
/* password is hashed here (argon2id); community_id 0 for an instance superuser. */
int accounts_create_user(store_conn *c, int64_t community_id, const char *username,
                         const char *display_name, const char *password,
                         const char *language, int64_t *id_out);
/* Same, with a hash computed beforehand (hashing outside the writer keeps it fast). */
int accounts_create_user_hashed(store_conn *c, int64_t community_id, const char *username,
                                const char *display_name, const char *password_hash,
                                const char *language, int64_t *id_out);
/* role: "superuser", "committee", "zone_leader", "block_leader", "volunteer", "resident";
 * scope_kind: "global", "community", "zone", "block", "household". */
int accounts_assign_role(store_conn *c, int64_t community_id, int64_t user_id,
                         const char *role, const char *scope_kind, int64_t scope_id);
int accounts_set_password(store_conn *c, int64_t user_id, const char *password_hash);
unsigned accounts_role_bit(const char *role);      /* 0 when unknown */
const char *accounts_role_name(unsigned role_bit);
#endif
