/* registry.c — part of the community registry; see registry.h. */
#include "registry.h"

const http_route registry_routes[] = {
    {0},
};

const i18n_entry registry_messages[] = {
    {0, 0, 0},
};
