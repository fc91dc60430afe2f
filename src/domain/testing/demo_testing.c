/* demo_testing.c — the demo's testing rounds: see testing_int.h. */
#include "testing_int.h"

const demo_step testing_demo_steps[] = {
    {0},
};
