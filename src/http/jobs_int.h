/* jobs_int.h — what the server and the HTTP layer's route list take from jobs.c (not
 * for domain code, which uses job_start and friends from http.h). */
#ifndef SW_JOBS_INT_H
#define SW_JOBS_INT_H
#include "http.h"

extern const http_route jobs_routes[];
/* Starts the worker pool; marks rows a dead process left queued or running failed. */
void jobs_init(store *db, const config *cfg, const http_route *const *tables);
/* Refuses new work, fails what is queued, waits up to max_ms for running tasks.
 * Returns how many still run (then the store must not be closed under them). */
int jobs_stop(int max_ms);
#endif
