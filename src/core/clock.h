/* clock.h — times are integer microseconds since the Unix epoch, UTC, everywhere. */
#ifndef SW_CLOCK_H
#define SW_CLOCK_H
#include <stddef.h>
#include <stdint.h>
int64_t clock_now_us(void);       /* wall clock, UTC */
int64_t clock_mono_us(void);      /* monotonic, for durations */
/* Writes e.g. "2026-11-23T03:04:05Z" into out (at least 21 bytes). */
void clock_format_utc(int64_t us, char *out, size_t n);
#endif
