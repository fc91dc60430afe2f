/* accounts.h — users, role assignments, communities (the rows other modules and the CLI
 * create). All functions run on a connection the caller owns (inside a write job for
 * writes) and return 0, or a STORE_* error code. */
#ifndef SW_ACCOUNTS_H
#define SW_ACCOUNTS_H
#include <stdint.h>
#include "../../store/store.h"
#include "../../http/http.h"

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
/* Sets the password hash (no longer a one-time password: must_change_password is
 * cleared) and ends the user's sessions and API tokens; the number of tokens revoked
 * goes to *tokens_revoked (may be NULL). */
int accounts_set_password(store_conn *c, int64_t user_id, const char *password_hash,
                          int64_t *tokens_revoked);
/* Revokes every live API token of the user; *revoked counts them. For every path that
 * changes a password (the reset with a code too), so its answer can say how many. */
int accounts_revoke_tokens(store_conn *c, int64_t user_id, int64_t *revoked);

/* Write jobs of the command line (store_job_fn). Every statement is checked: on a
 * failure the job returns -1 with error set, and nothing of it commits. */
typedef struct accounts_password_set {
    const char *username, *hash;     /* hash: argon2id, computed before the job */
    const char *address;             /* for the audit entry ("cli") */
    int64_t user_id, tokens_revoked; /* out */
    const char *error;               /* out */
} accounts_password_set;
int accounts_password_job(store_conn *c, void *accounts_password_set_ptr);

typedef struct accounts_community_add {
    const char *name, *timezone, *username, *display_name, *language, *hash, *address;
    int64_t community_id, user_id;   /* out */
    const char *error;               /* out */
} accounts_community_add;
int accounts_community_add_job(store_conn *c, void *accounts_community_add_ptr);
unsigned accounts_role_bit(const char *role);      /* 0 when unknown */
const char *accounts_role_name(unsigned role_bit);
#endif
