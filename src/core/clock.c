/* clock.c — wall and monotonic time in microseconds, and the calendar day in a time
 * zone (communities keep their own zone; the server runs in UTC). */
#include <stddef.h>
#include "clock.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_format_utc(int64_t us, char *out, size_t n)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- time zones ---- */

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    return n == 4 ? (int64_t)(int32_t)v : (int64_t)v;
}

/* Read from the TZif file rather than through setenv("TZ") + localtime_r, which is not
 * thread-safe and would change the zone of every other request. Zone names are checked
 * against the same files when a community's zone is set (validate_timezone). */
static int64_t tz_read(const char *tz, int64_t t, int64_t *from, int64_t *until)
{
    char path[160];
    *from = INT64_MIN;
    *until = INT64_MAX;
    if (!tz || !*tz || strstr(tz, "..") || tz[0] == '/') return 0;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static const size_t cap = 1 << 20;
    unsigned char *b = malloc(cap);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    int64_t off = 0;
    if (n < 44 || memcmp(b, "TZif", 4)) goto out;
    const unsigned char *h = b;
    int tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if ((size_t)(h - b) + 44 > n) goto out;
        int64_t isut = be(h + 20, 4), isstd = be(h + 24, 4), leap = be(h + 28, 4), timecnt = be(h + 32, 4),
                typecnt = be(h + 36, 4), charcnt = be(h + 40, 4);
        size_t size = (size_t)(timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut);
        const unsigned char *d = h + 44;
        if ((size_t)(d - b) + size > n || typecnt < 1) goto out;
        /* Version 2+ files repeat the data with 64-bit times: read that part. */
        if (pass == 0 && h[4] >= '2') {
            h = d + size;
            tsize = 8;
            continue;
        }
        const unsigned char *idx = d + timecnt * tsize, *types = idx + timecnt;
        int type = 0;
        for (int64_t i = 0; i < timecnt; i++) {
            int64_t at = be(d + i * tsize, tsize);
            if (at > t) { *until = at; break; }
            type = idx[i];
            *from = at;
        }
        if (type < typecnt) off = be(types + type * 6, 4);
        break;
    }
out:
    free(b);
    return off;
}

/* The offset holds from one transition to the next: kept per zone, so that a request
 * showing ages does not read the zone file (and fill a 1 MB buffer) every time. */
typedef struct tz_span {
    char tz[64];
    int64_t from, until, off;
} tz_span;

static tz_span tz_cache[8];
static unsigned tz_next;
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t clock_tz_offset(const char *tz, int64_t t)
{
    if (!tz || strlen(tz) >= sizeof tz_cache[0].tz) {
        int64_t from, until;
        return tz_read(tz, t, &from, &until);
    }
    pthread_mutex_lock(&tz_lock);
    for (size_t i = 0; i < sizeof tz_cache / sizeof tz_cache[0]; i++) {
        tz_span *c = &tz_cache[i];
        if (c->tz[0] && !strcmp(c->tz, tz) && t >= c->from && t < c->until) {
            int64_t off = c->off;
            pthread_mutex_unlock(&tz_lock);
            return off;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    tz_span fresh = {0};
    fresh.off = tz_read(tz, t, &fresh.from, &fresh.until);
    snprintf(fresh.tz, sizeof fresh.tz, "%s", tz);
    pthread_mutex_lock(&tz_lock);
    tz_cache[tz_next++ % (sizeof tz_cache / sizeof tz_cache[0])] = fresh;
    pthread_mutex_unlock(&tz_lock);
    return fresh.off;
}

int clock_local_date(const char *tz, int64_t us, char *out, size_t n)
{
    int64_t t = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
    time_t local = (time_t)(t + clock_tz_offset(tz, t));
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
    return tm.tm_year + 1900;
}

void clock_format_local(const char *tz, int64_t us, char *out, size_t n)
{
    int64_t t = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
    time_t local = (time_t)(t + clock_tz_offset(tz, t));
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

bool clock_parse_utc(const char *s, int64_t *us)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    }
    if (s[sizeof shape - 1]) return false;
    struct tm tm = {0};
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
    tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
    tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
    tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
    tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
    tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
    *us = (int64_t)timegm(&tm) * 1000000;
    return true;
}

/* ---------------------------------------------------------------- calendar days */

/* H. Hinnant's days_from_civil and civil_from_days: exact for every year, no tables. */
int64_t clock_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void clock_civil_from_days(int64_t day, int *y, int *m, int *d)
{
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool clock_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

bool clock_parse_date(const char *s, int *y, int *m, int *d)
{
    static const char shape[] = "dddd-dd-dd";
    if (!s) return false;
    for (size_t i = 0; i < sizeof shape; i++) {
        if (i == sizeof shape - 1) {
            if (s[i]) return false;
        } else if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) {
            return false;
        }
    }
    int yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mm = (s[5] - '0') * 10 + (s[6] - '0'), dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (!clock_date_valid(yy, mm, dd)) return false;
    if (y) *y = yy;
    if (m) *m = mm;
    if (d) *d = dd;
    return true;
}

/* Writes the n lowest decimal digits of v, zero-padded: fixed widths by construction. */
static void put_digits(char *dst, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10) dst[i] = (char)('0' + v % 10);
}

void clock_format_date(int64_t day, char out[11])
{
    int y, m, d;
    clock_civil_from_days(day, &y, &m, &d);
    put_digits(out, (unsigned)y, 4);
    out[4] = '-';
    put_digits(out + 5, (unsigned)m, 2);
    out[7] = '-';
    put_digits(out + 8, (unsigned)d, 2);
    out[10] = 0;
}
