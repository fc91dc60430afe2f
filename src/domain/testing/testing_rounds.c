/* testing_rounds.c — see testing_int.h for what this file owns. */
#include "testing_int.h"

const http_route testing_round_routes[] = {
    {0},
};

const i18n_entry testing_round_messages[] = {
    {0, 0, 0},
};
