/* rotation_plan.c — the arithmetic of a rotation, apart from the store so that it reads
 * as the rule it is (see rotation_int.h): which household keeps the gate on which day,
 * given the fixed order and the turns recorded so far. Also the two small parsers the
 * routes need (room order, "HH:MM"). No function here touches a request. */
#include "rotation_int.h"
#include <ctype.h>
#include <string.h>

void rotation_plan_compute(int members, int rounds, int64_t start_day, const rotation_turn *turns, int n_turns,
                           rotation_plan *out)
{
    memset(out, 0, sizeof *out);
    out->members = members;
    out->rounds = rounds;
    out->total = members * rounds;
    out->start_day = start_day;
    out->recorded = n_turns;
    int64_t next = start_day;
    for (int i = 0; i < n_turns; i++) {
        assert(turns[i].seq == i);   /* turns are read in seq order, without gaps */
        if (turns[i].skipped) {
            out->skipped++;
            next = turns[i].day;      /* the next household takes the same day */
        } else {
            next = turns[i].day + 1;  /* the key goes over at the window's end */
        }
    }
    out->next_day = next;
    int left = out->total - n_turns;
    if (left > 0) out->end_day = next + left - 1;
    else out->end_day = n_turns ? turns[n_turns - 1].day : start_day;
}

int64_t rotation_plan_day(const rotation_plan *p, const rotation_turn *turns, int seq)
{
    if (seq < p->recorded) return turns[seq].day;
    return p->next_day + (seq - p->recorded);
}

int rotation_plan_round(const rotation_plan *p, int seq)
{
    return p->members ? seq / p->members + 1 : 1;
}

int rotation_plan_member(const rotation_plan *p, int seq)
{
    return p->members ? seq % p->members : 0;
}

int rotation_plan_rounds_done(const rotation_plan *p)
{
    return p->members ? p->recorded / p->members : 0;
}

/* Compares digit runs by value (leading zeros ignored), everything else byte by byte;
 * rooms equal that way ("02号", "2号") fall back to strcmp so the order is total. */
int rotation_room_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
            while (*x == '0' && isdigit((unsigned char)x[1])) x++;
            while (*y == '0' && isdigit((unsigned char)y[1])) y++;
            size_t nx = 0, ny = 0;
            while (isdigit((unsigned char)x[nx])) nx++;
            while (isdigit((unsigned char)y[ny])) ny++;
            if (nx != ny) return nx < ny ? -1 : 1;
            int c = memcmp(x, y, nx);
            if (c) return c;
            x += nx;
            y += ny;
            continue;
        }
        if (*x != *y) return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
        x++;
        y++;
    }
    if (*x || *y) return *x ? 1 : -1;
    return strcmp(a, b);
}

int rotation_parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && !isdigit((unsigned char)s[i])) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h > 23 || m > 59 ? -1 : h * 60 + m;
}
