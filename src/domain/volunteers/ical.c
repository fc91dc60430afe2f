/* ical.c — a volunteer's shifts as an iCalendar feed (RFC 5545) that a phone's
 * calendar subscribes to: a secret address made (and renewed) by the volunteer, only its
 * hash stored, so that a renewal is the way to revoke a leaked one. The feed lists the
 * shifts the volunteer stands from a week ago on (and the waitlisted ones, marked
 * tentative), each with the post and its place; the calendar keeps it current. */
#include "volunteers_int.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/secret.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ICAL_PATH "/api/v1/calendar/"

/* "20261205T080000Z" */
static void ical_time(int64_t us, char out[20])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

/* A TEXT value: backslash, semicolon, comma and newline escaped (RFC 5545 3.3.11). */
static void ical_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == ';' || *s == ',') buf_printf(b, "\\%c", *s);
        else if (*s == '\n') buf_puts(b, "\\n");
        else if (*s != '\r') buf_append(b, s, 1);
    }
}

/* POST /volunteers/me/calendar: a new secret address for the caller's feed (the old
 * one stops working). The answer holds the secret: never stored for replay. */
static int calendar_renew(http_req *req)
{
    int64_t vid = vol_own(req, NULL);
    if (vid < 0) return http_fail_internal(req, "volunteer");
    if (!vid) return http_fail(req, 404, "not_found", NULL, "vol.err.not_volunteer");
    char token[44], hash[65];
    secret_token(token);
    secret_token_hash(token, hash);
    if (store_run(req->conn, NULL, "UPDATE volunteers SET ical_hash = $1, updated_at = $2 WHERE id = $3", "tii", hash,
                  clock_now_us(), vid) != STORE_DONE)
        return http_fail_internal(req, "calendar");
    http_audit_target(req, "volunteer", vid, json_pack("{s:s}", "calendar", "renewed"));
    return http_reply(req, 201, json_pack("{s:s}", "path", arena_printf(req->a, ICAL_PATH "%s.ics", token)));
}

/* GET /calendar/{token}.ics — public (a calendar app has no session): the secret is the
 * credential; an unknown one is 404. */
static int calendar_feed(http_req *req)
{
    const char *name = http_param(req, "file");
    size_t n = name ? strlen(name) : 0;
    if (n < 5 || n > 80 || strcmp(name + n - 4, ".ics")) return http_fail_not_found(req);
    char token[80], hash[65];
    memcpy(token, name, n - 4);
    token[n - 4] = 0;
    secret_token_hash(token, hash);
    store_conn *c = http_read_conn(req);
    store_stmt *st;
    if (store_run(c, &st, "SELECT v.id, v.community_id, v.name, cm.name FROM volunteers v JOIN communities cm ON "
                  "cm.id = v.community_id WHERE v.ical_hash = $1 AND v.state <> 'left'", "t", hash) != STORE_ROW)
        return http_fail_not_found(req);
    int64_t vid = store_col_int(st, 0), community = store_col_int(st, 1);
    const char *who = arena_strdup(req->a, store_col_text(st, 2)), *where = arena_strdup(req->a, store_col_text(st, 3));
    store_done(st);
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Shouwang//Volunteer shifts//ZH\r\nCALSCALE:GREGORIAN\r\n"
                 "X-WR-CALNAME:");
    ical_text(&b, where);
    buf_puts(&b, " · ");
    ical_text(&b, who);
    buf_puts(&b, "\r\n");
    st = store_prepare(c, "SELECT s.id, s.starts_at, s.ends_at, p.name, p.place, a.state FROM shift_assignments a JOIN "
                          "shifts s ON s.id = a.shift_id JOIN posts p ON p.id = s.post_id WHERE a.community_id = $1 "
                              "AND "
                          "a.volunteer_id = $2 AND a.state IN ('assigned', 'waitlist') AND s.ends_at > $3 "
                          "ORDER BY s.starts_at LIMIT 500");
    if (st) {
        store_bind_int(st, 1, community);
        store_bind_int(st, 2, vid);
        store_bind_int(st, 3, clock_now_us() - 7LL * 86400 * 1000000);
        char stamp[20], from[20], to[20];
        ical_time(clock_now_us(), stamp);
        while (store_step(st) == STORE_ROW) {
            ical_time(store_col_int(st, 1), from);
            ical_time(store_col_int(st, 2), to);
            bool waiting = !strcmp(store_col_text(st, 5), "waitlist");
            buf_printf(&b, "BEGIN:VEVENT\r\nUID:shift-%lld-%lld@shouwang\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n"
                       "STATUS:%s\r\nSUMMARY:", (long long)store_col_int(st, 0), (long long)vid, stamp, from, to,
                       waiting ? "TENTATIVE" : "CONFIRMED");
            ical_text(&b, store_col_text(st, 3));
            if (waiting) ical_text(&b, i18n_text(req->lang, "ical.waitlist"));
            buf_puts(&b, "\r\n");
            if (store_col_text(st, 4) && *store_col_text(st, 4)) {
                buf_puts(&b, "LOCATION:");
                ical_text(&b, store_col_text(st, 4));
                buf_puts(&b, "\r\n");
            }
            buf_puts(&b, "END:VEVENT\r\n");
        }
        store_done(st);
    }
    buf_puts(&b, "END:VCALENDAR\r\n");
    return vol_reply_raw(req, &b, "text/calendar; charset=utf-8");
}

const http_route ical_routes[] = {
    {"POST", "/api/v1/volunteers/me/calendar", NULL, calendar_renew, ROLE_VOLUNTEER, ROUTE_WRITE | ROUTE_NO_REPLAY, 0,
     "volunteer.calendar"},
    {"GET", "/api/v1/calendar/{file}", NULL, calendar_feed, 0, ROUTE_PUBLIC, 0, NULL},
    {0},
};

const i18n_entry ical_messages[] = {
    {"ical.waitlist", "（候补）", " (waitlist)"},
    {0, 0, 0},
};
