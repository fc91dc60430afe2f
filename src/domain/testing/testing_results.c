/* testing_results.c — see testing_int.h for what this file owns. */
#include "testing_int.h"

const http_route testing_result_routes[] = {
    {0},
};

const i18n_entry testing_result_messages[] = {
    {0, 0, 0},
};

void testing_tiles(http_req *req, json_t *tiles)
{
    (void)req;
    (void)tiles;
}
