/* accounts_int.h — what the accounts' files share with each other and with nobody else. */
#ifndef SW_ACCOUNTS_INT_H
#define SW_ACCOUNTS_INT_H
#include "accounts.h"
#include "../demo_step.h"

/* demo_accounts.c: the community and the logins of `shouwang demo`. */
extern const demo_step accounts_demo_steps[];
#endif
