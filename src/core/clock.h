/* clock.h — times are integer microseconds since the Unix epoch, UTC, everywhere. */
#ifndef SW_CLOCK_H
#define SW_CLOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
int64_t clock_now_us(void);       /* wall clock, UTC */
int64_t clock_mono_us(void);      /* monotonic, for durations */
/* Writes e.g. "2026-11-23T03:04:05Z" into out (at least 21 bytes). */
void clock_format_utc(int64_t us, char *out, size_t n);
/* Offset from UTC in seconds of time zone tz (an IANA name such as "Asia/Shanghai") at
 * Unix time t (seconds), read from the system's zoneinfo files; 0 when unknown. */
int64_t clock_tz_offset(const char *tz, int64_t t);
/* The calendar day in zone tz at instant us as "YYYY-MM-DD" into out (at least 11
 * bytes); returns its year. */
int clock_local_date(const char *tz, int64_t us, char *out, size_t n);
/* The wall time in zone tz at instant us as "YYYY-MM-DD HH:MM" into out (at least 17
 * bytes): what a person in that community reads on a screen or a sheet. */
void clock_format_local(const char *tz, int64_t us, char *out, size_t n);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (as clock_format_utc writes it) into *us; false when
 * the text is not exactly that shape. */
bool clock_parse_utc(const char *s, int64_t *us);

/* ---- calendar days (proleptic Gregorian; day 0 is 1970-01-01) ---- */
int64_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int64_t day, int *y, int *m, int *d);
/* Whether y-m-d names a real day (month 1-12, the day within its month, leap years). */
bool clock_date_valid(int y, int m, int d);
/* Parses exactly "YYYY-MM-DD" naming a real day; the parts go to y, m, d (each may be
 * NULL). False for any other text. */
bool clock_parse_date(const char *s, int *y, int *m, int *d);
/* Writes day as "YYYY-MM-DD" into out (11 bytes). */
void clock_format_date(int64_t day, char out[11]);
#endif
