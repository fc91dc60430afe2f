/* log.c — timestamped lines on stderr. One fputs per line keeps lines whole across
 * threads (stdio locks the stream per call). */
#include "log.h"
#include "clock.h"
#include <stdarg.h>
#include <stdio.h>

static int log_quiet;

void log_set_quiet(int quiet) { log_quiet = quiet; }

static void log_line(const char *level, const char *fmt, va_list ap)
{
    char ts[32], msg[2048], line[2200];
    clock_format_utc(clock_now_us(), ts, sizeof ts);
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(line, sizeof line, "%s %s %s\n", ts, level, msg);
    fputs(line, stderr);
}

#define LOG_FN(name, level, quietable)            \
    void name(const char *fmt, ...)               \
    {                                             \
        if (quietable && log_quiet) return;       \
        va_list ap;                               \
        va_start(ap, fmt);                        \
        log_line(level, fmt, ap);                 \
        va_end(ap);                               \
    }
LOG_FN(log_info, "info", 1)
LOG_FN(log_warn, "warn", 0)
LOG_FN(log_error, "error", 0)
